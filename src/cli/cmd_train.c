/* cmd_train.c - `simdnet train`: the tutorial's training run, fast. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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
        "  --threads N        OpenMP threads (default: all the machine offers)\n"
        "  --isa NAME         kernel set: scalar, avx2, avx512, neon\n"
        "                     (default $SIMDNET_ISA, else the best this CPU runs)\n"
        "  --engine NAME      sparse (default): the first layer over nonzero pixels\n"
        "                     only; per-sample: dense per-sample kernels\n"
        "  --dense            sparse engine: visit zero pixels too (for comparison)\n"
        "  --init FILE        start from a saved model instead of random weights\n"
        "  --save FILE        save the trained model (atomically)\n"
        "  --costs FILE       write the mean cost of every batch as CSV\n"
        "  -h, --help         this help\n",
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
} train_args;

static int parse_args(int argc, char **argv, train_args *a)
{
    enum { O_DATA = 256, O_LAYERS, O_EPOCHS, O_BATCH, O_LR, O_OPT, O_SEED,
           O_SHUFFLE, O_THREADS, O_ISA, O_INIT, O_SAVE, O_COSTS, O_ENGINE,
           O_DENSE };
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
        {"isa", required_argument, 0, O_ISA},
        {"init", required_argument, 0, O_INIT},
        {"save", required_argument, 0, O_SAVE},
        {"costs", required_argument, 0, O_COSTS},
        {"engine", required_argument, 0, O_ENGINE},
        {"dense", no_argument, 0, O_DENSE},
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
            bad = cli_parse_long(CMD, "--epochs", optarg, 1, 1000000, &a->epochs);
            break;
        case O_BATCH:
            bad = cli_parse_long(CMD, "--batch", optarg, 1, 1000000, &a->batch);
            break;
        case O_LR:
            bad = cli_parse_float(CMD, "--lr", optarg, 1e-30, 1e6, &a->lr);
            break;
        case O_OPT:
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
        case O_SEED: bad = cli_parse_u64(CMD, "--seed", optarg, &a->seed); break;
        case O_SHUFFLE: a->shuffle = 1; break;
        case O_THREADS:
            bad = cli_parse_long(CMD, "--threads", optarg, 1, 1024, &a->threads);
            break;
        case O_ISA: a->isa = optarg; break;
        case O_INIT: a->init = optarg; break;
        case O_SAVE: a->save = optarg; break;
        case O_COSTS: a->costs = optarg; break;
        case O_ENGINE:
            if (cli_parse_engine(CMD, optarg, &a->engine) != 0)
                bad = -1;
            break;
        case O_DENSE: a->dense = 1; break;
        case 'h': train_usage(stdout); exit(0);
        case ':':
            cli_error(CMD, "%s needs a value", argv[optind - 1]);
            return -1;
        default:
            cli_error(CMD, "unknown option '%s' (see simdnet train --help)",
                      argv[optind - 1]);
            return -1;
        }
        if (bad)
            return -1;
    }
    if (optind < argc) {
        cli_error(CMD, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

typedef struct progress_ctx {
    cli_progress bar;
} progress_ctx;

static int on_batch(void *user, size_t epoch, size_t batch, size_t nbatches,
                    float cost)
{
    (void)epoch;
    (void)cost;
    progress_ctx *ctx = user;
    cli_progress_update(&ctx->bar, batch, nbatches);
    return 0;
}

/* Builds the network: from --init, or fresh from --layers and --seed. */
static int make_net(const train_args *a, sn_net *net)
{
    sn_error err;
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
    if (sn_net_create(net, sizes, nsizes, &err) != 0) {
        cli_error(CMD, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    sn_net_init_uniform(net, a->seed);
    return 0;
}

/* Writes the per-batch costs as CSV through a temporary file and a rename,
 * so a failed run never leaves half a file under the final name. */
static int write_costs(const char *path, const float *costs, size_t epochs,
                       size_t nbatches)
{
    size_t len = strlen(path) + 16;
    char *tmp = malloc(len);
    if (!tmp)
        return -1;
    snprintf(tmp, len, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        cli_error(CMD, "--costs %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return -1;
    }
    fputs("epoch,batch,cost\n", f);
    for (size_t e = 0; e < epochs; e++)
        for (size_t b = 0; b < nbatches; b++)
            fprintf(f, "%zu,%zu,%.9g\n", e + 1, b + 1,
                    (double)costs[e * nbatches + b]);
    int bad = ferror(f) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        cli_error(CMD, "--costs %s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int cmd_train(int argc, char **argv)
{
    train_args a;
    if (parse_args(argc, argv, &a) != 0)
        return EXIT_USAGE;

    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, a.isa, &kernels) != 0)
        return EXIT_USAGE;

    sn_net net;
    int rc = make_net(&a, &net);
    if (rc != 0)
        return rc;

    const char *dir = cli_data_dir(a.data);
    const unsigned n_out = (unsigned)net.sizes[net.nlayers];
    sn_dataset train = {0}, test = {0};
    float *costs = NULL;
    sn_trainer *trainer = NULL;
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

    progress_ctx ctx;
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

    const size_t nbatches = (train.count + cfg.batch - 1) / cfg.batch;
    if (a.costs) {
        costs = calloc(nbatches * (size_t)a.epochs, sizeof *costs);
        if (!costs) {
            cli_error(CMD, "--costs: out of memory for %zu batch costs",
                      nbatches * (size_t)a.epochs);
            goto out;
        }
    }

    char layers[160];
    sn_format_layers(&net, layers, sizeof layers);
    printf("data      %s: %zu training and %zu test samples of %zux%zu\n", dir,
           train.count, test.count, train.rows, train.cols);
    printf("network   %s, %zu parameters, sigmoid, L2 cost, %s\n", layers,
           net.nparams, a.init ? a.init : "uniform [-1,1) init");
    if (!a.init)
        printf("seed      %llu\n", a.seed);
    printf("training  %s lr %g, batch %ld, %ld epochs, %s\n",
           a.optimizer == SN_OPT_ADAGRAD ? "AdaGrad" : "SGD", (double)a.lr,
           a.batch, a.epochs, a.shuffle ? "shuffled" : "file order");
    printf("compute   %s kernels, %d threads, %s engine%s\n",
           sn_isa_name(sn_kernels_isa(kernels)), sn_trainer_threads(trainer),
           sn_trainer_engine(trainer), a.dense ? " (dense input)" : "");
    fflush(stdout);

    sn_eval_result res = {0};
    for (long e = 0; e < a.epochs; e++) {
        char label[48];
        snprintf(label, sizeof label, "epoch %ld/%ld", e + 1, a.epochs);
        cli_progress_begin(&ctx.bar, stdout, label);
        sn_epoch_stats st;
        const double t0 = cli_now();
        int fail = sn_train_epoch(trainer, &train, (size_t)e,
                                  costs ? costs + (size_t)e * nbatches : NULL,
                                  &st, &err);
        const double secs = cli_now() - t0;
        cli_progress_end(&ctx.bar);
        if (fail) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
        sn_eval_free(&res);
        if (sn_evaluate(&net, kernels, &test, cfg.threads, &res, &err) != 0) {
            cli_error(CMD, "%s", err.msg);
            goto out;
        }
        char rate[32];
        cli_format_si((double)st.samples / secs, rate, sizeof rate);
        printf("epoch %ld/%ld  cost %.4f  test %.2f%%  %.3f s  %s samples/s\n",
               e + 1, a.epochs, st.mean_cost, 100.0 * res.accuracy, secs, rate);
        fflush(stdout);
    }
    printf("final test accuracy: %.2f%%\n", 100.0 * res.accuracy);
    sn_eval_free(&res);

    if (a.costs && write_costs(a.costs, costs, (size_t)a.epochs, nbatches) != 0)
        goto out;
    if (a.save) {
        if (sn_model_save(&net, a.save, &err) != 0) {
            cli_error(CMD, "--save: %s", err.msg);
            goto out;
        }
        printf("saved     %s\n", a.save);
    }
    rc = 0;
out:
    free(costs);
    sn_trainer_free(trainer);
    sn_dataset_free(&train);
    sn_dataset_free(&test);
    sn_net_free(&net);
    return rc;
}
