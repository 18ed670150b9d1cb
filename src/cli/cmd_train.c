/* cmd_train.c - `simdnet train`: the tutorial's training run, fast. Read
 * cmd_train() at the bottom first: set up (train_setup.c), resume, run the
 * epochs, then stop or finish (train_outputs.c). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_report.h"
#include "dist_cli.h"
#include "options.h"
#include "outputs.h"
#include "train.h"

static const char *const CMD = "train";

/* After every batch: the progress bar, then whether to stop the epoch
 * there, for a signal or for a checkpoint (the weights are in the engine's
 * working layout inside a call: a checkpoint is written between calls). */
static int on_batch(void *user, size_t epoch, size_t batch, size_t nbatches,
                    float cost)
{
    (void)epoch;
    progress_ctx *ctx = user;
    cli_progress_update(&ctx->bar, batch, nbatches, cost);
    if (cli_interrupt_signal())
        return 1;
    if (ctx->checkpoint_every > 0 && batch < nbatches &&
        batch % (size_t)ctx->checkpoint_every == 0) {
        ctx->checkpoint_due = 1;
        return 1;
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
    cli_recipe_config(&a->rc, a->epochs, cfg);
    if (a->threads == 0)
        cli_topology_note();
    cfg->threads = a->threads > 0 ? (int)a->threads : sn_default_threads();
    /* OpenMP runs no more than OMP_THREAD_LIMIT threads: ask for no more,
     * so that what is printed and checkpointed is what runs. */
    const int limit = omp_get_thread_limit();
    if (limit > 0 && cfg->threads > limit) {
        if (a->threads > 0)
            fprintf(stderr, "simdnet train: --threads %ld: OpenMP allows %d "
                            "(OMP_THREAD_LIMIT), so %d run%s\n", a->threads,
                    limit, limit, limit == 1 ? "s" : "");
        cfg->threads = limit;
    }
    cfg->shuffle = a->shuffle;
    cfg->shuffle_seed = a->seed;
    cfg->kernels = r->kernels;
    cfg->engine = a->engine;
    cfg->dense_input = a->dense;
    cfg->keep_subnormals = a->keep_subnormals;
    cfg->first_layer = a->first_layer;
    cfg->thread_split = a->thread_split;
    cfg->progress = on_batch;
    cfg->progress_user = &r->progress;
    cfg->collective = cli_dist_collective();
    sn_error err;
    if (sn_trainer_create(&r->trainer, &r->net, cfg, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        return EXIT_FAIL;
    }
    /* Listing every sample's nonzero pixels once costs about two epochs'
     * listing (two passes): from a third epoch on, less than listing them
     * at every visit. */
    if (a->epochs >= 3 &&
        sn_trainer_keep_pixel_lists(r->trainer, &r->train, &err) != 0) {
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
    /* Every output that cannot be written fails now, not after training. */
    if (a->report && cli_report_check_dir(CMD, a->report) != 0)
        return EXIT_FAIL;
    if (a->report) {
        const size_t size = strlen(a->report) + sizeof "/trained.model";
        r->report_model = malloc(size);
        if (!r->report_model) {
            cli_error(CMD, "out of memory");
            return EXIT_FAIL;
        }
        snprintf(r->report_model, size, "%s/trained.model", a->report);
    }
    /* --json - is no file; --json FILE is checked with the others and
     * opened by cli_json_open, which gets the path the check settled on. */
    const int json_to_file = a->json && strcmp(a->json, "-") != 0;
    r->json_file = json_to_file ? a->json : NULL;
    r->report_file = r->report_model;
    const cli_output outputs[] = {
        {"--save", &a->save, NULL},       {"--costs", &a->costs, NULL},
        {"--checkpoint", &a->checkpoint, NULL},
        {"--json", &r->json_file, NULL},  {"--report", &r->report_file, NULL},
    };
    memcpy(r->outputs, outputs, sizeof outputs);
    int rc = cli_outputs_check(CMD, r->outputs, 5);
    if (rc != 0)
        return rc;
    if (cli_json_open(CMD, &r->json, json_to_file ? r->json_file : a->json))
        return EXIT_FAIL;
    r->out = cli_json_text(&r->json);
    if (a->resume && (rc = train_load_resume(a, &r->ck)) != 0)
        return rc;
    if (cli_select_kernels(CMD, a->isa, &r->kernels) != 0)
        return EXIT_USAGE;
    if ((rc = train_make_net(a, &r->ck, &r->net)) != 0)
        return rc;
    r->dir = cli_data_dir(a->data);
    const double load_start = cli_now();
    if ((rc = train_load_data(r)) != 0)
        return rc;
    r->load_seconds = cli_now() - load_start;
    if ((rc = make_trainer(r, binding, len)) != 0)
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
    char layers[160], kind[200], init[64], opt[160], schedule[80];
    sn_format_layers(&r->net, layers, sizeof layers);
    cli_describe_kind(&r->net, kind, sizeof kind);
    cli_describe_optimizer(&r->cfg, opt, sizeof opt);
    cli_describe_schedule(&r->cfg, schedule, sizeof schedule);
    snprintf(init, sizeof init, "%s init", sn_init_name(a->rc.init));
    fprintf(out, "data      %s: %zu training samples of %zux%zu and %zu "
                 "test samples of %zux%zu\n", r->dir, r->train.count,
            r->train.rows, r->train.cols, r->test.count, r->test.rows,
            r->test.cols);
    fprintf(out, "data      loaded in %.0f ms\n", 1e3 * r->load_seconds);
    fprintf(out, "network   %s, %zu parameters, %s, %s\n", layers,
            r->net.nparams, kind,
            a->resume ? a->resume : a->rc.init_file ? a->rc.init_file : init);
    if (!a->rc.init_file)
        fprintf(out, "seed      %llu\n", a->seed);
    fprintf(out, "training  %s, %s, batch %ld, %ld epoch%s, %s\n", opt,
            schedule, a->batch, a->epochs, a->epochs == 1 ? "" : "s",
            a->shuffle ? "shuffled" : "file order");
    fprintf(out, "compute   %s kernels, %d thread%s, %s engine%s%s%s\n",
            sn_isa_name(sn_kernels_isa(r->kernels)), threads,
            threads == 1 ? "" : "s",
            sn_trainer_engine(r->trainer), a->dense ? " (dense input)" : "",
            sn_trainer_thread_split(r->trainer) == SN_THREAD_SPLIT_COLUMNS
                ? ", first layer split by columns"
                : "",
            r->cfg.keep_subnormals ? ", subnormals kept" : "");
    if (cli_dist_size() > 1)
        fprintf(out, "ranks     %d (MPI) x %d thread%s: the model of one "
                     "process of %d threads\n", cli_dist_size(), threads,
                threads == 1 ? "" : "s", cli_dist_size() * threads);
    if (a->bind)
        fprintf(out, "binding   %s\n", binding);
    if (a->resume) {
        const sn_checkpoint *ck = &r->ck;
        fprintf(out, "resume    %s: epoch %zu, after batch %zu of %zu\n",
                a->resume, r->start_epoch + 1, r->start_batch, r->nbatches);
        /* The checkpoint's threads are its workers, ranks x threads; its
         * paths are AUTO when it predates their record (version 2, which
         * flushed subnormals as this run does unless told). */
        const int workers = cli_dist_size() * threads;
        const sn_first_layer path = ck->cfg.first_layer;
        const sn_thread_split split = ck->cfg.thread_split;
        const int paths_differ =
            (path != SN_FIRST_LAYER_AUTO &&
             path != sn_trainer_first_layer(r->trainer)) ||
            (split != SN_THREAD_SPLIT_AUTO &&
             split != sn_trainer_thread_split(r->trainer));
        char paths[96] = "";
        if (path != SN_FIRST_LAYER_AUTO && r->cfg.engine == SN_ENGINE_SPARSE)
            snprintf(paths, sizeof paths, " (%s first layer, split by %s)",
                     sn_first_layer_name(path), sn_thread_split_name(split));
        const int subnormals_differ =
            !ck->cfg.keep_subnormals != !r->cfg.keep_subnormals;
        if (workers != ck->cfg.threads ||
            sn_kernels_isa(r->kernels) != ck->isa ||
            r->cfg.engine != ck->cfg.engine || paths_differ ||
            subnormals_differ)
            fprintf(out, "note      the checkpoint ran %s kernels, %d "
                         "thread%s%s, %s engine%s, subnormals %s: the result "
                         "will differ from an uninterrupted run in float "
                         "rounding\n",
                    sn_isa_name(ck->isa), ck->cfg.threads,
                    ck->cfg.threads == 1 ? "" : "s",
                    workers != threads ? " (ranks x threads)" : "",
                    sn_engine_name(ck->cfg.engine), paths,
                    ck->cfg.keep_subnormals ? "kept" : "flushed");
    }
    if (a->checkpoint) {
        fprintf(out, "checkpoint %s, every epoch", a->checkpoint);
        if (a->checkpoint_every)
            fprintf(out, " and every %ld batch%s", a->checkpoint_every,
                    a->checkpoint_every == 1 ? "" : "es");
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
        if (!r->progress.checkpoint_due || cli_dist_any(cli_interrupt_signal()))
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
    if (cli_dist_evaluate(&r->net, r->kernels, &r->test, r->cfg.threads,
                          &r->res, &err) != 0) {
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
        if (cli_dist_any(cli_interrupt_signal()))
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
    cli_outputs_free(r->outputs, sizeof r->outputs / sizeof *r->outputs);
    free(r->report_model);
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
    int rc = cli_dist_begin(CMD);
    if (rc != 0)
        return rc;
    const int parsed = train_parse_args(argc, argv, &r.a);
    if (parsed != CLI_PARSED)
        return cli_dist_end(cli_dist_agree(CMD, cli_options_exit(parsed)));
    /* Under mpirun, rank 0 alone writes files (dist_cli.h). */
    if (cli_dist_rank() > 0)
        r.a.save = r.a.costs = r.a.checkpoint = r.a.report = r.a.json = NULL;
    char binding[512] = "";
    rc = set_up(&r, binding, sizeof binding);
    if (rc == 0)
        rc = resume(&r);
    rc = cli_dist_agree(CMD, rc);
    if (rc == 0)
        rc = cli_dist_check_same(CMD, &r.train, &r.test, r.cfg.threads);
    if (rc == 0) {
        print_config(&r, binding);
        /* A checkpoint path that cannot be written fails now, not after an
         * epoch. */
        if (r.a.checkpoint &&
            train_save_checkpoint(&r, r.start_epoch, r.start_batch) != 0)
            rc = EXIT_FAIL;
        rc = cli_dist_agree(CMD, rc);
    }
    if (rc == 0) {
        cli_interrupt_install(CMD);
        const int ran = run_epochs(&r);
        /* Failed on this rank alone (a checkpoint not written): the other
         * ranks cannot go on without it. */
        if (ran < 0)
            cli_dist_fail_alone(EXIT_FAIL);
        rc = ran < 0 ? EXIT_FAIL : ran ? train_stop(&r) : train_finish(&r);
    }
    tear_down(&r);
    return cli_dist_end(rc);
}
