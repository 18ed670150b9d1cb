/*
 * bench_json.c - charts from the benchmark files simdnet makes: which
 * reader a file goes to, and the readers of simdnet bench --json and of
 * tools/sweep.py --json.
 *
 * Google Benchmark (bench_kernels): gbench_json.c.
 *
 * simdnet bench --json: {"machine": {"cpu": ...}, "data": {"source": ...},
 * "network": {"layers": [...]}, "results": [{"engine", "isa", "threads",
 * "samples_per_s": {"median", "min", "max"}}]}. A sweep's results (bench
 * --sweep SET) add "layers" and "batch" each: with more than one network
 * and batch in a file, those are the groups and the series thread counts
 * and kernel sets.
 *
 * Unknown fields are ignored; missing optional ones leave a bar or a
 * caption out; only a file with nothing to draw is an error.
 *
 * Nothing in the file sizes a fixed table: names are kept whole, lists
 * grow, and a chart holds at most SN_CHART_MAX_GROUPS groups and
 * SN_CHART_MAX_SERIES series (a file asking for more is refused, naming
 * the chart), so that the values (groups x series) stay in proportion.
 * The charts are built up by chart_build.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "read_file.h"
#include "report/chart_build.h"
#include "report/gbench.h"
#include "report/json.h"
#include "report/report.h"
#include "report/svg.h"

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

/* A series name: the kernel set, and the engine when the file has several;
 * led by the thread count in a sweep, where the groups are networks. */
static void series_name(sn_buf *b, const cJSON *r, int engines, long threads)
{
    const char *isa = sn_json_string(r, "isa");
    const char *engine = sn_json_string(r, "engine");
    b->len = 0;
    if (threads) {
        char label[32];
        thread_label(label, sizeof label, threads);
        sn_buf_printf(b, "%s ", label);
    }
    sn_buf_printf(b, "%s%s%s", isa ? isa : "?", engines && engine ? " " : "",
                  engines && engine ? engine : "");
}

/* A result's network and batch, "784-32-10, batch 100": its own layers and
 * batch (the rows of a sweep), else the file's network and method. An
 * error names the field if it is there and is not a list of at most
 * SN_MAX_LAYERS widths, or not a batch size. */
static int config_label(sn_buf *b, const cJSON *r, const char *what,
                        size_t index, const cJSON *root, sn_error *err)
{
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(r, "layers");
    const cJSON *batch = cJSON_GetObjectItemCaseSensitive(r, "batch");
    const int own_layers = layers != NULL, own_batch = batch != NULL;
    if (!layers)
        layers = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "network"), "layers");
    if (!batch)
        batch = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "method"), "batch");
    b->len = 0;
    const int n = cJSON_IsArray(layers) ? cJSON_GetArraySize(layers) : -1;
    int ok = layers == NULL || (n >= 0 && n <= SN_MAX_LAYERS);
    const cJSON *l, *list = ok ? layers : NULL;
    cJSON_ArrayForEach(l, list) {
        const double w = cJSON_IsNumber(l) ? l->valuedouble : NAN;
        ok &= w >= 1 && w <= 1e9 && w == floor(w);
        sn_buf_printf(b, "%s%.0f", l == layers->child ? "" : "-", ok ? w : 0);
    }
    if (!ok)
        return sn_set_error(err, "%s%s[%zu]'s layers: not a list of at "
                                 "most %d layer widths",
                            own_layers ? "" : "network.layers, for ", what,
                            index, SN_MAX_LAYERS);
    const double bs = cJSON_IsNumber(batch) ? batch->valuedouble : NAN;
    if (batch && !(bs >= 1 && bs <= 1e9 && bs == floor(bs)))
        return sn_set_error(err, "%s%s[%zu]'s batch: not a batch size",
                            own_batch ? "" : "method.batch, for ", what,
                            index);
    if (batch)
        sn_buf_printf(b, "%sbatch %.0f", b->len ? ", " : "", bs);
    if (!b->len)
        sn_buf_puts(b, "?");
    return sn_buf_failed(b) ? sn_set_error(err, "out of memory") : 0;
}

/* Whether the results hold more than one network and batch (a sweep):
 * then the groups are those, the series thread counts and kernel sets. */
static int several_configs(const cJSON *res, const cJSON *root, int *several,
                           sn_error *err)
{
    sn_buf first = {0}, label = {0};
    const cJSON *r;
    size_t i = 0;
    int rc = 0;
    *several = 0;
    cJSON_ArrayForEach(r, res) {
        if ((rc = config_label(i ? &label : &first, r, "results", i, root, err)) != 0)
            break;
        if (i++ && strcmp(label.data, first.data) != 0)
            *several = 1;
    }
    sn_buf_free(&first);
    sn_buf_free(&label);
    return rc;
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
        if (sn_chart_slot(c, label, strlen(label), "", 0, err) < 0)
            rc = -1;
    }
    free(t);
    return rc;
}

/* The caption: network, CPU and data source, as the file tells them. */
static char *training_caption(const cJSON *root, int several)
{
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "network"), "layers");
    const char *cpu = sn_json_string(
        cJSON_GetObjectItemCaseSensitive(root, "machine"), "cpu");
    const char *source = sn_json_string(
        cJSON_GetObjectItemCaseSensitive(root, "data"), "source");
    const char *sweep = sn_json_string(root, "sweep");
    sn_buf b = {0};
    sn_buf_puts(&b, "simdnet bench");
    if (several) {
        sn_buf_printf(&b, "%s%s", sweep ? " --sweep " : "", sweep ? sweep : "");
        layers = NULL;
    }
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
    return sn_buf_take(&b);
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

    int several;
    if (several_configs(res, root, &several, err) != 0)
        return -1;
    sn_bar_chart c = {0};
    c.title = sn_chart_strdup(several
        ? "Training throughput: samples/s per network and batch"
        : "Training throughput: samples/s per thread count");
    c.unit = sn_chart_strdup(vmax >= 1e6 ? "million samples/s"
                     : vmax >= 1e3 ? "thousand samples/s" : "samples/s");
    c.slug = sn_chart_slug(prefix, "training", 8);
    c.subtitle = training_caption(root, several);
    if (!c.unit || !c.title || !c.slug || !c.subtitle) {
        sn_chart_free(&c);
        return sn_set_error(err, "out of memory");
    }
    /* Thread counts sorted; a sweep's networks in the file's order. */
    if (!several && training_groups(res, &c, err) != 0) {
        sn_chart_free(&c);
        return -1;
    }
    /* training_groups made one placeholder series ""; the real ones
     * replace it. */
    sn_chart_free_list(c.series, c.nseries);
    c.series = NULL;
    c.nseries = 0;
    sn_buf name = {0}, group = {0};
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
        size_t index = 0;
        cJSON_ArrayForEach(r, res) {
            const size_t i = index++;
            const long t = result_threads(r);
            if (!t)
                continue;
            thread_label(label, sizeof label, t);
            series_name(&name, r, engines, several ? t : 0);
            if (several && config_label(&group, r, "results", i, root, err) != 0) {
                rc = -1;
                break;
            }
            const char *g = several ? group.data : label;
            const long k = sn_buf_failed(&name)
                               ? sn_set_error(err, "out of memory")
                               : sn_chart_slot(&c, g, strlen(g), name.data,
                                               name.len, err);
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
    sn_buf_free(&group);
    return sn_chart_finish(set, &c, rc, err);
}

/* ------------------------------------------------------------ tools/sweep.py */

/* tools/sweep.py --json: {"simdnet": <a sweep's document>, "peers":
 * {"results": [{"peer": "torch", ...}]}, "openblas": ["..."], "table":
 * [{"layers", "batch", "threads", "simdnet": samples/s, "<peer>":
 * samples/s or null, ...}]}. A group per row (network, batch, threads), a
 * bar for simdnet (its fastest kernel set) and one per peer. */

/* The peers, in order of first appearance in peers.results; at most
 * SN_CHART_MAX_SERIES - 1 beside simdnet. */
static int peer_names(const cJSON *root, char ***names, size_t *n,
                      sn_error *err)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "peers"), "results");
    const cJSON *r, *list = cJSON_IsArray(res) ? res : NULL;
    cJSON_ArrayForEach(r, list) {
        const char *peer = sn_json_string(r, "peer");
        if (!peer || !strcmp(peer, "simdnet"))
            continue;
        const long k = sn_chart_intern(names, n, peer, strlen(peer),
                                       SN_CHART_MAX_SERIES - 1);
        if (k == SN_INTERN_FULL)
            return sn_set_error(err, "peers.results: more than %d peers",
                                SN_CHART_MAX_SERIES - 1);
        if (k < 0)
            return sn_set_error(err, "out of memory");
    }
    return 0;
}

/* A row's samples/s for a series: a number from 0, NAN where null or
 * absent; -1 with err naming the field if it is something else. */
static int row_value(const cJSON *row, size_t index, const char *key,
                     double *v, sn_error *err)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(row, key);
    *v = cJSON_IsNumber(x) ? x->valuedouble : NAN;
    if ((x && !cJSON_IsNumber(x) && !cJSON_IsNull(x)) ||
        (cJSON_IsNumber(x) && !(*v >= 0 && *v <= 1e15)))
        return sn_set_error(err, "table[%zu].%s: not a number of samples/s",
                            index, key);
    return 0;
}

static char *peers_caption(const cJSON *root)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "simdnet");
    const char *cpu = sn_json_string(
        cJSON_GetObjectItemCaseSensitive(s, "machine"), "cpu");
    const char *source = sn_json_string(
        cJSON_GetObjectItemCaseSensitive(s, "data"), "source");
    sn_buf b = {0};
    sn_buf_printf(&b, "tools/sweep.py%s%s%s%s; simdnet: its fastest kernel "
                      "set", cpu ? ", " : "", cpu ? cpu : "",
                  source ? ", " : "", source ? source : "");
    const cJSON *o, *forcing = cJSON_GetObjectItemCaseSensitive(root,
                                                                "openblas");
    const cJSON *list = cJSON_IsArray(forcing) ? forcing : NULL;
    int first = 1;
    cJSON_ArrayForEach(o, list) {
        if (!cJSON_IsString(o))
            continue;
        sn_buf_printf(&b, "%s%s", first ? "; OpenBLAS (peers): " : ", ",
                      o->valuestring);
        first = 0;
    }
    return sn_buf_take(&b);
}

static int peers_read(const cJSON *root, const char *prefix,
                      sn_chart_set *set, sn_error *err)
{
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(root, "table");
    sn_bar_chart c = {0};
    char **peers = NULL;
    size_t npeers = 0;
    int rc = peer_names(root, &peers, &npeers, err);
    double vmax = 0.0;
    const cJSON *row, *rows = rc == 0 ? table : NULL;
    size_t index = 0;
    cJSON_ArrayForEach(row, rows) {
        for (size_t p = 0; p <= npeers && rc == 0; p++) {
            double v;
            rc = row_value(row, index, p ? peers[p - 1] : "simdnet", &v, err);
            vmax = rc == 0 && isfinite(v) && v > vmax ? v : vmax;
        }
        index++;
    }
    const double scale = vmax >= 1e6 ? 1e-6 : vmax >= 1e3 ? 1e-3 : 1.0;
    c.title = sn_chart_strdup("simdnet and its peers: samples/s per network, "
                              "batch and thread count");
    c.unit = sn_chart_strdup(vmax >= 1e6 ? "million samples/s"
                     : vmax >= 1e3 ? "thousand samples/s" : "samples/s");
    c.slug = sn_chart_slug(prefix, "peers", 5);
    c.subtitle = peers_caption(root);
    if (rc == 0 && (!c.unit || !c.title || !c.slug || !c.subtitle))
        rc = sn_set_error(err, "out of memory");
    sn_buf group = {0};
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        if (pass == 1) {
            const size_t nv = c.ngroups * c.nseries;
            if (!(c.value = malloc((nv + 1) * sizeof *c.value))) {
                rc = sn_set_error(err, "out of memory");
                break;
            }
            for (size_t k = 0; k < nv; k++)
                c.value[k] = NAN;
        }
        index = 0;
        cJSON_ArrayForEach(row, rows) {
            const size_t i = index++;
            const long t = result_threads(row);
            char label[32];
            thread_label(label, sizeof label, t);
            if (!t) {
                rc = sn_set_error(err, "table[%zu].threads: not a thread "
                                       "count", i);
                break;
            }
            if ((rc = config_label(&group, row, "table", i, root, err)) != 0)
                break;
            sn_buf_printf(&group, ", %s", label);
            for (size_t p = 0; p <= npeers; p++) {
                const char *name = p ? peers[p - 1] : "simdnet";
                const long k = sn_buf_failed(&group)
                                   ? sn_set_error(err, "out of memory")
                                   : sn_chart_slot(&c, group.data, group.len,
                                                   name, strlen(name), err);
                if (k < 0) {
                    rc = -1;
                    break;
                }
                double v;
                if (pass == 1 && row_value(row, i, name, &v, err) == 0)
                    c.value[k] = v * scale;
            }
            if (rc != 0)
                break;
        }
    }
    if (rc == 0 && c.ngroups == 0)
        rc = sn_set_error(err, "tools/sweep.py JSON with an empty table");
    sn_buf_free(&group);
    sn_chart_free_list(peers, npeers);
    return sn_chart_finish(set, &c, rc, err);
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
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(root, "table");
    const size_t before = set->n;
    int rc;
    if (cJSON_IsArray(gb))
        rc = sn_gb_read(root, prefix, set, err);
    else if (cJSON_IsArray(table) &&
             cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "simdnet")))
        rc = peers_read(root, prefix, set, err);
    else if (cJSON_IsArray(res) && cJSON_GetArraySize(res) > 0)
        rc = training_read(root, prefix, set, err);
    else
        rc = sn_set_error(err, "neither Google Benchmark JSON (a "
                               "\"benchmarks\" array), simdnet bench "
                               "--json output (a non-empty \"results\" array) "
                               "nor tools/sweep.py --json output (a "
                               "\"table\" array and a \"simdnet\" object)");
    cJSON_Delete(root);
    if (rc == 0 && set->n == before)
        rc = sn_set_error(err, "nothing to draw in it");
    if (rc != 0) {
        /* A refused file adds no chart, even where some were made before
         * the refusal (an op's bar chart before the roofline's). */
        while (set->n > before)
            sn_chart_free(&set->charts[--set->n]);
        sn_prefix_error(err, "%s: ", path);
    }
    return rc;
}
