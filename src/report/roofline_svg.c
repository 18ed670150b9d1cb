/*
 * roofline_svg.c - a roofline (report.h's sn_roofline) drawn log-log:
 * arithmetic intensity (FLOP per byte) along x, GFLOP/s up y; the compute
 * roof a horizontal line at the peak, each memory roof the diagonal
 * y = bandwidth * intensity up to the peak; each kernel a numbered point,
 * its number, op, shape and numbers in a key beside the plot, so that
 * kernels of close intensity do not pile their labels on each other.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/report.h"

/* A log axis over whole decades: lo and hi are log10 of its ends; pixels
 * from start over length, upwards when up. */
typedef struct log_axis {
    double lo, hi, start, length;
    int up;
} log_axis;

static log_axis log_axis_make(double vmin, double vmax, double start,
                              double length, int up)
{
    log_axis a = {floor(log10(vmin) - 0.05), ceil(log10(vmax) + 0.05), start,
                  length, up};
    return a;
}

static double log_px(const log_axis *a, double v)
{
    const double t = (log10(v) - a->lo) / (a->hi - a->lo) * a->length;
    return a->up ? a->start + a->length - t : a->start + t;
}

/* "0.01" .. "100000" for the decades people read at a glance, else
 * "1e-5" and "1e7". */
static void decade_label(int k, char *out, size_t len)
{
    if (k >= -3 && k <= 5)
        snprintf(out, len, "%g", pow(10.0, k));
    else
        snprintf(out, len, "1e%d", k);
}

/* Grid lines and labels at the decades of both axes (every one up to ten
 * of them, else every few). */
static void log_grid(sn_buf *b, const log_axis *x, const log_axis *y)
{
    for (int pass = 0; pass < 2; pass++) {
        const log_axis *a = pass ? y : x;
        const int every = (int)ceil((a->hi - a->lo) / 10.0);
        for (int k = (int)a->lo; k <= (int)a->hi; k += every) {
            const double p = log_px(a, pow(10.0, k));
            char label[32];
            decade_label(k, label, sizeof label);
            if (pass) {
                sn_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
                                 "x2=\"%.1f\" y2=\"%.1f\"/>\n", x->start, p,
                              x->start + x->length, p);
                svg_text(b, x->start - 6, p + 4, SVG_END, "", "%s", label);
            } else {
                sn_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
                                 "x2=\"%.1f\" y2=\"%.1f\"/>\n", p, y->start, p,
                              y->start + y->length);
                svg_text(b, p, y->start + y->length + 17, SVG_MIDDLE, "", "%s",
                         label);
            }
        }
    }
}

/* Each point's colour: one per op, in order of first appearance. NULL if
 * out of memory. */
static uint32_t *op_colours(const sn_roofline *rl)
{
    uint32_t *colour = malloc(rl->npoints * sizeof *colour);
    size_t ops = 0;
    for (size_t i = 0; colour && i < rl->npoints; i++) {
        size_t j = 0;
        while (j < i && strcmp(rl->points[j].op, rl->points[i].op) != 0)
            j++;
        colour[i] = j < i ? colour[j] : svg_series_colour(ops++);
    }
    return colour;
}

/* Where a point's number is written, to keep the next ones off it. */
typedef struct label_box {
    double x0, y0, x1, y1;
} label_box;

/* Writes point n's number beside (px, py): above right, below right, above
 * left or below left, the first place that no number holds yet; none if
 * all four are taken (a cluster of points: the key and each point's
 * tooltip still say which is which). */
static void place_number(sn_buf *b, label_box *boxes, size_t *nboxes,
                         double px, double py, size_t n)
{
    char text[24];
    const int len = snprintf(text, sizeof text, "%zu", n);
    const double w = 6.0 * (double)len, h = 10;
    static const double dx[4] = {5, 5, -5, -5}, dy[4] = {-5, 12, -5, 12};
    for (int k = 0; k < 4; k++) {
        const double x0 = dx[k] > 0 ? px + dx[k] : px + dx[k] - w;
        const label_box r = {x0, py + dy[k] - h, x0 + w, py + dy[k]};
        size_t j = 0;
        while (j < *nboxes && (r.x1 <= boxes[j].x0 || r.x0 >= boxes[j].x1 ||
                               r.y1 <= boxes[j].y0 || r.y0 >= boxes[j].y1))
            j++;
        if (j < *nboxes)
            continue;
        boxes[(*nboxes)++] = r;
        svg_text(b, px + dx[k], py + dy[k], dx[k] > 0 ? SVG_START : SVG_END,
                 "small number", "%s", text);
        return;
    }
}

/* The memory roof of bandwidth bw (GB/s) as drawn: from where it enters
 * the plot to where it meets the peak (or leaves the plot). 0 if it is
 * not in the plot at all. */
static int roof_span(const log_axis *x, const log_axis *y, double bw,
                     double peak, double *xa, double *xb)
{
    const double top = isnan(peak) ? pow(10.0, y->hi) : peak;
    *xa = fmax(pow(10.0, x->lo), pow(10.0, y->lo) / bw);
    *xb = fmin(pow(10.0, x->hi), top / bw);
    return *xa < *xb;
}

int sn_svg_roofline(sn_buf *b, const sn_bar_chart *c, sn_error *err)
{
    const sn_roofline *rl = c->roofline;
    if (!rl || rl->npoints == 0)
        return sn_set_error(err, "roofline '%s': no kernels to draw",
                            c->title);
    /* The ranges: every point, the peak, and where each roof meets it. */
    double xmin = INFINITY, xmax = 0, ymin = INFINITY, ymax = 0, bwmax = 0;
    for (size_t i = 0; i < rl->npoints; i++) {
        xmin = fmin(xmin, rl->points[i].intensity);
        xmax = fmax(xmax, rl->points[i].intensity);
        ymin = fmin(ymin, rl->points[i].gflops);
        ymax = fmax(ymax, rl->points[i].gflops);
    }
    if (!isnan(rl->peak)) {
        ymax = fmax(ymax, rl->peak * 1.5);
        for (size_t i = 0; i < rl->nroofs; i++) {
            xmin = fmin(xmin, rl->peak / rl->roofs[i].gb_per_s);
            xmax = fmax(xmax, rl->peak / rl->roofs[i].gb_per_s);
        }
    }
    for (size_t i = 0; i < rl->nroofs; i++)
        bwmax = fmax(bwmax, rl->roofs[i].gb_per_s);

    /* The key beside the plot: the roofs, then a line per point. */
    uint32_t *colours = op_colours(rl);
    label_box *boxes = malloc(rl->npoints * sizeof *boxes);
    size_t nboxes = 0;
    if (!colours || !boxes) {
        free(colours);
        free(boxes);
        return sn_set_error(err, "roofline: out of memory");
    }
    const double L = 74, T = 64, pw = 520, ph = 380, B = 50, line = 15;
    sn_buf key = {0};
    double key_w = 0;
    for (size_t i = 0; i < rl->npoints; i++) {
        const sn_roof_point *p = &rl->points[i];
        const double chars = (double)(strlen(p->op) + strlen(p->shape)) + 36;
        key_w = fmax(key_w, 24 + 6.2 * fmin(chars, SVG_TEXT_MAX));
    }
    const double key_h = line * (double)(rl->nroofs + rl->npoints + 3);
    const double H = fmax(T + ph + B, T + key_h + 20);
    double W = L + pw + 30 + key_w + 10;
    W = fmax(W, L + 9.0 * (double)strlen(c->title) + 10);
    W = fmax(W, L + 5.6 * (double)fmin((double)strlen(c->subtitle),
                                       SVG_TEXT_MAX) + 10);
    const log_axis x = log_axis_make(xmin, xmax, L, pw, 0);
    const log_axis y = log_axis_make(ymin, ymax, T, ph, 1);

    svg_begin(b, W, H, c->title);
    svg_text(b, L, 24, SVG_START, "title", "%s", c->title);
    svg_text(b, L, 42, SVG_START, "small", "%s", c->subtitle);
    log_grid(b, &x, &y);
    sn_buf_printf(b, "<text transform=\"translate(16 %.1f) rotate(-90)\" "
                     "text-anchor=\"middle\">GFLOP/s</text>\n", T + ph / 2);
    svg_text(b, L + pw / 2, T + ph + 38, SVG_MIDDLE, "",
             "arithmetic intensity (FLOP per byte)");
    sn_buf_printf(b, "<path class=\"axis\" d=\"M%.1f %.1f V%.1f H%.1f\"/>\n",
                  L, T, T + ph, L + pw);

    /* The roofs. A diagonal's label runs along it, near where it enters. */
    const double angle = -atan2(ph / (y.hi - y.lo), pw / (x.hi - x.lo)) *
                         45.0 / atan(1.0);
    for (size_t i = 0; i < rl->nroofs; i++) {
        const sn_roof *r = &rl->roofs[i];
        double xa, xb;
        if (!roof_span(&x, &y, r->gb_per_s, rl->peak, &xa, &xb))
            continue;
        const double x1 = log_px(&x, xa), y1 = log_px(&y, r->gb_per_s * xa);
        const double x2 = log_px(&x, xb), y2 = log_px(&y, r->gb_per_s * xb);
        sn_buf_printf(b, "<line class=\"roof mem\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
                         "stroke-width=\"1.5\"><title>", x1, y1, x2, y2);
        sn_buf_put_xml(b, r->name);
        sn_buf_printf(b, ": %.4g GB/s</title></line>\n", r->gb_per_s);
        const double lx = x1 + 0.08 * (x2 - x1), ly = y1 + 0.08 * (y2 - y1);
        sn_buf_printf(b, "<text class=\"small roof-label\" transform=\""
                         "translate(%.1f %.1f) rotate(%.1f)\">", lx, ly - 4,
                      angle);
        sn_buf_put_xml_cut(b, r->name, 24);
        sn_buf_printf(b, " %.3g GB/s</text>\n", r->gb_per_s);
    }
    if (!isnan(rl->peak)) {
        const double from = bwmax > 0 ? fmax(pow(10.0, x.lo), rl->peak / bwmax)
                                      : pow(10.0, x.lo);
        const double py = log_px(&y, rl->peak);
        sn_buf_printf(b, "<line class=\"roof peak\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                         "stroke-width=\"2\"><title>FMA peak: %.4g GFLOP/s"
                         "</title></line>\n", log_px(&x, from), py, L + pw, py,
                      rl->peak);
        svg_text(b, L + pw - 4, py - 6, SVG_END, "small roof-label",
                 "FMA peak %.4g GFLOP/s", rl->peak);
    }

    /* The points, numbered; the key says which is which. */
    for (size_t i = 0; i < rl->npoints; i++) {
        const sn_roof_point *p = &rl->points[i];
        const double px = log_px(&x, p->intensity), py = log_px(&y, p->gflops);
        char colour[8];
        svg_colour(colours[i], colour);
        sn_buf_printf(b, "<circle class=\"point\" cx=\"%.2f\" cy=\"%.2f\" "
                         "r=\"4\" fill=\"%s\" stroke=\"#fff\"><title>%zu ",
                      px, py, colour, i + 1);
        sn_buf_put_xml(b, p->op);
        sn_buf_puts(b, " ");
        sn_buf_put_xml(b, p->shape);
        sn_buf_printf(b, ": %.4g GFLOP/s at %.3g FLOP/byte</title></circle>\n",
                      p->gflops, p->intensity);
        place_number(b, boxes, &nboxes, px, py, i + 1);
    }
    const double kx = L + pw + 30;
    double ky = T + 4;
    svg_text(b, kx, ky, SVG_START, "", "%s", rl->nroofs ? "memory roofs" :
             "no memory roofs");
    for (size_t i = 0; i < rl->nroofs; i++) {
        ky += line;
        sn_buf_printf(&key, "%.4g GB/s", rl->roofs[i].gb_per_s);
        svg_text(b, kx + 8, ky, SVG_START, "small", "%s: %s",
                 rl->roofs[i].name, key.data ? key.data : "");
        key.len = 0;
    }
    ky += line * 2;
    svg_text(b, kx, ky, SVG_START, "", "kernels");
    for (size_t i = 0; i < rl->npoints; i++) {
        const sn_roof_point *p = &rl->points[i];
        char colour[8];
        ky += line;
        svg_colour(colours[i], colour);
        sn_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
                         "fill=\"%s\"/>\n", kx + 12, ky - 4, colour);
        svg_text(b, kx + 20, ky, SVG_START, "small key",
                 "%zu %s %s: %.3g GFLOP/s, %.3g FLOP/B", i + 1, p->op,
                 p->shape, p->gflops, p->intensity);
    }
    const int failed = sn_buf_failed(&key);
    sn_buf_free(&key);
    free(colours);
    free(boxes);
    svg_end(b);
    return failed || sn_buf_failed(b)
               ? sn_set_error(err, "roofline: out of memory") : 0;
}
