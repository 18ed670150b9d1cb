/*
 * exp_neon.h - exp(z) for z <= 0 on four floats at once, without libm.
 *
 * The sigmoid needs it only there (it is written with exp(-|x|)), and so
 * would a softmax (exp(x - max)); on that half-line exp cannot overflow.
 *
 * z = n ln2 + r with n = round(z log2(e)) and |r| <= ln2/2. ln2 is split in
 * two parts (Cody-Waite): ln2_hi has few enough bits that n * ln2_hi is exact
 * for every n that occurs, so r carries no cancellation error. exp(r) is
 * Cephes' degree-6 polynomial (about 1 ulp on that interval), and 2^n is
 * built directly in the exponent field.
 *
 * Results down to the subnormal range are kept, like libm's expf: 2^n is
 * applied as two normal powers of two, 2^(n - n/2) and 2^(n/2), so only the
 * last multiply rounds. Below ln(2^-150) exp(z) rounds to 0 in float, and the
 * result is exactly 0 there (z is clamped first so that n stays in range).
 * NaN stays NaN: FMAX propagates NaNs (unlike FMAXNM), and the final compare
 * is false for NaN.
 */
#ifndef SN_EXP_NEON_H
#define SN_EXP_NEON_H

#include <arm_neon.h>

/* exp(z) for z <= 0 (or NaN); larger z give wrong results. */
static inline float32x4_t sn_neon_exp_nonpositive(float32x4_t z)
{
    const float32x4_t z_min = vdupq_n_f32(-103.972077f); /* ln(2^-150) */
    const float32x4_t log2e = vdupq_n_f32(1.44269504089f);
    const float32x4_t ln2_hi = vdupq_n_f32(0.693359375f);
    const float32x4_t ln2_lo = vdupq_n_f32(-2.12194440e-4f);

    const float32x4_t zc = vmaxq_f32(z, z_min);
    const float32x4_t n = vrndnq_f32(vmulq_f32(zc, log2e)); /* -150..0 */
    float32x4_t r = vfmsq_f32(zc, n, ln2_hi);
    r = vfmsq_f32(r, n, ln2_lo);

    /* exp(r) = 1 + r + r^2 p(r) */
    float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
    p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
    const float32x4_t er =
        vaddq_f32(vfmaq_f32(r, p, vmulq_f32(r, r)), vdupq_n_f32(1.0f));

    /* 2^n = 2^n1 2^n2 with n1 = floor(n/2), n2 = n - n1, both in -75..0
     * (0 for NaN), each built as n + 127 in the exponent field. */
    const int32x4_t ni = vcvtq_s32_f32(n);
    const int32x4_t n1 = vshrq_n_s32(ni, 1);
    const int32x4_t n2 = vsubq_s32(ni, n1);
    const int32x4_t bias = vdupq_n_s32(127);
    const float32x4_t s1 =
        vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
    const float32x4_t s2 =
        vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));

    const float32x4_t e = vmulq_f32(vmulq_f32(er, s1), s2);
    return vbslq_f32(vcltq_f32(z, z_min), vdupq_n_f32(0.0f), e);
}

#endif /* SN_EXP_NEON_H */
