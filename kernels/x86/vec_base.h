/*
 * vec_base.h - what the x86 vector headers (vec_avx2.h, vec_avx512.h and
 * the tests' AVX-512 emulation) build their horizontal sums from, written
 * once: the one reduction order of every x86 set. AVX2 applies it to its
 * vectors, AVX-512 to each vector's two 256-bit halves added first
 * (vfold256, in vec_x86.h's vhsum8, vhsum4 and vhsum). One network of adds
 * for both widths keeps their row sums equal to the last bit wherever
 * their lanes hold the same partial sums.
 */
#ifndef SN_VEC_BASE_H
#define SN_VEC_BASE_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#define SN_M256_INLINE static inline __attribute__((always_inline))

/* Lane i of the result is the sum of the 8 lanes of v[i]. */
SN_M256_INLINE __m256 sn_hsum8_m256(const __m256 v[8])
{
    /* Two rounds of pairwise adds leave, per group of four vectors,
     * [s0 s1 s2 s3 | s0' s1' s2' s3'] (sums of the low and high 128-bit
     * halves); the last add joins the halves. */
    const __m256 s0123 = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]),
                                        _mm256_hadd_ps(v[2], v[3]));
    const __m256 s4567 = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]),
                                        _mm256_hadd_ps(v[6], v[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(s0123, s4567, 0x20),
                         _mm256_permute2f128_ps(s0123, s4567, 0x31));
}

/* The same for 4 vectors. */
SN_M256_INLINE __m128 sn_hsum4_m256(const __m256 v[4])
{
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]),
                                    _mm256_hadd_ps(v[2], v[3]));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

/* The sum of the 8 lanes of v: halves, then pairs, then the last two (the
 * order of gcc's _mm512_reduce_add_ps after its first fold). */
SN_M256_INLINE float sn_hsum_m256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#endif /* SN_VEC_BASE_H */
