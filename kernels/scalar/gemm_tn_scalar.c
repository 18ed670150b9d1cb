/* gemm_tn, scalar reference: C += A^T B, the weight gradient of a batch:
 * row r of C gathers B's rows scaled by column r of A. */
#include "kernels.h"

void sn_gemm_tn_scalar(size_t m, size_t n, size_t k, const float *a,
                       const float *b, float *c)
{
    for (size_t r = 0; r < n; r++) {
        float *cr = c + r * k;
        for (size_t s = 0; s < m; s++) {
            const float asr = a[s * n + r];
            const float *bs = b + s * k;
            for (size_t j = 0; j < k; j++)
                cr[j] += asr * bs[j];
        }
    }
}
