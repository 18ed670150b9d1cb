/*
 * pgm.c - reading PGM images (Netpbm: "P5" binary, "P2" plain text).
 *
 * Header: magic, width, height, maxval, separated by whitespace, with
 * "#" comments to the end of a line; in P5 exactly one whitespace byte
 * follows maxval, then the samples (two bytes, big-endian, if maxval > 255).
 *
 * Read from a stream byte by byte: nothing is held but the image, and the
 * reader stops at the first byte that is wrong, or after SN_IMAGE_MAX_FILE
 * bytes (a pipe of endless whitespace or comments).
 */
#include <errno.h>
#include <string.h>

#include "error.h"
#include "image/image.h"

typedef struct pgm_cursor {
    FILE *f;
    size_t used;
    int c;  /* the current byte, EOF at the end or past the limit */
} pgm_cursor;

static void advance(pgm_cursor *c)
{
    c->c = c->used < SN_IMAGE_MAX_FILE ? getc(c->f) : EOF;
    c->used += c->c != EOF;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static void skip_space_and_comments(pgm_cursor *c)
{
    while (c->c != EOF) {
        if (c->c == '#') {
            while (c->c != EOF && c->c != '\n')
                advance(c);
        } else if (is_space(c->c)) {
            advance(c);
        } else {
            break;
        }
    }
}

/* Why the stream ended: a read error, the size limit, or the end. */
static int ended(const pgm_cursor *c, const char *what, sn_error *err)
{
    if (ferror(c->f))
        return sn_set_error(err, "PGM %s: %s", what,
                            strerror(errno ? errno : EIO));
    if (c->used >= SN_IMAGE_MAX_FILE)
        return sn_set_error(err, "PGM %s: the file is larger than the %zu "
                                 "bytes this reader accepts", what,
                            SN_IMAGE_MAX_FILE);
    return sn_set_error(err, "truncated PGM: the file ends before its %s",
                        what);
}

/* A decimal number of at most 5 digits (up to 65535 is all PGM needs,
 * and it bounds width x height before any allocation). */
static int read_number(pgm_cursor *c, const char *what, unsigned *out,
                       sn_error *err)
{
    skip_space_and_comments(c);
    unsigned v = 0;
    int digits = 0;
    while (c->c >= '0' && c->c <= '9') {
        if (++digits > 5)
            return sn_set_error(err, "PGM %s has more than 5 digits", what);
        v = v * 10 + (unsigned)(c->c - '0');
        advance(c);
    }
    if (digits == 0)
        return c->c != EOF ? sn_set_error(err, "PGM %s: expected a number",
                                          what)
                           : ended(c, what, err);
    if (c->c != EOF && !is_space(c->c) && c->c != '#')
        return sn_set_error(err, "PGM %s: unexpected character after the "
                                 "number", what);
    *out = v;
    return 0;
}

/* The next sample of a P5 image: one byte, or two (big-endian). */
static int read_binary(pgm_cursor *c, unsigned maxval, unsigned *v,
                       sn_error *err)
{
    *v = 0;
    for (int i = 0; i < (maxval > 255 ? 2 : 1); i++) {
        advance(c);
        if (c->c == EOF)
            return ended(c, "pixel data", err);
        *v = *v << 8 | (unsigned)c->c;
    }
    return 0;
}

int sn_pgm_read(FILE *f, sn_image *gray, sn_error *err)
{
    memset(gray, 0, sizeof *gray);
    pgm_cursor c = {f, 0, EOF};
    advance(&c);
    const int magic = c.c;
    advance(&c);
    if (magic != 'P' || (c.c != '5' && c.c != '2'))
        return sn_set_error(err, "not a PGM file (it does not start with P5 "
                                 "or P2)");
    const int binary = c.c == '5';
    advance(&c);
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
    if (binary && c.c == EOF)
        return sn_set_error(err, "truncated PGM: no pixel data");
    /* In P5, c.c is the single whitespace byte after maxval. */
    if (sn_image_alloc(gray, w, h, 1, err) != 0)
        return -1;
    const size_t n = (size_t)w * h;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        const int rc = binary ? read_binary(&c, maxval, &v, err)
                              : read_number(&c, "pixel", &v, err);
        if (rc != 0) {
            sn_prefix_error(err, "pixel %zu of %zu: ", i, n);
            sn_image_free(gray);
            return -1;
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

int sn_pgm_decode(const uint8_t *pgm, size_t len, sn_image *gray,
                  sn_error *err)
{
    memset(gray, 0, sizeof *gray);
    if (len == 0) /* fmemopen may refuse an empty buffer */
        return sn_set_error(err, "not a PGM file (it is empty)");
    FILE *f = fmemopen((void *)pgm, len, "rb");
    if (!f)
        return sn_set_error(err, "cannot open the PGM data: %s",
                            strerror(errno));
    const int rc = sn_pgm_read(f, gray, err);
    fclose(f);
    return rc;
}
