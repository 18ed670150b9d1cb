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
 *
 * Nothing in the file sizes a fixed table: names are kept whole, lists
 * grow, and a chart holds at most SN_CHART_MAX_GROUPS groups and
 * SN_CHART_MAX_SERIES series (a file asking for more is refused, naming
 * the chart), so that the values (groups x series) stay in proportion.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "read_file.h"
#include "report/json.h"
#include "report/report.h"
#include "report/svg.h"

static char *dup_str(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *dup_mem(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

enum { INTERN_OOM = -1, INTERN_FULL = -2 };

/* Index of s[0..n) in list, appending a copy if absent and the list has
 * fewer than max entries; INTERN_OOM or INTERN_FULL otherwise. */
static long intern(char ***list, size_t *count, const char *s, size_t n,
                   size_t max)
{
    for (size_t i = 0; i < *count; i++)
        if (!strncmp((*list)[i], s, n) && (*list)[i][n] == '\0')
            return (long)i;
    if (*count >= max)
        return INTERN_FULL;
    char **grown = realloc(*list, (*count + 1) * sizeof **list);
    if (!grown)
        return INTERN_OOM;
    *list = grown;
    if (!(grown[*count] = dup_mem(s, n)))
        return INTERN_OOM;
    return (long)(*count)++;
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
    if (set->n >= SN_CHART_MAX_CHARTS) {
        chart_free(c);
        return sn_set_error(err, "more than %d charts", SN_CHART_MAX_CHARTS);
    }
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

/* Adds a group and a series to chart c (if new) and returns the index of
 * their value, [group * nseries + series], or -1 with err set: out of
 * memory, or the chart full. Charts are made in two passes over the
 * results: the first finds every group and series, the values are
 * allocated, the second finds each value's index. */
static long chart_slot(sn_bar_chart *c, const char *group, size_t glen,
                       const char *series, size_t slen, sn_error *err)
{
    const long g = intern(&c->groups, &c->ngroups, group, glen,
                          SN_CHART_MAX_GROUPS);
    const long s = g < 0 ? g : intern(&c->series, &c->nseries, series, slen,
                                      SN_CHART_MAX_SERIES);
    if (g == INTERN_FULL || s == INTERN_FULL)
        return sn_set_error(err, "chart '%s' would have more than %d %s: "
                                 "more than one chart can show", c->title,
                            g == INTERN_FULL ? SN_CHART_MAX_GROUPS
                                             : SN_CHART_MAX_SERIES,
                            g == INTERN_FULL ? "groups" : "series");
    if (g < 0 || s < 0)
        return sn_set_error(err, "out of memory");
    return g * (long)c->nseries + s;
}

/* A malloc'd copy of what b holds (NULL if it ran out of memory). */
static char *buf_take(sn_buf *b)
{
    char *s = sn_buf_failed(b) ? NULL : dup_str(b->data ? b->data : "");
    sn_buf_free(b);
    return s;
}

/* FNV-1a, 32 bits: a name's fingerprint in its file name. */
static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* A file name part for a chart: "prefix-name" with the name lowercased,
 * runs of anything but [a-z0-9] made one '-', at most SLUG_NAME bytes of
 * it. Where that loses anything (punctuation, case, non-ASCII letters, the
 * length), the name's hash follows, so that "gemv_t" and "gemv-t" get files
 * of their own ("-" and 8 hex digits); the report makes the names unique
 * in the end whatever the hashes do. */
enum { SLUG_NAME = 40 };

static char *make_slug(const char *prefix, const char *name, size_t n)
{
    char part[SLUG_NAME + 1];
    size_t len = 0;
    int lossy = 0;
    for (size_t i = 0; i < n; i++) {
        const char c = name[i];
        const int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        const int upper = c >= 'A' && c <= 'Z';
        if (!alnum && !upper && c != '-')
            lossy = 1;
        if (alnum || upper) {
            if (len == SLUG_NAME) {
                lossy = 1;
                break;
            }
            part[len++] = upper ? (char)(c - 'A' + 'a') : c;
            lossy |= upper;
        } else if (len > 0 && part[len - 1] != '-' && len < SLUG_NAME) {
            part[len++] = '-';
        } else {
            lossy = 1; /* a run of separators, or one at the start */
        }
    }
    while (len > 0 && part[len - 1] == '-') {
        len--;
        lossy = 1;
    }
    part[len] = '\0';
    sn_buf b = {0};
    sn_buf_printf(&b, "%s%s%s", prefix, len ? "-" : "", part);
    if (lossy || len == 0)
        sn_buf_printf(&b, "-%08x", (unsigned)fnv1a(name, n));
    return buf_take(&b);
}


/* ------------------------------------------------------------ Google Benchmark */

/* A run named "op/isa/shape..." (the shape keeps any further slashes), as
 * lengths into its name in the JSON tree. */
typedef struct gb_entry {
    const char *name;
    size_t op_len, isa_off, isa_len, shape_off;
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

/* A name with no slash is its own op and isa; with one, it has no shape. */
static void split_name(const char *name, gb_entry *e)
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

static int same_op(const gb_entry *x, const char *op)
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
static int gb_entries(const cJSON *list, const char *agg, gb_entry **out,
                      size_t *count, sn_error *err)
{
    const size_t total = (size_t)cJSON_GetArraySize(list);
    gb_entry *e = calloc(total ? total : 1, sizeof *e);
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
        gb_entry *x = &e[n++];
        split_name(name, x);
        x->gflops = sn_json_number(b, "GFLOP/s");
        x->items = sn_json_number(b, "items_per_second");
        x->bytes = sn_json_number(b, "bytes_per_second");
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

static double gb_value(const gb_entry *x, int metric)
{
    return metric == 0 ? x->gflops : metric == 1 ? x->items
           : metric == 2 ? x->bytes : x->ns;
}

/* The metric of an op: GFLOP/s where it counts FLOPs, else items/s, else
 * bytes/s, else the time per iteration; -1 if its runs have none. */
static int gb_metric(const gb_entry *e, size_t n, const char *op)
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

/* One op's chart: groups are shapes, series kernel sets. */
static int gb_chart(const gb_entry *e, size_t n, const char *op,
                    const char *prefix, const char *subtitle,
                    sn_chart_set *set, sn_error *err)
{
    const int metric = gb_metric(e, n, op);
    if (metric < 0)
        return 0;
    sn_bar_chart c = {0};
    sn_buf title = {0};
    sn_buf_printf(&title, "%s: %s per kernel set", op, gb_what[metric]);
    c.title = buf_take(&title);
    c.subtitle = dup_str(subtitle);
    c.unit = dup_str(gb_units[metric]);
    c.slug = make_slug(prefix, op, strlen(op));
    int rc = !c.title || !c.subtitle || !c.unit || !c.slug
                 ? sn_set_error(err, "out of memory") : 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (same_op(&e[i], op) &&
            chart_slot(&c, e[i].name + e[i].shape_off,
                       strlen(e[i].name + e[i].shape_off),
                       e[i].name + e[i].isa_off, e[i].isa_len, err) < 0)
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
        const long k = chart_slot(&c, e[i].name + e[i].shape_off,
                                  strlen(e[i].name + e[i].shape_off),
                                  e[i].name + e[i].isa_off, e[i].isa_len, err);
        c.value[k] += v * gb_scale[metric];
        count[k]++;
    }
    /* Repeated runs of one name (repetitions without aggregates) are
     * averaged; a missing combination draws no bar. */
    for (size_t k = 0; k < nv && rc == 0; k++)
        c.value[k] = count[k] ? c.value[k] / (double)count[k] : NAN;
    free(count);
    if (rc != 0) {
        chart_free(&c);
        return -1;
    }
    return push_chart(set, &c, err);
}

static int gb_read(const cJSON *root, const char *prefix, sn_chart_set *set,
                   sn_error *err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "benchmarks");
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(root, "context");
    const char *agg = gb_pick(list);
    gb_entry *e = NULL;
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
    char *subtitle = buf_take(&caption);

    /* One chart per op, in order of first appearance. */
    char **ops = NULL;
    size_t nops = 0;
    int rc = subtitle ? 0 : sn_set_error(err, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        const long k = intern(&ops, &nops, e[i].name, e[i].op_len,
                              SN_CHART_MAX_CHARTS);
        if (k == INTERN_FULL)
            rc = sn_set_error(err, "more than %d ops: more charts than one "
                                   "report shows", SN_CHART_MAX_CHARTS);
        else if (k < 0)
            rc = sn_set_error(err, "out of memory");
    }
    for (size_t o = 0; o < nops && rc == 0; o++)
        rc = gb_chart(e, n, ops[o], prefix, subtitle, set, err);
    free_list(ops, nops);
    free(subtitle);
    free(e);
    return rc;
}

/* ------------------------------------------------------------ simdnet bench */

/* The thread count of a result, or 0 if it has none in 1 .. 10^6. */
static long result_threads(const cJSON *r)
{
    const double t = sn_json_number(r, "threads");
    return isfinite(t) && t >= 1 && t < 1e6 ? (long)t : 0;
}

static int cmp_long(const void *a, const void *b)
{
    const long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* "N thread(s)" */
static int thread_label(char *out, size_t len, long t)
{
    return snprintf(out, len, "%ld thread%s", t, t == 1 ? "" : "s");
}

/* A series name: the kernel set, and the engine when the file has several. */
static void series_name(sn_buf *b, const cJSON *r, int engines)
{
    const char *isa = sn_json_string(r, "isa");
    const char *engine = sn_json_string(r, "engine");
    b->len = 0;
    sn_buf_printf(b, "%s%s%s", isa ? isa : "?", engines && engine ? " " : "",
                  engines && engine ? engine : "");
}

/* Groups in order of thread count: the distinct counts, sorted, become the
 * chart's first groups (at most SN_CHART_MAX_GROUPS of them). */
static int training_groups(const cJSON *res, sn_bar_chart *c, sn_error *err)
{
    const size_t total = (size_t)cJSON_GetArraySize(res);
    long *t = malloc((total ? total : 1) * sizeof *t);
    if (!t)
        return sn_set_error(err, "out of memory");
    size_t n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, res) {
        const long k = result_threads(r);
        if (k)
            t[n++] = k;
    }
    qsort(t, n, sizeof *t, cmp_long);
    int rc = n ? 0 : sn_set_error(err, "simdnet bench JSON with no results "
                                       "that name their thread count");
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i > 0 && t[i] == t[i - 1])
            continue;
        char label[32];
        thread_label(label, sizeof label, t[i]);
        if (chart_slot(c, label, strlen(label), "", 0, err) < 0)
            rc = -1;
    }
    free(t);
    return rc;
}

/* The caption: network, CPU and data source, as the file tells them. */
static char *training_caption(const cJSON *root)
{
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "network"), "layers");
    const char *cpu = sn_json_string(
        cJSON_GetObjectItemCaseSensitive(root, "machine"), "cpu");
    const char *source = sn_json_string(
        cJSON_GetObjectItemCaseSensitive(root, "data"), "source");
    sn_buf b = {0};
    sn_buf_puts(&b, "simdnet bench");
    const cJSON *l, *list = cJSON_IsArray(layers) ? layers : NULL;
    int first = 1;
    cJSON_ArrayForEach(l, list) {
        if (!cJSON_IsNumber(l))
            continue;
        sn_buf_printf(&b, "%s%.0f", first ? ", " : "-", l->valuedouble);
        first = 0;
    }
    sn_buf_printf(&b, "%s%s%s%s; median with the slowest and fastest run",
                  cpu ? ", " : "", cpu ? cpu : "", source ? ", " : "",
                  source ? source : "");
    return buf_take(&b);
}

static int training_read(const cJSON *root, const char *prefix,
                         sn_chart_set *set, sn_error *err)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "results");
    /* Engines tell series apart only when the file has several. */
    const char *engine0 = NULL;
    int engines = 0;
    double vmax = 0.0;
    const cJSON *r;
    cJSON_ArrayForEach(r, res) {
        const char *engine = sn_json_string(r, "engine");
        if (engine && !engine0)
            engine0 = engine;
        engines |= engine && strcmp(engine, engine0) != 0;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "samples_per_s");
        const double m = cJSON_IsObject(s) ? sn_json_number(s, "median")
                                           : sn_json_number(r, "samples_per_s");
        vmax = isfinite(m) && m > vmax ? m : vmax;
    }
    const double scale = vmax >= 1e6 ? 1e-6 : vmax >= 1e3 ? 1e-3 : 1.0;

    sn_bar_chart c = {0};
    c.title = dup_str("Training throughput: samples/s per thread count");
    c.unit = dup_str(vmax >= 1e6 ? "million samples/s"
                     : vmax >= 1e3 ? "thousand samples/s" : "samples/s");
    c.slug = make_slug(prefix, "training", 8);
    c.subtitle = training_caption(root);
    if (!c.unit || !c.title || !c.slug || !c.subtitle) {
        chart_free(&c);
        return sn_set_error(err, "out of memory");
    }
    if (training_groups(res, &c, err) != 0) {
        chart_free(&c);
        return -1;
    }
    /* training_groups made one placeholder series ""; the real ones
     * replace it. */
    free_list(c.series, c.nseries);
    c.series = NULL;
    c.nseries = 0;
    sn_buf name = {0};
    char label[32];
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        if (pass == 1) {
            const size_t nv = c.ngroups * c.nseries;
            c.value = malloc((nv + 1) * sizeof *c.value);
            c.lo = malloc((nv + 1) * sizeof *c.lo);
            c.hi = malloc((nv + 1) * sizeof *c.hi);
            if (!c.value || !c.lo || !c.hi) {
                rc = sn_set_error(err, "out of memory");
                break;
            }
            for (size_t k = 0; k < nv; k++)
                c.value[k] = c.lo[k] = c.hi[k] = NAN;
        }
        cJSON_ArrayForEach(r, res) {
            const long t = result_threads(r);
            if (!t)
                continue;
            thread_label(label, sizeof label, t);
            series_name(&name, r, engines);
            const long k = sn_buf_failed(&name)
                               ? sn_set_error(err, "out of memory")
                               : chart_slot(&c, label, strlen(label),
                                            name.data, name.len, err);
            if (k < 0) {
                rc = -1;
                break;
            }
            if (pass == 0)
                continue;
            const cJSON *s = cJSON_GetObjectItemCaseSensitive(r,
                                                              "samples_per_s");
            if (cJSON_IsObject(s)) {
                c.value[k] = sn_json_number(s, "median") * scale;
                c.lo[k] = sn_json_number(s, "min") * scale;
                c.hi[k] = sn_json_number(s, "max") * scale;
            } else {
                c.value[k] = sn_json_number(r, "samples_per_s") * scale;
            }
        }
    }
    sn_buf_free(&name);
    if (rc != 0) {
        chart_free(&c);
        return -1;
    }
    return push_chart(set, &c, err);
}

/* ------------------------------------------------------------ files */

int sn_bench_read(const char *path, const char *prefix, sn_chart_set *set,
                  sn_error *err)
{
    char *text;
    size_t len;
    if (sn_read_file(path, SN_BENCH_MAX_FILE, &text, &len, err) != 0)
        return -1;
    cJSON *root = sn_json_parse(text, len, err);
    free(text);
    if (!root)
        return sn_prefix_error(err, "%s: ", path);
    const cJSON *gb = cJSON_GetObjectItemCaseSensitive(root, "benchmarks");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "results");
    const size_t before = set->n;
    int rc;
    if (cJSON_IsArray(gb))
        rc = gb_read(root, prefix, set, err);
    else if (cJSON_IsArray(res) && cJSON_GetArraySize(res) > 0)
        rc = training_read(root, prefix, set, err);
    else
        rc = sn_set_error(err, "neither Google Benchmark JSON (a "
                               "\"benchmarks\" array) nor simdnet bench "
                               "--json output (a non-empty \"results\" array)");
    cJSON_Delete(root);
    if (rc == 0 && set->n == before)
        rc = sn_set_error(err, "nothing to draw in it");
    if (rc != 0)
        sn_prefix_error(err, "%s: ", path);
    return rc;
}
