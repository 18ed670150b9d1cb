/* gemm_tn_sparse, NEON: each pixel's gradient row summed over its samples
 * in registers, sixteen columns (four vectors) at a time, then four, then
 * one, and added once. */
#include <math.h>

#include "neon_util.h"

void sn_gemm_tn_sparse_neon(size_t w, size_t npix, const uint32_t *pix,
                            const uint32_t *start, const uint32_t *row,
                            const float *val, const float *d, size_t ldd,
                            float *dwt, size_t ldg)
{
    for (size_t i = 0; i < npix; i++) {
        float *out = dwt + (size_t)pix[i] * ldg;
        size_t j = 0;
        for (; j + 16 <= w; j += 16) {
            float32x4_t acc[4];
            for (int q = 0; q < 4; q++)
                acc[q] = vdupq_n_f32(0.0f);
            for (uint32_t e = start[i]; e < start[i + 1]; e++) {
                const float *dr = d + (size_t)row[e] * ldd + j;
                for (int q = 0; q < 4; q++)
                    acc[q] = vfmaq_n_f32(acc[q], vld1q_f32(dr + 4 * q), val[e]);
            }
            for (int q = 0; q < 4; q++)
                vst1q_f32(out + j + 4 * q,
                          vaddq_f32(vld1q_f32(out + j + 4 * q), acc[q]));
        }
        for (; j + 4 <= w; j += 4) {
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (uint32_t e = start[i]; e < start[i + 1]; e++)
                acc = vfmaq_n_f32(acc, vld1q_f32(d + (size_t)row[e] * ldd + j),
                                  val[e]);
            vst1q_f32(out + j, vaddq_f32(vld1q_f32(out + j), acc));
        }
        for (; j < w; j++) {
            float acc = 0.0f;
            for (uint32_t e = start[i]; e < start[i + 1]; e++)
                acc = fmaf(val[e], d[(size_t)row[e] * ldd + j], acc);
            out[j] += acc;
        }
    }
}
