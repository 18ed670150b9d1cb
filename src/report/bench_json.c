/*
 * bench_json.c - bar charts from the two benchmark files simdnet makes.
 *
 * Google Benchmark (bench_kernels): {"context": {...}, "benchmarks": [{
 * "name": "gemv/avx512/32x784", "run_type": "iteration" | "aggregate",
 * "aggregate_name": "median", "items_per_second": ..., "GFLOP/s": ...}]}.
 * Names are op/isa/shape by bench_kernels' convention; a name with fewer
 * parts still gets a chart. With repetitions, the median aggregate is used
 * (else the mean, else the average of the runs).
 *
 * simdnet bench --json: {"machine": {"cpu": ...}, "data": {"source": ...},
 * "network": {"layers": [...]}, "results": [{"engine", "isa", "threads",
 * "samples_per_s": {"median", "min", "max"}}]}.
 *
 * Unknown fields are ignored; missing optional ones leave a bar or a
 * caption out; only a file with nothing to draw is an error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "read_file.h"
#include "report/json.h"
#include "report/report.h"

static char *dup_str(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Index of s in list, appending a copy if absent; -1 when out of memory. */
static long intern(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*list)[i], s))
            return (long)i;
    char **grown = realloc(*list, (*n + 1) * sizeof **list);
    if (!grown)
        return -1;
    *list = grown;
    if (!(grown[*n] = dup_str(s)))
        return -1;
    return (long)(*n)++;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void chart_free(sn_bar_chart *c)
{
    free(c->title);
    free(c->subtitle);
    free(c->unit);
    free(c->slug);
    free_list(c->groups, c->ngroups);
    free_list(c->series, c->nseries);
    free(c->value);
    free(c->lo);
    free(c->hi);
    memset(c, 0, sizeof *c);
}

void sn_chart_set_free(sn_chart_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        chart_free(&set->charts[i]);
    free(set->charts);
    memset(set, 0, sizeof *set);
}

static int push_chart(sn_chart_set *set, sn_bar_chart *c, sn_error *err)
{
    sn_bar_chart *grown = realloc(set->charts, (set->n + 1) * sizeof *grown);
    if (!grown) {
        chart_free(c);
        return sn_set_error(err, "out of memory");
    }
    set->charts = grown;
    set->charts[set->n++] = *c;
    memset(c, 0, sizeof *c);
    return 0;
}

/* "prefix-name" with everything but [a-z0-9] turned into '-'. */
static char *make_slug(const char *prefix, const char *name)
{
    const size_t n = strlen(prefix) + 1 + strlen(name) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    snprintf(s, n, "%s-%s", prefix, name);
    for (char *p = s; *p; p++) {
        const char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        *p = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-';
    }
    return s;
}

static char *format(const char *fmt, const char *a, const char *b)
{
    const size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, fmt, a, b);
    return s;
}

/* ------------------------------------------------------------ Google Benchmark */

typedef struct gb_entry {
    char op[64], isa[64], shape[64];
    double gflops, items, bytes, ns; /* NAN where absent */
} gb_entry;

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

/* Splits "op/isa/shape..." (the shape keeps any further slashes). */
static void split_name(const char *name, gb_entry *e)
{
    const char *a = strchr(name, '/');
    const char *b = a ? strchr(a + 1, '/') : NULL;
    snprintf(e->op, sizeof e->op, "%.*s", (int)(a ? a - name : (long)strlen(name)),
             name);
    if (!a)
        snprintf(e->isa, sizeof e->isa, "%s", name);
    else
        snprintf(e->isa, sizeof e->isa, "%.*s",
                 (int)(b ? b - a - 1 : (long)strlen(a + 1)), a + 1);
    snprintf(e->shape, sizeof e->shape, "%s", b ? b + 1 : "");
}

static int gb_truthy(const sn_json *v)
{
    return v && ((v->type == SN_JSON_BOOL && v->boolean) ||
                 (v->type == SN_JSON_NUMBER && v->number != 0));
}

/* Which runs to draw: the median aggregates if there are any, else the
 * means, else every plain run. */
static const char *gb_pick(const sn_json *list)
{
    int median = 0, mean = 0;
    for (size_t i = 0; i < list->n; i++) {
        const char *agg = sn_json_get_string(&list->items[i], "aggregate_name");
        median |= agg && !strcmp(agg, "median");
        mean |= agg && !strcmp(agg, "mean");
    }
    return median ? "median" : mean ? "mean" : NULL;
}

static int gb_read(const sn_json *root, const char *prefix, sn_chart_set *set,
                   sn_error *err)
{
    const sn_json *list = sn_json_get(root, "benchmarks");
    const sn_json *ctx = sn_json_get(root, "context");
    const char *agg = gb_pick(list);
    gb_entry *e = calloc(list->n ? list->n : 1, sizeof *e);
    if (!e)
        return sn_set_error(err, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < list->n; i++) {
        const sn_json *b = &list->items[i];
        if (b->type != SN_JSON_OBJECT ||
            gb_truthy(sn_json_get(b, "error_occurred")) ||
            gb_truthy(sn_json_get(b, "skipped")))
            continue;
        const char *run_agg = sn_json_get_string(b, "aggregate_name");
        if (agg ? !run_agg || strcmp(run_agg, agg) : run_agg != NULL)
            continue;
        const char *name = sn_json_get_string(b, "run_name");
        if (!name)
            name = sn_json_get_string(b, "name");
        if (!name)
            continue;
        gb_entry *x = &e[n];
        split_name(name, x);
        x->gflops = sn_json_get_number(b, "GFLOP/s");
        x->items = sn_json_get_number(b, "items_per_second");
        x->bytes = sn_json_get_number(b, "bytes_per_second");
        x->ns = to_ns(sn_json_get_number(b, "real_time"),
                      sn_json_get_string(b, "time_unit"));
        n++;
    }
    if (n == 0) {
        free(e);
        return sn_set_error(err, "Google Benchmark JSON with no successful "
                                 "benchmark runs in it");
    }

    /* A caption: the machine and the date, as the context tells them. */
    char subtitle[400];
    const char *cpu = sn_json_get_string(ctx, "simdnet_cpu");
    const char *host = sn_json_get_string(ctx, "host_name");
    const char *date = sn_json_get_string(ctx, "date");
    const char *agg_text = agg ? agg : "single runs";
    snprintf(subtitle, sizeof subtitle, "Google Benchmark, %s%s%s%s%s",
             agg_text, cpu || host ? ", " : "", cpu ? cpu : host ? host : "",
             date ? ", " : "", date ? date : "");

    /* One chart per op, in order of first appearance. */
    char **ops = NULL;
    size_t nops = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (intern(&ops, &nops, e[i].op) < 0)
            rc = sn_set_error(err, "out of memory");
    for (size_t o = 0; o < nops && rc == 0; o++) {
        /* The metric: GFLOP/s where the op counts FLOPs, else items/s,
         * else bytes/s, else the time per iteration. */
        int has[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < n; i++)
            if (!strcmp(e[i].op, ops[o])) {
                has[0] |= isfinite(e[i].gflops);
                has[1] |= isfinite(e[i].items);
                has[2] |= isfinite(e[i].bytes);
                has[3] |= isfinite(e[i].ns);
            }
        const int metric = has[0] ? 0 : has[1] ? 1 : has[2] ? 2 : has[3] ? 3 : -1;
        if (metric < 0)
            continue;
        static const char *const units[4] = {
            "GFLOP/s", "million items/s", "GB/s", "ns per iteration (lower is better)"};
        static const char *const what[4] = {"GFLOP/s", "items/s", "bytes/s",
                                            "time"};
        static const double scale[4] = {1.0, 1e-6, 1e-9, 1.0};
        sn_bar_chart c = {0};
        c.title = format("%s: %s per kernel set", ops[o], what[metric]);
        c.subtitle = dup_str(subtitle);
        c.unit = dup_str(units[metric]);
        c.slug = make_slug(prefix, ops[o]);
        int oom = 0;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(e[i].op, ops[o]) &&
                (intern(&c.groups, &c.ngroups, e[i].shape) < 0 ||
                 intern(&c.series, &c.nseries, e[i].isa) < 0))
                oom = 1;
        size_t *count = calloc(c.ngroups * c.nseries + 1, sizeof *count);
        c.value = calloc(c.ngroups * c.nseries + 1, sizeof *c.value);
        if (oom || !c.title || !c.subtitle || !c.unit || !c.slug || !count ||
            !c.value) {
            free(count);
            chart_free(&c);
            rc = sn_set_error(err, "out of memory");
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (strcmp(e[i].op, ops[o]))
                continue;
            const double v = metric == 0 ? e[i].gflops : metric == 1 ? e[i].items
                             : metric == 2 ? e[i].bytes : e[i].ns;
            if (!isfinite(v))
                continue;
            const size_t k = (size_t)intern(&c.groups, &c.ngroups, e[i].shape) *
                                 c.nseries +
                             (size_t)intern(&c.series, &c.nseries, e[i].isa);
            c.value[k] += v * scale[metric];
            count[k]++;
        }
        /* Repeated runs of one name (repetitions without aggregates) are
         * averaged; a missing combination draws no bar. */
        for (size_t k = 0; k < c.ngroups * c.nseries; k++)
            c.value[k] = count[k] ? c.value[k] / (double)count[k] : NAN;
        free(count);
        rc = push_chart(set, &c, err);
    }
    free_list(ops, nops);
    free(e);
    return rc;
}

/* ------------------------------------------------------------ simdnet bench */

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int training_read(const sn_json *root, const char *prefix,
                         sn_chart_set *set, sn_error *err)
{
    const sn_json *res = sn_json_get(root, "results");
    /* Engines tell series apart only when the file has several. */
    char **engines = NULL;
    size_t nengines = 0;
    int threads[256];
    size_t nthreads = 0;
    for (size_t i = 0; i < res->n; i++) {
        const sn_json *r = &res->items[i];
        const char *engine = sn_json_get_string(r, "engine");
        const double t = sn_json_get_number(r, "threads");
        if (engine && intern(&engines, &nengines, engine) < 0) {
            free_list(engines, nengines);
            return sn_set_error(err, "out of memory");
        }
        int known = 0;
        for (size_t k = 0; k < nthreads; k++)
            known |= threads[k] == (int)t;
        if (isfinite(t) && t >= 1 && t < 1e6 && !known && nthreads < 256)
            threads[nthreads++] = (int)t;
    }
    free_list(engines, nengines);
    if (nthreads == 0)
        return sn_set_error(err, "simdnet bench JSON with no results that "
                                 "name their thread count");
    qsort(threads, nthreads, sizeof *threads, cmp_int);

    sn_bar_chart c = {0};
    for (size_t k = 0; k < nthreads; k++) {
        char label[32];
        snprintf(label, sizeof label, "%d thread%s", threads[k],
                 threads[k] == 1 ? "" : "s");
        if (intern(&c.groups, &c.ngroups, label) < 0)
            goto oom;
    }
    double vmax = 0.0;
    for (size_t i = 0; i < res->n; i++) {
        const sn_json *s = sn_json_get(&res->items[i], "samples_per_s");
        const double m = s && s->type == SN_JSON_OBJECT
                             ? sn_json_get_number(s, "median")
                             : sn_json_get_number(&res->items[i], "samples_per_s");
        vmax = isfinite(m) && m > vmax ? m : vmax;
    }
    const double scale = vmax >= 1e6 ? 1e-6 : vmax >= 1e3 ? 1e-3 : 1.0;
    c.unit = dup_str(vmax >= 1e6 ? "million samples/s"
                     : vmax >= 1e3 ? "thousand samples/s" : "samples/s");
    c.title = dup_str("Training throughput: samples/s per thread count");
    c.slug = make_slug(prefix, "training");
    const sn_json *machine = sn_json_get(root, "machine");
    const sn_json *data = sn_json_get(root, "data");
    const sn_json *layers = sn_json_get(sn_json_get(root, "network"), "layers");
    char net[128] = "";
    for (size_t i = 0; layers && layers->type == SN_JSON_ARRAY && i < layers->n;
         i++) {
        const size_t len = strlen(net);
        snprintf(net + len, sizeof net - len, "%s%.0f", i ? "-" : "",
                 layers->items[i].number);
    }
    const char *cpu = sn_json_get_string(machine, "cpu");
    const char *source = sn_json_get_string(data, "source");
    char subtitle[512];
    snprintf(subtitle, sizeof subtitle, "simdnet bench%s%s%s%s%s%s; median "
             "with the slowest and fastest run",
             net[0] ? ", " : "", net, cpu ? ", " : "", cpu ? cpu : "",
             source ? ", " : "", source ? source : "");
    c.subtitle = dup_str(subtitle);
    if (!c.unit || !c.title || !c.slug || !c.subtitle)
        goto oom;
    for (size_t i = 0; i < res->n; i++) {
        const char *isa = sn_json_get_string(&res->items[i], "isa");
        const char *engine = sn_json_get_string(&res->items[i], "engine");
        char name[128];
        snprintf(name, sizeof name, "%s%s%s", isa ? isa : "?",
                 nengines > 1 && engine ? " " : "",
                 nengines > 1 && engine ? engine : "");
        if (intern(&c.series, &c.nseries, name) < 0)
            goto oom;
    }
    const size_t nv = c.ngroups * c.nseries;
    c.value = malloc(nv * sizeof *c.value);
    c.lo = malloc(nv * sizeof *c.lo);
    c.hi = malloc(nv * sizeof *c.hi);
    if (!c.value || !c.lo || !c.hi)
        goto oom;
    for (size_t k = 0; k < nv; k++)
        c.value[k] = c.lo[k] = c.hi[k] = NAN;
    for (size_t i = 0; i < res->n; i++) {
        const sn_json *r = &res->items[i];
        const char *isa = sn_json_get_string(r, "isa");
        const char *engine = sn_json_get_string(r, "engine");
        const double t = sn_json_get_number(r, "threads");
        const sn_json *s = sn_json_get(r, "samples_per_s");
        char name[128], label[32];
        snprintf(name, sizeof name, "%s%s%s", isa ? isa : "?",
                 nengines > 1 && engine ? " " : "",
                 nengines > 1 && engine ? engine : "");
        if (!isfinite(t) || t < 1 || t >= 1e6)
            continue;
        snprintf(label, sizeof label, "%d thread%s", (int)t,
                 (int)t == 1 ? "" : "s");
        const size_t k = (size_t)intern(&c.groups, &c.ngroups, label) *
                             c.nseries +
                         (size_t)intern(&c.series, &c.nseries, name);
        if (s && s->type == SN_JSON_OBJECT) {
            c.value[k] = sn_json_get_number(s, "median") * scale;
            c.lo[k] = sn_json_get_number(s, "min") * scale;
            c.hi[k] = sn_json_get_number(s, "max") * scale;
        } else {
            c.value[k] = sn_json_get_number(r, "samples_per_s") * scale;
        }
    }
    return push_chart(set, &c, err);
oom:
    chart_free(&c);
    return sn_set_error(err, "out of memory");
}

/* ------------------------------------------------------------ files */

int sn_bench_read(const char *path, const char *prefix, sn_chart_set *set,
                  sn_error *err)
{
    char *text;
    size_t len;
    if (sn_read_file(path, (size_t)1 << 30, &text, &len, err) != 0)
        return -1;
    sn_json root;
    int rc = sn_json_parse(text, len, &root, err);
    free(text);
    if (rc != 0)
        return sn_prefix_error(err, "%s: ", path);
    const sn_json *gb = sn_json_get(&root, "benchmarks");
    const sn_json *res = sn_json_get(&root, "results");
    const size_t before = set->n;
    if (gb && gb->type == SN_JSON_ARRAY)
        rc = gb_read(&root, prefix, set, err);
    else if (res && res->type == SN_JSON_ARRAY && res->n > 0)
        rc = training_read(&root, prefix, set, err);
    else
        rc = sn_set_error(err, "neither Google Benchmark JSON (a "
                               "\"benchmarks\" array) nor simdnet bench "
                               "--json output (a non-empty \"results\" array)");
    sn_json_free(&root);
    if (rc == 0 && set->n == before)
        rc = sn_set_error(err, "nothing to draw in it");
    if (rc != 0)
        sn_prefix_error(err, "%s: ", path);
    return rc;
}
