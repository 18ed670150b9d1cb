/* sgd, AVX2: p -= lr * (gscale * the sum of the gradient buffers), in the oracle's order without
 * fusing: bit-identical to it. */
#include "kernels.h"
#include "vec_avx2.h"

SN_AVX2_INLINE __m256 step(__m256 p, __m256 gsum, __m256 gscale, __m256 lr)
{
    return _mm256_sub_ps(p, _mm256_mul_ps(lr, _mm256_mul_ps(gsum, gscale)));
}

void sn_sgd_avx2(size_t n, float *p, size_t nbuf, const float *const *gsum,
                 float gscale, float lr)
{
    const __m256 vscale = _mm256_set1_ps(gscale), vlr = _mm256_set1_ps(lr);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(p + i, step(_mm256_loadu_ps(p + i),
                                     sn_avx2_sum_buffers(nbuf, gsum, i), vscale, vlr));
    if (i < n) {
        const __m256i m = sn_avx2_tail_mask(n - i);
        _mm256_maskstore_ps(p + i, m,
                            step(_mm256_maskload_ps(p + i, m),
                                 sn_avx2_sum_buffers_tail(nbuf, gsum, i, m), vscale, vlr));
    }
}
