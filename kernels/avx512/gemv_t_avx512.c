/*
 * gemv_t, AVX-512: y = W^T d, that is y += d[r] * (row r of W) for every
 * row, in row order as in the oracle (one fused multiply-add per term).
 *
 * Columns in blocks of 64 (four vectors, four independent FMA chains) kept
 * in registers across all the rows, then blocks of 16, then a masked tail;
 * W is read row by row within a block, and y written once.
 */
#include "kernels.h"
#include "vec_avx512.h"

/* y[c .. c + 16 NV) for NV vectors, the last one limited to mask last. */
SN_AVX512_INLINE void column_block(size_t NV, size_t rows, size_t cols,
                                   const float *w, const float *d, float *y,
                                   __mmask16 last)
{
    __m512 acc[4];
    for (size_t j = 0; j < NV; j++)
        acc[j] = _mm512_setzero_ps();
    for (size_t r = 0; r < rows; r++) {
        const __m512 dr = _mm512_set1_ps(d[r]);
        const float *wr = w + r * cols;
        for (size_t j = 0; j + 1 < NV; j++)
            acc[j] = _mm512_fmadd_ps(_mm512_loadu_ps(wr + 16 * j), dr, acc[j]);
        acc[NV - 1] = _mm512_fmadd_ps(
            _mm512_maskz_loadu_ps(last, wr + 16 * (NV - 1)), dr, acc[NV - 1]);
    }
    for (size_t j = 0; j + 1 < NV; j++)
        _mm512_storeu_ps(y + 16 * j, acc[j]);
    _mm512_mask_storeu_ps(y + 16 * (NV - 1), last, acc[NV - 1]);
}

void sn_gemv_t_avx512(size_t rows, size_t cols, const float *w, const float *d,
                      float *y)
{
    const __mmask16 all = 0xffff;
    size_t c = 0;
    for (; c + 64 <= cols; c += 64)
        column_block(4, rows, cols, w + c, d, y + c, all);
    for (; c + 16 <= cols; c += 16)
        column_block(1, rows, cols, w + c, d, y + c, all);
    if (c < cols)
        column_block(1, rows, cols, w + c, d, y + c,
                     sn_avx512_tail_mask(cols - c));
}
