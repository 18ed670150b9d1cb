/*
 * test_golden.c - simdnet against tools/reference.py, an independent numpy
 * implementation of the tutorial's algorithm.
 *
 * tests/golden holds a small problem (250 samples of 7x7 pixels, 4 classes,
 * layers 49-8-6-4) and what the reference computed on it in float64: the
 * seed-1 initial weights, the weights after one epoch of three batches
 * (100, 100 and a partial 50) with AdaGrad lr 0.1 and with SGD lr 0.5, and
 * the mean cost of every batch. tests/golden/README.md says how they were made.
 *
 * The initial weights must match bit for bit: the Python and C generators
 * and drawing orders are the same, and every value is exact in float32.
 * The trained weights are compared within PARAM_TOLERANCE: simdnet works in
 * float32 with its own summation orders, the reference in float64. Over these
 * three batches plain float32 (numpy) lands at most 1.5e-7 from the float64
 * result and simdnet's scalar kernels 1.9e-7, while the mistakes this test is
 * for move weights by 8e-4 or more (pixels scaled by 1/256 instead of 1/255:
 * 8.4e-4; the partial batch averaged over 100: 0.026; AdaGrad's epsilon
 * outside the root: 0.097). 1e-5 leaves a factor of 50 or more on each side.
 * The costs are compared relatively, with float32 rounding at 2e-7.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdnet.h"

#define PARAM_TOLERANCE 1e-5 /* max |simdnet - reference| of any parameter */
#define COST_TOLERANCE 1e-5  /* max relative difference of a batch's cost */

#define GOLDEN_LABELS 4
#define GOLDEN_BATCH 100
#define GOLDEN_BATCHES 3 /* 250 samples: 100, 100, 50 */
#define GOLDEN_SEED 1

/* The path of a file of tests/golden, found through SIMDNET_TEST_SRCDIR
 * (set by meson) or else relative to the working directory. */
static const char *golden_path(const char *name)
{
    static char path[4096];
    const char *root = getenv("SIMDNET_TEST_SRCDIR");
    snprintf(path, sizeof path, "%s/tests/golden/%s", root ? root : ".", name);
    return path;
}

static void load_golden_data(sn_dataset *ds)
{
    sn_error err = {{0}};
    char images[4096];
    snprintf(images, sizeof images, "%s",
             golden_path("golden-images-idx3-ubyte"));
    int rc = sn_dataset_read_idx(ds, images,
                                 golden_path("golden-labels-idx1-ubyte"),
                                 GOLDEN_LABELS, &err);
    cr_assert_eq(rc, 0, "reading the golden data set: %s", err.msg);
    cr_assert_eq(ds->count, 250);
    cr_assert_eq(ds->input_size, 49);
}

static void load_golden_model(sn_net *net, const char *name)
{
    sn_error err = {{0}};
    cr_assert_eq(sn_model_load(net, golden_path(name), &err), 0,
                 "loading %s: %s", name, err.msg);
}

/* The reference's per-batch mean costs for one optimizer, from
 * golden-costs.txt ("optimizer batch cost" lines, '#' comments). */
static void load_golden_costs(const char *optimizer,
                              double costs[GOLDEN_BATCHES])
{
    FILE *f = fopen(golden_path("golden-costs.txt"), "r");
    cr_assert_not_null(f, "cannot open %s", golden_path("golden-costs.txt"));
    int found[GOLDEN_BATCHES] = {0};
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char name[32];
        unsigned batch;
        double cost;
        if (line[0] == '#')
            continue;
        cr_assert_eq(sscanf(line, "%31s %u %lf", name, &batch, &cost), 3,
                     "golden-costs.txt: bad line '%s'", line);
        if (strcmp(name, optimizer) != 0)
            continue;
        cr_assert_lt(batch, GOLDEN_BATCHES, "golden-costs.txt: batch %u",
                     batch);
        costs[batch] = cost;
        found[batch] = 1;
    }
    fclose(f);
    for (int b = 0; b < GOLDEN_BATCHES; b++)
        cr_assert(found[b], "golden-costs.txt: no cost for %s batch %d",
                  optimizer, b);
}

Test(golden, init_matches_reference_bit_for_bit)
{
    sn_net golden = {0}, net = {0};
    sn_error err = {{0}};
    load_golden_model(&golden, "golden-init.model");

    cr_assert_eq(sn_net_create(&net, golden.sizes, golden.nlayers + 1, &err),
                 0, "%s", err.msg);
    sn_net_init_uniform(&net, GOLDEN_SEED);
    cr_assert_eq(net.nparams, golden.nparams);
    for (size_t i = 0; i < net.nparams; i++) {
        /* Bit patterns, so that even -0.0 against 0.0 would fail. */
        uint32_t a, b;
        memcpy(&a, &net.params[i], 4);
        memcpy(&b, &golden.params[i], 4);
        cr_assert_eq(a, b, "parameter %zu: simdnet %.9g, reference %.9g", i,
                     (double)net.params[i], (double)golden.params[i]);
    }
    sn_net_free(&net);
    sn_net_free(&golden);
}

/* Trains one epoch of the golden data from golden-init.model with each
 * usable kernel set and 1 and 2 threads, and compares the weights and the
 * per-batch costs with the reference's. */
static void check_against_reference(sn_optimizer optimizer, float lr,
                                    const char *name, const char *model)
{
    sn_dataset ds = {0};
    sn_net expected = {0};
    double expected_costs[GOLDEN_BATCHES];
    load_golden_data(&ds);
    load_golden_model(&expected, model);
    load_golden_costs(name, expected_costs);

    cr_assert_not_null(sn_kernels_for(SN_ISA_SCALAR),
                       "the scalar kernels must always be usable");
    /* Both engines (the sparse one with each first-layer path: its
     * default for this 8-wide layer is rows), every usable kernel set, 1
     * and 2 threads: the same reference holds them all. */
    static const struct {
        sn_engine_kind engine;
        sn_first_layer first_layer;
        const char *name;
    } variants[] = {
        {SN_ENGINE_PER_SAMPLE, SN_FIRST_LAYER_AUTO, "per-sample"},
        {SN_ENGINE_SPARSE, SN_FIRST_LAYER_AUTO, "sparse"},
        {SN_ENGINE_SPARSE, SN_FIRST_LAYER_GROUPED, "sparse-grouped"},
    };
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
    for (int isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *kernels = sn_kernels_for((sn_isa)isa);
        if (!kernels)
            continue; /* not built, or this CPU cannot run it */
        for (int threads = 1; threads <= 2; threads++) {
            char isa_name[64];
            snprintf(isa_name, sizeof isa_name, "%s/%s", variants[v].name,
                     sn_isa_name((sn_isa)isa));
            sn_error err = {{0}};
            sn_net net = {0};
            load_golden_model(&net, "golden-init.model");

            sn_train_config cfg = sn_train_config_default();
            cfg.batch = GOLDEN_BATCH;
            cfg.lr = lr;
            cfg.eps = 1e-8f;
            cfg.optimizer = optimizer;
            cfg.threads = threads;
            cfg.shuffle = 0;
            cfg.kernels = kernels;
            cfg.engine = variants[v].engine;
            cfg.first_layer = variants[v].first_layer;
            sn_trainer *trainer = NULL;
            cr_assert_eq(sn_trainer_create(&trainer, &net, &cfg, &err), 0,
                         "%s: %s", isa_name, err.msg);

            float costs[GOLDEN_BATCHES];
            sn_epoch_stats stats = {0};
            cr_assert_eq(sn_train_epoch(trainer, &ds, 0, costs, &stats, &err),
                         0, "%s: %s", isa_name, err.msg);
            cr_assert_eq(stats.batches, GOLDEN_BATCHES);
            cr_assert_eq(stats.samples, ds.count);

            for (int b = 0; b < GOLDEN_BATCHES; b++) {
                double rel = fabs(costs[b] - expected_costs[b]) /
                             expected_costs[b];
                cr_assert_leq(rel, COST_TOLERANCE,
                              "%s %s, %d threads, batch %d: cost %.9g, "
                              "reference %.9g", name, isa_name, threads, b,
                              (double)costs[b], expected_costs[b]);
            }

            cr_assert_eq(net.nparams, expected.nparams);
            double worst = 0;
            size_t worst_at = 0;
            for (size_t i = 0; i < net.nparams; i++) {
                double d = fabs((double)net.params[i] -
                                (double)expected.params[i]);
                /* !(d <= worst) also catches a NaN. */
                if (!(d <= worst)) {
                    worst = d;
                    worst_at = i;
                    if (isnan(d))
                        break;
                }
            }
            cr_log_info("%s %s, %d thread(s) asked, %d used: max |simdnet - "
                        "reference| = %.3g (parameter %zu)", name, isa_name,
                        threads, sn_trainer_threads(trainer), worst, worst_at);
            cr_assert_leq(worst, PARAM_TOLERANCE,
                          "%s %s, %d threads: parameter %zu is %.9g, the "
                          "reference %.9g", name, isa_name, threads, worst_at,
                          (double)net.params[worst_at],
                          (double)expected.params[worst_at]);

            sn_trainer_free(trainer);
            sn_net_free(&net);
        }
    }
    sn_net_free(&expected);
    sn_dataset_free(&ds);
}

Test(golden, adagrad_matches_reference)
{
    check_against_reference(SN_OPT_ADAGRAD, 0.1f, "adagrad",
                            "golden-adagrad.model");
}

Test(golden, sgd_matches_reference)
{
    check_against_reference(SN_OPT_SGD, 0.5f, "sgd", "golden-sgd.model");
}
