/*
 * train.c - batches, threads and the optimiser step.
 *
 * The samples of a batch are split into one contiguous slice per OpenMP
 * thread. Each thread runs its samples forward and backward in order,
 * adding their gradients into its own buffer (cache-line aligned and padded,
 * so no two threads share a line). Then every thread takes a slice of the
 * parameters, sums the per-thread buffers into buffer 0 in thread order and
 * applies the optimiser step to that slice. The order of every floating-point
 * sum depends only on the thread count, so a fixed seed, thread count and
 * kernel set give bit-identical weights.
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "layers.h"
#include "registry.h"
#include "trainer.h"

sn_train_config sn_train_config_default(void)
{
    sn_train_config cfg = {
        .batch = 100,
        .lr = 0.1f,
        .eps = 1e-8f,
        .optimizer = SN_OPT_ADAGRAD,
        .threads = 0,
        .shuffle = 0,
        .shuffle_seed = 0,
        .kernels = NULL,
        .progress = NULL,
        .progress_user = NULL,
    };
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
    if (!isfinite(cfg->lr) || cfg->lr <= 0.0f)
        return sn_set_error(err, "learning rate must be a positive number, "
                                 "got %g", (double)cfg->lr);
    if (!isfinite(cfg->eps) || cfg->eps < 0.0f)
        return sn_set_error(err, "epsilon must be a non-negative number");
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
    t->grad_stride = sn_pad_floats(net->nparams);

    t->accum = sn_alloc_array(net->nparams, sizeof(float));
    t->grads = sn_alloc_array((size_t)t->threads, t->grad_stride * sizeof(float));
    t->acts = sn_alloc_array((size_t)t->threads, sizeof *t->acts);
    if (!t->accum || !t->grads || !t->acts) {
        sn_trainer_free(t);
        return sn_set_error(err, "out of memory for %d threads' gradient "
                                 "buffers (%zu parameters)", cfg->threads,
                            net->nparams);
    }
    for (int i = 0; i < t->threads; i++) {
        if (sn_activations_create(&t->acts[i], net, err) != 0) {
            sn_trainer_free(t);
            return -1;
        }
    }
    *out = t;
    return 0;
}

void sn_trainer_free(sn_trainer *t)
{
    if (!t)
        return;
    if (t->acts) {
        for (int i = 0; i < t->threads; i++)
            sn_activations_free(&t->acts[i]);
    }
    sn_free(t->acts);
    sn_free(t->grads);
    sn_free(t->accum);
    sn_free(t->order);
    sn_free(t);
}

int sn_trainer_threads(const sn_trainer *t)
{
    return t->threads;
}

const sn_kernels *sn_trainer_kernels(const sn_trainer *t)
{
    return t->cfg.kernels;
}

float *sn_trainer_accumulators(sn_trainer *t)
{
    return t->accum;
}

static int check_dataset(const sn_trainer *t, const sn_dataset *ds,
                         sn_error *err)
{
    const sn_net *net = t->net;
    if (ds->input_size != net->sizes[0])
        return sn_set_error(err, "the data's samples have %zu inputs "
                                 "(%zux%zu) but the network's first layer "
                                 "has %zu", ds->input_size, ds->rows, ds->cols,
                            net->sizes[0]);
    const size_t n_out = net->sizes[net->nlayers];
    for (size_t i = 0; i < ds->count; i++) {
        if (ds->labels[i] >= n_out)
            return sn_set_error(err, "sample %zu has label %u but the output "
                                     "layer has only %zu neurons", i,
                                ds->labels[i], n_out);
    }
    return 0;
}

/* The parameter slice [lo, hi) that thread `id` of `n` reduces and updates,
 * cut on cache lines so no two threads write the same line. */
static void param_slice(size_t nparams, int id, int n, size_t *lo, size_t *hi)
{
    const size_t lines = sn_pad_floats(nparams) / (SN_ALIGN / sizeof(float));
    const size_t per_line = SN_ALIGN / sizeof(float);
    size_t a = lines * (size_t)id / (size_t)n * per_line;
    size_t b = lines * (size_t)(id + 1) / (size_t)n * per_line;
    *lo = a < nparams ? a : nparams;
    *hi = b < nparams ? b : nparams;
}

/* One batch: samples idx[0..n) (or first..first+n when idx is NULL). */
static float train_batch(sn_trainer *t, const sn_dataset *ds,
                         const uint32_t *idx, size_t first, size_t n)
{
    const sn_net *net = t->net;
    const sn_kernels *k = t->cfg.kernels;
    const size_t stride = t->grad_stride;
    const size_t nparams = net->nparams;
    const size_t in = ds->input_size;
    const float gscale = 1.0f / (float)n;
    double cost[SN_MAX_THREADS];
    int nt_used = 1;

#pragma omp parallel num_threads(t->threads)
    {
        const int id = omp_get_thread_num();
        const int nt = omp_get_num_threads();
        float *grad = t->grads + (size_t)id * stride;
        sn_activations *acts = &t->acts[id];
        const size_t lo = n * (size_t)id / (size_t)nt;
        const size_t hi = n * (size_t)(id + 1) / (size_t)nt;
        double c = 0.0;

        memset(grad, 0, nparams * sizeof(float));
        for (size_t i = lo; i < hi; i++) {
            const size_t s = idx ? idx[i] : first + i;
            c += net_forward_backward(k, net, ds->pixels + s * in,
                                      ds->labels[s], acts, grad);
        }
        cost[id] = c;
        if (id == 0)
            nt_used = nt;
#pragma omp barrier
        size_t p0, p1;
        param_slice(nparams, id, nt, &p0, &p1);
        float *sum = t->grads;
        for (int j = 1; j < nt; j++)
            k->vadd(p1 - p0, t->grads + (size_t)j * stride + p0, sum + p0);
        if (t->cfg.optimizer == SN_OPT_ADAGRAD)
            k->adagrad(p1 - p0, net->params + p0, t->accum + p0, sum + p0,
                       gscale, t->cfg.lr, t->cfg.eps);
        else
            k->sgd(p1 - p0, net->params + p0, sum + p0, gscale, t->cfg.lr);
    }

    double total = 0.0;
    for (int j = 0; j < nt_used; j++)
        total += cost[j];
    return (float)(total / (double)n);
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
    float c = train_batch(t, ds, NULL, first, n);
    if (cost)
        *cost = c;
    return 0;
}

int sn_train_epoch(sn_trainer *t, const sn_dataset *ds, size_t epoch,
                   float *costs, sn_epoch_stats *stats, sn_error *err)
{
    if (check_dataset(t, ds, err) != 0)
        return -1;
    if (ds->count == 0)
        return sn_set_error(err, "the training set is empty");
    if (t->cfg.shuffle && make_order(t, ds->count, epoch, err) != 0)
        return -1;

    const size_t bs = t->cfg.batch;
    const size_t nbatches = (ds->count + bs - 1) / bs;
    double cost_sum = 0.0;
    for (size_t b = 0; b < nbatches; b++) {
        const size_t first = b * bs;
        const size_t n = ds->count - first < bs ? ds->count - first : bs;
        const uint32_t *idx = t->cfg.shuffle ? t->order + first : NULL;
        const float c = train_batch(t, ds, idx, first, n);
        cost_sum += (double)c * (double)n;
        if (costs)
            costs[b] = c;
        if (!isfinite(c))
            return sn_set_error(err, "the cost became %s at epoch %zu, batch "
                                     "%zu of %zu (learning rate too large?)",
                                isnan(c) ? "NaN" : "infinite", epoch + 1, b + 1,
                                nbatches);
        if (t->cfg.progress &&
            t->cfg.progress(t->cfg.progress_user, epoch, b + 1, nbatches, c))
            return sn_set_error(err, "interrupted at epoch %zu, batch %zu",
                                epoch + 1, b + 1);
    }
    if (stats) {
        stats->mean_cost = cost_sum / (double)ds->count;
        stats->samples = ds->count;
        stats->batches = nbatches;
    }
    return 0;
}
