/* ger_u8, scalar reference: dW += d (scale * x)^T with uint8 input. */
#include "kernels.h"

void sn_ger_u8_scalar(size_t rows, size_t cols, const float *d,
                      const uint8_t *x, float scale, float *dw)
{
    for (size_t r = 0; r < rows; r++) {
        float *dwr = dw + r * cols;
        const float dr = d[r];
        for (size_t c = 0; c < cols; c++)
            dwr[c] += dr * ((float)x[c] * scale);
    }
}
