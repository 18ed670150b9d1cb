/* tanh, scalar reference: libm's tanhf, the oracle for the SIMD versions. */
#include <math.h>

#include "kernels.h"

void sn_tanh_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = tanhf(x[i]);
}
