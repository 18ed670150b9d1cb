/*
 * ger, AVX2: dW += d x^T, one fused multiply-add per element; the last
 * slice of a row is a maskload and maskstore, so nothing is read or written
 * past it (plain loads and stores everywhere else: AMD runs maskstore as
 * microcode).
 */
#include "kernels.h"
#include "vec_avx2.h"

/* Columns in blocks of COL_BLOCK, rows streamed within a block: x's block
 * stays in L1 while every row's block is read, fused and written once.
 * (Walking one slice of columns down all rows instead made rows whose
 * length is a multiple of 4 KiB share one L1 set: at 32x1024 and wider
 * that ran 10x slower than OpenBLAS.) */
#define COL_BLOCK 1024

void sn_ger_avx2(size_t rows, size_t cols, const float *d, const float *x,
                 float *dw)
{
    for (size_t c0 = 0; c0 < cols; c0 += COL_BLOCK) {
        const size_t c1 = cols - c0 < COL_BLOCK ? cols : c0 + COL_BLOCK;
        for (size_t r = 0; r < rows; r++) {
            const __m256 dr = _mm256_set1_ps(d[r]);
            float *row = dw + r * cols;
            size_t c = c0;
            for (; c + 8 <= c1; c += 8)
                _mm256_storeu_ps(row + c, _mm256_fmadd_ps(dr, _mm256_loadu_ps(x + c),
                                                          _mm256_loadu_ps(row + c)));
            if (c < c1) {
                const __m256i m = sn_avx2_tail_mask(c1 - c);
                _mm256_maskstore_ps(row + c, m,
                    _mm256_fmadd_ps(dr, _mm256_maskload_ps(x + c, m),
                                    _mm256_maskload_ps(row + c, m)));
            }
        }
    }
}
