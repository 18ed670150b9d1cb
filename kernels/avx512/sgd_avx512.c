/* sgd, AVX-512: p -= lr * (gscale * the sum of the gradient buffers), in the oracle's order without
 * fusing: bit-identical to it. */
#include "kernels.h"
#include "vec_avx512.h"

SN_AVX512_INLINE __m512 step(__m512 p, __m512 gsum, __m512 gscale, __m512 lr)
{
    return _mm512_sub_ps(p, _mm512_mul_ps(lr, _mm512_mul_ps(gsum, gscale)));
}

void sn_sgd_avx512(size_t n, float *p, size_t nbuf,
                   const float *const *gsum, float gscale, float lr)
{
    const __m512 vscale = _mm512_set1_ps(gscale), vlr = _mm512_set1_ps(lr);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(p + i, step(_mm512_loadu_ps(p + i),
                                     sn_avx512_sum_buffers(nbuf, gsum, i), vscale, vlr));
    if (i < n) {
        const __mmask16 m = sn_avx512_tail_mask(n - i);
        _mm512_mask_storeu_ps(p + i, m,
                              step(_mm512_maskz_loadu_ps(m, p + i),
                                   sn_avx512_sum_buffers_tail(nbuf, gsum, i, m), vscale,
                                   vlr));
    }
}
