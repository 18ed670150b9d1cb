/*
 * exp_avx2.h - the sigmoid of 8 floats without libm, for sigmoid_avx2.c.
 * Operation for operation the method of kernels/avx512/exp_avx512.h (see
 * there and docs/kernels.md), so that both ISAs give bit-identical sigmoids:
 * sigmoid(x) = 1/(1+e) or e/(1+e) with e = exp(-|x|); exp by range
 * reduction to |r| <= ln2/2, the Cephes expf polynomial and 2^n built by an
 * integer shift; |x| clamped to 88, where e is exactly 0.
 */
#ifndef SN_EXP_AVX2_H
#define SN_EXP_AVX2_H

#include <immintrin.h>

/* exp(-t) for t >= 0 (or NaN). */
static inline __m256 sn_avx2_exp_neg(__m256 t)
{
    const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
    const __m256 ln2_hi = _mm256_set1_ps(0.693359375f);
    const __m256 ln2_lo = _mm256_set1_ps(-2.12194440e-4f);

    /* vminps returns its second operand when either is NaN: NaN stays. */
    const __m256 a = _mm256_sub_ps(_mm256_setzero_ps(),
                                   _mm256_min_ps(_mm256_set1_ps(88.0f), t));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(a, log2e),
                                     _MM_FROUND_TO_NEAREST_INT |
                                         _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, ln2_hi, a);
    r = _mm256_fnmadd_ps(n, ln2_lo, r);

    /* Cephes expf: exp(r) = 1 + r + r^2 P(r), |error| < 1 ulp. */
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
    p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));

    /* 2^n, n in [-127, 0]: n + 127 in the exponent field, 0 for n = -127. */
    const __m256i bits = _mm256_slli_epi32(
        _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/* 1 / (1 + exp(-x)) for 8 floats. */
static inline __m256 sn_avx2_sigmoid(__m256 x)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 e = sn_avx2_exp_neg(_mm256_andnot_ps(sign, x));
    const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    const __m256 num = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, negative);
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

#endif /* SN_EXP_AVX2_H */
