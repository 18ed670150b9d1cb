/*
 * ger_sparse, NEON: WT[idx[j]] += val[j] * d for every j.
 *
 * Sixteen values of d stay in registers while the rows of the nonzero
 * inputs stream through. Every element gets one fused multiply-add
 * dwt + val d on every path (16-, 4- or 1-wide), so its result does not
 * depend on its position.
 */
#include <math.h>

#include "neon_util.h"

void sn_ger_sparse_neon(size_t m, size_t nnz, const uint32_t *idx,
                        const float *val, const float *d, float *dwt)
{
    size_t r = 0;
    for (; r + 16 <= m; r += 16) {
        float32x4_t dv[4];
        for (size_t q = 0; q < 4; q++)
            dv[q] = vld1q_f32(d + r + 4 * q);
        for (size_t j = 0; j < nnz; j++) {
            float *w = dwt + (size_t)idx[j] * m + r;
            const float32x4_t v = vdupq_n_f32(val[j]);
            for (size_t q = 0; q < 4; q++)
                vst1q_f32(w + 4 * q,
                          vfmaq_f32(vld1q_f32(w + 4 * q), v, dv[q]));
        }
    }
    for (; r + 4 <= m; r += 4) {
        const float32x4_t dv = vld1q_f32(d + r);
        for (size_t j = 0; j < nnz; j++) {
            float *w = dwt + (size_t)idx[j] * m + r;
            vst1q_f32(w, vfmaq_f32(vld1q_f32(w), vdupq_n_f32(val[j]), dv));
        }
    }
    for (; r < m; r++) {
        for (size_t j = 0; j < nnz; j++) {
            float *w = dwt + (size_t)idx[j] * m + r;
            *w = fmaf(val[j], d[r], *w);
        }
    }
}
