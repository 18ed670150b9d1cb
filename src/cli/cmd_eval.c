/* cmd_eval.c - `simdnet eval`: accuracy, cost and confusion of a model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const CMD = "eval";

static void eval_usage(FILE *out)
{
    fputs("usage: simdnet eval --model FILE [options]\n"
          "\n"
          "Evaluates a saved model: accuracy, mean L2 cost, confusion matrix.\n"
          "\n"
          "  --model FILE       the model (from simdnet train --save)\n"
          "  --data DIR         MNIST folder (default $SIMDNET_DATA, else ./data/mnist)\n"
          "  --split NAME       test (default) or train\n"
          "  --threads N        OpenMP threads\n"
          "  --isa NAME         kernel set: scalar, avx2, avx512, neon\n"
          "  -h, --help         this help\n",
          out);
}

static void print_confusion(const sn_eval_result *r)
{
    printf("confusion matrix (rows: true class, columns: predicted)\n      ");
    for (size_t p = 0; p < r->classes; p++)
        printf(" %6zu", p);
    printf("\n");
    for (size_t t = 0; t < r->classes; t++) {
        printf("%6zu", t);
        for (size_t p = 0; p < r->classes; p++)
            printf(" %6zu", r->confusion[t * r->classes + p]);
        printf("\n");
    }
}

int cmd_eval(int argc, char **argv)
{
    enum { O_MODEL = 256, O_DATA, O_SPLIT, O_THREADS, O_ISA };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL},
        {"data", required_argument, 0, O_DATA},
        {"split", required_argument, 0, O_SPLIT},
        {"threads", required_argument, 0, O_THREADS},
        {"isa", required_argument, 0, O_ISA},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *model = NULL, *data = NULL, *isa = NULL;
    sn_split split = SN_SPLIT_TEST;
    long threads = 0;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_MODEL: model = optarg; break;
        case O_DATA: data = optarg; break;
        case O_ISA: isa = optarg; break;
        case O_SPLIT:
            if (!strcmp(optarg, "test"))
                split = SN_SPLIT_TEST;
            else if (!strcmp(optarg, "train"))
                split = SN_SPLIT_TRAIN;
            else {
                cli_error(CMD, "--split: expected test or train, got '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_THREADS:
            if (cli_parse_long(CMD, "--threads", optarg, 1, 1024, &threads))
                return EXIT_USAGE;
            break;
        case 'h': eval_usage(stdout); return 0;
        default:
            cli_bad_option(CMD, c, argv);
            return EXIT_USAGE;
        }
    }
    if (cli_no_operands(CMD, argc, argv) != 0)
        return EXIT_USAGE;
    if (!model) {
        cli_error(CMD, "--model FILE is required");
        return EXIT_USAGE;
    }
    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, isa, &kernels) != 0)
        return EXIT_USAGE;

    sn_error err;
    sn_net net;
    if (sn_model_load(&net, model, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return EXIT_FAIL;
    }
    const char *dir = cli_data_dir(data);
    sn_dataset ds = {0};
    sn_eval_result res = {0};
    int rc = EXIT_FAIL;
    if (cli_load_split(CMD, dir, split, (unsigned)net.sizes[net.nlayers], &ds) != 0)
        goto out;
    if (sn_evaluate(&net, kernels, &ds, (int)threads, &res, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    char layers[160];
    sn_format_layers(&net, layers, sizeof layers);
    printf("model     %s (%s)\n", model, layers);
    printf("data      %s, %s split, %zu samples\n", dir,
           split == SN_SPLIT_TEST ? "test" : "train", ds.count);
    printf("accuracy  %.2f%% (%zu of %zu)\n", 100.0 * res.accuracy,
           res.correct, res.count);
    printf("cost      %.4f (mean L2 cost per sample)\n", res.mean_cost);
    print_confusion(&res);
    rc = 0;
out:
    sn_eval_free(&res);
    sn_dataset_free(&ds);
    sn_net_free(&net);
    return rc;
}
