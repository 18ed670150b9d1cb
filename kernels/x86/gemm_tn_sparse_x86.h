/*
 * gemm_tn_sparse, x86: the gradient rows of a tile's pixels, each summed
 * over the pixel's samples in registers and added once. Columns go 64 at a
 * time (two chunks of vec_x86.h: 8 AVX2 or 4 AVX-512 accumulators), so a
 * pixel's samples are FMA chains of their own; a sample's delta slice is
 * read from L1 (the tile's deltas for one panel are a few KiB) and the
 * gradient row is read and written once per tile.
 */

enum { GEMM_TN_SPARSE_CHUNKS = 2 };

/* Columns [c, c + 2 CHUNK) of every pixel's row. */
VEC_INLINE void gemm_tn_sparse_cols(size_t w, size_t c, const chunk *ch,
                                    size_t npix, const uint32_t *pix,
                                    const uint32_t *start, const uint32_t *row,
                                    const float *val, const float *d,
                                    size_t ldd, float *dwt)
{
    enum { H = GEMM_TN_SPARSE_CHUNKS };
    for (size_t i = 0; i < npix; i++) {
        /* A wide layer's gradient panels live in L3, and the rows of a
         * tile's pixels are too far apart for the hardware to guess: ask
         * for the row after next while this one sums. */
        if (i + PREFETCH_AHEAD < npix)
            prefetch_for_write(dwt + (size_t)pix[i + PREFETCH_AHEAD] * w + c,
                               H * CHUNK);
        pair_sum acc;
        pair_zero(acc);
        for (uint32_t e = start[i]; e < start[i + 1]; e++)
            pair_fma(acc, vset1(val[e]), d + (size_t)row[e] * ldd + c, ch);
        pair_add_to(dwt + (size_t)pix[i] * w + c, acc, ch);
    }
}

void SN_X86_FN(gemm_tn_sparse)(size_t w, size_t npix, const uint32_t *pix,
                               const uint32_t *start, const uint32_t *row,
                               const float *val, const float *d, size_t ldd,
                               float *dwt)
{
#define GEMM_TN_SPARSE_COLS(W, c, ch)                                          \
    gemm_tn_sparse_cols(W, c, ch, npix, pix, start, row, val, d, ldd, dwt)
    PAIRS_OF_ROW(w, GEMM_TN_SPARSE_COLS);
#undef GEMM_TN_SPARSE_COLS
}
