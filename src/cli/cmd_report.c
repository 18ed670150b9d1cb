/* cmd_report.c - `simdnet report`: the pictures of a model and its run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_report.h"
#include "options.h"
#include "report/report.h"

static const char *const CMD = "report";

enum { MAX_BENCH = 16 };

typedef struct report_args {
    const char *model, *out, *costs, *accuracy, *data, *title, *isa;
    const char *bench[MAX_BENCH];
    size_t nbench;
    long sample, threads;
    unsigned long long seed;
} report_args;

/* --bench FILE, repeatable. */
static int add_bench(const char *value, void *args, sn_error *err)
{
    report_args *a = args;
    if (a->nbench == MAX_BENCH)
        return cli_reason(err, "at most %d files", MAX_BENCH);
    a->bench[a->nbench++] = value;
    return 0;
}

static int parse_args(int argc, char **argv, report_args *a)
{
    *a = (report_args){0};
    const cli_option options[] = {
        cli_opt(CLI_OPT_MODEL, &a->model, NULL),
        {.name = "out", .kind = CLI_STRING, .dest = &a->out, .value = "DIR",
         .help = "the report folder (created if needed)"},
        {.name = "costs", .kind = CLI_STRING, .dest = &a->costs,
         .value = "FILE",
         .help = "per-batch costs (simdnet train --costs FILE)"},
        {.name = "accuracy", .kind = CLI_STRING, .dest = &a->accuracy,
         .value = "FILE",
         .help = "per-epoch test accuracy (accuracy.csv of an\n"
                 "earlier report); without it, the final accuracy"},
        {.name = "bench", .kind = CLI_LIST, .dest = a, .value = "FILE",
         .parse = add_bench,
         .help = "benchmark JSON, repeatable: Google Benchmark output\n"
                 "of bench_kernels, or simdnet bench --json FILE"},
        cli_opt(CLI_OPT_DATA, &a->data,
                "MNIST folder (default $SIMDNET_DATA, else\n"
                "./data/mnist; without data the report leaves out\n"
                "the samples, the confusion matrix and the mistakes)"),
        {.name = "sample", .kind = CLI_INT, .dest = &a->sample, .value = "N",
         .min = 0, .max = 1L << 30,
         .help = "test sample drawn through the network (default 0)"},
        {.name = "seed", .kind = CLI_SIZE, .dest = &a->seed, .value = "N",
         .help = "picks the training samples shown (default 0)"},
        {.name = "title", .kind = CLI_STRING, .dest = &a->title,
         .value = "TEXT",
         .help = "the page's heading"},
        cli_opt(CLI_OPT_THREADS, &a->threads,
                "OpenMP threads for the evaluation"),
        cli_opt(CLI_OPT_ISA, &a->isa, NULL),
    };
    const cli_command_spec spec = {
        CMD, "report --model FILE --out DIR [options]",
        "Draws a model and its training run as SVG pictures and one\n"
        "DIR/index.html that shows them all: the cost curve with the test\n"
        "accuracy per epoch, the network with its activations for a test\n"
        "sample, training samples, first-layer weights, the confusion matrix,\n"
        "the misclassified test images, and benchmark bar charts.\n",
        NULL, options, sizeof options / sizeof *options, 0};
    const int parsed = cli_parse_options(&spec, argc, argv, NULL, NULL);
    if (parsed != CLI_PARSED)
        return parsed;
    if (!a->model || !a->out) {
        cli_error(CMD, "%s is required (see simdnet report --help)",
                  !a->model ? "--model FILE" : "--out DIR");
        return CLI_BAD;
    }
    return CLI_PARSED;
}

/* Both splits from dir. Asked for by name (--data), a failure is an error;
 * from the default place, the report goes on without data and says so. */
static int load_data(const report_args *a, unsigned classes, sn_dataset *train,
                     sn_dataset *test)
{
    const char *dir = cli_data_dir(a->data);
    sn_error err;
    if (sn_dataset_load(train, dir, SN_SPLIT_TRAIN, classes, &err) == 0 &&
        sn_dataset_load(test, dir, SN_SPLIT_TEST, classes, &err) == 0)
        return 0;
    sn_dataset_free(train);
    if (a->data) {
        cli_error(CMD, "--data: %s", err.msg);
        return -1;
    }
    fprintf(stderr, "simdnet report: no data set (%s); the report leaves out "
                    "the samples, the confusion matrix and the mistakes "
                    "(pass --data DIR)\n", err.msg);
    return 1;
}

int cmd_report(int argc, char **argv)
{
    report_args a;
    const int parsed = parse_args(argc, argv, &a);
    if (parsed != CLI_PARSED)
        return cli_options_exit(parsed);
    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, a.isa, &kernels) != 0)
        return EXIT_USAGE;

    sn_error err;
    sn_net net;
    if (sn_model_load(&net, a.model, &err) != 0) {
        cli_error(CMD, "--model: %s", err.msg);
        return EXIT_FAIL;
    }
    /* Fail on a folder that cannot be written before any slow work. */
    if (cli_report_check_dir(CMD, a.out) != 0) {
        sn_net_free(&net);
        return EXIT_FAIL;
    }
    int rc = EXIT_FAIL;
    float *costs = NULL;
    double *acc = NULL;
    size_t epochs = 0, nbatches = 0, nacc = 0;
    sn_dataset train = {0}, test = {0};
    sn_eval_result res = {0};
    if (a.costs && sn_costs_read(a.costs, &costs, &epochs, &nbatches, &err)) {
        cli_error(CMD, "--costs: %s", err.msg);
        goto out;
    }
    if (a.accuracy && sn_accuracy_read(a.accuracy, &acc, &nacc, &err)) {
        cli_error(CMD, "--accuracy: %s", err.msg);
        goto out;
    }
    if (acc && costs && nacc != epochs) {
        cli_error(CMD, "--accuracy %s has %zu epochs, --costs %s has %zu",
                  a.accuracy, nacc, a.costs, epochs);
        goto out;
    }
    if (acc && !costs)
        epochs = nacc;
    const int no_data = load_data(&a, (unsigned)net.sizes[net.nlayers],
                                  &train, &test);
    if (no_data < 0)
        goto out;
    if (!no_data && test.input_size != net.sizes[0]) {
        cli_error(CMD, "the data in %s has %zu inputs per sample, the model's "
                       "first layer %zu", cli_data_dir(a.data),
                  test.input_size, net.sizes[0]);
        goto out;
    }
    if (!no_data && (size_t)a.sample >= test.count) {
        cli_error(CMD, "--sample %ld: the test set has %zu samples", a.sample,
                  test.count);
        rc = EXIT_USAGE;
        goto out;
    }
    /* Without per-epoch accuracies, the curve still shows the final one. */
    if (costs && !acc && !no_data) {
        acc = malloc(epochs * sizeof *acc);
        if (!acc ||
            sn_evaluate(&net, kernels, &test, (int)a.threads, &res, &err)) {
            cli_error(CMD, "%s", acc ? err.msg : "out of memory");
            goto out;
        }
        for (size_t e = 0; e < epochs; e++)
            acc[e] = e + 1 == epochs ? res.accuracy : NAN;
    }

    sn_report_kv config[4];
    size_t nconfig = 0;
    config[nconfig++] = (sn_report_kv){"model", a.model};
    if (!no_data)
        config[nconfig++] = (sn_report_kv){"data", cli_data_dir(a.data)};
    if (a.costs)
        config[nconfig++] = (sn_report_kv){"costs", a.costs};
    if (a.accuracy)
        config[nconfig++] = (sn_report_kv){"accuracy", a.accuracy};
    const sn_report_input in = {
        .title = a.title,
        .net = &net,
        .kernels = kernels,
        .threads = (int)a.threads,
        .costs = costs,
        .epochs = epochs,
        .nbatches = nbatches,
        .accuracy = acc,
        .train = no_data ? NULL : &train,
        .test = no_data ? NULL : &test,
        .sample = (size_t)a.sample,
        .seed = a.seed,
        .bench = a.bench,
        .nbench = a.nbench,
        .config = config,
        .nconfig = nconfig,
    };
    size_t files;
    if (sn_report_write(&in, a.out, &files, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    printf("report    %s/index.html (%zu files)\n", a.out, files);
    rc = 0;
out:
    sn_eval_free(&res);
    free(costs);
    free(acc);
    sn_dataset_free(&train);
    sn_dataset_free(&test);
    sn_net_free(&net);
    return rc;
}

/* ------------------------------------------------------------ train --report */

int cli_report_check_dir(const char *cmd, const char *dir)
{
    sn_error err;
    if (sn_report_prepare_dir(dir, &err) == 0)
        return 0;
    cli_error(cmd, "--%s: %s", !strcmp(cmd, "train") ? "report" : "out",
              err.msg);
    return -1;
}

double *cli_report_log_alloc(size_t epochs)
{
    double *log = malloc(2 * epochs * sizeof *log);
    for (size_t i = 0; log && i < 2 * epochs; i++)
        log[i] = NAN;
    return log;
}

int cli_train_report(const char *dir, const cli_train_run *run)
{
    sn_error err;
    /* The model beside its pictures, for simdnet predict and for drawing
     * the report again. */
    const size_t len = strlen(dir) + 16;
    char *model = malloc(len);
    if (!model) {
        cli_error("train", "--report: out of memory");
        return -1;
    }
    snprintf(model, len, "%s/trained.model", dir);
    if (sn_model_save(run->net, model, &err) != 0) {
        cli_error("train", "--report: %s", err.msg);
        free(model);
        return -1;
    }
    free(model);

    char init[64], training[320], compute[128], speed[96];
    if (run->init)
        snprintf(init, sizeof init, "from %.55s", run->init);
    else if (!strcmp(run->scheme, "uniform"))
        snprintf(init, sizeof init, "uniform [-1, 1), seed %llu", run->seed);
    else
        snprintf(init, sizeof init, "%s, seed %llu", run->scheme, run->seed);
    snprintf(training, sizeof training, "%s, %s, batch %zu, %zu epochs, %s",
             run->optimizer, run->schedule, run->batch, run->epochs,
             run->shuffle ? "shuffled" : "file order");
    snprintf(compute, sizeof compute, "%s kernels, %d threads, %s engine%s",
             sn_isa_name(sn_kernels_isa(run->kernels)), run->threads,
             run->engine, run->dense ? " (dense input)" : "");
    /* Training time of the epochs this process ran (not those before a
     * --resume). */
    double secs = 0.0;
    size_t timed = 0;
    for (size_t e = 0; e < run->epochs; e++)
        if (isfinite(run->seconds[e])) {
            secs += run->seconds[e];
            timed++;
        }
    char rate[32];
    cli_format_si(secs > 0 ? (double)(run->train->count * timed) / secs : 0.0,
                  rate, sizeof rate);
    snprintf(speed, sizeof speed, "%.3f s (%.3f s per epoch, %s samples/s)",
             secs, timed ? secs / (double)timed : 0.0, rate);
    const sn_report_kv config[] = {
        {"data", run->data_dir},
        {"initialisation", init},
        {"training", training},
        {"compute", compute},
        {"cpu", sn_cpu_model()},
    };
    const sn_report_kv results[] = {{"training time", speed}};
    static const char *const links[] = {"trained.model"};
    const sn_report_input in = {
        .net = run->net,
        .kernels = run->kernels,
        .threads = run->threads,
        .costs = run->costs,
        .epochs = run->epochs,
        .nbatches = run->nbatches,
        .accuracy = run->accuracy,
        .train = run->train,
        .test = run->test,
        .seed = run->seed,
        .config = config,
        .nconfig = sizeof config / sizeof config[0],
        .results = results,
        .nresults = 1,
        .links = links,
        .nlinks = 1,
    };
    size_t files;
    if (sn_report_write(&in, dir, &files, &err) != 0) {
        cli_error("train", "--report: %s", err.msg);
        return -1;
    }
    printf("report    %s/index.html (%zu files and trained.model)\n", dir,
           files);
    return 0;
}
