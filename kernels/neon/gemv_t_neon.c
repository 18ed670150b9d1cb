/*
 * gemv_t, NEON: y = W^T d.
 *
 * Sixteen columns of y stay in registers while all rows are accumulated
 * into them, so y is written once and W is still read along its rows.
 * Each y[c] is the sum over rows in row order, one fused multiply-add per
 * row, on every path (16-, 4- or 1-column), like the scalar loop's order.
 */
#include <math.h>

#include "neon_util.h"

void sn_gemv_t_neon(size_t rows, size_t cols, const float *w, const float *d,
                    float *y)
{
    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = a0, a2 = a0, a3 = a0;
        for (size_t r = 0; r < rows; r++) {
            const float *wr = w + r * cols + c;
            const float32x4_t dr = vdupq_n_f32(d[r]);
            a0 = vfmaq_f32(a0, vld1q_f32(wr), dr);
            a1 = vfmaq_f32(a1, vld1q_f32(wr + 4), dr);
            a2 = vfmaq_f32(a2, vld1q_f32(wr + 8), dr);
            a3 = vfmaq_f32(a3, vld1q_f32(wr + 12), dr);
        }
        vst1q_f32(y + c, a0);
        vst1q_f32(y + c + 4, a1);
        vst1q_f32(y + c + 8, a2);
        vst1q_f32(y + c + 12, a3);
    }
    for (; c + 4 <= cols; c += 4) {
        float32x4_t a = vdupq_n_f32(0.0f);
        for (size_t r = 0; r < rows; r++)
            a = vfmaq_f32(a, vld1q_f32(w + r * cols + c), vdupq_n_f32(d[r]));
        vst1q_f32(y + c, a);
    }
    for (; c < cols; c++) {
        float a = 0.0f;
        for (size_t r = 0; r < rows; r++)
            a = fmaf(w[r * cols + c], d[r], a);
        y[c] = a;
    }
}
