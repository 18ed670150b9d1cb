/* gemm_tn_sparse, scalar reference: for each pixel of the tile, the sum
 * over the samples in which it is nonzero of val * (that sample's delta),
 * taken first and then added to the pixel's row of the gradient. */
#include "kernels.h"

void sn_gemm_tn_sparse_scalar(size_t w, size_t npix, const uint32_t *pix,
                              const uint32_t *start, const uint32_t *row,
                              const float *val, const float *d, size_t ldd,
                              float *dwt, size_t ldg)
{
    for (size_t i = 0; i < npix; i++) {
        float *out = dwt + (size_t)pix[i] * ldg;
        for (size_t j = 0; j < w; j++) {
            float acc = 0.0f;
            for (uint32_t e = start[i]; e < start[i + 1]; e++)
                acc += val[e] * d[(size_t)row[e] * ldd + j];
            out[j] += acc;
        }
    }
}
