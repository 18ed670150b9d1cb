/*
 * ger, NEON: dW += d x^T, one fused multiply-add per element on every path
 * (16-, 4- or 1-column), so an element's result does not depend on where
 * it sits in the row.
 */
#include <math.h>

#include "neon_util.h"

void sn_ger_neon(size_t rows, size_t cols, const float *d, const float *x,
                 float *dw)
{
    for (size_t r = 0; r < rows; r++) {
        float *dwr = dw + r * cols;
        const float32x4_t dr = vdupq_n_f32(d[r]);
        size_t c = 0;
        for (; c + 16 <= cols; c += 16) {
            for (size_t j = 0; j < 16; j += 4)
                vst1q_f32(dwr + c + j, vfmaq_f32(vld1q_f32(dwr + c + j), dr,
                                                 vld1q_f32(x + c + j)));
        }
        for (; c + 4 <= cols; c += 4)
            vst1q_f32(dwr + c,
                      vfmaq_f32(vld1q_f32(dwr + c), dr, vld1q_f32(x + c)));
        for (; c < cols; c++)
            dwr[c] = fmaf(d[r], x[c], dwr[c]);
    }
}
