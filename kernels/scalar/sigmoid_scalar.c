/* sigmoid, scalar reference: libm's expf, the oracle for the SIMD versions.
 *
 * Written with e = exp(-|x|), which is at most 1 and never overflows (so
 * --trap-fp can trap overflow without false alarms): 1 / (1 + e) for
 * x >= 0, e / (1 + e) for x < 0, the same function. NaN propagates through
 * fabsf, expf and the division. */
#include <math.h>

#include "kernels.h"

void sn_sigmoid_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) {
        const float e = expf(-fabsf(x[i]));
        y[i] = x[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
}
