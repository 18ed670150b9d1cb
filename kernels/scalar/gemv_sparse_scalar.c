/* gemv_sparse, scalar reference: y = b + sum_j val[j] * WT[idx[j]], a
 * transposed weight matrix times a sparse input. */
#include "kernels.h"

void sn_gemv_sparse_scalar(size_t m, size_t nnz, const uint32_t *idx,
                           const float *val, const float *wt, const float *b,
                           float *y)
{
    for (size_t r = 0; r < m; r++)
        y[r] = 0.0f;
    for (size_t j = 0; j < nnz; j++) {
        const float *w = wt + (size_t)idx[j] * m;
        const float v = val[j];
        for (size_t r = 0; r < m; r++)
            y[r] += v * w[r];
    }
    if (b) {
        for (size_t r = 0; r < m; r++)
            y[r] += b[r];
    }
}
