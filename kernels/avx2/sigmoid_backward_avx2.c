/* sigmoid_backward, AVX2: delta = dcda * a * (1 - a), multiplied in the
 * oracle's order without fusing, so the result is bit-identical to it.
 * delta may equal dcda. */
#include "kernels.h"
#include "vec_avx2.h"

SN_AVX2_INLINE __m256 backward(__m256 dcda, __m256 a)
{
    return _mm256_mul_ps(_mm256_mul_ps(dcda, a),
                         _mm256_sub_ps(_mm256_set1_ps(1.0f), a));
}

void sn_sigmoid_backward_avx2(size_t n, const float *dcda, const float *a,
                              float *delta)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(delta + i, backward(_mm256_loadu_ps(dcda + i),
                                             _mm256_loadu_ps(a + i)));
    if (i < n) {
        const __m256i m = sn_avx2_tail_mask(n - i);
        _mm256_maskstore_ps(delta + i, m,
                            backward(_mm256_maskload_ps(dcda + i, m),
                                     _mm256_maskload_ps(a + i, m)));
    }
}
