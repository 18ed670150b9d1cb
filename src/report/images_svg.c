/*
 * images_svg.c - pictures made of small images: a grid of digits (training
 * samples, or the test set's mistakes) and the first layer's weights, each
 * tile an embedded PNG drawn with sharp pixels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/report.h"

void sn_image_shape(size_t n, size_t *rows, size_t *cols)
{
    size_t s = (size_t)sqrt((double)n);
    while (s * s > n)
        s--;
    while ((s + 1) * (s + 1) <= n)
        s++;
    if (s * s == n) {
        *rows = *cols = s;
        return;
    }
    /* Not a square: as square a block as holds n, the rest padding. */
    *cols = s + 1;
    *rows = (n + *cols - 1) / *cols;
}

/* Tile scale: 28-pixel digits at 2x; other sizes to about 56 pixels. */
static double tile_size(size_t rows, size_t cols)
{
    const size_t side = rows > cols ? rows : cols;
    return side >= 56 ? (double)side : 56.0;
}

int sn_svg_digit_grid(sn_buf *b, const char *title, const sn_dataset *ds,
                      const size_t *index, const int *predicted, size_t n,
                      size_t grid_cols, sn_error *err)
{
    size_t rows = ds->rows, cols = ds->cols;
    if (rows * cols != ds->input_size)
        sn_image_shape(ds->input_size, &rows, &cols);
    if (grid_cols == 0)
        grid_cols = 1;
    const double side = tile_size(rows, cols);
    const double tw = side * (double)cols / (double)(rows > cols ? rows : cols);
    const double th = side * (double)rows / (double)(rows > cols ? rows : cols);
    const double gap = 6, label_h = 16, T = 44, Lm = 14;
    const size_t grid_rows = n ? (n + grid_cols - 1) / grid_cols : 0;
    const size_t shown_cols = n < grid_cols ? (n ? n : 1) : grid_cols;
    double W = Lm * 2 + (double)shown_cols * (tw + gap);
    W = W < 420 ? 420 : W;
    const double H = T + (double)grid_rows * (th + label_h + gap) + 10;

    svg_begin(b, W, H, title);
    svg_text(b, Lm, 26, SVG_START, "title", "%s", title);
    sn_image img;
    if (sn_image_alloc(&img, cols, rows, 1, err) != 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        const size_t i = index[k];
        if (i >= ds->count) {
            sn_image_free(&img);
            return sn_set_error(err, "digit grid: sample %zu of %zu", i,
                                ds->count);
        }
        memset(img.data, 0, rows * cols);
        memcpy(img.data, ds->pixels + i * ds->input_size, ds->input_size);
        const double x = Lm + (double)(k % grid_cols) * (tw + gap);
        const double y = T + (double)(k / grid_cols) * (th + label_h + gap);
        if (svg_image(b, &img, x, y, tw, th, "tile", err) != 0) {
            sn_image_free(&img);
            return -1;
        }
        if (predicted)
            svg_text(b, x + tw / 2, y + th + 13, SVG_MIDDLE, "label",
                     "%u \xe2\x86\x92 %d", ds->labels[i], predicted[k]);
        else
            svg_text(b, x + tw / 2, y + th + 13, SVG_MIDDLE, "label", "%u",
                     ds->labels[i]);
    }
    sn_image_free(&img);
    svg_end(b);
    return sn_buf_failed(b) ? sn_set_error(err, "digit grid: out of memory")
                            : 0;
}

int sn_weights_image(const sn_net *net, size_t j, size_t rows, size_t cols,
                     float scale, sn_image *rgb, sn_error *err)
{
    const size_t nin = net->sizes[0];
    if (sn_image_alloc(rgb, cols, rows, 3, err) != 0)
        return -1;
    const float *w = net->params + net->w_off[0] + j * nin;
    for (size_t p = 0; p < rows * cols; p++) {
        /* Padding past the last input is drawn as a zero weight. */
        const double t = p < nin && scale > 0 ? (double)w[p] / scale : 0.0;
        const uint32_t c = svg_diverging(t);
        rgb->data[3 * p] = (uint8_t)(c >> 16);
        rgb->data[3 * p + 1] = (uint8_t)(c >> 8);
        rgb->data[3 * p + 2] = (uint8_t)c;
    }
    return 0;
}

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The 99th percentile of |w| over n weights; -1 when out of memory. */
static float weight_scale(const float *w, size_t n)
{
    float *a = malloc(n * sizeof *a);
    if (!a)
        return -1.0f;
    for (size_t i = 0; i < n; i++)
        a[i] = fabsf(w[i]);
    qsort(a, n, sizeof *a, cmp_float);
    const float s = a[(size_t)((double)(n - 1) * 0.99)];
    free(a);
    return s;
}

int sn_svg_weights(sn_buf *b, const sn_net *net, size_t rows, size_t cols,
                   sn_error *err)
{
    const size_t nin = net->sizes[0], nh = net->sizes[1];
    if (rows * cols < nin)
        return sn_set_error(err, "weights: a %zux%zu image cannot hold %zu "
                                 "inputs", rows, cols, nin);
    /* One colour scale for the whole layer, so that tiles compare: the
     * 99th percentile of |w|, so that a few large weights do not wash the
     * rest out (they saturate instead). */
    const float scale = weight_scale(net->params + net->w_off[0], nin * nh);
    if (scale < 0)
        return sn_set_error(err, "weights: out of memory");
    const size_t shown = nh < 256 ? nh : 256;
    const size_t per_row = shown <= 16 ? shown : shown <= 32 ? 8 : 16;
    const double side = tile_size(rows, cols) * (shown <= 32 ? 1.5 : 1.0);
    const double tw = side * (double)cols / (double)(rows > cols ? rows : cols);
    const double th = side * (double)rows / (double)(rows > cols ? rows : cols);
    const double gap = 8, label_h = 14, T = 66, Lm = 14;
    const size_t grid_rows = (shown + per_row - 1) / per_row;
    double W = Lm * 2 + (double)per_row * (tw + gap);
    W = W < 520 ? 520 : W;
    const double H = T + (double)grid_rows * (th + label_h + gap) + 10;

    svg_begin(b, W, H, "First-layer weights");
    svg_text(b, Lm, 26, SVG_START, "title",
             "First-layer weights: what each of the %zu hidden neurons looks "
             "for", nh);
    svg_text(b, Lm, 44, SVG_START, "small",
             "each neuron's %zu input weights as a %zux%zu image%s; colour "
             "scale \xc2\xb1%.3g (99%% of the weights; larger ones "
             "saturate)", nin, rows, cols,
             shown < nh ? " (the first 256)" : "", (double)scale);
    /* The colour bar: blue -scale, white 0, red +scale. */
    for (int k = 0; k <= 20; k++) {
        char colour[8];
        svg_colour(svg_diverging((k - 10) / 10.0), colour);
        sn_buf_printf(b, "<rect x=\"%.1f\" y=\"50\" width=\"8\" height=\"8\" "
                         "fill=\"%s\"/>\n", W - Lm - 8.0 * (21 - k), colour);
    }
    svg_text(b, W - Lm - 8 * 21 - 4, 58, SVG_END, "small", "-%.2g",
             (double)scale);
    svg_text(b, W - Lm + 0, 46, SVG_END, "small", "+%.2g", (double)scale);
    for (size_t j = 0; j < shown; j++) {
        sn_image img;
        if (sn_weights_image(net, j, rows, cols, scale, &img, err) != 0)
            return -1;
        const double x = Lm + (double)(j % per_row) * (tw + gap);
        const double y = T + (double)(j / per_row) * (th + label_h + gap);
        const int rc = svg_image(b, &img, x, y, tw, th, "tile", err);
        sn_image_free(&img);
        if (rc != 0)
            return -1;
        svg_text(b, x + tw / 2, y + th + 12, SVG_MIDDLE, "small", "neuron %zu",
                 j);
    }
    svg_end(b);
    return sn_buf_failed(b) ? sn_set_error(err, "weights: out of memory") : 0;
}
