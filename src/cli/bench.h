/*
 * bench.h - `simdnet bench` in two files: cmd_bench.c reads the command
 * line and the data and measures every case; bench_output.c prints the
 * table and builds the JSON document.
 */
#ifndef SN_CLI_BENCH_H
#define SN_CLI_BENCH_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "recipe.h"
#include "simdnet.h"

enum { MAX_LIST = 64, MAX_REPEATS = 1000 };

/* The engines a case can run: the library's engines, and the sparse one
 * with zero pixels visited, to show what skipping them buys. */
typedef struct engine_variant {
    const char *name;
    sn_engine_kind engine;
    int dense_input;
} engine_variant;
enum { NENGINES = 3 };

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
    cli_recipe rc;      /* the network's kind, --init, the optimizer */
    sn_train_config cfg;/* the recipe's training configuration */
    unsigned given;
} bench_args;

typedef struct bench_data {
    sn_dataset ds;
    int synthetic;     /* ds owns malloc'd buffers, not the library's */
    char source[512];  /* what the output says the data is */
} bench_data;

/* One measured configuration. To add a dimension (the batch, say): a
 * field here, a list in bench_args, a loop in make_cases, a line in
 * configure, a column in bench_print_row and a key in bench_results_json. */
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

/* bench_output.c: the table's header and a row of it, and the JSON
 * document (the format `simdnet report --bench` reads). */
void bench_print_header(FILE *out, const bench_args *a, const bench_data *d,
                        const sn_net *net, double flops);
void bench_print_row(FILE *out, const bench_result *r, double flops,
                     size_t epoch);
cJSON *bench_results_json(const bench_args *a, const bench_data *d,
                          const sn_net *net, double flops,
                          const bench_result *res, size_t n);

#endif
