/* gemv_sparse, AVX2+FMA: y = b + sum_j val[j] * WT[idx[j]], outputs in
 * chunks of 32 (four vectors), two interleaved partial sums per vector so
 * eight FMAs are in flight; partial sums are added in a fixed order. */
#include "vec_avx2.h"
#include "kernels.h"

/* The tutorial's first layer is 32 wide: rows of exactly four vectors, no
 * masks, a shift for the row address. */
static void gemv_sparse_32(size_t nnz, const uint32_t *idx, const float *val,
                           const float *wt, const float *b, float *y)
{
    __m256 acc[2][4];
    for (int u = 0; u < 2; u++)
        for (int q = 0; q < 4; q++)
            acc[u][q] = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 2 <= nnz; j += 2) {
        for (int u = 0; u < 2; u++) {
            const float *w = wt + ((size_t)idx[j + (size_t)u] << 5);
            const __m256 v = _mm256_set1_ps(val[j + (size_t)u]);
            for (int q = 0; q < 4; q++)
                acc[u][q] = _mm256_fmadd_ps(v, _mm256_loadu_ps(w + 8 * q), acc[u][q]);
        }
    }
    if (j < nnz) {
        const float *w = wt + ((size_t)idx[j] << 5);
        const __m256 v = _mm256_set1_ps(val[j]);
        for (int q = 0; q < 4; q++)
            acc[0][q] = _mm256_fmadd_ps(v, _mm256_loadu_ps(w + 8 * q), acc[0][q]);
    }
    for (int q = 0; q < 4; q++) {
        __m256 s = _mm256_add_ps(acc[0][q], acc[1][q]);
        if (b)
            s = _mm256_add_ps(s, _mm256_loadu_ps(b + 8 * q));
        _mm256_storeu_ps(y + 8 * q, s);
    }
}

void sn_gemv_sparse_avx2(size_t m, size_t nnz, const uint32_t *idx,
                         const float *val, const float *wt, const float *b,
                         float *y)
{
    if (m == 32) {
        gemv_sparse_32(nnz, idx, val, wt, b, y);
        return;
    }
    for (size_t c = 0; c < m; c += 32) {
        const size_t rem = m - c < 32 ? m - c : 32;
        __m256i mask[4];
        size_t lanes[4];
        for (int q = 0; q < 4; q++) {
            const size_t lo = 8 * (size_t)q;
            lanes[q] = rem <= lo ? 0 : rem - lo < 8 ? rem - lo : 8;
            mask[q] = sn_avx2_tail_mask(lanes[q]);
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
                        v, sn_avx2_load_n(w + 8 * q, lanes[q], mask[q]), acc[u][q]);
            }
        }
        for (int q = 0; q < 4; q++) {
            __m256 s = _mm256_add_ps(acc[0][q], acc[1][q]);
            if (b)
                s = _mm256_add_ps(s, sn_avx2_load_n(b + c + 8 * q, lanes[q], mask[q]));
            sn_avx2_store_n(y + c + 8 * q, lanes[q], mask[q], s);
        }
    }
}
