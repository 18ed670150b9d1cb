/* train_outputs.c - what `simdnet train` writes besides its text:
 * checkpoints during the run, and at its end (or early stop) the costs
 * CSV, the model, the report and the JSON records (train.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "cmd_report.h"
#include "dist_cli.h"
#include "train.h"

static const char *const CMD = "train";

int train_save_checkpoint(train_run *r, size_t epoch, size_t done)
{
    if (!r->a.checkpoint) /* a rank > 0 under mpirun: rank 0 writes it */
        return 0;
    if (done == r->nbatches) {
        epoch++;
        done = 0;
    }
    sn_run_state *run = &r->run;
    run->epoch = epoch;
    run->batches_done = done;
    run->ncosts = run->costs ? epoch * r->nbatches + done : 0;
    sn_error err;
    if (sn_checkpoint_save(r->trainer, run, r->a.checkpoint, &err) != 0) {
        cli_error(CMD, "--checkpoint: %s", err.msg);
        return -1;
    }
    return 0;
}

/* Writes the first n per-batch costs as CSV through a temporary file and a
 * rename, so a failed run never leaves half a file under the final name. */
static int write_costs(const train_run *r, size_t n)
{
    sn_error err;
    sn_atomic_file af;
    if (sn_atomic_open(&af, r->a.costs, &err) == 0) {
        fputs("epoch,batch,cost\n", af.f);
        for (size_t i = 0; i < n; i++)
            fprintf(af.f, "%zu,%zu,%.9g\n", i / r->nbatches + 1,
                    i % r->nbatches + 1, (double)r->costs[i]);
        if (sn_atomic_commit(&af, &err) == 0)
            return 0;
    }
    cli_error(CMD, "--costs %s", err.msg);
    return -1;
}

/* ------------------------------------------------------------ JSON lines */

void train_json_epoch(train_run *r, double cost, size_t first_batch,
                      double seconds, double rate)
{
    if (!r->a.json)
        return;
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "record", "epoch");
    cJSON_AddNumberToObject(rec, "epoch", (double)(r->epoch + 1));
    cJSON_AddNumberToObject(rec, "epochs", (double)r->a.epochs);
    cJSON_AddNumberToObject(rec, "cost", cost);
    cJSON_AddNumberToObject(rec, "first_batch", (double)first_batch);
    cJSON_AddNumberToObject(rec, "batches", (double)r->nbatches);
    cJSON_AddNumberToObject(rec, "test_accuracy", r->res.accuracy);
    cJSON_AddNumberToObject(rec, "seconds", seconds);
    cJSON_AddNumberToObject(rec, "samples_per_s", rate);
    cli_json_put(&r->json, rec, 1);
}

/* The outputs that could not be written, by flag. */
typedef struct failed_outputs {
    const char *flag[8];
    size_t n;
} failed_outputs;

static void note_failed(failed_outputs *f, const char *flag)
{
    if (f->n < sizeof f->flag / sizeof *f->flag)
        f->flag[f->n++] = flag;
}

/* The last record: how the run ended, what it was, what it wrote. */
static void json_final(train_run *r, const char *status,
                       const failed_outputs *failed)
{
    if (!r->a.json)
        return;
    const train_args *a = &r->a;
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "record", "final");
    cJSON_AddStringToObject(rec, "status", status);
    /* Where the run ended; after the last epoch, at its end. */
    const int ended = r->epoch >= (size_t)a->epochs;
    cJSON_AddNumberToObject(rec, "epoch",
                            (double)(ended ? r->epoch : r->epoch + 1));
    cJSON_AddNumberToObject(rec, "batches_done",
                            (double)(ended ? r->nbatches : r->done));
    if (r->evaluated)
        cJSON_AddNumberToObject(rec, "test_accuracy", r->res.accuracy);
    else
        cJSON_AddNullToObject(rec, "test_accuracy");
    cli_json_add_sizes(rec, "layers", r->net.sizes, r->net.nlayers + 1);
    cJSON_AddNumberToObject(rec, "parameters", (double)r->net.nparams);
    cli_json_add_u64(rec, "seed", a->seed);
    cli_recipe_json(rec, &r->net, &r->cfg,
                    a->resume ? a->resume
                    : a->rc.init_file ? a->rc.init_file
                                      : sn_init_name(a->rc.init));
    cJSON_AddNumberToObject(rec, "batch", (double)a->batch);
    cJSON_AddNumberToObject(rec, "epochs", (double)a->epochs);
    cJSON_AddBoolToObject(rec, "shuffle", a->shuffle);
    cJSON_AddStringToObject(rec, "isa", sn_isa_name(sn_kernels_isa(r->kernels)));
    cJSON_AddNumberToObject(rec, "threads", sn_trainer_threads(r->trainer));
    cJSON_AddStringToObject(rec, "engine", sn_trainer_engine(r->trainer));
    cJSON_AddBoolToObject(rec, "dense", a->dense);
    cJSON *f = cJSON_AddArrayToObject(rec, "failed");
    for (size_t i = 0; f && i < failed->n; i++)
        cJSON_AddItemToArray(f, cJSON_CreateString(failed->flag[i]));
    cli_json_put(&r->json, rec, 1);
}

/* The JSON file last, so its final record lists what failed; then one
 * line naming every output that failed. Returns whether any did. */
static int close_outputs(train_run *r, const char *status,
                         failed_outputs *failed)
{
    json_final(r, status, failed);
    if (cli_json_close(CMD, &r->json) != 0)
        note_failed(failed, "--json");
    if (failed->n == 0)
        return 0;
    char names[160] = "";
    for (size_t i = 0, used = 0; i < failed->n && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                 i == 0 ? "" : i + 1 < failed->n ? ", "
                                                                 : " and ",
                                 failed->flag[i]);
    cli_error(CMD, "not written: %s (see above)", names);
    return 1;
}

/* ------------------------------------------------------------ the end */

int train_stop(train_run *r)
{
    /* Interrupted, or a non-finite cost: the weights are those after `done`
     * batches of epoch r->epoch. Save what was asked for, say so, and fail. */
    const train_args *a = &r->a;
    const int sig = cli_interrupt_signal();
    if (sig)
        cli_error(CMD, "interrupted by %s at epoch %zu after batch %zu of %zu",
                  sig == SIGINT ? "SIGINT" : "SIGTERM", r->epoch + 1, r->done,
                  r->nbatches);
    else
        cli_error(CMD, "%s", r->err.msg);
    failed_outputs failed = {0};
    int saved = 0;
    if (a->checkpoint) {
        if (train_save_checkpoint(r, r->epoch, r->done) == 0) {
            fprintf(stderr, "  checkpoint written to %s: go on with "
                            "--resume %s\n", a->checkpoint, a->checkpoint);
            saved = 1;
        } else {
            note_failed(&failed, "--checkpoint");
        }
    }
    const size_t ncosts = r->epoch * r->nbatches + r->done;
    if (a->costs) {
        if (write_costs(r, ncosts) == 0) {
            fprintf(stderr, "  costs of the %zu batch%s done written to %s\n",
                    ncosts, ncosts == 1 ? "" : "es", a->costs);
            saved = 1;
        } else {
            note_failed(&failed, "--costs");
        }
    }
    if (a->save) {
        sn_error err;
        if (sn_model_save(&r->net, a->save, &err) == 0) {
            fprintf(stderr, "  the weights so far (not a finished "
                            "training) saved to %s\n", a->save);
            saved = 1;
        } else {
            cli_error(CMD, "--save: %s", err.msg);
            note_failed(&failed, "--save");
        }
    }
    if (!saved)
        fprintf(stderr, "  nothing was saved (--checkpoint FILE keeps "
                        "the state to resume from)\n");
    close_outputs(r, sig ? "interrupted" : "stopped", &failed);
    return sig ? 128 + sig : EXIT_FAIL;
}

/* train --report DIR: the run as cmd_report.c draws it. */
static int write_report(train_run *r)
{
    const train_args *a = &r->a;
    const int no_costs = a->resume && !r->ck.run.ncosts &&
                         (r->start_epoch || r->start_batch);
    char opt[160], schedule[80];
    cli_describe_optimizer(&r->cfg, opt, sizeof opt);
    cli_describe_schedule(&r->cfg, schedule, sizeof schedule);
    const cli_train_run report_run = {
        .data_dir = r->dir, .net = &r->net, .kernels = r->kernels,
        .threads = sn_trainer_threads(r->trainer), .train = &r->train,
        .test = &r->test, .epochs = (size_t)a->epochs,
        .nbatches = r->nbatches,
        /* a resumed run whose checkpoint kept no costs has no curve */
        .costs = no_costs ? NULL : r->costs,
        .accuracy = r->report_log, .seconds = r->report_log + a->epochs,
        .init = a->resume ? a->resume : a->rc.init_file,
        .scheme = sn_init_name(a->rc.init), .seed = a->seed,
        .optimizer = opt, .schedule = schedule,
        .batch = (size_t)a->batch, .shuffle = a->shuffle,
        .engine = sn_trainer_engine(r->trainer), .dense = a->dense,
    };
    return cli_train_report(a->report, &report_run);
}

int train_finish(train_run *r)
{
    const train_args *a = &r->a;
    sn_error err;
    /* The training is done: a signal now lets the files being written
     * finish (each is atomic), then ends the run with its status. */
    cli_interrupt_note("finishing the files being written, then exiting");
    if (!r->evaluated) {
        if (cli_dist_evaluate(&r->net, r->kernels, &r->test,
                              r->cfg.threads, &r->res, &err) != 0) {
            cli_error(CMD, "%s", err.msg);
            return EXIT_FAIL;
        }
        r->evaluated = 1;
    }
    fprintf(r->out, "final test accuracy: %.2f%%\n", 100.0 * r->res.accuracy);
    fflush(r->out);

    failed_outputs failed = {0};
    if (a->costs &&
        write_costs(r, (size_t)a->epochs * r->nbatches) != 0)
        note_failed(&failed, "--costs");
    if (a->save) {
        if (sn_model_save(&r->net, a->save, &err) == 0) {
            fprintf(r->out, "saved     %s\n", a->save);
        } else {
            cli_error(CMD, "--save: %s", err.msg);
            note_failed(&failed, "--save");
        }
    }
    if (a->report && write_report(r) != 0)
        note_failed(&failed, "--report");
    fflush(r->out);
    const int sig = cli_interrupt_signal();
    const int bad = close_outputs(r, sig ? "interrupted" : "finished",
                                  &failed);
    if (sig) {
        cli_error(CMD, "interrupted by %s after the training; the files "
                       "asked for were %s", sig == SIGINT ? "SIGINT"
                                                          : "SIGTERM",
                  bad ? "written but for those named above"
                      : "all written first");
        return 128 + sig;
    }
    return bad ? EXIT_FAIL : 0;
}
