/*
 * png_read.c - a strict PNG decoder on top of zlib (PNG specification,
 * W3C, 2003: chunks, filters, colour types; no interlacing).
 *
 * The whole file is in memory. Every chunk's length is checked against what
 * is left and its CRC against its bytes; the image data must inflate to
 * exactly height rows of one filter byte and the row's samples. Anything
 * else is an error that says which rule the file breaks.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "error.h"
#include "image/image.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                         0x1a, '\n'};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

typedef struct png_header {
    uint32_t width, height;
    unsigned depth;     /* bits per sample: 1, 2, 4, 8 or 16 */
    unsigned colour;    /* 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
    unsigned channels;  /* samples per pixel */
    size_t row_bytes;   /* packed samples of one row, without the filter byte */
    size_t bpp;         /* bytes per complete pixel, at least 1 (filters) */
} png_header;

typedef struct png_palette {
    uint8_t rgba[256][4];
    size_t n;
    /* tRNS of a gray or RGB image: this exact sample value is transparent */
    int has_key;
    uint16_t key[3];
} png_palette;

static const char *colour_name(unsigned colour)
{
    switch (colour) {
    case 0: return "gray";
    case 2: return "RGB";
    case 3: return "palette";
    case 4: return "gray+alpha";
    case 6: return "RGBA";
    default: return "unknown";
    }
}

static int parse_ihdr(const uint8_t *d, uint32_t len, png_header *h,
                      sn_error *err)
{
    if (len != 13)
        return sn_set_error(err, "IHDR chunk has %u bytes, not 13", len);
    h->width = be32(d);
    h->height = be32(d + 4);
    h->depth = d[8];
    h->colour = d[9];
    if (h->width == 0 || h->height == 0)
        return sn_set_error(err, "the image is %ux%u pixels: empty", h->width,
                            h->height);
    if (h->width > SN_IMAGE_MAX_SIDE || h->height > SN_IMAGE_MAX_SIDE ||
        (size_t)h->width * h->height > SN_IMAGE_MAX_PIXELS)
        return sn_set_error(err, "the image is %ux%u pixels, larger than "
                                 "the %u per side and %zu in all this reader "
                                 "accepts", h->width, h->height,
                            SN_IMAGE_MAX_SIDE, SN_IMAGE_MAX_PIXELS);
    /* Allowed bit depths per colour type (PNG specification, table 11.1). */
    static const struct { unsigned colour, channels, depths; } types[] = {
        {0, 1, 1u << 1 | 1u << 2 | 1u << 4 | 1u << 8 | 1u << 16},
        {2, 3, 1u << 8 | 1u << 16},
        {3, 1, 1u << 1 | 1u << 2 | 1u << 4 | 1u << 8},
        {4, 2, 1u << 8 | 1u << 16},
        {6, 4, 1u << 8 | 1u << 16},
    };
    h->channels = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (types[i].colour == h->colour && h->depth <= 16 &&
            (types[i].depths >> h->depth & 1))
            h->channels = types[i].channels;
    }
    if (h->channels == 0)
        return sn_set_error(err, "colour type %u (%s) with bit depth %u is "
                                 "not a valid PNG combination", h->colour,
                            colour_name(h->colour), h->depth);
    if (d[10] != 0 || d[11] != 0)
        return sn_set_error(err, "unknown compression method %u or filter "
                                 "method %u (only 0 is defined)", d[10], d[11]);
    if (d[12] == 1)
        return sn_set_error(err, "interlaced (Adam7) PNG images are not "
                                 "supported: save the image without "
                                 "interlacing");
    if (d[12] != 0)
        return sn_set_error(err, "unknown interlace method %u", d[12]);
    const size_t bits = (size_t)h->width * h->channels * h->depth;
    h->row_bytes = (bits + 7) / 8;
    h->bpp = (h->channels * h->depth + 7) / 8;
    return 0;
}

static int parse_plte(const uint8_t *d, uint32_t len, const png_header *h,
                      png_palette *pal, sn_error *err)
{
    if (len % 3 != 0 || len == 0 || len > 3 * 256)
        return sn_set_error(err, "PLTE chunk of %u bytes: expected 3 to 768, "
                                 "a multiple of 3", len);
    pal->n = len / 3;
    if (h->colour == 3 && pal->n > (size_t)1 << h->depth)
        return sn_set_error(err, "the palette has %zu entries, more than %u-bit "
                                 "indices can reach", pal->n, h->depth);
    for (size_t i = 0; i < pal->n; i++) {
        memcpy(pal->rgba[i], d + 3 * i, 3);
        pal->rgba[i][3] = 255;
    }
    return 0;
}

static int parse_trns(const uint8_t *d, uint32_t len, const png_header *h,
                      png_palette *pal, sn_error *err)
{
    if (h->colour == 3) {
        if (len > pal->n)
            return sn_set_error(err, "tRNS has %u entries, the palette %zu",
                                len, pal->n);
        for (uint32_t i = 0; i < len; i++)
            pal->rgba[i][3] = d[i];
        return 0;
    }
    const unsigned n = h->colour == 0 ? 1 : h->colour == 2 ? 3 : 0;
    if (n == 0)
        return sn_set_error(err, "tRNS chunk in a %s image, which has an "
                                 "alpha channel already",
                            colour_name(h->colour));
    if (len != 2 * n)
        return sn_set_error(err, "tRNS chunk of %u bytes in a %s image: "
                                 "expected %u", len, colour_name(h->colour),
                            2 * n);
    pal->has_key = 1;
    for (unsigned i = 0; i < n; i++)
        pal->key[i] = (uint16_t)(d[2 * i] << 8 | d[2 * i + 1]);
    return 0;
}

/* Inflates the concatenated IDAT data into exactly `need` bytes. Both sizes
 * fit zlib's 32-bit counters: files are at most SN_IMAGE_MAX_FILE bytes and
 * images at most SN_IMAGE_MAX_PIXELS pixels of 8 bytes. */
static int inflate_exact(const uint8_t *src, size_t len, uint8_t *dst,
                         size_t need, sn_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK)
        return sn_set_error(err, "zlib: cannot start inflating");
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)len;
    z.next_out = dst;
    z.avail_out = (uInt)need;
    int rc = inflate(&z, Z_FINISH);
    size_t got = need - z.avail_out;
    if (rc == Z_BUF_ERROR && got == need && z.avail_in > 0) {
        /* The rows are complete but the stream goes on: see whether it
         * holds another byte of image data or only its end. */
        uint8_t extra;
        z.next_out = &extra;
        z.avail_out = 1;
        rc = inflate(&z, Z_FINISH);
        if (z.avail_out == 0) {
            inflateEnd(&z);
            return sn_set_error(err, "the image data holds more than the "
                                     "%zu bytes its size needs", need);
        }
    }
    const char *msg = z.msg;
    inflateEnd(&z);
    if (rc == Z_STREAM_END && got == need)
        return 0;
    if (rc == Z_BUF_ERROR && got == need)
        return sn_set_error(err, "the compressed image data stops before its "
                                 "end (truncated?)");
    if (rc == Z_STREAM_END || rc == Z_BUF_ERROR)
        return sn_set_error(err, "the image data ends after %zu of the %zu "
                                 "bytes its size needs (truncated?)", got,
                            need);
    return sn_set_error(err, "the compressed image data is corrupt (zlib: %s)",
                        msg ? msg : "error");
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
    const int p = (int)a + b - c;
    const int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes the per-row filters in place; rows are 1 + row_bytes long. */
static int unfilter(uint8_t *raw, const png_header *h, sn_error *err)
{
    const size_t stride = h->row_bytes + 1, bpp = h->bpp;
    for (size_t y = 0; y < h->height; y++) {
        uint8_t *row = raw + y * stride + 1;
        const uint8_t *prev = y ? raw + (y - 1) * stride + 1 : NULL;
        const unsigned type = row[-1];
        for (size_t i = 0; i < h->row_bytes; i++) {
            const uint8_t a = i >= bpp ? row[i - bpp] : 0;
            const uint8_t b = prev ? prev[i] : 0;
            const uint8_t c = prev && i >= bpp ? prev[i - bpp] : 0;
            switch (type) {
            case 0: break;
            case 1: row[i] = (uint8_t)(row[i] + a); break;
            case 2: row[i] = (uint8_t)(row[i] + b); break;
            case 3: row[i] = (uint8_t)(row[i] + ((a + b) >> 1)); break;
            case 4: row[i] = (uint8_t)(row[i] + paeth(a, b, c)); break;
            default:
                return sn_set_error(err, "row %zu has unknown filter type %u",
                                    y, type);
            }
        }
    }
    return 0;
}

/* Sample i of a row of `depth`-bit samples, as stored (0 .. 2^depth-1). */
static unsigned sample_at(const uint8_t *row, size_t i, unsigned depth)
{
    switch (depth) {
    case 16: return (unsigned)row[2 * i] << 8 | row[2 * i + 1];
    case 8: return row[i];
    default: {
        const size_t bit = i * depth;
        const unsigned shift = 8 - depth - (unsigned)(bit % 8);
        return (unsigned)(row[bit / 8] >> shift) & ((1u << depth) - 1);
    }
    }
}

/* A sample scaled to 8 bits: the high byte of 16, repeated bits below 8. */
static uint8_t to8(unsigned v, unsigned depth)
{
    if (depth == 16)
        return (uint8_t)(v >> 8);
    return (uint8_t)(v * 255u / ((1u << depth) - 1));
}

static int expand_rgba(const uint8_t *raw, const png_header *h,
                       const png_palette *pal, sn_image *out, sn_error *err)
{
    if (sn_image_alloc(out, h->width, h->height, 4, err) != 0)
        return -1;
    const size_t stride = h->row_bytes + 1;
    for (size_t y = 0; y < h->height; y++) {
        const uint8_t *row = raw + y * stride + 1;
        uint8_t *px = out->data + y * h->width * 4;
        for (size_t x = 0; x < h->width; x++, px += 4) {
            unsigned s[4] = {0, 0, 0, 0};
            for (unsigned c = 0; c < h->channels; c++)
                s[c] = sample_at(row, x * h->channels + c, h->depth);
            switch (h->colour) {
            case 3:
                if (s[0] >= pal->n) {
                    sn_image_free(out);
                    return sn_set_error(err, "pixel (%zu, %zu) uses palette "
                                             "entry %u of %zu", x, y, s[0],
                                        pal->n);
                }
                memcpy(px, pal->rgba[s[0]], 4);
                break;
            case 0:
            case 4:
                px[0] = px[1] = px[2] = to8(s[0], h->depth);
                px[3] = h->colour == 4 ? to8(s[1], h->depth)
                        : pal->has_key && s[0] == pal->key[0] ? 0 : 255;
                break;
            default: /* 2, 6 */
                for (unsigned c = 0; c < 3; c++)
                    px[c] = to8(s[c], h->depth);
                px[3] = h->colour == 6 ? to8(s[3], h->depth)
                        : pal->has_key && s[0] == pal->key[0] &&
                                  s[1] == pal->key[1] && s[2] == pal->key[2]
                            ? 0 : 255;
            }
        }
    }
    return 0;
}

int sn_png_decode(const uint8_t *png, size_t len, sn_image *rgba,
                  sn_error *err)
{
    memset(rgba, 0, sizeof *rgba);
    if (len < 8 || memcmp(png, png_signature, 8) != 0)
        return sn_set_error(err, "not a PNG file (no PNG signature)");
    if (len > SN_IMAGE_MAX_FILE)
        return sn_set_error(err, "the file has %zu bytes, more than the %zu "
                                 "this reader accepts", len, SN_IMAGE_MAX_FILE);
    png_header h = {0};
    png_palette pal;
    memset(&pal, 0, sizeof pal);
    uint8_t *idat = NULL, *raw = NULL;
    size_t idat_len = 0;
    int seen_ihdr = 0, seen_iend = 0, seen_plte = 0, rc = -1;
    size_t pos = 8;
    while (pos < len && !seen_iend) {
        if (len - pos < 12) {
            sn_set_error(err, "truncated: %zu stray bytes after the last "
                              "chunk, where a chunk or IEND should be",
                         len - pos);
            goto out;
        }
        const uint32_t clen = be32(png + pos);
        const uint8_t *type = png + pos + 4, *data = png + pos + 8;
        char name[5];
        for (int i = 0; i < 4; i++)
            name[i] = type[i] >= 32 && type[i] < 127 ? (char)type[i] : '?';
        name[4] = '\0';
        if (clen > len - pos - 12) {
            sn_set_error(err, "truncated: chunk %s of %u bytes runs past the "
                              "end of the file", name, clen);
            goto out;
        }
        const uint32_t crc = (uint32_t)crc32(crc32(0, NULL, 0), type, clen + 4);
        if (crc != be32(data + clen)) {
            sn_set_error(err, "chunk %s has a bad CRC: the file is corrupt",
                         name);
            goto out;
        }
        pos += 12 + (size_t)clen;
        if (!seen_ihdr && memcmp(type, "IHDR", 4) != 0) {
            sn_set_error(err, "the first chunk is %s, not IHDR", name);
            goto out;
        }
        if (!memcmp(type, "IHDR", 4)) {
            if (seen_ihdr) {
                sn_set_error(err, "a second IHDR chunk");
                goto out;
            }
            seen_ihdr = 1;
            if (parse_ihdr(data, clen, &h, err) != 0)
                goto out;
        } else if (!memcmp(type, "PLTE", 4)) {
            seen_plte = 1;
            if (parse_plte(data, clen, &h, &pal, err) != 0)
                goto out;
        } else if (!memcmp(type, "tRNS", 4)) {
            if (parse_trns(data, clen, &h, &pal, err) != 0)
                goto out;
        } else if (!memcmp(type, "IDAT", 4)) {
            uint8_t *grown = realloc(idat, idat_len + clen + 1);
            if (!grown) {
                sn_set_error(err, "out of memory for %zu bytes of image data",
                             idat_len + clen);
                goto out;
            }
            idat = grown;
            memcpy(idat + idat_len, data, clen);
            idat_len += clen;
        } else if (!memcmp(type, "IEND", 4)) {
            seen_iend = 1;
        } else if (!(type[0] & 0x20)) {
            /* Bit 5 of the first letter clear: critical, must be understood. */
            sn_set_error(err, "unknown critical chunk %s", name);
            goto out;
        }
    }
    if (!seen_ihdr) {
        sn_set_error(err, "truncated: no IHDR chunk");
        goto out;
    }
    if (!seen_iend) {
        sn_set_error(err, "truncated: the file ends without an IEND chunk");
        goto out;
    }
    if (h.colour == 3 && !seen_plte) {
        sn_set_error(err, "a palette image without a PLTE chunk");
        goto out;
    }
    if (idat_len == 0) {
        sn_set_error(err, "no image data (IDAT chunk)");
        goto out;
    }
    const size_t need = (h.row_bytes + 1) * h.height;
    raw = malloc(need);
    if (!raw) {
        sn_set_error(err, "out of memory for %ux%u pixels", h.width, h.height);
        goto out;
    }
    if (inflate_exact(idat, idat_len, raw, need, err) != 0 ||
        unfilter(raw, &h, err) != 0 || expand_rgba(raw, &h, &pal, rgba, err))
        goto out;
    rc = 0;
out:
    free(idat);
    free(raw);
    return rc;
}
