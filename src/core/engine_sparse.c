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
 * Layers 2..L are small (32x32, 10x32): they run over tiles of samples as
 * small matrix products (gemm, gemm_tn), which keeps their activations in
 * L1 and replaces a dozen kernel calls per sample by a few per tile.
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

/* Samples per tile: the upper layers run as small matrix products over a
 * tile (gemm, gemm_tn), whose activations and deltas stay in L1. */
#define TILE 16

/* One thread's scratch: a tile's pixel lists, activations and deltas, and
 * its own transposed copies of the upper layers' weights. */
typedef struct sparse_thread {
    uint32_t *idx;                /* the tile's nonzero pixels, concatenated */
    float *val;                   /* their values, scaled by 1/255 */
    uint32_t rowptr[TILE + 1];    /* sample r's pixels: rowptr[r] .. [r+1] */

    float *act[SN_MAX_LAYERS];    /* [TILE][sizes[l+1]], dense rows */
    float *delta[SN_MAX_LAYERS];  /* same shape: dC/da, then delta */
    float *wt[SN_MAX_LAYERS];     /* W(l+1)^T [sizes[l]][sizes[l+1]], l >= 1 */
    uint64_t *seen;               /* a bit per pixel hit this batch: its
                                     worker's slot of sparse_state.seen */
    void *block;                  /* the one allocation behind all of it */
} sparse_thread;

typedef struct sparse_state {
    size_t n0, n1;          /* inputs and first-layer width */
    float *wt;              /* W1 transposed: [n0][n1] */
    size_t words;           /* 64-pixel words of a bitmap */
    sparse_thread *th;      /* one per thread */
    uint64_t *seen;         /* every worker's bitmap, `seen_stride` apart */
    size_t seen_stride;     /* words rounded up to whole cache lines */
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
    if (s->th) {
        for (int j = 0; j < t->threads; j++)
            sn_free(s->th[j].block);
    }
    sn_free(s->th);
    sn_free(s->seen);
    sn_free(s->wt);
    sn_free(s);
    t->engine_state = NULL;
}

/* Carves one thread's scratch out of a single allocation, each piece on
 * its own cache lines. */
static int thread_create(sparse_thread *th, const sn_net *net)
{
    const size_t n0 = net->sizes[0];
    /* Room for a whole vector past the tile's last entry (nonzero_u8). */
    const size_t list = sn_pad_floats(TILE * n0 + 16);
    size_t floats = 2 * list;
    for (size_t l = 0; l < net->nlayers; l++) {
        floats += 2 * sn_pad_floats(TILE * net->sizes[l + 1]);
        if (l >= 1)
            floats += sn_pad_floats(net->sizes[l] * net->sizes[l + 1]);
    }
    float *p = sn_alloc_array(floats, sizeof(float));
    if (!p)
        return -1;
    th->block = p;
    th->idx = (uint32_t *)p;
    p += list;
    th->val = p;
    p += list;

    for (size_t l = 0; l < net->nlayers; l++) {
        th->act[l] = p;
        p += sn_pad_floats(TILE * net->sizes[l + 1]);
        th->delta[l] = p;
        p += sn_pad_floats(TILE * net->sizes[l + 1]);
        if (l >= 1) {
            th->wt[l] = p;
            p += sn_pad_floats(net->sizes[l] * net->sizes[l + 1]);
        }
    }
    return 0;
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
    s->words = (s->n0 + 63) / 64;
    s->wt = sn_alloc_array(s->n0 * s->n1, sizeof(float));
    s->th = sn_alloc_array((size_t)t->threads, sizeof *s->th);
    /* Each bitmap on lines of its own: threads set bits every sample. */
    s->seen_stride = sn_pad_floats(2 * s->words) / 2;
    s->seen = sn_alloc_array((size_t)t->workers * s->seen_stride,
                             sizeof *s->seen);
    int bad = !s->wt || !s->th || !s->seen;
    for (int j = 0; j < t->threads && !bad; j++) {
        bad = thread_create(&s->th[j], net) != 0;
        s->th[j].seen = s->seen + (size_t)(t->worker0 + j) * s->seen_stride;
    }
    if (bad) {
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
     * from clean first-layer gradients and bitmaps. */
    for (int j = t->worker0; j < t->worker0 + t->threads; j++) {
        memset(t->grads + (size_t)j * t->grad_stride + t->net->w_off[0], 0,
               s->n0 * s->n1 * sizeof(float));
        memset(s->seen + (size_t)j * s->seen_stride, 0,
               s->words * sizeof(uint64_t));
    }
}

static void sparse_end(sn_trainer *t)
{
    sparse_state *s = state(t);
    sn_transpose(s->n0, s->n1, s->wt, t->net->params + t->net->w_off[0]);
}

/* The pixels of a sample are read once per epoch, from memory; asking for
 * the next sample's while this one computes hides that latency (the loads
 * of nonzero_u8 were its hottest instructions without it). */
static void prefetch_sample(const sn_dataset *ds, size_t smp)
{
    const char *p = (const char *)(ds->pixels + smp * ds->input_size);
    for (size_t off = 0; off < ds->input_size; off += 64)
        __builtin_prefetch(p + off, 0, 0);
}

/* The sample's pixel list: its nonzero pixels, or all of them in dense
 * mode. Returns the count. */
static size_t pixel_list(const sparse_state *s, const sn_kernels *k,
                         const uint8_t *x, uint32_t *idx, float *val,
                         uint64_t *seen)
{
    if (!s->dense)
        return k->nonzero_u8(s->n0, x, SN_PIXEL_SCALE, idx, val, seen);
    for (size_t c = 0; c < s->n0; c++) {
        idx[c] = (uint32_t)c;
        val[c] = (float)x[c] * SN_PIXEL_SCALE;
    }
    memset(seen, 0xff, s->words * sizeof(uint64_t));
    if (s->n0 % 64)
        seen[s->words - 1] = ((uint64_t)1 << (s->n0 % 64)) - 1;
    return s->n0;
}

/* Forward and backward for a tile of m samples, gradients into grad. */
static double run_tile(sn_trainer *t, sparse_thread *th, const sn_dataset *ds,
                       const uint32_t *order, size_t first, size_t i0,
                       size_t m, size_t next, float *grad)
{
    const sparse_state *s = state(t);
    const sn_kernels *k = t->cfg.kernels;
    const sn_net *net = t->net;
    const size_t L = net->nlayers;
    const size_t *n = net->sizes;
    const float *p = net->params;

    /* First layer: each sample's nonzero pixels through W1^T. */
    uint32_t pos = 0;
    for (size_t r = 0; r < m; r++) {
        const size_t smp = sn_batch_sample(order, first, i0 + r);
        if (r + 1 < m)
            prefetch_sample(ds, sn_batch_sample(order, first, i0 + r + 1));
        else if (next != SIZE_MAX)
            prefetch_sample(ds, sn_batch_sample(order, first, next));
        th->rowptr[r] = pos;
        pos += (uint32_t)pixel_list(s, k, ds->pixels + smp * ds->input_size,
                                    th->idx + pos, th->val + pos, th->seen);
    }
    th->rowptr[m] = pos;
    for (size_t r = 0; r < m; r++)
        k->gemv_sparse(s->n1, th->rowptr[r + 1] - th->rowptr[r],
                       th->idx + th->rowptr[r], th->val + th->rowptr[r], s->wt,
                       p + net->b_off[0], th->act[0] + r * s->n1);
    k->sigmoid(m * s->n1, th->act[0], th->act[0]);

    /* Upper layers forward, the tile at once. */
    for (size_t l = 1; l < L; l++) {
        k->gemm(m, n[l + 1], n[l], th->act[l - 1], th->wt[l], p + net->b_off[l],
                th->act[l]);
        k->sigmoid(m * n[l + 1], th->act[l], th->act[l]);
    }

    /* Cost and dC/da of the output layer. */
    double cost = 0.0;
    for (size_t r = 0; r < m; r++) {
        const size_t smp = sn_batch_sample(order, first, i0 + r);
        cost += l2_cost_forward_backward(n[L], th->act[L - 1] + r * n[L],
                                         ds->labels[smp],
                                         th->delta[L - 1] + r * n[L]);
    }

    /* Upper layers backward: delta, dW += delta^T a_prev, db += delta,
     * dC/da_prev = delta W. */
    for (size_t l = L - 1; l >= 1; l--) {
        float *d = th->delta[l];
        k->sigmoid_backward(m * n[l + 1], d, th->act[l], d);
        k->gemm_tn(m, n[l + 1], n[l], d, th->act[l - 1], grad + net->w_off[l]);
        for (size_t r = 0; r < m; r++)
            k->vadd(n[l + 1], d + r * n[l + 1], grad + net->b_off[l]);
        k->gemm(m, n[l], n[l + 1], d, p + net->w_off[l], NULL, th->delta[l - 1]);
    }

    /* First layer backward: its delta, then each sample's nonzero pixels
     * into the transposed gradient. Two ways of cutting the L2 traffic of
     * W1^T and its gradient were measured and dropped, for forward and
     * backward alike: regrouping a tile's pixels by column (each gradient
     * row written once per tile; 72 against 52 ms per epoch on one core:
     * the regrouping costs more than it saves), and walking the tile in
     * blocks of 128 pixels so a block of rows stays in L1 (no gain within
     * noise). The per-nonzero work, not L2, is the limit. */
    float *d1 = th->delta[0];
    k->sigmoid_backward(m * s->n1, d1, th->act[0], d1);
    for (size_t r = 0; r < m; r++)
        k->vadd(s->n1, d1 + r * s->n1, grad + net->b_off[0]);
    for (size_t r = 0; r < m; r++)
        k->ger_sparse(s->n1, th->rowptr[r + 1] - th->rowptr[r],
                      th->idx + th->rowptr[r], th->val + th->rowptr[r],
                      d1 + r * s->n1, grad + net->w_off[0]);
    return cost;
}

/* Zeroes the first-layer gradient rows this thread touched in the last
 * batch, and its bitmap, before it accumulates the next batch: each thread
 * clears only its own buffer. */
static void clear_touched(const sparse_state *s, sparse_thread *th,
                          float *dwt)
{
    for (size_t w = 0; w < s->words; w++) {
        for (uint64_t bits = th->seen[w]; bits; bits &= bits - 1) {
            const size_t pixel = w * 64 + (size_t)__builtin_ctzll(bits);
            memset(dwt + pixel * s->n1, 0, s->n1 * sizeof(float));
        }
        th->seen[w] = 0;
    }
}

static double sparse_samples(sn_trainer *t, int id, const sn_dataset *ds,
                             const uint32_t *order, size_t first, size_t lo,
                             size_t hi)
{
    sparse_state *s = state(t);
    const sn_net *net = t->net;
    sparse_thread *th = &s->th[id];
    float *grad = t->grads + (size_t)(t->worker0 + id) * t->grad_stride;
    /* Last batch's gradient: the first layer's touched rows, and the rest. */
    clear_touched(s, th, grad + net->w_off[0]);
    memset(grad + net->b_off[0], 0,
           (net->nparams - net->b_off[0]) * sizeof(float));
    /* This batch's upper weights, transposed for the forward products. */
    for (size_t l = 1; l < net->nlayers; l++)
        sn_transpose(net->sizes[l + 1], net->sizes[l],
                     net->params + net->w_off[l], th->wt[l]);

    double cost = 0.0;
    for (size_t i = lo; i < hi; i += TILE) {
        const size_t m = hi - i < TILE ? hi - i : TILE;
        const size_t next = i + m < hi ? i + m : SIZE_MAX;
        cost += run_tile(t, th, ds, order, first, i, m, next, grad);
    }
    return cost;
}

/* Reduces and steps first-layer rows [ka, kb) (pixels). The gradient rows
 * stay as they are: each thread clears its own at its next batch
 * (clear_touched). */
static void step_rows(sn_trainer *t, int nt, size_t ka, size_t kb, size_t n)
{
    sparse_state *s = state(t);
    const size_t base = t->net->w_off[0] + ka * s->n1;
    sn_reduce_and_step(t, nt, base, (kb - ka) * s->n1, s->wt + ka * s->n1,
                       t->accum + base, n);
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

    /* The first layer, split by whole 64-pixel words: visit runs of rows
     * some thread touched. */
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

    /* Everything after W1 (b1, then W2, b2, ...) in params layout. */
    const size_t rest = net->nparams - net->b_off[0];
    size_t lo, hi;
    sn_thread_slice(rest, id, nt, &lo, &hi);
    const size_t off = net->b_off[0] + lo;
    sn_reduce_and_step(t, nt, off, hi - lo, net->params + off, t->accum + off,
                       n);
}

/* The bitmaps: the update visits the rows any worker touched. */
static void *sparse_worker_slots(sn_trainer *t, size_t *bytes)
{
    sparse_state *s = state(t);
    *bytes = s->seen_stride * sizeof *s->seen;
    return s->seen;
}

/* The first layer's accumulators are kept transposed, like WT. */
static void sparse_accum_export(const sn_trainer *t, float *dst)
{
    const sparse_state *s = state(t);
    const size_t w1 = t->net->w_off[0];
    sn_accum_export_plain(t, dst);
    sn_transpose(s->n0, s->n1, t->accum + w1, dst + w1);
}

static void sparse_accum_import(sn_trainer *t, const float *src)
{
    const sparse_state *s = state(t);
    const size_t w1 = t->net->w_off[0];
    sn_accum_import_plain(t, src);
    sn_transpose(s->n1, s->n0, src + w1, t->accum + w1);
}

const sn_engine sn_engine_sparse = {
    .kind = SN_ENGINE_SPARSE,
    .create = sparse_create,
    .destroy = sparse_destroy,
    .begin = sparse_begin,
    .end = sparse_end,
    .samples = sparse_samples,
    .update = sparse_update,
    .worker_slots = sparse_worker_slots,
    .accum_export = sparse_accum_export,
    .accum_import = sparse_accum_import,
};
