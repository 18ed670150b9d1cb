/* ger, scalar reference: dW += d x^T (outer-product accumulation). */
#include "kernels.h"

void sn_ger_scalar(size_t rows, size_t cols, const float *d, const float *x,
                   float *dw)
{
    for (size_t r = 0; r < rows; r++) {
        float *dwr = dw + r * cols;
        const float dr = d[r];
        for (size_t c = 0; c < cols; c++)
            dwr[c] += dr * x[c];
    }
}
