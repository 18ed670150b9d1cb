/* gemm_sparse, scalar reference: each sample's outputs start as the bias,
 * then every pixel of the tile, in list order, adds its row of WT scaled by
 * its value to the outputs of the samples in which it is nonzero. */
#include "kernels.h"

void sn_gemm_sparse_scalar(size_t w, size_t m, size_t npix,
                           const uint32_t *pix, const uint32_t *start,
                           const uint32_t *row, const float *val,
                           const float *wt, const float *b, float *y,
                           size_t ldy)
{
    for (size_t s = 0; s < m; s++)
        for (size_t j = 0; j < w; j++)
            y[s * ldy + j] = b ? b[j] : 0.0f;
    for (size_t i = 0; i < npix; i++) {
        const float *wr = wt + (size_t)pix[i] * w;
        for (uint32_t e = start[i]; e < start[i + 1]; e++) {
            float *yr = y + (size_t)row[e] * ldy;
            for (size_t j = 0; j < w; j++)
                yr[j] += val[e] * wr[j];
        }
    }
}
