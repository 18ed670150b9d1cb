/* gemv_sparse, AVX-512: y = b + sum_j val[j] * WT[idx[j]].
 *
 * Each nonzero input adds one contiguous row of WT (m floats: two vectors
 * for the first layer's 32 outputs) scaled by its value. Outputs go in
 * chunks of 32; four interleaved partial sums per output vector keep eight
 * FMAs in flight, more than the FMA latency needs, and are added in a fixed
 * order at the end. */
#include "vec_avx512.h"
#include "kernels.h"

/* The first layer of the tutorial's network is 32 wide: rows of exactly two
 * vectors, no masks, a shift for the row address. */
static void gemv_sparse_32(size_t nnz, const uint32_t *idx, const float *val,
                           const float *wt, const float *b, float *y)
{
    __m512 lo[4], hi[4];
    for (int u = 0; u < 4; u++)
        lo[u] = hi[u] = _mm512_setzero_ps();
    size_t j = 0;
    for (; j + 4 <= nnz; j += 4) {
        for (int u = 0; u < 4; u++) {
            const float *w = wt + ((size_t)idx[j + u] << 5);
            const __m512 v = _mm512_set1_ps(val[j + u]);
            lo[u] = _mm512_fmadd_ps(v, _mm512_loadu_ps(w), lo[u]);
            hi[u] = _mm512_fmadd_ps(v, _mm512_loadu_ps(w + 16), hi[u]);
        }
    }
    for (int u = 0; j < nnz; j++, u++) {
        const float *w = wt + ((size_t)idx[j] << 5);
        const __m512 v = _mm512_set1_ps(val[j]);
        lo[u] = _mm512_fmadd_ps(v, _mm512_loadu_ps(w), lo[u]);
        hi[u] = _mm512_fmadd_ps(v, _mm512_loadu_ps(w + 16), hi[u]);
    }
    __m512 slo = _mm512_add_ps(_mm512_add_ps(lo[0], lo[1]),
                               _mm512_add_ps(lo[2], lo[3]));
    __m512 shi = _mm512_add_ps(_mm512_add_ps(hi[0], hi[1]),
                               _mm512_add_ps(hi[2], hi[3]));
    if (b) {
        slo = _mm512_add_ps(slo, _mm512_loadu_ps(b));
        shi = _mm512_add_ps(shi, _mm512_loadu_ps(b + 16));
    }
    _mm512_storeu_ps(y, slo);
    _mm512_storeu_ps(y + 16, shi);
}

void sn_gemv_sparse_avx512(size_t m, size_t nnz, const uint32_t *idx,
                           const float *val, const float *wt, const float *b,
                           float *y)
{
    if (m == 32) {
        gemv_sparse_32(nnz, idx, val, wt, b, y);
        return;
    }
    for (size_t c = 0; c < m; c += 32) {
        const size_t rem = m - c;
        const __mmask16 k0 = sn_avx512_tail_mask(rem < 16 ? rem : 16);
        const __mmask16 k1 = sn_avx512_tail_mask(rem <= 16 ? 0 : rem < 32 ? rem - 16 : 16);
        __m512 lo[4], hi[4];
        for (int u = 0; u < 4; u++)
            lo[u] = hi[u] = _mm512_setzero_ps();
        size_t j = 0;
        for (; j + 4 <= nnz; j += 4) {
            for (int u = 0; u < 4; u++) {
                const float *w = wt + (size_t)idx[j + u] * m + c;
                const __m512 v = _mm512_set1_ps(val[j + u]);
                lo[u] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(k0, w), lo[u]);
                hi[u] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(k1, w + 16), hi[u]);
            }
        }
        for (int u = 0; j < nnz; j++, u++) {
            const float *w = wt + (size_t)idx[j] * m + c;
            const __m512 v = _mm512_set1_ps(val[j]);
            lo[u] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(k0, w), lo[u]);
            hi[u] = _mm512_fmadd_ps(v, _mm512_maskz_loadu_ps(k1, w + 16), hi[u]);
        }
        __m512 slo = _mm512_add_ps(_mm512_add_ps(lo[0], lo[1]),
                                   _mm512_add_ps(lo[2], lo[3]));
        __m512 shi = _mm512_add_ps(_mm512_add_ps(hi[0], hi[1]),
                                   _mm512_add_ps(hi[2], hi[3]));
        if (b) {
            slo = _mm512_add_ps(slo, _mm512_maskz_loadu_ps(k0, b + c));
            shi = _mm512_add_ps(shi, _mm512_maskz_loadu_ps(k1, b + c + 16));
        }
        _mm512_mask_storeu_ps(y + c, k0, slo);
        _mm512_mask_storeu_ps(y + c + 16, k1, shi);
    }
}
