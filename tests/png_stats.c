/*
 * png_stats.c - what a screenshot shows, for report_test.sh: reads a PNG
 * with simdnet's image reader (sn_image_read: libspng) and prints
 *
 *   WIDTH HEIGHT COLOURS INK_PERCENT
 *
 * COLOURS is the number of distinct RGB colours (counted up to 100000),
 * INK_PERCENT the share of pixels that differ from the most common colour
 * (the page's background). A blank page has one colour and 0% ink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

static int cmp_u32(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: png_stats FILE.png\n");
        return 2;
    }
    sn_image img;
    sn_error err;
    if (sn_image_read(argv[1], &img, &err) != 0) {
        fprintf(stderr, "png_stats: %s\n", err.msg);
        return 1;
    }
    const size_t n = img.width * img.height;
    uint32_t *rgb = malloc(n * sizeof *rgb);
    if (!rgb) {
        fprintf(stderr, "png_stats: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = img.data + i * img.channels;
        rgb[i] = img.channels == 1 ? (uint32_t)p[0] * 0x010101u
                                   : (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    }
    qsort(rgb, n, sizeof *rgb, cmp_u32);
    size_t colours = 0, run = 0, most = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || rgb[i] != rgb[i - 1]) {
            colours++;
            run = 0;
        }
        run++;
        most = run > most ? run : most;
    }
    printf("%zu %zu %zu %.1f\n", img.width, img.height, colours,
           100.0 * (double)(n - most) / (double)n);
    free(rgb);
    sn_image_free(&img);
    return 0;
}
