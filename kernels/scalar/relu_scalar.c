/* relu, scalar reference: y = x < 0 ? 0 : x (NaN and -0 pass through). */
#include "kernels.h"

void sn_relu_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}
