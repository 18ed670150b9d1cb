/*
 * ger, AVX2: dW += d x^T.
 *
 * Columns in slices of 8: a slice of x is loaded once, then added, scaled
 * by d[r], into that slice of every row (one fused multiply-add, one load
 * and one store of dW per 8 elements). The last slice is a maskload and
 * maskstore: nothing is read or written past a row.
 */
#include "kernels.h"
#include "vec_avx2.h"

/* Adds d[r] * xv into the 8 columns at dw of every row, or into the lanes
 * of m only if masked. */
SN_AVX2_INLINE void add_slice(size_t rows, size_t cols, const float *d,
                              __m256 xv, float *dw, int masked, __m256i m)
{
    for (size_t r = 0; r < rows; r++, dw += cols) {
        const __m256 dr = _mm256_set1_ps(d[r]);
        if (masked)
            _mm256_maskstore_ps(
                dw, m, _mm256_fmadd_ps(dr, xv, _mm256_maskload_ps(dw, m)));
        else
            _mm256_storeu_ps(dw, _mm256_fmadd_ps(dr, xv, _mm256_loadu_ps(dw)));
    }
}

void sn_ger_avx2(size_t rows, size_t cols, const float *d, const float *x,
                 float *dw)
{
    size_t c = 0;
    for (; c + 8 <= cols; c += 8)
        add_slice(rows, cols, d, _mm256_loadu_ps(x + c), dw + c, 0,
                  _mm256_set1_epi32(-1));
    if (c < cols) {
        const __m256i m = sn_avx2_tail_mask(cols - c);
        add_slice(rows, cols, d, _mm256_maskload_ps(x + c, m), dw + c, 1, m);
    }
}
