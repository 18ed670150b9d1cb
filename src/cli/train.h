/*
 * train.h - `simdnet train`, in three files: train_setup.c reads the
 * command line, the checkpoint to resume, the network and the data;
 * cmd_train.c sets the run up and runs the epochs; train_outputs.c writes what the run was asked for (checkpoints, the
 * costs CSV, the model, the report, the JSON records) when it stops or
 * finishes.
 */
#ifndef SN_CLI_TRAIN_H
#define SN_CLI_TRAIN_H

#include "cli.h"
#include "json_out.h"
#include "outputs.h"
#include "recipe.h"

typedef struct train_args {
    const char *data, *layers, *isa, *save, *costs, *report, *json;
    const char *checkpoint, *resume;
    cli_recipe rc;  /* the network's kind, --init, the optimizer, --preset */
    sn_engine_kind engine;
    sn_first_layer first_layer;
    sn_thread_split thread_split;
    long epochs, batch, threads, checkpoint_every;
    unsigned long long seed;
    int dense, shuffle, bind, trap_fp, keep_subnormals;
    unsigned given; /* GIVEN_*: settings the command line named */
} train_args;

/* On --resume, the settings not named on the command line come from the
 * checkpoint (the recipe's bits are recipe.h's). */
enum { GIVEN_EPOCHS = 1, GIVEN_BATCH = 2, GIVEN_LAYERS = 4, GIVEN_SEED = 16,
       GIVEN_ENGINE = 32, GIVEN_FIRST_LAYER = 64, GIVEN_THREAD_SPLIT = 128 };

typedef struct progress_ctx {
    cli_progress bar;
    long checkpoint_every;  /* --checkpoint-every, 0 if not given */
    int checkpoint_due;     /* on_batch stopped the epoch for a checkpoint */
} progress_ctx;

/* Everything a run holds, from set-up to the end. */
typedef struct train_run {
    train_args a;
    FILE *out;                 /* the human text: stdout, or stderr when
                                  the JSON records go to stdout */
    const char *dir;           /* the data folder */
    sn_checkpoint ck;          /* --resume */
    const sn_kernels *kernels;
    sn_net net;
    sn_dataset train, test;
    double load_seconds;       /* reading both sets, for the data line */
    sn_train_config cfg;
    sn_trainer *trainer;
    progress_ctx progress;
    size_t nbatches;           /* per epoch */
    size_t start_epoch, start_batch; /* where this process began */
    size_t epoch, done;        /* now: `done` batches of epoch `epoch` */
    float *costs;              /* every batch's cost (--costs, --report) */
    float *epoch_costs;        /* this epoch's batch costs */
    double *report_log;        /* --report: accuracy, then seconds, per epoch */
    sn_run_state run;          /* for checkpoints */
    sn_eval_result res;        /* the last evaluation of the test set */
    int evaluated;
    sn_error err;              /* why the epochs stopped early */
    cli_json json;             /* --json */
    cli_output outputs[5];     /* the files asked for, checked up front */
    char *report_model;        /* --report's DIR/trained.model */
    const char *report_file;   /*   the same, as outputs[] points to it */
    const char *json_file;     /* --json unless "-" */
} train_run;

/* train_setup.c. Each prints its error and returns the exit status (0 on
 * success); train_parse_args returns a CLI_* parse result (options.h). */
int train_parse_args(int argc, char **argv, train_args *a);
/* --resume: the checkpoint's settings become the defaults of the flags
 * not given; what the library cannot check is checked here. */
int train_load_resume(train_args *a, sn_checkpoint *ck);
/* From --init, or fresh from --layers and --seed, or --resume's shape. */
int train_make_net(const train_args *a, const sn_checkpoint *ck,
                   sn_net *net);
/* Both data sets, checked against the network before any training. */
int train_load_data(train_run *r);

/* Writes the checkpoint of the position after `done` batches of epoch
 * `epoch` (an epoch's last batch makes it the next epoch's start). */
int train_save_checkpoint(train_run *r, size_t epoch, size_t done);

/* The JSON record of an epoch (JSON lines; README lists the fields). */
void train_json_epoch(train_run *r, double cost, size_t first_batch,
                      double seconds, double rate);

/* The run stopped early (a signal, a non-finite cost): saves what was
 * asked for as of that batch, says so, returns the exit status. */
int train_stop(train_run *r);

/* The run finished: the final accuracy and every output asked for; one
 * that fails does not keep the others from being written. Returns the
 * exit status. */
int train_finish(train_run *r);

#endif
