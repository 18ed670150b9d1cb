/* vadd, AVX2: y += x, 8 lanes, masked tail. */
#include "kernels.h"
#include "vec_avx2.h"

void sn_vadd_avx2(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i),
                                              _mm256_loadu_ps(x + i)));
    if (i < n) {
        const __m256i m = sn_avx2_tail_mask(n - i);
        _mm256_maskstore_ps(y + i, m,
                            _mm256_add_ps(_mm256_maskload_ps(y + i, m),
                                          _mm256_maskload_ps(x + i, m)));
    }
}
