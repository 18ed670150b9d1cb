/* adagrad, AVX2: G += g*g; p -= lr * g / sqrt(G + eps) on g, the sum of the
 * gradient buffers in buffer order, with the exact
 * vsqrtps and vdivps (no rsqrt estimate), eps inside the root, and every
 * operation in the oracle's order without fusing: bit-identical to it. */
#include "kernels.h"
#include "vec_avx2.h"

typedef struct adagrad_consts {
    __m256 gscale, lr, eps;
} adagrad_consts;

/* One vector: updates *G in place and returns the new p. */
SN_AVX2_INLINE __m256 step(__m256 p, __m256 *G, __m256 gsum,
                           const adagrad_consts *k)
{
    const __m256 g = _mm256_mul_ps(gsum, k->gscale);
    const __m256 acc = _mm256_add_ps(*G, _mm256_mul_ps(g, g));
    *G = acc;
    const __m256 root = _mm256_sqrt_ps(_mm256_add_ps(acc, k->eps));
    return _mm256_sub_ps(p, _mm256_div_ps(_mm256_mul_ps(k->lr, g), root));
}

void sn_adagrad_avx2(size_t n, float *p, float *G, size_t nbuf,
                       const float *const *gsum, float gscale, float lr,
                       float eps)
{
    const adagrad_consts k = {_mm256_set1_ps(gscale), _mm256_set1_ps(lr),
                              _mm256_set1_ps(eps)};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g2 = _mm256_loadu_ps(G + i);
        const __m256 pv = step(_mm256_loadu_ps(p + i), &g2,
                               sn_avx2_sum_buffers(nbuf, gsum, i), &k);
        _mm256_storeu_ps(G + i, g2);
        _mm256_storeu_ps(p + i, pv);
    }
    if (i < n) {
        const __m256i m = sn_avx2_tail_mask(n - i);
        __m256 g2 = _mm256_maskload_ps(G + i, m);
        const __m256 pv = step(_mm256_maskload_ps(p + i, m), &g2,
                               sn_avx2_sum_buffers_tail(nbuf, gsum, i, m), &k);
        _mm256_maskstore_ps(G + i, m, g2);
        _mm256_maskstore_ps(p + i, m, pv);
    }
}
