/*
 * vec_avx512.h - small helpers shared by the AVX-512 kernels: tail masks,
 * pixel loads and horizontal sums. Header-only and static inline, so each
 * kernel file compiles them with the AVX-512 flags of kernels/meson.build.
 */
#ifndef SN_VEC_AVX512_H
#define SN_VEC_AVX512_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* Loops over a compile-time count of rows or vectors inside these helpers
 * unroll into plain registers only once inlined. */
#define SN_AVX512_INLINE static inline __attribute__((always_inline))

/* The first n lanes (n <= 16): masked loads of a tail touch no memory past
 * the end of an array, masked stores write none. */
SN_AVX512_INLINE __mmask16 sn_avx512_tail_mask(size_t n)
{
    return (__mmask16)((1u << n) - 1u);
}

/* 16 pixels (uint8) as floats. */
SN_AVX512_INLINE __m512 sn_avx512_u8_to_ps(__m128i px)
{
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(px));
}

/* The two 256-bit halves of v added. */
SN_AVX512_INLINE __m256 sn_avx512_fold256(__m512 v)
{
    return _mm256_add_ps(_mm512_castps512_ps256(v),
                         _mm512_extractf32x8_ps(v, 1));
}

/* Horizontal sums of 8 vectors at once: lane i of the result is the sum of
 * the 16 lanes of v[i]. */
SN_AVX512_INLINE __m256 sn_avx512_hsum8(const __m512 v[8])
{
    __m256 a[8];
    for (int i = 0; i < 8; i++)
        a[i] = sn_avx512_fold256(v[i]);
    /* Two rounds of pairwise adds leave, per group of four vectors,
     * [s0 s1 s2 s3 | s0' s1' s2' s3'] (sums of the low and high 128-bit
     * halves); the last add joins the halves. */
    const __m256 s0123 = _mm256_hadd_ps(_mm256_hadd_ps(a[0], a[1]),
                                        _mm256_hadd_ps(a[2], a[3]));
    const __m256 s4567 = _mm256_hadd_ps(_mm256_hadd_ps(a[4], a[5]),
                                        _mm256_hadd_ps(a[6], a[7]));
    return _mm256_add_ps(_mm256_permute2f128_ps(s0123, s4567, 0x20),
                         _mm256_permute2f128_ps(s0123, s4567, 0x31));
}

/* The same for 4 vectors. */
SN_AVX512_INLINE __m128 sn_avx512_hsum4(const __m512 v[4])
{
    const __m256 s = _mm256_hadd_ps(
        _mm256_hadd_ps(sn_avx512_fold256(v[0]), sn_avx512_fold256(v[1])),
        _mm256_hadd_ps(sn_avx512_fold256(v[2]), sn_avx512_fold256(v[3])));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

/* The per-thread gradient buffers at i, added in buffer order. */
SN_AVX512_INLINE __m512 sn_avx512_sum_buffers(size_t nbuf, const float *const *g, size_t i)
{
    __m512 s = _mm512_loadu_ps(g[0] + i);
    for (size_t j = 1; j < nbuf; j++)
        s = _mm512_add_ps(s, _mm512_loadu_ps(g[j] + i));
    return s;
}

SN_AVX512_INLINE __m512 sn_avx512_sum_buffers_tail(size_t nbuf, const float *const *g, size_t i, __mmask16 m)
{
    __m512 s = _mm512_maskz_loadu_ps(m, g[0] + i);
    for (size_t j = 1; j < nbuf; j++)
        s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(m, g[j] + i));
    return s;
}

#endif /* SN_VEC_AVX512_H */
