/*
 * bench_recipes.c - `simdnet bench --preset A,B`: recipes side by side in
 * one run.
 *
 * Every preset's cases (engines x kernel sets x threads) are set up and
 * warmed up first; then each round times every case once, in turn, so
 * that a busy moment of a shared machine falls on all of them alike. Each
 * preset after the first is compared with the first, case by case: the
 * ratio of their throughputs in each round, whose median and spread the
 * table's last lines show. Each preset keeps its own network, data and
 * settings (fast98 is 784-256-10, batch 100); the flags given apply to all.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "dist_cli.h"
#include "json_out.h"

static const char *const CMD = "bench";

/* One preset: its settings, network and data, and its cases. */
typedef struct recipe {
    bench_args a;
    sn_net init;
    bench_data data;
    bench_flops flops;
    char name[64];
    size_t first, n; /* its cases: [first, first + n) of the run's */
} recipe;

typedef struct recipes_run {
    recipe r[MAX_RECIPES];
    size_t nr;
    bench_result *res;
    bench_run *runs;
    size_t *of;     /* each case's recipe */
    double *secs;   /* every case's --repeats run times */
    size_t *peer;   /* each case's in the first preset, or SIZE_MAX */
    double (*ratio)[3]; /* its rounds' ratios to it: median, lo, hi */
    size_t ncases, opened;
} recipes_run;

/* Reads each preset's line, network and data; counts the cases. Returns
 * the exit status. */
static int recipes_read(int argc, char **argv, const bench_args *first,
                        recipes_run *rr)
{
    for (const char *p = first->recipes; *p && rr->nr < MAX_RECIPES;) {
        recipe *r = &rr->r[rr->nr];
        const size_t len = strcspn(p, ",");
        snprintf(r->name, sizeof r->name, "%.*s", (int)len, p);
        p += len + (p[len] == ',');
        const int parsed = bench_parse_preset(argc, argv, rr->nr, &r->a);
        rr->nr++; /* freed from here on */
        if (parsed != CLI_PARSED)
            return cli_options_exit(parsed);
        const int made = bench_make_net(&r->a, &r->init);
        if (made != 0)
            return made;
        if (bench_load_data(&r->a, &r->init, &r->data) != 0)
            return EXIT_FAIL;
        const size_t per_run = (size_t)r->a.batches * (size_t)r->a.batch;
        if (per_run > r->data.ds.count) {
            cli_error(CMD, "%s: --batches %ld of batch %ld is %zu samples, "
                           "more than the data set's %zu", r->name,
                      r->a.batches, r->a.batch, per_run, r->data.ds.count);
            return EXIT_USAGE;
        }
        r->flops = bench_flop_per_sample(&r->init, r->data.nonzero);
        r->first = rr->ncases;
        r->n = r->a.nengines * r->a.nisas * r->a.nthreads;
        rr->ncases += r->n;
    }
    return 0;
}

static int recipes_alloc(recipes_run *rr)
{
    const size_t n = rr->ncases, reps = (size_t)rr->r[0].a.repeats;
    rr->res = calloc(n, sizeof *rr->res);
    rr->runs = calloc(n, sizeof *rr->runs);
    rr->of = calloc(n, sizeof *rr->of);
    rr->secs = calloc(n * reps, sizeof *rr->secs);
    rr->peer = calloc(n, sizeof *rr->peer);
    rr->ratio = calloc(n, sizeof *rr->ratio);
    if (!rr->res || !rr->runs || !rr->of || !rr->secs || !rr->peer ||
        !rr->ratio) {
        cli_error(CMD, "out of memory for %zu cases", n);
        return -1;
    }
    bench_case *cases = calloc(n, sizeof *cases);
    if (!cases) {
        cli_error(CMD, "out of memory for %zu cases", n);
        return -1;
    }
    for (size_t k = 0; k < rr->nr; k++) {
        bench_make_cases(&rr->r[k].a, cases + rr->r[k].first);
        for (size_t i = rr->r[k].first; i < rr->r[k].first + rr->r[k].n; i++)
            rr->of[i] = k;
    }
    for (size_t i = 0; i < n; i++) {
        rr->res[i].c = cases[i];
        rr->res[i].secs = rr->secs + i * reps;
    }
    free(cases);
    return 0;
}

/* The case of recipe 0 with i's engine, ISA and threads, or SIZE_MAX. */
static size_t peer_of(const recipes_run *rr, size_t i)
{
    const bench_case *c = &rr->res[i].c;
    for (size_t j = 0; j < rr->r[0].n; j++) {
        const bench_case *d = &rr->res[j].c;
        if (d->engine == c->engine && d->isa == c->isa &&
            d->threads == c->threads)
            return j;
    }
    return SIZE_MAX;
}

static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Case i's throughput over its peer's, round by round: median, lowest,
 * highest into out. */
static void round_ratios(const recipes_run *rr, size_t i, size_t peer,
                         double out[3])
{
    const long n = rr->r[0].a.repeats;
    double v[MAX_REPEATS];
    const double per_i = (double)rr->runs[i].per_run;
    const double per_p = (double)rr->runs[peer].per_run;
    for (long k = 0; k < n; k++)
        v[k] = (per_i / rr->res[i].secs[k]) / (per_p / rr->res[peer].secs[k]);
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    out[0] = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    out[1] = v[0];
    out[2] = v[n - 1];
}

/* Sets up every case (the best peak so far of its ISA and threads, as a
 * plain bench keeps it), then the rounds. */
static int recipes_measure(recipes_run *rr)
{
    for (size_t i = 0; i < rr->ncases; i++) {
        bench_result *r = &rr->res[i];
        for (size_t j = 0; j < i; j++)
            if (rr->res[j].c.isa == r->c.isa &&
                rr->res[j].c.threads == r->c.threads &&
                rr->res[j].peak > r->peak)
                r->peak = rr->res[j].peak;
        const recipe *rc = &rr->r[rr->of[i]];
        if (bench_case_open(&rc->a, &rc->init, &rc->data.ds, r,
                            &rr->runs[i]) != 0)
            return -1;
        rr->opened = i + 1;
    }
    for (long round = 0; round < rr->r[0].a.repeats; round++)
        for (size_t i = 0; i < rr->ncases; i++)
            if (bench_case_time(&rr->runs[i], &rr->res[i].secs[round]) != 0)
                return -1;
    for (size_t i = 0; i < rr->ncases; i++) {
        bench_case_rates(&rr->r[rr->of[i]].a, rr->runs[i].per_run,
                         &rr->res[i]);
        rr->peer[i] = i < rr->r[0].n ? SIZE_MAX : peer_of(rr, i);
        if (rr->peer[i] != SIZE_MAX)
            round_ratios(rr, i, rr->peer[i], rr->ratio[i]);
    }
    return 0;
}

static void recipes_print(FILE *out, const recipes_run *rr,
                          const bench_roofs *roofs)
{
    bench_print_machine(out, &rr->r[0].data);
    for (size_t k = 0; k < rr->nr; k++) {
        const recipe *r = &rr->r[k];
        fprintf(out, "\nrecipe    %s\n", r->name);
        bench_print_network(out, &r->data, &r->init, &r->flops);
        bench_print_method(out, &r->a);
    }
    bench_print_roofs(out, roofs);
    fprintf(out, "rounds    %ld: each times every case once, in turn\n\n",
            rr->r[0].a.repeats);
    fprintf(out, "%-10s ", "recipe");
    bench_print_columns(out);
    for (size_t i = 0; i < rr->ncases; i++) {
        const recipe *r = &rr->r[rr->of[i]];
        fprintf(out, "%-10s ", r->name);
        bench_print_row(out, &rr->res[i], &r->flops, r->data.ds.count);
    }
    fputc('\n', out);
    for (size_t i = 0; i < rr->ncases; i++) {
        if (rr->peer[i] == SIZE_MAX)
            continue;
        const double *q = rr->ratio[i];
        const bench_case *c = &rr->res[i].c;
        fprintf(out, "%s / %s, %s %s %d thread%s: %.3fx samples/s (median "
                     "of the rounds' ratios; %.3fx..%.3fx)\n",
                rr->r[rr->of[i]].name, rr->r[0].name, c->engine->name,
                sn_isa_name(c->isa), c->threads, c->threads == 1 ? "" : "s",
                q[0], q[1], q[2]);
    }
    fflush(out);
}

/* {"recipes": [each preset's bench document, "preset" added],
 *  "comparisons": [{preset, against, engine, isa, threads, ratio}]} */
static cJSON *recipes_json(const recipes_run *rr, const bench_roofs *roofs)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(doc, "recipes");
    for (size_t k = 0; list && k < rr->nr; k++) {
        const recipe *r = &rr->r[k];
        cJSON *one = bench_results_json(&r->a, &r->data, &r->init, &r->flops,
                                        roofs, rr->res + r->first, r->n);
        cJSON_AddStringToObject(one, "preset", r->name);
        cJSON_AddItemToArray(list, one);
    }
    cJSON *cmp = cJSON_AddArrayToObject(doc, "comparisons");
    for (size_t i = 0; cmp && i < rr->ncases; i++) {
        if (rr->peer[i] == SIZE_MAX)
            continue;
        const bench_case *c = &rr->res[i].c;
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "preset", rr->r[rr->of[i]].name);
        cJSON_AddStringToObject(row, "against", rr->r[0].name);
        cJSON_AddStringToObject(row, "engine", c->engine->name);
        cJSON_AddStringToObject(row, "isa", sn_isa_name(c->isa));
        cJSON_AddNumberToObject(row, "threads", c->threads);
        bench_json_spread(row, "samples_per_s_ratio", rr->ratio[i], 1.0);
        cJSON_AddItemToArray(cmp, row);
    }
    return doc;
}

static void recipes_free(recipes_run *rr)
{
    for (size_t i = 0; i < rr->opened; i++)
        bench_case_close(&rr->runs[i]);
    for (size_t k = 0; k < rr->nr; k++) {
        bench_free_data(&rr->r[k].data);
        sn_net_free(&rr->r[k].init);
    }
    free(rr->res);
    free(rr->runs);
    free(rr->of);
    free(rr->secs);
    free(rr->peer);
    free(rr->ratio);
}

int bench_recipes(int argc, char **argv, const bench_args *first)
{
    static recipes_run rr; /* MAX_RECIPES bench_args: not for the stack */
    memset(&rr, 0, sizeof rr);
    cli_json json = {0};
    int rc = recipes_read(argc, argv, first, &rr);
    if (rc == 0 && (recipes_alloc(&rr) != 0 ||
                    cli_json_open(CMD, &json, first->json) != 0))
        rc = EXIT_FAIL;
    if (rc != 0) {
        recipes_free(&rr);
        return rc;
    }
    FILE *out = cli_json_text(&json);
    bench_roofs roofs;
    bench_measure_roofs(&rr.r[0].a, 0.1, &roofs);
    rc = EXIT_FAIL;
    if (recipes_measure(&rr) == 0) {
        recipes_print(out, &rr, &roofs);
        rc = 0;
        if (first->json) {
            cli_json_put(&json, recipes_json(&rr, &roofs), 0);
            rc = cli_json_close(CMD, &json) == 0 ? 0 : EXIT_FAIL;
            if (rc == 0 && !json.to_stdout)
                fprintf(out, "\nwrote %s\n", first->json);
        }
    }
    cli_json_abort(&json);
    recipes_free(&rr);
    return rc;
}
