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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "dist_cli.h"
#include "json_out.h"
#include "options.h"

static const char *const CMD = "bench";


/* The network every case starts from: --init FILE, or --layers drawn
 * with the recipe's kind and --init scheme. Returns the exit status. */
int bench_make_net(const bench_args *a, sn_net *net)
{
    sn_error err;
    if (a->rc.init_file) {
        if (sn_model_load(net, a->rc.init_file, &err) != 0) {
            cli_error(CMD, "--init: %s", err.msg);
            return EXIT_FAIL;
        }
        char what[320];
        snprintf(what, sizeof what, "--init %s", a->rc.init_file);
        return cli_recipe_check_kind(CMD, &a->rc, net, what);
    }
    return cli_recipe_new_net(CMD, &a->rc, a->layers, a->seed, net);
}

/* ------------------------------------------------------------------ data */

/* 60,000 images with MNIST's sparsity (81% exact zeros, the rest uniform
 * 1..255) and uniform labels: the same shape and the same work for an
 * engine that skips zeros, but nothing to learn. */
/* The synthetic set's pixel budget (make_synthetic). */
#define SYNTHETIC_BYTES ((size_t)64 << 20)

static int make_synthetic(bench_data *d, size_t input, unsigned classes,
                          const char *why)
{
    /* MNIST's 60000 samples, but no more than SYNTHETIC_BYTES of pixels
     * (at least 1000 samples): a wide input layer (--layers 20000,1) took
     * 1.2 GB before, for data whose only job is to be timed. */
    size_t count = SYNTHETIC_BYTES / (input ? input : 1);
    count = count > 60000 ? 60000 : count < 1000 ? 1000 : count;
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

static int load_data_set(const bench_args *a, const sn_net *net,
                         bench_data *d);

int bench_load_data(const bench_args *a, const sn_net *net, bench_data *d)
{
    if (load_data_set(a, net, d) != 0)
        return -1;
    d->nonzero = bench_nonzero_fraction(&d->ds);
    return 0;
}

static int load_data_set(const bench_args *a, const sn_net *net,
                         bench_data *d)
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

void bench_free_data(bench_data *d)
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

size_t bench_make_cases(const bench_args *a, bench_case *out)
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
    cfg->relu_zeros = c->engine->relu_zeros;
    if (c->engine->thread_split != SN_THREAD_SPLIT_AUTO)
        cfg->thread_split = c->engine->thread_split;
    cfg->kernels = sn_kernels_for(c->isa);
    cfg->threads = c->threads;
    cfg->collective = cli_dist_collective();
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

int bench_case_open(const bench_args *a, const sn_net *init,
                    const sn_dataset *ds, bench_result *r, bench_run *run)
{
    sn_error err;
    *run = (bench_run){.ds = ds};
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

    if (sn_net_create(&run->net, init->sizes, init->nlayers + 1, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return -1;
    }
    memcpy(run->net.params, init->params, init->nparams * sizeof *init->params);
    memcpy(run->net.act, init->act, sizeof run->net.act);
    run->net.loss = init->loss;
    sn_train_config cfg = a->cfg;
    cfg.batch = (size_t)a->batch;
    configure(&r->c, &cfg);
    if (sn_trainer_create(&run->trainer, &run->net, &cfg, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        bench_case_close(run);
        return -1;
    }
    /* As train keeps them for runs of three epochs or more: the timed
     * batches are the steady state of such a run, and the peers' data is
     * converted to floats before their timing starts, too. */
    if (sn_trainer_keep_pixel_lists(run->trainer, ds, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        bench_case_close(run);
        return -1;
    }
    run->per_run = (size_t)a->batches * cfg.batch;
    const size_t warm = (size_t)a->warmup * cfg.batch;
    if (warm > 0) {
        sn_dataset w = window(ds, 0, warm < ds->count ? warm : ds->count);
        if (sn_train_epoch(run->trainer, &w, 0, NULL, NULL, &err) != 0) {
            cli_error(CMD, "warm-up: %s", err.msg);
            bench_case_close(run);
            return -1;
        }
        run->pos = w.count;
    }
    return 0;
}

int bench_case_time(bench_run *run, double *secs)
{
    sn_error err;
    if (run->pos + run->per_run > run->ds->count)
        run->pos = 0;
    sn_dataset w = window(run->ds, run->pos, run->per_run);
    const double t0 = cli_now();
    const int fail = sn_train_epoch(run->trainer, &w, 0, NULL, NULL, &err);
    *secs = cli_now() - t0;
    if (fail) {
        cli_error(CMD, "%s", err.msg);
        return -1;
    }
    run->pos += run->per_run;
    return 0;
}

void bench_case_close(bench_run *run)
{
    sn_trainer_free(run->trainer);
    sn_net_free(&run->net);
    run->trainer = NULL;
}

void bench_case_rates(const bench_args *a, size_t per_run, bench_result *r)
{
    double rates[MAX_REPEATS];
    for (long i = 0; i < a->repeats; i++)
        rates[i] = (double)per_run / r->secs[i];
    spread(rates, (size_t)a->repeats, r->rate);
}

/* A case from start to end: opened, timed --repeats times, closed. */
static int run_case(const bench_args *a, const sn_net *init,
                    const sn_dataset *ds, bench_result *r)
{
    bench_run run;
    if (bench_case_open(a, init, ds, r, &run) != 0)
        return -1;
    int rc = 0;
    for (long i = 0; rc == 0 && i < a->repeats; i++)
        rc = bench_case_time(&run, &r->secs[i]);
    if (rc == 0)
        bench_case_rates(a, run.per_run, r);
    bench_case_close(&run);
    return rc;
}

/* ------------------------------------------------------------------ sweep */

/* One network and batch of a sweep: every case, a row each in the table
 * and in rows. peaks[k] is the best FMA peak so far of the k-th ISA and
 * thread count (see run_case). Returns the exit status. */
static int sweep_one(bench_args *a, const char *layers, long batch,
                     const bench_data *data, FILE *out, cJSON *rows,
                     double *peaks)
{
    const bench_sweep_set *set = bench_sweep_find(a->sweep);
    a->layers = layers;
    a->batch = batch;
    a->batches = a->sweep_batches > 0 ? a->sweep_batches
                                      : (set->samples_per_run + batch - 1) /
                                            batch;
    if ((size_t)a->batches * (size_t)batch > data->ds.count) {
        cli_error(CMD, "%s batch %ld: %ld batches are more than the data "
                       "set's %zu samples", layers, batch, a->batches,
                  data->ds.count);
        return EXIT_USAGE;
    }
    sn_net init = {0};
    int rc = bench_make_net(a, &init);
    const size_t ncases = a->nengines * a->nisas * a->nthreads;
    const size_t per_engine = a->nisas * a->nthreads;
    bench_case *cases = calloc(ncases, sizeof *cases);
    double *secs = calloc((size_t)a->repeats, sizeof *secs);
    if (rc == 0 && (!secs || !cases)) {
        cli_error(CMD, "out of memory");
        rc = EXIT_FAIL;
    }
    const bench_flops flops = bench_flop_per_sample(&init, data->nonzero);
    char shown[160] = "";
    if (rc == 0)
        sn_format_layers(&init, shown, sizeof shown);
    if (rc == 0)
        bench_make_cases(a, cases);
    for (size_t i = 0; rc == 0 && i < ncases; i++) {
        bench_result r = {.c = cases[i], .secs = secs,
                          .peak = peaks[i % per_engine]};
        if (run_case(a, &init, &data->ds, &r) != 0) {
            rc = EXIT_FAIL;
            break;
        }
        peaks[i % per_engine] = r.peak;
        bench_sweep_row(out, shown, batch, &r, &flops);
        cJSON_AddItemToArray(rows, bench_sweep_row_json(&init, batch, &r,
                                                        &flops, a->repeats));
    }
    free(secs);
    free(cases);
    sn_net_free(&init);
    return rc;
}

/* --sweep SET: one table and one JSON document. The document is bench's
 * with the first network in "network" and "method", "sweep" naming the set
 * and each row of "results" naming its network and batch. */
static int run_sweep(bench_args *a)
{
    const bench_sweep_set *set = bench_sweep_find(a->sweep);
    int rc = EXIT_FAIL;
    bench_data data = {0};
    cli_json json = {0};
    sn_net first = {0};
    cJSON *doc = NULL;
    static double peaks[MAX_LIST * MAX_LIST];
    sn_error err;
    if (a->bind && sn_bind_threads(a->threads[0], &err) != 0) {
        cli_error(CMD, "--bind: %s", err.msg);
        return EXIT_FAIL;
    }
    if (cli_json_open(CMD, &json, a->json) != 0)
        return EXIT_FAIL;
    FILE *out = cli_json_text(&json);
    a->layers = set->layers[0];
    a->batch = set->batches[0];
    if ((rc = bench_make_net(a, &first)) != 0)
        goto out;
    rc = EXIT_FAIL;
    if (bench_load_data(a, &first, &data) != 0)
        goto out;
    const bench_flops flops = bench_flop_per_sample(&first, data.nonzero);
    bench_roofs roofs;
    bench_measure_roofs(a, 0.1, &roofs);
    bench_print_machine(out, &data);
    fprintf(out, "sweep     %s: %ld warm-up batches, then %ld timed runs of "
                 "%ld samples (or --batches) per network and batch; %.1f%% "
                 "nonzero pixels\n",
            set->name, a->warmup, a->repeats, set->samples_per_run,
            100.0 * data.nonzero);
    bench_print_roofs(out, &roofs);
    fprintf(out, "GFLOP/s counts every multiply of a dense network; eff GF/s "
                 "and %%peak the ones the engine does (the sparse engine's "
                 "first layer: nonzero pixels only)\n");
    bench_sweep_header(out);
    doc = bench_results_json(a, &data, &first, &flops, &roofs, NULL, 0);
    cJSON_AddStringToObject(doc, "sweep", set->name);
    cJSON *rows = cJSON_GetObjectItemCaseSensitive(doc, "results");
    for (size_t l = 0; set->layers[l]; l++)
        for (size_t b = 0; set->batches[b]; b++)
            if ((rc = sweep_one(a, set->layers[l], set->batches[b], &data,
                                out, rows, peaks)) != 0)
                goto out;
    rc = EXIT_FAIL;
    if (a->json) {
        cli_json_put(&json, doc, 0);
        doc = NULL;
        if (cli_json_close(CMD, &json) != 0)
            goto out;
        if (!json.to_stdout)
            fprintf(out, "\nwrote %s\n", a->json);
    }
    rc = 0;
out:
    cJSON_Delete(doc);
    cli_json_abort(&json);
    bench_free_data(&data);
    sn_net_free(&first);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    bench_args a;
    int rc = cli_dist_begin(CMD);
    if (rc != 0)
        return rc;
    const int parsed = bench_parse_args(argc, argv, &a);
    if (parsed != CLI_PARSED)
        return cli_dist_end(cli_options_exit(parsed));
    if (cli_dist_rank() > 0) /* rank 0 alone writes (dist_cli.h) */
        a.json = NULL;
    if (a.sweep)
        return cli_dist_end(run_sweep(&a));
    if (a.recipes)
        return cli_dist_end(bench_recipes(argc, argv, &a));

    sn_error err;
    sn_net init = {0};
    const int made = bench_make_net(&a, &init);
    if (made != 0) {
        sn_net_free(&init);
        return cli_dist_end(made);
    }

    rc = EXIT_FAIL;
    bench_data data = {0};
    cli_json json = {0};
    const size_t ncases = a.nengines * a.nisas * a.nthreads;
    bench_case *cases = calloc(ncases, sizeof *cases);
    bench_result *res = calloc(ncases, sizeof *res);
    double *secs = calloc(ncases * (size_t)a.repeats, sizeof *secs);
    if (!cases || !res || !secs) {
        cli_error(CMD, "out of memory for %zu results", ncases);
        goto out;
    }
    bench_make_cases(&a, cases);
    /* A binding or a --json path that cannot work fails now, not after
     * the first cases. */
    if (a.bind && sn_bind_threads(a.threads[0], &err) != 0) {
        cli_error(CMD, "--bind: %s", err.msg);
        goto out;
    }
    if (cli_json_open(CMD, &json, a.json) != 0)
        goto out;
    FILE *out = cli_json_text(&json);
    if (bench_load_data(&a, &init, &data) != 0)
        goto out;
    const size_t per_run = (size_t)a.batches * (size_t)a.batch;
    if (per_run > data.ds.count) {
        cli_error(CMD, "--batches %ld of --batch %ld is %zu samples, more "
                       "than the data set's %zu", a.batches, a.batch, per_run,
                  data.ds.count);
        rc = EXIT_USAGE;
        goto out;
    }

    const bench_flops flops = bench_flop_per_sample(&init, data.nonzero);
    bench_roofs roofs;
    bench_measure_roofs(&a, 0.1, &roofs);
    bench_print_header(out, &a, &data, &init, &flops, &roofs);
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
        bench_print_row(out, &res[i], &flops, data.ds.count);
        cli_dist_bench_row(out, (size_t)(a.warmup + a.repeats * a.batches));
    }
    if (a.json) {
        cli_json_put(&json, bench_results_json(&a, &data, &init, &flops,
                                               &roofs, res, ncases), 0);
        if (cli_json_close(CMD, &json) != 0)
            goto out;
        if (!json.to_stdout)
            fprintf(out, "\nwrote %s\n", a.json);
    }
    rc = 0;
out:
    cli_json_abort(&json);
    free(secs);
    free(res);
    free(cases);
    bench_free_data(&data);
    sn_net_free(&init);
    return cli_dist_end(rc);
}
