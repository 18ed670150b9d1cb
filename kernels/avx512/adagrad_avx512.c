/* adagrad, AVX-512: G += g*g; p -= lr * g / sqrt(G + eps) on g, the sum of the
 * gradient buffers in buffer order, with the exact
 * vsqrtps and vdivps (no rsqrt estimate), eps inside the root, and every
 * operation in the oracle's order without fusing: bit-identical to it. */
#include "kernels.h"
#include "vec_avx512.h"

typedef struct adagrad_consts {
    __m512 gscale, lr, eps;
} adagrad_consts;

/* One vector: updates *G in place and returns the new p. */
SN_AVX512_INLINE __m512 step(__m512 p, __m512 *G, __m512 gsum,
                             const adagrad_consts *k)
{
    const __m512 g = _mm512_mul_ps(gsum, k->gscale);
    const __m512 acc = _mm512_add_ps(*G, _mm512_mul_ps(g, g));
    *G = acc;
    const __m512 root = _mm512_sqrt_ps(_mm512_add_ps(acc, k->eps));
    return _mm512_sub_ps(p, _mm512_div_ps(_mm512_mul_ps(k->lr, g), root));
}

void sn_adagrad_avx512(size_t n, float *p, float *G, size_t nbuf,
                       const float *const *gsum, float gscale, float lr,
                       float eps)
{
    const adagrad_consts k = {_mm512_set1_ps(gscale), _mm512_set1_ps(lr),
                              _mm512_set1_ps(eps)};
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 g2 = _mm512_loadu_ps(G + i);
        const __m512 pv = step(_mm512_loadu_ps(p + i), &g2,
                               sn_avx512_sum_buffers(nbuf, gsum, i), &k);
        _mm512_storeu_ps(G + i, g2);
        _mm512_storeu_ps(p + i, pv);
    }
    if (i < n) {
        const __mmask16 m = sn_avx512_tail_mask(n - i);
        __m512 g2 = _mm512_maskz_loadu_ps(m, G + i);
        const __m512 pv = step(_mm512_maskz_loadu_ps(m, p + i), &g2,
                               sn_avx512_sum_buffers_tail(nbuf, gsum, i, m), &k);
        _mm512_mask_storeu_ps(G + i, m, g2);
        _mm512_mask_storeu_ps(p + i, m, pv);
    }
}
