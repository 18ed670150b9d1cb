/* gemm_sparse, scalar reference: each sample's outputs start as the bias;
 * each block of SN_GEMM_SPARSE_BLOCK pixels in which the sample has
 * entries adds their sum, taken in entry order from 0 (kernels.h). */
#include "kernels.h"

void sn_gemm_sparse_scalar(size_t w, size_t m, const uint32_t *rowptr,
                           const uint32_t *idx, const float *val,
                           const float *wt, size_t ldw, const float *b,
                           float *y, size_t ldy)
{
    for (size_t s = 0; s < m; s++) {
        float *ys = y + s * ldy;
        for (size_t c = 0; c < w; c++) {
            float out = b ? b[c] : 0.0f;
            for (uint32_t j = rowptr[s]; j < rowptr[s + 1];) {
                const uint32_t end = idx[j] / SN_GEMM_SPARSE_BLOCK *
                                         SN_GEMM_SPARSE_BLOCK +
                                     SN_GEMM_SPARSE_BLOCK;
                float part = 0.0f;
                for (; j < rowptr[s + 1] && idx[j] < end; j++)
                    part += val[j] * wt[(size_t)idx[j] * ldw + c];
                out += part;
            }
            ys[c] = out;
        }
    }
}
