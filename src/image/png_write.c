/*
 * png_write.c - a minimal PNG encoder: 8-bit gray, RGB or RGBA, one IDAT.
 *
 * The report embeds small images (28x28 digits, weight maps); every row is
 * stored with filter 0 (none) and zlib does the rest. For such images the
 * smarter per-row filter choice of full encoders saves a few bytes at most.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "error.h"
#include "image/image.h"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Appends a chunk (length, type, data, CRC of type and data) at *pos. */
static void put_chunk(uint8_t *out, size_t *pos, const char type[4],
                      const uint8_t *data, size_t len)
{
    uint8_t *p = out + *pos;
    put_be32(p, (uint32_t)len);
    memcpy(p + 4, type, 4);
    if (len)
        memcpy(p + 8, data, len);
    put_be32(p + 8 + len, (uint32_t)crc32(crc32(0, NULL, 0), p + 4, (uInt)len + 4));
    *pos += 12 + len;
}

int sn_png_encode(const sn_image *img, uint8_t **out, size_t *out_len,
                  sn_error *err)
{
    *out = NULL;
    *out_len = 0;
    static const uint8_t colour_type[5] = {0, 0, 0, 2, 6};
    if (img->channels != 1 && img->channels != 3 && img->channels != 4)
        return sn_set_error(err, "PNG encoder: %zu channels (expected 1, 3 "
                                 "or 4)", img->channels);
    if (img->width == 0 || img->height == 0 ||
        img->width > SN_IMAGE_MAX_SIDE || img->height > SN_IMAGE_MAX_SIDE ||
        img->width * img->height > SN_IMAGE_MAX_PIXELS)
        return sn_set_error(err, "PNG encoder: cannot encode a %zux%zu image",
                            img->width, img->height);

    const size_t row = img->width * img->channels;
    const size_t raw_len = (row + 1) * img->height;
    uint8_t *raw = malloc(raw_len);
    const uLong bound = compressBound((uLong)raw_len);
    /* signature, IHDR, IDAT and IEND chunks around the compressed data */
    uint8_t *png = malloc(8 + 25 + 12 + bound + 12);
    if (!raw || !png) {
        free(raw);
        free(png);
        return sn_set_error(err, "PNG encoder: out of memory");
    }
    for (size_t y = 0; y < img->height; y++) {
        raw[y * (row + 1)] = 0; /* filter: none */
        memcpy(raw + y * (row + 1) + 1, img->data + y * row, row);
    }

    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                         0x1a, '\n'};
    memcpy(png, signature, 8);
    size_t pos = 8;
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)img->width);
    put_be32(ihdr + 4, (uint32_t)img->height);
    ihdr[8] = 8;                           /* bits per sample */
    ihdr[9] = colour_type[img->channels];  /* gray, RGB or RGBA */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;    /* deflate, filters, no interlace */
    put_chunk(png, &pos, "IHDR", ihdr, sizeof ihdr);

    /* Compress straight into the IDAT chunk's data, then frame it. */
    uLongf zlen = bound;
    if (compress2(png + pos + 8, &zlen, raw, (uLong)raw_len, 9) != Z_OK) {
        free(raw);
        free(png);
        return sn_set_error(err, "PNG encoder: zlib failed to compress");
    }
    free(raw);
    put_be32(png + pos, (uint32_t)zlen);
    memcpy(png + pos + 4, "IDAT", 4);
    put_be32(png + pos + 8 + zlen,
             (uint32_t)crc32(crc32(0, NULL, 0), png + pos + 4, (uInt)zlen + 4));
    pos += 12 + zlen;
    put_chunk(png, &pos, "IEND", NULL, 0);
    *out = png;
    *out_len = pos;
    return 0;
}
