/*
 * ger_u8, NEON: dW += d (scale * x)^T with uint8 pixels converted here.
 *
 * The loop runs over 16-pixel chunks outside and rows inside, so each chunk
 * is loaded and converted once for all rows, and a chunk of 16 zero pixels
 * (the common case in MNIST) skips every row at once: adding d * 0 changes
 * no element. scale is folded into each row's d. Every element gets one
 * fused multiply-add dw + (d scale) x on every path, so its result does not
 * depend on where it sits in the row.
 */
#include <math.h>

#include "neon_util.h"

void sn_ger_u8_neon(size_t rows, size_t cols, const float *d,
                    const uint8_t *x, float scale, float *dw)
{
    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
        float32x4_t xf[4];
        if (!sn_neon_load_pixels16(x + c, xf))
            continue;
        for (size_t r = 0; r < rows; r++) {
            float *dwr = dw + r * cols + c;
            const float32x4_t ds = vdupq_n_f32(d[r] * scale);
            for (size_t j = 0; j < 4; j++)
                vst1q_f32(dwr + 4 * j,
                          vfmaq_f32(vld1q_f32(dwr + 4 * j), ds, xf[j]));
        }
    }
    for (; c < cols; c++) {
        if (x[c] == 0)
            continue;
        const float xc = (float)x[c];
        for (size_t r = 0; r < rows; r++)
            dw[r * cols + c] = fmaf(d[r] * scale, xc, dw[r * cols + c]);
    }
}
