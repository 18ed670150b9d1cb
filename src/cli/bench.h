/*
 * bench.h - `simdnet bench`: cmd_bench.c reads the data and measures every
 * case; bench_args.c reads the command line; bench_output.c prints the
 * table and builds the JSON document; bench_sweep.c and bench_recipes.c
 * measure a set of networks, and presets side by side.
 */
#ifndef SN_CLI_BENCH_H
#define SN_CLI_BENCH_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "recipe.h"
#include "simdnet.h"

enum { MAX_LIST = 64, MAX_REPEATS = 1000, MAX_RECIPES = 8 };

/* The engines a case can run: the library's engines, the sparse one with
 * zero pixels visited, to show what skipping them buys, the sparse one
 * skipping ReLU's zeros always or never (relu_zeros 1, -1: the same for
 * networks without ReLU layers), and the sparse one with its threads
 * split by samples or by columns (thread_split; AUTO: --thread-split's). */
typedef struct engine_variant {
    const char *name;
    sn_engine_kind engine;
    int dense_input;
    int relu_zeros;
    sn_thread_split thread_split;
} engine_variant;
enum { NENGINES = 7 };

typedef struct bench_args {
    const char *data, *layers, *json, *sweep;
    const char *recipes;  /* --preset A,B: the list (bench_recipes.c) */
    int synthetic, bind, keep_subnormals;
    long batch, warmup, batches, repeats;
    long sweep_batches; /* --batches as given, -1 if not (--sweep) */
    unsigned long long seed;
    sn_isa isas[MAX_LIST];
    size_t nisas;
    const engine_variant *engines[NENGINES];
    size_t nengines;
    int threads[MAX_LIST];
    size_t nthreads;
    cli_recipe rc;      /* the network's kind, --init, the optimizer */
    sn_first_layer first_layer; /* --first-layer */
    sn_thread_split thread_split; /* --thread-split */
    sn_train_config cfg;/* the recipe's training configuration */
    unsigned given;
} bench_args;

typedef struct bench_data {
    sn_dataset ds;
    int synthetic;     /* ds owns malloc'd buffers, not the library's */
    char source[512];  /* what the output says the data is */
    double nonzero;    /* fraction of nonzero pixels over the whole set */
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

/* bench_flops.c: FLOPs of one training sample counted two ways. Dense:
 * every multiply-add of a dense network (the same unit for every engine).
 * Effective: those the engine does, the first layer's forward pass and
 * weight gradients over the nonzero pixels only where the engine skips
 * zeros (the "sparse" variant). */
typedef struct bench_flops {
    double dense, sparse; /* sparse: the effective count of "sparse" */
} bench_flops;
bench_flops bench_flop_per_sample(const sn_net *net, double nonzero);
double bench_effective_flops(const bench_flops *f, const engine_variant *e);
double bench_nonzero_fraction(const sn_dataset *ds);

/* bench_roofs.c: the memory roofs (sn_bandwidth_roofs) for every ISA and
 * thread count of a run, measured once before the cases, printed in the
 * header and kept in the JSON. */
typedef struct bench_roofs {
    size_t n;
    sn_isa isa[MAX_LIST];
    int threads[MAX_LIST];
    sn_bandwidth_roof roof[MAX_LIST][SN_MEM_LEVELS];
    /* With 2 threads or more: a line's trip between two cores, as the
     * reduction of per-thread gradients makes it (sn_bandwidth_core_to_core,
     * at the L2 working set); else bytes 0. */
    sn_bandwidth_roof core_to_core[MAX_LIST];
} bench_roofs;
/* Parses bench's command line into a (bench_args.c); CLI_PARSED or what
 * cli_options_exit turns into the exit code. With a list of presets
 * (--preset A,B) a->recipes is the list and the rest is parsed with its
 * first name; bench_parse_preset parses the line with the k-th instead. */
int bench_parse_args(int argc, char **argv, bench_args *a);
int bench_parse_preset(int argc, char **argv, size_t k, bench_args *a);

/* cmd_bench.c: the network every case starts from (--init FILE, or
 * --layers drawn with the recipe); the data set of its shape (MNIST, else
 * a synthetic one); every case of the lists, engines outermost (out needs
 * room for nengines x nisas x nthreads). Return the exit status, -1, the
 * count. */
int bench_make_net(const bench_args *a, sn_net *net);
int bench_load_data(const bench_args *a, const sn_net *net, bench_data *d);
void bench_free_data(bench_data *d);
size_t bench_make_cases(const bench_args *a, bench_case *out);

/* A case's trainer, set up and warmed up (its FMA peak measured into r),
 * timed a run of --batches batches at a time, then freed: a plain bench
 * runs a case's repeats in a row, bench_recipes.c every case's in turn.
 * bench_case_rates takes r->secs's spread into r->rate. */
typedef struct bench_run {
    sn_net net;
    sn_trainer *trainer;
    const sn_dataset *ds;
    size_t pos, per_run; /* the next run's first sample; samples a run */
} bench_run;
int bench_case_open(const bench_args *a, const sn_net *init,
                    const sn_dataset *ds, bench_result *r, bench_run *run);
int bench_case_time(bench_run *run, double *secs);
void bench_case_close(bench_run *run);
void bench_case_rates(const bench_args *a, size_t per_run, bench_result *r);

/* bench_recipes.c: --preset A,B: every preset's cases, measured in turn
 * (a round times each case once), and each preset against the first. */
int bench_recipes(int argc, char **argv, const bench_args *first);

void bench_measure_roofs(const bench_args *a, double seconds, bench_roofs *r);
void bench_print_roofs(FILE *out, const bench_roofs *r);
void bench_roofs_json(cJSON *doc, const bench_roofs *r);

/* bench_output.c: the table's header and a row of it, and the JSON
 * document (the format `simdnet report --bench` reads). */
void bench_print_machine(FILE *out, const bench_data *d);
void bench_print_header(FILE *out, const bench_args *a, const bench_data *d,
                        const sn_net *net, const bench_flops *f,
                        const bench_roofs *roofs);
/* The network and the method lines of the header, and the table's column
 * names (bench_print_header prints all three). */
void bench_print_network(FILE *out, const bench_data *d, const sn_net *net,
                         const bench_flops *f);
void bench_print_method(FILE *out, const bench_args *a);
void bench_print_columns(FILE *out);
void bench_print_row(FILE *out, const bench_result *r, const bench_flops *f,
                     size_t epoch);
cJSON *bench_results_json(const bench_args *a, const bench_data *d,
                          const sn_net *net, const bench_flops *f,
                          const bench_roofs *roofs, const bench_result *res,
                          size_t n);
/* {"median", "min", "max"} of v[3] (median, lowest, highest) x scale. */
void bench_json_spread(cJSON *obj, const char *key, const double v[3],
                       double scale);

/* bench_sweep.c: the named sets of --sweep, networks x batches. */
typedef struct bench_sweep_set {
    const char *name;
    const char *const *layers; /* NULL-terminated */
    const long *batches;       /* 0-terminated */
    long samples_per_run;      /* --batches is this / batch (at least 1) */
    long repeats, warmup;      /* defaults where not given */
} bench_sweep_set;
const bench_sweep_set *bench_sweep_find(const char *name);
const char *bench_sweep_names(void);
void bench_sweep_header(FILE *out);
void bench_sweep_row(FILE *out, const char *layers, long batch,
                     const bench_result *r, const bench_flops *f);
cJSON *bench_sweep_row_json(const sn_net *net, long batch,
                            const bench_result *r, const bench_flops *f,
                            long repeats);

#endif
