/* gemm_tn_zskip, NEON: gemm_tn_neon's sums (each row of C summed over the
 * tile, four columns per vector) without the samples where A's entry is
 * zero (zskip_neon.h): the same values as sn_gemm_tn_neon. */
#include "zskip_neon.h"

void sn_gemm_tn_zskip_neon(size_t m, size_t n, size_t k, const float *a,
                           const float *b, float *c)
{
    for (size_t r = 0; r < n; r++)
        sn_neon_zskip_row(m, a + r, n, b, k, k, c + r * k, 1);
}
