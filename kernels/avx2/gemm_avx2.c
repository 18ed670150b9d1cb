/* gemm, AVX2+FMA: C = A B + bias for the upper layers' small matrices. Two
 * rows of A at a time against 32 columns of B (four vectors): eight
 * accumulators, each row of B loaded once per two rows of A, within the 16
 * registers AVX2 has. */
#include "vec_avx2.h"
#include "kernels.h"

#define GEMM_BLOCK(R)                                                          \
    do {                                                                       \
        __m256 acc[R][4];                                                      \
        for (int r = 0; r < (R); r++)                                          \
            for (int q = 0; q < 4; q++)                                        \
                acc[r][q] = _mm256_setzero_ps();                               \
        for (size_t p = 0; p < k; p++) {                                       \
            __m256 bv[4];                                                      \
            for (int q = 0; q < 4; q++)                                        \
                bv[q] = sn_avx2_load_n(b + p * n + j + 8 * q, lanes[q], mask[q]);    \
            for (int r = 0; r < (R); r++) {                                    \
                const __m256 av = _mm256_set1_ps(a[(i + (size_t)r) * k + p]);  \
                for (int q = 0; q < 4; q++)                                    \
                    acc[r][q] = _mm256_fmadd_ps(av, bv[q], acc[r][q]);         \
            }                                                                  \
        }                                                                      \
        for (int r = 0; r < (R); r++)                                          \
            for (int q = 0; q < 4; q++)                                        \
                sn_avx2_store_n(c + (i + (size_t)r) * n + j + 8 * q, lanes[q], \
                                mask[q], _mm256_add_ps(acc[r][q], bv_bias[q]));  \
    } while (0)

void sn_gemm_avx2(size_t m, size_t n, size_t k, const float *a, const float *b,
                  const float *bias, float *c)
{
    for (size_t j = 0; j < n; j += 32) {
        const size_t rem = n - j < 32 ? n - j : 32;
        __m256i mask[4];
        size_t lanes[4];
        __m256 bv_bias[4];
        for (int q = 0; q < 4; q++) {
            const size_t lo = 8 * (size_t)q;
            lanes[q] = rem <= lo ? 0 : rem - lo < 8 ? rem - lo : 8;
            mask[q] = sn_avx2_tail_mask(lanes[q]);
            bv_bias[q] = bias ? sn_avx2_load_n(bias + j + 8 * q, lanes[q], mask[q])
                              : _mm256_setzero_ps();
        }
        size_t i = 0;
        for (; i + 2 <= m; i += 2)
            GEMM_BLOCK(2);
        for (; i < m; i++)
            GEMM_BLOCK(1);
    }
}
