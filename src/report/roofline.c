/*
 * roofline.c - roofline charts from the runs of a Google Benchmark file
 * (gbench.h). Per kernel set: each kernel run that reports both GFLOP/s
 * and bytes_per_second is a point at arithmetic intensity GFLOP/s * 1e9 /
 * bytes_per_second (FLOP per byte); the bandwidth/<isa>/<level> runs are
 * the memory roofs; the context's "simdnet_peak_<isa>_1core" ("101.9
 * GFLOP/s") is the compute roof.
 *
 * Runs with bytes but no FLOP count (activations, optimizer steps) have no
 * intensity to place them by: the caption counts them, no point is made
 * up. A value outside plausible bounds is refused rather than drawn: a log
 * axis over a hostile number would span hundreds of decades.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/chart_build.h"
#include "report/gbench.h"
#include "report/svg.h"

/* Plausible bounds: 1 kFLOP/s to 10 PFLOP/s on one core, 1 byte/s to
 * 10 PB/s. */
#define MIN_GFLOPS 1e-6
#define MAX_GFLOPS 1e7
#define MIN_BYTES 1.0
#define MAX_BYTES 1e16

static int is_op(const sn_gb_run *r, const char *op)
{
    return r->op_len == strlen(op) && !strncmp(r->name, op, r->op_len);
}

static int in_set(const sn_gb_run *r, const char *isa)
{
    return r->isa_len == strlen(isa) &&
           !strncmp(r->name + r->isa_off, isa, r->isa_len);
}

/* A value that is there (not NAN) must lie in [lo, hi]. */
static int check_value(const sn_gb_run *r, const char *field, double v,
                       double lo, double hi, sn_error *err)
{
    if (isnan(v) || (v >= lo && v <= hi))
        return 0;
    return sn_set_error(err, "run '%s': %s %g is outside [%g, %g]", r->name,
                        field, v, lo, hi);
}

/* A point: a run of the set with both counters, not a bandwidth run. */
static int is_point(const sn_gb_run *r)
{
    return !is_op(r, "bandwidth") && !isnan(r->gflops) && !isnan(r->bytes);
}

/* The compute roof from the context: NAN if it has none; an error if the
 * field is there and is not "N GFLOP/s" with N in bounds. */
static int read_peak(const cJSON *ctx, const char *isa, double *peak,
                     sn_error *err)
{
    *peak = NAN;
    sn_buf key = {0};
    sn_buf_printf(&key, "simdnet_peak_%s_1core", isa);
    if (sn_buf_failed(&key))
        return sn_set_error(err, "out of memory");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx, key.data);
    int rc = 0;
    if (v) {
        const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
        char *end = NULL;
        const double g = s ? strtod(s, &end) : NAN;
        while (end && *end == ' ')
            end++;
        if (!s || end == s || strcmp(end, "GFLOP/s") != 0 ||
            !(g >= MIN_GFLOPS && g <= MAX_GFLOPS))
            rc = sn_set_error(err, "context field %s is not \"N GFLOP/s\" "
                                   "with N in [%g, %g]", key.data, MIN_GFLOPS,
                              MAX_GFLOPS);
        else
            *peak = g;
    }
    sn_buf_free(&key);
    return rc;
}

/* A memory roof from a bandwidth run: its bytes_per_second, else its GB/s
 * counter; a level measured again keeps the fastest run (the roof is what
 * the memory was seen to reach). A run with neither makes no roof. */
static int add_roof(sn_roofline *rl, const sn_gb_run *r, sn_error *err)
{
    const double bytes = !isnan(r->bytes) ? r->bytes : r->gb_per_s * 1e9;
    if (check_value(r, isnan(r->bytes) ? "GB/s" : "bytes_per_second", bytes,
                    MIN_BYTES, MAX_BYTES, err) != 0)
        return -1;
    if (isnan(bytes))
        return 0;
    const char *level = r->name + r->shape_off;
    if (!*level)
        level = "memory";
    for (size_t i = 0; i < rl->nroofs; i++)
        if (!strcmp(rl->roofs[i].name, level)) {
            if (bytes * 1e-9 > rl->roofs[i].gb_per_s)
                rl->roofs[i].gb_per_s = bytes * 1e-9;
            return 0;
        }
    if (rl->nroofs == SN_ROOFLINE_MAX_ROOFS)
        return sn_set_error(err, "run '%s': more than %d memory levels in "
                                 "one roofline", r->name, SN_ROOFLINE_MAX_ROOFS);
    sn_roof *grown = realloc(rl->roofs, (rl->nroofs + 1) * sizeof *grown);
    if (!grown)
        return sn_set_error(err, "out of memory");
    rl->roofs = grown;
    if (!(grown[rl->nroofs].name = sn_chart_strdup(level)))
        return sn_set_error(err, "out of memory");
    grown[rl->nroofs++].gb_per_s = bytes * 1e-9;
    return 0;
}

static int add_point(sn_roofline *rl, const sn_gb_run *r, sn_error *err)
{
    if (check_value(r, "GFLOP/s", r->gflops, MIN_GFLOPS, MAX_GFLOPS, err) ||
        check_value(r, "bytes_per_second", r->bytes, MIN_BYTES, MAX_BYTES,
                    err))
        return -1;
    if (rl->npoints == SN_ROOFLINE_MAX_POINTS)
        return sn_set_error(err, "run '%s': more than %d kernel runs in one "
                                 "roofline", r->name, SN_ROOFLINE_MAX_POINTS);
    sn_roof_point *grown = realloc(rl->points,
                                   (rl->npoints + 1) * sizeof *grown);
    if (!grown)
        return sn_set_error(err, "out of memory");
    rl->points = grown;
    sn_roof_point *p = &grown[rl->npoints];
    memset(p, 0, sizeof *p);
    p->op = malloc(r->op_len + 1);
    p->shape = sn_chart_strdup(r->name + r->shape_off);
    if (!p->op || !p->shape) {
        free(p->op);
        free(p->shape);
        return sn_set_error(err, "out of memory");
    }
    memcpy(p->op, r->name, r->op_len);
    p->op[r->op_len] = '\0';
    p->gflops = r->gflops;
    p->intensity = r->gflops * 1e9 / r->bytes;
    rl->npoints++;
    return 0;
}

/* The caption: where the numbers come from, and what could not be drawn. */
static char *caption(const char *subtitle, const char *isa,
                     const sn_roofline *rl, size_t flopless)
{
    sn_buf b = {0};
    sn_buf_puts(&b, subtitle);
    if (isnan(rl->peak))
        sn_buf_printf(&b, "; no compute roof (no simdnet_peak_%s_1core in "
                          "the context)", isa);
    if (rl->nroofs == 0)
        sn_buf_printf(&b, "; no memory roofs (no bandwidth/%s/ runs)", isa);
    if (flopless)
        sn_buf_printf(&b, "; %zu run%s with bytes/s but no FLOP count not "
                          "placed", flopless, flopless == 1 ? "" : "s");
    return sn_buf_take(&b);
}

/* The roofline of one kernel set. */
static int roofline_chart(const sn_gb_run *runs, size_t n, const char *isa,
                          const cJSON *ctx, const char *prefix,
                          const char *subtitle, sn_chart_set *set,
                          sn_error *err)
{
    sn_bar_chart c = {0};
    sn_roofline *rl = c.roofline = calloc(1, sizeof *rl);
    int rc = rl ? read_peak(ctx, isa, &rl->peak, err)
                : sn_set_error(err, "out of memory");
    size_t flopless = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const sn_gb_run *r = &runs[i];
        if (!in_set(r, isa))
            continue;
        if (is_op(r, "bandwidth"))
            rc = add_roof(rl, r, err);
        else if (is_point(r))
            rc = add_point(rl, r, err);
        else
            flopless += !isnan(r->bytes);
    }
    if (rc == 0) {
        sn_buf name = {0}, title = {0};
        sn_buf_printf(&name, "roofline-%s", isa);
        sn_buf_printf(&title, "Roofline of the %s kernels, one core", isa);
        c.slug = sn_buf_failed(&name) ? NULL
                                      : sn_chart_slug(prefix, name.data,
                                                      name.len);
        c.title = sn_buf_take(&title);
        c.subtitle = caption(subtitle, isa, rl, flopless);
        sn_buf_free(&name);
        if (!c.slug || !c.title || !c.subtitle)
            rc = sn_set_error(err, "out of memory");
    }
    return sn_chart_finish(set, &c, rc, err);
}

int sn_roofline_read(const sn_gb_run *runs, size_t n, const cJSON *ctx,
                     const char *prefix, const char *subtitle,
                     sn_chart_set *set, sn_error *err)
{
    /* The kernel sets with a point to draw, in order of first appearance. */
    char **isas = NULL;
    size_t nisas = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (is_point(&runs[i]))
            rc = sn_chart_intern_chart(&isas, &nisas,
                                       runs[i].name + runs[i].isa_off,
                                       runs[i].isa_len, "kernel sets", err);
    }
    for (size_t i = 0; i < nisas && rc == 0; i++)
        rc = roofline_chart(runs, n, isas[i], ctx, prefix, subtitle, set, err);
    sn_chart_free_list(isas, nisas);
    return rc;
}
