/*
 * ger_u8, AVX2: dW += d (scale * x)^T with x as uint8 pixels.
 *
 * Each block of pixels is widened to floats and scaled once (x * scale,
 * the oracle's rounding) into a buffer on the stack, noting which slices of
 * 8 are all exactly 0; then every row's block is fused, skipping those
 * slices: they would add zeros.
 */
#include "kernels.h"
#include "vec_avx2.h"

/* Columns in blocks of COL_BLOCK, rows streamed within a block: x's block
 * stays in L1 while every row's block is read, fused and written once.
 * (Walking one slice of columns down all rows instead made rows whose
 * length is a multiple of 4 KiB share one L1 set: at 32x1024 and wider
 * that ran 10x slower than OpenBLAS.) */
#define COL_BLOCK 1024

void sn_ger_u8_avx2(size_t rows, size_t cols, const float *d,
                    const uint8_t *x, float scale, float *dw)
{
    const __m256 vscale = _mm256_set1_ps(scale);
    float xf[COL_BLOCK];
    unsigned char live[COL_BLOCK / 8];
    for (size_t c0 = 0; c0 < cols; c0 += COL_BLOCK) {
        const size_t len = cols - c0 < COL_BLOCK ? cols - c0 : COL_BLOCK;
        const size_t slices = (len + 7) / 8;
        int any = 0;
        for (size_t s = 0; s < slices; s++) {
            const size_t n = len - 8 * s < 8 ? len - 8 * s : 8;
            const __m128i px = n == 8
                ? _mm_loadl_epi64((const __m128i *)(const void *)(x + c0 + 8 * s))
                : sn_avx2_load_u8_tail(x + c0 + 8 * s, n);
            live[s] = !_mm_testz_si128(px, px);
            any |= live[s];
            _mm256_storeu_ps(xf + 8 * s,
                             _mm256_mul_ps(sn_avx2_u8_to_ps(px), vscale));
        }
        if (!any)
            continue;
        for (size_t r = 0; r < rows; r++) {
            const __m256 dr = _mm256_set1_ps(d[r]);
            float *row = dw + r * cols + c0;
            for (size_t s = 0; s < slices; s++) {
                if (!live[s])
                    continue;
                const size_t n = len - 8 * s < 8 ? len - 8 * s : 8;
                const __m256i m = sn_avx2_tail_mask(n);
                float *w = row + 8 * s;
                sn_avx2_store_n(w, n, m, _mm256_fmadd_ps(dr, _mm256_loadu_ps(xf + 8 * s),
                                                         sn_avx2_load_n(w, n, m)));
            }
        }
    }
}
