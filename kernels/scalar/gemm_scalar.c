/* gemm, scalar reference: C = A B + bias (gemm_scalar.h). */
#include "gemm_scalar.h"

void sn_gemm_scalar(size_t m, size_t n, size_t k, const float *a,
                    const float *b, const float *bias, float *c)
{
    sn_gemm_rows_scalar(m, n, k, a, b, bias, c, 0);
}
