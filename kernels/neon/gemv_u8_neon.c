/*
 * gemv_u8, NEON: y = W (scale * x) + b with uint8 pixels converted here.
 *
 * Rows go four at a time so that each 16-pixel chunk is loaded and
 * converted once for four rows; a chunk of 16 zero pixels is skipped, which
 * changes no sum. scale is applied once to each row's sum rather than to
 * every pixel (one rounding instead of one per column). Every row is summed
 * in one fixed order whichever path it takes, so its result does not depend
 * on its position or on how rows are split.
 */
#include <math.h>

#include "neon_util.h"

/* nrows (1 to 4) consecutive rows of y; a constant once inlined. */
static inline void gemv_u8_rows(size_t nrows, size_t cols, const float *w,
                                const uint8_t *x, float scale, const float *b,
                                float *y)
{
    /* a<j>[k]: row k, columns 4j..4j+3 of each chunk. Four small arrays
     * rather than one [4][4] so that gcc keeps them all in registers. */
    float32x4_t a0[4], a1[4], a2[4], a3[4];
    for (size_t k = 0; k < nrows; k++)
        a0[k] = a1[k] = a2[k] = a3[k] = vdupq_n_f32(0.0f);

    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
        float32x4_t xf[4];
        if (!sn_neon_load_pixels16(x + c, xf))
            continue;
        for (size_t k = 0; k < nrows; k++) {
            const float *wk = w + k * cols + c;
            a0[k] = vfmaq_f32(a0[k], vld1q_f32(wk), xf[0]);
            a1[k] = vfmaq_f32(a1[k], vld1q_f32(wk + 4), xf[1]);
            a2[k] = vfmaq_f32(a2[k], vld1q_f32(wk + 8), xf[2]);
            a3[k] = vfmaq_f32(a3[k], vld1q_f32(wk + 12), xf[3]);
        }
    }
    for (size_t k = 0; k < nrows; k++) {
        const float *wk = w + k * cols;
        const float32x4_t sum = vaddq_f32(vaddq_f32(a0[k], a1[k]),
                                          vaddq_f32(a2[k], a3[k]));
        float dot = vaddvq_f32(sum);
        for (size_t t = c; t < cols; t++)
            dot = fmaf(wk[t], (float)x[t], dot);
        y[k] = b ? dot * scale + b[k] : dot * scale;
    }
}

void sn_gemv_u8_neon(size_t rows, size_t cols, const float *w,
                     const uint8_t *x, float scale, const float *b, float *y)
{
    size_t r = 0;
    for (; r + 4 <= rows; r += 4)
        gemv_u8_rows(4, cols, w + r * cols, x, scale, b ? b + r : NULL, y + r);
    for (; r < rows; r++)
        gemv_u8_rows(1, cols, w + r * cols, x, scale, b ? b + r : NULL, y + r);
}
