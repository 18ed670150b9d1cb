/* gemm_sparse, NEON: the scalar reference's order (kernels.h), four
 * columns (one vector) at a time and a scalar tail: each sample's outputs
 * start as the bias, and each block of SN_GEMM_SPARSE_BLOCK pixels in
 * which it has entries adds their sum, taken from 0 with fused
 * multiply-adds. */
#include <math.h>

#include "neon_util.h"

void sn_gemm_sparse_neon(size_t w, size_t m, const uint32_t *rowptr,
                         const uint32_t *idx, const float *val,
                         const float *wt, size_t ldw, const float *b,
                         float *y, size_t ldy)
{
    enum { B = SN_GEMM_SPARSE_BLOCK };
    for (size_t s = 0; s < m; s++) {
        float *ys = y + s * ldy;
        const uint32_t end = rowptr[s + 1];
        size_t c = 0;
        for (; c + 4 <= w; c += 4) {
            float32x4_t out = b ? vld1q_f32(b + c) : vdupq_n_f32(0.0f);
            for (uint32_t j = rowptr[s]; j < end;) {
                const uint32_t p1 = idx[j] / B * B + B;
                float32x4_t part = vdupq_n_f32(0.0f);
                for (; j < end && idx[j] < p1; j++)
                    part = vfmaq_n_f32(part, vld1q_f32(wt + (size_t)idx[j] * ldw + c),
                                       val[j]);
                out = vaddq_f32(out, part);
            }
            vst1q_f32(ys + c, out);
        }
        for (; c < w; c++) {
            float out = b ? b[c] : 0.0f;
            for (uint32_t j = rowptr[s]; j < end;) {
                const uint32_t p1 = idx[j] / B * B + B;
                float part = 0.0f;
                for (; j < end && idx[j] < p1; j++)
                    part = fmaf(val[j], wt[(size_t)idx[j] * ldw + c], part);
                out += part;
            }
            ys[c] = out;
        }
    }
}
