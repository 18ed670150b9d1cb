/* gemm_tn, AVX-512: C += A^T B, the weight gradient of a tile of samples
 * (A: the tile's deltas [m][n], B: its inputs [m][k], C: [n][k]). Four rows
 * of C at a time, 32 columns, summed over the tile in registers, so each
 * row of C is read and written once per tile instead of once per sample. */
#include "vec_avx512.h"
#include "kernels.h"

#define GEMM_TN_BLOCK(R)                                                       \
    do {                                                                       \
        __m512 lo[R], hi[R];                                                   \
        for (int q = 0; q < (R); q++)                                          \
            lo[q] = hi[q] = _mm512_setzero_ps();                               \
        for (size_t s = 0; s < m; s++) {                                       \
            const __m512 b0 = _mm512_maskz_loadu_ps(k0, b + s * k + j);        \
            const __m512 b1 = _mm512_maskz_loadu_ps(k1, b + s * k + j + 16);   \
            for (int q = 0; q < (R); q++) {                                    \
                const __m512 av = _mm512_set1_ps(a[s * n + r + (size_t)q]);    \
                lo[q] = _mm512_fmadd_ps(av, b0, lo[q]);                        \
                hi[q] = _mm512_fmadd_ps(av, b1, hi[q]);                        \
            }                                                                  \
        }                                                                      \
        for (int q = 0; q < (R); q++) {                                        \
            float *cr = c + (r + (size_t)q) * k + j;                           \
            _mm512_mask_storeu_ps(cr, k0, _mm512_add_ps(_mm512_maskz_loadu_ps(k0, cr), lo[q]));         \
            _mm512_mask_storeu_ps(cr + 16, k1, _mm512_add_ps(_mm512_maskz_loadu_ps(k1, cr + 16), hi[q])); \
        }                                                                      \
    } while (0)

void sn_gemm_tn_avx512(size_t m, size_t n, size_t k, const float *a,
                       const float *b, float *c)
{
    for (size_t j = 0; j < k; j += 32) {
        const size_t rem = k - j;
        const __mmask16 k0 = sn_avx512_tail_mask(rem < 16 ? rem : 16);
        const __mmask16 k1 = sn_avx512_tail_mask(rem <= 16 ? 0 : rem < 32 ? rem - 16 : 16);
        size_t r = 0;
        for (; r + 4 <= n; r += 4)
            GEMM_TN_BLOCK(4);
        for (; r < n; r++)
            GEMM_TN_BLOCK(1);
    }
}
