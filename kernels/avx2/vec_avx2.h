/*
 * vec_avx2.h - small helpers shared by the AVX2 kernels: tail masks, pixel
 * loads and horizontal sums. Header-only and static inline, so each kernel
 * file compiles them with the AVX2 + FMA flags of kernels/meson.build.
 */
#ifndef SN_VEC_AVX2_H
#define SN_VEC_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Loops over a compile-time count of rows or vectors inside these helpers
 * unroll into plain registers only once inlined. */
#define SN_AVX2_INLINE static inline __attribute__((always_inline))

/* A lane mask of the first n lanes (n <= 8) for maskload / maskstore, which
 * neither read nor write the other lanes' memory: tails touch nothing past
 * the end of an array. */
SN_AVX2_INLINE __m256i sn_avx2_tail_mask(size_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* 8 pixels (uint8, the low 8 bytes of px) as floats. */
SN_AVX2_INLINE __m256 sn_avx2_u8_to_ps(__m128i px)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(px));
}

/* The first n < 8 pixels at x, zero-extended to 8 bytes. AVX2 has no byte
 * maskload; a copy of at most 7 bytes, done once per call, reads nothing
 * past the end. */
SN_AVX2_INLINE __m128i sn_avx2_load_u8_tail(const uint8_t *x, size_t n)
{
    uint64_t bytes = 0;
    memcpy(&bytes, x, n);
    return _mm_cvtsi64_si128((long long)bytes);
}

/* Horizontal sums of 8 vectors at once: lane i of the result is the sum of
 * the 8 lanes of v[i]. */
SN_AVX2_INLINE __m256 sn_avx2_hsum8(const __m256 v[8])
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
SN_AVX2_INLINE __m128 sn_avx2_hsum4(const __m256 v[4])
{
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]),
                                    _mm256_hadd_ps(v[2], v[3]));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

/* The sum of the 8 lanes of v. */
SN_AVX2_INLINE float sn_avx2_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* The per-thread gradient buffers at i, added in buffer order. */
SN_AVX2_INLINE __m256 sn_avx2_sum_buffers(size_t nbuf, const float *const *g, size_t i)
{
    __m256 s = _mm256_loadu_ps(g[0] + i);
    for (size_t j = 1; j < nbuf; j++)
        s = _mm256_add_ps(s, _mm256_loadu_ps(g[j] + i));
    return s;
}

SN_AVX2_INLINE __m256 sn_avx2_sum_buffers_tail(size_t nbuf, const float *const *g, size_t i, __m256i m)
{
    __m256 s = _mm256_maskload_ps(g[0] + i, m);
    for (size_t j = 1; j < nbuf; j++)
        s = _mm256_add_ps(s, _mm256_maskload_ps(g[j] + i, m));
    return s;
}

/* Loads and stores of n <= 8 lanes that use the plain instruction for a
 * whole vector: AMD cores run vmaskmovps stores as microcode, dozens of
 * times slower than a plain store, so masks are kept for real tails. n is
 * loop-invariant where these are used, so the branch predicts perfectly. */
SN_AVX2_INLINE __m256 sn_avx2_load_n(const float *p, size_t n, __m256i mask)
{
    return n == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
}

SN_AVX2_INLINE void sn_avx2_store_n(float *p, size_t n, __m256i mask, __m256 v)
{
    if (n == 8)
        _mm256_storeu_ps(p, v);
    else
        _mm256_maskstore_ps(p, mask, v);
}

#endif /* SN_VEC_AVX2_H */
