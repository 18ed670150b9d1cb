/*
 * gbench_json.c - the charts of a Google Benchmark JSON file (bench_kernels).
 *
 * {"context": {...}, "benchmarks": [{
 * "name": "gemv/avx512/32x784", "run_type": "iteration" | "aggregate",
 * "aggregate_name": "median", "items_per_second": ..., "GFLOP/s": ...}]}.
 * Names are op/isa/shape by bench_kernels' convention; a name with fewer
 * parts still gets a chart. With repetitions, the median aggregate is used
 * (else the mean, else the average of the runs). Each kernel set with
 * runs that count both FLOPs and bytes also gets a roofline (roofline.c).
 *
 * Limits as bench_json.c's (SN_CHART_MAX_*).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/chart_build.h"
#include "report/gbench.h"
#include "report/json.h"
#include "report/report.h"
#include "report/svg.h"

/* ------------------------------------------------------------ Google Benchmark */

static double to_ns(double t, const char *unit)
{
    if (!unit || !strcmp(unit, "ns"))
        return t;
    if (!strcmp(unit, "us"))
        return t * 1e3;
    if (!strcmp(unit, "ms"))
        return t * 1e6;
    if (!strcmp(unit, "s"))
        return t * 1e9;
    return NAN;
}

/* A name with no slash is its own op and isa; with one, it has no shape. */
static void split_name(const char *name, sn_gb_run *e)
{
    const char *a = strchr(name, '/');
    const char *b = a ? strchr(a + 1, '/') : NULL;
    const size_t n = strlen(name);
    e->name = name;
    e->op_len = a ? (size_t)(a - name) : n;
    e->isa_off = a ? e->op_len + 1 : 0;
    e->isa_len = b ? (size_t)(b - a - 1) : n - e->isa_off;
    e->shape_off = b ? (size_t)(b - name) + 1 : n;
}

static int same_op(const sn_gb_run *x, const char *op)
{
    return !strncmp(x->name, op, x->op_len) && op[x->op_len] == '\0';
}

static int gb_truthy(const cJSON *v)
{
    return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0);
}

/* Which runs to draw: the median aggregates if there are any, else the
 * means, else every plain run. */
static const char *gb_pick(const cJSON *list)
{
    int median = 0, mean = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, list) {
        const char *agg = sn_json_string(b, "aggregate_name");
        median |= agg && !strcmp(agg, "median");
        mean |= agg && !strcmp(agg, "mean");
    }
    return median ? "median" : mean ? "mean" : NULL;
}

/* The runs to draw, in file order. */
static int gb_entries(const cJSON *list, const char *agg, sn_gb_run **out,
                      size_t *count, sn_error *err)
{
    const size_t total = (size_t)cJSON_GetArraySize(list);
    sn_gb_run *e = calloc(total ? total : 1, sizeof *e);
    if (!e)
        return sn_set_error(err, "out of memory");
    size_t n = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, list) {
        if (!cJSON_IsObject(b) ||
            gb_truthy(cJSON_GetObjectItemCaseSensitive(b, "error_occurred")) ||
            gb_truthy(cJSON_GetObjectItemCaseSensitive(b, "skipped")))
            continue;
        const char *run_agg = sn_json_string(b, "aggregate_name");
        if (agg ? !run_agg || strcmp(run_agg, agg) : run_agg != NULL)
            continue;
        const char *name = sn_json_string(b, "run_name");
        if (!name)
            name = sn_json_string(b, "name");
        if (!name)
            continue;
        sn_gb_run *x = &e[n++];
        split_name(name, x);
        x->gflops = sn_json_number(b, "GFLOP/s");
        x->items = sn_json_number(b, "items_per_second");
        x->bytes = sn_json_number(b, "bytes_per_second");
        x->gb_per_s = sn_json_number(b, "GB/s");
        x->ns = to_ns(sn_json_number(b, "real_time"),
                      sn_json_string(b, "time_unit"));
    }
    *out = e;
    *count = n;
    return 0;
}

static const char *const gb_units[4] = {
    "GFLOP/s", "million items/s", "GB/s", "ns per iteration (lower is better)"};
static const char *const gb_what[4] = {"GFLOP/s", "items/s", "bytes/s", "time"};
static const double gb_scale[4] = {1.0, 1e-6, 1e-9, 1.0};

static double gb_value(const sn_gb_run *x, int metric)
{
    return metric == 0 ? x->gflops : metric == 1 ? x->items
           : metric == 2 ? x->bytes : x->ns;
}

/* The metric of an op: GFLOP/s where it counts FLOPs, else items/s, else
 * bytes/s, else the time per iteration; -1 if its runs have none. */
static int gb_metric(const sn_gb_run *e, size_t n, const char *op)
{
    int has[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        if (same_op(&e[i], op))
            for (int m = 0; m < 4; m++)
                has[m] |= isfinite(gb_value(&e[i], m));
    for (int m = 0; m < 4; m++)
        if (has[m])
            return m;
    return -1;
}

/* A run's value in its op's chart: groups are shapes, series kernel sets. */
static long gb_slot(sn_bar_chart *c, const sn_gb_run *x, sn_error *err)
{
    const char *shape = x->name + x->shape_off;
    return sn_chart_slot(c, shape, strlen(shape), x->name + x->isa_off,
                         x->isa_len, err);
}

/* One op's chart. */
static int gb_chart(const sn_gb_run *e, size_t n, const char *op,
                    const char *prefix, const char *subtitle,
                    sn_chart_set *set, sn_error *err)
{
    const int metric = gb_metric(e, n, op);
    if (metric < 0)
        return 0;
    sn_bar_chart c = {0};
    sn_buf title = {0};
    sn_buf_printf(&title, "%s: %s per kernel set", op, gb_what[metric]);
    c.title = sn_buf_take(&title);
    c.subtitle = sn_chart_strdup(subtitle);
    c.unit = sn_chart_strdup(gb_units[metric]);
    c.slug = sn_chart_slug(prefix, op, strlen(op));
    int rc = !c.title || !c.subtitle || !c.unit || !c.slug
                 ? sn_set_error(err, "out of memory") : 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (same_op(&e[i], op) && gb_slot(&c, &e[i], err) < 0)
            rc = -1;
    const size_t nv = c.ngroups * c.nseries;
    size_t *count = rc == 0 ? calloc(nv + 1, sizeof *count) : NULL;
    c.value = rc == 0 ? calloc(nv + 1, sizeof *c.value) : NULL;
    if (rc == 0 && (!count || !c.value))
        rc = sn_set_error(err, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const double v = gb_value(&e[i], metric);
        if (!same_op(&e[i], op) || !isfinite(v))
            continue;
        const long k = gb_slot(&c, &e[i], err);
        c.value[k] += v * gb_scale[metric];
        count[k]++;
    }
    /* Repeated runs of one name (repetitions without aggregates) are
     * averaged; a missing combination draws no bar. */
    for (size_t k = 0; k < nv && rc == 0; k++)
        c.value[k] = count[k] ? c.value[k] / (double)count[k] : NAN;
    free(count);
    return sn_chart_finish(set, &c, rc, err);
}

int sn_gb_read(const cJSON *root, const char *prefix, sn_chart_set *set,
               sn_error *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "benchmarks");
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
    const char *agg = gb_pick(list);
    sn_gb_run *e = NULL;
    size_t n = 0;
    if (gb_entries(list, agg, &e, &n, err) != 0)
        return -1;
    if (n == 0) {
        free(e);
        return sn_set_error(err, "Google Benchmark JSON with no successful "
                                 "benchmark runs in it");
    }

    /* A caption: the machine and the date, as the context tells them. */
    const char *cpu = sn_json_string(ctx, "simdnet_cpu");
    const char *host = sn_json_string(ctx, "host_name");
    const char *date = sn_json_string(ctx, "date");
    sn_buf caption = {0};
    sn_buf_printf(&caption, "Google Benchmark, %s%s%s%s%s",
                  agg ? agg : "single runs", cpu || host ? ", " : "",
                  cpu ? cpu : host ? host : "", date ? ", " : "",
                  date ? date : "");
    char *subtitle = sn_buf_take(&caption);

    /* One chart per op, in order of first appearance. */
    char **ops = NULL;
    size_t nops = 0;
    int rc = subtitle ? 0 : sn_set_error(err, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = sn_chart_intern_chart(&ops, &nops, e[i].name, e[i].op_len, "ops",
                                   err);
    for (size_t o = 0; o < nops && rc == 0; o++)
        rc = gb_chart(e, n, ops[o], prefix, subtitle, set, err);
    if (rc == 0)
        rc = sn_roofline_read(e, n, ctx, prefix, subtitle, set, err);
    sn_chart_free_list(ops, nops);
    free(subtitle);
    free(e);
    return rc;
}

