/* vadd, AVX-512: y += x, 16 lanes, masked tail. */
#include "kernels.h"
#include "vec_avx512.h"

void sn_vadd_avx512(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i),
                                              _mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 m = sn_avx512_tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m,
                              _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + i),
                                            _mm512_maskz_loadu_ps(m, x + i)));
    }
}
