/*
 * gemm_tn_sparse, x86: the gradient rows of a tile's pixels, each summed
 * over the pixel's samples in registers and added once. Columns go a span
 * at a time (a pair of chunks of vec_x86.h, 64 columns: 8 AVX2 or 4
 * AVX-512 accumulators; up to 13 AVX2 or 8 AVX-512 vectors for a
 * row's last columns),
 * so a pixel's samples are FMA chains of their own; a sample's delta slice is
 * read from L1 (the tile's deltas for one panel are a few KiB) and the
 * gradient row is read and written once per tile.
 */

/* The span sp of columns at c of every pixel's row. */
VEC_INLINE void gemm_tn_sparse_cols(size_t ldg, size_t c, const span *sp,
                                    size_t npix, const uint32_t *pix,
                                    const uint32_t *start, const uint32_t *row,
                                    const float *val, const float *d,
                                    size_t ldd, float *dwt)
{
    for (size_t i = 0; i < npix; i++) {
        /* A wide layer's gradient panels live in L3, and the rows of a
         * tile's pixels are too far apart for the hardware to guess: ask
         * for the row after next while this one sums. */
        if (i + PREFETCH_AHEAD < npix)
            prefetch_for_write(dwt + (size_t)pix[i + PREFETCH_AHEAD] * ldg + c,
                               span_width(sp));
        span_sum acc;
        span_zero(acc);
        for (uint32_t e = start[i]; e < start[i + 1]; e++)
            span_fma(acc, vset1(val[e]), d + (size_t)row[e] * ldd + c, sp);
        span_add_to(dwt + (size_t)pix[i] * ldg + c, acc, sp);
    }
}

void SN_X86_FN(gemm_tn_sparse)(size_t w, size_t npix, const uint32_t *pix,
                               const uint32_t *start, const uint32_t *row,
                               const float *val, const float *d, size_t ldd,
                               float *dwt, size_t ldg)
{
#define GEMM_TN_SPARSE_COLS(W, c, sp)                                          \
    gemm_tn_sparse_cols(ldg, c, sp, npix, pix, start, row, val, d, ldd, dwt)
    SPANS_OF_ROW(w, GEMM_TN_SPARSE_COLS);
#undef GEMM_TN_SPARSE_COLS
}
