/* gemm_zskip, scalar reference: gemm_scalar's sums without the terms whose
 * entry of A is zero (+0 or -0; a NaN is kept): the same values as
 * sn_gemm_scalar for a finite B (kernels.h). */
#include "kernels.h"

void sn_gemm_zskip_scalar(size_t m, size_t n, size_t k, const float *a,
                          const float *b, const float *bias, float *c)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * n;
        for (size_t j = 0; j < n; j++)
            ci[j] = 0.0f;
        for (size_t p = 0; p < k; p++) {
            const float aip = a[i * k + p];
            if (aip == 0.0f)
                continue;
            const float *bp = b + p * n;
            for (size_t j = 0; j < n; j++)
                ci[j] += aip * bp[j];
        }
        if (bias) {
            for (size_t j = 0; j < n; j++)
                ci[j] += bias[j];
        }
    }
}
