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
 * Skipping changes no value. It holds only for AdaGrad and plain SGD:
 * momentum, moments and weight decay move a parameter whose gradient is
 * 0. Without weight decay the other optimizers still leave alone a row
 * whose gradient and state are all zero (sn_optimizer_rests_at_zero): a
 * pixel no sample has touched yet, such as MNIST's 67 that are zero in
 * every training image. Their update visits the rows of the `live` bitmap
 * (touched in some batch so far, or with state from a checkpoint) and
 * this batch's touched ones; with weight decay, every row. Every row the
 * update steps it also zeroes in every buffer (sn_reduce_step_and_clear),
 * and it steps every row a sample touched: the next batch finds its
 * gradients at zero, with no clearing pass over rows gone from cache.
 *
 * Layers 2..L run over tiles of samples as small matrix products (gemm,
 * gemm_tn): their activations stay in L1, a few kernel calls per tile.
 * Where a ReLU layer's zeros make enough of them, the products skip them
 * (upper_layers.c: measured on each batch's first tile; same values).
 *
 * A first layer wider than WIDE columns is kept as panels of PANEL
 * columns of W1^T (panels_from), and a tile runs through one panel before
 * the next: a 512-wide W1^T (1.6 MB) no longer fits in L2, a panel does,
 * so it is read from L3 once per tile instead of once per sample, and rows
 * 4 KiB apart (1024 wide) no longer share a handful of cache sets. The
 * rows path on panels computes each value as the single panel did, bit
 * for bit.
 *
 * A first layer of GROUPED_WIDE or more runs by tile by default
 * (sn_first_layer, "grouped"): gemm_sparse takes the tile's samples
 * through W1^T a block of 96 rows at a time, the block in L1 while every
 * sample sums its entries there in registers; the tile's pixel lists are
 * regrouped by pixel once, and gemm_tn_sparse reads and writes each
 * gradient row once per tile instead of once per sample. Both sums run in
 * another order than the rows path's: other bits (docs/engines.md).
 *
 * With two threads or more in one process, a grouped first layer of at
 * least SPLIT_MIN_COLS columns a thread is split between them by columns
 * (split_samples): each owns whole panels of W1^T with their gradient and
 * optimizer state for the whole batch, and only the batch's first-layer
 * outputs and deltas cross between the cores; layers 2..L still go by
 * samples. Over the samples split, whose update read every thread's
 * gradient rows and wrote weights the other core had read, it ran up to
 * twice as fast where the cores pass lines slowly (docs/engines.md).
 *
 * WT lives here while a call to sn_train_* runs and goes back to net->params
 * at its end; the first layer's optimizer state stays in panels for good.
 */
#include <omp.h>
#include <string.h>

#include "alloc.h"
#include "checked.h"
#include "engine.h"
#include "engine_sparse.h"
#include "error.h"
#include "head.h"
#include "hidden.h"
#include "optimizer.h"
#include "trainer.h"
#include "upper_layers.h"

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
    sn_free(s->live);
    sn_free(s->wt_up);
    sn_free(s->wt);
    sn_free(s->zb);
    sn_free(s->db);
    sn_free(s->groups);
    sn_free(s->groups_block);
    sn_free(s);
    t->engine_state = NULL;
}

/* Points g's arrays at p: room for `entries` entries and `pixels`
 * pixels, each array on its own cache lines. Returns the float after. */
static float *carve_groups(pixel_groups *g, float *p, size_t entries,
                           size_t pixels)
{
    g->row = (uint32_t *)p;
    p += entries;
    g->cval = p;
    p += entries;
    g->pix = (uint32_t *)p;
    p += pixels;
    g->start = (uint32_t *)p;
    return p + pixels;
}

/* Carves one thread's scratch out of a single allocation, each piece on
 * its own cache lines. */
static int thread_create(sparse_thread *th, const sparse_state *s,
                         const sn_net *net)
{
    const size_t n0 = net->sizes[0];
    /* Room for a whole vector past the tile's last entry (nonzero_u8). */
    const size_t list = sn_pad_floats(s->tile * n0 + 16);
    const size_t per_pixel = sn_pad_floats(n0 + 1);
    /* A panel's columns of the tile's deltas: PANEL columns, or up to WIDE
     * (padded: sparse_panel_ld) where one panel holds them all. */
    const size_t dpanel = sn_pad_floats(s->tile * WIDE);
    size_t floats = 4 * list + 3 * per_pixel + dpanel;
    for (size_t l = 0; l < net->nlayers; l++)
        floats += 2 * sn_pad_floats(s->tile * net->sizes[l + 1]);
    float *p = sn_alloc_array(floats, sizeof(float));
    if (!p)
        return -1;
    th->block = p;
    th->idx = (uint32_t *)p;
    p += list;
    th->val = p;
    p += list;
    p = carve_groups(&th->groups, p, list, per_pixel);
    th->slot = (uint32_t *)p;
    p += per_pixel;
    th->dpanel = p;
    p += dpanel;

    for (size_t l = 0; l < net->nlayers; l++) {
        th->act[l] = p;
        p += sn_pad_floats(s->tile * net->sizes[l + 1]);
        th->delta[l] = p;
        p += sn_pad_floats(s->tile * net->sizes[l + 1]);
        if (l >= 1)
            th->wt[l] = s->wt_up + s->wt_up_off[l];
    }
    return 0;
}

/* The threads' split and the panels (docs/engines.md): by columns where
 * the first layer is grouped, the run is one process and every thread
 * gets SPLIT_MIN_COLS columns or more; then a layer of up to WIDE columns
 * is cut into one panel per thread, a wider one keeps its PANEL columns,
 * and thread j takes the whole panels nearest [n1 j / T, n1 (j+1) / T).
 * The column sums do not depend on the panels: W1's values are those of
 * one thread. */
static int split_create(sn_trainer *t, sparse_state *s)
{
    const size_t nt = (size_t)t->threads;
    const sn_thread_split want = t->cfg.thread_split;
    s->split = s->grouped && nt >= 2 && !t->cfg.collective &&
               (want == SN_THREAD_SPLIT_COLUMNS ||
                (want == SN_THREAD_SPLIT_AUTO &&
                 s->n1 >= SPLIT_MIN_COLS * nt));
    t->thread_split =
        s->split ? SN_THREAD_SPLIT_COLUMNS : SN_THREAD_SPLIT_SAMPLES;
    if (!s->split) {
        s->panel = s->n1 <= WIDE ? s->n1 : PANEL;
        return 0;
    }
    /* Panels of whole 16-float vectors (AVX-512's; two of AVX2's): 100
     * wide in two halves of 50 took 4 vectors each, 8 FMAs an entry where
     * one panel took 7. */
    s->panel = s->n1 <= WIDE ? ((s->n1 + nt - 1) / nt + 15) / 16 * 16 : PANEL;
    for (size_t j = 0; j <= nt; j++) {
        const size_t c = (s->n1 * j / nt + s->panel / 2) / s->panel * s->panel;
        s->cols[j] = j == nt || c > s->n1 ? s->n1 : c;
    }
    uint64_t floats;
    if (sn_mul_overflow(t->cfg.batch, s->n1, &floats) || !sn_fits_size(floats))
        return -1;
    s->zb = sn_alloc_array((size_t)floats, sizeof(float));
    s->db = sn_alloc_array((size_t)floats, sizeof(float));
    /* Each tile's groups: room for a whole tile's entries and pixels. */
    const size_t ntiles = (t->cfg.batch + s->tile - 1) / s->tile;
    const size_t entries = sn_pad_floats(s->tile * s->n0);
    const size_t pixels = sn_pad_floats(s->n0 + 1);
    uint64_t per_tile, all;
    if (sn_mul_add_overflow(2, entries, 2 * pixels, &per_tile) ||
        sn_mul_overflow(per_tile, ntiles, &all) || !sn_fits_size(all))
        return -1;
    s->groups = sn_alloc_array(ntiles, sizeof *s->groups);
    float *p = s->groups_block = sn_alloc_array((size_t)all, sizeof(float));
    if (!s->zb || !s->db || !s->groups || !p)
        return -1;
    for (size_t i = 0; i < ntiles; i++)
        p = carve_groups(&s->groups[i], p, entries, pixels);
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
    /* The rule (docs/engines.md): grouped from GROUPED_WIDE columns. */
    const sn_first_layer want = t->cfg.first_layer;
    s->grouped = want == SN_FIRST_LAYER_GROUPED ||
                 (want == SN_FIRST_LAYER_AUTO && s->n1 >= GROUPED_WIDE);
    t->first_layer = s->grouped ? SN_FIRST_LAYER_GROUPED : SN_FIRST_LAYER_ROWS;
    s->tile = s->grouped ? TILE_GROUPED : TILE;
    if (split_create(t, s) != 0) {
        sparse_destroy(t);
        return sn_set_error(err, "out of memory for the sparse engine");
    }
    s->words = (s->n0 + 63) / 64;
    /* The panels end with the last one's rows, padded (sparse_panel_ld). */
    const size_t last = (s->n1 - 1) / s->panel * s->panel;
    const size_t w1_floats = s->n0 * (last + sparse_panel_ld(s, last));
    s->shift = w1_floats - s->n0 * s->n1;
    t->work_floats = net->nparams + s->shift;
    s->wt = sn_alloc_array(w1_floats, sizeof(float));
    size_t up = 0;
    for (size_t l = 1; l < net->nlayers; l++) {
        s->wt_up_off[l] = up;
        up += sn_pad_floats(net->sizes[l] * net->sizes[l + 1]);
    }
    s->wt_up = sn_alloc_array(up ? up : 1, sizeof(float));
    s->th = sn_alloc_array((size_t)t->threads, sizeof *s->th);
    /* Each bitmap on lines of its own: threads set bits every sample. */
    s->seen_stride = sn_pad_floats(2 * s->words) / 2;
    s->seen = sn_alloc_array((size_t)t->workers * s->seen_stride,
                             sizeof *s->seen);
    s->skip = sn_optimizer_skips_zero_gradients(&t->cfg) ? SKIP_UNTOUCHED
              : sn_optimizer_rests_at_zero(&t->cfg)    ? SKIP_AT_REST
                                                       : SKIP_NONE;
    s->live = sn_alloc_array(s->words, sizeof *s->live);
    int bad = !s->wt || !s->wt_up || !s->th || !s->seen || !s->live;
    for (int j = 0; j < t->threads && !bad; j++) {
        bad = thread_create(&s->th[j], s, net) != 0;
        sn_upper_products_update(t->cfg.kernels, net, -1, 0, NULL,
                                 &s->th[j].up);
        s->th[j].seen = s->seen + (size_t)(t->worker0 + j) * s->seen_stride;
    }
    if (bad) {
        sparse_destroy(t);
        return sn_set_error(err, "out of memory for the sparse engine");
    }
    return 0;
}

/* The upper layers' weights in net->params [lo, hi) into their shared
 * transposes, row by row of W. */
static void upper_transpose_range(const sparse_state *s, const sn_kernels *k,
                                  const sn_net *net, size_t lo, size_t hi)
{
    for (size_t l = 1; l < net->nlayers; l++) {
        const size_t rows = net->sizes[l + 1], cols = net->sizes[l];
        const size_t w0 = net->w_off[l], w1 = w0 + rows * cols;
        const size_t a = lo > w0 ? lo : w0, b = hi < w1 ? hi : w1;
        const float *w = net->params + w0;
        float *wt = s->wt_up + s->wt_up_off[l];
        if (a >= b)
            continue;
        /* The whole rows by the transpose kernel (in blocks: a row at a
         * time wrote one float per cache line of W^T, 14% of a
         * 784-256-256-10 batch); the partial rows at either end float by
         * float. */
        const size_t ea = a - w0, eb = b - w0;
        const size_t ra = (ea + cols - 1) / cols, rb = eb / cols;
        if (ra > rb) { /* within one row */
            for (size_t e = ea; e < eb; e++)
                wt[(e % cols) * rows + e / cols] = w[e];
            continue;
        }
        for (size_t e = ea; e < ra * cols; e++)
            wt[(e % cols) * rows + e / cols] = w[e];
        k->transpose(rows, cols, w, ra, rb, wt);
        for (size_t e = rb * cols; e < eb; e++)
            wt[(e % cols) * rows + e / cols] = w[e];
    }
}

/* Whether pixel c's rows of every state array (in panels) are all +0. */
static int row_at_rest(const sn_trainer *t, const sparse_state *s, size_t c)
{
    for (size_t k = 0; k < t->nstates; k++)
        for (size_t c0 = 0; c0 < s->n1; c0 += s->panel) {
            const size_t w = sparse_panel_width(s, c0);
            const float *row = t->state[k] + t->net->w_off[0] +
                               c0 * s->n0 + c * sparse_panel_ld(s, c0);
            for (size_t j = 0; j < w; j++) {
                uint32_t bits; /* -0 is not at rest: its sign is state */
                memcpy(&bits, &row[j], sizeof bits);
                if (bits != 0)
                    return 0;
            }
        }
    return 1;
}

/* The live bitmap from the state as it is now: it may come from a
 * checkpoint, or from an earlier call with other data. */
static void live_from_state(const sn_trainer *t, sparse_state *s)
{
    memset(s->live, 0, s->words * sizeof *s->live);
    if (s->skip != SKIP_AT_REST)
        return;
    for (size_t c = 0; c < s->n0; c++)
        if (!row_at_rest(t, s, c))
            s->live[c / 64] |= (uint64_t)1 << (c % 64);
}

static void sparse_begin(sn_trainer *t)
{
    sparse_state *s = state(t);
    live_from_state(t, s);
    const sn_kernels *k = t->cfg.kernels;
    sparse_panels_from(s, k, t->net->params + t->net->w_off[0], s->wt);
    for (size_t l = 1; l < t->net->nlayers; l++) {
        const size_t rows = t->net->sizes[l + 1];
        k->transpose(rows, t->net->sizes[l], t->net->params + t->net->w_off[l],
                     0, rows, s->wt_up + s->wt_up_off[l]);
    }
    /* A previous call may have stopped between a batch's phases: start
     * from clean gradients and bitmaps. */
    for (int j = t->worker0; j < t->worker0 + t->threads; j++) {
        memset(t->grads + (size_t)j * t->grad_stride, 0,
               t->work_floats * sizeof(float));
        memset(s->seen + (size_t)j * s->seen_stride, 0,
               s->words * sizeof(uint64_t));
    }
}

static void sparse_end(sn_trainer *t)
{
    sparse_state *s = state(t);
    sparse_panels_to(s, t->cfg.kernels, s->wt,
                     t->net->params + t->net->w_off[0]);
}

/* The pixels (or the kept list) of a sample are read once per epoch, from
 * memory; asking for the next sample's while this one computes hides that
 * latency (the loads of nonzero_u8 were its hottest instructions without
 * it). */
static void prefetch_sample(const sparse_thread *th, const sn_dataset *ds,
                            size_t smp)
{
    if (th->lists) {
        sn_pixel_lists_prefetch(th->lists, th->lists_first + smp);
        return;
    }
    const char *p = (const char *)(ds->pixels + smp * ds->input_size);
    for (size_t off = 0; off < ds->input_size; off += 64)
        __builtin_prefetch(p + off, 0, 0);
}

/* Sample smp's pixel list, as tile row r: its nonzero pixels, kept or
 * listed now, or all of them in dense mode, at th->idx + pos (where the
 * grouped path reads the tile's lists together) or where the kept lists
 * hold it (th->sidx[r]). Returns the count. */
static size_t pixel_list(const sparse_state *s, const sn_kernels *k,
                         sparse_thread *th, const sn_dataset *ds, size_t smp,
                         size_t r, uint32_t pos)
{
    uint32_t *idx = th->idx + pos;
    float *val = th->val + pos;
    th->sidx[r] = idx;
    th->sval[r] = val;
    if (th->lists) {
        const size_t n = sn_pixel_lists_get(th->lists, th->lists_first + smp,
                                            &th->sidx[r], &th->sval[r],
                                            th->seen);
        if (s->grouped) {
            memcpy(idx, th->sidx[r], n * sizeof *idx);
            memcpy(val, th->sval[r], n * sizeof *val);
            th->sidx[r] = idx;
            th->sval[r] = val;
        }
        return n;
    }
    const uint8_t *x = ds->pixels + smp * ds->input_size;
    if (!s->dense)
        return k->nonzero_u8(s->n0, x, SN_PIXEL_SCALE, idx, val, th->seen);
    for (size_t c = 0; c < s->n0; c++) {
        idx[c] = (uint32_t)c;
        val[c] = (float)x[c] * SN_PIXEL_SCALE;
    }
    memset(th->seen, 0xff, s->words * sizeof(uint64_t));
    if (s->n0 % 64)
        th->seen[s->words - 1] = ((uint64_t)1 << (s->n0 % 64)) - 1;
    return s->n0;
}

/* Where layer l's product for the tile goes: the activations of a hidden
 * layer (activated in place), the delta buffer for the output's logits,
 * which the head reads and overwrites with the delta. */
static float *tile_product(sparse_thread *th, size_t L, size_t l)
{
    return l + 1 == L ? th->delta[l] : th->act[l];
}

/* A hidden layer's activation over the whole tile in one call (the
 * output's is the head's). */
static void tile_activate(const sn_kernels *k, const sn_net *net,
                          sparse_thread *th, size_t l, size_t m)
{
    if (l + 1 < net->nlayers)
        sn_hidden_ops_for(k, net->act[l]).forward(m * net->sizes[l + 1],
                                                  th->act[l], th->act[l]);
}

/* A hidden layer's delta from its dC/da, in place, the tile at once; the
 * output's delta is the head's already. */
static void tile_backward(const sn_kernels *k, const sn_net *net,
                          sparse_thread *th, size_t l, size_t m)
{
    if (l + 1 < net->nlayers)
        sn_hidden_ops_for(k, net->act[l]).backward(m * net->sizes[l + 1],
                                                   th->delta[l], th->act[l],
                                                   th->delta[l]);
}

/* The pixel lists of the tile's m samples from batch position i0 into th
 * (rowptr, idx, val, and th->seen's bits), the next tile's first sample
 * (next, or SIZE_MAX) asked for meanwhile. */
static void tile_lists(const sn_trainer *t, sparse_thread *th,
                       const sn_dataset *ds, const uint32_t *order,
                       size_t first, size_t i0, size_t m, size_t next)
{
    const sparse_state *s = state(t);
    uint32_t pos = 0;
    for (size_t r = 0; r < m; r++) {
        const size_t smp = sn_batch_sample(order, first, i0 + r);
        if (r + 1 < m)
            prefetch_sample(th, ds, sn_batch_sample(order, first, i0 + r + 1));
        else if (next != SIZE_MAX)
            prefetch_sample(th, ds, sn_batch_sample(order, first, next));
        th->rowptr[r] = pos;
        pos += (uint32_t)pixel_list(s, t->cfg.kernels, th, ds, smp, r, pos);
    }
    th->rowptr[m] = pos;
}

/* A tile from the first layer's outputs before the activation (in
 * tile_product(th, L, 0)) to the first layer's delta (th->delta[0]):
 * layers 2..L forward, the head, back to layer 1, the upper layers' and
 * b1's gradients into the gradient buffer grad (at their offsets in
 * net->params, s->shift floats on). Returns the tile's cost. */
static double tile_middle(sn_trainer *t, sparse_thread *th,
                          const sn_dataset *ds, const uint32_t *order,
                          size_t first, size_t i0, size_t m, float *grad)
{
    const sparse_state *s = state(t);
    const sn_kernels *k = t->cfg.kernels;
    const sn_net *net = t->net;
    const size_t L = net->nlayers;
    const size_t *n = net->sizes;

    tile_activate(k, net, th, 0, m);

    /* Upper layers forward, the tile at once; on a batch's first tile,
     * where ReLU's zeros pay. */
    const sn_tile_layers tl = {th->act, th->delta, th->wt, m};
    sn_upper_forward(k, net, &th->up, &tl);
    if (th->measure)
        sn_upper_products_update(k, net, t->cfg.relu_zeros, m, th->act, &th->up);
    th->measure = 0;

    /* The head: the output's activations, the cost and its delta. */
    unsigned labels[TILE_MAX];
    for (size_t r = 0; r < m; r++)
        labels[r] = ds->labels[sn_batch_sample(order, first, i0 + r)];
    const double cost = sn_head_run(k, net, m, n[L], th->delta[L - 1],
                                    th->act[L - 1], labels, th->delta[L - 1]);

    float *rest = grad + s->shift;
    sn_upper_backward(k, net, &th->up, &tl, rest);

    /* First layer backward: its delta, and b1's gradient. */
    float *d1 = th->delta[0];
    tile_backward(k, net, th, 0, m);
    for (size_t r = 0; r < m; r++)
        k->vadd(s->n1, d1 + r * s->n1, rest + net->b_off[0]);
    return cost;
}

/* Forward and backward for a tile of m samples, gradients into grad. The
 * first layer's gradient from the tile's nonzero pixels into the
 * transposed gradient (sparse_first_layer_gradient). At 32 wide two ways
 * of cutting the L2 traffic of W1^T and its gradient were measured and
 * dropped, for forward and backward alike: regrouping a tile's pixels by
 * column (72 against 52 ms per epoch on one core: the regrouping costs
 * more than it saves at 32 columns; it pays wider, docs/engines.md), and
 * walking the tile in blocks of 128 pixels so a block of rows stays in L1
 * (no gain within noise). */
static double run_tile(sn_trainer *t, sparse_thread *th, const sn_dataset *ds,
                       const uint32_t *order, size_t first, size_t i0,
                       size_t m, size_t next, float *grad)
{
    const sparse_state *s = state(t);
    const sn_kernels *k = t->cfg.kernels;
    const sn_net *net = t->net;

    tile_lists(t, th, ds, order, first, i0, m, next);
    sparse_first_layer_forward(s, k, th, m, net->params + net->b_off[0],
                               tile_product(th, net->nlayers, 0), 0, s->n1);
    const double cost = tile_middle(t, th, ds, order, first, i0, m, grad);
    sparse_first_layer_gradient(s, k, th, m, th->delta[0],
                                grad + net->w_off[0], 0, s->n1);
    return cost;
}

/* Whether this batch runs the columns split: the team is the one it was
 * planned for (OpenMP may give fewer threads than asked). */
static int split_now(const sn_trainer *t, int nt)
{
    return state(t)->split && nt == t->threads;
}

/* The columns split (docs/engines.md). Three phases, a barrier between
 * each: the batch's first layer forward on this thread's columns, in the
 * tiles of one thread, grouping every T-th tile by pixel for all; its own
 * samples through layers 2..L and back, as the samples split does; the
 * batch's first-layer gradient on its columns from the shared groups,
 * into its own buffer, which the update alone reads. */
static double split_samples(sn_trainer *t, int id, const sn_dataset *ds,
                            const uint32_t *order, size_t first, size_t n,
                            size_t lo, size_t hi, float *grad)
{
    sparse_state *s = state(t);
    sparse_thread *th = &s->th[id];
    const sn_kernels *k = t->cfg.kernels;
    const sn_net *net = t->net;
    const size_t n1 = s->n1, c0 = s->cols[id], c1 = s->cols[id + 1];
    const size_t nt = (size_t)t->threads;

    for (size_t i = 0, ti = 0; i < n; i += s->tile, ti++) {
        const size_t m = n - i < s->tile ? n - i : s->tile;
        tile_lists(t, th, ds, order, first, i, m, i + m < n ? i + m : SIZE_MAX);
        sparse_first_layer_forward(s, k, th, m, net->params + net->b_off[0],
                                   s->zb + i * n1, c0, c1);
        if (ti % nt == (size_t)id)
            sparse_group_by_pixel(s, th, m, &s->groups[ti]);
    }
    /* Every thread saw every sample: thread 0's bitmap is the batch's, and
     * the update only reads live (rows_to_step). */
    if (id == 0 && s->skip == SKIP_AT_REST)
        for (size_t w = 0; w < s->words; w++)
            s->live[w] |= th->seen[w];
#pragma omp barrier

    double cost = 0.0;
    th->measure = 1;
    for (size_t i = lo; i < hi; i += s->tile) {
        const size_t m = hi - i < s->tile ? hi - i : s->tile;
        memcpy(tile_product(th, net->nlayers, 0), s->zb + i * n1,
               m * n1 * sizeof(float));
        cost += tile_middle(t, th, ds, order, first, i, m, grad);
        memcpy(s->db + i * n1, th->delta[0], m * n1 * sizeof(float));
    }
#pragma omp barrier

    for (size_t i = 0, ti = 0; i < n; i += s->tile, ti++) {
        const size_t m = n - i < s->tile ? n - i : s->tile;
        sparse_grouped_gradient(s, k, th, &s->groups[ti], m, s->db + i * n1,
                                grad + net->w_off[0], c0, c1);
    }
    return cost;
}

static double sparse_samples(sn_trainer *t, int id, const sn_dataset *ds,
                             const uint32_t *order, size_t first, size_t n,
                             size_t lo, size_t hi)
{
    sparse_state *s = state(t);
    sparse_thread *th = &s->th[id];
    float *grad = t->grads + (size_t)(t->worker0 + id) * t->grad_stride;
    th->lists = t->lists && !s->dense &&
                        sn_pixel_lists_cover(t->lists, ds, &th->lists_first)
                    ? t->lists
                    : NULL;
    /* The gradient is zero: the last update stepped, and cleared, every
     * row any sample touched and all the rest (sparse_update). */
    memset(th->seen, 0, s->words * sizeof *th->seen);
    if (split_now(t, omp_get_num_threads()))
        return split_samples(t, id, ds, order, first, n, lo, hi, grad);

    double cost = 0.0;
    th->measure = 1;
    for (size_t i = lo; i < hi; i += s->tile) {
        const size_t m = hi - i < s->tile ? hi - i : s->tile;
        const size_t next = i + m < hi ? i + m : SIZE_MAX;
        cost += run_tile(t, th, ds, order, first, i, m, next, grad);
    }
    return cost;
}

/* Which first-layer rows an update steps, and from which gradients: the
 * columns [c0, c1) (whole panels) of each, summed over the nb buffers
 * from j0; the bitmaps of the nb workers from j0 name the touched rows,
 * and live joins them (SKIP_AT_REST) if set_live. */
typedef struct row_steps {
    size_t c0, c1;
    int j0, nb;
    int set_live;
} row_steps;

/* Reduces and steps first-layer rows [ka, kb) (pixels), and zeroes them
 * in the buffers for the next batch. */
static void step_rows(sn_trainer *t, const row_steps *rs, size_t ka,
                      size_t kb, size_t n)
{
    sparse_state *s = state(t);
    for (size_t c = rs->c0; c < rs->c1; c += s->panel) {
        const size_t ld = sparse_panel_ld(s, c);
        const size_t at = c * s->n0 + ka * ld;
        sn_reduce_step_and_clear_some(t, rs->j0, rs->nb,
                                      t->net->w_off[0] + at, (kb - ka) * ld,
                                      s->wt + at, n);
    }
}

/* Word w of the rows to step this batch: those the workers touched, and
 * in SKIP_AT_REST mode the live ones, which they then join. Words belong
 * to one thread each in the samples split's update, so live needs no lock;
 * the columns split's threads step every word, and its live is set before
 * (split_samples). */
static uint64_t rows_to_step(sparse_state *s, const row_steps *rs, size_t w)
{
    uint64_t bits = 0;
    for (int j = rs->j0; j < rs->j0 + rs->nb; j++)
        bits |= s->seen[(size_t)j * s->seen_stride + w];
    if (s->skip == SKIP_AT_REST)
        bits = rs->set_live ? (s->live[w] |= bits) : s->live[w] | bits;
    return bits;
}

/* Steps the runs of rows in words [w0, w1) that rows_to_step names; a run
 * may span words. A whole word in or out of the run costs no bit loop. */
static void step_touched_rows(sn_trainer *t, const row_steps *rs, size_t w0,
                              size_t w1, size_t n)
{
    sparse_state *s = state(t);
    size_t run = SIZE_MAX;
    for (size_t w = w0; w < w1; w++) {
        const uint64_t bits = rows_to_step(s, rs, w);
        const size_t base = w * 64;
        const size_t end = base + 64 < s->n0 ? base + 64 : s->n0;
        if ((bits == 0 && run == SIZE_MAX) ||
            (bits == ~(uint64_t)0 && run != SIZE_MAX))
            continue;
        for (size_t c = base; c < end; c++) {
            const int hit = (int)((bits >> (c - base)) & 1);
            if (hit && run == SIZE_MAX)
                run = c;
            if (!hit && run != SIZE_MAX) {
                step_rows(t, rs, run, c, n);
                run = SIZE_MAX;
            }
        }
    }
    const size_t c1 = w1 * 64 < s->n0 ? w1 * 64 : s->n0;
    if (run != SIZE_MAX)
        step_rows(t, rs, run, c1, n);
}

static void sparse_update(sn_trainer *t, int id, int nt, size_t n)
{
    sparse_state *s = state(t);
    const sn_net *net = t->net;

    /* The first layer: in the samples split, by whole 64-pixel words, all
     * columns, from every buffer; in the columns split, every row of this
     * thread's columns, from its own buffer (the one its gradient is in).
     * The rows whose step can change something (SKIP_*), else all. */
    size_t w0 = s->words * (size_t)id / (size_t)nt;
    size_t w1 = s->words * (size_t)(id + 1) / (size_t)nt;
    row_steps rs = {0, s->n1, 0, nt, 1};
    if (split_now(t, nt)) {
        w0 = 0;
        w1 = s->words;
        rs = (row_steps){s->cols[id], s->cols[id + 1], id, 1, 0};
    }
    const size_t c0 = w0 * 64;
    const size_t c1 = w1 * 64 < s->n0 ? w1 * 64 : s->n0;
    if (s->skip != SKIP_NONE)
        step_touched_rows(t, &rs, w0, w1, n);
    else if (c0 < c1)
        step_rows(t, &rs, c0, c1, n);

    /* Everything after W1 (b1, then W2, b2, ...) in params layout. */
    const size_t rest = net->nparams - net->b_off[0];
    size_t lo, hi;
    sn_thread_slice(rest, id, nt, &lo, &hi);
    const size_t off = net->b_off[0] + lo;
    sn_reduce_step_and_clear(t, nt, off + s->shift, hi - lo, net->params + off,
                             n);
    /* Every share is stepped on every rank (train.c), so the shares'
     * transposes make the whole copy, current once the batch's last
     * barrier has passed. */
    upper_transpose_range(s, t->cfg.kernels, net, off, off + (hi - lo));
}

/* The bitmaps: the update visits the rows any worker touched. */
static void *sparse_worker_slots(sn_trainer *t, size_t *bytes)
{
    sparse_state *s = state(t);
    *bytes = s->seen_stride * sizeof *s->seen;
    return s->seen;
}

/* The first layer's optimizer state is kept in panels, like WT, and what
 * follows W1 s->shift floats on (sparse_state). */
static void sparse_state_export(const sn_trainer *t, size_t k, float *dst)
{
    const sparse_state *s = state(t);
    const sn_net *net = t->net;
    const size_t w1 = net->w_off[0], b1 = net->b_off[0];
    memcpy(dst, t->state[k], w1 * sizeof *dst);
    sparse_panels_to(s, t->cfg.kernels, t->state[k] + w1, dst + w1);
    memcpy(dst + b1, t->state[k] + b1 + s->shift,
           (net->nparams - b1) * sizeof *dst);
}

static void sparse_state_import(sn_trainer *t, size_t k, const float *src)
{
    const sparse_state *s = state(t);
    const sn_net *net = t->net;
    const size_t w1 = net->w_off[0], b1 = net->b_off[0];
    memcpy(t->state[k], src, w1 * sizeof *src);
    sparse_panels_from(s, t->cfg.kernels, src + w1, t->state[k] + w1);
    memcpy(t->state[k] + b1 + s->shift, src + b1,
           (net->nparams - b1) * sizeof *src);
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
    .state_export = sparse_state_export,
    .state_import = sparse_state_import,
};
