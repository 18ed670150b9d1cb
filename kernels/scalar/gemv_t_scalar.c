/* gemv_t, scalar reference: y = W^T d, accumulated row by row so that W is
 * read in its storage order. */
#include "kernels.h"

void sn_gemv_t_scalar(size_t rows, size_t cols, const float *w, const float *d,
                      float *y)
{
    for (size_t c = 0; c < cols; c++)
        y[c] = 0.0f;
    for (size_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        const float dr = d[r];
        for (size_t c = 0; c < cols; c++)
            y[c] += wr[c] * dr;
    }
}
