/* image.c - image buffers, reading PNG or PGM files, conversion to gray. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image/image.h"

int sn_image_alloc(sn_image *img, size_t width, size_t height,
                   size_t channels, sn_error *err)
{
    memset(img, 0, sizeof *img);
    if (channels != 1 && channels != 3 && channels != 4)
        return sn_set_error(err, "an image has 1, 3 or 4 channels, not %zu",
                            channels);
    if (width == 0 || height == 0 || width > SN_IMAGE_MAX_SIDE ||
        height > SN_IMAGE_MAX_SIDE || width * height > SN_IMAGE_MAX_PIXELS)
        return sn_set_error(err, "cannot make a %zux%zu image", width, height);
    img->data = calloc(width * height, channels);
    if (!img->data)
        return sn_set_error(err, "out of memory for a %zux%zu image", width,
                            height);
    img->width = width;
    img->height = height;
    img->channels = channels;
    return 0;
}

void sn_image_free(sn_image *img)
{
    free(img->data);
    memset(img, 0, sizeof *img);
}

int sn_image_read(const char *path, sn_image *img, sn_error *err)
{
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s: %s", path, strerror(errno));
    /* One byte tells the formats apart; the decoders check the rest. */
    const int first = getc(f);
    int rc;
    if (first == EOF)
        rc = ferror(f) ? sn_set_error(err, "%s", strerror(errno))
                       : sn_set_error(err, "the file is empty");
    else if (ungetc(first, f) == EOF)
        rc = sn_set_error(err, "cannot read the file");
    else if (first == 0x89)
        rc = sn_png_read(f, img, err);
    else if (first == 'P')
        rc = sn_pgm_read(f, img, err);
    else
        rc = sn_set_error(err, "not a PNG or PGM image (the formats this "
                               "reader knows)");
    fclose(f);
    if (rc != 0)
        sn_prefix_error(err, "%s: ", path);
    return rc;
}

int sn_image_to_gray(const sn_image *in, sn_image *gray, sn_error *err)
{
    if (sn_image_alloc(gray, in->width, in->height, 1, err) != 0)
        return -1;
    const size_t n = in->width * in->height;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = in->data + i * in->channels;
        if (in->channels == 1) {
            gray->data[i] = p[0];
            continue;
        }
        /* Rec. 601 luma in fixed point (weights sum to 1000). */
        unsigned y = (299u * p[0] + 587u * p[1] + 114u * p[2] + 500u) / 1000u;
        if (in->channels == 4) /* over white: y*a + 255*(1-a) */
            y = (y * p[3] + 255u * (255u - p[3]) + 127u) / 255u;
        gray->data[i] = (uint8_t)y;
    }
    return 0;
}
