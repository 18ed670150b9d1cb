/* cmd_train.c - `simdnet train`: the tutorial's training run, fast. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli.h"
#include "cmd_report.h"

static const char *const CMD = "train";

static void train_usage(FILE *out)
{
    fputs(
        "usage: simdnet train [options]\n"
        "\n"
        "Trains a fully connected sigmoid network with an L2 cost, as the\n"
        "tutorial does, then reports test accuracy after every epoch.\n"
        "\n"
        "  --data DIR         MNIST folder (default $SIMDNET_DATA, else ./data/mnist)\n"
        "  --layers LIST      layer sizes, input first (default 784,32,32,10)\n"
        "  --epochs N         passes over the training set (default 5)\n"
        "  --batch N          samples per batch (default 100)\n"
        "  --lr X             learning rate (default 0.1)\n"
        "  --optimizer NAME   adagrad (default) or sgd\n"
        "  --seed N           weight initialisation seed (default 0)\n"
        "  --shuffle          shuffle the samples every epoch (seeded by --seed);\n"
        "                     the default is file order, as in the tutorial\n"
        "  --threads N        OpenMP threads (default: one per physical core)\n"
        "  --bind             bind the threads one per physical core (hwloc)\n"
        "  --isa NAME         kernel set: scalar, avx2, avx512, neon\n"
        "                     (default $SIMDNET_ISA, else the best this CPU runs)\n"
        "  --engine NAME      sparse (default): the first layer over nonzero pixels\n"
        "                     only; per-sample: dense per-sample kernels\n"
        "  --dense            sparse engine: visit zero pixels too (for comparison)\n"
        "  --init FILE        start from a saved model instead of random weights\n"
        "  --save FILE        save the trained model (atomically)\n"
        "  --costs FILE       write the mean cost of every batch as CSV\n"
        "  --report DIR       at the end, draw the run in DIR/index.html (cost\n"
        "                     curve, network, samples, weights, mistakes)\n"
        "  --checkpoint FILE  save the whole training state to FILE (atomically)\n"
        "                     after every epoch and when the run stops early\n"
        "  --checkpoint-every N  also after every N batches\n"
        "  --resume FILE      go on with the run saved in checkpoint FILE: its\n"
        "                     settings are the defaults, and the flags that would\n"
        "                     change the result must agree with them\n"
        "  --trap-fp          debug: SIGFPE at the first invalid operation,\n"
        "                     division by zero or overflow, saying where\n"
        "  -h, --help         this help\n"
        "\n"
        "Ctrl-C or SIGTERM stops the run after its current batch, saves what was\n"
        "asked for (--checkpoint, --costs, --save) as of that batch and exits\n"
        "with 130 (SIGINT) or 143 (SIGTERM); a second one quits at once. A NaN\n"
        "or infinite cost stops training before that batch's update, saves the\n"
        "same way and exits with 1. See docs/robustness.md.\n",
        out);
}

typedef struct train_args {
    const char *data, *layers, *isa, *init, *save, *costs;
    sn_engine_kind engine;
    int dense;
    long epochs, batch, threads;
    unsigned long long seed;
    float lr;
    sn_optimizer optimizer;
    int shuffle;
    int bind;
    const char *checkpoint, *resume;
    long checkpoint_every;
    int trap_fp;
    const char *report; /* --report DIR */
    unsigned given; /* GIVEN_*: settings the command line named */
} train_args;

/* On --resume, the settings not named on the command line come from the
 * checkpoint. */
enum { GIVEN_EPOCHS = 1, GIVEN_BATCH = 2, GIVEN_LR = 4, GIVEN_OPT = 8,
       GIVEN_SEED = 16, GIVEN_ENGINE = 32 };

static int parse_args(int argc, char **argv, train_args *a)
{
    enum { O_DATA = 256, O_LAYERS, O_EPOCHS, O_BATCH, O_LR, O_OPT, O_SEED,
           O_SHUFFLE, O_THREADS, O_ISA, O_INIT, O_SAVE, O_COSTS, O_ENGINE,
           O_DENSE, O_BIND, O_CHECKPOINT, O_CHECKPOINT_EVERY, O_RESUME,
           O_TRAP_FP, O_REPORT };
    static const struct option opts[] = {
        {"data", required_argument, 0, O_DATA},
        {"layers", required_argument, 0, O_LAYERS},
        {"epochs", required_argument, 0, O_EPOCHS},
        {"batch", required_argument, 0, O_BATCH},
        {"lr", required_argument, 0, O_LR},
        {"optimizer", required_argument, 0, O_OPT},
        {"seed", required_argument, 0, O_SEED},
        {"shuffle", no_argument, 0, O_SHUFFLE},
        {"threads", required_argument, 0, O_THREADS},
        {"bind", no_argument, 0, O_BIND},
        {"isa", required_argument, 0, O_ISA},
        {"init", required_argument, 0, O_INIT},
        {"save", required_argument, 0, O_SAVE},
        {"costs", required_argument, 0, O_COSTS},
        {"engine", required_argument, 0, O_ENGINE},
        {"dense", no_argument, 0, O_DENSE},
        {"checkpoint", required_argument, 0, O_CHECKPOINT},
        {"checkpoint-every", required_argument, 0, O_CHECKPOINT_EVERY},
        {"resume", required_argument, 0, O_RESUME},
        {"trap-fp", no_argument, 0, O_TRAP_FP},
        {"report", required_argument, 0, O_REPORT},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    *a = (train_args){.epochs = 5, .batch = 100, .lr = 0.1f,
                      .optimizer = SN_OPT_ADAGRAD, .engine = SN_ENGINE_SPARSE};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_DATA: a->data = optarg; break;
        case O_LAYERS: a->layers = optarg; break;
        case O_EPOCHS:
            a->given |= GIVEN_EPOCHS;
            bad = cli_parse_long(CMD, "--epochs", optarg, 1, 1000000, &a->epochs);
            break;
        case O_BATCH:
            a->given |= GIVEN_BATCH;
            bad = cli_parse_long(CMD, "--batch", optarg, 1, 1000000, &a->batch);
            break;
        case O_LR:
            a->given |= GIVEN_LR;
            bad = cli_parse_float(CMD, "--lr", optarg, 1e-30, 1e6, &a->lr);
            break;
        case O_OPT:
            a->given |= GIVEN_OPT;
            if (!strcmp(optarg, "adagrad"))
                a->optimizer = SN_OPT_ADAGRAD;
            else if (!strcmp(optarg, "sgd"))
                a->optimizer = SN_OPT_SGD;
            else {
                cli_error(CMD, "--optimizer: expected adagrad or sgd, got '%s'",
                          optarg);
                bad = -1;
            }
            break;
        case O_SEED:
            a->given |= GIVEN_SEED;
            bad = cli_parse_u64(CMD, "--seed", optarg, &a->seed);
            break;
        case O_SHUFFLE: a->shuffle = 1; break;
        case O_THREADS:
            bad = cli_parse_long(CMD, "--threads", optarg, 1, 1024, &a->threads);
            break;
        case O_ISA:
            a->isa = optarg;
            break;
        case O_INIT: a->init = optarg; break;
        case O_SAVE: a->save = optarg; break;
        case O_COSTS: a->costs = optarg; break;
        case O_ENGINE:
            a->given |= GIVEN_ENGINE;
            if (cli_parse_engine(CMD, optarg, &a->engine) != 0)
                bad = -1;
            break;
        case O_DENSE: a->dense = 1; break;
        case O_BIND: a->bind = 1; break;
        case O_CHECKPOINT: a->checkpoint = optarg; break;
        case O_CHECKPOINT_EVERY:
            bad = cli_parse_long(CMD, "--checkpoint-every", optarg, 1,
                                 1000000000, &a->checkpoint_every);
            break;
        case O_RESUME: a->resume = optarg; break;
        case O_TRAP_FP: a->trap_fp = 1; break;
        case O_REPORT: a->report = optarg; break;
        case 'h': train_usage(stdout); exit(0);
        default:
            cli_bad_option(CMD, c, argv);
            return -1;
        }
        if (bad)
            return -1;
    }
    if (cli_no_operands(CMD, argc, argv) != 0)
        return -1;
    if (a->checkpoint_every && !a->checkpoint) {
        cli_error(CMD, "--checkpoint-every needs --checkpoint FILE");
        return -1;
    }
    if (a->resume && a->init) {
        cli_error(CMD, "--resume and --init exclude each other: a checkpoint "
                       "holds its own weights");
        return -1;
    }
    return 0;
}

typedef struct progress_ctx {
    cli_progress bar;
    long checkpoint_every;  /* --checkpoint-every, 0 if not given */
    int checkpoint_due;     /* on_batch stopped the epoch for a checkpoint */
} progress_ctx;

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
    char have[160];
    sn_format_layers(&ck->net, have, sizeof have);
    if (a->layers) {
        size_t sizes[SN_MAX_LAYERS], nsizes;
        if (sn_parse_layers(a->layers, sizes, &nsizes, &err) != 0) {
            cli_error(CMD, "--layers: %s", err.msg);
            return EXIT_USAGE;
        }
        int same = nsizes == ck->net.nlayers + 1;
        for (size_t i = 0; same && i < nsizes; i++)
            same = sizes[i] == ck->net.sizes[i];
        if (!same) {
            cli_error(CMD, "--resume %s has layers %s, but --layers asks for "
                           "%s", a->resume, have, a->layers);
            return EXIT_USAGE;
        }
    }
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
    size_t sizes[SN_MAX_LAYERS], nsizes = 4;
    const size_t defaults[] = {784, 32, 32, 10};
    memcpy(sizes, defaults, sizeof defaults);
    if (a->layers && sn_parse_layers(a->layers, sizes, &nsizes, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    if (a->init) {
        if (sn_model_load(net, a->init, &err) != 0) {
            cli_error(CMD, "--init: %s", err.msg);
            return EXIT_FAIL;
        }
        int same = net->nlayers + 1 == nsizes;
        for (size_t i = 0; same && i < nsizes; i++)
            same = net->sizes[i] == sizes[i];
        if (a->layers && !same) {
            char have[160];
            sn_format_layers(net, have, sizeof have);
            cli_error(CMD, "--init %s has layers %s, but --layers asks for %s",
                      a->init, have, a->layers);
            sn_net_free(net);
            return EXIT_USAGE;
        }
        return 0;
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

/* Writes the first n per-batch costs as CSV through a temporary file and a
 * rename, so a failed run never leaves half a file under the final name. */
static int write_costs(const char *path, const float *costs, size_t n,
                       size_t nbatches)
{
    sn_error err;
    sn_atomic_file af;
    if (sn_atomic_open(&af, path, &err) == 0) {
        fputs("epoch,batch,cost\n", af.f);
        for (size_t i = 0; i < n; i++)
            fprintf(af.f, "%zu,%zu,%.9g\n", i / nbatches + 1,
                    i % nbatches + 1, (double)costs[i]);
        if (sn_atomic_commit(&af, &err) == 0)
            return 0;
    }
    cli_error(CMD, "--costs %s", err.msg);
    return -1;
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

/* Writes the checkpoint of the position after `done` batches of epoch
 * `epoch` (an epoch's last batch makes it the next epoch's start). */
static int save_checkpoint(const char *path, const sn_trainer *t,
                           sn_run_state *run, size_t epoch, size_t done,
                           size_t nbatches)
{
    if (done == nbatches) {
        epoch++;
        done = 0;
    }
    run->epoch = epoch;
    run->batches_done = done;
    run->ncosts = run->costs ? epoch * nbatches + done : 0;
    sn_error err;
    if (sn_checkpoint_save(t, run, path, &err) != 0) {
        cli_error(CMD, "--checkpoint: %s", err.msg);
        return -1;
    }
    return 0;
}

int cmd_train(int argc, char **argv)
{
    train_args a;
    if (parse_args(argc, argv, &a) != 0)
        return EXIT_USAGE;
    /* A report folder that cannot be written fails now, not after training. */
    if (a.report && cli_report_check_dir(CMD, a.report) != 0)
        return EXIT_FAIL;

    sn_checkpoint ck = {0};
    int rc = 0;
    if (a.resume && (rc = load_resume(&a, &ck)) != 0) {
        sn_checkpoint_free(&ck);
        return rc;
    }

    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, a.isa, &kernels) != 0) {
        sn_checkpoint_free(&ck);
        return EXIT_USAGE;
    }

    sn_net net;
    rc = make_net(&a, &ck, &net);
    if (rc != 0) {
        sn_checkpoint_free(&ck);
        return rc;
    }

    const char *dir = cli_data_dir(a.data);
    const unsigned n_out = (unsigned)net.sizes[net.nlayers];
    sn_dataset train = {0}, test = {0};
    float *costs = NULL, *epoch_costs = NULL;
    double *report_log = NULL; /* --report: per-epoch accuracy, then seconds */
    sn_trainer *trainer = NULL;
    sn_eval_result res = {0};
    sn_error err;
    rc = EXIT_FAIL;
    if (cli_load_split(CMD, dir, SN_SPLIT_TRAIN, n_out, &train) != 0 ||
        cli_load_split(CMD, dir, SN_SPLIT_TEST, n_out, &test) != 0)
        goto out;
    if (train.input_size != net.sizes[0]) {
        cli_error(CMD, "the data in %s has %zu inputs per sample (%zux%zu), "
                       "but the network's first layer has %zu",
                  dir, train.input_size, train.rows, train.cols, net.sizes[0]);
        rc = EXIT_USAGE;
        goto out;
    }

    progress_ctx ctx = {.checkpoint_every = a.checkpoint_every};
    sn_train_config cfg = sn_train_config_default();
    cfg.batch = (size_t)a.batch;
    cfg.lr = a.lr;
    cfg.optimizer = a.optimizer;
    cfg.threads = a.threads > 0 ? (int)a.threads : cli_default_threads();
    cfg.shuffle = a.shuffle;
    cfg.shuffle_seed = a.seed;
    cfg.kernels = kernels;
    cfg.engine = a.engine;
    cfg.dense_input = a.dense;
    cfg.progress = on_batch;
    cfg.progress_user = &ctx;
    if (sn_trainer_create(&trainer, &net, &cfg, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    char binding[512] = "";
    if (a.bind) {
        if (sn_bind_threads(sn_trainer_threads(trainer), &err) != 0) {
            cli_error(CMD, "--bind: %s", err.msg);
            goto out;
        }
        sn_bind_describe(sn_trainer_threads(trainer), binding, sizeof binding);
    }
    if (a.trap_fp && cli_trap_fp_enable(CMD, sn_trainer_threads(trainer)) != 0)
        goto out;

    const size_t nbatches = (train.count + cfg.batch - 1) / cfg.batch;
    size_t start_epoch = 0, start_batch = 0;
    if (a.resume) {
        if (sn_checkpoint_resume(&ck, trainer, &train, &err) != 0) {
            cli_error(CMD, "--resume %s: %s", a.resume, err.msg);
            rc = EXIT_USAGE;
            goto out;
        }
        start_epoch = ck.run.epoch;
        start_batch = ck.run.batches_done;
    }
    epoch_costs = calloc(nbatches, sizeof *epoch_costs);
    if (a.costs || a.report)
        costs = calloc(nbatches * (size_t)a.epochs, sizeof *costs);
    if (a.report)
        report_log = cli_report_log_alloc((size_t)a.epochs);
    if (!epoch_costs || ((a.costs || a.report) && !costs) ||
        (a.report && !report_log)) {
        cli_error(CMD, "out of memory for %zu batch costs",
                  nbatches * (size_t)(a.costs ? a.epochs : 1));
        goto out;
    }
    if (ck.run.ncosts) {
        /* Costs of the batches before the checkpoint, for --costs and for
         * the mean cost of a resumed epoch. */
        if (costs)
            memcpy(costs, ck.run.costs, ck.run.ncosts * sizeof *costs);
        memcpy(epoch_costs, ck.run.costs + start_epoch * nbatches,
               start_batch * sizeof *epoch_costs);
    }
    sn_run_state run = {
        .seed = a.seed,
        .epochs = (size_t)a.epochs,
        .data_count = train.count,
        .data_inputs = train.input_size,
        .data_crc = a.checkpoint ? sn_dataset_crc(&train) : 0,
        .costs = costs,
    };

    char layers[160];
    sn_format_layers(&net, layers, sizeof layers);
    printf("data      %s: %zu training and %zu test samples of %zux%zu\n", dir,
           train.count, test.count, train.rows, train.cols);
    printf("network   %s, %zu parameters, sigmoid, L2 cost, %s\n", layers,
           net.nparams,
           a.resume ? a.resume : a.init ? a.init : "uniform [-1,1) init");
    if (!a.init)
        printf("seed      %llu\n", a.seed);
    printf("training  %s lr %g, batch %ld, %ld epochs, %s\n",
           a.optimizer == SN_OPT_ADAGRAD ? "AdaGrad" : "SGD", (double)a.lr,
           a.batch, a.epochs, a.shuffle ? "shuffled" : "file order");
    printf("compute   %s kernels, %d threads, %s engine%s\n",
           sn_isa_name(sn_kernels_isa(kernels)), sn_trainer_threads(trainer),
           sn_trainer_engine(trainer), a.dense ? " (dense input)" : "");
    if (a.bind)
        printf("binding   %s\n", binding);
    if (a.resume) {
        printf("resume    %s: epoch %zu, after batch %zu of %zu\n", a.resume,
               start_epoch + 1, start_batch, nbatches);
        if (sn_trainer_threads(trainer) != ck.cfg.threads ||
            sn_kernels_isa(kernels) != ck.isa || cfg.engine != ck.cfg.engine)
            printf("note      the checkpoint ran %s kernels, %d threads, %s "
                   "engine: the result will differ from an uninterrupted "
                   "run in float rounding\n", sn_isa_name(ck.isa),
                   ck.cfg.threads,
                   ck.cfg.engine == SN_ENGINE_SPARSE ? "sparse" : "per-sample");
    }
    if (a.checkpoint) {
        printf("checkpoint %s, every epoch", a.checkpoint);
        if (a.checkpoint_every)
            printf(" and every %ld batches", a.checkpoint_every);
        putchar('\n');
        /* A path that cannot be written fails now, not after an epoch. */
        if (save_checkpoint(a.checkpoint, trainer, &run, start_epoch,
                            start_batch, nbatches) != 0)
            goto out;
    }
    fflush(stdout);

    cli_interrupt_install(CMD);
    size_t e = start_epoch, done = start_batch;
    int stopped = 0, evaluated = 0;
    for (; e < (size_t)a.epochs; e++, done = 0) {
        if (cli_interrupt_signal()) {
            stopped = 1;
            break;
        }
        const size_t first = done;
        char label[48];
        snprintf(label, sizeof label, "epoch %zu/%ld", e + 1, a.epochs);
        cli_progress_begin(&ctx.bar, stdout, label);
        const double t0 = cli_now();
        int fail;
        for (;;) {
            /* Runs of batches, cut where a checkpoint is due. */
            const size_t from = done;
            ctx.checkpoint_due = 0;
            fail = sn_train_epoch_from(trainer, &train, e, from, epoch_costs,
                                       NULL, &done, &err);
            if (costs)
                memcpy(costs + e * nbatches + from, epoch_costs + from,
                       (done - from) * sizeof *costs);
            if (!fail || !ctx.checkpoint_due || cli_interrupt_signal())
                break;
            if (save_checkpoint(a.checkpoint, trainer, &run, e, done,
                                nbatches) != 0) {
                cli_progress_end(&ctx.bar);
                goto out;
            }
        }
        const double secs = cli_now() - t0;
        cli_progress_end(&ctx.bar);
        if (fail) {
            stopped = 1;
            break;
        }
        if (a.checkpoint && save_checkpoint(a.checkpoint, trainer, &run, e,
                                            nbatches, nbatches) != 0)
            goto out;
        sn_eval_free(&res);
        if (sn_evaluate(&net, kernels, &test, cfg.threads, &res, &err) != 0) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
        evaluated = 1;
        if (report_log) {
            report_log[e] = res.accuracy;
            report_log[a.epochs + (long)e] = secs;
        }
        /* A resumed epoch without the costs of its first batches reports
         * the batches it ran. */
        const size_t known = e == start_epoch && !ck.run.ncosts ? first : 0;
        char rate[32], part[48] = "";
        cli_format_si((double)(train.count - first * cfg.batch) / secs, rate,
                      sizeof rate);
        if (known)
            snprintf(part, sizeof part, " (batches %zu-%zu)", known + 1,
                     nbatches);
        printf("epoch %zu/%ld  cost %.4f%s  test %.2f%%  %.3f s  %s "
               "samples/s\n", e + 1, a.epochs,
               epoch_cost(epoch_costs, known, nbatches, train.count,
                          cfg.batch),
               part, 100.0 * res.accuracy, secs, rate);
        fflush(stdout);
    }

    if (stopped) {
        /* Interrupted, or a non-finite cost: the weights are those after
         * `done` batches of epoch e. Save what was asked for, say so, and
         * fail. */
        const int sig = cli_interrupt_signal();
        if (sig)
            cli_error(CMD, "interrupted by %s at epoch %zu after batch %zu "
                           "of %zu", sig == SIGINT ? "SIGINT" : "SIGTERM",
                      e + 1, done, nbatches);
        else
            cli_error(CMD, "%s", err.msg);
        int saved = 0;
        if (a.checkpoint &&
            save_checkpoint(a.checkpoint, trainer, &run, e, done, nbatches) == 0) {
            fprintf(stderr, "  checkpoint written to %s: go on with "
                            "--resume %s\n", a.checkpoint, a.checkpoint);
            saved = 1;
        }
        if (a.costs && write_costs(a.costs, costs, e * nbatches + done,
                                   nbatches) == 0) {
            fprintf(stderr, "  costs of the %zu batches done written to %s\n",
                    e * nbatches + done, a.costs);
            saved = 1;
        }
        if (a.save) {
            if (sn_model_save(&net, a.save, &err) == 0) {
                fprintf(stderr, "  the weights so far (not a finished "
                                "training) saved to %s\n", a.save);
                saved = 1;
            } else {
                cli_error(CMD, "--save: %s", err.msg);
            }
        }
        if (!saved)
            fprintf(stderr, "  nothing was saved (--checkpoint FILE keeps "
                            "the state to resume from)\n");
        rc = sig ? 128 + sig : EXIT_FAIL;
        goto out;
    }

    if (!evaluated &&
        sn_evaluate(&net, kernels, &test, cfg.threads, &res, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    printf("final test accuracy: %.2f%%\n", 100.0 * res.accuracy);

    if (a.costs &&
        write_costs(a.costs, costs, (size_t)a.epochs * nbatches, nbatches) != 0)
        goto out;
    if (a.save) {
        if (sn_model_save(&net, a.save, &err) != 0) {
            cli_error(CMD, "--save: %s", err.msg);
            goto out;
        }
        printf("saved     %s\n", a.save);
    }
    if (a.report) {
        const cli_train_run report_run = {
            .data_dir = dir, .net = &net, .kernels = kernels,
            .threads = sn_trainer_threads(trainer), .train = &train,
            .test = &test, .epochs = (size_t)a.epochs, .nbatches = nbatches,
            /* a resumed run whose checkpoint kept no costs has no curve */
            .costs = a.resume && !ck.run.ncosts && (start_epoch || start_batch)
                         ? NULL : costs,
            .accuracy = report_log, .seconds = report_log + a.epochs,
            .init = a.resume ? a.resume : a.init, .seed = a.seed,
            .sgd = a.optimizer == SN_OPT_SGD, .lr = a.lr,
            .batch = (size_t)a.batch, .shuffle = a.shuffle,
            .engine = sn_trainer_engine(trainer), .dense = a.dense,
        };
        if (cli_train_report(a.report, &report_run) != 0)
            goto out;
    }
    rc = 0;
out:
    cli_interrupt_restore();
    sn_eval_free(&res);
    free(costs);
    free(epoch_costs);
    free(report_log);
    sn_trainer_free(trainer);
    sn_checkpoint_free(&ck);
    sn_dataset_free(&train);
    sn_dataset_free(&test);
    sn_net_free(&net);
    return rc;
}
