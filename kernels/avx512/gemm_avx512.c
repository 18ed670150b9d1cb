/* gemm, AVX-512: C = A B + bias for the small matrices of the upper layers
 * (a tile of samples times a 32x32 or 32x10 weight matrix). Four rows of A
 * at a time against 32 columns of B: each row of B is loaded once for four
 * rows, eight accumulators hide the FMA latency, and no horizontal sums are
 * needed because B is traversed by rows. */
#include "vec_avx512.h"
#include "kernels.h"

/* Rows [i, i + R) of C, columns [j, j + 32) masked by k0/k1. */
#define GEMM_BLOCK(R)                                                          \
    do {                                                                       \
        __m512 lo[R], hi[R];                                                   \
        for (int r = 0; r < (R); r++)                                          \
            lo[r] = hi[r] = _mm512_setzero_ps();                               \
        for (size_t p = 0; p < k; p++) {                                       \
            const __m512 b0 = _mm512_maskz_loadu_ps(k0, b + p * n + j);        \
            const __m512 b1 = _mm512_maskz_loadu_ps(k1, b + p * n + j + 16);   \
            for (int r = 0; r < (R); r++) {                                    \
                const __m512 av = _mm512_set1_ps(a[(i + (size_t)r) * k + p]);  \
                lo[r] = _mm512_fmadd_ps(av, b0, lo[r]);                        \
                hi[r] = _mm512_fmadd_ps(av, b1, hi[r]);                        \
            }                                                                  \
        }                                                                      \
        for (int r = 0; r < (R); r++) {                                        \
            float *ci = c + (i + (size_t)r) * n + j;                           \
            _mm512_mask_storeu_ps(ci, k0, _mm512_add_ps(lo[r], bias0));        \
            _mm512_mask_storeu_ps(ci + 16, k1, _mm512_add_ps(hi[r], bias1));   \
        }                                                                      \
    } while (0)

void sn_gemm_avx512(size_t m, size_t n, size_t k, const float *a,
                    const float *b, const float *bias, float *c)
{
    for (size_t j = 0; j < n; j += 32) {
        const size_t rem = n - j;
        const __mmask16 k0 = sn_avx512_tail_mask(rem < 16 ? rem : 16);
        const __mmask16 k1 = sn_avx512_tail_mask(rem <= 16 ? 0 : rem < 32 ? rem - 16 : 16);
        const __m512 bias0 = bias ? _mm512_maskz_loadu_ps(k0, bias + j) : _mm512_setzero_ps();
        const __m512 bias1 = bias ? _mm512_maskz_loadu_ps(k1, bias + j + 16) : _mm512_setzero_ps();
        size_t i = 0;
        for (; i + 4 <= m; i += 4)
            GEMM_BLOCK(4);
        for (; i < m; i++)
            GEMM_BLOCK(1);
    }
}
