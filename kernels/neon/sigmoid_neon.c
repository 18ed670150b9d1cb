/*
 * sigmoid, NEON: y = 1 / (1 + exp(-x)), four values at a time.
 *
 * Written with t = exp(-|x|), which lies in [0, 1] and so never overflows:
 *   y = 1 / (1 + t)  for x >= 0,      y = t / (1 + t)  for x < 0.
 * Both are the exact sigmoid; the second keeps full relative precision for
 * very negative x, down to the subnormals as with libm. Saturation needs no
 * special case: t is 0 beyond |x| = 104, giving exactly 1 and 0, also for
 * +-inf. A NaN passes through the exponential and the division. The
 * division is the exact vdivq_f32, so the error is the exponential's plus
 * two roundings: under 1e-7 absolute against double (bound 2e-7).
 */
#include "exp_neon.h"
#include "neon_util.h"

static inline float32x4_t sigmoid4(float32x4_t x)
{
    const float32x4_t one = vdupq_n_f32(1.0f);
    const float32x4_t t = sn_neon_exp_nonpositive(vnegq_f32(vabsq_f32(x)));
    const uint32x4_t nonneg = vcgeq_f32(x, vdupq_n_f32(0.0f));
    return vdivq_f32(vbslq_f32(nonneg, one, t), vaddq_f32(one, t));
}

void sn_sigmoid_neon(size_t n, const float *x, float *y)
{
    sn_neon_map1(n, x, y, sigmoid4);
}
