/*
 * gemv_sparse, NEON: y = b + sum_j val[j] * WT[idx[j]].
 *
 * Sixteen outputs stay in registers while the rows of the nonzero inputs
 * stream through, in two interleaved partial sums (even and odd j) so that
 * eight multiply-adds are in flight. Every output is computed the same way
 * on every path (16-, 4- or 1-wide): even sum + odd sum, then the bias; so
 * its result does not depend on its position.
 */
#include <math.h>

#include "neon_util.h"

void sn_gemv_sparse_neon(size_t m, size_t nnz, const uint32_t *idx,
                         const float *val, const float *wt, const float *b,
                         float *y)
{
    size_t r = 0;
    for (; r + 16 <= m; r += 16) {
        float32x4_t e[4], o[4];
        for (size_t q = 0; q < 4; q++)
            e[q] = o[q] = vdupq_n_f32(0.0f);
        size_t j = 0;
        for (; j + 2 <= nnz; j += 2) {
            const float *we = wt + (size_t)idx[j] * m + r;
            const float *wo = wt + (size_t)idx[j + 1] * m + r;
            const float32x4_t ve = vdupq_n_f32(val[j]);
            const float32x4_t vo = vdupq_n_f32(val[j + 1]);
            for (size_t q = 0; q < 4; q++) {
                e[q] = vfmaq_f32(e[q], ve, vld1q_f32(we + 4 * q));
                o[q] = vfmaq_f32(o[q], vo, vld1q_f32(wo + 4 * q));
            }
        }
        if (j < nnz) {
            const float *we = wt + (size_t)idx[j] * m + r;
            const float32x4_t ve = vdupq_n_f32(val[j]);
            for (size_t q = 0; q < 4; q++)
                e[q] = vfmaq_f32(e[q], ve, vld1q_f32(we + 4 * q));
        }
        for (size_t q = 0; q < 4; q++) {
            float32x4_t s = vaddq_f32(e[q], o[q]);
            if (b)
                s = vaddq_f32(s, vld1q_f32(b + r + 4 * q));
            vst1q_f32(y + r + 4 * q, s);
        }
    }
    for (; r + 4 <= m; r += 4) {
        float32x4_t e = vdupq_n_f32(0.0f), o = e;
        size_t j = 0;
        for (; j + 2 <= nnz; j += 2) {
            e = vfmaq_f32(e, vdupq_n_f32(val[j]),
                          vld1q_f32(wt + (size_t)idx[j] * m + r));
            o = vfmaq_f32(o, vdupq_n_f32(val[j + 1]),
                          vld1q_f32(wt + (size_t)idx[j + 1] * m + r));
        }
        if (j < nnz)
            e = vfmaq_f32(e, vdupq_n_f32(val[j]),
                          vld1q_f32(wt + (size_t)idx[j] * m + r));
        float32x4_t s = vaddq_f32(e, o);
        if (b)
            s = vaddq_f32(s, vld1q_f32(b + r));
        vst1q_f32(y + r, s);
    }
    for (; r < m; r++) {
        float e = 0.0f, o = 0.0f;
        size_t j = 0;
        for (; j + 2 <= nnz; j += 2) {
            e = fmaf(val[j], wt[(size_t)idx[j] * m + r], e);
            o = fmaf(val[j + 1], wt[(size_t)idx[j + 1] * m + r], o);
        }
        if (j < nnz)
            e = fmaf(val[j], wt[(size_t)idx[j] * m + r], e);
        y[r] = b ? (e + o) + b[r] : e + o;
    }
}
