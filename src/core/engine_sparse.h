/*
 * engine_sparse.h - the sparse engine's state, shared by its two files:
 * engine_sparse.c (the engine: set-up, tiles, the update) and
 * sparse_first_layer.c (the first layer: panels of W1^T, its forward pass
 * and weight gradient by rows or grouped).
 */
#ifndef SN_ENGINE_SPARSE_H
#define SN_ENGINE_SPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "kernels.h"
#include "net_kind.h"
#include "pixel_lists.h"
#include "upper_layers.h"

/* Samples per tile: the upper layers run as small matrix products over a
 * tile (gemm, gemm_tn), whose activations and deltas stay in L1. The
 * grouped first layer takes TILE_GROUPED: wide layers' gradients (gemm_tn
 * reads and writes all of C once per tile: 256 KiB at 256-256) then cost a
 * quarter as much a sample (784-256-256-10 on one core: 64k against 70-78k
 * samples/s at 64, docs/engines.md); the rows path keeps 16, and with it
 * the tutorial's bytes. */
#define TILE 16
#define TILE_GROUPED 64
#define TILE_MAX TILE_GROUPED

/* Columns of W1^T per panel when the first layer is wider (panels_from):
 * a panel of 784 pixels' rows is then 196 KiB, which stays in L2. */
#define PANEL 64

/* The widest first layer kept as one panel: up to here W1^T (401 KB at
 * 128) stays in a 512 KiB L2 (docs/engines.md). */
#define WIDE 128

/* The narrowest first layer whose gradient is grouped by default: at 48
 * wide the rows path was faster, at 64 the grouped one (docs/engines.md). */
#define GROUPED_WIDE 64

/* The fewest first-layer columns a thread takes in the columns split
 * (SN_THREAD_SPLIT_COLUMNS) by default: narrower blocks leave the kernels'
 * spans short, and at 64 and 100 wide on two threads (blocks of 32, and
 * of 64 + 36) the samples split was 1.16-1.24x as fast on a Sapphire
 * Rapids Xeon (docs/engines.md, "The columns split"). */
#define SPLIT_MIN_COLS 64

/* A tile's pixel lists grouped by pixel, for the grouped gradient: pixel
 * pix[i] is nonzero in the tile's samples row[start[i] .. start[i+1]),
 * with values cval[...]. */
typedef struct pixel_groups {
    uint32_t *pix, *start, *row;
    float *cval;
    size_t npix;
} pixel_groups;

/* One thread's scratch: a tile's pixel lists, activations and deltas, and
 * its own transposed copies of the upper layers' weights. */
typedef struct sparse_thread {
    uint32_t *idx;                /* the tile's nonzero pixels, concatenated */
    float *val;                   /* their values, scaled by 1/255 */
    uint32_t rowptr[TILE_MAX + 1]; /* sample r's pixels: rowptr[r] .. [r+1] */
    /* Where sample r's list lies: in idx and val at rowptr[r], or where
     * the kept lists hold it (the rows path reads it there; the grouped
     * one, which takes the tile's lists together, has them copied). */
    const uint32_t *sidx[TILE_MAX];
    const float *sval[TILE_MAX];

    /* The same tile grouped by pixel, for the grouped gradient; slot is
     * per-pixel scratch (n0 entries). */
    pixel_groups groups;
    uint32_t *slot;
    float *dpanel;                /* a panel's columns of the tile's deltas */

    float *act[SN_MAX_LAYERS];    /* [tile][sizes[l+1]], dense rows */
    float *delta[SN_MAX_LAYERS];  /* same shape: dC/da, then delta */
    float *wt[SN_MAX_LAYERS];     /* W(l+1)^T [sizes[l]][sizes[l+1]], l >= 1:
                                     sparse_state.wt_up's, shared */
    uint64_t *seen;               /* a bit per pixel hit this batch: its
                                     worker's slot of sparse_state.seen */
    /* This call's samples listed already (sn_trainer_keep_pixel_lists),
     * its sample 0 being lists' sample lists_first; else NULL. */
    const sn_pixel_lists *lists;
    size_t lists_first;
    sn_upper_products up;         /* layers 2..L's kernels (upper_layers.h), */
    int measure;                  /* chosen again after this tile if set */
    void *block;                  /* the one allocation behind all of it */
} sparse_thread;

/* Which first-layer rows the update may leave alone (engine_sparse.c):
 * none; those no sample of the batch touched (adagrad, plain sgd); those
 * untouched whose state is still all zero (sn_optimizer_rests_at_zero). */
typedef enum sparse_skip { SKIP_NONE, SKIP_UNTOUCHED, SKIP_AT_REST } sparse_skip;

typedef struct sparse_state {
    size_t n0, n1;          /* inputs and first-layer width */
    size_t panel;           /* columns of W1^T per panel (see panels_from) */
    /* Grouped, a panel's rows lie whole cache lines apart (sparse_panel_ld);
     * W1^T then takes shift floats more than n0 n1, and in the gradient
     * buffers and state arrays everything after it (b1, W2, ...) lies
     * shift floats past its offset in net->params. */
    size_t shift;
    size_t tile;            /* samples per tile: TILE, or TILE_GROUPED */
    float *wt;              /* W1 transposed, in panels */
    /* The upper layers' W^T, one copy for every thread: each thread
     * transposes what it stepped (sparse_update), so that the copy is
     * current for the next batch without a thread doing it all twice. */
    float *wt_up;
    size_t wt_up_off[SN_MAX_LAYERS]; /* layer l's (l >= 1) in wt_up */
    size_t words;           /* 64-pixel words of a bitmap */
    sparse_thread *th;      /* one per thread */
    uint64_t *seen;         /* every worker's bitmap, `seen_stride` apart */
    size_t seen_stride;     /* words rounded up to whole cache lines */
    sparse_skip skip;       /* rows the update leaves alone */
    uint64_t *live;         /* SKIP_AT_REST: a bit per pixel whose rows'
                               state may be nonzero */
    int dense;              /* every pixel, zeros included (for comparison) */
    int grouped;            /* first layer by tile: gradient grouped by
                               pixel, forward blocked (gemm_sparse) */
    /* The columns split: thread j owns W1's outputs [cols[j], cols[j+1]),
     * whole panels, for the whole batch. zb and db hold the batch's
     * first-layer outputs before the activation and its deltas, [batch]
     * [n1]: each thread writes its columns of zb and reads its samples'
     * rows, then writes its samples' rows of db and reads its columns. */
    int split;
    size_t cols[SN_MAX_THREADS + 1];
    float *zb, *db;
    /* The batch's tiles grouped by pixel, tile i by thread i % T while it
     * runs the first layer forward, read by every thread for its columns'
     * gradient; one per tile of a batch, over one allocation. */
    pixel_groups *groups;
    void *groups_block;
} sparse_state;

/* The width of the panel at column c. */
static inline size_t sparse_panel_width(const sparse_state *s, size_t c)
{
    return s->n1 - c < s->panel ? s->n1 - c : s->panel;
}

/* Floats between the rows of the panel at column c (at c n0 in W1^T, its
 * gradients and state: every panel but the last is whole 16-float
 * vectors wide). Grouped, its width rounded up to a cache line: rows of
 * 100 floats started off the lines, most vector loads of the grouped
 * kernels crossed two, and 100 wide took 1.37 times as long as 112
 * (docs/engines.md). The rows path keeps rows w floats apart; its kernels
 * take no stride. */
static inline size_t sparse_panel_ld(const sparse_state *s, size_t c)
{
    const size_t w = sparse_panel_width(s, c);
    return s->grouped ? sn_pad_floats(w) : w;
}

/* W1 [n1][n0] into the panels of W1^T, and back (sparse_first_layer.c). */
void sparse_panels_from(const sparse_state *s, const sn_kernels *k,
                        const float *w1, float *wt);
void sparse_panels_to(const sparse_state *s, const sn_kernels *k,
                      const float *wt, float *w1);

/* The first layer's outputs before the activation, columns [c0, c1)
 * (whole panels) of act [m][n1], for the tile's pixel lists (th->rowptr,
 * idx, val), b its bias. */
void sparse_first_layer_forward(const sparse_state *s, const sn_kernels *k,
                                sparse_thread *th, size_t m, const float *b,
                                float *act, size_t c0, size_t c1);

/* The first layer's weight gradient of the tile from its deltas d1
 * [m][n1], into the panels of dwt for columns [c0, c1) (whole panels). */
void sparse_first_layer_gradient(const sparse_state *s, const sn_kernels *k,
                                 sparse_thread *th, size_t m, const float *d1,
                                 float *dwt, size_t c0, size_t c1);

/* The grouped gradient's two halves: the tile's pixel lists (th->rowptr,
 * idx, val) grouped by pixel into g, with th->slot as scratch; and the
 * gradient of columns [c0, c1) from g, th->dpanel as scratch. */
void sparse_group_by_pixel(const sparse_state *s, sparse_thread *th,
                           size_t m, pixel_groups *g);
void sparse_grouped_gradient(const sparse_state *s, const sn_kernels *k,
                             sparse_thread *th, const pixel_groups *g,
                             size_t m, const float *d1, float *dwt, size_t c0,
                             size_t c1);

#endif /* SN_ENGINE_SPARSE_H */
