/* sparse_first_layer.c - the sparse engine's first layer (engine_sparse.h):
 * W1^T in panels, the forward pass and weight gradient of a tile by rows
 * (sample by sample) or grouped (the tile at once). */
#include <string.h>

#include "engine_sparse.h"
#include "layers.h"

/* W1 [n1][n0] into panels of W1^T: the panel of columns [c, c + w) is the
 * transpose of W1's rows [c, c + w), [n0][w] with rows ld apart
 * (sparse_panel_ld), at offset c * n0. A panel is what the first layer's
 * kernels see as W1^T: its rows (one per pixel) are w floats long, and the
 * tile of samples runs through one panel before the next, so that it stays
 * in L2 while they do. With one panel (n1 <= WIDE) this is W1^T itself.
 * The floats between rows are never written here: they stay the +0 of
 * the allocation, and an update steps them as zeros with zero gradients,
 * which leaves them +0 under every optimizer. */
void sparse_panels_from(const sparse_state *s, const sn_kernels *k,
                        const float *w1, float *wt)
{
    for (size_t c = 0; c < s->n1; c += s->panel) {
        const size_t w = sparse_panel_width(s, c);
        /* dst[x ld + r] = src[r n0 + x] for rows r < w: the transpose
         * into rows ld apart. */
        k->transpose(sparse_panel_ld(s, c), s->n0, w1 + c * s->n0, 0, w,
                     wt + c * s->n0);
    }
}

void sparse_panels_to(const sparse_state *s, const sn_kernels *k,
                      const float *wt, float *w1)
{
    for (size_t c = 0; c < s->n1; c += s->panel) {
        const size_t w = sparse_panel_width(s, c), ld = sparse_panel_ld(s, c);
        const float *panel = wt + c * s->n0;
        if (ld == w) {
            k->transpose(s->n0, w, panel, 0, s->n0, w1 + c * s->n0);
            continue;
        }
        /* The kernel would write ld rows of W1 (into b1 past the last
         * panel); this copy runs once a call to sn_train_*. */
        for (size_t j = 0; j < w; j++)
            for (size_t p = 0; p < s->n0; p++)
                w1[(c + j) * s->n0 + p] = panel[p * ld + j];
    }
}

/* Pixels of a tile per band of the regrouping's scatter (below): 192
 * pixels write on 384 lines, 24 KiB, half of a 48 KiB L1. */
#define GROUP_BAND 192

/* The tile's pixel lists (by sample, th->rowptr) regrouped by pixel, in
 * increasing pixel order and, within a pixel, in sample order: a counting
 * sort over the tile's entries. The arrays are restrict locals and the
 * bounds read once: through th and g every store to slot, row or cval may
 * alias rowptr for the compiler, which then reloaded the loop bounds on
 * every entry (docs/engines.md, "Grouping a tile by pixel"). */
void sparse_group_by_pixel(const sparse_state *s, sparse_thread *th,
                           size_t m, pixel_groups *g)
{
    const size_t n0 = s->n0;
    const uint32_t *restrict idx = th->idx;
    const float *restrict val = th->val;
    const uint32_t *restrict rowptr = th->rowptr;
    uint32_t *restrict slot = th->slot;
    uint32_t *restrict pix = g->pix, *restrict start = g->start;
    uint32_t *restrict row = g->row;
    float *restrict cval = g->cval;
    const uint32_t entries = rowptr[m];

    memset(slot, 0, n0 * sizeof *slot);
    for (uint32_t e = 0; e < entries; e++)
        slot[idx[e]]++;
    /* Every pixel writes its entry and only those with a count keep it
     * (pix and start have n0 + 1 entries): which pixels a tile touches
     * follows no pattern a branch predicts. */
    size_t npix = 0;
    uint32_t at = 0;
    for (size_t c = 0; c < n0; c++) {
        const uint32_t count = slot[c];
        pix[npix] = (uint32_t)c;
        start[npix] = at;
        slot[c] = at;
        at += count;
        npix += count != 0;
    }
    start[npix] = at;
    g->npix = npix;
    /* The scatter, a band of GROUP_BAND of the tile's pixels at a time,
     * each sample's list (in increasing pixel order) resumed where the
     * band before stopped. Every pixel writes on lines of its own (in row
     * and in cval): over all of a tile's (some 1100 lines at MNIST's 550
     * pixels a tile) the stores missed L1, a band's stay in it. */
    uint32_t cursor[TILE_MAX];
    memcpy(cursor, rowptr, m * sizeof *cursor);
    for (size_t band = GROUP_BAND;; band += GROUP_BAND) {
        const uint32_t end_pix = band < npix ? pix[band] : (uint32_t)n0;
        for (size_t r = 0; r < m; r++) {
            const uint32_t end = rowptr[r + 1];
            uint32_t e = cursor[r];
            for (; e < end && idx[e] < end_pix; e++) {
                const uint32_t q = slot[idx[e]]++;
                row[q] = (uint32_t)r;
                cval[q] = val[e];
            }
            cursor[r] = e;
        }
        if (band >= npix)
            break;
    }
}

/* The first layer's outputs before the activation, act [m][n1], for the
 * tile's pixel lists: grouped, the tile through each panel a block of rows
 * at a time; else sample by sample. */
void sparse_first_layer_forward(const sparse_state *s, const sn_kernels *k,
                                sparse_thread *th, size_t m, const float *b,
                                float *act, size_t c0, size_t c1)
{
    for (size_t c = c0; c < c1; c += s->panel) {
        const size_t w = sparse_panel_width(s, c);
        const float *panel = s->wt + c * s->n0;
        if (s->grouped) {
            k->gemm_sparse(w, m, th->rowptr, th->idx, th->val, panel,
                           sparse_panel_ld(s, c), b + c, act + c, s->n1);
            continue;
        }
        for (size_t r = 0; r < m; r++)
            k->gemv_sparse(w, th->rowptr[r + 1] - th->rowptr[r], th->sidx[r],
                           th->sval[r], panel, b + c, act + r * s->n1 + c);
    }
}

/* The first layer's weight gradient of the tile, from its deltas d1
 * [m][n1], into the panels of dwt (grouped: the tile regrouped by pixel
 * once, for every panel). */
void sparse_grouped_gradient(const sparse_state *s, const sn_kernels *k,
                             sparse_thread *th, const pixel_groups *g,
                             size_t m, const float *d1, float *dwt, size_t c0,
                             size_t c1)
{
    for (size_t c = c0; c < c1; c += s->panel) {
        const size_t w = sparse_panel_width(s, c), ld = sparse_panel_ld(s, c);
        float *panel = dwt + c * s->n0;
        if (w == s->n1 && ld == w) {
            k->gemm_tn_sparse(w, g->npix, g->pix, g->start, g->row, g->cval,
                              d1, s->n1, panel, ld);
            continue;
        }
        /* The panel's columns of the tile's deltas, together, rows as far
         * apart as the panel's: in place their rows are n1 floats apart
         * (2 KiB at 512 wide), and the 64 rows of a tile fell into a few
         * sets of L1 (3.3 times the L1 misses of the packed copy,
         * callgrind's cache model); at 100 wide they start off the cache
         * lines, as the panel's rows did. */
        for (size_t r = 0; r < m; r++)
            memcpy(th->dpanel + r * ld, d1 + r * s->n1 + c, w * sizeof *d1);
        k->gemm_tn_sparse(w, g->npix, g->pix, g->start, g->row, g->cval,
                          th->dpanel, ld, panel, ld);
    }
}

void sparse_first_layer_gradient(const sparse_state *s, const sn_kernels *k,
                                 sparse_thread *th, size_t m, const float *d1,
                                 float *dwt, size_t c0, size_t c1)
{
    if (s->grouped) {
        sparse_group_by_pixel(s, th, m, &th->groups);
        sparse_grouped_gradient(s, k, th, &th->groups, m, d1, dwt, c0, c1);
        return;
    }
    for (size_t c = c0; c < c1; c += s->panel) {
        const size_t w = sparse_panel_width(s, c);
        float *panel = dwt + c * s->n0;
        for (size_t r = 0; r < m; r++)
            k->ger_sparse(w, th->rowptr[r + 1] - th->rowptr[r], th->sidx[r],
                          th->sval[r], d1 + r * s->n1 + c, panel);
    }
}
