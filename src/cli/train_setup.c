/* train_setup.c - `simdnet train` before its first batch: the command
 * line, the checkpoint to resume, the network and the data, each checked
 * against the others (train.h). */
#include <stdlib.h>
#include <string.h>

#include "dist_cli.h"
#include "options.h"
#include "outputs.h"
#include "train.h"

static const char *const CMD = "train";

/* The ranges of --epochs and --batch. */
enum { MAX_EPOCHS = 1000000, MAX_BATCH = 1000000 };

int train_parse_args(int argc, char **argv, train_args *a)
{
    *a = (train_args){.epochs = 5, .batch = 100, .engine = SN_ENGINE_SPARSE};
    const cli_option head[] = {
        cli_opt(CLI_OPT_DATA, &a->data, NULL),
        {.name = "layers", .kind = CLI_STRING, .dest = &a->layers,
         .value = "LIST", .given = GIVEN_LAYERS,
         .help = "layer sizes, input first (default " SN_DEFAULT_LAYERS ")"},
        {.name = "epochs", .kind = CLI_INT, .dest = &a->epochs, .value = "N",
         .min = 1, .max = MAX_EPOCHS, .given = GIVEN_EPOCHS,
         .help = "passes over the training set (default 5)"},
        {.name = "batch", .kind = CLI_INT, .dest = &a->batch, .value = "N",
         .min = 1, .max = MAX_BATCH, .given = GIVEN_BATCH,
         .help = "samples per batch (default 100)"},
    };
    const cli_option tail[] = {
        {.name = "seed", .kind = CLI_SIZE, .dest = &a->seed, .value = "N",
         .given = GIVEN_SEED,
         .help = "weight initialisation seed (default 0)"},
        {.name = "shuffle", .kind = CLI_FLAG, .dest = &a->shuffle,
         .help = "shuffle the samples every epoch (seeded by --seed);\n"
                 "the default is file order, as in the tutorial"},
        cli_opt(CLI_OPT_THREADS, &a->threads,
                "OpenMP threads (default: one per physical core)"),
        {.name = "bind", .kind = CLI_FLAG, .dest = &a->bind,
         .help = "bind the threads one per physical core (hwloc)"},
        cli_opt(CLI_OPT_ISA, &a->isa,
                "kernel set: scalar, avx2, avx512, neon\n"
                "(default $SIMDNET_ISA, else the best this CPU runs)"),
        {.name = "engine", .kind = CLI_LIST, .dest = &a->engine,
         .value = "NAME", .parse = cli_parse_engine, .given = GIVEN_ENGINE,
         .help = "sparse (default): the first layer over nonzero pixels\n"
                 "only; per-sample: dense per-sample kernels"},
        {.name = "first-layer", .kind = CLI_LIST, .dest = &a->first_layer,
         .value = "PATH", .parse = cli_parse_first_layer,
         .given = GIVEN_FIRST_LAYER,
         .help = "sparse engine's first layer: auto (default: by width,\n"
                 "docs/engines.md), rows or grouped"},
        {.name = "thread-split", .kind = CLI_LIST, .dest = &a->thread_split,
         .value = "HOW", .parse = cli_parse_thread_split,
         .given = GIVEN_THREAD_SPLIT,
         .help = "how threads share the first layer: auto (default:\n"
                 "by columns from 64 of them a thread where it is\n"
                 "grouped, docs/engines.md), samples or columns"},
        {.name = "dense", .kind = CLI_FLAG, .dest = &a->dense,
         .help = "sparse engine: visit zero pixels too (for comparison)"},
        {.name = "save", .kind = CLI_STRING, .dest = &a->save, .value = "FILE",
         .help = "save the trained model (atomically)"},
        {.name = "costs", .kind = CLI_STRING, .dest = &a->costs,
         .value = "FILE",
         .help = "write the mean cost of every batch as CSV"},
        {.name = "report", .kind = CLI_STRING, .dest = &a->report,
         .value = "DIR",
         .help = "at the end, draw the run in DIR/index.html (cost\n"
                 "curve, network, samples, weights, mistakes)"},
        cli_opt(CLI_OPT_JSON, &a->json,
                "JSON lines: a record per epoch and a final one\n"
                "(-: standard output, the text then goes to stderr)"),
        {.name = "checkpoint", .kind = CLI_STRING, .dest = &a->checkpoint,
         .value = "FILE",
         .help = "save the whole training state to FILE (atomically)\n"
                 "after every epoch and when the run stops early"},
        {.name = "checkpoint-every", .kind = CLI_INT,
         .dest = &a->checkpoint_every, .value = "N", .min = 1,
         .max = 1000000000,
         .help = "also after every N batches"},
        {.name = "resume", .kind = CLI_STRING, .dest = &a->resume,
         .value = "FILE",
         .help = "go on with the run saved in checkpoint FILE: its\n"
                 "settings are the defaults, and the flags that would\n"
                 "change the result must agree with them"},
        cli_opt(CLI_OPT_KEEP_SUBNORMALS, &a->keep_subnormals, NULL),
        {.name = "trap-fp", .kind = CLI_FLAG, .dest = &a->trap_fp,
         .help = "debug: SIGFPE at the first invalid operation,\n"
                 "division by zero or overflow, saying where"},
    };
    enum { NHEAD = sizeof head / sizeof *head, NTAIL = sizeof tail / sizeof *tail };
    cli_option options[NHEAD + CLI_RECIPE_OPTIONS + NTAIL];
    memcpy(options, head, sizeof head);
    const size_t nrecipe = cli_recipe_options(&a->rc, options + NHEAD);
    memcpy(options + NHEAD + nrecipe, tail, sizeof tail);
    const cli_command_spec spec = {
        CMD, "train [options]",
        "Trains a fully connected network, by default the tutorial's (sigmoid\n"
        "layers, L2 cost, AdaGrad), then reports test accuracy after every\n"
        "epoch. The network's activations, cost, initialisation and optimizer\n"
        "are flags of their own, or a whole recipe with --preset\n"
        "(docs/training.md has every formula).\n",
        "--preset NAME applies the preset first, wherever it stands: every flag\n"
        "given wins over it, and an optimizer other than the preset's takes its\n"
        "own default hyperparameters. --init FILE trains the file's network:\n"
        "--layers, --hidden, --output and --loss given must agree with it.\n\n"
        "Ctrl-C or SIGTERM stops the run after its current batch, saves what was\n"
        "asked for (--checkpoint, --costs, --save) as of that batch and exits\n"
        "with 130 (SIGINT) or 143 (SIGTERM); a second one quits at once. A NaN\n"
        "or infinite cost stops training before that batch's update, saves the\n"
        "same way and exits with 1. See docs/robustness.md.\n",
        options, NHEAD + nrecipe + NTAIL, 0};
    const int parsed = cli_recipe_parse(&spec, argc, argv, &a->rc, &a->given,
                                        &a->json);
    if (parsed != CLI_PARSED)
        return parsed;
    if (a->checkpoint_every && !a->checkpoint) {
        cli_error(CMD, "--checkpoint-every needs --checkpoint FILE");
        return CLI_BAD;
    }
    if (a->resume && (a->given & GIVEN_INIT)) {
        cli_error(CMD, "--resume and --init exclude each other: a checkpoint "
                       "holds its own weights");
        return CLI_BAD;
    }
    if (a->resume && a->rc.preset) {
        cli_error(CMD, "--resume and --preset exclude each other: a "
                       "checkpoint holds its own recipe");
        return CLI_BAD;
    }
    /* On --resume the checkpoint completes the recipe first. */
    if (!a->resume && cli_recipe_check(CMD, &a->rc) != 0)
        return CLI_BAD;
    return CLI_PARSED;
}
/* Whether --layers (if given) names the shape of net; says so if not. */
static int same_layers(const train_args *a, const sn_net *net,
                       const char *flag, const char *path)
{
    if (!(a->given & GIVEN_LAYERS))
        return 0;
    sn_error err;
    size_t sizes[SN_MAX_LAYERS], nsizes;
    if (sn_parse_layers(a->layers, sizes, &nsizes, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return -1;
    }
    int same = nsizes == net->nlayers + 1;
    for (size_t i = 0; same && i < nsizes; i++)
        same = sizes[i] == net->sizes[i];
    if (same)
        return 0;
    char have[160];
    sn_format_layers(net, have, sizeof have);
    cli_error(CMD, "%s %s has layers %s, but --layers asks for %s", flag, path,
              have, a->layers);
    return -1;
}

/* A setting read from a checkpoint must be one the flag accepts; printed
 * unsigned, as the file holds it. */
static int checkpoint_value(const char *path, const char *flag, size_t v,
                            long max)
{
    if (v >= 1 && v <= (size_t)max)
        return 0;
    cli_error(CMD, "--resume %s: the checkpoint's %s is %zu, outside the "
                   "range of --%s (1 to %ld)", path, flag, v, flag, max);
    return -1;
}

/* --resume: reads the checkpoint and takes its settings as the defaults of
 * the flags not given. What the library cannot check (the layers, the
 * seed, an epoch count below the position) is checked here. */
int train_load_resume(train_args *a, sn_checkpoint *ck)
{
    sn_error err;
    if (cli_input_check(CMD, "--resume", a->resume) != 0)
        return EXIT_FAIL;
    if (sn_checkpoint_load(ck, a->resume, &err) != 0) {
        cli_error(CMD, "--resume: %s", err.msg);
        return EXIT_FAIL;
    }
    if (same_layers(a, &ck->net, "--resume", a->resume) != 0)
        return EXIT_USAGE;
    if ((a->given & GIVEN_SEED) && a->seed != ck->run.seed) {
        cli_error(CMD, "--seed %llu: the run in %s used seed %llu", a->seed,
                  a->resume, (unsigned long long)ck->run.seed);
        return EXIT_USAGE;
    }
    if (checkpoint_value(a->resume, "epochs", ck->run.epochs, MAX_EPOCHS) ||
        checkpoint_value(a->resume, "batch", ck->cfg.batch, MAX_BATCH))
        return EXIT_FAIL;
    if (!(a->given & GIVEN_EPOCHS))
        a->epochs = (long)ck->run.epochs;
    if ((size_t)a->epochs < ck->run.epoch) {
        cli_error(CMD, "--epochs %ld: the run in %s has done %zu epoch%s "
                       "already", a->epochs, a->resume, ck->run.epoch,
                  ck->run.epoch == 1 ? "" : "s");
        return EXIT_USAGE;
    }
    if (a->costs && ck->run.ncosts == 0 &&
        (ck->run.epoch > 0 || ck->run.batches_done > 0)) {
        cli_error(CMD, "--costs: %s holds no batch costs (its run had no "
                       "--costs), so the file would lack the first %zu "
                       "epochs and %zu batches", a->resume, ck->run.epoch,
                  ck->run.batches_done);
        return EXIT_USAGE;
    }
    if (!(a->given & GIVEN_BATCH))
        a->batch = (long)ck->cfg.batch;
    cli_recipe_from_checkpoint(&a->rc, &ck->cfg);
    char what[320];
    snprintf(what, sizeof what, "the run in %s", a->resume);
    if (cli_recipe_check_kind(CMD, &a->rc, &ck->net, what) != 0 ||
        cli_recipe_check(CMD, &a->rc) != 0)
        return EXIT_USAGE;
    if (!(a->given & GIVEN_ENGINE))
        a->engine = ck->cfg.engine;
    /* The paths that ran (AUTO from a file older than version 3): AUTO
     * might choose others, as its rule may have changed since. */
    if (!(a->given & GIVEN_FIRST_LAYER))
        a->first_layer = ck->cfg.first_layer;
    if (!(a->given & GIVEN_THREAD_SPLIT))
        a->thread_split = ck->cfg.thread_split;
    /* A run that kept subnormals goes on keeping them (there is no flag
     * to flush them again); one that flushed them keeps them only when
     * --keep-subnormals says so, with a note. */
    a->keep_subnormals = a->keep_subnormals || ck->cfg.keep_subnormals;
    a->shuffle = a->shuffle || ck->cfg.shuffle;
    a->seed = ck->run.seed;
    /* The checkpoint records the run's workers (ranks x threads): under
     * mpirun each rank takes its share of them when they divide. */
    const int ranks = cli_dist_size();
    if (a->threads == 0)
        a->threads = ck->cfg.threads % ranks == 0 ? ck->cfg.threads / ranks
                                                  : ck->cfg.threads;
    const char *env = getenv("SIMDNET_ISA");
    if (!a->isa && !(env && *env) && sn_kernels_for(ck->isa))
        a->isa = sn_isa_name(ck->isa);
    return 0;
}

/* Builds the network: from --init, or fresh from --layers and --seed; on
 * --resume, the checkpoint's shape (sn_checkpoint_resume fills it). */
int train_make_net(const train_args *a, const sn_checkpoint *ck,
                   sn_net *net)
{
    sn_error err;
    if (a->resume) {
        if (sn_net_create(net, ck->net.sizes, ck->net.nlayers + 1, &err) != 0) {
            cli_error(CMD, "--resume: %s", err.msg);
            return EXIT_FAIL;
        }
        memcpy(net->act, ck->net.act, sizeof net->act);
        net->loss = ck->net.loss;
        return 0;
    }
    const char *init = a->rc.init_file;
    if (init) {
        if (cli_input_check(CMD, "--init", init) != 0)
            return EXIT_FAIL;
        if (sn_model_load(net, init, &err) != 0) {
            cli_error(CMD, "--init: %s", err.msg);
            return EXIT_FAIL;
        }
        char what[320];
        snprintf(what, sizeof what, "--init %s", init);
        if (same_layers(a, net, "--init", init) != 0)
            return EXIT_USAGE;
        return cli_recipe_check_kind(CMD, &a->rc, net, what);
    }
    return cli_recipe_new_net(CMD, &a->rc, a->layers, a->seed, net);
}

/* A data set fits the network: inputs per sample as its first layer has,
 * every label below its output layer's size. Returns 0 or the exit status. */
static int check_fit(const train_run *r, const sn_dataset *ds,
                     const char *which)
{
    const train_args *a = &r->a;
    const sn_net *net = &r->net;
    if (ds->input_size != net->sizes[0]) {
        cli_error(CMD, "the %s set in %s has %zu inputs per sample (%zux%zu), "
                       "but the network's first layer has %zu", which, r->dir,
                  ds->input_size, ds->rows, ds->cols, net->sizes[0]);
        return EXIT_USAGE;
    }
    const size_t n_out = net->sizes[net->nlayers];
    unsigned top = 0;
    for (size_t i = 0; i < ds->count; i++)
        if (ds->labels[i] > top)
            top = ds->labels[i];
    if (top < n_out)
        return 0;
    /* The network's shape is the command line's: --layers (or its
     * default), or the model it names. */
    const char *from = a->resume           ? "--resume"
                       : a->rc.init_file ? "--init"
                                         : "--layers";
    cli_error(CMD, "%s: the output layer has %zu neurons, but the %s set in "
                   "%s has labels up to %u: it needs at least %u", from, n_out,
              which, r->dir, top, top + 1);
    return EXIT_USAGE;
}

/* Both data sets, checked against the network before any training. */
int train_load_data(train_run *r)
{
    int rc;
    if (cli_load_splits(CMD, r->dir, 0, &r->train, &r->test) != 0)
        return EXIT_FAIL;
    if ((rc = check_fit(r, &r->train, "training")) != 0 ||
        (rc = check_fit(r, &r->test, "test")) != 0)
        return rc;
    return 0;
}
