/* gemm_sparse, NEON: the outputs start as the bias; each pixel's row of WT,
 * four columns (one vector) at a time, scaled into the outputs of the
 * samples in which it is nonzero; a scalar tail. */
#include <math.h>

#include "neon_util.h"

void sn_gemm_sparse_neon(size_t w, size_t m, size_t npix, const uint32_t *pix,
                         const uint32_t *start, const uint32_t *row,
                         const float *val, const float *wt, const float *b,
                         float *y, size_t ldy)
{
    for (size_t s = 0; s < m; s++) {
        float *ys = y + s * ldy;
        size_t j = 0;
        for (; j + 4 <= w; j += 4)
            vst1q_f32(ys + j, b ? vld1q_f32(b + j) : vdupq_n_f32(0.0f));
        for (; j < w; j++)
            ys[j] = b ? b[j] : 0.0f;
    }
    for (size_t i = 0; i < npix; i++) {
        const float *wr = wt + (size_t)pix[i] * w;
        for (uint32_t e = start[i]; e < start[i + 1]; e++) {
            float *yr = y + (size_t)row[e] * ldy;
            size_t j = 0;
            for (; j + 4 <= w; j += 4)
                vst1q_f32(yr + j, vfmaq_n_f32(vld1q_f32(yr + j),
                                              vld1q_f32(wr + j), val[e]));
            for (; j < w; j++)
                yr[j] = fmaf(val[e], wr[j], yr[j]);
        }
    }
}
