/* sigmoid, AVX2: 8 lanes of the libm-free sigmoid of exp_avx2.h; the tail
 * is one maskload and maskstore. y may equal x. */
#include "exp_avx2.h"
#include "kernels.h"
#include "vec_avx2.h"

void sn_sigmoid_avx2(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, sn_avx2_sigmoid(_mm256_loadu_ps(x + i)));
    if (i < n) {
        const __m256i m = sn_avx2_tail_mask(n - i);
        _mm256_maskstore_ps(y + i, m,
                            sn_avx2_sigmoid(_mm256_maskload_ps(x + i, m)));
    }
}
