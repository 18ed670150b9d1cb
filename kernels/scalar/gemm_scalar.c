/* gemm, scalar reference: C = A B + bias, row by row, each output row an
 * accumulation of B's rows scaled by A's entries (the order of sums the
 * SIMD versions use too). */
#include "kernels.h"

void sn_gemm_scalar(size_t m, size_t n, size_t k, const float *a,
                    const float *b, const float *bias, float *c)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * n;
        for (size_t j = 0; j < n; j++)
            ci[j] = 0.0f;
        for (size_t p = 0; p < k; p++) {
            const float aip = a[i * k + p];
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
