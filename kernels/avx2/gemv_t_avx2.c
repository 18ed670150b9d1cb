/*
 * gemv_t, AVX2: y = W^T d, that is y += d[r] * (row r of W) for every row,
 * in row order as in the oracle (one fused multiply-add per term).
 *
 * Columns in blocks of 64 (eight vectors, eight independent FMA chains for
 * the two FMA units) kept in registers across all the rows, then blocks of
 * 8, then a masked tail; W is read row by row within a block, and y
 * written once.
 */
#include "kernels.h"
#include "vec_avx2.h"

/* y[c .. c + 8 NV) for NV vectors, the last one limited to lanes last. */
SN_AVX2_INLINE void column_block(size_t NV, size_t rows, size_t cols,
                                 const float *w, const float *d, float *y,
                                 __m256i last)
{
    __m256 acc[8];
    for (size_t j = 0; j < NV; j++)
        acc[j] = _mm256_setzero_ps();
    for (size_t r = 0; r < rows; r++) {
        const __m256 dr = _mm256_set1_ps(d[r]);
        const float *wr = w + r * cols;
        for (size_t j = 0; j + 1 < NV; j++)
            acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(wr + 8 * j), dr, acc[j]);
        acc[NV - 1] = _mm256_fmadd_ps(
            _mm256_maskload_ps(wr + 8 * (NV - 1), last), dr, acc[NV - 1]);
    }
    for (size_t j = 0; j + 1 < NV; j++)
        _mm256_storeu_ps(y + 8 * j, acc[j]);
    _mm256_maskstore_ps(y + 8 * (NV - 1), last, acc[NV - 1]);
}

void sn_gemv_t_avx2(size_t rows, size_t cols, const float *w, const float *d,
                    float *y)
{
    const __m256i all = _mm256_set1_epi32(-1);
    size_t c = 0;
    for (; c + 64 <= cols; c += 64)
        column_block(8, rows, cols, w + c, d, y + c, all);
    for (; c + 8 <= cols; c += 8)
        column_block(1, rows, cols, w + c, d, y + c, all);
    if (c < cols)
        column_block(1, rows, cols, w + c, d, y + c,
                     sn_avx2_tail_mask(cols - c));
}
