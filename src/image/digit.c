/*
 * digit.c - from any picture to the network's input: area-averaging
 * resampling, inversion to light ink on black, and optionally MNIST's own
 * preparation (LeCun et al.: each digit scaled to fit a 20x20 box keeping
 * its aspect ratio, then placed in the 28x28 field with its centre of mass
 * at the centre).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "image/image.h"

/* Mean of v[0], v[stride], ... over the source interval [a, b) of one axis,
 * each source sample weighted by how much of it the interval covers. */
static double box_mean(const double *v, size_t stride, size_t n, double a,
                       double b)
{
    size_t i = (size_t)a;
    size_t end = (size_t)ceil(b);
    if (end > n)
        end = n;
    double sum = 0.0;
    for (; i < end; i++) {
        const double lo = a > (double)i ? a : (double)i;
        const double hi = b < (double)(i + 1) ? b : (double)(i + 1);
        sum += (hi - lo) * v[i * stride];
    }
    return sum / (b - a);
}

/* Fills row with the source plane's row y, as doubles. */
typedef void (*row_source)(const void *ctx, size_t y, double *row);

/* Area-averaging resize of a sw x sh plane, read a row at a time from
 * get, into dst (dw x dh), one axis at a time. Output pixel o of an axis
 * covers the source interval [o*n/on, (o+1)*n/on). Beside the output it
 * holds one source row and the sh x dw plane between the passes: the
 * source is never copied whole. */
static int resize_plane(row_source get, const void *ctx, size_t sw, size_t sh,
                        double *dst, size_t dw, size_t dh)
{
    double *tmp = malloc(sh * dw * sizeof *tmp);
    double *row = malloc(sw * sizeof *row);
    if (!tmp || !row) {
        free(tmp);
        free(row);
        return -1;
    }
    for (size_t y = 0; y < sh; y++) {
        get(ctx, y, row);
        for (size_t x = 0; x < dw; x++)
            tmp[y * dw + x] = box_mean(row, 1, sw,
                                       (double)x * (double)sw / (double)dw,
                                       (double)(x + 1) * (double)sw / (double)dw);
    }
    for (size_t x = 0; x < dw; x++)
        for (size_t y = 0; y < dh; y++)
            dst[y * dw + x] = box_mean(tmp + x, dw, sh,
                                       (double)y * (double)sh / (double)dh,
                                       (double)(y + 1) * (double)sh / (double)dh);
    free(tmp);
    free(row);
    return 0;
}

static uint8_t to_byte(double v)
{
    return v <= 0.0 ? 0 : v >= 255.0 ? 255 : (uint8_t)(v + 0.5);
}

/* A gray image's row y as doubles. */
static void gray_row(const void *ctx, size_t y, double *row)
{
    const sn_image *g = ctx;
    const uint8_t *p = g->data + y * g->width;
    for (size_t x = 0; x < g->width; x++)
        row[x] = p[x];
}

int sn_image_resize_area(const sn_image *gray, size_t width, size_t height,
                         sn_image *out, sn_error *err)
{
    memset(out, 0, sizeof *out);
    if (gray->channels != 1)
        return sn_set_error(err, "resize: expected a gray image, got %zu "
                                 "channels", gray->channels);
    double *dst = malloc(width * height * sizeof *dst);
    int rc = -1;
    if (!dst ||
        resize_plane(gray_row, gray, gray->width, gray->height, dst, width,
                     height) != 0) {
        sn_set_error(err, "resize: out of memory");
        goto out;
    }
    if (sn_image_alloc(out, width, height, 1, err) != 0)
        goto out;
    for (size_t i = 0; i < width * height; i++)
        out->data[i] = to_byte(dst[i]);
    rc = 0;
out:
    free(dst);
    return rc;
}

/* Mean of the outermost ring of pixels: the paper (or screen) around the
 * digit, which decides whether the picture is dark ink on light. */
static double border_mean(const sn_image *g)
{
    const size_t w = g->width, h = g->height;
    double sum = 0.0;
    size_t n = 0;
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
            if (y == 0 || y == h - 1 || x == 0 || x == w - 1) {
                sum += g->data[y * w + x];
                n++;
            }
    return sum / (double)n;
}

static int cmp_u8(const void *a, const void *b)
{
    return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/* The border's median: the background level a photo's paper leaves. */
static uint8_t border_median(const sn_image *g)
{
    const size_t w = g->width, h = g->height;
    const size_t cap = 2 * (w + h);
    uint8_t *v = malloc(cap);
    if (!v)
        return 0;
    size_t n = 0;
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
            if (y == 0 || y == h - 1 || x == 0 || x == w - 1)
                v[n++] = g->data[y * w + x];
    qsort(v, n, 1, cmp_u8);
    const uint8_t m = v[n / 2];
    free(v);
    return m;
}

/* The box around the ink, with the background removed and the brightest
 * ink scaled to 255: the source of fit_digit's resize. */
typedef struct ink_box {
    const sn_image *g;
    size_t x0, y0, w;
    uint8_t bg;
    double scale;
} ink_box;

static void ink_row(const void *ctx, size_t y, double *row)
{
    const ink_box *b = ctx;
    const uint8_t *p = b->g->data + (b->y0 + y) * b->g->width + b->x0;
    for (size_t x = 0; x < b->w; x++) {
        const int v = p[x] - b->bg;
        row[x] = v > 0 ? v * b->scale : 0.0;
    }
}

/* MNIST's preparation of an ink-on-black gray image, in place of a plain
 * resize: background removed, cropped to the ink, scaled into a box of
 * 20/28 of the field, centre of mass at the centre of the field. */
static int fit_digit(const sn_image *g, size_t width, size_t height,
                     sn_image *out, sn_error *err)
{
    const size_t w = g->width, h = g->height;
    const uint8_t bg = border_median(g);
    uint8_t peak = 0;
    for (size_t i = 0; i < w * h; i++)
        peak = g->data[i] > peak ? g->data[i] : peak;
    if (peak <= bg) /* no ink at all: nothing to fit */
        return sn_image_resize_area(g, width, height, out, err);

    /* Background to 0, the brightest ink to 255; the box holds the pixels
     * above a tenth of that, so that speckles of paper texture do not
     * stretch it. */
    const double scale = 255.0 / (double)(peak - bg);
    size_t x0 = w, y0 = h, x1 = 0, y1 = 0;
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
            if ((g->data[y * w + x] - bg) * scale > 25.5 &&
                g->data[y * w + x] > bg) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    if (x0 > x1) /* only faint ink: use the whole picture */
        x0 = 0, y0 = 0, x1 = w - 1, y1 = h - 1;
    const size_t bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const size_t field = width < height ? width : height;
    const double box = (double)field * 20.0 / 28.0;
    const double k = box / (double)(bw > bh ? bw : bh);
    size_t nw = (size_t)lround((double)bw * k), nh = (size_t)lround((double)bh * k);
    nw = nw < 1 ? 1 : nw > width ? width : nw;
    nh = nh < 1 ? 1 : nh > height ? height : nh;

    const ink_box box_src = {g, x0, y0, bw, bg, scale};
    double *small = malloc(nw * nh * sizeof *small);
    int rc = -1;
    if (!small ||
        resize_plane(ink_row, &box_src, bw, bh, small, nw, nh) != 0) {
        sn_set_error(err, "fit: out of memory");
        goto out;
    }
    double mass = 0.0, mx = 0.0, my = 0.0;
    for (size_t y = 0; y < nh; y++)
        for (size_t x = 0; x < nw; x++) {
            const double v = small[y * nw + x];
            mass += v;
            mx += v * ((double)x + 0.5);
            my += v * ((double)y + 0.5);
        }
    /* Place the centre of mass at the field's centre, keeping the digit
     * inside the field. */
    long ox = mass > 0.0 ? lround((double)width / 2.0 - mx / mass) : 0;
    long oy = mass > 0.0 ? lround((double)height / 2.0 - my / mass) : 0;
    ox = ox < 0 ? 0 : ox > (long)(width - nw) ? (long)(width - nw) : ox;
    oy = oy < 0 ? 0 : oy > (long)(height - nh) ? (long)(height - nh) : oy;
    if (sn_image_alloc(out, width, height, 1, err) != 0)
        goto out;
    for (size_t y = 0; y < nh; y++)
        for (size_t x = 0; x < nw; x++)
            out->data[((size_t)oy + y) * width + (size_t)ox + x] =
                to_byte(small[y * nw + x]);
    rc = 0;
out:
    free(small);
    return rc;
}

int sn_image_prepare_digit(const sn_image *img, size_t width, size_t height,
                           const sn_digit_options *opt, sn_image *out,
                           int *inverted, sn_error *err)
{
    memset(out, 0, sizeof *out);
    const sn_digit_options defaults = {SN_INVERT_AUTO, 0};
    if (!opt)
        opt = &defaults;
    sn_image gray;
    if (sn_image_to_gray(img, &gray, err) != 0)
        return -1;
    int inv = opt->invert == SN_INVERT_ALWAYS ||
              (opt->invert == SN_INVERT_AUTO && border_mean(&gray) > 127.5);
    if (inv)
        for (size_t i = 0; i < gray.width * gray.height; i++)
            gray.data[i] = (uint8_t)(255 - gray.data[i]);
    if (inverted)
        *inverted = inv;
    const int rc = opt->fit ? fit_digit(&gray, width, height, out, err)
                            : sn_image_resize_area(&gray, width, height, out,
                                                   err);
    sn_image_free(&gray);
    return rc;
}
