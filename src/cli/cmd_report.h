/*
 * cmd_report.h - `simdnet report`, `simdnet predict`, and the report that
 * `simdnet train --report DIR` writes at the end of its run.
 */
#ifndef SN_CMD_REPORT_H
#define SN_CMD_REPORT_H

#include "simdnet.h"

int cmd_report(int argc, char **argv);
int cmd_predict(int argc, char **argv);

/* What a training run knows at its end, for its report. */
typedef struct cli_train_run {
    const char *data_dir;
    const sn_net *net;
    const sn_kernels *kernels;
    int threads;
    const sn_dataset *train, *test;
    const float *costs;        /* epochs * nbatches batch costs */
    size_t epochs, nbatches;
    const double *accuracy;    /* test accuracy after each epoch (0..1) */
    const double *seconds;     /* training time of each epoch (NAN: unknown) */
    /* the configuration, as train printed it */
    const char *init;          /* the --init model or --resume checkpoint */
    const char *scheme;        /* else the initialisation drawn: "he" */
    unsigned long long seed;
    const char *optimizer;     /* "adam lr 0.001 beta1 0.9 ..." */
    const char *schedule;      /* "constant lr" */
    size_t batch;
    int shuffle;
    const char *engine;
    int dense;
} cli_train_run;

/* Before training: creates the report folder and checks that it can be
 * written, printing the error if not. */
int cli_report_check_dir(const char *cmd, const char *dir);

/* 2 * epochs doubles, all NAN: train's per-epoch log for its report (test
 * accuracy of epoch e at [e], its seconds at [epochs + e]; NAN where an
 * epoch did not run, e.g. before a --resume). Free with free(). */
double *cli_report_log_alloc(size_t epochs);

/* After training: the report in dir, and the trained model beside it
 * (dir/trained.model). Prints what it wrote, or the error. */
int cli_train_report(const char *dir, const cli_train_run *run);

#endif
