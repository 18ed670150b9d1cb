/*
 * ger, AVX-512: dW += d x^T.
 *
 * Columns in slices of 16: a slice of x is loaded once, then added, scaled
 * by d[r], into that slice of every row (one fused multiply-add, one load
 * and one store of dW per 16 elements). The last slice is masked: nothing
 * is read or written past a row.
 */
#include "kernels.h"
#include "vec_avx512.h"

/* Adds d[r] * xv into the 16 columns at dw of every row, or into the
 * lanes of m only if masked. */
SN_AVX512_INLINE void add_slice(size_t rows, size_t cols, const float *d,
                                __m512 xv, float *dw, int masked, __mmask16 m)
{
    for (size_t r = 0; r < rows; r++, dw += cols) {
        const __m512 dr = _mm512_set1_ps(d[r]);
        if (masked)
            _mm512_mask_storeu_ps(
                dw, m, _mm512_fmadd_ps(dr, xv, _mm512_maskz_loadu_ps(m, dw)));
        else
            _mm512_storeu_ps(dw, _mm512_fmadd_ps(dr, xv, _mm512_loadu_ps(dw)));
    }
}

void sn_ger_avx512(size_t rows, size_t cols, const float *d, const float *x,
                   float *dw)
{
    size_t c = 0;
    for (; c + 16 <= cols; c += 16)
        add_slice(rows, cols, d, _mm512_loadu_ps(x + c), dw + c, 0, 0xffff);
    if (c < cols) {
        const __mmask16 m = sn_avx512_tail_mask(cols - c);
        add_slice(rows, cols, d, _mm512_maskz_loadu_ps(m, x + c), dw + c, 1, m);
    }
}
