/* sigmoid, AVX-512: 16 lanes of the libm-free sigmoid of exp_avx512.h; the
 * tail is one masked load and store. y may equal x. */
#include "exp_avx512.h"
#include "kernels.h"
#include "vec_avx512.h"

void sn_sigmoid_avx512(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, sn_avx512_sigmoid(_mm512_loadu_ps(x + i)));
    if (i < n) {
        const __mmask16 m = sn_avx512_tail_mask(n - i);
        _mm512_mask_storeu_ps(y + i, m,
                              sn_avx512_sigmoid(_mm512_maskz_loadu_ps(m, x + i)));
    }
}
