/* gemm_tn_zskip, scalar reference: gemm_tn_scalar's sums without the
 * samples whose entry of A is zero (+0 or -0; a NaN is kept): the same
 * values as sn_gemm_tn_scalar for a finite B (kernels.h). */
#include "kernels.h"

void sn_gemm_tn_zskip_scalar(size_t m, size_t n, size_t k, const float *a,
                             const float *b, float *c)
{
    for (size_t r = 0; r < n; r++) {
        float *cr = c + r * k;
        for (size_t s = 0; s < m; s++) {
            const float asr = a[s * n + r];
            if (asr == 0.0f)
                continue;
            const float *bs = b + s * k;
            for (size_t j = 0; j < k; j++)
                cr[j] += asr * bs[j];
        }
    }
}
