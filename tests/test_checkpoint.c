/* test_checkpoint.c - checkpoints: a run stopped at any batch and resumed
 * from its checkpoint ends bit-identical to an uninterrupted one; bad
 * checkpoint files and failed writes are refused without harm; a
 * non-finite cost stops training with the weights of the last good batch. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simdnet.h"
#include "test_support.h"

static const size_t sizes[] = {49, 12, 8, 4};
enum { NSIZES = 4, COUNT = 530, BATCH = 50, NB = 11 }; /* last batch: 30 */

static sn_dataset ds;
static char dir[64];

static void setup(void)
{
    cr_assert_eq(test_synthetic_dataset(&ds, COUNT, 49, 4, 21), 0);
    strcpy(dir, "/tmp/simdnet-ck.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    sn_dataset_free(&ds);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static const char *path_in(const char *name)
{
    static char buf[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Stops training after batch `batch` (from 1) of epoch `epoch` (from 0,
 * as sn_train_epoch counts; the callback counts it from 1). */
typedef struct stop_at {
    size_t epoch, batch;
} stop_at;

static int stop_cb(void *user, size_t epoch, size_t batch, size_t nbatches,
                   float cost)
{
    (void)nbatches;
    (void)cost;
    const stop_at *s = user;
    return epoch == s->epoch + 1 && batch == s->batch;
}

static sn_train_config config(int threads, sn_engine_kind engine, int shuffle,
                              const sn_kernels *k)
{
    sn_train_config cfg = test_train_config(threads, k, engine);
    cfg.batch = BATCH;
    cfg.shuffle = shuffle;
    cfg.shuffle_seed = 77;
    return cfg;
}

/* The network every run here starts from: sizes, unless a test says. */
static const size_t *net_sizes = sizes;
static size_t net_nsizes = NSIZES;

static void fresh_net(sn_net *net)
{
    sn_error err;
    cr_assert_eq(sn_net_create(net, net_sizes, net_nsizes, &err), 0, "%s",
                 err.msg);
    sn_net_init_uniform(net, 5);
}

/* Trains epochs [from_epoch, epochs), the first from batch from_batch. */
static void train_rest(sn_trainer *t, size_t from_epoch, size_t from_batch,
                       size_t epochs, float *costs)
{
    sn_error err;
    for (size_t e = from_epoch; e < epochs; e++) {
        size_t done;
        const size_t first = e == from_epoch ? from_batch : 0;
        cr_assert_eq(sn_train_epoch_from(t, &ds, e, first,
                                         costs ? costs + e * NB : NULL, NULL,
                                         &done, &err),
                     0, "epoch %zu from batch %zu: %s", e + 1, first + 1,
                     err.msg);
        cr_assert_eq(done, (size_t)NB);
    }
}

static sn_run_state run_state(size_t epochs, size_t epoch, size_t done,
                              float *costs)
{
    sn_run_state run = {
        .seed = 5,
        .epochs = epochs,
        .epoch = epoch,
        .batches_done = done,
        .data_count = ds.count,
        .data_inputs = ds.input_size,
        .data_crc = sn_dataset_crc(&ds),
        .costs = costs,
        .ncosts = costs ? epoch * NB + done : 0,
    };
    return run;
}

/* Room for the largest net here, 49-128-8-4's 7,468 parameters. */
enum { OPT_STATE_FLOATS = 8192 };

/* The optimizer's whole state: its arrays and step count. */
typedef struct opt_state {
    size_t n;
    float s[SN_MAX_STATES][OPT_STATE_FLOATS];
    uint64_t step;
} opt_state;

static void get_opt_state(const sn_trainer *t, const sn_net *net,
                          opt_state *st)
{
    cr_assert_leq(net->nparams, OPT_STATE_FLOATS, "a net too large for opt_state");
    st->n = sn_trainer_state_count(t);
    for (size_t k = 0; k < SN_MAX_STATES; k++)
        sn_trainer_get_state(t, k, st->s[k]);
    st->step = sn_trainer_step(t);
}

/* The reference: an uninterrupted run of `epochs` epochs. */
static void uninterrupted(sn_net *net, opt_state *st, float *costs,
                          sn_train_config cfg, size_t epochs)
{
    sn_error err;
    fresh_net(net);
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, net, &cfg, &err), 0, "%s", err.msg);
    train_rest(t, 0, 0, epochs, costs);
    get_opt_state(t, net, st);
    sn_trainer_free(t);
}

/* Stops after batch `batch` (1..NB) of epoch `epoch`, saves a checkpoint,
 * throws everything away, loads the checkpoint into a new trainer and
 * finishes. The weights, accumulators and costs must equal the
 * uninterrupted run's bit for bit. */
static void check_resume(sn_train_config cfg, size_t epochs, size_t epoch,
                         size_t batch)
{
    sn_error err;
    sn_net ref;
    static opt_state ref_state, state;
    float ref_costs[8 * NB];
    uninterrupted(&ref, &ref_state, ref_costs, cfg, epochs);

    /* The interrupted run. */
    sn_net net;
    fresh_net(&net);
    stop_at stop = {epoch, batch};
    sn_train_config c1 = cfg;
    c1.progress = stop_cb;
    c1.progress_user = &stop;
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &c1, &err), 0, "%s", err.msg);
    float costs[8 * NB];
    size_t done = 0;
    for (size_t e = 0; e <= epoch; e++) {
        int rc = sn_train_epoch_from(t, &ds, e, 0, costs + e * NB, NULL,
                                     &done, &err);
        cr_assert_eq(rc, e == epoch ? -1 : 0, "epoch %zu: %s", e + 1,
                     err.msg);
    }
    cr_assert_eq(done, batch);
    cr_assert(strstr(err.msg, "interrupted"), "%s", err.msg);
    const size_t pos_epoch = batch == NB ? epoch + 1 : epoch;
    const size_t pos_batch = batch == NB ? 0 : batch;
    sn_run_state run = run_state(epochs, pos_epoch, pos_batch, costs);
    const char *ck_path = path_in("run.ck");
    cr_assert_eq(sn_checkpoint_save(t, &run, ck_path, &err), 0, "%s",
                 err.msg);
    sn_trainer_free(t);
    sn_net_free(&net);

    /* A new process would start here. */
    sn_checkpoint ck;
    cr_assert_eq(sn_checkpoint_load(&ck, ck_path, &err), 0, "%s", err.msg);
    cr_assert_eq(ck.run.epoch, pos_epoch);
    cr_assert_eq(ck.run.batches_done, pos_batch);
    sn_train_config c2 = ck.cfg;
    c2.kernels = cfg.kernels;
    cr_assert_eq(sn_trainer_create(&t, &ck.net, &c2, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_checkpoint_resume(&ck, t, &ds, &err), 0, "%s", err.msg);
    float costs2[8 * NB];
    memcpy(costs2, ck.run.costs, ck.run.ncosts * sizeof(float));
    train_rest(t, pos_epoch, pos_batch, epochs, costs2);
    get_opt_state(t, &ck.net, &state);
    sn_trainer_free(t);

    char what[160];
    snprintf(what, sizeof what, "%s (wd %g), %s schedule, %s engine, %d "
             "threads, shuffle %d, stopped after epoch %zu batch %zu",
             sn_optimizer_name(cfg.optimizer), (double)cfg.weight_decay,
             sn_schedule_name(cfg.schedule), sn_engine_name(cfg.engine),
             cfg.threads, cfg.shuffle, epoch + 1, batch);
    cr_expect(memcmp(ck.net.params, ref.params, ref.nparams * sizeof(float)) ==
                  0,
              "%s: weights differ from the uninterrupted run", what);
    cr_expect_eq(state.n, ref_state.n, "%s", what);
    cr_expect_eq(state.step, ref_state.step, "%s: step count", what);
    cr_expect_eq(state.step, (uint64_t)epochs * NB, "%s", what);
    for (size_t k = 0; k < SN_MAX_STATES; k++)
        cr_expect(memcmp(state.s[k], ref_state.s[k],
                         ref.nparams * sizeof(float)) == 0,
                  "%s: optimizer state %zu differs", what, k);
    cr_expect(memcmp(costs2, ref_costs, epochs * NB * sizeof(float)) == 0,
              "batch costs differ");
    sn_checkpoint_free(&ck);
    sn_net_free(&ref);
}

TestSuite(checkpoint, .init = setup, .fini = teardown);

Test(checkpoint, resumed_runs_end_bit_identical)
{
    for (int engine = 0; engine <= 1; engine++)
        for (int threads = 1; threads <= 3; threads++)
            for (int shuffle = 0; shuffle <= 1; shuffle++) {
                sn_train_config cfg =
                    config(threads, (sn_engine_kind)engine, shuffle, NULL);
                check_resume(cfg, 3, 1, 4);  /* mid-epoch */
                check_resume(cfg, 3, 0, NB); /* at an epoch's end */
            }
}

/* Every optimizer (sgd with and without weight decay), each with the
 * constant, cosine and step schedules, both engines, 1 and 2 threads,
 * stopped mid-epoch and at an epoch's end. */
Test(checkpoint, resumed_runs_end_bit_identical_for_every_optimizer)
{
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAMW + 1; opt++)
        for (int sch = 0; sch <= SN_SCHEDULE_STEP; sch++)
            for (int engine = 0; engine <= 1; engine++)
                for (int threads = 1; threads <= 2; threads++) {
                    sn_train_config cfg = config(
                        threads, (sn_engine_kind)engine, threads == 2, NULL);
                    /* one past the last: sgd with weight decay */
                    const int o = opt > SN_OPT_ADAMW ? SN_OPT_SGD : opt;
                    sn_train_config_optimizer(&cfg, (sn_optimizer)o);
                    if (opt > SN_OPT_ADAMW)
                        cfg.weight_decay = 0.01f;
                    cfg.schedule = (sn_schedule)sch;
                    cfg.epochs = 2;
                    cfg.gamma = 0.5f;
                    check_resume(cfg, 2, 1, 4);
                    check_resume(cfg, 2, 0, NB);
                }
}

/* The sparse engine's columns split (W1's optimizer state kept by its
 * owners, the rows at rest read from a bitmap set in the samples phase),
 * every optimizer, mid-epoch and at an epoch's end. A first layer of 128
 * on 2 threads, which AUTO splits by columns; then the samples split and
 * the rows first layer forced there: the checkpoint records the paths that
 * ran, and the resumed trainer, built from its config, takes them again
 * instead of choosing AUTO's (other rounding, other bits). */
Test(checkpoint, the_columns_split_resumes_bit_identical_for_every_optimizer)
{
    static const size_t wide[] = {49, 128, 8, 4};
    net_sizes = wide;
    net_nsizes = 4;
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAMW + 1; opt++) {
        sn_train_config cfg = config(2, SN_ENGINE_SPARSE, 1, NULL);
        const int o = opt > SN_OPT_ADAMW ? SN_OPT_SGD : opt;
        sn_train_config_optimizer(&cfg, (sn_optimizer)o);
        if (opt > SN_OPT_ADAMW)
            cfg.weight_decay = 0.01f;
        cfg.epochs = 2;
        if (opt == SN_OPT_ADAGRAD) {
            sn_error err;
            sn_net net;
            fresh_net(&net);
            sn_trainer *t;
            cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s",
                         err.msg);
            cr_assert_eq(sn_trainer_thread_split(t), SN_THREAD_SPLIT_COLUMNS);
            sn_trainer_free(t);
            sn_net_free(&net);
        }
        check_resume(cfg, 2, 1, 4);
        check_resume(cfg, 2, 0, NB);
    }
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAM; opt += 5) {
        sn_train_config cfg = config(2, SN_ENGINE_SPARSE, 1, NULL);
        sn_train_config_optimizer(&cfg, (sn_optimizer)opt);
        cfg.epochs = 2;
        cfg.thread_split = SN_THREAD_SPLIT_SAMPLES;
        check_resume(cfg, 2, 1, 4);
        cfg.thread_split = SN_THREAD_SPLIT_AUTO;
        cfg.first_layer = SN_FIRST_LAYER_ROWS;
        check_resume(cfg, 2, 0, NB);
    }
    net_sizes = sizes;
    net_nsizes = NSIZES;
}

Test(checkpoint, resumed_runs_end_bit_identical_on_every_kernel_set)
{
    for (int isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *k = sn_kernels_for((sn_isa)isa);
        if (!k)
            continue;
        check_resume(config(2, SN_ENGINE_SPARSE, 1, k), 2, 0, 7);
        check_resume(config(2, SN_ENGINE_PER_SAMPLE, 0, k), 2, 1, 1);
    }
}

Test(checkpoint, every_stopping_point_of_an_epoch_resumes_exactly)
{
    for (size_t b = 1; b <= NB; b++)
        check_resume(config(2, SN_ENGINE_SPARSE, 1, NULL), 2, 0, b);
}

Test(checkpoint, round_trip_keeps_every_field)
{
    sn_error err;
    sn_net net;
    fresh_net(&net);
    sn_train_config cfg = config(2, SN_ENGINE_PER_SAMPLE, 1, NULL);
    cfg.optimizer = SN_OPT_SGD;
    cfg.lr = 0.375f;
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s", err.msg);
    float costs[3 * NB];
    train_rest(t, 0, 0, 1, costs);
    cr_assert_eq(sn_train_epoch_from(t, &ds, 1, 0, costs + NB, NULL, NULL,
                                     &err), 0);
    sn_run_state run = run_state(3, 2, 0, costs);
    run.seed = 123456789012345ULL;
    cr_assert_eq(sn_checkpoint_save(t, &run, path_in("a.ck"), &err), 0, "%s",
                 err.msg);
    sn_checkpoint ck;
    cr_assert_eq(sn_checkpoint_load(&ck, path_in("a.ck"), &err), 0, "%s",
                 err.msg);
    cr_expect_eq(ck.net.nlayers, 3);
    cr_expect_eq(ck.net.sizes[1], 12);
    cr_expect_eq(ck.cfg.batch, (size_t)BATCH);
    cr_expect_eq(ck.cfg.lr, 0.375f);
    cr_expect_eq(ck.cfg.eps, cfg.eps);
    cr_expect_eq(ck.cfg.optimizer, SN_OPT_SGD);
    cr_expect_eq(ck.cfg.shuffle, 1);
    cr_expect_eq(ck.cfg.shuffle_seed, 77);
    cr_expect_eq(ck.cfg.engine, SN_ENGINE_PER_SAMPLE);
    cr_expect_eq(ck.cfg.threads, 2);
    cr_expect_eq(ck.isa, sn_isa_best());
    cr_expect_eq(ck.run.seed, 123456789012345ULL);
    cr_expect_eq(ck.run.epochs, 3);
    cr_expect_eq(ck.run.epoch, 2);
    cr_expect_eq(ck.run.batches_done, 0);
    cr_expect_eq(ck.run.data_count, (size_t)COUNT);
    cr_expect_eq(ck.run.data_crc, sn_dataset_crc(&ds));
    cr_expect_eq(ck.run.ncosts, 2 * NB);
    cr_expect(memcmp(ck.run.costs, costs, 2 * NB * sizeof(float)) == 0);
    cr_expect(memcmp(ck.net.params, net.params,
                     net.nparams * sizeof(float)) == 0);
    cr_expect_eq(ck.nstates, 0); /* plain sgd keeps none */
    sn_checkpoint_free(&ck);
    cr_expect_null(ck.state[0]);
    sn_checkpoint_free(&ck); /* freeing twice is harmless */

    /* Without costs: ncosts 0. */
    run.costs = NULL;
    run.ncosts = 0;
    cr_assert_eq(sn_checkpoint_save(t, &run, path_in("b.ck"), &err), 0);
    cr_assert_eq(sn_checkpoint_load(&ck, path_in("b.ck"), &err), 0, "%s",
                 err.msg);
    cr_expect_eq(ck.run.ncosts, 0);
    cr_expect_null(ck.run.costs);
    sn_checkpoint_free(&ck);
    sn_trainer_free(t);
    sn_net_free(&net);
}

Test(checkpoint, resume_refuses_what_would_change_the_result)
{
    sn_error err;
    sn_net net;
    fresh_net(&net);
    sn_train_config cfg = config(1, SN_ENGINE_SPARSE, 1, NULL);
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0);
    train_rest(t, 0, 0, 1, NULL);
    sn_run_state run = run_state(2, 1, 0, NULL);
    cr_assert_eq(sn_checkpoint_save(t, &run, path_in("c.ck"), &err), 0);
    sn_trainer_free(t);
    sn_net_free(&net);

    sn_checkpoint ck;
    cr_assert_eq(sn_checkpoint_load(&ck, path_in("c.ck"), &err), 0);
    struct {
        const char *what, *needle;
        sn_train_config cfg;
    } cases[8];
    size_t n = 0;
    for (int i = 0; i < 6; i++) {
        cases[n].cfg = ck.cfg;
        cases[n].cfg.threads = 1;
        n++;
    }
    cases[0].what = "batch", cases[0].needle = "batch 50";
    cases[0].cfg.batch = 49;
    cases[1].what = "lr", cases[1].needle = "learning rate 0.1";
    cases[1].cfg.lr = 0.2f;
    cases[2].what = "optimizer", cases[2].needle = "adagrad";
    cases[2].cfg.optimizer = SN_OPT_SGD;
    cases[3].what = "shuffle", cases[3].needle = "keeps file order";
    cases[3].cfg.shuffle = 0;
    cases[4].what = "shuffle seed", cases[4].needle = "another seed";
    cases[4].cfg.shuffle_seed = 78;
    cases[5].what = "eps", cases[5].needle = "epsilon";
    cases[5].cfg.eps = 1e-7f;
    for (size_t i = 0; i < n; i++) {
        sn_net copy;
        cr_assert_eq(sn_net_create(&copy, sizes, NSIZES, NULL), 0);
        cr_assert_eq(sn_trainer_create(&t, &copy, &cases[i].cfg, &err), 0,
                     "%s: %s", cases[i].what, err.msg);
        cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), -1,
                     "%s accepted", cases[i].what);
        cr_expect(strstr(err.msg, cases[i].needle), "%s: %s", cases[i].what,
                  err.msg);
        sn_trainer_free(t);
        sn_net_free(&copy);
    }

    /* Other layers, other data, the same data with one pixel changed. */
    const size_t other[] = {49, 13, 8, 4};
    sn_net copy;
    cr_assert_eq(sn_net_create(&copy, other, NSIZES, NULL), 0);
    sn_train_config same = ck.cfg;
    cr_assert_eq(sn_trainer_create(&t, &copy, &same, &err), 0);
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), -1);
    cr_expect(strstr(err.msg, "49-12-8-4"), "%s", err.msg);
    sn_trainer_free(t);
    sn_net_free(&copy);

    cr_assert_eq(sn_trainer_create(&t, &ck.net, &same, &err), 0);
    sn_dataset fewer = ds;
    fewer.count = COUNT - 1;
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &fewer, &err), -1);
    cr_expect(strstr(err.msg, "530 samples"), "%s", err.msg);
    ds.pixels[1000] ^= 1;
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), -1);
    cr_expect(strstr(err.msg, "training data differs"), "%s", err.msg);
    ds.pixels[1000] ^= 1;
    /* Threads and engine may differ: rounding only. */
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), 0, "%s", err.msg);
    sn_trainer_free(t);
    sn_checkpoint_free(&ck);
}

/* Reads a whole file; the caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*len);
    cr_assert_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

static void spill(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(buf, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

/* A small checkpoint (1 epoch of 11 batches done of 3, costs kept) at
 * path, of a run with optimizer opt and schedule sch. */
static void small_checkpoint_of(const char *path, sn_optimizer opt,
                                sn_schedule sch)
{
    sn_error err;
    sn_net net;
    const size_t tiny[] = {49, 3, 4};
    cr_assert_eq(sn_net_create(&net, tiny, 3, NULL), 0);
    sn_net_init_uniform(&net, 1);
    sn_train_config cfg = config(1, SN_ENGINE_SPARSE, 0, NULL);
    sn_train_config_optimizer(&cfg, opt);
    cfg.schedule = sch;
    cfg.epochs = 3;
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0);
    float costs[NB + 2];
    train_rest(t, 0, 0, 1, costs);
    sn_run_state run = run_state(3, 1, 0, costs);
    cr_assert_eq(sn_checkpoint_save(t, &run, path, &err), 0, "%s", err.msg);
    sn_trainer_free(t);
    sn_net_free(&net);
}

static void small_checkpoint(const char *path)
{
    small_checkpoint_of(path, SN_OPT_ADAGRAD, SN_SCHEDULE_CONSTANT);
}

Test(checkpoint, every_truncation_and_every_flipped_byte_is_refused)
{
    const char *good = path_in("good.ck"), *bad = path_in("bad.ck");
    small_checkpoint(good);
    size_t len;
    unsigned char *bytes = slurp(good, &len);
    sn_checkpoint ck;
    sn_error err;
    for (size_t cut = 0; cut < len; cut++) {
        spill(bad, bytes, cut);
        cr_expect_eq(sn_checkpoint_load(&ck, bad, &err), -1,
                     "cut at %zu of %zu accepted", cut, len);
        cr_expect(strstr(err.msg, bad), "%s", err.msg);
        cr_expect_null(ck.net.params);
    }
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            bytes[i] ^= (unsigned char)(1u << bit);
            spill(bad, bytes, len);
            cr_expect_eq(sn_checkpoint_load(&ck, bad, &err), -1,
                         "bit %d of byte %zu flipped: accepted", bit, i);
            bytes[i] ^= (unsigned char)(1u << bit);
        }
    }
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, bytes, len);
    longer[len] = 0;
    spill(bad, longer, len + 1);
    cr_expect_eq(sn_checkpoint_load(&ck, bad, &err), -1);
    cr_expect(strstr(err.msg, "corrupt"), "%s", err.msg);
    free(longer);

    spill(bad, bytes, len);
    cr_expect_eq(sn_checkpoint_load(&ck, bad, &err), 0, "%s", err.msg);
    sn_checkpoint_free(&ck);
    free(bytes);

    cr_expect_eq(sn_checkpoint_load(&ck, dir, &err), -1);
    cr_expect(strstr(err.msg, "directory"), "%s", err.msg);
    cr_expect_eq(sn_checkpoint_load(&ck, path_in("missing.ck"), &err), -1);
    cr_expect(strstr(err.msg, "No such file"), "%s", err.msg);
    cr_expect_eq(sn_checkpoint_load(&ck, "", &err), -1);
}

Test(checkpoint, a_model_file_is_not_a_checkpoint)
{
    sn_error err;
    sn_net net;
    fresh_net(&net);
    cr_assert_eq(sn_model_save(&net, path_in("m.model"), &err), 0);
    sn_checkpoint ck;
    cr_expect_eq(sn_checkpoint_load(&ck, path_in("m.model"), &err), -1);
    cr_expect(strstr(err.msg, "not a simdnet checkpoint"), "%s", err.msg);
    sn_net_free(&net);
}

Test(checkpoint, loads_from_a_pipe)
{
    const char *good = path_in("pipe.ck");
    small_checkpoint(good);
    size_t len;
    unsigned char *bytes = slurp(good, &len);
    for (int cut = 0; cut <= 1; cut++) {
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        pid_t pid = fork();
        cr_assert_neq(pid, -1);
        if (pid == 0) {
            close(fds[0]);
            const size_t n = cut ? len - 10 : len;
            _exit(write(fds[1], bytes, n) == (ssize_t)n ? 0 : 1);
        }
        close(fds[1]);
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fds[0]);
        sn_checkpoint ck;
        sn_error err;
        int rc = sn_checkpoint_load(&ck, path, &err);
        if (cut) {
            cr_expect_eq(rc, -1);
            cr_expect(strstr(err.msg, "truncated"), "%s", err.msg);
        } else {
            cr_expect_eq(rc, 0, "%s", err.msg);
            cr_expect_eq(ck.run.epoch, 1);
        }
        sn_checkpoint_free(&ck);
        close(fds[0]);
        int status;
        waitpid(pid, &status, 0);
    }
    free(bytes);
}

Test(checkpoint, failed_writes_leave_the_previous_file_intact)
{
    const char *path = path_in("keep.ck");
    small_checkpoint(path);
    size_t len;
    unsigned char *before = slurp(path, &len);

    sn_error err;
    sn_net net;
    fresh_net(&net);
    sn_train_config cfg = config(1, SN_ENGINE_SPARSE, 0, NULL);
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0);
    sn_run_state run = run_state(3, 1, 0, NULL);

    /* A file size limit below the new checkpoint's size: the write fails
     * with EFBIG (SIGXFSZ ignored), as on a full disk. Criterion runs each
     * test in its own process, so the limit dies with it. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {.rlim_cur = 4096, .rlim_max = RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    cr_expect_eq(sn_checkpoint_save(t, &run, path, &err), -1);
    cr_expect(strstr(err.msg, "File too large"), "%s", err.msg);
    cr_expect(strstr(err.msg, "unchanged"), "%s", err.msg);
    lim.rlim_cur = RLIM_INFINITY;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    size_t len2;
    unsigned char *after = slurp(path, &len2);
    cr_expect(len2 == len && memcmp(before, after, len) == 0,
              "the previous checkpoint changed");
    free(after);

    /* No temporary file is left behind. */
    char cmd[160];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -q tmp", dir);
    cr_expect_neq(system(cmd), 0, "a temporary file was left in %s", dir);

    /* Missing folder; a path that is not a regular file (a FIFO of our own
     * stands in for /dev/null, which rename() would replace, as root). */
    cr_expect_eq(sn_checkpoint_save(t, &run, "/nonexistent/x.ck", &err), -1);
    cr_expect(strstr(err.msg, "/nonexistent/x.ck"), "%s", err.msg);
    const char *fifo = path_in("fifo");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_expect_eq(sn_checkpoint_save(t, &run, fifo, &err), -1);
    cr_expect(strstr(err.msg, "not a regular file"), "%s", err.msg);
    struct stat st;
    cr_expect(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");
    cr_expect_eq(sn_checkpoint_save(t, &run, dir, &err), -1);

    /* A position outside the run is a caller's bug, refused. */
    run.batches_done = NB;
    cr_expect_eq(sn_checkpoint_save(t, &run, path, &err), -1);
    cr_expect(strstr(err.msg, "position"), "%s", err.msg);
    free(before);
    sn_trainer_free(t);
    sn_net_free(&net);
}

/* ------------------------------------------------------------ numerical guard */

Test(checkpoint, a_non_finite_cost_stops_before_its_update)
{
    /* A NaN weight on a pixel that is zero in the first four batches: the
     * sparse engine never multiplies by a zero pixel, so the cost turns NaN
     * exactly at batch 5 of epoch 1 (samples 200-249). Training must stop
     * on that batch, name it, and leave the weights of batch 4. (A huge
     * learning rate does not get there: the sigmoids saturate, their
     * gradients become exactly 0 and the weights stop moving.) */
    const size_t pixel = 48;
    for (size_t i = 0; i < 200; i++)
        ds.pixels[i * ds.input_size + pixel] = 0;
    ds.pixels[230 * ds.input_size + pixel] = 200;
    sn_error err;
    sn_train_config cfg = config(2, SN_ENGINE_SPARSE, 0, NULL);
    sn_net net;
    fresh_net(&net);
    net.params[net.w_off[0] + 3 * ds.input_size + pixel] = NAN;
    sn_net ref;
    fresh_net(&ref);
    memcpy(ref.params, net.params, net.nparams * sizeof(float));

    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0);
    size_t done = 99;
    float costs[NB];
    cr_assert_eq(sn_train_epoch_from(t, &ds, 0, 0, costs, NULL, &done, &err),
                 -1);
    cr_expect_eq(done, 4);
    cr_expect(strstr(err.msg, "NaN at epoch 1, batch 5 of 11"), "%s",
              err.msg);
    cr_expect(strstr(err.msg, "weights are those before that batch"), "%s",
              err.msg);
    for (size_t b = 0; b < 4; b++)
        cr_expect(isfinite(costs[b]), "batch %zu cost %g", b + 1,
                  (double)costs[b]);
    sn_trainer_free(t);

    /* Replay the four good batches: the same weights, bit for bit. */
    stop_at stop = {0, 4};
    sn_train_config c2 = cfg;
    c2.progress = stop_cb;
    c2.progress_user = &stop;
    cr_assert_eq(sn_trainer_create(&t, &ref, &c2, &err), 0);
    cr_expect_eq(sn_train_epoch_from(t, &ds, 0, 0, NULL, NULL, &done, &err),
                 -1);
    cr_expect(strstr(err.msg, "interrupted at epoch 1 after batch 4"), "%s",
              err.msg);
    cr_expect(memcmp(ref.params, net.params, net.nparams * sizeof(float)) == 0,
              "the weights are not those after batch 4");
    sn_trainer_free(t);

    /* Resuming after the good batches meets the same NaN at the same batch. */
    cr_assert_eq(sn_trainer_create(&t, &ref, &cfg, &err), 0);
    cr_expect_eq(sn_train_epoch_from(t, &ds, 0, 4, NULL, NULL, &done, &err),
                 -1);
    cr_expect(strstr(err.msg, "batch 5 of 11"), "%s", err.msg);
    cr_expect_eq(done, 4);
    sn_trainer_free(t);
    sn_net_free(&ref);
    sn_net_free(&net);
}

Test(checkpoint, starting_past_the_last_batch_is_refused)
{
    sn_error err;
    sn_net net;
    fresh_net(&net);
    sn_train_config cfg = config(1, SN_ENGINE_SPARSE, 0, NULL);
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0);
    cr_expect_eq(sn_train_epoch_from(t, &ds, 0, NB, NULL, NULL, NULL, &err),
                 -1);
    cr_expect(strstr(err.msg, "11 batches"), "%s", err.msg);
    sn_trainer_free(t);
    sn_net_free(&net);
}

/* ------------------------------------------------------------------ fields */

/* Every field of the header of small_checkpoint's file (layers 49-3-4), as
 * docs/checkpoint-format.md lists them: offset, width and kind. The
 * network's kinds and the fields of versions 2 and 3 are last, so that the
 * indices of version 1's stay as they were. */
typedef struct ck_field {
    const char *name;
    size_t off, width;
    int is_float;
} ck_field;

enum { K = 28, H = 40 }; /* 16 bytes, 3 layer sizes, 2 activations, loss */
static const ck_field fields[] = {
    {"version", 8, 4, 0},        {"nsizes", 12, 4, 0},
    {"sizes[0]", 16, 4, 0},      {"sizes[1]", 20, 4, 0},
    {"sizes[2]", 24, 4, 0},      {"nparams", H + 0, 8, 0},
    {"batch", H + 8, 8, 0},      {"lr", H + 16, 4, 1},
    {"eps", H + 20, 4, 1},       {"optimizer", H + 24, 4, 0},
    {"shuffle", H + 28, 4, 0},   {"shuffle_seed", H + 32, 8, 0},
    {"engine", H + 40, 4, 0},    {"isa", H + 44, 4, 0},
    {"threads", H + 48, 4, 0},   {"data_crc", H + 52, 4, 0},
    {"seed", H + 56, 8, 0},      {"epochs", H + 64, 8, 0},
    {"epoch", H + 72, 8, 0},     {"batches_done", H + 80, 8, 0},
    {"data_count", H + 88, 8, 0}, {"data_inputs", H + 96, 8, 0},
    {"ncosts", H + 104, 8, 0},
    /* 23.. */
    {"act[0]", K + 0, 4, 0},     {"act[1]", K + 4, 4, 0},
    {"loss", K + 8, 4, 0},       {"momentum", H + 112, 4, 1},
    {"beta1", H + 116, 4, 1},    {"beta2", H + 120, 4, 1},
    {"weight_decay", H + 124, 4, 1}, {"gamma", H + 128, 4, 1},
    {"schedule", H + 132, 4, 0}, {"nstates", H + 136, 4, 0},
    {"step_epochs", H + 140, 8, 0}, {"planned_epochs", H + 148, 8, 0},
    {"step", H + 156, 8, 0},
    /* 36.. version 3's */
    {"first_layer", H + 164, 4, 0}, {"thread_split", H + 168, 4, 0},
    {"subnormals", H + 172, 4, 0},
};

static void put_le(unsigned char *p, uint64_t v, size_t width)
{
    for (size_t i = 0; i < width; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The file's CRC-32 trailer, recomputed (zlib's CRC-32, bitwise). */
static void reseal(unsigned char *bytes, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i + 4 < len; i++) {
        crc ^= bytes[i];
        for (int k = 0; k < 8; k++)
            crc = crc >> 1 ^ (0xedb88320u & (0u - (crc & 1)));
    }
    put_le(bytes + len - 4, crc ^ 0xffffffffu, 4);
}

/* A loaded checkpoint must run: resumed on the data it names (or refused
 * with a message), then the epoch it stands in trained to its end. */
static void run_loaded(sn_checkpoint *ck, const char *what)
{
    sn_error err;
    sn_train_config cfg = ck->cfg;
    cfg.threads = cfg.threads > 2 ? 2 : cfg.threads; /* may differ */
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &ck->net, &cfg, &err), 0, "%s: %s",
                 what, err.msg);
    if (sn_checkpoint_resume(ck, t, &ds, &err) != 0) {
        cr_expect_neq(err.msg[0], '\0', "%s: refused without a message", what);
    } else if (ck->run.epoch < ck->run.epochs) {
        const size_t nb = sn_batches_per_epoch(ds.count, ck->cfg.batch);
        float *costs = calloc(nb, sizeof *costs);
        cr_assert_not_null(costs);
        size_t done = 0;
        if (sn_train_epoch_from(t, &ds, ck->run.epoch, ck->run.batches_done,
                                costs, NULL, &done, &err) != 0)
            cr_expect_neq(err.msg[0], '\0', "%s: failed silently", what);
        else
            cr_expect_eq(done, nb, "%s", what);
        free(costs);
    }
    sn_trainer_free(t);
}

/* Sets field f to v (as a float for float fields), reseals the file and
 * loads it: refused with a message naming the file, or run. Returns 1 if
 * it loaded. */
static int try_field(const unsigned char *good, size_t len, const char *bad,
                     const ck_field *f, uint64_t v, double fv)
{
    unsigned char *bytes = malloc(len);
    memcpy(bytes, good, len);
    if (f->is_float) {
        const float x = (float)fv;
        uint32_t u;
        memcpy(&u, &x, 4);
        put_le(bytes + f->off, u, 4);
    } else {
        put_le(bytes + f->off, v, f->width);
    }
    reseal(bytes, len);
    spill(bad, bytes, len);
    free(bytes);
    char what[96];
    snprintf(what, sizeof what, "%s = %llu (%g)", f->name,
             (unsigned long long)v, fv);
    sn_checkpoint ck;
    sn_error err;
    if (sn_checkpoint_load(&ck, bad, &err) != 0) {
        cr_expect(strstr(err.msg, bad), "%s: %s", what, err.msg);
        cr_expect_null(ck.net.params);
        return 0;
    }
    run_loaded(&ck, what);
    sn_checkpoint_free(&ck);
    return 1;
}

/* Sets every field of good to every edge value: each is refused with a
 * message naming the file, or loads and runs. Returns how many loaded. */
static size_t try_every_edge(const unsigned char *bytes, size_t len,
                             const char *bad, size_t *tried)
{
    const uint64_t edges[] = {0, 1, 2, (uint64_t)1 << 31, (uint64_t)1 << 32,
                              (uint64_t)1 << 63, UINT64_MAX,
                              ((uint64_t)1 << 61) + 1, SN_MAX_EPOCHS,
                              SN_MAX_EPOCHS + 1, SN_MAX_THREADS,
                              SN_MAX_THREADS + 1, COUNT, COUNT + 1};
    const double float_edges[] = {0.0, 1.0, -1.0, 3.4028234663852886e38,
                                  2147483648.0, 4294967296.0,
                                  9.223372036854775808e18, 1.8446744073709552e19,
                                  1e-45, 0.5, 0.999, INFINITY, -INFINITY, NAN};
    size_t loaded = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const ck_field *f = &fields[i];
        if (f->is_float) {
            for (size_t k = 0; k < sizeof float_edges / sizeof *float_edges;
                 k++, (*tried)++)
                loaded += (size_t)try_field(bytes, len, bad, f, 0,
                                            float_edges[k]);
            continue;
        }
        for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++) {
            uint64_t v = edges[k];
            if (f->width == 4 && v > UINT32_MAX)
                v = UINT32_MAX; /* the field's maximum */
            loaded += (size_t)try_field(bytes, len, bad, f, v, (double)v);
            (*tried)++;
        }
    }
    return loaded;
}

typedef struct refusal {
    size_t field;
    uint64_t v;
    double fv;
    const char *needle;
} refusal;

static void expect_refused(const unsigned char *bytes, size_t len,
                           const char *bad, const refusal *r, size_t n)
{
    sn_checkpoint ck;
    sn_error err;
    for (size_t k = 0; k < n; k++) {
        cr_expect_eq(try_field(bytes, len, bad, &fields[r[k].field], r[k].v,
                               r[k].fv),
                     0, "%s accepted", r[k].needle);
        sn_checkpoint_load(&ck, bad, &err);
        cr_expect(strstr(err.msg, r[k].needle), "expected '%s' in: %s",
                  r[k].needle, err.msg);
    }
}

Test(checkpoint, every_field_at_every_edge_is_refused_or_runs)
{
    const char *good = path_in("good.ck"), *bad = path_in("bad.ck");
    size_t loaded = 0, tried = 0;
    /* An AdaGrad run (one state array) and an Adam run with the cosine
     * schedule (two, and every setting used). */
    for (int which = 0; which < 2; which++) {
        if (which == 0)
            small_checkpoint(good);
        else
            small_checkpoint_of(good, SN_OPT_ADAM, SN_SCHEDULE_COSINE);
        size_t len;
        unsigned char *bytes = slurp(good, &len);
        loaded += try_every_edge(bytes, len, bad, &tried);
        free(bytes);
    }
    /* Some edges are valid values (batch 1, epochs 2^20 ...): they ran. */
    cr_expect_gt(loaded, 0);
    cr_expect_lt(loaded, tried);

    /* The values of issue 11 and the limits, refused by name. */
    small_checkpoint(good);
    size_t len;
    unsigned char *bytes = slurp(good, &len);
    const refusal adagrad[] = {
        {6, 0, 0, "batch 0"},
        {6, UINT64_MAX, 0, "batch 18446744073709551615"},
        {6, COUNT + 1, 0, "batch 531"},
        {17, ((uint64_t)1 << 61) + 1, 0, "epochs"},
        {17, SN_MAX_EPOCHS + 1, 0, "1000001 epochs"},
        {17, 0, 0, "0 epochs"},
        {14, 0, 0, "0 threads"},
        {14, SN_MAX_THREADS + 1, 0, "1025 threads"},
        {8, 0, 0.0, "epsilon"},
        {7, 0, NAN, "learning rate"},
        {19, NB, 0, "position outside the run"},
        {22, 5, 0, "batch costs"},
        {20, 0, 0, "0 training samples"},
        {9, 7, 0, "unknown optimizer 7"},
        {23, SN_ACT_SOFTMAX, 0, "activation 3 for hidden layer 1"},
        {24, SN_ACT_RELU, 0, "activation 1 for output layer 2"},
        {25, 2, 0, "unknown loss 2"},
        {26, 0, NAN, "momentum"},
        {26, 0, -1.0, "momentum"},
        {27, 0, 1.0, "beta1"},
        {28, 0, -1.0, "beta2"},
        {29, 0, 0.5, "adagrad takes none"},
        {29, 0, -1.0, "weight decay"},
        {30, 0, 0.0, "gamma"},
        {31, 3, 0, "unknown schedule 3"},
        {32, 0, 0, "0 state arrays"},
        {33, 0, 0, "step_epochs"},
        {33, SN_MAX_EPOCHS + 1, 0, "step_epochs"},
        {34, 0, 0, "epochs must be 1"},
        {34, SN_MAX_EPOCHS + 1, 0, "1000001 planned epochs"},
        {35, UINT64_MAX, 0, "step count"},
        {36, 0, 0, "first_layer 0"},
        {36, 3, 0, "first_layer 3"},
        {37, 0, 0, "thread_split 0"},
        {37, 3, 0, "thread_split 3"},
        {37, SN_THREAD_SPLIT_COLUMNS, 0, "columns split needs the grouped"},
        {38, 2, 0, "subnormals 2"},
    };
    expect_refused(bytes, len, bad, adagrad, sizeof adagrad / sizeof *adagrad);
    free(bytes);

    small_checkpoint_of(good, SN_OPT_NESTEROV, SN_SCHEDULE_STEP);
    bytes = slurp(good, &len);
    const refusal nesterov[] = {
        {26, 0, 0.0, "nesterov needs a momentum > 0"},
        {32, 2, 0, "2 state arrays, nesterov keeps 1"},
    };
    expect_refused(bytes, len, bad, nesterov,
                   sizeof nesterov / sizeof *nesterov);
    free(bytes);
}

Test(checkpoint, resume_checks_the_run_it_is_given)
{
    const char *good = path_in("good.ck");
    small_checkpoint(good);
    sn_checkpoint ck;
    sn_error err;
    cr_assert_eq(sn_checkpoint_load(&ck, good, &err), 0, "%s", err.msg);
    cr_expect_eq(sn_run_state_check(&ck.run, ck.cfg.batch, &err), 0, "%s",
                 err.msg);
    sn_trainer *t;
    sn_train_config cfg = ck.cfg;
    cr_assert_eq(sn_trainer_create(&t, &ck.net, &cfg, &err), 0, "%s",
                 err.msg);
    /* A caller's edits of the public struct are checked again. */
    const sn_run_state saved = ck.run;
    ck.run.epochs = SN_MAX_EPOCHS + 1;
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), -1);
    cr_expect(strstr(err.msg, "epochs"), "%s", err.msg);
    ck.run = saved;
    ck.run.ncosts = 3;
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), -1);
    cr_expect(strstr(err.msg, "batch costs"), "%s", err.msg);
    ck.run = saved;
    cr_expect_eq(sn_run_state_check(&ck.run, COUNT + 1, &err), -1);
    cr_expect(strstr(err.msg, "batch 531"), "%s", err.msg);
    cr_expect_eq(sn_run_state_check(&ck.run, 0, &err), -1);
    cr_expect_eq(sn_checkpoint_resume(&ck, t, &ds, &err), 0, "%s", err.msg);
    cr_expect_eq(sn_batches_per_epoch(COUNT, BATCH), (size_t)NB);
    cr_expect_eq(sn_batches_per_epoch(COUNT, SIZE_MAX), 1);
    cr_expect_eq(sn_batches_per_epoch(COUNT, 0), 0);
    sn_trainer_free(t);
    sn_checkpoint_free(&ck);
}

/* How the run computed, recorded: a forced samples split where AUTO takes
 * columns, and AUTO's columns; subnormals kept, and flushed; a version 2
 * file (no record) reads as AUTO, flushed; paths the per-sample engine
 * cannot take are refused by name. */
Test(checkpoint, records_the_first_layer_path_and_thread_split_that_ran)
{
    static const size_t wide[] = {49, 128, 8, 4};
    net_sizes = wide;
    net_nsizes = 4;
    const char *ck_path = path_in("paths.ck"), *bad = path_in("bad.ck");
    sn_error err;
    sn_checkpoint ck;
    const sn_thread_split splits[] = {SN_THREAD_SPLIT_SAMPLES,
                                      SN_THREAD_SPLIT_AUTO};
    const sn_thread_split ran[] = {SN_THREAD_SPLIT_SAMPLES,
                                   SN_THREAD_SPLIT_COLUMNS};
    for (int k = 0; k < 2; k++) {
        sn_net net;
        fresh_net(&net);
        sn_train_config cfg = config(2, SN_ENGINE_SPARSE, 1, NULL);
        cfg.thread_split = splits[k];
        cfg.keep_subnormals = k == 0;
        sn_trainer *t;
        cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s",
                     err.msg);
        train_rest(t, 0, 0, 1, NULL);
        sn_run_state run = run_state(2, 1, 0, NULL);
        cr_assert_eq(sn_checkpoint_save(t, &run, ck_path, &err), 0, "%s",
                     err.msg);
        cr_assert_eq(sn_checkpoint_load(&ck, ck_path, &err), 0, "%s",
                     err.msg);
        cr_expect_eq(ck.cfg.first_layer, SN_FIRST_LAYER_GROUPED);
        cr_expect_eq(ck.cfg.thread_split, ran[k], "split %d", k);
        cr_expect_eq(ck.cfg.keep_subnormals, k == 0, "subnormals %d", k);
        sn_checkpoint_free(&ck);
        sn_trainer_free(t);
        sn_net_free(&net);
    }

    /* The same file as version 2 wrote it: without the three fields
     * before the parameters (at H + 164, H = 16 + 8 * 4 for 4 layer
     * sizes). */
    size_t len;
    unsigned char *bytes = slurp(ck_path, &len);
    enum { H4 = 16 + 8 * 4, V3 = H4 + 164, V3_BYTES = 12 };
    unsigned char *v2 = malloc(len - V3_BYTES);
    cr_assert_not_null(v2);
    memcpy(v2, bytes, V3);
    memcpy(v2 + V3, bytes + V3 + V3_BYTES, len - V3 - V3_BYTES);
    put_le(v2 + 8, 2, 4);
    reseal(v2, len - V3_BYTES);
    spill(bad, v2, len - V3_BYTES);
    cr_assert_eq(sn_checkpoint_load(&ck, bad, &err), 0, "%s", err.msg);
    cr_expect_eq(ck.cfg.first_layer, SN_FIRST_LAYER_AUTO);
    cr_expect_eq(ck.cfg.thread_split, SN_THREAD_SPLIT_AUTO);
    cr_expect_eq(ck.cfg.keep_subnormals, 0);
    sn_checkpoint_free(&ck);
    free(v2);
    free(bytes);
    net_sizes = sizes;
    net_nsizes = NSIZES;

    /* The per-sample engine runs rows and samples, nothing else. */
    sn_net net;
    fresh_net(&net);
    sn_train_config cfg = config(1, SN_ENGINE_PER_SAMPLE, 0, NULL);
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s", err.msg);
    train_rest(t, 0, 0, 1, NULL);
    sn_run_state run = run_state(2, 1, 0, NULL);
    cr_assert_eq(sn_checkpoint_save(t, &run, ck_path, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(sn_checkpoint_load(&ck, ck_path, &err), 0, "%s", err.msg);
    cr_expect_eq(ck.cfg.first_layer, SN_FIRST_LAYER_ROWS);
    cr_expect_eq(ck.cfg.thread_split, SN_THREAD_SPLIT_SAMPLES);
    sn_checkpoint_free(&ck);
    bytes = slurp(ck_path, &len);
    enum { HN = 16 + 8 * NSIZES };
    put_le(bytes + HN + 164, SN_FIRST_LAYER_GROUPED, 4);
    reseal(bytes, len);
    spill(bad, bytes, len);
    cr_expect_eq(sn_checkpoint_load(&ck, bad, &err), -1);
    cr_expect(strstr(err.msg, "first_layer grouped, thread_split samples for "
                              "the per-sample engine"), "%s", err.msg);
    free(bytes);
    sn_trainer_free(t);
    sn_net_free(&net);
}
