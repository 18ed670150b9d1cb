/*
 * train.c - the driver: the trainer, batches, threads, costs and progress.
 *
 * The samples of a batch are split into one contiguous slice per OpenMP
 * thread. Each thread runs its samples forward and backward in order,
 * adding their gradients into its own buffers (cache-line aligned and
 * padded, so no two threads share a line). Then every thread takes a share
 * of the parameters and applies the optimiser step to it on the sum of the
 * per-thread buffers, added in thread order. The order of every
 * floating-point sum depends only on the thread count, so a fixed seed,
 * thread count and kernel set give bit-identical weights. What a batch
 * computes, and how, is the engine's (engine.h); the slicing and the
 * optimiser step they share are in engine_common.c.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "fp_mode.h"
#include "layers.h"
#include "optimizer.h"
#include "registry.h"
#include "trainer.h"

sn_train_config sn_train_config_default(void)
{
    sn_train_config cfg = {
        .batch = 100,
        .schedule = SN_SCHEDULE_CONSTANT,
        .step_epochs = 1,
        .gamma = 0.1f,
        .epochs = 5,
        .threads = 0,
        .shuffle = 0,
        .shuffle_seed = 0,
        .engine = SN_ENGINE_SPARSE,
        .dense_input = 0,
        .first_layer = SN_FIRST_LAYER_AUTO,
        .thread_split = SN_THREAD_SPLIT_AUTO,
        .relu_zeros = 0,
        .keep_subnormals = 0,
        .kernels = NULL,
        .progress = NULL,
        .progress_user = NULL,
        .collective = NULL,
    };
    sn_train_config_optimizer(&cfg, SN_OPT_ADAGRAD); /* lr 0.1, eps 1e-8 */
    return cfg;
}

int sn_trainer_create(sn_trainer **out, sn_net *net,
                      const sn_train_config *cfg, sn_error *err)
{
    *out = NULL;
    if (net->nlayers < 1 || !net->params)
        return sn_set_error(err, "the network has no layers");
    if (cfg->batch < 1)
        return sn_set_error(err, "batch size must be at least 1");
    if (sn_optimizer_check(cfg, err) != 0)
        return -1;
    if ((unsigned)cfg->engine > SN_ENGINE_SPARSE)
        return sn_set_error(err, "unknown engine %d", (int)cfg->engine);
    if ((unsigned)cfg->first_layer > SN_FIRST_LAYER_GROUPED)
        return sn_set_error(err, "unknown first-layer path %d",
                            (int)cfg->first_layer);
    if ((unsigned)cfg->thread_split > SN_THREAD_SPLIT_COLUMNS)
        return sn_set_error(err, "unknown thread split %d",
                            (int)cfg->thread_split);
    if (cfg->relu_zeros < -1 || cfg->relu_zeros > 1)
        return sn_set_error(err, "relu_zeros must be -1 (never skip), 0 "
                                 "(where that pays) or 1 (always), got %d",
                            cfg->relu_zeros);
    if (cfg->threads < 0 || cfg->threads > SN_MAX_THREADS)
        return sn_set_error(err, "threads must be 0 (automatic) to %d, got %d",
                            SN_MAX_THREADS, cfg->threads);

    sn_trainer *t = sn_alloc_array(1, sizeof *t);
    if (!t)
        return sn_set_error(err, "out of memory for the trainer");
    t->net = net;
    t->cfg = *cfg;
    if (!t->cfg.kernels &&
        sn_kernels_select(NULL, &t->cfg.kernels, err) != 0) {
        sn_free(t);
        return -1;
    }
    t->threads = cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
    if (t->threads > SN_MAX_THREADS)
        t->threads = SN_MAX_THREADS;
    const sn_collective *coll = cfg->collective;
    if (coll && (coll->ranks < 1 || coll->rank < 0 ||
                 coll->rank >= coll->ranks || !coll->allgather ||
                 coll->ranks > SN_MAX_THREADS / t->threads)) {
        const int threads = t->threads;
        sn_free(t);
        return sn_set_error(err, "a run of %d ranks (this one rank %d) of %d "
                                 "threads: the ranks must be 1 to %d / "
                                 "threads", coll ? coll->ranks : 0,
                            coll ? coll->rank : 0, threads, SN_MAX_THREADS);
    }
    t->workers = coll ? coll->ranks * t->threads : t->threads;
    t->worker0 = coll ? coll->rank * t->threads : 0;

    t->engine = cfg->engine == SN_ENGINE_PER_SAMPLE ? &sn_engine_per_sample
                                                    : &sn_engine_sparse;
    t->acts = sn_alloc_array((size_t)t->threads, sizeof *t->acts);
    t->costs = sn_alloc_array((size_t)t->workers, sizeof *t->costs);
    if (!t->acts || !t->costs) {
        sn_trainer_free(t);
        return sn_set_error(err, "out of memory for the trainer");
    }
    for (int i = 0; i < t->threads; i++) {
        if (sn_activations_create(&t->acts[i], net, err) != 0) {
            sn_trainer_free(t);
            return -1;
        }
    }
    t->first_layer = SN_FIRST_LAYER_ROWS;
    t->thread_split = SN_THREAD_SPLIT_SAMPLES;
    t->work_floats = net->nparams;
    if (t->engine->create(t, err) != 0) {
        sn_trainer_free(t);
        return -1;
    }
    /* Only the chosen optimizer's state arrays, zeroed, in the engine's
     * layout. */
    t->nstates = sn_optimizer_state_count(cfg);
    int short_of_state = 0;
    for (size_t k = 0; k < t->nstates; k++) {
        t->state[k] = sn_alloc_array(t->work_floats, sizeof(float));
        short_of_state |= !t->state[k];
    }
    t->grad_stride = sn_pad_floats(t->work_floats);
    t->grads = sn_alloc_array((size_t)t->workers, t->grad_stride * sizeof(float));
    if (short_of_state || !t->grads) {
        const int threads = t->threads;
        sn_trainer_free(t);
        return sn_set_error(err, "out of memory for %d threads' gradient "
                                 "buffers (%zu parameters)", threads,
                            net->nparams);
    }
    *out = t;
    return 0;
}

void sn_trainer_free(sn_trainer *t)
{
    if (!t)
        return;
    if (t->engine)
        t->engine->destroy(t);
    if (t->acts) {
        for (int i = 0; i < t->threads; i++)
            sn_activations_free(&t->acts[i]);
    }
    sn_free(t->acts);
    sn_free(t->grads);
    for (size_t k = 0; k < SN_MAX_STATES; k++)
        sn_free(t->state[k]);
    sn_free(t->costs);
    sn_free(t->order);
    sn_pixel_lists_free(t->lists);
    sn_free(t);
}

int sn_trainer_keep_pixel_lists(sn_trainer *t, const sn_dataset *ds,
                                sn_error *err)
{
    sn_pixel_lists_free(t->lists);
    t->lists = NULL;
    /* Only the sparse engine on the nonzero pixels reads them. */
    if (!ds || t->cfg.engine != SN_ENGINE_SPARSE || t->cfg.dense_input)
        return 0;
    if (ds->input_size != t->net->sizes[0])
        return sn_set_error(err, "the data set has %zu inputs, the network "
                                 "%zu", ds->input_size, t->net->sizes[0]);
    return sn_pixel_lists_build(&t->lists, ds, t->cfg.kernels,
                                SN_PIXEL_SCALE, t->threads, err);
}

int sn_trainer_threads(const sn_trainer *t)
{
    return t->threads;
}

const char *sn_trainer_engine(const sn_trainer *t)
{
    return sn_engine_name(t->engine->kind);
}

sn_first_layer sn_trainer_first_layer(const sn_trainer *t)
{
    return t->first_layer;
}

sn_thread_split sn_trainer_thread_split(const sn_trainer *t)
{
    return t->thread_split;
}

int sn_trainer_workers(const sn_trainer *t)
{
    return t->workers;
}

sn_net *sn_trainer_net(const sn_trainer *t)
{
    return t->net;
}

const sn_train_config *sn_trainer_config(const sn_trainer *t)
{
    return &t->cfg;
}

size_t sn_trainer_state_count(const sn_trainer *t)
{
    return t->nstates;
}

void sn_trainer_get_state(const sn_trainer *t, size_t k, float *dst)
{
    if (k < t->nstates)
        t->engine->state_export(t, k, dst);
    else
        memset(dst, 0, t->net->nparams * sizeof(float));
}

void sn_trainer_set_state(sn_trainer *t, size_t k, const float *src)
{
    if (k < t->nstates)
        t->engine->state_import(t, k, src);
}

void sn_trainer_get_accum(const sn_trainer *t, float *dst)
{
    sn_trainer_get_state(t, 0, dst);
}

void sn_trainer_set_accum(sn_trainer *t, const float *src)
{
    sn_trainer_set_state(t, 0, src);
}

uint64_t sn_trainer_step(const sn_trainer *t)
{
    return t->step;
}

void sn_trainer_set_step(sn_trainer *t, uint64_t step)
{
    t->step = step;
}

/* The run's length in batches for the cosine schedule: cfg.epochs epochs
 * of ds in batches of `batch`. */
static void plan_run(sn_trainer *t, const sn_dataset *ds, size_t batch)
{
    t->planned = (uint64_t)t->cfg.epochs * sn_batches_per_epoch(ds->count,
                                                                 batch);
}

/* The learning rate and step values of batch b of a run of batches (the
 * step count moves on when the run ends). */
static void prepare_step(sn_trainer *t, size_t epoch, size_t b)
{
    const uint64_t step = t->step + b;
    const float lr = sn_schedule_lr(&t->cfg, step, t->planned, epoch);
    t->hyper = sn_optimizer_hyper(&t->cfg, lr, step);
}

/* The data set fits the network: its input size, and (once per data set:
 * the loaders have checked it already when given max_label) its labels.
 * A label out of range would train towards no class at all. */
static int check_dataset(sn_trainer *t, const sn_dataset *ds, sn_error *err)
{
    const sn_net *net = t->net;
    if (ds->input_size != net->sizes[0])
        return sn_set_error(err, "the data's samples have %zu inputs "
                                 "(%zux%zu) but the network's first layer "
                                 "has %zu", ds->input_size, ds->rows, ds->cols,
                            net->sizes[0]);
    if (ds->labels == t->labels_checked && ds->count <= t->labels_checked_count)
        return 0;
    const size_t n_out = net->sizes[net->nlayers];
    for (size_t i = 0; i < ds->count; i++) {
        if (ds->labels[i] >= n_out)
            return sn_set_error(err, "sample %zu has label %u but the output "
                                     "layer has only %zu neurons", i,
                                ds->labels[i], n_out);
    }
    t->labels_checked = ds->labels;
    t->labels_checked_count = ds->count;
    return 0;
}

/* How a run of batches ended. */
typedef struct run_result {
    size_t done;        /* batches applied */
    double cost_sum;    /* sum over applied batches of mean cost * size */
    float bad_cost;     /* the non-finite batch cost that stopped it */
    int failed;         /* 1: non-finite cost, 2: stopped by the callback,
                           3: the exchange between ranks failed */
} run_result;

/* With a collective (thread 0, between a batch's phases): this rank's
 * workers' gradient buffers, costs and stop request, and the engine's
 * per-worker state, to every rank, and every other rank's into place.
 * Bytes are moved, never added: the update then sums all workers' buffers
 * exactly as one process of that many threads would. */
static int exchange(sn_trainer *t, int stop_asked)
{
    const sn_collective *c = t->cfg.collective;
    const size_t T = (size_t)t->threads;
    t->costs[t->worker0].stop = stop_asked;
    if (c->allgather(c->user, t->grads,
                     T * t->grad_stride * sizeof(float)) != 0 ||
        c->allgather(c->user, t->costs, T * sizeof *t->costs) != 0)
        return -1;
    size_t bytes = 0;
    void *slots = t->engine->worker_slots ? t->engine->worker_slots(t, &bytes)
                                          : NULL;
    return slots ? c->allgather(c->user, slots, T * bytes) : 0;
}

/* Whether some rank asked to stop (after an exchange). */
static int any_rank_stops(const sn_trainer *t)
{
    for (int w = 0; w < t->workers; w += t->threads) {
        if (t->costs[w].stop)
            return 1;
    }
    return 0;
}

/*
 * Batches of `bs` samples from `first` (through `order` if shuffled), all in
 * one parallel region. Per batch, every thread runs its slice of samples;
 * after a barrier every thread sums the per-thread costs in the same order,
 * so all agree on whether the batch is finite, and updates its share of the
 * parameters; a second barrier ends the batch. Thread 0 (the caller's)
 * reports progress between the two barriers, counting epochs and batches
 * from 1 (simdnet.h). batch0 is the index within the epoch of the first
 * batch (non-zero when resuming mid-epoch), for the progress report only.
 *
 * With a collective the slices, costs and shares are those of all the
 * run's workers (W of them; thread id is worker g0 + id); thread 0
 * exchanges the workers' buffers after the samples, and every rank steps
 * every share (thread id those of g = id, id + T, ...). A stop asked on
 * one rank travels with the next exchange, so every rank leaves before
 * the same update; one more exchange at the end agrees on a stop asked
 * after the last batch.
 */
static run_result run_batches(sn_trainer *t, const sn_dataset *ds,
                              const uint32_t *order, size_t first,
                              size_t count, size_t epoch, size_t batch0,
                              float *costs)
{
    const sn_engine *e = t->engine;
    const sn_collective *coll = t->cfg.collective;
    const size_t bs = t->cfg.batch;
    const size_t nbatches = (count + bs - 1) / bs;
    run_result r = {0};
    int stop = 0;
    int asked = 0;   /* with coll: this rank's callback asked; thread 0's */
    int lost = 0;    /* with coll: an exchange failed */

    e->begin(t);
#pragma omp parallel num_threads(t->threads)
    {
        /* Each thread's own mode: OpenMP's threads are the caller's too. */
        const int flush = !t->cfg.keep_subnormals;
        const sn_fp_mode fp_saved = flush ? sn_fp_flush_subnormals() : 0;
        const int id = omp_get_thread_num();
        const int nt = omp_get_num_threads();
        const int W = coll ? t->workers : nt;
        const int g0 = coll ? t->worker0 : 0;
        for (size_t b = 0; b < nbatches && !(coll && nt != t->threads); b++) {
            if (id == 0) /* read by every update, after the barrier */
                prepare_step(t, epoch, b);
            const size_t b0 = first + b * bs;
            const size_t n = count - b * bs < bs ? count - b * bs : bs;
            const size_t lo = n * (size_t)(g0 + id) / (size_t)W;
            const size_t hi = n * (size_t)(g0 + id + 1) / (size_t)W;
            t->costs[g0 + id].cost =
                e->samples(t, id, ds, order, b0, n, lo, hi);
#pragma omp barrier
            if (coll) {
                if (id == 0 && exchange(t, asked) != 0) {
#pragma omp atomic write
                    lost = 1;
                }
#pragma omp barrier
                int gone;
#pragma omp atomic read
                gone = lost;
                if (gone || any_rank_stops(t)) {
                    if (id == 0) {
                        r.done = b;
                        stop = 1;
                    }
                    break;
                }
            }
            double c = 0.0;
            for (int j = 0; j < W; j++)
                c += t->costs[j].cost;
            const float batch_cost = (float)(c / (double)n);
            if (!isfinite(batch_cost)) {
                /* All threads see the same value and leave together,
                 * before any update: the weights stay the last good ones. */
                if (id == 0) {
                    r.failed = 1;
                    r.bad_cost = batch_cost;
                }
                break;
            }
            for (int g = id; g < W; g += nt)
                e->update(t, g, W, n);
            if (id == 0) {
                r.done = b + 1;
                r.cost_sum += (double)batch_cost * (double)n;
                if (costs)
                    costs[b] = batch_cost;
                if (t->cfg.progress &&
                    t->cfg.progress(t->cfg.progress_user, epoch + 1,
                                    batch0 + b + 1, batch0 + nbatches,
                                    batch_cost)) {
                    if (coll)
                        asked = 1;
                    else {
#pragma omp atomic write
                        stop = 1;
                    }
                }
            }
#pragma omp barrier
            int leave;
#pragma omp atomic read
            leave = stop;
            if (leave)
                break;
        }
        if (flush)
            sn_fp_restore(fp_saved);
    }
    e->end(t);
    t->step += r.done;
    if (coll && !r.failed && !stop && !lost) {
        /* Every rank ran every batch: agree on a stop asked after the
         * last one. (A rank whose OpenMP gave fewer threads than asked ran
         * none, and asks; the other ranks' exchanges then do not match its
         * and MPI ends the job: a short team would give other bits.) */
        t->costs[t->worker0].stop = asked || r.done < nbatches;
        if (coll->allgather(coll->user, t->costs,
                            (size_t)t->threads * sizeof *t->costs) != 0)
            lost = 1;
        else if (any_rank_stops(t))
            stop = 1;
    }
    if (lost)
        r.failed = 3;
    else if (stop && !r.failed)
        r.failed = 2;
    return r;
}

/* The epoch's sample order when shuffling: Fisher-Yates on the PCG32 stream
 * seeded with shuffle_seed mixed with the epoch number. */
static int make_order(sn_trainer *t, size_t count, size_t epoch, sn_error *err)
{
    if (count > UINT32_MAX)
        return sn_set_error(err, "shuffling supports at most 2^32-1 samples");
    if (t->order_len != count) {
        sn_free(t->order);
        t->order = sn_alloc_array(count, sizeof *t->order);
        t->order_len = t->order ? count : 0;
        if (!t->order)
            return sn_set_error(err, "out of memory for the shuffle order");
    }
    sn_rng rng;
    sn_rng_seed(&rng, t->cfg.shuffle_seed ^
                          ((uint64_t)(epoch + 1) * 0x9e3779b97f4a7c15ULL));
    for (size_t i = 0; i < count; i++)
        t->order[i] = (uint32_t)i;
    for (size_t i = count; i > 1; i--) {
        const uint32_t j = sn_rng_below(&rng, (uint32_t)i);
        const uint32_t tmp = t->order[i - 1];
        t->order[i - 1] = t->order[j];
        t->order[j] = tmp;
    }
    return 0;
}

int sn_train_batch(sn_trainer *t, const sn_dataset *ds, size_t first,
                   size_t n, float *cost, sn_error *err)
{
    if (check_dataset(t, ds, err) != 0)
        return -1;
    if (n == 0 || first > ds->count || n > ds->count - first)
        return sn_set_error(err, "batch [%zu, %zu) is outside the data set's "
                                 "%zu samples", first, first + n, ds->count);
    /* One batch of n: a run whose batch size is n, in epoch 0 of the
     * configured run (for the schedule). */
    const size_t saved = t->cfg.batch;
    plan_run(t, ds, saved);
    t->cfg.batch = n;
    float c = 0.0f;
    run_result r = run_batches(t, ds, NULL, first, n, 0, 0, &c);
    t->cfg.batch = saved;
    if (r.failed == 1)
        return sn_set_error(err, "the cost became %s on batch [%zu, %zu)",
                            isnan(r.bad_cost) ? "NaN" : "infinite", first,
                            first + n);
    if (r.failed >= 2)
        return sn_set_error(err, "%s on batch [%zu, %zu)",
                            r.failed == 2 ? "stopped by a rank"
                                          : "the exchange between ranks failed",
                            first, first + n);
    if (cost)
        *cost = c;
    return 0;
}

int sn_train_epoch(sn_trainer *t, const sn_dataset *ds, size_t epoch,
                   float *costs, sn_epoch_stats *stats, sn_error *err)
{
    return sn_train_epoch_from(t, ds, epoch, 0, costs, stats, NULL, err);
}

/* The index of the first parameter that is NaN or infinite, or nparams. */
static size_t first_nonfinite(const sn_net *net)
{
    for (size_t i = 0; i < net->nparams; i++)
        if (!isfinite(net->params[i]))
            return i;
    return net->nparams;
}

int sn_train_epoch_from(sn_trainer *t, const sn_dataset *ds, size_t epoch,
                        size_t first_batch, float *costs,
                        sn_epoch_stats *stats, size_t *done, sn_error *err)
{
    if (done)
        *done = first_batch;
    if (check_dataset(t, ds, err) != 0)
        return -1;
    if (ds->count == 0)
        return sn_set_error(err, "the training set is empty");
    const size_t bs = t->cfg.batch;
    const size_t nbatches = (ds->count + bs - 1) / bs;
    if (first_batch >= nbatches)
        return sn_set_error(err, "epoch %zu has %zu batches; cannot start "
                                 "at batch %zu", epoch + 1, nbatches,
                            first_batch + 1);
    if (t->cfg.shuffle && make_order(t, ds->count, epoch, err) != 0)
        return -1;

    /* The batches before first_batch were applied by an earlier run: the
     * shuffle order is a function of the seed and the epoch alone, so the
     * remaining batches are exactly those an uninterrupted epoch runs. */
    const size_t first = first_batch * bs;
    plan_run(t, ds, bs);
    run_result r = run_batches(t, ds, t->cfg.shuffle ? t->order : NULL, first,
                               ds->count - first, epoch, first_batch,
                               costs ? costs + first_batch : NULL);
    if (done)
        *done = first_batch + r.done;
    if (r.failed == 1) {
        /* Weights that were not finite before the batch (a model given to
         * start from) are the cause, not the learning rate. */
        const size_t bad = first_nonfinite(t->net);
        char cause[96];
        if (bad < t->net->nparams)
            snprintf(cause, sizeof cause, "parameter %zu was already %s "
                     "before it", bad,
                     isnan(t->net->params[bad]) ? "NaN" : "infinite");
        else
            snprintf(cause, sizeof cause, "learning rate too large?");
        return sn_set_error(err, "the cost became %s at epoch %zu, batch %zu "
                                 "of %zu (%s); the weights are those before "
                                 "that batch",
                            isnan(r.bad_cost) ? "NaN" : "infinite", epoch + 1,
                            first_batch + r.done + 1, nbatches, cause);
    }
    if (r.failed == 2)
        return sn_set_error(err, "interrupted at epoch %zu after batch %zu of "
                                 "%zu", epoch + 1, first_batch + r.done,
                            nbatches);
    if (r.failed == 3)
        return sn_set_error(err, "the exchange between ranks failed at epoch "
                                 "%zu, batch %zu of %zu", epoch + 1,
                            first_batch + r.done + 1, nbatches);
    if (stats) {
        stats->mean_cost = r.cost_sum / (double)(ds->count - first);
        stats->samples = ds->count - first;
        stats->batches = nbatches - first_batch;
    }
    return 0;
}
