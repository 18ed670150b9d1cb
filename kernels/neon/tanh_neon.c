/* tanh, NEON, without libm, the method of the x86 body (docs/kernels.md)
 * on exp_neon.h's exp: tanh |x| = (1 - e) / (1 + e), e = exp(-2|x|), for
 * |x| >= 0.625; Cephes' polynomial |x| + |x| s P(s), s = x^2, below; then
 * x's sign bit put on the result (so -0 stays -0 and the function is odd).
 * NaN takes the exp side and stays NaN; +-inf give e = 0 and +-1. */
#include "exp_neon.h"
#include "neon_util.h"

static inline float32x4_t tanh4(float32x4_t x)
{
    const float32x4_t one = vdupq_n_f32(1.0f);
    const float32x4_t ax = vabsq_f32(x);

    const float32x4_t e = sn_neon_exp_nonpositive(vnegq_f32(vaddq_f32(ax, ax)));
    const float32x4_t big = vdivq_f32(vsubq_f32(one, e), vaddq_f32(one, e));

    const float32x4_t s = vmulq_f32(ax, ax);
    float32x4_t p = vdupq_n_f32(-5.70498872745e-3f);
    p = vfmaq_f32(vdupq_n_f32(2.06390887954e-2f), p, s);
    p = vfmaq_f32(vdupq_n_f32(-5.37397155531e-2f), p, s);
    p = vfmaq_f32(vdupq_n_f32(1.33314422036e-1f), p, s);
    p = vfmaq_f32(vdupq_n_f32(-3.33332819422e-1f), p, s);
    const float32x4_t small = vfmaq_f32(ax, vmulq_f32(p, s), ax);

    const float32x4_t r = vbslq_f32(vcltq_f32(ax, vdupq_n_f32(0.625f)), small, big);
    const uint32x4_t sign = vdupq_n_u32(0x80000000u);
    return vbslq_f32(sign, x, r);
}

void sn_tanh_neon(size_t n, const float *x, float *y)
{
    sn_neon_map1(n, x, y, tanh4);
}
