/*
 * gemm_sparse, x86: the tile's outputs for a panel of W1^T, block of rows
 * by block of rows. For each block of SN_GEMM_SPARSE_BLOCK pixels (96 rows
 * of 64 floats: 24 KiB, which stays in L1), every sample of the tile sums
 * its entries in the block into a span of columns in registers (a pair
 * of chunks of vec_x86.h, 64 columns: 8 AVX2 or 4 AVX-512 accumulators;
 * up to 13 AVX2 or 8 AVX-512 vectors for a row's last columns: a block
 * of a 100-wide panel is 38 KiB, partly in L2) and adds the sum to its
 * outputs once.
 * The rows come from L2 once per tile and from L1 for the tile's other
 * samples, and an entry costs loads and FMAs, no stores: the
 * earlier pixel-major order stored 64 outputs per entry and ran at half
 * the speed (docs/engines.md).
 */

enum { GEMM_SPARSE_GROUP = 16 };

/* The span sp of columns at c of samples [s0, s0 + g), g <=
 * GEMM_SPARSE_GROUP: cur[] walks each sample's entries block by block. */
VEC_INLINE void gemm_sparse_cols(size_t ldw, size_t c, const span *sp,
                                 size_t s0, size_t g, const uint32_t *rowptr,
                                 const uint32_t *idx, const float *val,
                                 const float *wt, const float *b, float *y,
                                 size_t ldy)
{
    enum { B = SN_GEMM_SPARSE_BLOCK };
    uint32_t cur[GEMM_SPARSE_GROUP];
    uint32_t last = 0; /* one past the highest pixel of the group */
    for (size_t s = 0; s < g; s++) {
        float *ys = y + (s0 + s) * ldy + c;
        span_set(ys, b ? b + c : NULL, sp);
        cur[s] = rowptr[s0 + s];
        const uint32_t end = rowptr[s0 + s + 1];
        if (end > cur[s] && idx[end - 1] + 1 > last)
            last = idx[end - 1] + 1;
    }
    for (uint32_t p1 = B; p1 - B < last; p1 += B) {
        for (size_t s = 0; s < g; s++) {
            uint32_t j = cur[s];
            const uint32_t end = rowptr[s0 + s + 1];
            if (j == end || idx[j] >= p1)
                continue;
            span_sum acc;
            span_zero(acc);
            for (; j < end && idx[j] < p1; j++)
                span_fma(acc, vset1(val[j]), wt + (size_t)idx[j] * ldw + c, sp);
            cur[s] = j;
            span_add_to(y + (s0 + s) * ldy + c, acc, sp);
        }
    }
}

/* Every sample, the span sp at c, in groups of GEMM_SPARSE_GROUP. */
VEC_INLINE void gemm_sparse_panel(size_t ldw, size_t c, const span *sp,
                                  size_t m, const uint32_t *rowptr,
                                  const uint32_t *idx, const float *val,
                                  const float *wt, const float *b, float *y,
                                  size_t ldy)
{
    for (size_t s0 = 0; s0 < m; s0 += GEMM_SPARSE_GROUP) {
        const size_t g = m - s0 < GEMM_SPARSE_GROUP ? m - s0 : GEMM_SPARSE_GROUP;
        gemm_sparse_cols(ldw, c, sp, s0, g, rowptr, idx, val, wt, b, y, ldy);
    }
}

void SN_X86_FN(gemm_sparse)(size_t w, size_t m, const uint32_t *rowptr,
                            const uint32_t *idx, const float *val,
                            const float *wt, size_t ldw, const float *b,
                            float *y, size_t ldy)
{
#define GEMM_SPARSE_PANEL(W, c, sp)                                            \
    gemm_sparse_panel(ldw, c, sp, m, rowptr, idx, val, wt, b, y, ldy)
    SPANS_OF_ROW(w, GEMM_SPARSE_PANEL);
#undef GEMM_SPARSE_PANEL
}
