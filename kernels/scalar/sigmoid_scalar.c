/* sigmoid, scalar reference: libm's expf, the oracle for the SIMD versions. */
#include <math.h>

#include "kernels.h"

void sn_sigmoid_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) {
        /* expf(-x) overflows to +inf for x < -88.7 and 1/(1+inf) is exactly
         * 0; NaN propagates through expf and the division. */
        y[i] = 1.0f / (1.0f + expf(-x[i]));
    }
}
