/*
 * test_report.c - the pictures and the image files behind them: PNG and PGM
 * reading (every colour type, filter and a corrupt file of each kind), PNG
 * writing, resampling, the JSON, CSV and benchmark readers, what each SVG
 * holds (points, neurons, cells, the colours of known weights, read back
 * from the embedded PNGs), and sn_report_write's all-or-nothing files.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "image/image.h"
#include "read_file.h"
#include "report/json.h"
#include "report/report.h"
#include "report/utf8.h"
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A PNG built by hand, independent of png_write.c: IHDR, optional PLTE and
 * tRNS, the rows (already filtered, with their filter bytes) compressed in
 * one or two IDAT chunks, IEND. */
typedef struct test_png {
    uint8_t data[1 << 16];
    size_t len;
} test_png;

static void chunk(test_png *p, const char *type, const uint8_t *d, size_t n)
{
    put32(p->data + p->len, (uint32_t)n);
    memcpy(p->data + p->len + 4, type, 4);
    if (n)
        memcpy(p->data + p->len + 8, d, n);
    put32(p->data + p->len + 8 + n,
          (uint32_t)crc32(0, p->data + p->len + 4, (uInt)n + 4));
    p->len += 12 + n;
}

static void build_png(test_png *p, uint32_t w, uint32_t h, int depth,
                      int colour, int interlace, const uint8_t *plte,
                      size_t plte_len, const uint8_t *trns, size_t trns_len,
                      const uint8_t *rows, size_t rows_len, int split_idat)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(p->data, sig, 8);
    p->len = 8;
    uint8_t ihdr[13];
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = (uint8_t)depth;
    ihdr[9] = (uint8_t)colour;
    ihdr[10] = ihdr[11] = 0;
    ihdr[12] = (uint8_t)interlace;
    chunk(p, "IHDR", ihdr, 13);
    if (plte)
        chunk(p, "PLTE", plte, plte_len);
    if (trns)
        chunk(p, "tRNS", trns, trns_len);
    uint8_t z[1 << 15];
    uLongf zlen = sizeof z;
    cr_assert_eq(compress2(z, &zlen, rows, (uLong)rows_len, 9), Z_OK);
    if (split_idat && zlen > 4) {
        chunk(p, "IDAT", z, 3);
        chunk(p, "IDAT", z + 3, zlen - 3);
    } else {
        chunk(p, "IDAT", z, zlen);
    }
    chunk(p, "IEND", NULL, 0);
}

static uint8_t paeth(int a, int b, int c)
{
    const int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return (uint8_t)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

/* Filters raw rows (stride bytes each, bpp bytes per pixel) with filter
 * (y % 5) on row y, so that one image exercises all five filters. */
static size_t filter_rows(const uint8_t *raw, size_t h, size_t stride,
                          size_t bpp, uint8_t *out)
{
    for (size_t y = 0; y < h; y++) {
        const uint8_t *row = raw + y * stride, *prev = y ? row - stride : NULL;
        uint8_t *o = out + y * (stride + 1);
        const int type = (int)(y % 5);
        o[0] = (uint8_t)type;
        for (size_t i = 0; i < stride; i++) {
            const int a = i >= bpp ? row[i - bpp] : 0, b = prev ? prev[i] : 0;
            const int c = prev && i >= bpp ? prev[i - bpp] : 0;
            const int pred = type == 0 ? 0 : type == 1 ? a : type == 2 ? b
                             : type == 3 ? (a + b) / 2 : paeth(a, b, c);
            o[1 + i] = (uint8_t)(row[i] - pred);
        }
    }
    return h * (stride + 1);
}

static void random_bytes(uint8_t *p, size_t n, uint64_t seed)
{
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)sn_rng_below(&rng, 256);
}

static size_t base64_decode(const char *s, size_t n, uint8_t *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        const char *d = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                               "vwxyz0123456789+/", s[i]);
        cr_assert(d && *d, "bad base64 character '%c'", s[i]);
        acc = acc << 6 | (uint32_t)(d - "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
                                        "nopqrstuvwxyz0123456789+/");
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

/* The k-th embedded image of class cls in an SVG, decoded to RGBA. */
static void embedded_image(const char *svg, const char *cls, size_t k,
                           sn_image *img)
{
    char key[64];
    snprintf(key, sizeof key, "class=\"%s\"", cls);
    const char *p = svg;
    for (size_t i = 0; i <= k; i++) {
        p = strstr(p, key);
        cr_assert_not_null(p, "fewer than %zu images of class %s", k + 1, cls);
        p++;
    }
    const char *data = strstr(p, "base64,");
    cr_assert_not_null(data);
    data += 7;
    const size_t n = strcspn(data, "\"");
    uint8_t *png = malloc(n);
    const size_t len = base64_decode(data, n, png);
    sn_error err;
    cr_assert_eq(sn_png_decode(png, len, img, &err), 0, "%s", err.msg);
    free(png);
}

/* ------------------------------------------------------------ PNG */

Test(png, encode_decode_round_trip_every_channel_count)
{
    const size_t channels[3] = {1, 3, 4};
    for (int c = 0; c < 3; c++) {
        sn_image img, back;
        sn_error err;
        cr_assert_eq(sn_image_alloc(&img, 37, 23, channels[c], &err), 0);
        random_bytes(img.data, 37 * 23 * channels[c], (uint64_t)c);
        uint8_t *png;
        size_t len;
        cr_assert_eq(sn_png_encode(&img, &png, &len, &err), 0, "%s", err.msg);
        cr_assert_eq(sn_png_decode(png, len, &back, &err), 0, "%s", err.msg);
        cr_assert_eq(back.width, 37);
        cr_assert_eq(back.height, 23);
        for (size_t i = 0; i < 37 * 23; i++) {
            const uint8_t *s = img.data + i * channels[c], *d = back.data + 4 * i;
            const uint8_t want[4] = {s[0], channels[c] == 1 ? s[0] : s[1],
                                     channels[c] == 1 ? s[0] : s[2],
                                     channels[c] == 4 ? s[3] : 255};
            cr_assert(!memcmp(d, want, 4), "%zu channels, pixel %zu",
                      channels[c], i);
        }
        free(png);
        sn_image_free(&img);
        sn_image_free(&back);
    }
}

Test(png, decodes_all_five_filters_rgba_and_split_idat)
{
    enum { W = 9, H = 11 };
    uint8_t raw[W * 4 * H], rows[(W * 4 + 1) * H];
    random_bytes(raw, sizeof raw, 42);
    const size_t n = filter_rows(raw, H, W * 4, 4, rows);
    test_png p;
    build_png(&p, W, H, 8, 6, 0, NULL, 0, NULL, 0, rows, n, 1);
    sn_image img;
    sn_error err;
    cr_assert_eq(sn_png_decode(p.data, p.len, &img, &err), 0, "%s", err.msg);
    cr_assert(!memcmp(img.data, raw, sizeof raw));
    sn_image_free(&img);
}

Test(png, decodes_gray_1_bit_and_16_bit_rgb)
{
    /* 1-bit gray, 10 pixels a row: 2 bytes, the last 6 bits padding. */
    uint8_t rows1[3 * 3] = {0, 0xA5, 0x40, 0, 0xFF, 0xC0, 0, 0x00, 0x00};
    test_png p;
    build_png(&p, 10, 3, 1, 0, 0, NULL, 0, NULL, 0, rows1, sizeof rows1, 0);
    sn_image img;
    sn_error err;
    cr_assert_eq(sn_png_decode(p.data, p.len, &img, &err), 0, "%s", err.msg);
    const int bits[10] = {1, 0, 1, 0, 0, 1, 0, 1, 0, 1};
    for (int x = 0; x < 10; x++) {
        cr_assert_eq(img.data[4 * x], bits[x] ? 255 : 0, "row 0 pixel %d", x);
        cr_assert_eq(img.data[4 * (10 + x)], 255, "row 1 pixel %d", x);
        cr_assert_eq(img.data[4 * (20 + x) + 3], 255);
    }
    sn_image_free(&img);

    /* 16-bit RGB: the high byte of each sample is kept. */
    uint8_t rows16[1 + 2 * 6] = {0, 0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x00,
                                 0x01, 0x02, 0x80, 0x00, 0x7F, 0xFF};
    build_png(&p, 2, 1, 16, 2, 0, NULL, 0, NULL, 0, rows16, sizeof rows16, 0);
    cr_assert_eq(sn_png_decode(p.data, p.len, &img, &err), 0, "%s", err.msg);
    const uint8_t want[8] = {0x12, 0xAB, 0xFF, 255, 0x01, 0x80, 0x7F, 255};
    cr_assert(!memcmp(img.data, want, 8));
    sn_image_free(&img);
}

Test(png, decodes_4_bit_palette_with_transparency)
{
    const uint8_t plte[9] = {255, 0, 0, 0, 255, 0, 0, 0, 255};
    const uint8_t trns[2] = {255, 0}; /* entry 1 transparent, 2 opaque */
    const uint8_t rows[1 + 2] = {0, 0x01, 0x20}; /* indices 0 1 2 0 */
    test_png p;
    build_png(&p, 4, 1, 4, 3, 0, plte, 9, trns, 2, rows, sizeof rows, 0);
    sn_image img;
    sn_error err;
    cr_assert_eq(sn_png_decode(p.data, p.len, &img, &err), 0, "%s", err.msg);
    const uint8_t want[16] = {255, 0, 0, 255, 0, 255, 0, 0,
                              0, 0, 255, 255, 255, 0, 0, 255};
    cr_assert(!memcmp(img.data, want, 16));
    sn_image gray;
    cr_assert_eq(sn_image_to_gray(&img, &gray, &err), 0);
    cr_assert_eq(gray.data[1], 255, "transparent composites over white");
    cr_assert_eq(gray.data[0], 76, "red: Rec. 601 luma 0.299 * 255");
    sn_image_free(&gray);
    sn_image_free(&img);
}

/* Decoding must fail with a message containing `needle`. */
static void expect_png_error(const uint8_t *data, size_t len, const char *needle)
{
    sn_image img;
    sn_error err = {{0}};
    cr_assert_eq(sn_png_decode(data, len, &img, &err), -1, "accepted; wanted "
                 "an error with '%s'", needle);
    cr_assert_not_null(strstr(err.msg, needle), "message '%s' lacks '%s'",
                       err.msg, needle);
    cr_assert_null(img.data);
}

/* The rows of a w x h 8-bit gray image in Adam7 order (PNG specification,
 * 8.2): seven passes of sub-images, each row with filter byte 0. */
static size_t adam7_rows(const uint8_t *raw, size_t w, size_t h, uint8_t *out)
{
    static const size_t x0[7] = {0, 4, 0, 2, 0, 1, 0}, dx[7] = {8, 8, 4, 4, 2, 2, 1};
    static const size_t y0[7] = {0, 0, 4, 0, 2, 0, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    size_t n = 0;
    for (int p = 0; p < 7; p++) {
        if (x0[p] >= w)
            continue;
        for (size_t y = y0[p]; y < h; y += dy[p]) {
            out[n++] = 0;
            for (size_t x = x0[p]; x < w; x += dx[p])
                out[n++] = raw[y * w + x];
        }
    }
    return n;
}

Test(png, decodes_interlaced_like_the_same_image_stored_plainly)
{
    enum { W = 13, H = 11 };
    uint8_t raw[W * H], rows[(W + 1) * H * 2], plain[(W + 1) * H];
    random_bytes(raw, sizeof raw, 7);
    for (size_t y = 0; y < H; y++) {
        plain[y * (W + 1)] = 0;
        memcpy(plain + y * (W + 1) + 1, raw + y * W, W);
    }
    test_png a, b;
    build_png(&a, W, H, 8, 0, 0, NULL, 0, NULL, 0, plain, sizeof plain, 0);
    build_png(&b, W, H, 8, 0, 1, NULL, 0, NULL, 0, rows,
              adam7_rows(raw, W, H, rows), 0);
    sn_image x, y;
    sn_error err;
    cr_assert_eq(sn_png_decode(a.data, a.len, &x, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_png_decode(b.data, b.len, &y, &err), 0, "%s", err.msg);
    cr_assert(!memcmp(x.data, y.data, W * H * 4));
    for (size_t i = 0; i < W * H; i++)
        cr_assert_eq(y.data[4 * i], raw[i], "pixel %zu", i);
    sn_image_free(&x);
    sn_image_free(&y);
}

Test(png, refuses_corrupt_files_saying_why)
{
    uint8_t rows[(8 + 1) * 8] = {0};
    test_png p;
    build_png(&p, 8, 8, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    test_png q = p;
    q.data[29] ^= 1; /* IHDR's CRC */
    expect_png_error(q.data, q.len, "checksum");
    expect_png_error(p.data, p.len - 12, "truncated");  /* no IEND */
    expect_png_error(p.data, p.len - 20, "truncated");  /* cut inside IDAT */
    expect_png_error((const uint8_t *)"GIF89a................................"
                     "........", 48, "not a PNG");

    build_png(&q, 8, 8, 3, 2, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "not a valid PNG");  /* 3-bit RGB */
    build_png(&q, 8, 9, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "not a valid PNG");  /* one row short */
    rows[9] = 7; /* row 1's filter byte */
    build_png(&q, 8, 8, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "filter");
}

/* The pixel limits hold before anything the image's size is allocated: a
 * header may claim what it likes, the reader refuses it from the header
 * alone (the data here would not even fill one row). */
Test(png, refuses_images_past_the_pixel_limits_from_the_header)
{
    uint8_t rows[(8 + 1) * 8] = {0};
    test_png q;
    build_png(&q, 8192, 8192, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "8192x8192 pixels, larger than the "
                                    "16777216");
    build_png(&q, 40000, 1, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "more than the 32768 pixels per side");
    build_png(&q, 4097, 4096, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "larger than");
    /* At the limit the header is accepted: the short data is the error. */
    build_png(&q, 4096, 4096, 8, 0, 0, NULL, 0, NULL, 0, rows, sizeof rows, 0);
    expect_png_error(q.data, q.len, "not a valid PNG");
}

/* A file of sn_image_read: written to path, read back. */
static int read_image_file(const char *bytes, size_t n, sn_image *img,
                           sn_error *err)
{
    char path[] = "/tmp/simdnet-image-XXXXXX";
    const int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, bytes, n), (ssize_t)n);
    close(fd);
    const int rc = sn_image_read(path, img, err);
    unlink(path);
    return rc;
}

Test(image, read_tells_formats_by_the_first_byte_and_streams)
{
    sn_image img;
    sn_error err;
    /* A PNG from a file goes through the stream reader: same pixels. */
    uint8_t raw[5 * 3 * 4], rows[(5 * 4 + 1) * 3];
    random_bytes(raw, sizeof raw, 3);
    test_png p;
    build_png(&p, 5, 3, 8, 6, 0, NULL, 0, NULL, 0, rows,
              filter_rows(raw, 3, 5 * 4, 4, rows), 1);
    cr_assert_eq(read_image_file((const char *)p.data, p.len, &img, &err), 0,
                 "%s", err.msg);
    cr_assert(!memcmp(img.data, raw, sizeof raw));
    sn_image_free(&img);
    cr_assert_eq(read_image_file((const char *)p.data, p.len - 20, &img, &err),
                 -1);
    cr_assert_not_null(strstr(err.msg, "truncated"), "%s", err.msg);
    const char pgm[] = "P5 2 1 255\n\x10\x20";
    cr_assert_eq(read_image_file(pgm, sizeof pgm - 1, &img, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(img.data[1], 0x20);
    sn_image_free(&img);
    cr_assert_eq(read_image_file("", 0, &img, &err), -1);
    cr_assert_not_null(strstr(err.msg, "empty"), "%s", err.msg);
    cr_assert_eq(read_image_file("\0\0\0\0", 4, &img, &err), -1);
    cr_assert_not_null(strstr(err.msg, "not a PNG or PGM"), "%s", err.msg);
}

/* /dev/zero is refused after one byte, and a PGM header followed by
 * endless zeros (a stream of NUL samples of an image past the limit)
 * from its header: neither reads the 256 MiB limit's worth. */
Test(image, endless_streams_stop_early)
{
    sn_image img;
    sn_error err;
    cr_assert_eq(sn_image_read("/dev/zero", &img, &err), -1);
    cr_assert_not_null(strstr(err.msg, "not a PNG or PGM"), "%s", err.msg);
    FILE *f = fmemopen((void *)"P2 5000 5000 255\n", 17, "rb");
    cr_assert_eq(sn_pgm_read(f, &img, &err), -1);
    fclose(f);
    cr_assert_not_null(strstr(err.msg, "more than the 16777216"), "%s",
                       err.msg);
}

/* ------------------------------------------------------------ PGM */

static int decode_pgm(const char *text, size_t len, sn_image *img,
                      sn_error *err)
{
    return sn_pgm_decode((const uint8_t *)text, len, img, err);
}

Test(pgm, binary_plain_16_bit_and_comments)
{
    sn_image img;
    sn_error err;
    const char p5[] = "P5\n# a comment\n3 1\n255\n\x00\x80\xff";
    cr_assert_eq(decode_pgm(p5, sizeof p5 - 1, &img, &err), 0, "%s", err.msg);
    cr_assert_eq(img.data[0], 0);
    cr_assert_eq(img.data[1], 128);
    cr_assert_eq(img.data[2], 255);
    sn_image_free(&img);

    const char p2[] = "P2 2 2 15 # maxval 15\n0 15\n 7 8\n";
    cr_assert_eq(decode_pgm(p2, sizeof p2 - 1, &img, &err), 0, "%s", err.msg);
    cr_assert_eq(img.data[1], 255);
    cr_assert_eq(img.data[2], 119); /* 7/15 of 255 = 119 */
    sn_image_free(&img);

    const char p16[] = "P5 2 1 65535\n\x80\x00\xff\xff";
    cr_assert_eq(decode_pgm(p16, sizeof p16 - 1, &img, &err), 0, "%s", err.msg);
    cr_assert_eq(img.data[0], 128);
    cr_assert_eq(img.data[1], 255);
    sn_image_free(&img);
}

Test(pgm, refuses_bad_files)
{
    /* Each file with the words its message must hold. */
    static const struct {
        const char *file, *needle;
    } bad[] = {
        {"P5 4 4 255\n\x01\x02", "truncated"},
        {"P2 2 1 10\n3 11\n", "above maxval"},
        {"P6 1 1 255\n\x01\x02\x03", "not a PGM"},
        {"P5 0 3 255\n", "empty"},
        {"P5 4097 4096 255\n", "more than the 16777216"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sn_image img;
        sn_error err;
        cr_assert_eq(decode_pgm(bad[i].file, strlen(bad[i].file), &img, &err),
                     -1, "%s", bad[i].file);
        cr_assert_not_null(strstr(err.msg, bad[i].needle), "%s: %s",
                           bad[i].file, err.msg);
    }
}

/* ------------------------------------------------------------ digits */

Test(digit, shrinking_by_a_whole_factor_gives_back_the_original)
{
    enum { N = 28, K = 3 };
    sn_image small, big, back;
    sn_error err;
    cr_assert_eq(sn_image_alloc(&small, N, N, 1, &err), 0);
    random_bytes(small.data, N * N, 7);
    cr_assert_eq(sn_image_alloc(&big, N * K, N * K, 1, &err), 0);
    for (size_t y = 0; y < N * K; y++)
        for (size_t x = 0; x < N * K; x++)
            big.data[y * N * K + x] = small.data[(y / K) * N + x / K];
    cr_assert_eq(sn_image_resize_area(&big, N, N, &back, &err), 0);
    cr_assert(!memcmp(back.data, small.data, N * N));
    sn_image_free(&back);
    /* A non-whole factor keeps the mean (area averaging). */
    cr_assert_eq(sn_image_resize_area(&big, 31, 17, &back, &err), 0);
    double m0 = 0, m1 = 0;
    for (size_t i = 0; i < N * K * N * K; i++)
        m0 += big.data[i];
    for (size_t i = 0; i < 31 * 17; i++)
        m1 += back.data[i];
    cr_assert_lt(fabs(m0 / (N * K * N * K) - m1 / (31 * 17)), 0.5);
    sn_image_free(&back);
    sn_image_free(&big);
    sn_image_free(&small);
}

Test(digit, dark_ink_on_white_rgb_is_inverted_back)
{
    enum { N = 28 };
    uint8_t digit[N * N] = {0};
    for (int y = 6; y < 22; y++)
        for (int x = 12; x < 16; x++)
            digit[y * N + x] = (uint8_t)(200 + y);
    sn_image rgb, out;
    sn_error err;
    cr_assert_eq(sn_image_alloc(&rgb, N, N, 3, &err), 0);
    for (int i = 0; i < N * N; i++)
        rgb.data[3 * i] = rgb.data[3 * i + 1] = rgb.data[3 * i + 2] =
            (uint8_t)(255 - digit[i]);
    int inverted = 0;
    cr_assert_eq(sn_image_prepare_digit(&rgb, N, N, NULL, &out, &inverted,
                                        &err), 0, "%s", err.msg);
    cr_assert_eq(inverted, 1);
    cr_assert(!memcmp(out.data, digit, N * N));
    sn_image_free(&out);
    /* Light on dark is left alone; --invert yes forces it. */
    sn_image gray = {N, N, 1, digit};
    cr_assert_eq(sn_image_prepare_digit(&gray, N, N, NULL, &out, &inverted,
                                        &err), 0);
    cr_assert_eq(inverted, 0);
    cr_assert(!memcmp(out.data, digit, N * N));
    sn_image_free(&out);
    const sn_digit_options always = {SN_INVERT_ALWAYS, 0};
    cr_assert_eq(sn_image_prepare_digit(&gray, N, N, &always, &out, &inverted,
                                        &err), 0);
    cr_assert_eq(out.data[0], 255);
    sn_image_free(&out);
    sn_image_free(&rgb);
}

Test(digit, fit_centres_a_small_digit_in_a_corner)
{
    enum { W = 200, H = 120 };
    sn_image img, out;
    sn_error err;
    cr_assert_eq(sn_image_alloc(&img, W, H, 1, &err), 0);
    memset(img.data, 230, W * H); /* light paper */
    for (int y = 10; y < 50; y++)  /* a dark bar, 8 wide, 40 tall */
        for (int x = 20; x < 28; x++)
            img.data[y * W + x] = 20;
    const sn_digit_options fit = {SN_INVERT_AUTO, 1};
    cr_assert_eq(sn_image_prepare_digit(&img, 28, 28, &fit, &out, NULL, &err),
                 0, "%s", err.msg);
    /* The bar now spans 20 rows (the 20-pixel box), centred at (14, 14). */
    double mass = 0, mx = 0, my = 0;
    size_t top = 28, bottom = 0;
    for (size_t y = 0; y < 28; y++)
        for (size_t x = 0; x < 28; x++) {
            const double v = out.data[y * 28 + x];
            mass += v;
            mx += v * ((double)x + 0.5);
            my += v * ((double)y + 0.5);
            if (v > 127) {
                top = y < top ? y : top;
                bottom = y > bottom ? y : bottom;
            }
        }
    cr_assert_gt(mass, 0);
    cr_assert_lt(fabs(mx / mass - 14), 1.0, "x centre %g", mx / mass);
    cr_assert_lt(fabs(my / mass - 14), 1.0, "y centre %g", my / mass);
    cr_assert_eq(bottom - top + 1, 20);
    sn_image_free(&out);
    sn_image_free(&img);
}

/* ------------------------------------------------------------ JSON, CSV */

/* sn_json_parse on a copy of text (it overwrites the non-numbers). */
static cJSON *parse_json(const char *text, sn_error *err)
{
    const size_t n = strlen(text);
    char *copy = malloc(n + 1);
    memcpy(copy, text, n + 1);
    cJSON *root = sn_json_parse(copy, n, err);
    free(copy);
    return root;
}

Test(json, parses_values_escapes_and_tolerated_non_numbers)
{
    const char *text = "{\"a\": [1, -2.5e3, true, null], \"s\": \"x\\\"\\u00e9"
                       "\\ud83d\\ude00\\n NaN\", \"n\": NaN, \"i\": -inf, "
                       "\"j\": [Infinity, -Infinity, nan, inf, 2]}";
    sn_error err;
    cJSON *v = parse_json(text, &err);
    cr_assert_not_null(v, "%s", err.msg);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(v, "a");
    cr_assert(cJSON_IsArray(a) && cJSON_GetArraySize(a) == 4);
    cr_assert_eq(cJSON_GetArrayItem(a, 1)->valuedouble, -2500.0);
    cr_assert(cJSON_IsTrue(cJSON_GetArrayItem(a, 2)));
    cr_assert(cJSON_IsNull(cJSON_GetArrayItem(a, 3)));
    cr_assert_str_eq(sn_json_string(v, "s"),
                     "x\"\xc3\xa9\xf0\x9f\x98\x80\n NaN", "strings untouched");
    cr_assert(isnan(sn_json_number(v, "n")), "NaN reads as no number");
    cr_assert(isnan(sn_json_number(v, "i")));
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(v, "j");
    cr_assert_eq(cJSON_GetArraySize(j), 5);
    cr_assert(!cJSON_IsNumber(cJSON_GetArrayItem(j, 0)));
    cr_assert_eq(cJSON_GetArrayItem(j, 4)->valuedouble, 2.0);
    cr_assert(isnan(sn_json_number(v, "missing")));
    cJSON_Delete(v);
}

Test(json, errors_name_line_and_column)
{
    const char *bad[] = {"{\"a\": 1,\n \"b\" 2}", "[1, 2", "{\"a\": 01x}",
                         "\"abc", "[1] 2"};
    const char *want[] = {"line 2, column 6", "truncated", "line 1, column 9",
                          "line 1, column 2", "line 1, column 5"};
    for (size_t i = 0; i < 5; i++) {
        sn_error err;
        cr_assert_null(parse_json(bad[i], &err), "accepted %s", bad[i]);
        cr_assert_not_null(strstr(err.msg, want[i]), "'%s': %s", bad[i],
                           err.msg);
    }
    /* cJSON's nesting limit (1000) holds: no stack overflow. */
    static char deep[100001];
    memset(deep, '[', sizeof deep - 1);
    sn_error err;
    cr_assert_null(parse_json(deep, &err));
    cr_assert_not_null(strstr(err.msg, "line 1, column 100"), "%s", err.msg);
}

static char tmpdir[64];

static void make_tmp(void)
{
    strcpy(tmpdir, "/tmp/simdnet-report-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

TestSuite(files, .init = make_tmp, .fini = remove_tmp);

Test(files, costs_csv_round_trip_and_errors)
{
    float *c;
    size_t epochs, nb;
    sn_error err;
    const char *p = write_tmp("c.csv", "epoch,batch,cost\n1,1,3.5\n1,2,2\n"
                                       "2,1,1.5\n2,2,1.25\n");
    cr_assert_eq(sn_costs_read(p, &c, &epochs, &nb, &err), 0, "%s", err.msg);
    cr_assert_eq(epochs, 2);
    cr_assert_eq(nb, 2);
    cr_assert_eq(c[3], 1.25f);
    free(c);
    const char *bad[] = {"epoch,batch,cost\n1,1,1\n1,3,1\n",
                         "epoch,batch,cost\n1,1,1\n1,2,1\n2,1,1\n",
                         "epoch,batch,cost\n1,1,abc\n", "epoch,batch,cost\n"};
    const char *want[] = {"line 3", "last epoch has 1", "line 2", "no costs"};
    for (int i = 0; i < 4; i++) {
        p = write_tmp("bad.csv", bad[i]);
        cr_assert_eq(sn_costs_read(p, &c, &epochs, &nb, &err), -1);
        cr_assert_not_null(strstr(err.msg, want[i]), "%s", err.msg);
        cr_assert_not_null(strstr(err.msg, "bad.csv"), "%s", err.msg);
    }
    double *acc;
    p = write_tmp("a.csv", "epoch,test_accuracy_percent\n1,90.5\n2,93\n");
    cr_assert_eq(sn_accuracy_read(p, &acc, &epochs, &err), 0, "%s", err.msg);
    cr_assert_eq(epochs, 2);
    cr_assert_float_eq(acc[0], 0.905, 1e-12);
    free(acc);
    p = write_tmp("a.csv", "epoch,test_accuracy_percent\n2,90\n");
    cr_assert_eq(sn_accuracy_read(p, &acc, &epochs, &err), -1);
}

/* A Google Benchmark file with repetitions: the medians are drawn. */
static const char gbench_json[] =
    "{\"context\": {\"date\": \"2026-01-01\", \"host_name\": \"h\", "
    "\"simdnet_cpu\": \"Test CPU\"},\n \"benchmarks\": [\n"
    " {\"name\": \"gemv/scalar/32x784\", \"run_type\": \"iteration\", "
    "\"real_time\": 10, \"time_unit\": \"ns\", \"GFLOP/s\": 1.0},\n"
    " {\"name\": \"gemv/scalar/32x784_median\", \"run_name\": "
    "\"gemv/scalar/32x784\", \"run_type\": \"aggregate\", "
    "\"aggregate_name\": \"median\", \"GFLOP/s\": 2.5},\n"
    " {\"name\": \"gemv/avx2/32x784_median\", \"run_name\": "
    "\"gemv/avx2/32x784\", \"run_type\": \"aggregate\", "
    "\"aggregate_name\": \"median\", \"GFLOP/s\": 40},\n"
    " {\"name\": \"gemv/avx2/32x32_median\", \"run_name\": \"gemv/avx2/32x32\", "
    "\"run_type\": \"aggregate\", \"aggregate_name\": \"median\", "
    "\"GFLOP/s\": 20},\n"
    " {\"name\": \"gemv/avx2/32x32_mean\", \"run_name\": \"gemv/avx2/32x32\", "
    "\"run_type\": \"aggregate\", \"aggregate_name\": \"mean\", "
    "\"GFLOP/s\": 99},\n"
    " {\"name\": \"sigmoid/avx2/32_median\", \"run_name\": \"sigmoid/avx2/32\", "
    "\"run_type\": \"aggregate\", \"aggregate_name\": \"median\", "
    "\"items_per_second\": 3e9, \"unknown_field\": [1, {\"x\": 2}]},\n"
    " {\"name\": \"bad/avx2/1_median\", \"run_name\": \"bad/avx2/1\", "
    "\"run_type\": \"aggregate\", \"aggregate_name\": \"median\", "
    "\"error_occurred\": true, \"GFLOP/s\": 5}\n]}\n";

static const char training_json[] =
    "{\"machine\": {\"cpu\": \"Test CPU\"}, \"data\": {\"source\": \"MNIST\"},"
    " \"network\": {\"layers\": [784, 32, 32, 10]}, \"results\": [\n"
    " {\"engine\": \"sparse\", \"isa\": \"avx2\", \"threads\": 2, "
    "\"samples_per_s\": {\"median\": 2e6, \"min\": 1.5e6, \"max\": 2.2e6}},\n"
    " {\"engine\": \"sparse\", \"isa\": \"avx2\", \"threads\": 1, "
    "\"samples_per_s\": {\"median\": 1e6, \"min\": 0.9e6, \"max\": 1.1e6}},\n"
    " {\"engine\": \"sparse\", \"isa\": \"scalar\", \"threads\": 1, "
    "\"samples_per_s\": {\"median\": 3e5, \"min\": 2e5, \"max\": 4e5}}]}\n";

Test(files, google_benchmark_json_gives_one_chart_per_op)
{
    const char *p = write_tmp("k.json", gbench_json);
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(p, "k", &set, &err), 0, "%s", err.msg);
    cr_assert_eq(set.n, 2, "gemv and sigmoid; the failed run is left out");
    const sn_bar_chart *g = &set.charts[0];
    cr_assert_str_eq(g->slug, "k-gemv");
    cr_assert_str_eq(g->unit, "GFLOP/s");
    cr_assert_eq(g->ngroups, 2);
    cr_assert_eq(g->nseries, 2);
    cr_assert_str_eq(g->groups[0], "32x784");
    cr_assert_str_eq(g->series[1], "avx2");
    cr_assert_eq(g->value[0], 2.5, "the median, not the plain run");
    cr_assert_eq(g->value[1], 40.0);
    cr_assert(isnan(g->value[2]), "scalar 32x32 was not run: no bar");
    cr_assert_eq(g->value[3], 20.0, "the median, not the mean");
    cr_assert_str_eq(set.charts[1].unit, "million items/s");
    cr_assert_float_eq(set.charts[1].value[0], 3000.0, 1e-9);
    cr_assert_not_null(strstr(g->subtitle, "Test CPU"));

    sn_buf b = {0};
    cr_assert_eq(sn_svg_bar_chart(&b, g, &err), 0, "%s", err.msg);
    cr_assert_eq(count_of(b.data, "class=\"bar\""), 3);
    sn_buf_free(&b);
    sn_chart_set_free(&set);
}

Test(files, training_json_gives_samples_per_thread_count)
{
    const char *p = write_tmp("t.json", training_json);
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(p, "t", &set, &err), 0, "%s", err.msg);
    cr_assert_eq(set.n, 1);
    const sn_bar_chart *c = &set.charts[0];
    cr_assert_str_eq(c->groups[0], "1 thread", "thread counts sorted");
    cr_assert_str_eq(c->groups[1], "2 threads");
    cr_assert_str_eq(c->series[0], "avx2", "one engine: not in the names");
    cr_assert_str_eq(c->unit, "million samples/s");
    cr_assert_float_eq(c->value[0 * 2 + 1], 0.3, 1e-12);
    cr_assert_float_eq(c->hi[1 * 2 + 0], 2.2, 1e-12);
    cr_assert(isnan(c->value[1 * 2 + 1]), "scalar ran on 1 thread only");
    sn_buf b = {0};
    cr_assert_eq(sn_svg_bar_chart(&b, c, &err), 0, "%s", err.msg);
    cr_assert_eq(count_of(b.data, "class=\"bar\""), 3);
    cr_assert_eq(count_of(b.data, "class=\"err\""), 3);
    sn_buf_free(&b);
    sn_chart_set_free(&set);

    p = write_tmp("x.json", "{\"something\": 1}");
    cr_assert_eq(sn_bench_read(p, "x", &set, &err), -1);
    cr_assert_not_null(strstr(err.msg, "neither Google Benchmark"), "%s",
                       err.msg);
    p = write_tmp("y.json", "{\"benchmarks\": [");
    cr_assert_eq(sn_bench_read(p, "y", &set, &err), -1);
    cr_assert_not_null(strstr(err.msg, "y.json: JSON line 1"), "%s", err.msg);
}

/* Bench files that must be refused: each part put into fmt (one %s) makes
 * a file whose error holds msg, and no chart is left. */
typedef struct refusal {
    const char *part, *msg;
} refusal;

static void assert_refused(const char *fmt, const refusal *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sn_buf text = {0};
        sn_buf_printf(&text, fmt, bad[i].part);
        sn_chart_set set = {0};
        sn_error err;
        cr_assert_eq(sn_bench_read(write_tmp("bad.json", text.data), "k",
                                   &set, &err), -1, "%zu", i);
        cr_assert_not_null(strstr(err.msg, bad[i].msg), "%zu: %s", i,
                           err.msg);
        cr_assert_eq(set.n, 0);
        sn_buf_free(&text);
    }
}

/* A sweep: two networks and batches, two thread counts. Each result has a
 * bar of its own (before, results of one thread count and kernel set
 * shared a bar, the last one drawn). */
Test(files, sweep_json_groups_by_network_and_batch)
{
    const char *p = write_tmp("sweep.json",
        "{\"sweep\": \"quick\", \"network\": {\"layers\": [784, 32, 10]}, "
        "\"results\": [\n"
        "{\"layers\": [784, 32, 10], \"batch\": 10, \"isa\": \"avx2\", "
        "\"threads\": 1, \"samples_per_s\": 1000},\n"
        "{\"layers\": [784, 32, 10], \"batch\": 10, \"isa\": \"avx2\", "
        "\"threads\": 2, \"samples_per_s\": 1800},\n"
        "{\"layers\": [784, 128, 10], \"batch\": 100, \"isa\": \"avx2\", "
        "\"threads\": 1, \"samples_per_s\": 3000}]}");
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(p, "s", &set, &err), 0, "%s", err.msg);
    cr_assert_eq(set.n, 1);
    const sn_bar_chart *c = &set.charts[0];
    cr_assert_eq(c->ngroups, 2);
    cr_assert_str_eq(c->groups[0], "784-32-10, batch 10");
    cr_assert_str_eq(c->groups[1], "784-128-10, batch 100");
    cr_assert_eq(c->nseries, 2);
    cr_assert_str_eq(c->series[0], "1 thread avx2");
    cr_assert_str_eq(c->series[1], "2 threads avx2");
    cr_assert_float_eq(c->value[0], 1.0, 1e-12, "thousand samples/s");
    cr_assert_float_eq(c->value[1], 1.8, 1e-12);
    cr_assert_float_eq(c->value[2], 3.0, 1e-12);
    cr_assert(isnan(c->value[3]), "784-128-10 ran on 1 thread only");
    cr_assert_not_null(strstr(c->subtitle, "simdnet bench --sweep quick"),
                       "%s", c->subtitle);
    sn_chart_set_free(&set);

    static const refusal bad[] = {
        {"{\"layers\": [784, -1], \"batch\": 10, \"threads\": 1}",
         "results[1]'s layers: not a list of"},
        {"{\"layers\": \"784-10\", \"batch\": 10, \"threads\": 1}",
         "results[1]'s layers"},
        {"{\"layers\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1], \"threads\": 1}",
         "at most 16 layer widths"},
        {"{\"layers\": [784, 10], \"batch\": 0.5, \"threads\": 1}",
         "results[1]'s batch: not a batch size"},
    };
    assert_refused("{\"results\": [{\"layers\": [784, 10], \"batch\": 10, "
                   "\"threads\": 1, \"samples_per_s\": 5}, %s]}", bad,
                   sizeof bad / sizeof bad[0]);
}

/* tools/sweep.py --json: simdnet beside its peers, a group per network,
 * batch and thread count. */
Test(files, sweep_py_json_charts_simdnet_beside_its_peers)
{
    const char *p = write_tmp("peers.json",
        "{\"simdnet\": {\"machine\": {\"cpu\": \"Test CPU\"}, \"results\": []},"
        " \"peers\": {\"results\": [{\"peer\": \"numpy\"}, {\"peer\": "
        "\"torch\"}, {\"peer\": \"numpy\"}]}, \"openblas\": [\"Haswell\"],\n"
        " \"table\": [{\"layers\": [784, 32, 10], \"batch\": 100, "
        "\"threads\": 1, \"simdnet\": 4e5, \"numpy\": 1e5, \"torch\": null},\n"
        " {\"layers\": [784, 32, 10], \"batch\": 100, \"threads\": 2, "
        "\"simdnet\": 7e5, \"numpy\": 1.5e5, \"torch\": 2e5}]}");
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(p, "w", &set, &err), 0, "%s", err.msg);
    cr_assert_eq(set.n, 1);
    const sn_bar_chart *c = &set.charts[0];
    cr_assert_str_eq(c->slug, "w-peers");
    cr_assert_eq(c->ngroups, 2);
    cr_assert_str_eq(c->groups[0], "784-32-10, batch 100, 1 thread");
    cr_assert_str_eq(c->groups[1], "784-32-10, batch 100, 2 threads");
    cr_assert_eq(c->nseries, 3);
    cr_assert_str_eq(c->series[0], "simdnet");
    cr_assert_str_eq(c->series[1], "numpy");
    cr_assert_str_eq(c->series[2], "torch");
    cr_assert_float_eq(c->value[0], 400.0, 1e-9, "thousand samples/s");
    cr_assert_float_eq(c->value[1], 100.0, 1e-9);
    cr_assert(isnan(c->value[2]), "torch null: no bar");
    cr_assert_float_eq(c->value[5], 200.0, 1e-9);
    cr_assert_not_null(strstr(c->subtitle, "Test CPU"));
    cr_assert_not_null(strstr(c->subtitle, "OpenBLAS (peers): Haswell"));
    sn_chart_set_free(&set);

    static const refusal bad[] = {
        {"{\"layers\": [784, 10], \"batch\": 1, \"threads\": 1, "
         "\"simdnet\": -4}", "table[0].simdnet: not a number of samples/s"},
        {"{\"layers\": [784, 10], \"batch\": 1, \"threads\": 1, "
         "\"simdnet\": 4, \"numpy\": \"fast\"}", "table[0].numpy: not a number"},
        {"{\"layers\": [784, 10], \"batch\": 1, \"simdnet\": 4}",
         "table[0].threads: not a thread count"},
        {"{\"layers\": 7, \"batch\": 1, \"threads\": 1, \"simdnet\": 4}",
         "table[0]'s layers"},
    };
    assert_refused("{\"simdnet\": {}, \"peers\": {\"results\": [{\"peer\": "
                   "\"numpy\"}]}, \"table\": [%s]}", bad,
                   sizeof bad / sizeof bad[0]);
}

/* simdnet bench JSON with `threads` distinct thread counts, in reverse. */
static const char *training_json_with(size_t threads)
{
    sn_buf b = {0};
    sn_buf_puts(&b, "{\"results\": [");
    for (size_t t = threads; t >= 1; t--)
        sn_buf_printf(&b, "%s{\"engine\": \"sparse\", \"isa\": \"avx2\", "
                          "\"threads\": %zu, \"samples_per_s\": %zu}",
                      t == threads ? "" : ",\n", t, 1000 * t);
    sn_buf_puts(&b, "]}\n");
    const char *p = write_tmp("many.json", b.data);
    sn_buf_free(&b);
    return p;
}

/* Defect 2 of issue 11: more distinct thread counts than a fixed table
 * held (256) overflowed it. Now the chart's limit is checked as groups
 * are added: at the limit the file is read, past it refused by name. */
Test(files, bench_json_past_the_chart_limits_is_refused_not_overflowed)
{
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(training_json_with(SN_CHART_MAX_GROUPS), "t",
                               &set, &err), 0, "%s", err.msg);
    const sn_bar_chart *c = &set.charts[0];
    cr_assert_eq(c->ngroups, SN_CHART_MAX_GROUPS);
    cr_assert_str_eq(c->groups[0], "1 thread", "sorted");
    cr_assert_str_eq(c->groups[SN_CHART_MAX_GROUPS - 1], "256 threads");
    cr_assert_float_eq(c->value[SN_CHART_MAX_GROUPS - 1], 256.0, 1e-9,
                       "thousand samples/s");
    sn_chart_set_free(&set);
    const size_t too_many[] = {SN_CHART_MAX_GROUPS + 1, 5000};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(sn_bench_read(training_json_with(too_many[i]), "t", &set,
                                   &err), -1);
        cr_assert_not_null(strstr(err.msg, "more than 256 groups"), "%s",
                           err.msg);
        cr_assert_eq(set.n, 0);
    }

    /* Google Benchmark: thousands of ops, thousands of shapes of one op. */
    sn_buf b = {0};
    for (int kind = 0; kind < 2; kind++) {
        b.len = 0;
        sn_buf_puts(&b, "{\"benchmarks\": [");
        for (int i = 0; i < 3000; i++)
            sn_buf_printf(&b, "%s{\"name\": \"%s%d/avx2/%d\", \"GFLOP/s\": 1}",
                          i ? ",\n" : "", kind ? "op" : "gemv", kind ? i : 0,
                          i);
        sn_buf_puts(&b, "]}");
        cr_assert_eq(sn_bench_read(write_tmp("gb.json", b.data), "k", &set,
                                   &err), -1);
        cr_assert_not_null(strstr(err.msg, kind ? "more than 64 ops"
                                                : "more than 256 groups"),
                           "%s", err.msg);
    }
    sn_buf_free(&b);

    /* The file's size: refused at the limit, before it is parsed. */
    char path[300];
    snprintf(path, sizeof path, "%s/big.json", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"results\": [", f);
    for (size_t n = 0; n <= SN_BENCH_MAX_FILE; n += 64)
        fputs("                                                               \n", f);
    fclose(f);
    cr_assert_eq(sn_bench_read(path, "b", &set, &err), -1);
    cr_assert_not_null(strstr(err.msg, "larger than the 16777216 bytes"), "%s",
                       err.msg);
}

/* ------------------------------------------------------------ roofline */

/* Known numbers: a peak of 100 GFLOP/s, L1 at 100 GB/s and DRAM at
 * 10 GB/s; gemv at 0.5 FLOP/byte exactly on the DRAM roof (5 GFLOP/s),
 * gemm at 100 FLOP/byte exactly on the peak; sigmoid with bytes and no
 * FLOPs; the peak run with FLOPs and no bytes; scalar with a point and
 * neither roof. */
static const char roofline_json[] =
    "{\"context\": {\"simdnet_cpu\": \"Test CPU\", "
    "\"simdnet_peak_avx2_1core\": \"100 GFLOP/s\"},\n \"benchmarks\": [\n"
    " {\"name\": \"peak/avx2/fp32\", \"GFLOP/s\": 95},\n"
    " {\"name\": \"bandwidth/avx2/L1\", \"bytes_per_second\": 1e11, "
    "\"GB/s\": 100},\n"
    " {\"name\": \"bandwidth/avx2/DRAM\", \"GB/s\": 10},\n"
    " {\"name\": \"gemv/avx2/32x784\", \"GFLOP/s\": 5, "
    "\"bytes_per_second\": 1e10},\n"
    " {\"name\": \"gemm/avx2/100x32x784\", \"GFLOP/s\": 100, "
    "\"bytes_per_second\": 1e9},\n"
    " {\"name\": \"sigmoid/avx2/32\", \"bytes_per_second\": 5e9},\n"
    " {\"name\": \"gemv/scalar/32x784\", \"GFLOP/s\": 2, "
    "\"bytes_per_second\": 4e9}\n]}\n";

static const sn_bar_chart *find_chart(const sn_chart_set *set,
                                      const char *slug)
{
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->charts[i].slug, slug))
            return &set->charts[i];
    return NULL;
}

/* The k-th (from 0) element whose start holds marker, its attributes read
 * by fmt (sscanf) into v: how many were read. */
static int nth_attrs(const char *svg, const char *marker, int k,
                     const char *fmt, double *v)
{
    const char *at = svg;
    for (int i = 0; at && i <= k; i++)
        if ((at = strstr(at, marker)) != NULL && i < k)
            at += strlen(marker);
    return at ? sscanf(at + strlen(marker), fmt, &v[0], &v[1], &v[2], &v[3])
              : 0;
}

Test(files, roofline_places_points_under_their_roofs)
{
    const char *p = write_tmp("roof.json", roofline_json);
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(p, "k", &set, &err), 0, "%s", err.msg);
    const sn_bar_chart *c = find_chart(&set, "k-roofline-avx2");
    cr_assert_not_null(c);
    const sn_roofline *rl = c->roofline;
    cr_assert_not_null(rl);
    cr_assert_eq(rl->peak, 100.0, "the context's peak, not the peak run's");
    cr_assert_eq(rl->nroofs, 2);
    cr_assert_str_eq(rl->roofs[0].name, "L1");
    cr_assert_float_eq(rl->roofs[0].gb_per_s, 100.0, 1e-9);
    cr_assert_float_eq(rl->roofs[1].gb_per_s, 10.0, 1e-9, "GB/s alone");
    cr_assert_eq(rl->npoints, 2, "sigmoid has no FLOPs, peak no bytes");
    cr_assert_str_eq(rl->points[0].op, "gemv");
    cr_assert_str_eq(rl->points[0].shape, "32x784");
    cr_assert_float_eq(rl->points[0].intensity, 0.5, 1e-12);
    cr_assert_float_eq(rl->points[1].intensity, 100.0, 1e-12);
    cr_assert_not_null(strstr(c->subtitle, "1 run with bytes/s but no FLOP "
                                           "count not placed"), "%s",
                       c->subtitle);
    cr_assert_null(strstr(c->subtitle, "no compute roof"));

    sn_buf b = {0};
    cr_assert_eq(sn_svg_chart(&b, c, &err), 0, "%s", err.msg);
    cr_assert_eq(count_of(b.data, "class=\"point\""), 2);
    cr_assert_eq(count_of(b.data, "class=\"roof mem\""), 2);
    cr_assert_eq(count_of(b.data, "class=\"roof peak\""), 1);
    cr_assert_eq(count_of(b.data, "roof-label"), 3);
    cr_assert_eq(count_of(b.data, "class=\"small key\""), 2);
    cr_assert_not_null(strstr(b.data, "L1 100 GB/s"));
    cr_assert_not_null(strstr(b.data, "DRAM 10 GB/s"));
    cr_assert_not_null(strstr(b.data, "FMA peak 100 GFLOP/s"));

    /* gemv lies on the DRAM roof, which runs from 0.1 (the axis) to 10
     * FLOP/byte (the peak): 0.5 is log10(5) / 2 of the way along it. */
    double pt[4], dram[4], peak[4];
    const char *xy = " cx=\"%lf\" cy=\"%lf\"";
    const char *line = " x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"";
    cr_assert_eq(nth_attrs(b.data, "class=\"point\"", 0, xy, pt), 2);
    cr_assert_eq(nth_attrs(b.data, "class=\"roof mem\"", 1, line, dram), 4);
    const double along = (pt[0] - dram[0]) / (dram[2] - dram[0]);
    cr_assert_float_eq(along, log10(5.0) / 2, 0.005, "%g", along);
    cr_assert_float_eq(pt[1], dram[1] + along * (dram[3] - dram[1]), 0.3);
    /* gemm lies on the peak, which runs from the L1 ridge (1 FLOP/byte) to
     * the axis' end (1000): 100 is two thirds of the way. */
    cr_assert_eq(nth_attrs(b.data, "class=\"point\"", 1, xy, pt), 2);
    cr_assert_eq(nth_attrs(b.data, "class=\"roof peak\"", 0, line, peak), 4);
    cr_assert_float_eq(pt[1], peak[1], 0.05);
    cr_assert_float_eq((pt[0] - peak[0]) / (peak[2] - peak[0]), 2.0 / 3,
                       0.005);
    sn_buf_free(&b);

    /* scalar: a point, and the caption says what is missing. */
    c = find_chart(&set, "k-roofline-scalar");
    cr_assert_not_null(c);
    cr_assert(isnan(c->roofline->peak));
    cr_assert_eq(c->roofline->nroofs, 0);
    cr_assert_not_null(strstr(c->subtitle, "no compute roof (no "
                                           "simdnet_peak_scalar_1core"));
    cr_assert_not_null(strstr(c->subtitle, "no memory roofs"));
    cr_assert_eq(sn_svg_chart(&b, c, &err), 0, "%s", err.msg);
    cr_assert_eq(count_of(b.data, "class=\"point\""), 1);
    cr_assert_eq(count_of(b.data, "class=\"roof"), 0);
    sn_buf_free(&b);
    sn_chart_set_free(&set);
}

Test(files, roofline_is_left_out_without_flops_and_hostile_values_refused)
{
    sn_chart_set set = {0};
    sn_error err;
    /* Roofs and bytes-only kernels: bar charts, no roofline, no error. */
    const char *p = write_tmp("nf.json",
        "{\"context\": {\"simdnet_peak_avx2_1core\": \"50 GFLOP/s\"}, "
        "\"benchmarks\": [{\"name\": \"bandwidth/avx2/L1\", "
        "\"bytes_per_second\": 1e11}, {\"name\": \"relu/avx2/32\", "
        "\"bytes_per_second\": 4e10}]}");
    cr_assert_eq(sn_bench_read(p, "k", &set, &err), 0, "%s", err.msg);
    cr_assert_eq(set.n, 2, "bandwidth and relu");
    for (size_t i = 0; i < set.n; i++)
        cr_assert_null(set.charts[i].roofline);
    sn_chart_set_free(&set);

    static const refusal bad[] = {
        {"{\"benchmarks\": [{\"name\": \"gemv/avx2/1\", \"GFLOP/s\": -1, "
         "\"bytes_per_second\": 1e9}]}",
         "run 'gemv/avx2/1': GFLOP/s -1 is outside"},
        {"{\"benchmarks\": [{\"name\": \"gemv/avx2/1\", \"GFLOP/s\": 1e300, "
         "\"bytes_per_second\": 1e9}]}",
         "run 'gemv/avx2/1': GFLOP/s 1e+300 is outside"},
        {"{\"benchmarks\": [{\"name\": \"gemv/avx2/1\", \"GFLOP/s\": 1, "
         "\"bytes_per_second\": 0}]}",
         "run 'gemv/avx2/1': bytes_per_second 0 is outside"},
        {"{\"benchmarks\": [{\"name\": \"gemv/avx2/1\", \"GFLOP/s\": 1, "
         "\"bytes_per_second\": 1e9}, {\"name\": \"bandwidth/avx2/L1\", "
         "\"GB/s\": -3}]}",
         "run 'bandwidth/avx2/L1': GB/s -3e+09 is outside"},
        {"{\"context\": {\"simdnet_peak_avx2_1core\": \"fast\"}, "
         "\"benchmarks\": [{\"name\": \"gemv/avx2/1\", \"GFLOP/s\": 1, "
         "\"bytes_per_second\": 1e9}]}",
         "context field simdnet_peak_avx2_1core is not \"N GFLOP/s\""},
        {"{\"context\": {\"simdnet_peak_avx2_1core\": 100}, "
         "\"benchmarks\": [{\"name\": \"gemv/avx2/1\", \"GFLOP/s\": 1, "
         "\"bytes_per_second\": 1e9}]}",
         "context field simdnet_peak_avx2_1core is not"},
    };
    assert_refused("%s", bad, sizeof bad / sizeof bad[0]);

    /* Points and roofs past the limits: refused, naming the run. */
    sn_buf b = {0};
    for (int kind = 0; kind < 2; kind++) {
        b.len = 0;
        sn_buf_puts(&b, "{\"benchmarks\": [{\"name\": \"gemv/avx2/x\", "
                        "\"GFLOP/s\": 1, \"bytes_per_second\": 1e9}");
        /* 300 runs of one shape (one bar, 301 points), or 20 levels. */
        for (int i = 0; i < (kind ? 20 : 300); i++)
            sn_buf_printf(&b, ",\n{\"name\": \"%s/avx2/%d\", %s}",
                          kind ? "bandwidth" : "ger", kind ? i : 0,
                          kind ? "\"GB/s\": 10"
                               : "\"GFLOP/s\": 1, \"bytes_per_second\": 1e9");
        sn_buf_puts(&b, "]}");
        cr_assert_eq(sn_bench_read(write_tmp("many.json", b.data), "k", &set,
                                   &err), -1);
        cr_assert_not_null(strstr(err.msg, kind ? "more than 16 memory levels"
                                                : "more than 256 kernel runs"),
                           "%s", err.msg);
        sn_chart_set_free(&set);
    }
    sn_buf_free(&b);
}

/* ------------------------------------------------------------ UTF-8 */

Test(utf8, next_accepts_characters_and_refuses_what_is_not_utf8)
{
    uint32_t cp;
    cr_assert_eq(sn_utf8_next("\xc3\xa9", 2, &cp), 2);
    cr_assert_eq(cp, 0xe9);
    cr_assert_eq(sn_utf8_next("\xe2\x82\xac", 3, &cp), 3);
    cr_assert_eq(cp, 0x20ac);
    cr_assert_eq(sn_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
    cr_assert_eq(cp, 0x1f600);
    const char *bad[] = {"\x80", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80",
                         "\xf4\x90\x80\x80", "\xff", "\xc3\x41"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(sn_utf8_next(bad[i], strlen(bad[i]), &cp), 0, "case %zu",
                     i);
    cr_assert_eq(sn_utf8_next("\xe2\x82\xac", 2, &cp), 0, "cut short");
    cr_assert_eq(sn_utf8_invalid("ab\xc3\xa9\xff", 5), 4);
}

Test(utf8, every_cut_falls_on_a_character_boundary)
{
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* a é € 😀 z */
    const size_t n = strlen(s);
    const size_t want[6] = {0, 1, 3, 6, 10, 11};
    for (size_t k = 0; k < 6; k++) {
        const size_t len = sn_utf8_prefix(s, n, k);
        cr_assert_eq(len, want[k], "%zu characters", k);
        cr_assert_eq(sn_utf8_invalid(s, len), len);
    }
    cr_assert_eq(sn_utf8_prefix(s, n, 100), n);
}

Test(utf8, svg_text_is_well_formed_for_any_bytes_and_cut_on_characters)
{
    /* 300 two-byte characters: cut to SVG_TEXT_MAX and an ellipsis. */
    char long_name[601];
    for (int i = 0; i < 300; i++)
        memcpy(long_name + 2 * i, "\xc3\xa9", 2);
    long_name[600] = '\0';
    sn_buf b = {0};
    svg_text(&b, 0, 0, SVG_START, "", "%s", long_name);
    cr_assert_eq(sn_utf8_invalid(b.data, b.len), b.len);
    cr_assert_eq(count_of(b.data, "\xc3\xa9"), SVG_TEXT_MAX);
    cr_assert_not_null(strstr(b.data, "\xc3\xa9\xe2\x80\xa6</text>"));
    /* Bytes that are not UTF-8 (a path from the command line) become
     * U+FFFD; forbidden characters '?'. */
    b.len = 0;
    sn_buf_put_xml(&b, "a\xff\xc3(\x01\xef\xbf\xbe<");
    cr_assert_str_eq(b.data, "a\xef\xbf\xbd\xef\xbf\xbd(??&lt;");
    sn_buf_free(&b);
}

Test(files, invalid_utf8_in_json_and_csv_is_refused_saying_so)
{
    sn_chart_set set = {0};
    sn_error err;
    const char *p = write_tmp("bad.json", "{\"benchmarks\": [\n{\"name\": "
                                          "\"g\xe9mv/avx2/1\", \"GFLOP/s\": 1}]}");
    cr_assert_eq(sn_bench_read(p, "k", &set, &err), -1);
    cr_assert_not_null(strstr(err.msg, "JSON line 2, column 12: not UTF-8"),
                       "%s", err.msg);
    float *c;
    size_t epochs, nb;
    p = write_tmp("bad.csv", "epoch,batch,cost\n1,1,0.5\n1,2,\xff\xfe\n");
    cr_assert_eq(sn_costs_read(p, &c, &epochs, &nb, &err), -1);
    cr_assert_not_null(strstr(err.msg, "line 3: expected"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "not UTF-8"), "%s", err.msg);
}

/* Issue 11, defect 5: long non-ASCII op and host names were cut inside a
 * character. Every chart of such a file is valid UTF-8 and its names are
 * cut, if at all, on a character boundary. */
Test(files, long_non_ascii_names_give_valid_utf8_charts)
{
    sn_buf j = {0};
    sn_buf_puts(&j, "{\"context\": {\"host_name\": \"");
    for (int i = 0; i < 200; i++)
        sn_buf_puts(&j, "\xe3\x83\x9b"); /* ホ: 3 bytes */
    sn_buf_puts(&j, "\"}, \"benchmarks\": [{\"name\": \"");
    for (int i = 0; i < 100; i++)
        sn_buf_puts(&j, "\xc3\xa9"); /* é */
    sn_buf_puts(&j, "/avx2/\xf0\x9f\x98\x80\", \"GFLOP/s\": 3}]}");
    const char *p = write_tmp("names.json", j.data);
    sn_buf_free(&j);
    sn_chart_set set = {0};
    sn_error err;
    cr_assert_eq(sn_bench_read(p, "k", &set, &err), 0, "%s", err.msg);
    sn_buf b = {0};
    cr_assert_eq(sn_svg_bar_chart(&b, &set.charts[0], &err), 0, "%s", err.msg);
    cr_assert_eq(sn_utf8_invalid(b.data, b.len), b.len);
    cr_assert_not_null(strstr(b.data, "\xf0\x9f\x98\x80"), "the shape whole");
    cr_assert_not_null(strstr(b.data, "\xe3\x83\x9b\xe2\x80\xa6"),
                       "the caption cut after a whole character");
    sn_buf_free(&b);
    sn_chart_set_free(&set);
}

/* ------------------------------------------------------------ SVGs */

Test(svg, cost_curve_has_a_point_per_batch_and_a_marker_per_epoch)
{
    enum { EPOCHS = 3, NB = 7 };
    float costs[EPOCHS * NB];
    for (int i = 0; i < EPOCHS * NB; i++)
        costs[i] = 2.0f / (float)(i + 1);
    const double acc[EPOCHS] = {0.9, NAN, 0.95};
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_cost_curve(&b, costs, EPOCHS, NB, acc, SN_LOSS_L2, &err), 0);
    const char *pts = strstr(b.data, "class=\"cost\"");
    cr_assert_not_null(pts);
    pts = strstr(pts, "points=\"") + 8;
    const size_t len = strcspn(pts, "\"");
    size_t points = 1;
    for (size_t i = 0; i < len; i++)
        points += pts[i] == ' ';
    cr_assert_eq(points, EPOCHS * NB);
    cr_assert_eq(count_of(b.data, "class=\"epoch\""), EPOCHS - 1);
    cr_assert_eq(count_of(b.data, "class=\"acc\""), 2, "NAN is not drawn");
    cr_assert_not_null(strstr(b.data, "95.00%"));
    sn_buf_free(&b);
    costs[4] = NAN;
    cr_assert_eq(sn_svg_cost_curve(&b, costs, EPOCHS, NB, NULL, SN_LOSS_L2, &err), -1);
    cr_assert_not_null(strstr(err.msg, "batch 5 of epoch 1"), "%s", err.msg);
    sn_buf_free(&b);
}

Test(svg, cost_curve_is_named_by_the_loss)
{
    const float costs[2] = {2.3f, 1.1f};
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_cost_curve(&b, costs, 1, 2, NULL, SN_LOSS_CE, &err), 0);
    cr_assert_not_null(strstr(b.data, "mean cross-entropy of the batch"));
    cr_assert_null(strstr(b.data, "L2"));
    sn_buf_free(&b);
    cr_assert_eq(sn_svg_cost_curve(&b, costs, 1, 2, NULL, SN_LOSS_L2, &err), 0);
    cr_assert_not_null(strstr(b.data, "mean L2 cost of the batch"));
    sn_buf_free(&b);
}

/* How dark (0 white .. 255 black) the diagram fills neuron j of a layer
 * ("hidden", "output"), its first one at or after from. */
static int neuron_darkness(const char *svg, const char *from,
                           const char *layer, int j)
{
    char title[64];
    snprintf(title, sizeof title, "<title>%s neuron %d: ", layer, j);
    const char *t = strstr(from, title);
    cr_assert_not_null(t, "no %s", title);
    while (t > svg && strncmp(t, "fill=\"#", 7))
        t--;
    unsigned g = 0;
    cr_assert_eq(sscanf(t + 7, "%2x", &g), 1);
    return 255 - (int)g;
}

Test(svg, network_shades_each_layer_over_its_activations_range)
{
    /* 1 input, 3 hidden (tanh, then relu), 2 outputs (softmax). Weights
     * chosen so the hidden values are known: input 1.0 (pixel 255). */
    const size_t sizes[] = {1, 3, 3, 2};
    sn_net net;
    sn_error err;
    cr_assert_eq(sn_net_create(&net, sizes, 4, &err), 0, "%s", err.msg);
    const sn_activation hidden[] = {SN_ACT_TANH, SN_ACT_RELU};
    cr_assert_eq(sn_net_set_kind(&net, hidden, 2, SN_ACT_SOFTMAX, SN_LOSS_CE,
                                 &err), 0, "%s", err.msg);
    float *w1 = net.params + net.w_off[0];
    w1[0] = -20.0f; /* tanh(-20) = -1: lightest */
    w1[1] = 0.0f;   /* tanh(0) = 0: the middle of [-1, 1] */
    w1[2] = 20.0f;  /* tanh(20) = 1: darkest */
    float *w2 = net.params + net.w_off[1];
    memset(w2, 0, 9 * sizeof *w2);
    w2[0 * 3 + 2] = 4.0f; /* relu 4: the layer's largest, darkest */
    w2[1 * 3 + 2] = 2.0f; /* relu 2: half */
    w2[2 * 3 + 2] = -1.0f;/* relu 0: white */
    const uint8_t pixel = 255;
    sn_buf b = {0};
    cr_assert_eq(sn_svg_network(&b, &net, NULL, &pixel, 0, 0, -1, 0, &err), 0,
                 "%s", err.msg);
    /* The first hidden layer's three neurons come first, then the second's. */
    const char *second = strstr(b.data, "<title>hidden neuron 0: ");
    cr_assert_not_null(second);
    second = strstr(second + 1, "<title>hidden neuron 0: ");
    cr_assert_not_null(second, "two hidden layers");
    cr_assert_eq(neuron_darkness(b.data, b.data, "hidden", 0), 0);
    cr_assert_eq(neuron_darkness(b.data, b.data, "hidden", 1), 127);
    cr_assert_eq(neuron_darkness(b.data, b.data, "hidden", 2), 255);
    cr_assert_eq(neuron_darkness(b.data, second, "hidden", 0), 255);
    cr_assert_eq(neuron_darkness(b.data, second, "hidden", 1), 127);
    cr_assert_eq(neuron_darkness(b.data, second, "hidden", 2), 0);
    /* Softmax: two equal logits (all weights of layer 3 are 0) give 0.5. */
    cr_assert_eq(neuron_darkness(b.data, b.data, "output", 0), 127);
    sn_buf_free(&b);
    sn_net_free(&net);
}

Test(svg, text_is_escaped)
{
    sn_buf b = {0};
    svg_begin(&b, 10, 10, "a <b> & \"c\" 'd'\x01");
    svg_end(&b);
    cr_assert_not_null(strstr(b.data, "a &lt;b&gt; &amp; &quot;c&quot; "
                                      "&#39;d&#39;?</title>"));
    sn_buf_free(&b);
}

static void small_net(sn_net *net, const size_t *sizes, size_t n)
{
    sn_error err;
    cr_assert_eq(sn_net_create(net, sizes, n, &err), 0, "%s", err.msg);
    sn_net_init_uniform(net, 3);
}

/* The <line> element whose title names weight W<l>[j][i]. */
static const char *find_conn(const char *svg, int l, int j, int i)
{
    char title[64];
    snprintf(title, sizeof title, "<title>W%d[%d][%d] = ", l, j, i);
    const char *t = strstr(svg, title);
    cr_assert_not_null(t, "no connection %s", title);
    const char *p = t;
    while (p > svg && strncmp(p, "<line", 5))
        p--;
    return p;
}

Test(svg, network_neurons_ellipses_and_weight_colours)
{
    const size_t sizes[] = {784, 32, 32, 10};
    sn_net net;
    small_net(&net, sizes, 4);
    float *w1 = net.params + net.w_off[0];
    w1[0 * 784 + 0] = 0.9f;   /* W1[0][0]: positive */
    w1[1 * 784 + 0] = -0.45f; /* W1[1][0]: negative, half as wide */
    w1[2 * 784 + 1] = 0.0f;
    uint8_t pixels[784] = {0};
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_network(&b, &net, NULL, pixels, 28, 28, 7, 0, &err), 0, "%s",
                 err.msg);
    /* 784 and 32 wide: 10 + the last (an ellipsis between); 10 drawn whole. */
    cr_assert_eq(count_of(b.data, "class=\"neuron\""), 11 + 11 + 11 + 10);
    cr_assert_eq(count_of(b.data, "class=\"ellipsis\""), 3);
    cr_assert_eq(count_of(b.data, "<line class=\"conn "), 11 * 11 * 2 + 11 * 10);
    const char *pos = find_conn(b.data, 1, 0, 0);
    const char *neg = find_conn(b.data, 1, 1, 0);
    cr_assert(!strncmp(pos, "<line class=\"conn pos\"", 22));
    cr_assert(!strncmp(neg, "<line class=\"conn neg\"", 22));
    cr_assert_not_null(strstr(pos, "stroke=\"#d62728\""));
    cr_assert_not_null(strstr(neg, "stroke=\"#1f77b4\""));
    /* Width proportional to |w|: 0.45 draws half as wide as 0.9. */
    const double wp = atof(strstr(pos, "stroke-width=\"") + 14);
    const double wn = atof(strstr(neg, "stroke-width=\"") + 14);
    cr_assert_gt(wp, 0.0);
    cr_assert_float_eq(wn / wp, 0.5, 1e-3);
    cr_assert_eq(atof(strstr(find_conn(b.data, 1, 2, 1), "stroke-width=\"") + 14),
                 0.0);
    /* The input picture and the last neuron of a wide layer are there. */
    cr_assert_eq(count_of(b.data, "class=\"input\""), 1);
    cr_assert_not_null(strstr(b.data, "input neuron 783"));
    sn_buf_free(&b);
    sn_net_free(&net);
}

Test(svg, network_shows_small_layers_whole_and_forward_matches_predict)
{
    const size_t sizes[] = {10, 3, 3, 2};
    sn_net net;
    small_net(&net, sizes, 4);
    uint8_t pixels[10] = {0, 25, 50, 75, 100, 125, 150, 175, 200, 255};
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_network(&b, &net, NULL, pixels, 0, 0, -1, 0, &err), 0);
    cr_assert_eq(count_of(b.data, "class=\"neuron\""), 18);
    cr_assert_eq(count_of(b.data, "class=\"ellipsis\""), 0);
    cr_assert_eq(count_of(b.data, "<line class=\"conn "), 30 + 9 + 6);
    sn_buf_free(&b);

    /* sn_predict_layers: every layer of the library's forward pass, the
     * last one exactly sn_predict's; each layer against a plain float
     * loop on the same weights. */
    float acts[8], out[2], want[8];
    const sn_kernels *k = sn_kernels_for(SN_ISA_SCALAR);
    cr_assert_eq(sn_predict_layers(&net, k, pixels, acts, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(sn_predict(&net, k, pixels, out, &err), 0);
    cr_assert(!memcmp(acts + 6, out, sizeof out), "bit for bit");
    float in[10];
    for (int i = 0; i < 10; i++)
        in[i] = pixels[i] / 255.0f;
    const float *x = in;
    float *y = want;
    for (size_t l = 0; l < 3; l++) {
        const float *W = net.params + net.w_off[l], *bias = net.params + net.b_off[l];
        for (size_t j = 0; j < sizes[l + 1]; j++) {
            double z = bias[j];
            for (size_t i = 0; i < sizes[l]; i++)
                z += (double)W[j * sizes[l] + i] * x[i];
            y[j] = (float)(1.0 / (1.0 + exp(-z)));
        }
        x = y;
        y += sizes[l + 1];
    }
    cr_assert_lt(test_max_abs_diff(acts, want, 8), 1e-5);
    for (sn_isa isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *ki = sn_kernels_for(isa);
        if (!ki)
            continue;
        float other[8];
        cr_assert_eq(sn_predict_layers(&net, ki, pixels, other, &err), 0);
        cr_assert_lt(test_max_abs_diff(other, want, 8), 1e-5, "%s",
                     sn_isa_name(isa));
    }
    sn_net_free(&net);
}

Test(svg, first_layer_weights_colours_read_back_from_the_png)
{
    const size_t sizes[] = {784, 4, 10};
    sn_net net;
    small_net(&net, sizes, 3);
    float *w1 = net.params + net.w_off[0];
    for (size_t i = 0; i < 4 * 784; i++)
        w1[i] *= 0.5f;               /* all within +-0.5 ... */
    w1[2 * 784 + 28 * 3 + 5] = 2.0f;  /* ... but neuron 2, pixel (5, 3) */
    w1[2 * 784 + 28 * 10 + 7] = -2.0f; /* and pixel (7, 10) */
    w1[2 * 784 + 0] = 0.0f;
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_weights(&b, &net, 28, 28, &err), 0, "%s", err.msg);
    cr_assert_eq(count_of(b.data, "class=\"tile\""), 4);
    sn_image img;
    embedded_image(b.data, "tile", 2, &img);
    cr_assert_eq(img.width, 28);
    cr_assert_eq(img.height, 28);
    const uint8_t *red = img.data + 4 * (3 * 28 + 5);
    const uint8_t *blue = img.data + 4 * (10 * 28 + 7);
    const uint8_t *white = img.data;
    cr_assert(red[0] == 0xd6 && red[1] == 0x27 && red[2] == 0x28,
              "largest positive weight: #d62728, got #%02x%02x%02x", red[0],
              red[1], red[2]);
    cr_assert(blue[0] == 0x1f && blue[1] == 0x77 && blue[2] == 0xb4,
              "largest negative weight: #1f77b4, got #%02x%02x%02x", blue[0],
              blue[1], blue[2]);
    cr_assert(white[0] == 255 && white[1] == 255 && white[2] == 255);
    sn_image_free(&img);
    sn_buf_free(&b);
    sn_net_free(&net);
}

Test(svg, confusion_cells_and_counts)
{
    size_t conf[9] = {5, 1, 0, 2, 7, 1, 0, 0, 9};
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_confusion(&b, conf, 3, &err), 0);
    cr_assert_eq(count_of(b.data, "class=\"cell\""), 9);
    cr_assert_eq(count_of(b.data, "class=\"count\""), 9);
    cr_assert_not_null(strstr(b.data, "true 1, predicted 0: 2 (20.0% of 10)"));
    cr_assert_not_null(strstr(b.data, "21 of 25 correct"));
    sn_buf_free(&b);
}

Test(svg, digit_grid_tiles_and_labels)
{
    sn_dataset ds;
    cr_assert_eq(test_synthetic_dataset(&ds, 50, 784, 10, 1), 0);
    ds.rows = ds.cols = 28;
    const size_t idx[4] = {3, 1, 4, 1};
    const int pred[4] = {9, 8, 7, 6};
    sn_buf b = {0};
    sn_error err;
    cr_assert_eq(sn_svg_digit_grid(&b, "t", &ds, idx, pred, 4, 3, &err), 0);
    cr_assert_eq(count_of(b.data, "class=\"tile\""), 4);
    char want[32];
    snprintf(want, sizeof want, ">%u \xe2\x86\x92 7<", ds.labels[4]);
    cr_assert_not_null(strstr(b.data, want), "no label '%s'", want);
    sn_image img;
    embedded_image(b.data, "tile", 0, &img);
    for (size_t i = 0; i < 784; i++)
        cr_assert_eq(img.data[4 * i], ds.pixels[3 * 784 + i], "pixel %zu", i);
    sn_image_free(&img);
    sn_buf_free(&b);
    sn_dataset_free(&ds);
}

/* ------------------------------------------------------------ the report */

static size_t files_in(const char *path)
{
    DIR *d = opendir(path);
    cr_assert_not_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
                                     strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

Test(files, report_writes_every_file_and_nothing_on_failure)
{
    const size_t sizes[] = {784, 16, 10};
    sn_net net;
    small_net(&net, sizes, 3);
    sn_dataset train, test;
    cr_assert_eq(test_synthetic_dataset(&train, 300, 784, 10, 1), 0);
    cr_assert_eq(test_synthetic_dataset(&test, 200, 784, 10, 2), 0);
    train.rows = train.cols = test.rows = test.cols = 28;
    float costs[6] = {3, 2, 1, 0.5f, 0.4f, 0.3f};
    const double acc[2] = {0.5, 0.6};
    const char *bench[1] = {write_tmp("k.json", gbench_json)};
    sn_report_input in = {
        .net = &net, .kernels = sn_kernels_for(SN_ISA_SCALAR), .threads = 1,
        .costs = costs, .epochs = 2, .nbatches = 3, .accuracy = acc,
        .train = &train, .test = &test, .bench = bench, .nbench = 1,
    };
    char out[128];
    snprintf(out, sizeof out, "%s/out/nested", tmpdir);
    size_t files;
    sn_error err;
    cr_assert_eq(sn_report_write(&in, out, &files, &err), 0, "%s", err.msg);
    /* cost, network, weights, samples, confusion, mistakes, 2 bench charts,
     * costs.csv, accuracy.csv, index.html; no temporary file left. */
    cr_assert_eq(files, 11);
    cr_assert_eq(files_in(out), 11);
    char path[256];
    snprintf(path, sizeof path, "%s/costs.csv", out);
    float *back;
    size_t epochs, nb;
    cr_assert_eq(sn_costs_read(path, &back, &epochs, &nb, &err), 0);
    cr_assert(epochs == 2 && nb == 3 && back[5] == 0.3f);
    free(back);

    /* A bad benchmark file: an error, and not one file written. */
    char out2[128];
    snprintf(out2, sizeof out2, "%s/out2", tmpdir);
    cr_assert_eq(mkdir(out2, 0777), 0);
    bench[0] = write_tmp("bad.json", "{\"benchmarks\": [}");
    cr_assert_eq(sn_report_write(&in, out2, &files, &err), -1);
    cr_assert_not_null(strstr(err.msg, "bad.json"), "%s", err.msg);
    cr_assert_eq(files_in(out2), 0);
    /* An unwritable folder (under a regular file): a clear error. */
    in.nbench = 0;
    snprintf(path, sizeof path, "%s/k.json/sub", tmpdir);
    cr_assert_eq(sn_report_write(&in, path, &files, &err), -1);
    cr_assert_not_null(strstr(err.msg, "cannot create the report folder"),
                       "%s", err.msg);
    /* A sample past the test set. */
    in.sample = 200;
    cr_assert_eq(sn_report_write(&in, out2, &files, &err), -1);
    cr_assert_not_null(strstr(err.msg, "sample 200"), "%s", err.msg);
    sn_dataset_free(&train);
    sn_dataset_free(&test);
    sn_net_free(&net);
}

/* A file of the report folder exists. */
static int exists_in(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* A report of a small 16-4-3 network and the bench file at bench_path
 * (NULL: none) into tmpdir/sub, named in out. */
static int tiny_report(const char *bench_path, const char *sub, char *out,
                       size_t out_len, size_t *files, sn_error *err)
{
    const size_t sizes[] = {16, 4, 3};
    sn_net net;
    small_net(&net, sizes, 3);
    const char *bench[1] = {bench_path};
    sn_report_input in = {.net = &net, .bench = bench,
                          .nbench = bench_path != NULL};
    snprintf(out, out_len, "%s/%s", tmpdir, sub);
    const int rc = sn_report_write(&in, out, files, err);
    sn_net_free(&net);
    return rc;
}

/* Issue 11: two op names that differ only in punctuation (or case) wrote
 * the same SVG file. Each gets its own, and index.html shows each once. */
Test(files, op_names_differing_in_punctuation_get_files_of_their_own)
{
    const char *ops[] = {"gemv_t", "gemv-t", "gemv.t", "GEMV-T", "gemv t"};
    sn_buf j = {0};
    sn_buf_puts(&j, "{\"benchmarks\": [");
    for (int i = 0; i < 5; i++)
        sn_buf_printf(&j, "%s{\"name\": \"%s/avx2/8\", \"GFLOP/s\": %d}",
                      i ? ", " : "", ops[i], i + 1);
    sn_buf_puts(&j, "]}");
    const char *bench = write_tmp("punct.json", j.data);
    sn_buf_free(&j);
    char out[128];
    size_t files;
    sn_error err;
    cr_assert_eq(tiny_report(bench, "punct", out, sizeof out, &files, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(files, 8, "network, weights, 5 charts, index.html");
    cr_assert_eq(files_in(out), 8);
    cr_assert(exists_in(out, "bench1-gemv-t.svg"), "the name kept as it is");
    char path[256];
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html;
    size_t len;
    cr_assert_eq(sn_read_file(path, 1 << 20, &html, &len, &err), 0);
    for (int i = 0; i < 5; i++) {
        char title[64];
        snprintf(title, sizeof title, "<h2>%s: GFLOP/s per kernel set</h2>",
                 ops[i]);
        cr_assert_eq(count_of(html, title), 1, "%s", title);
    }
    free(html);
}

/* A second report into the same folder: the first one's charts that this
 * one does not draw are removed; files the report did not write stay. A
 * report that fails partway leaves no index.html. */
Test(files, a_report_replaces_the_last_one_and_fails_without_an_index)
{
    char out[128];
    size_t files;
    sn_error err;
    cr_assert_eq(tiny_report(write_tmp("k.json", gbench_json), "again", out,
                             sizeof out, &files, &err), 0, "%s", err.msg);
    cr_assert(exists_in(out, "bench1-gemv.svg"));
    char path[256];
    snprintf(path, sizeof path, "%s/mine.svg", out);
    FILE *f = fopen(path, "w");
    fputs("<svg/>", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/trained.model", out);
    f = fopen(path, "w");
    fclose(f);
    cr_assert_eq(tiny_report(NULL, "again", out, sizeof out, &files, &err), 0,
                 "%s", err.msg);
    cr_assert(!exists_in(out, "bench1-gemv.svg"), "stale chart removed");
    cr_assert(!exists_in(out, "bench1-sigmoid.svg"));
    cr_assert(exists_in(out, "mine.svg"), "not the report's: kept");
    cr_assert(exists_in(out, "trained.model"));
    cr_assert(exists_in(out, "index.html"));

    /* weights.svg cannot be replaced (a folder holds its place): the
     * report fails after writing network.svg, and leaves no index.html. */
    snprintf(path, sizeof path, "%s/weights.svg", out);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/weights.svg/x", out);
    f = fopen(path, "w");
    fclose(f);
    cr_assert_eq(tiny_report(NULL, "again", out, sizeof out, &files, &err),
                 -1);
    cr_assert_not_null(strstr(err.msg, "incomplete (no index.html)"), "%s",
                       err.msg);
    cr_assert_not_null(strstr(err.msg, "weights.svg"), "%s", err.msg);
    cr_assert(!exists_in(out, "index.html"));
}

Test(files, csv_readers_stop_at_the_first_bad_line)
{
    float *c;
    size_t epochs, nb;
    sn_error err;
    cr_assert_eq(sn_costs_read("/dev/zero", &c, &epochs, &nb, &err), -1);
    cr_assert_not_null(strstr(err.msg, "line 1 holds a NUL byte"), "%s",
                       err.msg);
    sn_buf t = {0};
    sn_buf_puts(&t, "epoch,batch,cost\n1,1,0.5\n");
    for (int i = 0; i < 300; i++)
        sn_buf_puts(&t, "9");
    const char *p = write_tmp("long.csv", t.data);
    sn_buf_free(&t);
    cr_assert_eq(sn_costs_read(p, &c, &epochs, &nb, &err), -1);
    cr_assert_not_null(strstr(err.msg, "line 3 is longer than 256 bytes"),
                       "%s", err.msg);
    double *acc;
    cr_assert_eq(sn_accuracy_read("/dev/zero", &acc, &epochs, &err), -1);
    cr_assert_not_null(strstr(err.msg, "NUL byte"), "%s", err.msg);
}

/* ------------------------------------------------------------ MNIST */

/* Test digits through PNG files (upscaled 3x, dark on light RGB) and the
 * whole predict path give the class sn_evaluate gives each of them. */
Test(mnist, predicted_class_of_png_digits_matches_evaluate)
{
    const char *dir = test_mnist_dir();
    if (!dir)
        cr_skip_test("MNIST not found (set SIMDNET_DATA, or run "
                     "tools/fetch-mnist.sh data/mnist)");
    sn_dataset train, test;
    sn_error err;
    cr_assert_eq(sn_dataset_load(&train, dir, SN_SPLIT_TRAIN, 10, &err), 0);
    cr_assert_eq(sn_dataset_load(&test, dir, SN_SPLIT_TEST, 10, &err), 0);
    const size_t sizes[] = {784, 32, 32, 10};
    sn_net net;
    small_net(&net, sizes, 4);
    sn_trainer *t;
    sn_train_config cfg = sn_train_config_default();
    cfg.threads = 1;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_train_epoch(t, &train, 0, NULL, NULL, &err), 0);
    sn_trainer_free(t);

    const sn_kernels *k = sn_kernels_for(SN_ISA_SCALAR);
    for (size_t s = 0; s < 40; s++) {
        sn_dataset one = test;
        one.count = 1;
        one.pixels = test.pixels + s * 784;
        one.labels = test.labels + s;
        sn_eval_result r = {0};
        cr_assert_eq(sn_evaluate(&net, k, &one, 1, &r, &err), 0);
        size_t eval_class = 0;
        for (size_t p = 0; p < 10; p++)
            if (r.confusion[test.labels[s] * 10 + p])
                eval_class = p;
        sn_eval_free(&r);

        sn_image rgb, decoded, digit;
        cr_assert_eq(sn_image_alloc(&rgb, 84, 84, 3, &err), 0);
        for (size_t y = 0; y < 84; y++)
            for (size_t x = 0; x < 84; x++)
                memset(rgb.data + 3 * (y * 84 + x),
                       255 - one.pixels[(y / 3) * 28 + x / 3], 3);
        uint8_t *png;
        size_t len;
        cr_assert_eq(sn_png_encode(&rgb, &png, &len, &err), 0);
        cr_assert_eq(sn_png_decode(png, len, &decoded, &err), 0);
        cr_assert_eq(sn_image_prepare_digit(&decoded, 28, 28, NULL, &digit,
                                            NULL, &err), 0);
        cr_assert(!memcmp(digit.data, one.pixels, 784), "sample %zu: the "
                  "pixels did not survive the round trip", s);
        float out[10];
        cr_assert_eq(sn_predict(&net, k, digit.data, out, &err), 0);
        size_t best = 0;
        for (size_t p = 1; p < 10; p++)
            best = out[p] > out[best] ? p : best;
        cr_assert_eq(best, eval_class, "sample %zu", s);
        free(png);
        sn_image_free(&rgb);
        sn_image_free(&decoded);
        sn_image_free(&digit);
    }
    sn_net_free(&net);
    sn_dataset_free(&train);
    sn_dataset_free(&test);
}
