/*
 * exp_x86.h - the sigmoid without libm, on the x86 vector primitives, for
 * sigmoid_x86.h; tanh_x86.h and softmax_x86.h use its vexp_neg. One text for AVX2
 * and AVX-512, so both ISAs compute the same operations in the same order
 * and give bit-identical sigmoids. The method (docs/kernels.md):
 *
 *  - sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0, with
 *    e = exp(-|x|) in (0, 1]: exp never overflows and the small results of
 *    negative x keep their relative precision;
 *  - exp(-t): n = round(-t log2 e), r = -t - n ln2 (ln2 in two parts, each
 *    product fused, so r is accurate to a few ulps of r), exp(r) by the
 *    Cephes expf polynomial 1 + r + r^2 P(r) on |r| <= ln2/2, and 2^n built
 *    by shifting n + 127 into the exponent field;
 *  - t is clamped to 88: from t ~ 87.7 on, n = -127 gives the exponent field
 *    0, so 2^n and e are exactly 0 and the sigmoid exactly 0 or 1, for
 *    every magnitude up to +-inf. NaN passes through the clamp (vmin
 *    returns its second operand when one is NaN) and the arithmetic.
 */
#ifndef SN_EXP_X86_H
#define SN_EXP_X86_H

/* exp(-t) for t >= 0 (or NaN). */
VEC_INLINE vfloat vexp_neg(vfloat t)
{
    const vfloat log2e = vset1(1.44269504088896341f);
    const vfloat ln2_hi = vset1(0.693359375f);
    const vfloat ln2_lo = vset1(-2.12194440e-4f);

    const vfloat a = vsub(vzero(), vmin(vset1(88.0f), t));
    const vfloat n = vround(vmul(a, log2e));
    vfloat r = vfnma(n, ln2_hi, a);
    r = vfnma(n, ln2_lo, r);

    /* Cephes expf: exp(r) = 1 + r + r^2 P(r), |error| < 1 ulp. */
    vfloat p = vset1(1.9875691500e-4f);
    p = vfma(p, r, vset1(1.3981999507e-3f));
    p = vfma(p, r, vset1(8.3334519073e-3f));
    p = vfma(p, r, vset1(4.1665795894e-2f));
    p = vfma(p, r, vset1(1.6666665459e-1f));
    p = vfma(p, r, vset1(5.0000001201e-1f));
    p = vfma(p, vmul(r, r), r);
    p = vadd(p, vset1(1.0f));

    /* 2^n, n in [-127, 0]: n + 127 in the exponent field, 0 for n = -127. */
    const vint bits = vshl_i32(vadd_i32(vcvt_i32(n), vset1_i32(127)), 23);
    return vmul(p, vcast_f32(bits));
}

/* 1 / (1 + exp(-x)). */
VEC_INLINE vfloat vsigmoid(vfloat x)
{
    const vfloat e = vexp_neg(vabs(x));
    const vmask negative = vlt(x, vzero());
    const vfloat num = vblend(negative, vset1(1.0f), e);
    return vdiv(num, vadd(vset1(1.0f), e));
}

#endif /* SN_EXP_X86_H */
