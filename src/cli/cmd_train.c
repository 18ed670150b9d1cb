/* cmd_train.c - `simdnet train`: the tutorial's training run, fast. Read
 * cmd_train() at the bottom first: set up, resume, run the epochs, then
 * stop or finish (train_outputs.c). */
#include <stdlib.h>
#include <string.h>

#include "cmd_report.h"
#include "options.h"
#include "train.h"

static const char *const CMD = "train";

static int parse_args(int argc, char **argv, train_args *a)
{
    *a = (train_args){.epochs = 5, .batch = 100, .lr = 0.1f,
                      .optimizer = SN_OPT_ADAGRAD, .engine = SN_ENGINE_SPARSE};
    const cli_option options[] = {
        {.name = "data", .kind = CLI_STRING, .dest = &a->data, .value = "DIR",
         .help = "MNIST folder (default $SIMDNET_DATA, else ./data/mnist)"},
        {.name = "layers", .kind = CLI_STRING, .dest = &a->layers,
         .value = "LIST",
         .help = "layer sizes, input first (default " SN_DEFAULT_LAYERS ")"},
        {.name = "epochs", .kind = CLI_INT, .dest = &a->epochs, .value = "N",
         .min = 1, .max = 1000000, .given = GIVEN_EPOCHS,
         .help = "passes over the training set (default 5)"},
        {.name = "batch", .kind = CLI_INT, .dest = &a->batch, .value = "N",
         .min = 1, .max = 1000000, .given = GIVEN_BATCH,
         .help = "samples per batch (default 100)"},
        {.name = "lr", .kind = CLI_FLOAT, .dest = &a->lr, .value = "X",
         .min = 1e-30, .max = 1e6, .given = GIVEN_LR,
         .help = "learning rate (default 0.1)"},
        {.name = "optimizer", .kind = CLI_LIST, .dest = &a->optimizer,
         .value = "NAME", .parse = cli_parse_optimizer, .given = GIVEN_OPT,
         .help = "adagrad (default) or sgd"},
        {.name = "seed", .kind = CLI_SIZE, .dest = &a->seed, .value = "N",
         .given = GIVEN_SEED,
         .help = "weight initialisation seed (default 0)"},
        {.name = "shuffle", .kind = CLI_FLAG, .dest = &a->shuffle,
         .help = "shuffle the samples every epoch (seeded by --seed);\n"
                 "the default is file order, as in the tutorial"},
        {.name = "threads", .kind = CLI_INT, .dest = &a->threads, .value = "N",
         .min = 1, .max = 1024,
         .help = "OpenMP threads (default: one per physical core)"},
        {.name = "bind", .kind = CLI_FLAG, .dest = &a->bind,
         .help = "bind the threads one per physical core (hwloc)"},
        {.name = "isa", .kind = CLI_STRING, .dest = &a->isa, .value = "NAME",
         .help = "kernel set: scalar, avx2, avx512, neon\n"
                 "(default $SIMDNET_ISA, else the best this CPU runs)"},
        {.name = "engine", .kind = CLI_LIST, .dest = &a->engine,
         .value = "NAME", .parse = cli_parse_engine, .given = GIVEN_ENGINE,
         .help = "sparse (default): the first layer over nonzero pixels\n"
                 "only; per-sample: dense per-sample kernels"},
        {.name = "dense", .kind = CLI_FLAG, .dest = &a->dense,
         .help = "sparse engine: visit zero pixels too (for comparison)"},
        {.name = "init", .kind = CLI_STRING, .dest = &a->init, .value = "FILE",
         .help = "start from a saved model instead of random weights"},
        {.name = "save", .kind = CLI_STRING, .dest = &a->save, .value = "FILE",
         .help = "save the trained model (atomically)"},
        {.name = "costs", .kind = CLI_STRING, .dest = &a->costs,
         .value = "FILE",
         .help = "write the mean cost of every batch as CSV"},
        {.name = "report", .kind = CLI_STRING, .dest = &a->report,
         .value = "DIR",
         .help = "at the end, draw the run in DIR/index.html (cost\n"
                 "curve, network, samples, weights, mistakes)"},
        {.name = "json", .kind = CLI_STRING, .dest = &a->json, .value = "FILE",
         .help = "JSON lines: a record per epoch and a final one\n"
                 "(-: standard output, the text then goes to stderr)"},
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
        {.name = "trap-fp", .kind = CLI_FLAG, .dest = &a->trap_fp,
         .help = "debug: SIGFPE at the first invalid operation,\n"
                 "division by zero or overflow, saying where"},
    };
    const cli_command_spec spec = {
        CMD, "train [options]",
        "Trains a fully connected sigmoid network with an L2 cost, as the\n"
        "tutorial does, then reports test accuracy after every epoch.\n",
        "Ctrl-C or SIGTERM stops the run after its current batch, saves what was\n"
        "asked for (--checkpoint, --costs, --save) as of that batch and exits\n"
        "with 130 (SIGINT) or 143 (SIGTERM); a second one quits at once. A NaN\n"
        "or infinite cost stops training before that batch's update, saves the\n"
        "same way and exits with 1. See docs/robustness.md.\n",
        options, sizeof options / sizeof *options, 0};
    const int parsed = cli_parse_options(&spec, argc, argv, &a->given, NULL);
    if (parsed != CLI_PARSED)
        return parsed;
    if (a->checkpoint_every && !a->checkpoint) {
        cli_error(CMD, "--checkpoint-every needs --checkpoint FILE");
        return CLI_BAD;
    }
    if (a->resume && a->init) {
        cli_error(CMD, "--resume and --init exclude each other: a checkpoint "
                       "holds its own weights");
        return CLI_BAD;
    }
    return CLI_PARSED;
}

/* After every batch: the progress bar, then whether to stop the epoch
 * there, for a signal or for a checkpoint (the weights are in the engine's
 * working layout inside a call: a checkpoint is written between calls). */
static int on_batch(void *user, size_t epoch, size_t batch, size_t nbatches,
                    float cost)
{
    (void)epoch;
    (void)cost;
    progress_ctx *ctx = user;
    cli_progress_update(&ctx->bar, batch, nbatches);
    if (cli_interrupt_signal())
        return 1;
    if (ctx->checkpoint_every > 0 && batch < nbatches &&
        batch % (size_t)ctx->checkpoint_every == 0) {
        ctx->checkpoint_due = 1;
        return 1;
    }
    return 0;
}

/* Whether --layers (if given) names the shape of net; says so if not. */
static int same_layers(const train_args *a, const sn_net *net,
                       const char *flag, const char *path)
{
    if (!a->layers)
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

/* --resume: reads the checkpoint and takes its settings as the defaults of
 * the flags not given. What the library cannot check (the layers, the
 * seed, an epoch count below the position) is checked here. */
static int load_resume(train_args *a, sn_checkpoint *ck)
{
    sn_error err;
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
    if (!(a->given & GIVEN_EPOCHS))
        a->epochs = (long)ck->run.epochs;
    if ((size_t)a->epochs < ck->run.epoch) {
        cli_error(CMD, "--epochs %ld: the run in %s has done %zu epochs "
                       "already", a->epochs, a->resume, ck->run.epoch);
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
    if (!(a->given & GIVEN_LR))
        a->lr = ck->cfg.lr;
    if (!(a->given & GIVEN_OPT))
        a->optimizer = ck->cfg.optimizer;
    if (!(a->given & GIVEN_ENGINE))
        a->engine = ck->cfg.engine;
    a->shuffle = a->shuffle || ck->cfg.shuffle;
    a->seed = ck->run.seed;
    if (a->threads == 0)
        a->threads = ck->cfg.threads;
    const char *env = getenv("SIMDNET_ISA");
    if (!a->isa && !(env && *env) && sn_kernels_for(ck->isa))
        a->isa = sn_isa_name(ck->isa);
    return 0;
}

/* Builds the network: from --init, or fresh from --layers and --seed; on
 * --resume, the checkpoint's shape (sn_checkpoint_resume fills it). */
static int make_net(const train_args *a, const sn_checkpoint *ck, sn_net *net)
{
    sn_error err;
    if (a->resume) {
        if (sn_net_create(net, ck->net.sizes, ck->net.nlayers + 1, &err) != 0) {
            cli_error(CMD, "--resume: %s", err.msg);
            return EXIT_FAIL;
        }
        return 0;
    }
    if (a->init) {
        if (sn_model_load(net, a->init, &err) != 0) {
            cli_error(CMD, "--init: %s", err.msg);
            return EXIT_FAIL;
        }
        return same_layers(a, net, "--init", a->init) == 0 ? 0 : EXIT_USAGE;
    }
    size_t sizes[SN_MAX_LAYERS], nsizes;
    if (sn_parse_layers(a->layers ? a->layers : SN_DEFAULT_LAYERS, sizes,
                        &nsizes, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    /* A shape refused is the command line's fault; memory short is not. */
    size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS], nparams;
    if (sn_net_shape(sizes, nsizes, w_off, b_off, &nparams, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    if (sn_net_create(net, sizes, nsizes, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return EXIT_FAIL;
    }
    sn_net_init_uniform(net, a->seed);
    return 0;
}

/* Both data sets, each checked against the network's input layer before
 * any training. */
static int load_data(train_run *r)
{
    const unsigned n_out = (unsigned)r->net.sizes[r->net.nlayers];
    if (cli_load_split(CMD, r->dir, SN_SPLIT_TRAIN, n_out, &r->train) != 0 ||
        cli_load_split(CMD, r->dir, SN_SPLIT_TEST, n_out, &r->test) != 0)
        return EXIT_FAIL;
    if (r->train.input_size != r->net.sizes[0]) {
        cli_error(CMD, "the data in %s has %zu inputs per sample (%zux%zu), "
                       "but the network's first layer has %zu", r->dir,
                  r->train.input_size, r->train.rows, r->train.cols,
                  r->net.sizes[0]);
        return EXIT_USAGE;
    }
    return 0;
}

/* The trainer, with --bind and --trap-fp. */
static int make_trainer(train_run *r, char *binding, size_t len)
{
    const train_args *a = &r->a;
    r->progress = (progress_ctx){.checkpoint_every = a->checkpoint_every};
    sn_train_config *cfg = &r->cfg;
    *cfg = sn_train_config_default();
    cfg->batch = (size_t)a->batch;
    cfg->lr = a->lr;
    cfg->optimizer = a->optimizer;
    if (a->threads == 0)
        cli_topology_note();
    cfg->threads = a->threads > 0 ? (int)a->threads : sn_default_threads();
    cfg->shuffle = a->shuffle;
    cfg->shuffle_seed = a->seed;
    cfg->kernels = r->kernels;
    cfg->engine = a->engine;
    cfg->dense_input = a->dense;
    cfg->progress = on_batch;
    cfg->progress_user = &r->progress;
    sn_error err;
    if (sn_trainer_create(&r->trainer, &r->net, cfg, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return EXIT_FAIL;
    }
    const int threads = sn_trainer_threads(r->trainer);
    if (a->bind) {
        if (sn_bind_threads(threads, &err) != 0) {
            cli_error(CMD, "--bind: %s", err.msg);
            return EXIT_FAIL;
        }
        sn_bind_describe(threads, binding, len);
    }
    if (a->trap_fp && cli_trap_fp_enable(CMD, threads) != 0)
        return EXIT_FAIL;
    return 0;
}

/* The per-batch cost buffers, and the costs a checkpoint brought. */
static int make_buffers(train_run *r)
{
    const train_args *a = &r->a;
    const int all_costs = a->costs || a->report;
    size_t n;
    if (__builtin_mul_overflow(r->nbatches, (size_t)a->epochs, &n)) {
        cli_error(CMD, "%zu batches of %ld epochs: too many to keep the "
                       "costs of", r->nbatches, a->epochs);
        return EXIT_FAIL;
    }
    r->epoch_costs = calloc(r->nbatches, sizeof *r->epoch_costs);
    if (all_costs)
        r->costs = calloc(n, sizeof *r->costs);
    if (a->report)
        r->report_log = cli_report_log_alloc((size_t)a->epochs);
    if (!r->epoch_costs || (all_costs && !r->costs) ||
        (a->report && !r->report_log)) {
        cli_error(CMD, "out of memory for %zu batch costs",
                  all_costs ? n : r->nbatches);
        return EXIT_FAIL;
    }
    const sn_run_state *saved = &r->ck.run;
    if (saved->ncosts) {
        /* Costs of the batches before the checkpoint, for --costs and for
         * the mean cost of a resumed epoch. */
        if (r->costs)
            memcpy(r->costs, saved->costs, saved->ncosts * sizeof *r->costs);
        memcpy(r->epoch_costs, saved->costs + r->start_epoch * r->nbatches,
               r->start_batch * sizeof *r->epoch_costs);
    }
    r->run = (sn_run_state){
        .seed = a->seed,
        .epochs = (size_t)a->epochs,
        .data_count = r->train.count,
        .data_inputs = r->train.input_size,
        .data_crc = a->checkpoint ? sn_dataset_crc(&r->train) : 0,
        .costs = r->costs,
    };
    return 0;
}

/* Step 1: everything up to the first batch. */
static int set_up(train_run *r, char *binding, size_t len)
{
    train_args *a = &r->a;
    /* A report folder that cannot be written fails now, not after
     * training; so does a --json path. */
    if (a->report && cli_report_check_dir(CMD, a->report) != 0)
        return EXIT_FAIL;
    if (cli_json_open(CMD, &r->json, a->json) != 0)
        return EXIT_FAIL;
    r->out = cli_json_text(&r->json);
    int rc;
    if (a->resume && (rc = load_resume(a, &r->ck)) != 0)
        return rc;
    if (cli_select_kernels(CMD, a->isa, &r->kernels) != 0)
        return EXIT_USAGE;
    if ((rc = make_net(a, &r->ck, &r->net)) != 0)
        return rc;
    r->dir = cli_data_dir(a->data);
    if ((rc = load_data(r)) != 0 || (rc = make_trainer(r, binding, len)) != 0)
        return rc;
    r->nbatches = (r->train.count + r->cfg.batch - 1) / r->cfg.batch;
    return 0;
}

/* Step 2, on --resume: the trainer goes on from the checkpoint. */
static int resume(train_run *r)
{
    if (r->a.resume) {
        sn_error err;
        if (sn_checkpoint_resume(&r->ck, r->trainer, &r->train, &err) != 0) {
            cli_error(CMD, "--resume %s: %s", r->a.resume, err.msg);
            return EXIT_USAGE;
        }
        r->start_epoch = r->ck.run.epoch;
        r->start_batch = r->ck.run.batches_done;
    }
    r->epoch = r->start_epoch;
    r->done = r->start_batch;
    return make_buffers(r);
}

/* What will run, before it runs. */
static void print_config(const train_run *r, const char *binding)
{
    const train_args *a = &r->a;
    FILE *out = r->out;
    const int threads = sn_trainer_threads(r->trainer);
    char layers[160];
    sn_format_layers(&r->net, layers, sizeof layers);
    fprintf(out, "data      %s: %zu training and %zu test samples of "
                 "%zux%zu\n", r->dir, r->train.count, r->test.count,
            r->train.rows, r->train.cols);
    fprintf(out, "network   %s, %zu parameters, sigmoid, L2 cost, %s\n",
            layers, r->net.nparams,
            a->resume ? a->resume : a->init ? a->init : "uniform [-1,1) init");
    if (!a->init)
        fprintf(out, "seed      %llu\n", a->seed);
    fprintf(out, "training  %s lr %g, batch %ld, %ld epochs, %s\n",
            a->optimizer == SN_OPT_ADAGRAD ? "AdaGrad" : "SGD", (double)a->lr,
            a->batch, a->epochs, a->shuffle ? "shuffled" : "file order");
    fprintf(out, "compute   %s kernels, %d threads, %s engine%s\n",
            sn_isa_name(sn_kernels_isa(r->kernels)), threads,
            sn_trainer_engine(r->trainer), a->dense ? " (dense input)" : "");
    if (a->bind)
        fprintf(out, "binding   %s\n", binding);
    if (a->resume) {
        const sn_checkpoint *ck = &r->ck;
        fprintf(out, "resume    %s: epoch %zu, after batch %zu of %zu\n",
                a->resume, r->start_epoch + 1, r->start_batch, r->nbatches);
        if (threads != ck->cfg.threads ||
            sn_kernels_isa(r->kernels) != ck->isa ||
            r->cfg.engine != ck->cfg.engine)
            fprintf(out, "note      the checkpoint ran %s kernels, %d "
                         "threads, %s engine: the result will differ from an "
                         "uninterrupted run in float rounding\n",
                    sn_isa_name(ck->isa), ck->cfg.threads,
                    sn_engine_name(ck->cfg.engine));
    }
    if (a->checkpoint) {
        fprintf(out, "checkpoint %s, every epoch", a->checkpoint);
        if (a->checkpoint_every)
            fprintf(out, " and every %ld batches", a->checkpoint_every);
        fputc('\n', out);
    }
    fflush(out);
}

/* The mean cost of batches [from, nbatches) of an epoch, each weighted by
 * its size, summed in the order train.c sums them. */
static double epoch_cost(const float *c, size_t from, size_t nbatches,
                         size_t count, size_t batch)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t b = from; b < nbatches; b++) {
        const size_t size = b + 1 < nbatches ? batch : count - b * batch;
        sum += (double)c[b] * (double)size;
        n += size;
    }
    return sum / (double)n;
}

/* Trains the rest of epoch r->epoch in runs of batches cut where a
 * checkpoint is due. Returns 0 at its end, 1 if it stopped early (r->err
 * says why unless a signal did), -1 if a checkpoint failed. */
static int train_epoch(train_run *r)
{
    for (;;) {
        const size_t from = r->done;
        r->progress.checkpoint_due = 0;
        const int stopped = sn_train_epoch_from(
            r->trainer, &r->train, r->epoch, from, r->epoch_costs, NULL,
            &r->done, &r->err);
        if (r->costs)
            memcpy(r->costs + r->epoch * r->nbatches + from,
                   r->epoch_costs + from, (r->done - from) * sizeof *r->costs);
        if (!stopped)
            return 0;
        if (!r->progress.checkpoint_due || cli_interrupt_signal())
            return 1;
        if (train_save_checkpoint(r, r->epoch, r->done) != 0)
            return -1;
    }
}

/* After an epoch: the test accuracy and the epoch's line. */
static int report_epoch(train_run *r, size_t first, double secs)
{
    const train_args *a = &r->a;
    const size_t e = r->epoch;
    sn_error err;
    sn_eval_free(&r->res);
    if (sn_evaluate(&r->net, r->kernels, &r->test, r->cfg.threads, &r->res,
                    &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return -1;
    }
    r->evaluated = 1;
    if (r->report_log) {
        r->report_log[e] = r->res.accuracy;
        r->report_log[(size_t)a->epochs + e] = secs;
    }
    /* A resumed epoch without the costs of its first batches reports the
     * batches it ran. */
    const size_t known = e == r->start_epoch && !r->ck.run.ncosts ? first : 0;
    const double cost = epoch_cost(r->epoch_costs, known, r->nbatches,
                                   r->train.count, r->cfg.batch);
    const double rate =
        (double)(r->train.count - first * r->cfg.batch) / secs;
    char srate[32], part[48] = "";
    cli_format_si(rate, srate, sizeof srate);
    if (known)
        snprintf(part, sizeof part, " (batches %zu-%zu)", known + 1,
                 r->nbatches);
    fprintf(r->out, "epoch %zu/%ld  cost %.4f%s  test %.2f%%  %.3f s  %s "
                    "samples/s\n", e + 1, a->epochs, cost, part,
            100.0 * r->res.accuracy, secs, srate);
    fflush(r->out);
    train_json_epoch(r, cost, known + 1, secs, rate);
    return 0;
}

/* Step 3: the epochs. Returns 0 when all ran, 1 when the run stopped
 * early, -1 on a failure already reported. */
static int run_epochs(train_run *r)
{
    const long epochs = r->a.epochs;
    for (; r->epoch < (size_t)epochs; r->epoch++, r->done = 0) {
        if (cli_interrupt_signal())
            return 1;
        const size_t first = r->done;
        char label[48];
        snprintf(label, sizeof label, "epoch %zu/%ld", r->epoch + 1, epochs);
        cli_progress_begin(&r->progress.bar, r->out, label);
        const double t0 = cli_now();
        const int stopped = train_epoch(r);
        const double secs = cli_now() - t0;
        cli_progress_end(&r->progress.bar);
        if (stopped)
            return stopped;
        if (r->a.checkpoint &&
            train_save_checkpoint(r, r->epoch, r->nbatches) != 0)
            return -1;
        if (report_epoch(r, first, secs) != 0)
            return -1;
    }
    return 0;
}

static void tear_down(train_run *r)
{
    cli_interrupt_restore();
    cli_json_abort(&r->json);
    sn_eval_free(&r->res);
    free(r->costs);
    free(r->epoch_costs);
    free(r->report_log);
    sn_trainer_free(r->trainer);
    sn_checkpoint_free(&r->ck);
    sn_dataset_free(&r->train);
    sn_dataset_free(&r->test);
    sn_net_free(&r->net);
}

int cmd_train(int argc, char **argv)
{
    train_run r = {0};
    const int parsed = parse_args(argc, argv, &r.a);
    if (parsed != CLI_PARSED)
        return cli_options_exit(parsed);
    char binding[512] = "";
    int rc = set_up(&r, binding, sizeof binding);
    if (rc == 0)
        rc = resume(&r);
    if (rc == 0) {
        print_config(&r, binding);
        /* A checkpoint path that cannot be written fails now, not after an
         * epoch. */
        if (r.a.checkpoint &&
            train_save_checkpoint(&r, r.start_epoch, r.start_batch) != 0)
            rc = EXIT_FAIL;
    }
    if (rc == 0) {
        cli_interrupt_install(CMD);
        const int ran = run_epochs(&r);
        rc = ran < 0 ? EXIT_FAIL : ran ? train_stop(&r) : train_finish(&r);
    }
    tear_down(&r);
    return rc;
}
