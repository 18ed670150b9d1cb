/*
 * exp_avx512.h - the sigmoid of 16 floats without libm, for sigmoid_avx512.c
 * (and any future kernel that needs exp). The method, shared with
 * kernels/avx2/exp_avx2.h operation for operation so that both ISAs give
 * bit-identical sigmoids, is described in docs/kernels.md:
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
 *    every magnitude up to +-inf. NaN passes through the clamp (vminps
 *    returns its second operand when one is NaN) and the arithmetic.
 */
#ifndef SN_EXP_AVX512_H
#define SN_EXP_AVX512_H

#include <immintrin.h>

/* exp(-t) for t >= 0 (or NaN). */
static inline __m512 sn_avx512_exp_neg(__m512 t)
{
    const __m512 log2e = _mm512_set1_ps(1.44269504088896341f);
    const __m512 ln2_hi = _mm512_set1_ps(0.693359375f);
    const __m512 ln2_lo = _mm512_set1_ps(-2.12194440e-4f);

    const __m512 a = _mm512_sub_ps(_mm512_setzero_ps(),
                                   _mm512_min_ps(_mm512_set1_ps(88.0f), t));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(a, log2e),
                                          _MM_FROUND_TO_NEAREST_INT |
                                              _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, ln2_hi, a);
    r = _mm512_fnmadd_ps(n, ln2_lo, r);

    /* Cephes expf: exp(r) = 1 + r + r^2 P(r), |error| < 1 ulp. */
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
    p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));

    /* 2^n, n in [-127, 0]: n + 127 in the exponent field, 0 for n = -127. */
    const __m512i bits = _mm512_slli_epi32(
        _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}

/* 1 / (1 + exp(-x)) for 16 floats. */
static inline __m512 sn_avx512_sigmoid(__m512 x)
{
    const __m512 e = sn_avx512_exp_neg(_mm512_abs_ps(x));
    const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(),
                                                  _CMP_LT_OQ);
    const __m512 num = _mm512_mask_blend_ps(negative, _mm512_set1_ps(1.0f), e);
    return _mm512_div_ps(num, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

#endif /* SN_EXP_AVX512_H */
