/* gemv_sparse, AVX2+FMA: y = b + sum_j val[j] * WT[idx[j]], outputs in
 * chunks of 32 (four vectors), two interleaved partial sums per vector so
 * eight FMAs are in flight; partial sums are added in a fixed order. */
#include "vec_avx2.h"
#include "kernels.h"

void sn_gemv_sparse_avx2(size_t m, size_t nnz, const uint32_t *idx,
                         const float *val, const float *wt, const float *b,
                         float *y)
{
    for (size_t c = 0; c < m; c += 32) {
        const size_t rem = m - c < 32 ? m - c : 32;
        __m256i mask[4];
        for (int q = 0; q < 4; q++) {
            const size_t lo = 8 * (size_t)q;
            mask[q] = sn_avx2_tail_mask(rem <= lo ? 0 : rem - lo < 8 ? rem - lo : 8);
        }
        __m256 acc[2][4];
        for (int u = 0; u < 2; u++)
            for (int q = 0; q < 4; q++)
                acc[u][q] = _mm256_setzero_ps();
        for (size_t j = 0; j < nnz; j += 2) {
            for (int u = 0; u < 2 && j + (size_t)u < nnz; u++) {
                const float *w = wt + (size_t)idx[j + (size_t)u] * m + c;
                const __m256 v = _mm256_set1_ps(val[j + (size_t)u]);
                for (int q = 0; q < 4; q++)
                    acc[u][q] = _mm256_fmadd_ps(
                        v, _mm256_maskload_ps(w + 8 * q, mask[q]), acc[u][q]);
            }
        }
        for (int q = 0; q < 4; q++) {
            __m256 s = _mm256_add_ps(acc[0][q], acc[1][q]);
            if (b)
                s = _mm256_add_ps(s, _mm256_maskload_ps(b + c + 8 * q, mask[q]));
            _mm256_maskstore_ps(y + c + 8 * q, mask[q], s);
        }
    }
}
