/* gemm_zskip, NEON: gemm_neon's sums (one row of A at a time, four columns
 * per vector) without the terms where the row's entry of A is zero
 * (zskip_neon.h): the same values as sn_gemm_neon. */
#include "zskip_neon.h"

void sn_gemm_zskip_neon(size_t m, size_t n, size_t k, const float *a,
                        const float *b, const float *bias, float *c)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * n;
        sn_neon_zskip_row(k, a + i * k, 1, b, n, n, ci, 0);
        if (bias) {
            for (size_t j = 0; j < n; j++)
                ci[j] += bias[j];
        }
    }
}
