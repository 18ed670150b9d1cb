/* gemm_tn, scalar reference: C += A^T B, the weight gradient of a batch
 * (gemm_scalar.h). */
#include "gemm_scalar.h"

void sn_gemm_tn_scalar(size_t m, size_t n, size_t k, const float *a,
                       const float *b, float *c)
{
    sn_gemm_tn_rows_scalar(m, n, k, a, b, c, 0);
}
