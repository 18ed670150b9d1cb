/* relu, NEON: y = x < 0 ? 0 : x as a compare and a bit select, the
 * oracle's selection (NaN and -0 pass through): bit-identical. */
#include "neon_util.h"

static inline float32x4_t relu4(float32x4_t x)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    return vbslq_f32(vcltq_f32(x, zero), zero, x);
}

void sn_relu_neon(size_t n, const float *x, float *y)
{
    sn_neon_map1(n, x, y, relu4);
}
