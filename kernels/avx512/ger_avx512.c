/*
 * ger, AVX-512: dW += d x^T, one fused multiply-add per element; the last
 * slice of a row is masked, so nothing is read or written past it.
 */
#include "kernels.h"
#include "vec_avx512.h"

/* Columns in blocks of COL_BLOCK, rows streamed within a block: x's block
 * stays in L1 while every row's block is read, fused and written once.
 * (Walking one slice of columns down all rows instead made rows whose
 * length is a multiple of 4 KiB share one L1 set: at 32x1024 and wider
 * that ran 10x slower than OpenBLAS.) */
#define COL_BLOCK 1024

void sn_ger_avx512(size_t rows, size_t cols, const float *d, const float *x,
                   float *dw)
{
    for (size_t c0 = 0; c0 < cols; c0 += COL_BLOCK) {
        const size_t c1 = cols - c0 < COL_BLOCK ? cols : c0 + COL_BLOCK;
        for (size_t r = 0; r < rows; r++) {
            const __m512 dr = _mm512_set1_ps(d[r]);
            float *row = dw + r * cols;
            size_t c = c0;
            for (; c + 16 <= c1; c += 16)
                _mm512_storeu_ps(row + c, _mm512_fmadd_ps(dr, _mm512_loadu_ps(x + c),
                                                          _mm512_loadu_ps(row + c)));
            if (c < c1) {
                const __mmask16 m = sn_avx512_tail_mask(c1 - c);
                _mm512_mask_storeu_ps(row + c, m,
                    _mm512_fmadd_ps(dr, _mm512_maskz_loadu_ps(m, x + c),
                                    _mm512_maskz_loadu_ps(m, row + c)));
            }
        }
    }
}
