/* main.c - `simdnet <command>`: dispatch to the commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_report.h"

static void usage(FILE *out)
{
    fputs("usage: simdnet <command> [options]\n"
          "\n"
          "commands:\n"
          "  train   train a network on MNIST (or any IDX data set)\n"
          "  eval    evaluate a saved model: accuracy, cost, confusion matrix\n"
          "  info    CPU, SIMD kernels and threads this machine would use\n"
          "  bench   training throughput per kernel set and thread count\n"
          "  report  pictures of a model and its run: SVGs and an index.html\n"
          "  predict classify PNG or PGM images with a saved model\n"
          "\n"
          "`simdnet <command> --help` describes each command's options.\n"
          "Environment: SIMDNET_DATA (data folder), SIMDNET_ISA (kernel set).\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "train"))
        return cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval"))
        return cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench"))
        return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "predict"))
        return cmd_predict(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("simdnet %s\n", SN_VERSION_STRING);
        return 0;
    }
    fprintf(stderr, "simdnet: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
