/*
 * png_read.c - PNG files in, through libspng.
 *
 * libspng parses the chunks, checks their CRCs, inflates and unfilters; this
 * file sets its limits before it reads a byte, checks the pixel count before
 * anything the size of the image is allocated, and turns libspng's error
 * codes into messages. The limits are in image.h (docs/robustness.md).
 */
#include <errno.h>
#include <spng.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image/image.h"

/* Counts the bytes libspng takes from a stream, so that an endless one
 * (a pipe, /dev/zero behind a PNG signature) stops at SN_IMAGE_MAX_FILE. */
typedef struct png_stream {
    FILE *f;
    size_t used;
    int too_large, failed; /* failed: the errno of a read error */
} png_stream;

static int stream_read(spng_ctx *ctx, void *user, void *dst, size_t n)
{
    (void)ctx;
    png_stream *s = user;
    if (n > SN_IMAGE_MAX_FILE - s->used) {
        s->too_large = 1;
        return SPNG_IO_ERROR;
    }
    const size_t got = fread(dst, 1, n, s->f);
    s->used += got;
    if (got == n)
        return 0;
    if (!ferror(s->f))
        return SPNG_IO_EOF;
    s->failed = errno ? errno : EIO;
    return SPNG_IO_ERROR;
}

static int spng_fail(int rc, sn_error *err)
{
    if (rc == SPNG_IO_EOF || rc == SPNG_EOF)
        return sn_set_error(err, "truncated: the file ends inside the PNG "
                                 "(libspng: %s)", spng_strerror(rc));
    if (rc == SPNG_ECHUNK_LIMITS)
        return sn_set_error(err, "the PNG's ancillary chunks (text, ICC "
                                 "profile) exceed this reader's limits: %zu "
                                 "bytes inflated from one, %zu bytes in all",
                            (size_t)SN_PNG_MAX_CHUNK,
                            (size_t)SN_PNG_MAX_CHUNKS);
    if (rc == SPNG_ESIGNATURE)
        return sn_set_error(err, "not a PNG file (no PNG signature)");
    return sn_set_error(err, "not a valid PNG (libspng: %s)",
                        spng_strerror(rc));
}

/* The whole decode, on a context whose source is set. */
static int decode(spng_ctx *ctx, sn_image *rgba, sn_error *err)
{
    /* Ancillary chunks (text, ICC profiles) are kept in memory by libspng:
     * 4 MiB of them in all, at most 1 MiB inflated from a compressed one
     * (zTXt, iTXt, iCCP). IDAT is not cached. */
    if (spng_set_image_limits(ctx, SN_IMAGE_MAX_SIDE, SN_IMAGE_MAX_SIDE) ||
        spng_set_chunk_limits(ctx, SN_PNG_MAX_CHUNK, SN_PNG_MAX_CHUNKS))
        return sn_set_error(err, "libspng refused the reader's limits");
    struct spng_ihdr ihdr;
    int rc = spng_get_ihdr(ctx, &ihdr);
    if (rc == SPNG_EUSER_WIDTH || rc == SPNG_EUSER_HEIGHT)
        return sn_set_error(err, "the image is more than the %u pixels per "
                                 "side this reader accepts", SN_IMAGE_MAX_SIDE);
    if (rc == 0 && (size_t)ihdr.width * ihdr.height > SN_IMAGE_MAX_PIXELS)
        return sn_set_error(err, "the image is %ux%u pixels, larger than "
                                 "the %zu in all this reader accepts",
                            ihdr.width, ihdr.height, SN_IMAGE_MAX_PIXELS);
    if (rc != 0)
        return spng_fail(rc, err);
    if (sn_image_alloc(rgba, ihdr.width, ihdr.height, 4, err) != 0)
        return -1;
    /* RGBA8: 16-bit samples keep their high byte, low depths are scaled,
     * palettes expanded; SPNG_DECODE_TRNS applies a tRNS colour key.
     * Then the chunks after the image, to IEND: a file cut there is
     * truncated too. */
    rc = spng_decode_image(ctx, rgba->data, ihdr.width * ihdr.height * 4,
                           SPNG_FMT_RGBA8, SPNG_DECODE_TRNS);
    if (rc == 0)
        rc = spng_decode_chunks(ctx);
    if (rc != 0) {
        sn_image_free(rgba);
        return spng_fail(rc, err);
    }
    return 0;
}

int sn_png_decode(const uint8_t *png, size_t len, sn_image *rgba,
                  sn_error *err)
{
    memset(rgba, 0, sizeof *rgba);
    if (len > SN_IMAGE_MAX_FILE)
        return sn_set_error(err, "the file has %zu bytes, more than the %zu "
                                 "this reader accepts", len, SN_IMAGE_MAX_FILE);
    spng_ctx *ctx = spng_ctx_new(0);
    if (!ctx)
        return sn_set_error(err, "out of memory for a PNG decoder");
    int rc = spng_set_png_buffer(ctx, png, len);
    rc = rc ? spng_fail(rc, err) : decode(ctx, rgba, err);
    spng_ctx_free(ctx);
    return rc;
}

int sn_png_read(FILE *f, sn_image *rgba, sn_error *err)
{
    memset(rgba, 0, sizeof *rgba);
    spng_ctx *ctx = spng_ctx_new(0);
    if (!ctx)
        return sn_set_error(err, "out of memory for a PNG decoder");
    png_stream s = {f, 0, 0, 0};
    int rc = spng_set_png_stream(ctx, stream_read, &s);
    rc = rc ? spng_fail(rc, err) : decode(ctx, rgba, err);
    spng_ctx_free(ctx);
    if (rc != 0 && s.too_large)
        rc = sn_set_error(err, "larger than the %zu bytes this reader accepts",
                          SN_IMAGE_MAX_FILE);
    else if (rc != 0 && s.failed)
        rc = sn_set_error(err, "%s", strerror(s.failed));
    return rc;
}
