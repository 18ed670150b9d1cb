/*
 * pgm.c - reading PGM images (Netpbm: "P5" binary, "P2" plain text).
 *
 * Header: magic, width, height, maxval, separated by whitespace, with
 * "#" comments to the end of a line; in P5 exactly one whitespace byte
 * follows maxval, then the samples (two bytes, big-endian, if maxval > 255).
 */
#include <string.h>

#include "error.h"
#include "image/image.h"

typedef struct pgm_cursor {
    const uint8_t *p, *end;
} pgm_cursor;

static int is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static void skip_space_and_comments(pgm_cursor *c)
{
    while (c->p < c->end) {
        if (*c->p == '#') {
            while (c->p < c->end && *c->p != '\n')
                c->p++;
        } else if (is_space(*c->p)) {
            c->p++;
        } else {
            break;
        }
    }
}

/* A decimal number of at most 5 digits (up to 65535 is all PGM needs,
 * and it bounds width x height before any allocation). */
static int read_number(pgm_cursor *c, const char *what, unsigned *out,
                       sn_error *err)
{
    skip_space_and_comments(c);
    unsigned v = 0;
    int digits = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (++digits > 5)
            return sn_set_error(err, "PGM %s has more than 5 digits", what);
        v = v * 10 + (unsigned)(*c->p++ - '0');
    }
    if (digits == 0)
        return sn_set_error(err, c->p < c->end
                                     ? "PGM %s: expected a number"
                                     : "truncated PGM: the file ends before "
                                       "its %s", what);
    if (c->p < c->end && !is_space(*c->p) && *c->p != '#')
        return sn_set_error(err, "PGM %s: unexpected character after the "
                                 "number", what);
    *out = v;
    return 0;
}

int sn_pgm_decode(const uint8_t *pgm, size_t len, sn_image *gray,
                  sn_error *err)
{
    memset(gray, 0, sizeof *gray);
    if (len < 2 || pgm[0] != 'P' || (pgm[1] != '5' && pgm[1] != '2'))
        return sn_set_error(err, "not a PGM file (it does not start with P5 "
                                 "or P2)");
    const int binary = pgm[1] == '5';
    pgm_cursor c = {pgm + 2, pgm + len};
    unsigned w, h, maxval;
    if (read_number(&c, "width", &w, err) != 0 ||
        read_number(&c, "height", &h, err) != 0 ||
        read_number(&c, "maxval", &maxval, err) != 0)
        return -1;
    if (w == 0 || h == 0)
        return sn_set_error(err, "the PGM image is %ux%u pixels: empty", w, h);
    if (maxval == 0 || maxval > 65535)
        return sn_set_error(err, "PGM maxval %u is outside 1..65535", maxval);
    if ((size_t)w * h > SN_IMAGE_MAX_PIXELS)
        return sn_set_error(err, "the PGM image is %ux%u pixels, more than the "
                                 "%zu this reader accepts", w, h,
                            SN_IMAGE_MAX_PIXELS);
    const size_t n = (size_t)w * h;
    if (binary) {
        if (c.p == c.end)
            return sn_set_error(err, "truncated PGM: no pixel data");
        c.p++; /* the single whitespace byte after maxval */
        const size_t bytes = n * (maxval > 255 ? 2 : 1);
        if ((size_t)(c.end - c.p) < bytes)
            return sn_set_error(err, "truncated PGM: %ux%u pixels need %zu "
                                     "bytes, the file has %zu", w, h, bytes,
                                (size_t)(c.end - c.p));
    }
    if (sn_image_alloc(gray, w, h, 1, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (!binary) {
            if (read_number(&c, "pixel", &v, err) != 0) {
                sn_prefix_error(err, "pixel %zu of %zu: ", i, n);
                sn_image_free(gray);
                return -1;
            }
        } else if (maxval > 255) {
            v = (unsigned)c.p[0] << 8 | c.p[1];
            c.p += 2;
        } else {
            v = *c.p++;
        }
        if (v > maxval) {
            sn_image_free(gray);
            return sn_set_error(err, "PGM pixel %zu is %u, above maxval %u", i,
                                v, maxval);
        }
        gray->data[i] = (uint8_t)((v * 255u + maxval / 2) / maxval);
    }
    return 0;
}
