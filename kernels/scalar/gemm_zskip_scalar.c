/* gemm_zskip, scalar reference: gemm_scalar's sums without the terms whose
 * entry of A is zero (+0 or -0; a NaN is kept): the same values as
 * sn_gemm_scalar for a finite B (gemm_scalar.h, kernels.h). */
#include "gemm_scalar.h"

void sn_gemm_zskip_scalar(size_t m, size_t n, size_t k, const float *a,
                          const float *b, const float *bias, float *c)
{
    sn_gemm_rows_scalar(m, n, k, a, b, bias, c, 1);
}
