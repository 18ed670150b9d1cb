/* ger_sparse, scalar reference: WT[idx[j]] += val[j] * d for every j, the
 * outer product of d and a sparse input, into a transposed gradient. */
#include "kernels.h"

void sn_ger_sparse_scalar(size_t m, size_t nnz, const uint32_t *idx,
                          const float *val, const float *d, float *dwt)
{
    for (size_t j = 0; j < nnz; j++) {
        float *w = dwt + (size_t)idx[j] * m;
        const float v = val[j];
        for (size_t r = 0; r < m; r++)
            w[r] += v * d[r];
    }
}
