/*
 * network_svg.c - the network drawn as the tutorial draws it: layers as
 * columns of neurons shaded by their activation for one input, connections
 * red for positive and blue for negative weights, as wide as |w|.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/report.h"

enum { MAX_VISIBLE = 12, HEAD = 10 };

size_t sn_network_visible(size_t n, long out[12])
{
    if (n <= MAX_VISIBLE) {
        for (size_t i = 0; i < n; i++)
            out[i] = (long)i;
        return n;
    }
    for (size_t i = 0; i < HEAD; i++)
        out[i] = (long)i;
    out[HEAD] = -1; /* the ellipsis */
    out[HEAD + 1] = (long)(n - 1);
    return HEAD + 2;
}

/* How dark a neuron is drawn, 0 to 1: its value over the range of its
 * layer's activation function (a relu's range is up to the layer's
 * largest value, top; the input's pixels are in [0, 1] as sigmoid's). */
static double shade(sn_activation act, float a, float top)
{
    double v = a;
    if (act == SN_ACT_TANH)
        v = 0.5 * (v + 1.0);
    else if (act == SN_ACT_RELU)
        v = top > 0 ? v / top : 0.0;
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static const char *layer_name(size_t l, size_t nlayers)
{
    return l == 0 ? "input" : l == nlayers ? "output" : "hidden";
}

int sn_svg_network(sn_buf *b, const sn_net *net, const sn_kernels *kernels,
                   const uint8_t *pixels, size_t rows, size_t cols, int label,
                   size_t sample, sn_error *err)
{
    const size_t nl = net->nlayers + 1; /* columns, the input included */
    size_t total = 0;
    for (size_t l = 0; l < nl; l++)
        total += net->sizes[l];
    float *acts = malloc(total * sizeof *acts);
    if (!acts)
        return sn_set_error(err, "network diagram: out of memory");
    /* The inputs as the network sees them, then the library's forward
     * pass: the diagram shows the activations sn_predict computes. */
    for (size_t i = 0; i < net->sizes[0]; i++)
        acts[i] = (float)pixels[i] / 255.0f;
    if (sn_predict_layers(net, kernels, pixels, acts + net->sizes[0],
                          err) != 0) {
        free(acts);
        return -1;
    }
    size_t start[SN_MAX_LAYERS];
    for (size_t l = 0, s = 0; l < nl; l++) {
        start[l] = s;
        s += net->sizes[l];
    }
    const size_t nout = net->sizes[nl - 1];
    const float *out = acts + start[nl - 1];
    size_t predicted = 0;
    for (size_t j = 1; j < nout; j++)
        if (out[j] > out[predicted])
            predicted = j;

    const double img_w = rows * cols == net->sizes[0] ? 112 : 0;
    const double L = 40 + (img_w > 0 ? img_w + 50 : 0), T = 70, dy = 34;
    const double dx = 190, r = 11;
    const double H = T + dy * MAX_VISIBLE + 50;
    const double W = L + dx * (double)(nl - 1) + 120;
    long vis[SN_MAX_LAYERS][MAX_VISIBLE];
    size_t nvis[SN_MAX_LAYERS];
    for (size_t l = 0; l < nl; l++)
        nvis[l] = sn_network_visible(net->sizes[l], vis[l]);
#define X(l) (L + dx * (double)(l))
#define Y(l, k) (T + dy * ((double)(k) + (MAX_VISIBLE - (double)nvis[l]) / 2) + dy / 2)

    char layers[160];
    sn_format_layers(net, layers, sizeof layers);
    svg_begin(b, W, H, "The network and its activations for one test sample");
    svg_text(b, 20, 24, SVG_START, "title", "Network %s", layers);
    if (label >= 0)
        svg_text(b, 20, 44, SVG_START, "small",
                 "sample %zu (label %d): predicted %zu. Neurons: darker = "
                 "more active. Lines: red positive, blue negative weights, "
                 "width \xe2\x88\x9d |w| within each layer", sample, label,
                 predicted);
    else
        svg_text(b, 20, 44, SVG_START, "small",
                 "sample %zu: predicted %zu. Neurons: darker = more active. "
                 "Lines: red positive, blue negative weights, width "
                 "\xe2\x88\x9d |w| within each layer", sample, predicted);

    if (img_w > 0) {
        sn_image img;
        if (sn_image_alloc(&img, cols, rows, 1, err) != 0) {
            free(acts);
            return -1;
        }
        memcpy(img.data, pixels, rows * cols);
        const double ih = img_w * (double)rows / (double)cols;
        const double iy = T + dy * MAX_VISIBLE / 2 - ih / 2;
        sn_buf_printf(b, "<rect x=\"19\" y=\"%.1f\" width=\"%.1f\" "
                         "height=\"%.1f\" fill=\"none\" stroke=\"#888\"/>\n",
                      iy - 1, img_w + 2, ih + 2);
        const int rc = svg_image(b, &img, 20, iy, img_w, ih, "input", err);
        sn_image_free(&img);
        if (rc != 0) {
            free(acts);
            return -1;
        }
        svg_text(b, 20 + img_w / 2, iy + ih + 16, SVG_MIDDLE, "small",
                 "%zux%zu pixels", rows, cols);
    }

    /* Connections first, so that the neurons are drawn over them. */
    sn_buf_puts(b, "<g stroke-opacity=\"0.6\" stroke-linecap=\"round\">\n");
    for (size_t l = 0; l + 1 < nl; l++) {
        const size_t nin = net->sizes[l];
        const float *Wl = net->params + net->w_off[l];
        double wmax = 0.0;
        for (size_t a = 0; a < nvis[l]; a++)
            for (size_t c = 0; c < nvis[l + 1]; c++)
                if (vis[l][a] >= 0 && vis[l + 1][c] >= 0) {
                    const double w = fabs(Wl[(size_t)vis[l + 1][c] * nin +
                                             (size_t)vis[l][a]]);
                    wmax = w > wmax ? w : wmax;
                }
        for (size_t a = 0; a < nvis[l]; a++) {
            if (vis[l][a] < 0)
                continue;
            for (size_t c = 0; c < nvis[l + 1]; c++) {
                if (vis[l + 1][c] < 0)
                    continue;
                const size_t i = (size_t)vis[l][a], j = (size_t)vis[l + 1][c];
                const double w = Wl[j * nin + i];
                char colour[8];
                svg_colour(w >= 0 ? SVG_RED : SVG_BLUE, colour);
                sn_buf_printf(b, "<line class=\"conn %s\" x1=\"%.1f\" "
                                 "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                 "stroke=\"%s\" stroke-width=\"%.3f\">"
                                 "<title>W%zu[%zu][%zu] = %.4f</title>"
                                 "</line>\n",
                              w >= 0 ? "pos" : "neg", X(l) + r, Y(l, a),
                              X(l + 1) - r, Y(l + 1, c), colour,
                              wmax > 0 ? 4.0 * fabs(w) / wmax : 0.0, l + 1, j,
                              i, w);
            }
        }
    }
    sn_buf_puts(b, "</g>\n");

    for (size_t l = 0; l < nl; l++) {
        const float *a = acts + start[l];
        const sn_activation act = l == 0 ? SN_ACT_SIGMOID : net->act[l - 1];
        float top = 0.0f;
        for (size_t j = 0; j < net->sizes[l]; j++)
            top = a[j] > top ? a[j] : top;
        for (size_t k = 0; k < nvis[l]; k++) {
            const double x = X(l), y = Y(l, k);
            if (vis[l][k] < 0) {
                svg_text(b, x, y + 6, SVG_MIDDLE, "ellipsis", "\xe2\x8b\xae");
                continue;
            }
            const size_t j = (size_t)vis[l][k];
            const double v = shade(act, a[j], top);
            const unsigned g = (unsigned)lround(255.0 * (1.0 - v));
            const int best = l == nl - 1 && j == predicted;
            sn_buf_printf(b, "<circle class=\"neuron\" cx=\"%.1f\" cy=\"%.1f\" "
                             "r=\"%.1f\" fill=\"#%02x%02x%02x\" stroke=\"%s\" "
                             "stroke-width=\"%s\"><title>%s neuron %zu: "
                             "%s %.4f</title></circle>\n",
                          x, y, r, g, g, g, best ? "#e15759" : "#333",
                          best ? "3" : "1", layer_name(l, nl - 1), j,
                          l == 0 ? "input" : "activation", (double)a[j]);
            if (l == nl - 1)
                svg_text(b, x + r + 8, y + 4, SVG_START, best ? "title" : "",
                         "%zu: %.3f", j, (double)a[j]);
        }
        svg_text(b, X(l), H - 26, SVG_MIDDLE, "", "%s", layer_name(l, nl - 1));
        svg_text(b, X(l), H - 12, SVG_MIDDLE, "small", "%zu neurons",
                 net->sizes[l]);
    }
    svg_end(b);
#undef X
#undef Y
    free(acts);
    return sn_buf_failed(b) ? sn_set_error(err, "network diagram: out of "
                                                "memory") : 0;
}
