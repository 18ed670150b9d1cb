/*
 * cmd_bench.c - `simdnet bench`: training throughput, per ISA and thread
 * count, as a table and as JSON.
 *
 * Each configuration (a "case") trains a freshly initialised network: a
 * warm-up of a few batches (caches, page faults, thread start-up), then
 * --repeats timed runs of --batches batches each, walking through the data
 * set in file order. The table shows the median run and the spread (the
 * slowest and fastest), because this is often a shared machine. FLOP/s are
 * counted as the dense algorithm's multiply-adds, so an engine that skips
 * work shows more GFLOP/s than it computes, which is the point: the same
 * unit for every engine. Peaks are measured here, with the same threads.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"

static const char *const CMD = "bench";

static void bench_usage(FILE *out)
{
    fputs(
        "usage: simdnet bench [options]\n"
        "\n"
        "Measures training throughput: trains the network for a fixed number\n"
        "of batches after a warm-up, for each kernel set and thread count, and\n"
        "reports samples/s, s/epoch, GFLOP/s and the percentage of the FMA\n"
        "peak measured on this machine (medians over the repeats, with the\n"
        "slowest and fastest run).\n"
        "\n"
        "  --data DIR       MNIST folder (default $SIMDNET_DATA, else ./data/mnist);\n"
        "                   if the default has none, a synthetic set of the same\n"
        "                   shape is used and labelled SYNTHETIC\n"
        "  --synthetic      use the synthetic set even where MNIST is\n"
        "  --layers LIST    layer sizes, input first (default 784,32,32,10)\n"
        "  --batch N        samples per batch (default 100)\n"
        "  --isa LIST       kernel sets, e.g. avx2,avx512 (default: every one\n"
        "                   this binary has and this CPU runs)\n"
        "  --threads LIST   thread counts, e.g. 1,2 or 1-4 (default: 1 to the\n"
        "                   number of physical cores)\n"
        "  --engine LIST    engines: per-sample, sparse, sparse-dense (the sparse\n"
        "                   engine visiting zero pixels too), or all (default:\n"
        "                   the library's default, sparse)\n"
        "  --warmup N       untimed batches before the timed runs (default 30)\n"
        "  --batches N      batches per timed run (default 300)\n"
        "  --repeats N      timed runs per case (default 5)\n"
        "  --seed N         weight initialisation seed (default 0)\n"
        "  --bind           bind threads one per physical core (hwloc)\n"
        "  --json FILE      also write the results as JSON\n"
        "  -h, --help       this help\n",
        out);
}

enum { MAX_LIST = 64, MAX_REPEATS = 1000 };

/* The engines a case can run: the library's engines, and the sparse one
 * with zero pixels visited, to show what skipping them buys. */
typedef struct engine_variant {
    const char *name;
    sn_engine_kind engine;
    int dense_input;
} engine_variant;

static const engine_variant engines[] = {
    {"per-sample", SN_ENGINE_PER_SAMPLE, 0},
    {"sparse-dense", SN_ENGINE_SPARSE, 1},
    {"sparse", SN_ENGINE_SPARSE, 0},
};
enum { NENGINES = sizeof engines / sizeof engines[0] };

typedef struct bench_args {
    const char *data, *layers, *json;
    int synthetic, bind;
    long batch, warmup, batches, repeats;
    unsigned long long seed;
    sn_isa isas[MAX_LIST];
    size_t nisas;
    const engine_variant *engines[NENGINES];
    size_t nengines;
    int threads[MAX_LIST];
    size_t nthreads;
} bench_args;

/* "1,2,4" or "1-4" (or a mix) into out; every value in [1, max]. */
static int parse_int_list(const char *flag, const char *text, int max,
                          int *out, size_t *n)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long lo = strtol(p, &end, 10), hi = lo;
        if (end != p && *end == '-') {
            const char *q = end + 1;
            hi = strtol(q, &end, 10);
            if (end == q)
                end = (char *)q - 1; /* "1-" : reported below */
        }
        if (end == p || errno || (*end && *end != ',') ||
            (*end == ',' && end[1] == '\0') || lo < 1 || hi > max ||
            lo > hi || *n + (size_t)(hi - lo + 1) > MAX_LIST) {
            cli_error(CMD, "%s: expected a list like 1,2 or 1-4 of numbers "
                           "from 1 to %d (at most %d), got '%s'",
                      flag, max, MAX_LIST, text);
            return -1;
        }
        for (long v = lo; v <= hi; v++)
            out[(*n)++] = (int)v;
        p = *end ? end + 1 : end;
    }
    if (*n == 0) {
        cli_error(CMD, "%s: the list is empty", flag);
        return -1;
    }
    return 0;
}

/* "avx2,avx512": each must be built and runnable here. */
static int parse_isa_list(const char *text, sn_isa *out, size_t *n)
{
    *n = 0;
    char buf[256];
    if (strlen(text) >= sizeof buf) {
        cli_error(CMD, "--isa: list too long");
        return -1;
    }
    strcpy(buf, text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        const sn_kernels *k;
        if (*n == MAX_LIST || cli_select_kernels(CMD, tok, &k) != 0)
            return -1;
        out[(*n)++] = sn_kernels_isa(k);
    }
    if (*n == 0) {
        cli_error(CMD, "--isa: the list is empty");
        return -1;
    }
    return 0;
}

/* "per-sample,sparse" or "all"; no name twice. */
static int parse_engine_list(const char *text, bench_args *a)
{
    a->nengines = 0;
    if (!strcmp(text, "all")) {
        for (size_t i = 0; i < NENGINES; i++)
            a->engines[a->nengines++] = &engines[i];
        return 0;
    }
    const char *p = text;
    while (*p) {
        const size_t len = strcspn(p, ",");
        const engine_variant *v = NULL;
        for (size_t i = 0; i < NENGINES; i++)
            if (strlen(engines[i].name) == len &&
                !strncmp(engines[i].name, p, len))
                v = &engines[i];
        for (size_t i = 0; v && i < a->nengines; i++)
            if (a->engines[i] == v)
                v = NULL;
        if (!v) {
            cli_error(CMD, "--engine: expected a list of per-sample, sparse "
                           "and sparse-dense, each once, or all; got '%s'",
                      text);
            return -1;
        }
        a->engines[a->nengines++] = v;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* The engine sn_train_config_default() picks. */
static const engine_variant *default_engine(void)
{
    const sn_train_config cfg = sn_train_config_default();
    for (size_t i = 0; i < NENGINES; i++)
        if (engines[i].engine == cfg.engine &&
            engines[i].dense_input == cfg.dense_input)
            return &engines[i];
    return &engines[0];
}

static int parse_args(int argc, char **argv, bench_args *a)
{
    enum { O_DATA = 256, O_SYNTH, O_LAYERS, O_BATCH, O_ISA, O_THREADS,
           O_ENGINE, O_WARMUP, O_BATCHES, O_REPEATS, O_SEED, O_BIND, O_JSON };
    static const struct option opts[] = {
        {"data", required_argument, 0, O_DATA},
        {"synthetic", no_argument, 0, O_SYNTH},
        {"layers", required_argument, 0, O_LAYERS},
        {"batch", required_argument, 0, O_BATCH},
        {"isa", required_argument, 0, O_ISA},
        {"threads", required_argument, 0, O_THREADS},
        {"engine", required_argument, 0, O_ENGINE},
        {"warmup", required_argument, 0, O_WARMUP},
        {"batches", required_argument, 0, O_BATCHES},
        {"repeats", required_argument, 0, O_REPEATS},
        {"seed", required_argument, 0, O_SEED},
        {"bind", no_argument, 0, O_BIND},
        {"json", required_argument, 0, O_JSON},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    *a = (bench_args){.batch = 100, .warmup = 30, .batches = 300,
                      .repeats = 5};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_SYNTH: a->synthetic = 1; break;
        case O_LAYERS: a->layers = optarg; break;
        case O_BATCH:
            bad = cli_parse_long(CMD, "--batch", optarg, 1, 1000000, &a->batch);
            break;
        case O_ISA: bad = parse_isa_list(optarg, a->isas, &a->nisas); break;
        case O_THREADS:
            bad = parse_int_list("--threads", optarg, 1024, a->threads,
                                 &a->nthreads);
            break;
        case O_ENGINE: bad = parse_engine_list(optarg, a); break;
        case O_WARMUP:
            bad = cli_parse_long(CMD, "--warmup", optarg, 0, 1000000, &a->warmup);
            break;
        case O_BATCHES:
            bad = cli_parse_long(CMD, "--batches", optarg, 1, 1000000,
                                 &a->batches);
            break;
        case O_REPEATS:
            bad = cli_parse_long(CMD, "--repeats", optarg, 1, MAX_REPEATS,
                                 &a->repeats);
            break;
        case O_SEED: bad = cli_parse_u64(CMD, "--seed", optarg, &a->seed); break;
        case O_BIND: a->bind = 1; break;
        case O_JSON: a->json = optarg; break;
        case 'h': bench_usage(stdout); exit(0);
        default:
            cli_bad_option(CMD, c, argv);
            return -1;
        }
        if (bad)
            return -1;
    }
    if (cli_no_operands(CMD, argc, argv) != 0)
        return -1;
    if (a->nisas == 0) {
        for (int i = 0; i < SN_ISA_COUNT; i++) {
            const sn_isa isa = (sn_isa)i;
            if (sn_kernels_for(isa))
                a->isas[a->nisas++] = isa;
            else if (sn_isa_built(isa))
                fprintf(stderr, "simdnet bench: skipping the %s kernels: "
                                "this CPU cannot run them (it has: %s)\n",
                        sn_isa_name(isa), sn_cpu_features());
        }
    }
    if (a->nengines == 0)
        a->engines[a->nengines++] = default_engine();
    if (a->nthreads == 0) {
        const int n = cli_default_threads();
        for (int t = 1; t <= n && a->nthreads < MAX_LIST; t++)
            a->threads[a->nthreads++] = t;
    }
    return 0;
}

/* ------------------------------------------------------------------ data */

typedef struct bench_data {
    sn_dataset ds;
    int synthetic;     /* ds owns malloc'd buffers, not the library's */
    char source[512];  /* what the output says the data is */
} bench_data;

/* 60,000 images with MNIST's sparsity (81% exact zeros, the rest uniform
 * 1..255) and uniform labels: the same shape and the same work for an
 * engine that skips zeros, but nothing to learn. */
static int make_synthetic(bench_data *d, size_t input, unsigned classes,
                          const char *why)
{
    const size_t count = 60000;
    d->synthetic = 1;
    d->ds = (sn_dataset){.count = count, .rows = 1, .cols = input,
                         .input_size = input};
    if (input == 784)
        d->ds.rows = d->ds.cols = 28;
    d->ds.pixels = malloc(count * input);
    d->ds.labels = malloc(count);
    if (!d->ds.pixels || !d->ds.labels) {
        cli_error(CMD, "out of memory for the synthetic data set");
        return -1;
    }
    sn_rng rng;
    sn_rng_seed(&rng, 0x5157);
    for (size_t i = 0; i < count * input; i++)
        d->ds.pixels[i] = sn_rng_below(&rng, 100) < 81
                              ? 0 : (uint8_t)(1 + sn_rng_below(&rng, 255));
    for (size_t i = 0; i < count; i++)
        d->ds.labels[i] = (uint8_t)sn_rng_below(&rng, classes);
    snprintf(d->source, sizeof d->source,
             "SYNTHETIC: %zu random %zux%zu images, 81%% zero pixels (%s)",
             count, d->ds.rows, d->ds.cols, why);
    return 0;
}

static int load_data(const bench_args *a, const sn_net *net, bench_data *d)
{
    const size_t input = net->sizes[0];
    const unsigned classes = (unsigned)net->sizes[net->nlayers];
    if (classes > 256) {
        cli_error(CMD, "the output layer has %u neurons, more than a uint8 "
                       "label can name", classes);
        return -1;
    }
    if (a->synthetic)
        return make_synthetic(d, input, classes, "--synthetic");
    const char *dir = cli_data_dir(a->data);
    sn_error err;
    if (sn_dataset_load(&d->ds, dir, SN_SPLIT_TRAIN, classes, &err) != 0) {
        if (a->data) { /* asked for by name: not finding it is an error */
            cli_error(CMD, "%s", err.msg);
            return -1;
        }
        char why[400];
        snprintf(why, sizeof why, "no MNIST in %s", dir);
        fprintf(stderr, "simdnet bench: %s; using a synthetic data set of "
                        "the same shape (pass --data DIR for MNIST)\n", err.msg);
        return make_synthetic(d, input, classes, why);
    }
    if (d->ds.input_size != input) {
        cli_error(CMD, "the data in %s has %zu inputs per sample, but the "
                       "network's first layer has %zu", dir,
                  d->ds.input_size, input);
        return -1;
    }
    snprintf(d->source, sizeof d->source, "MNIST %s: %zu samples of %zux%zu",
             dir, d->ds.count, d->ds.rows, d->ds.cols);
    return 0;
}

static void free_data(bench_data *d)
{
    if (d->synthetic) {
        free(d->ds.pixels);
        free(d->ds.labels);
        d->ds = (sn_dataset){0};
    } else {
        sn_dataset_free(&d->ds);
    }
}

/* ------------------------------------------------------------------ cases */

/* One measured configuration. To add a dimension (the batch, say): a
 * field here, a list in bench_args, a loop in make_cases, a line in
 * configure, a column in print_row and a key in write_json. */
typedef struct bench_case {
    const engine_variant *engine;
    sn_isa isa;
    int threads;
} bench_case;

typedef struct bench_result {
    bench_case c;
    double *secs;          /* --repeats run times */
    double rate[3];        /* samples/s: median, slowest, fastest */
    double peak;           /* FLOP/s measured with c.isa and c.threads */
    char binding[256];
} bench_result;

/* Every combination, engines outermost: out needs room for
 * nengines x nisas x nthreads cases. */
static size_t make_cases(const bench_args *a, bench_case *out)
{
    size_t n = 0;
    for (size_t e = 0; e < a->nengines; e++)
        for (size_t i = 0; i < a->nisas; i++)
            for (size_t t = 0; t < a->nthreads; t++)
                out[n++] = (bench_case){a->engines[e], a->isas[i],
                                        a->threads[t]};
    return n;
}

static void configure(const bench_case *c, sn_train_config *cfg)
{
    cfg->engine = c->engine->engine;
    cfg->dense_input = c->engine->dense_input;
    cfg->kernels = sn_kernels_for(c->isa);
    cfg->threads = c->threads;
}

/* FLOPs of one training sample, counting every multiply-add as 2: the
 * forward pass and the weight gradients each do one per weight, and the
 * errors passed back through layers 2..L one per weight of those layers.
 * 108,416 for 784-32-32-10. */
static double flop_per_sample(const sn_net *net)
{
    double all = 0.0, first = 0.0;
    for (size_t l = 0; l < net->nlayers; l++) {
        const double w = (double)net->sizes[l] * (double)net->sizes[l + 1];
        all += w;
        if (l == 0)
            first = w;
    }
    return 2.0 * all + 2.0 * all + 2.0 * (all - first);
}

static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Median, smallest and largest of n values (sorts v). */
static void spread(double *v, size_t n, double out[3])
{
    qsort(v, n, sizeof *v, cmp_double);
    out[0] = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    out[1] = v[0];
    out[2] = v[n - 1];
}

/* Samples [pos, pos + n) of ds as a data set of its own (no copy). */
static sn_dataset window(const sn_dataset *ds, size_t pos, size_t n)
{
    sn_dataset w = *ds;
    w.count = n;
    w.pixels = ds->pixels + pos * ds->input_size;
    w.labels = ds->labels + pos;
    return w;
}

static int run_case(const bench_args *a, const sn_net *init,
                    const sn_dataset *ds, bench_result *r)
{
    sn_error err;
    sn_net net = {0};
    sn_trainer *trainer = NULL;
    int rc = -1;
    if (a->bind && sn_bind_threads(r->c.threads, &err) != 0) {
        cli_error(CMD, "--bind: %s", err.msg);
        return -1;
    }
    if (a->bind)
        sn_bind_describe(r->c.threads, r->binding, sizeof r->binding);
    else
        snprintf(r->binding, sizeof r->binding, "none (OpenMP's default)");
    /* Measured again for every case, keeping the best so far for this ISA
     * and thread count (r->peak comes in with it): on a shared machine one
     * measurement may catch a busy moment and make %peak look too good. */
    const double peak = sn_peak_flops(r->c.isa, r->c.threads, 0.2);
    if (peak > r->peak)
        r->peak = peak;

    if (sn_net_create(&net, init->sizes, init->nlayers + 1, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return -1;
    }
    memcpy(net.params, init->params, init->nparams * sizeof *net.params);
    sn_train_config cfg = sn_train_config_default();
    cfg.batch = (size_t)a->batch;
    configure(&r->c, &cfg);
    if (sn_trainer_create(&trainer, &net, &cfg, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }

    const size_t per_run = (size_t)a->batches * cfg.batch;
    const size_t warm = (size_t)a->warmup * cfg.batch;
    size_t pos = 0;
    if (warm > 0) {
        sn_dataset w = window(ds, 0, warm < ds->count ? warm : ds->count);
        if (sn_train_epoch(trainer, &w, 0, NULL, NULL, &err) != 0) {
            cli_error(CMD, "warm-up: %s", err.msg);
            goto out;
        }
        pos = w.count;
    }
    for (long i = 0; i < a->repeats; i++) {
        if (pos + per_run > ds->count)
            pos = 0;
        sn_dataset w = window(ds, pos, per_run);
        const double t0 = cli_now();
        const int fail = sn_train_epoch(trainer, &w, 0, NULL, NULL, &err);
        r->secs[i] = cli_now() - t0;
        if (fail) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
        pos += per_run;
    }
    double rates[MAX_REPEATS];
    for (long i = 0; i < a->repeats; i++)
        rates[i] = (double)per_run / r->secs[i];
    spread(rates, (size_t)a->repeats, r->rate);
    rc = 0;
out:
    sn_trainer_free(trainer);
    sn_net_free(&net);
    return rc;
}

/* ------------------------------------------------------------------ output */

static void print_header(const bench_args *a, const bench_data *d,
                         const sn_net *net, double flops)
{
    const sn_topology *t = sn_topology_get();
    char l1[32], l2[32], l3[32], layers[160];
    cli_format_bytes(t->l1d, l1, sizeof l1);
    cli_format_bytes(t->l2, l2, sizeof l2);
    cli_format_bytes(t->l3, l3, sizeof l3);
    sn_format_layers(net, layers, sizeof layers);
    printf("cpu       %s\n", sn_cpu_model());
    printf("features  %s\n", sn_cpu_features());
    if (t->from_hwloc)
        printf("cores     %d physical (%d hardware threads); L1d %s, L2 %s, "
               "L3 %s (hwloc)\n", t->cores, t->pus, l1, l2, l3);
    else
        printf("cores     %d (topology unknown: %s)\n", t->cores, t->note);
    printf("data      %s\n", d->source);
    printf("network   %s, %zu parameters, %.0f FLOP per sample (dense: "
           "GFLOP/s count them for every engine)\n", layers, net->nparams,
           flops);
    printf("method    batch %ld, AdaGrad, %ld warm-up + %ld timed batches, "
           "median of %ld runs, threads %s\n",
           a->batch, a->warmup, a->batches, a->repeats,
           a->bind ? "bound one per core" : "not bound");
    printf("\n%-12s %-8s %7s %10s %21s %9s %8s %8s %6s\n", "engine", "isa",
           "threads", "samples/s", "(slowest..fastest)", "s/epoch",
           "GFLOP/s", "peak", "%peak");
    fflush(stdout);
}

static void print_row(const bench_result *r, double flops, size_t epoch)
{
    char med[16], lo[16], hi[16], range[40];
    cli_format_si(r->rate[0], med, sizeof med);
    cli_format_si(r->rate[1], lo, sizeof lo);
    cli_format_si(r->rate[2], hi, sizeof hi);
    snprintf(range, sizeof range, "(%s..%s)", lo, hi);
    const double gflops = r->rate[0] * flops * 1e-9;
    printf("%-12s %-8s %7d %10s %21s %9.4f %8.1f %8.1f %6.1f\n",
           r->c.engine->name, sn_isa_name(r->c.isa), r->c.threads, med, range,
           (double)epoch / r->rate[0], gflops, r->peak * 1e-9,
           r->peak > 0.0 ? 100.0 * gflops * 1e9 / r->peak : 0.0);
    fflush(stdout);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* {"median": m, "min": lo, "max": hi} of v[3] = median, lowest, highest. */
static void json_spread(FILE *f, const char *key, const double v[3],
                        double scale)
{
    fprintf(f, "\"%s\": {\"median\": %.6g, \"min\": %.6g, \"max\": %.6g}",
            key, v[0] * scale, v[1] * scale, v[2] * scale);
}

static void write_results(FILE *f, const bench_args *a, const bench_data *d,
                          const sn_net *net, double flops,
                          const bench_result *res, size_t n)
{
    const sn_topology *t = sn_topology_get();
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "{\n  \"simdnet\": \"%s\",\n  \"date\": \"%s\",\n",
            SN_VERSION_STRING, when);
    fputs("  \"machine\": {\"cpu\": ", f);
    json_string(f, sn_cpu_model());
    fputs(", \"features\": ", f);
    json_string(f, sn_cpu_features());
    fprintf(f, ", \"topology_from_hwloc\": %s, \"cores\": %d, \"pus\": %d, "
               "\"l1d_bytes\": %zu, \"l2_bytes\": %zu, \"l3_bytes\": %zu},\n",
            t->from_hwloc ? "true" : "false", t->cores, t->pus, t->l1d, t->l2,
            t->l3);
    fprintf(f, "  \"data\": {\"synthetic\": %s, \"samples\": %zu, "
               "\"source\": ", d->synthetic ? "true" : "false", d->ds.count);
    json_string(f, d->source);
    fputs("},\n  \"network\": {\"layers\": [", f);
    for (size_t l = 0; l <= net->nlayers; l++)
        fprintf(f, "%s%zu", l ? ", " : "", net->sizes[l]);
    fprintf(f, "], \"parameters\": %zu, \"flop_per_sample\": %.0f},\n",
            net->nparams, flops);
    fprintf(f, "  \"method\": {\"batch\": %ld, \"optimizer\": \"adagrad\", "
               "\"warmup_batches\": %ld, \"timed_batches\": %ld, "
               "\"repeats\": %ld, \"bind\": %s, \"seed\": %llu},\n",
            a->batch, a->warmup, a->batches, a->repeats,
            a->bind ? "true" : "false", a->seed);
    fputs("  \"results\": [", f);
    for (size_t i = 0; i < n; i++) {
        const bench_result *r = &res[i];
        const double epoch[3] = {(double)d->ds.count / r->rate[0],
                                 (double)d->ds.count / r->rate[2],
                                 (double)d->ds.count / r->rate[1]};
        const double pct = r->peak > 0.0 ? 100.0 * flops / r->peak : 0.0;
        fprintf(f, "%s\n    {\"engine\": \"%s\", \"isa\": \"%s\", "
                   "\"threads\": %d, \"binding\": ", i ? "," : "",
                r->c.engine->name, sn_isa_name(r->c.isa), r->c.threads);
        json_string(f, r->binding);
        fputs(",\n     ", f);
        json_spread(f, "samples_per_s", r->rate, 1.0);
        fputs(",\n     ", f);
        json_spread(f, "s_per_epoch", epoch, 1.0);
        fputs(",\n     ", f);
        json_spread(f, "gflops", r->rate, flops * 1e-9);
        fputs(",\n     ", f);
        json_spread(f, "pct_peak", r->rate, pct);
        fprintf(f, ",\n     \"peak_gflops\": %.6g, \"run_seconds\": [",
                r->peak * 1e-9);
        for (long j = 0; j < a->repeats; j++)
            fprintf(f, "%s%.6g", j ? ", " : "", r->secs[j]);
        fputs("]}", f);
    }
    fputs("\n  ]\n}\n", f);
}

/* Writes atomically: a half-written JSON file is never left behind. */
static int write_json(const char *path, const bench_args *a,
                      const bench_data *d, const sn_net *net, double flops,
                      const bench_result *res, size_t n)
{
    sn_error err;
    sn_atomic_file af;
    if (sn_atomic_open(&af, path, &err) == 0) {
        write_results(af.f, a, d, net, flops, res, n);
        if (sn_atomic_commit(&af, &err) == 0)
            return 0;
    }
    cli_error(CMD, "--json %s", err.msg);
    return -1;
}

int cmd_bench(int argc, char **argv)
{
    bench_args a;
    if (parse_args(argc, argv, &a) != 0)
        return EXIT_USAGE;

    sn_error err;
    size_t sizes[SN_MAX_LAYERS], nsizes = 4;
    const size_t defaults[] = {784, 32, 32, 10};
    memcpy(sizes, defaults, sizeof defaults);
    if (a.layers && sn_parse_layers(a.layers, sizes, &nsizes, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    sn_net init = {0};
    if (sn_net_create(&init, sizes, nsizes, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    sn_net_init_uniform(&init, a.seed);

    int rc = EXIT_FAIL;
    bench_data data = {0};
    const size_t ncases = a.nengines * a.nisas * a.nthreads;
    bench_case *cases = calloc(ncases, sizeof *cases);
    bench_result *res = calloc(ncases, sizeof *res);
    double *secs = calloc(ncases * (size_t)a.repeats, sizeof *secs);
    if (!cases || !res || !secs) {
        cli_error(CMD, "out of memory for %zu results", ncases);
        goto out;
    }
    make_cases(&a, cases);
    /* A binding that cannot work fails now, not after the first cases. */
    if (a.bind && sn_bind_threads(a.threads[0], &err) != 0) {
        cli_error(CMD, "--bind: %s", err.msg);
        goto out;
    }
    if (load_data(&a, &init, &data) != 0)
        goto out;
    const size_t per_run = (size_t)a.batches * (size_t)a.batch;
    if (per_run > data.ds.count) {
        cli_error(CMD, "--batches %ld of --batch %ld is %zu samples, more "
                       "than the data set's %zu", a.batches, a.batch, per_run,
                  data.ds.count);
        rc = EXIT_USAGE;
        goto out;
    }

    const double flops = flop_per_sample(&init);
    print_header(&a, &data, &init, flops);
    for (size_t i = 0; i < ncases; i++) {
        res[i].c = cases[i];
        res[i].secs = secs + i * (size_t)a.repeats;
        for (size_t j = 0; j < i; j++) /* the best peak so far, see run_case */
            if (res[j].c.isa == cases[i].isa &&
                res[j].c.threads == cases[i].threads &&
                res[j].peak > res[i].peak)
                res[i].peak = res[j].peak;
        if (run_case(&a, &init, &data.ds, &res[i]) != 0)
            goto out;
        print_row(&res[i], flops, data.ds.count);
    }
    if (a.json) {
        if (write_json(a.json, &a, &data, &init, flops, res, ncases) != 0)
            goto out;
        printf("\nwrote %s\n", a.json);
    }
    rc = 0;
out:
    free(secs);
    free(res);
    free(cases);
    free_data(&data);
    sn_net_free(&init);
    return rc;
}
