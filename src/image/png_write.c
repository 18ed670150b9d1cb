/*
 * png_write.c - 8-bit gray, RGB or RGBA images as PNG, through libspng.
 *
 * The report embeds small images (28x28 digits, weight maps). Every row is
 * stored with filter 0 (none) at zlib level 9: for such images the smarter
 * per-row filter choice saves a few bytes at most, and one fixed choice
 * keeps the output the same from run to run.
 */
#include <spng.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image/image.h"

int sn_png_encode(const sn_image *img, uint8_t **out, size_t *out_len,
                  sn_error *err)
{
    *out = NULL;
    *out_len = 0;
    static const uint8_t colour_type[5] = {0, SPNG_COLOR_TYPE_GRAYSCALE, 0,
                                           SPNG_COLOR_TYPE_TRUECOLOR,
                                           SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
    if (img->channels != 1 && img->channels != 3 && img->channels != 4)
        return sn_set_error(err, "PNG encoder: %zu channels (expected 1, 3 "
                                 "or 4)", img->channels);
    if (img->width == 0 || img->height == 0 ||
        img->width > SN_IMAGE_MAX_SIDE || img->height > SN_IMAGE_MAX_SIDE ||
        img->width * img->height > SN_IMAGE_MAX_PIXELS)
        return sn_set_error(err, "PNG encoder: cannot encode a %zux%zu image",
                            img->width, img->height);
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx)
        return sn_set_error(err, "PNG encoder: out of memory");
    struct spng_ihdr ihdr = {
        .width = (uint32_t)img->width,
        .height = (uint32_t)img->height,
        .bit_depth = 8,
        .color_type = colour_type[img->channels],
    };
    int rc = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    if (rc == 0)
        rc = spng_set_option(ctx, SPNG_FILTER_CHOICE, SPNG_FILTER_CHOICE_NONE);
    if (rc == 0)
        rc = spng_set_option(ctx, SPNG_IMG_COMPRESSION_LEVEL, 9);
    if (rc == 0)
        rc = spng_set_ihdr(ctx, &ihdr);
    if (rc == 0)
        rc = spng_encode_image(ctx, img->data,
                               img->width * img->height * img->channels,
                               SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    size_t len = 0;
    uint8_t *png = rc == 0 ? spng_get_png_buffer(ctx, &len, &rc) : NULL;
    spng_ctx_free(ctx);
    if (!png)
        return sn_set_error(err, "PNG encoder: libspng: %s",
                            spng_strerror(rc));
    *out = png;
    *out_len = len;
    return 0;
}
