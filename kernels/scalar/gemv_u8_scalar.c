/* gemv_u8, scalar reference: y = W (scale * x) + b with uint8 input. */
#include "kernels.h"

void sn_gemv_u8_scalar(size_t rows, size_t cols, const float *w,
                       const uint8_t *x, float scale, const float *b, float *y)
{
    for (size_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        float acc = 0.0f;
        for (size_t c = 0; c < cols; c++)
            acc += wr[c] * ((float)x[c] * scale);
        y[r] = b ? acc + b[r] : acc;
    }
}
