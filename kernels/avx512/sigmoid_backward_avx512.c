/* sigmoid_backward, AVX-512: delta = dcda * a * (1 - a), multiplied in the
 * oracle's order without fusing, so the result is bit-identical to it.
 * delta may equal dcda. */
#include "kernels.h"
#include "vec_avx512.h"

SN_AVX512_INLINE __m512 backward(__m512 dcda, __m512 a)
{
    return _mm512_mul_ps(_mm512_mul_ps(dcda, a),
                         _mm512_sub_ps(_mm512_set1_ps(1.0f), a));
}

void sn_sigmoid_backward_avx512(size_t n, const float *dcda, const float *a,
                                float *delta)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(delta + i, backward(_mm512_loadu_ps(dcda + i),
                                             _mm512_loadu_ps(a + i)));
    if (i < n) {
        const __mmask16 m = sn_avx512_tail_mask(n - i);
        _mm512_mask_storeu_ps(delta + i, m,
                              backward(_mm512_maskz_loadu_ps(m, dcda + i),
                                       _mm512_maskz_loadu_ps(m, a + i)));
    }
}
