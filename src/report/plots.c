/*
 * plots.c - the charts with axes: the cost curve (with test accuracy on a
 * second axis), grouped bar charts for the benchmarks, and the confusion
 * matrix heat map.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "report/report.h"

#define COLOUR_COST 0x4e79a7u
#define COLOUR_ACC 0xe15759u

/* A value axis up the plot: the ticks svg_ticks rounded [lo, hi] to, the
 * plot's top and height in pixels. */
typedef struct y_axis {
    double lo, hi, first, step, top, height;
    size_t nticks;
} y_axis;

static y_axis y_axis_make(double lo, double hi, size_t most_ticks, double top,
                          double height)
{
    y_axis a = {lo, hi, 0, 0, top, height, 0};
    svg_ticks(&a.lo, &a.hi, most_ticks, &a.first, &a.step, &a.nticks);
    return a;
}

static double tick_value(const y_axis *a, size_t t)
{
    return a->first + (double)t * a->step;
}

/* The pixel row of value v. */
static double y_at(const y_axis *a, double v)
{
    return a->top + a->height - (v - a->lo) / (a->hi - a->lo) * a->height;
}

/* Grid lines across the plot from x = left, width wide, labelled at the
 * left: the axis of the cost curve and of the bar charts. */
static void y_grid(sn_buf *b, const y_axis *a, double left, double width)
{
    for (size_t t = 0; t < a->nticks; t++) {
        const double v = tick_value(a, t), y = y_at(a, v);
        char label[32];
        svg_format_tick(v, a->step, label, sizeof label);
        sn_buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\"/>\n", left, y, left + width,
                      y);
        svg_text(b, left - 6, y + 4, SVG_END, "", "%s", label);
    }
}

/* ------------------------------------------------------------ cost curve */

const char *sn_report_cost_name(sn_loss loss)
{
    return loss == SN_LOSS_CE ? "cross-entropy" : "L2 cost";
}

int sn_svg_cost_curve(sn_buf *b, const float *costs, size_t epochs,
                      size_t nbatches, const double *accuracy, sn_loss loss,
                      sn_error *err)
{
    const size_t n = epochs * nbatches;
    if (n == 0)
        return sn_set_error(err, "cost curve: no batches to draw");
    const double W = 880, H = 430, L = 70, R = 75, T = 58, B = 52;
    const double pw = W - L - R, ph = H - T - B;
    double cmax = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(costs[i]))
            return sn_set_error(err, "cost curve: the cost of batch %zu of "
                                     "epoch %zu is %g", i % nbatches + 1,
                                i / nbatches + 1, (double)costs[i]);
        cmax = costs[i] > cmax ? costs[i] : cmax;
    }
    const y_axis cost_axis = y_axis_make(0.0, cmax, 7, T, ph);
    /* Batch i sits at the middle of its slot, so that epoch boundaries fall
     * between batches and a single batch is still drawn. */
    const double slot = pw / (double)n;
#define XB(i) (L + ((double)(i) + 0.5) * slot)

    svg_begin(b, W, H, "Training cost per batch and test accuracy per epoch");
    svg_text(b, L, 24, SVG_START, "title", "Training: mean cost per batch");
    char colour[8];
    svg_colour(COLOUR_COST, colour);
    sn_buf_printf(b, "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"40\" "
                     "stroke=\"%s\" stroke-width=\"2\"/>\n", L, L + 22, colour);
    svg_text(b, L + 28, 44, SVG_START, "", "mean %s of the batch (left)",
             sn_report_cost_name(loss));
    int have_acc = 0;
    double amin = INFINITY, amax = -INFINITY;
    for (size_t e = 0; accuracy && e < epochs; e++)
        if (isfinite(accuracy[e])) {
            have_acc = 1;
            amin = accuracy[e] < amin ? accuracy[e] : amin;
            amax = accuracy[e] > amax ? accuracy[e] : amax;
        }
    svg_colour(COLOUR_ACC, colour);
    if (have_acc) {
        sn_buf_printf(b, "<circle cx=\"%.1f\" cy=\"40\" r=\"4\" fill=\"%s\"/>\n",
                      L + 290, colour);
        svg_text(b, L + 300, 44, SVG_START, "",
                 "test accuracy after each epoch (right)");
    }

    /* Horizontal grid and the cost axis. */
    y_grid(b, &cost_axis, L, pw);
    /* Epoch boundaries, and each epoch's name over its span when they fit. */
    const size_t label_every = epochs <= 12 ? 1 : (epochs + 11) / 12;
    for (size_t e = 0; e < epochs; e++) {
        const double x0 = L + (double)(e * nbatches) * slot;
        if (e > 0)
            sn_buf_printf(b, "<line class=\"epoch\" x1=\"%.1f\" y1=\"%.1f\" "
                             "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                             "stroke-dasharray=\"4 3\"/>\n", x0, T, x0, T + ph);
        if (e % label_every == 0)
            svg_text(b, x0 + (double)nbatches * slot / 2, T + 14, SVG_MIDDLE,
                     "small", "epoch %zu", e + 1);
    }
    /* The curve: one point per batch. */
    svg_colour(COLOUR_COST, colour);
    sn_buf_printf(b, "<polyline class=\"cost\" fill=\"none\" stroke=\"%s\" "
                     "stroke-width=\"1.2\" stroke-linejoin=\"round\" points=\"",
                  colour);
    for (size_t i = 0; i < n; i++)
        sn_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", XB(i),
                      y_at(&cost_axis, costs[i]));
    sn_buf_puts(b, "\"/>\n");

    /* The batch axis. */
    double xlo = 0.0, xhi = (double)n, xfirst, xstep;
    size_t nx;
    svg_ticks(&xlo, &xhi, 9, &xfirst, &xstep, &nx);
    for (size_t t = 0; t < nx; t++) {
        const double v = xfirst + (double)t * xstep;
        if (v > (double)n)
            break;
        const double x = L + v * slot;
        char label[32];
        svg_format_tick(v, xstep, label, sizeof label);
        sn_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
                         "x2=\"%.1f\" y2=\"%.1f\"/>\n", x, T + ph, x, T + ph + 5);
        svg_text(b, x, T + ph + 18, SVG_MIDDLE, "", "%s", label);
    }
    svg_text(b, L + pw / 2, H - 10, SVG_MIDDLE, "",
             "batch (%zu per epoch, %zu epochs)", nbatches, epochs);
    sn_buf_printf(b, "<path class=\"axis\" d=\"M%.1f %.1f V%.1f H%.1f\"/>\n",
                  L, T, T + ph, L + pw);
    sn_buf_printf(b, "<text transform=\"translate(16 %.1f) rotate(-90)\" "
                     "text-anchor=\"middle\">cost</text>\n", T + ph / 2);

    if (have_acc) {
        /* Accuracy axis: a round range around the values, at most 100%. */
        double alo = 100.0 * amin, ahi = 100.0 * amax;
        if (ahi - alo < 1.0) {
            alo -= 0.5;
            ahi += 0.5;
        }
        const y_axis acc_axis = y_axis_make(alo, ahi, 6, T, ph);
        svg_colour(COLOUR_ACC, colour);
        sn_buf_printf(b, "<path class=\"axis\" d=\"M%.1f %.1f V%.1f\"/>\n",
                      L + pw, T, T + ph);
        for (size_t t = 0; t < acc_axis.nticks; t++) {
            const double v = tick_value(&acc_axis, t), y = y_at(&acc_axis, v);
            char label[32];
            svg_format_tick(v, acc_axis.step, label, sizeof label);
            sn_buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
                             "x2=\"%.1f\" y2=\"%.1f\"/>\n", L + pw, y,
                          L + pw + 5, y);
            svg_text(b, L + pw + 8, y + 4, SVG_START, "", "%s%%", label);
        }
        sn_buf_printf(b, "<text transform=\"translate(%.1f %.1f) rotate(90)\" "
                         "text-anchor=\"middle\">test accuracy</text>\n",
                      W - 14, T + ph / 2);
        /* A point at the last batch of each epoch, joined by a line. */
        sn_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" "
                         "stroke-width=\"1.5\" points=\"", colour);
        int first = 1;
        for (size_t e = 0; e < epochs; e++)
            if (isfinite(accuracy[e])) {
                sn_buf_printf(b, "%s%.1f,%.1f", first ? "" : " ",
                              XB((e + 1) * nbatches - 1),
                              y_at(&acc_axis, 100.0 * accuracy[e]));
                first = 0;
            }
        sn_buf_puts(b, "\"/>\n");
        for (size_t e = 0; e < epochs; e++) {
            if (!isfinite(accuracy[e]))
                continue;
            const double x = XB((e + 1) * nbatches - 1);
            const double y = y_at(&acc_axis, 100.0 * accuracy[e]);
            sn_buf_printf(b, "<circle class=\"acc\" cx=\"%.1f\" cy=\"%.1f\" "
                             "r=\"4.5\" fill=\"%s\"><title>epoch %zu: %.2f%%"
                             "</title></circle>\n", x, y, colour, e + 1,
                          100.0 * accuracy[e]);
            svg_text(b, x - 4, y - 9, SVG_END, "small", "%.2f%%",
                     100.0 * accuracy[e]);
        }
    }
    svg_end(b);
#undef XB
    return sn_buf_failed(b) ? sn_set_error(err, "cost curve: out of memory") : 0;
}

/* ------------------------------------------------------------ bar charts */

int sn_svg_bar_chart(sn_buf *b, const sn_bar_chart *c, sn_error *err)
{
    if (c->ngroups == 0 || c->nseries == 0)
        return sn_set_error(err, "bar chart '%s': no bars", c->title);
    double vmax = 0.0;
    for (size_t i = 0; i < c->ngroups * c->nseries; i++) {
        const double v = c->hi && isfinite(c->hi[i]) ? c->hi[i] : c->value[i];
        if (isfinite(v) && v > vmax)
            vmax = v;
    }
    /* Bars 18 px wide, narrower when there are many; a gap of one bar
     * between groups. Room above the tallest bar for its value. */
    const size_t nbars = c->ngroups * c->nseries;
    const double bar = nbars > 48 ? 9 : nbars > 24 ? 13 : 18;
    const double group_w = bar * (double)(c->nseries + 1);
    size_t longest = 0;
    for (size_t g = 0; g < c->ngroups; g++) {
        const size_t len = strlen(c->groups[g]);
        longest = len > longest ? len : longest;
    }
    const int slant = (double)longest * 6.5 > group_w - 4;
    double legend_w = 0;
    for (size_t s = 0; s < c->nseries; s++) {
        const double w = 30 + 7.0 * (double)strlen(c->series[s]);
        legend_w = w > legend_w ? w : legend_w;
    }
    const double L = 74, T = 64, ph = 260;
    double pw = group_w * (double)c->ngroups;
    pw = pw < 320 ? 320 : pw;
    const double B = slant ? 30 + 5.0 * (double)(longest < 24 ? longest : 24) : 44;
    /* Wide enough for the headings too (about 9 and 5.6 px a character). */
    double W = L + pw + 24 + legend_w + 10;
    const double title_w = L + 9.0 * (double)strlen(c->title) + 10;
    const double sub_w = c->subtitle ? L + 5.6 * (double)strlen(c->subtitle) + 10 : 0;
    W = W < title_w ? title_w : W;
    W = W < sub_w ? sub_w : W;
    const double H = T + ph + B;
    const y_axis axis =
        y_axis_make(0.0, vmax > 0 ? vmax * 1.15 : 1.0, 6, T, ph);

    svg_begin(b, W, H, c->title);
    svg_text(b, L, 24, SVG_START, "title", "%s", c->title);
    if (c->subtitle)
        svg_text(b, L, 42, SVG_START, "small", "%s", c->subtitle);
    y_grid(b, &axis, L, pw);
    sn_buf_printf(b, "<text transform=\"translate(16 %.1f) rotate(-90)\" "
                     "text-anchor=\"middle\">", T + ph / 2);
    sn_buf_put_xml(b, c->unit);
    sn_buf_puts(b, "</text>\n");

    const double x0 = L + (pw - group_w * (double)c->ngroups) / 2;
    for (size_t g = 0; g < c->ngroups; g++) {
        const double gx = x0 + (double)g * group_w + bar / 2;
        for (size_t s = 0; s < c->nseries; s++) {
            const size_t i = g * c->nseries + s;
            const double v = c->value[i];
            if (!isfinite(v))
                continue;
            const double x = gx + (double)s * bar;
            const double y = y_at(&axis, v < 0 ? 0 : v);
            char colour[8];
            svg_colour(svg_series_colour(s), colour);
            sn_buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
                             "width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                             "<title>", x, y, bar - 1, T + ph - y, colour);
            sn_buf_put_xml(b, c->series[s]);
            sn_buf_puts(b, ", ");
            sn_buf_put_xml(b, c->groups[g]);
            sn_buf_printf(b, ": %.4g ", v);
            sn_buf_put_xml(b, c->unit);
            if (c->lo && c->hi && isfinite(c->lo[i]) && isfinite(c->hi[i]))
                sn_buf_printf(b, " (%.4g to %.4g)", c->lo[i], c->hi[i]);
            sn_buf_puts(b, "</title></rect>\n");
            double top = y;
            if (c->lo && c->hi && isfinite(c->lo[i]) && isfinite(c->hi[i])) {
                const double xm = x + (bar - 1) / 2;
                const double ylo = y_at(&axis, c->lo[i]);
                const double yhi = y_at(&axis, c->hi[i]);
                sn_buf_printf(b, "<path class=\"err\" d=\"M%.1f %.1f V%.1f "
                                 "M%.1f %.1f h%.1f M%.1f %.1f h%.1f\" "
                                 "stroke=\"#222\" fill=\"none\"/>\n",
                              xm, ylo, yhi, xm - 3, ylo, 6.0, xm - 3, yhi, 6.0);
                top = yhi;
            }
            /* The value, written upwards above the bar. */
            char value[32];
            snprintf(value, sizeof value, "%.3g", v);
            sn_buf_printf(b, "<text class=\"small\" transform=\"translate("
                             "%.1f %.1f) rotate(-90)\">%s</text>\n",
                          x + bar / 2 + 3, top - 3, value);
        }
        const double cx = gx + bar * (double)c->nseries / 2 - bar / 2 + bar / 2;
        if (slant) {
            sn_buf_printf(b, "<text transform=\"translate(%.1f %.1f) "
                             "rotate(-35)\" text-anchor=\"end\">", cx,
                          T + ph + 14);
            sn_buf_put_xml_cut(b, c->groups[g], SVG_TEXT_MAX);
            sn_buf_puts(b, "</text>\n");
        } else {
            svg_text(b, cx, T + ph + 17, SVG_MIDDLE, "", "%s", c->groups[g]);
        }
    }
    sn_buf_printf(b, "<path class=\"axis\" d=\"M%.1f %.1f V%.1f H%.1f\"/>\n",
                  L, T, T + ph, L + pw);
    /* Legend, right of the plot. */
    for (size_t s = 0; s < c->nseries; s++) {
        const double y = T + 8 + 20.0 * (double)s;
        char colour[8];
        svg_colour(svg_series_colour(s), colour);
        sn_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
                         "height=\"14\" fill=\"%s\"/>\n", L + pw + 24, y - 11,
                      colour);
        svg_text(b, L + pw + 44, y, SVG_START, "", "%s", c->series[s]);
    }
    svg_end(b);
    return sn_buf_failed(b) ? sn_set_error(err, "bar chart: out of memory") : 0;
}

int sn_svg_chart(sn_buf *b, const sn_bar_chart *c, sn_error *err)
{
    return c->roofline ? sn_svg_roofline(b, c, err)
                       : sn_svg_bar_chart(b, c, err);
}

/* ------------------------------------------------------------ confusion */

int sn_svg_confusion(sn_buf *b, const size_t *confusion, size_t classes,
                     sn_error *err)
{
    if (classes == 0)
        return sn_set_error(err, "confusion matrix: no classes");
    const double cell = classes <= 12 ? 44 : classes <= 30 ? 24 : 12;
    const int counts = cell >= 24;
    const double L = 70, T = 92;
    const double W = L + cell * (double)classes + 90;
    const double H = T + cell * (double)classes + 50;
    size_t total = 0, correct = 0;
    for (size_t t = 0; t < classes; t++)
        for (size_t p = 0; p < classes; p++) {
            total += confusion[t * classes + p];
            correct += t == p ? confusion[t * classes + p] : 0;
        }

    svg_begin(b, W, H, "Confusion matrix of the test set");
    svg_text(b, 10, 24, SVG_START, "title", "Confusion matrix (test set)");
    svg_text(b, 10, 42, SVG_START, "small",
             "%zu of %zu correct (%.2f%%); shade: share of the true class's "
             "samples", correct, total,
             total ? 100.0 * (double)correct / (double)total : 0.0);
    svg_text(b, L + cell * (double)classes / 2, T - 28, SVG_MIDDLE, "",
             "predicted class");
    sn_buf_printf(b, "<text transform=\"translate(20 %.1f) rotate(-90)\" "
                     "text-anchor=\"middle\">true class</text>\n",
                  T + cell * (double)classes / 2);
    svg_text(b, L + cell * (double)classes + 8, T - 6, SVG_START, "small",
             "recall");
    for (size_t t = 0; t < classes; t++) {
        size_t row = 0;
        for (size_t p = 0; p < classes; p++)
            row += confusion[t * classes + p];
        const double y = T + cell * (double)t;
        svg_text(b, L - 8, y + cell / 2 + 4, SVG_END, "", "%zu", t);
        for (size_t p = 0; p < classes; p++) {
            const size_t n = confusion[t * classes + p];
            const double share = row ? (double)n / (double)row : 0.0;
            /* The square root lifts the few mistakes out of the white. */
            const double shade = sqrt(share);
            char colour[8];
            svg_colour(svg_sequential(shade), colour);
            const double x = L + cell * (double)p;
            sn_buf_printf(b, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" "
                             "width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                             "stroke=\"#fff\"><title>true %zu, predicted %zu: "
                             "%zu (%.1f%% of %zu)</title></rect>\n",
                          x, y, cell, cell, colour, t, p, n, 100.0 * share, row);
            if (counts)
                sn_buf_printf(b, "<text class=\"count\" x=\"%.1f\" y=\"%.1f\" "
                                 "text-anchor=\"middle\"%s>%zu</text>\n",
                              x + cell / 2, y + cell / 2 + 4,
                              shade > 0.55 ? " style=\"fill:#fff\"" : "", n);
        }
        svg_text(b, L + cell * (double)classes + 8, y + cell / 2 + 4,
                 SVG_START, "small", "%.1f%%",
                 row ? 100.0 * (double)confusion[t * classes + t] / (double)row
                     : 0.0);
    }
    for (size_t p = 0; p < classes; p++)
        svg_text(b, L + cell * ((double)p + 0.5), T - 6, SVG_MIDDLE, "", "%zu",
                 p);
    svg_end(b);
    return sn_buf_failed(b) ? sn_set_error(err, "confusion matrix: out of "
                                                "memory") : 0;
}
