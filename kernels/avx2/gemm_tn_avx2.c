/* gemm_tn, AVX2+FMA: C += A^T B, a tile's weight gradient, two rows of C
 * and 32 columns at a time, summed over the tile in registers. */
#include "vec_avx2.h"
#include "kernels.h"

#define GEMM_TN_BLOCK(R)                                                       \
    do {                                                                       \
        __m256 acc[R][4];                                                      \
        for (int x = 0; x < (R); x++)                                          \
            for (int q = 0; q < 4; q++)                                        \
                acc[x][q] = _mm256_setzero_ps();                               \
        for (size_t s = 0; s < m; s++) {                                       \
            __m256 bv[4];                                                      \
            for (int q = 0; q < 4; q++)                                        \
                bv[q] = sn_avx2_load_n(b + s * k + j + 8 * q, lanes[q], mask[q]);    \
            for (int x = 0; x < (R); x++) {                                    \
                const __m256 av = _mm256_set1_ps(a[s * n + r + (size_t)x]);    \
                for (int q = 0; q < 4; q++)                                    \
                    acc[x][q] = _mm256_fmadd_ps(av, bv[q], acc[x][q]);         \
            }                                                                  \
        }                                                                      \
        for (int x = 0; x < (R); x++)                                          \
            for (int q = 0; q < 4; q++) {                                      \
                float *cr = c + (r + (size_t)x) * k + j + 8 * q;               \
                sn_avx2_store_n(cr, lanes[q], mask[q], _mm256_add_ps(                \
                    sn_avx2_load_n(cr, lanes[q], mask[q]), acc[x][q]));              \
            }                                                                  \
    } while (0)

void sn_gemm_tn_avx2(size_t m, size_t n, size_t k, const float *a,
                     const float *b, float *c)
{
    for (size_t j = 0; j < k; j += 32) {
        const size_t rem = k - j < 32 ? k - j : 32;
        __m256i mask[4];
        size_t lanes[4];
        for (int q = 0; q < 4; q++) {
            const size_t lo = 8 * (size_t)q;
            lanes[q] = rem <= lo ? 0 : rem - lo < 8 ? rem - lo : 8;
            mask[q] = sn_avx2_tail_mask(lanes[q]);
        }
        size_t r = 0;
        for (; r + 2 <= n; r += 2)
            GEMM_TN_BLOCK(2);
        for (; r < n; r++)
            GEMM_TN_BLOCK(1);
    }
}
