/* tanh, x86, without libm, on exp_x86.h's exp (docs/kernels.md):
 *
 *  - |x| >= 0.625: tanh |x| = (1 - e) / (1 + e) with e = exp(-2|x|) in
 *    (0, 0.29]: no cancellation, no overflow (e is 0 from |x| = 44 on, and
 *    the result exactly 1; so for +-inf), the sign put back by a blend;
 *  - |x| < 0.625: Cephes' tanhf polynomial, x + x s P(s) with s = x^2,
 *    which keeps the relative precision of small x; x itself below
 *    FLT_MIN (zeros keep their sign, subnormals are their own tanh).
 * Both are computed for every lane and blended. NaN passes through the
 * exp (|x| >= 0.625 is false for NaN: the exp side is taken). y may equal
 * x. */
#include "x86/exp_x86.h"

VEC_INLINE vfloat tanh_step(vfloat x)
{
    const vfloat one = vset1(1.0f);
    const vfloat ax = vabs(x);

    const vfloat e = vexp_neg(vadd(ax, ax));
    const vfloat big = vdiv(vsub(one, e), vadd(one, e));
    const vfloat big_signed = vblend(vlt(x, vzero()), big, vsub(vzero(), big));

    const vfloat s = vmul(x, x);
    vfloat p = vset1(-5.70498872745e-3f);
    p = vfma(p, s, vset1(2.06390887954e-2f));
    p = vfma(p, s, vset1(-5.37397155531e-2f));
    p = vfma(p, s, vset1(1.33314422036e-1f));
    p = vfma(p, s, vset1(-3.33332819422e-1f));
    const vfloat small = vfma(vmul(p, s), x, x);

    const vfloat y = vblend(vlt(ax, vset1(0.625f)), big_signed, small);
    return vblend(vlt(ax, vset1(0x1p-126f)), y, x);
}

void SN_X86_FN(tanh)(size_t n, const float *x, float *y)
{
    vmap1(n, x, y, tanh_step);
}
