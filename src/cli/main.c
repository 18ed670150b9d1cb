/* main.c - `simdnet <command>`: dispatch to the commands. */
#include <errno.h>
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

/* The commands, by name. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"train", cmd_train},   {"eval", cmd_eval},     {"info", cmd_info},
    {"bench", cmd_bench},   {"report", cmd_report}, {"predict", cmd_predict},
};

/* Output that never reached its destination (a full disk, a closed pipe)
 * is a failure, not a success. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "simdnet: cannot write the output: %s\n",
                strerror(errno));
        return rc ? rc : EXIT_FAIL;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (!strcmp(cmd, commands[i].name))
            return finish_stdout(commands[i].run(argc - 1, argv + 1));
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return finish_stdout(0);
    }
    if (!strcmp(cmd, "--version")) {
        printf("simdnet %s\n", SN_VERSION_STRING);
        return finish_stdout(0);
    }
    fprintf(stderr, "simdnet: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
