/*
 * engine_sparse.c - the fast engine: the first layer driven by the nonzero
 * pixels of each sample.
 *
 * 81% of MNIST's pixels are exactly zero, and a zero input contributes
 * exactly nothing to W x or to delta x^T. This engine keeps the first
 * layer's weights transposed (WT [inputs][width], a contiguous row per
 * pixel), lists each sample's nonzero pixels once (nonzero_u8), and runs
 * the first layer forward (gemv_sparse) and its weight gradient
 * (ger_sparse) over those rows only: about 150 of 784 on MNIST.
 *
 * A pixel that is zero in every sample of a batch has a gradient of exactly
 * zero; AdaGrad then changes neither its accumulator (G += 0) nor its
 * weights (p -= lr * 0 / sqrt(G + eps)). Each thread keeps a bitmap of the
 * pixels its samples touched (nonzero_u8 fills it), and the update visits
 * only touched rows (65% of them per batch of 100 on MNIST), in runs.
 * Skipping changes no value.
 *
 * Layers 2..L are small (32x32, 10x32) and run per sample on the kernel
 * table's dense kernels, as in the per-sample engine.
 *
 * WT lives here while a call to sn_train_* runs and is written back to
 * net->params at its end; AdaGrad's accumulator for the first layer stays
 * transposed in the trainer for its whole life.
 */
#include <string.h>

#include "alloc.h"
#include "engine.h"
#include "error.h"
#include "trainer.h"

typedef struct sparse_state {
    size_t n0, n1;          /* inputs and first-layer width */
    float *wt;              /* W1 transposed: [n0][n1] */
    size_t list_stride;     /* entries between per-thread pixel lists */
    uint32_t *idx;          /* per thread: nonzero pixel indices */
    float *val;             /* per thread: their values, scaled by 1/255 */
    size_t words;           /* 64-pixel words of a bitmap */
    size_t seen_stride;     /* words between per-thread bitmaps */
    uint64_t *seen;         /* per thread: a bit per pixel hit this batch */
    int dense;              /* every pixel, zeros included (for comparison) */
} sparse_state;

static sparse_state *state(const sn_trainer *t)
{
    return t->engine_state;
}

static void sparse_destroy(sn_trainer *t)
{
    sparse_state *s = state(t);
    if (!s)
        return;
    sn_free(s->wt);
    sn_free(s->idx);
    sn_free(s->val);
    sn_free(s->seen);
    sn_free(s);
    t->engine_state = NULL;
}

static int sparse_create(sn_trainer *t, sn_error *err)
{
    sparse_state *s = sn_alloc_array(1, sizeof *s);
    if (!s)
        return sn_set_error(err, "out of memory for the sparse engine");
    t->engine_state = s;
    const sn_net *net = t->net;
    s->n0 = net->sizes[0];
    s->n1 = net->sizes[1];
    s->dense = t->cfg.dense_input;
    /* Room for a whole vector past the last entry (nonzero_u8's contract),
     * rounded to cache lines so threads never share one. */
    s->list_stride = sn_pad_floats(s->n0 + 16);
    s->words = (s->n0 + 63) / 64;
    s->seen_stride = (s->words + 7) / 8 * 8;
    const size_t nt = (size_t)t->threads;
    s->wt = sn_alloc_array(s->n0 * s->n1, sizeof(float));
    s->idx = sn_alloc_array(nt * s->list_stride, sizeof(uint32_t));
    s->val = sn_alloc_array(nt * s->list_stride, sizeof(float));
    s->seen = sn_alloc_array(nt * s->seen_stride, sizeof(uint64_t));
    if (!s->wt || !s->idx || !s->val || !s->seen) {
        sparse_destroy(t);
        return sn_set_error(err, "out of memory for the sparse engine");
    }
    return 0;
}

static void sparse_begin(sn_trainer *t)
{
    sparse_state *s = state(t);
    sn_transpose(s->n1, s->n0, t->net->params + t->net->w_off[0], s->wt);
    /* A previous call may have stopped between a batch's phases: start
     * from clean first-layer gradients and flags. */
    for (int j = 0; j < t->threads; j++)
        memset(t->grads + (size_t)j * t->grad_stride + t->net->w_off[0], 0,
               s->n0 * s->n1 * sizeof(float));
    memset(s->seen, 0, (size_t)t->threads * s->seen_stride * sizeof(uint64_t));
}

static void sparse_end(sn_trainer *t)
{
    sparse_state *s = state(t);
    sn_transpose(s->n0, s->n1, s->wt, t->net->params + t->net->w_off[0]);
}

static double sparse_samples(sn_trainer *t, int id, const sn_dataset *ds,
                             const uint32_t *order, size_t first, size_t lo,
                             size_t hi)
{
    sparse_state *s = state(t);
    const sn_kernels *k = t->cfg.kernels;
    const sn_net *net = t->net;
    sn_activations *a = &t->acts[id];
    float *grad = t->grads + (size_t)id * t->grad_stride;
    /* The first layer's gradient (transposed) is kept zero by the update;
     * the rest is cleared here, by the thread that owns it. */
    memset(grad + net->b_off[0], 0,
           (net->nparams - net->b_off[0]) * sizeof(float));
    uint32_t *idx = s->idx + (size_t)id * s->list_stride;
    float *val = s->val + (size_t)id * s->list_stride;
    uint64_t *seen = s->seen + (size_t)id * s->seen_stride;
    const float *b1 = net->params + net->b_off[0];
    float *db1 = grad + net->b_off[0];
    float *dwt = grad + net->w_off[0];

    double cost = 0.0;
    for (size_t i = lo; i < hi; i++) {
        const size_t smp = sn_batch_sample(order, first, i);
        const uint8_t *x = ds->pixels + smp * ds->input_size;
        size_t nnz;
        if (s->dense) {
            for (size_t c = 0; c < s->n0; c++) {
                idx[c] = (uint32_t)c;
                val[c] = (float)x[c] * SN_PIXEL_SCALE;
            }
            nnz = s->n0;
            memset(seen, 0xff, s->words * sizeof(uint64_t));
        } else {
            nnz = k->nonzero_u8(s->n0, x, SN_PIXEL_SCALE, idx, val, seen);
        }

        layer_forward_sparse(k, s->n1, nnz, idx, val, s->wt, b1, a->act[0]);
        net_forward_upper(k, net, a);
        cost += net_backward_upper(k, net, ds->labels[smp], a, grad);
        float *delta1 = a->dcda[0];
        k->sigmoid_backward(s->n1, delta1, a->act[0], delta1);
        k->vadd(s->n1, delta1, db1);
        k->ger_sparse(s->n1, nnz, idx, val, delta1, dwt);
    }
    return cost;
}

/* Reduces and steps first-layer rows [ka, kb) (pixels), then clears them. */
static void step_rows(sn_trainer *t, int nt, size_t ka, size_t kb, size_t n)
{
    sparse_state *s = state(t);
    const size_t base = t->net->w_off[0] + ka * s->n1;
    const size_t len = (kb - ka) * s->n1;
    sn_reduce_and_step(t, nt, base, len, s->wt + ka * s->n1, t->accum + base,
                       n);
    for (int j = 0; j < nt; j++)
        memset(t->grads + (size_t)j * t->grad_stride + base, 0,
               len * sizeof(float));
}

static int any_seen(const sparse_state *s, int nt, size_t c)
{
    uint64_t bits = 0;
    for (int j = 0; j < nt; j++)
        bits |= s->seen[(size_t)j * s->seen_stride + c / 64];
    return (int)((bits >> (c % 64)) & 1);
}

static void sparse_update(sn_trainer *t, int id, int nt, size_t n)
{
    sparse_state *s = state(t);
    const sn_net *net = t->net;

    /* The first layer, split by whole bitmap words of pixels (so that each
     * thread alone clears its words): visit runs of touched rows. */
    const size_t w0 = s->words * (size_t)id / (size_t)nt;
    const size_t w1 = s->words * (size_t)(id + 1) / (size_t)nt;
    const size_t c0 = w0 * 64;
    const size_t c1 = w1 * 64 < s->n0 ? w1 * 64 : s->n0;
    size_t run = SIZE_MAX;
    for (size_t c = c0; c < c1; c++) {
        const int hit = any_seen(s, nt, c);
        if (hit && run == SIZE_MAX)
            run = c;
        if (!hit && run != SIZE_MAX) {
            step_rows(t, nt, run, c, n);
            run = SIZE_MAX;
        }
    }
    if (run != SIZE_MAX)
        step_rows(t, nt, run, c1, n);
    for (int j = 0; j < nt; j++)
        for (size_t w = w0; w < w1; w++)
            s->seen[(size_t)j * s->seen_stride + w] = 0;

    /* Everything after W1 (b1, then W2, b2, ...) in params layout. */
    const size_t rest = net->nparams - net->b_off[0];
    size_t lo, hi;
    sn_thread_slice(rest, id, nt, &lo, &hi);
    const size_t off = net->b_off[0] + lo;
    sn_reduce_and_step(t, nt, off, hi - lo, net->params + off, t->accum + off,
                       n);
}

const sn_engine sn_engine_sparse = {
    .name = "sparse",
    .create = sparse_create,
    .destroy = sparse_destroy,
    .begin = sparse_begin,
    .end = sparse_end,
    .samples = sparse_samples,
    .update = sparse_update,
    .accum_w1_transposed = 1,
};
