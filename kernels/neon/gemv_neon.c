/*
 * gemv, NEON: y = W x + b.
 *
 * Rows go four at a time so that each load of x feeds four rows. Every row
 * is summed in one fixed order whichever path it takes (two accumulators
 * over 8-column steps, one 4-column step, then the last 0-3 columns), so a
 * row's result does not depend on its position or on how rows are split.
 */
#include <math.h>

#include "neon_util.h"

/* nrows (1 to 4) consecutive rows of y; a constant once inlined, so the
 * row loops unroll and the accumulators live in registers. */
static inline void gemv_rows(size_t nrows, size_t cols, const float *w,
                             const float *x, const float *b, float *y)
{
    float32x4_t lo[4], hi[4];
    for (size_t k = 0; k < nrows; k++)
        lo[k] = hi[k] = vdupq_n_f32(0.0f);

    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        const float32x4_t xl = vld1q_f32(x + c);
        const float32x4_t xh = vld1q_f32(x + c + 4);
        for (size_t k = 0; k < nrows; k++) {
            lo[k] = vfmaq_f32(lo[k], vld1q_f32(w + k * cols + c), xl);
            hi[k] = vfmaq_f32(hi[k], vld1q_f32(w + k * cols + c + 4), xh);
        }
    }
    if (c + 4 <= cols) {
        const float32x4_t xl = vld1q_f32(x + c);
        for (size_t k = 0; k < nrows; k++)
            lo[k] = vfmaq_f32(lo[k], vld1q_f32(w + k * cols + c), xl);
        c += 4;
    }
    for (size_t k = 0; k < nrows; k++) {
        const float *wk = w + k * cols;
        float acc = vaddvq_f32(vaddq_f32(lo[k], hi[k]));
        for (size_t t = c; t < cols; t++)
            acc = fmaf(wk[t], x[t], acc);
        y[k] = b ? acc + b[k] : acc;
    }
}

void sn_gemv_neon(size_t rows, size_t cols, const float *w, const float *x,
                  const float *b, float *y)
{
    size_t r = 0;
    for (; r + 4 <= rows; r += 4)
        gemv_rows(4, cols, w + r * cols, x, b ? b + r : NULL, y + r);
    for (; r < rows; r++)
        gemv_rows(1, cols, w + r * cols, x, b ? b + r : NULL, y + r);
}
