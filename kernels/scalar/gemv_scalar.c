/* gemv, scalar reference: y = W x + b, one dot product per row. */
#include "kernels.h"

void sn_gemv_scalar(size_t rows, size_t cols, const float *w, const float *x,
                    const float *b, float *y)
{
    for (size_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        float acc = 0.0f;
        for (size_t c = 0; c < cols; c++)
            acc += wr[c] * x[c];
        y[r] = b ? acc + b[r] : acc;
    }
}
