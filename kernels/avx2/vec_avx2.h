/*
 * vec_avx2.h - the x86 vector primitives (listed in x86/vec_x86.h) for
 * AVX2 + FMA: 8 floats in a __m256. Header-only and static inline, so each
 * kernel file compiles them with the AVX2 + FMA flags of kernels/meson.build.
 */
#ifndef SN_VEC_AVX2_H
#define SN_VEC_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compress_avx2.h"
#include "x86/vec_base.h"

/* Loops over a compile-time count of rows or vectors inside these helpers
 * unroll into plain registers only once inlined. */
#define VEC_INLINE static inline __attribute__((always_inline))

#define VEC_WIDTH 8
#define SN_X86_FN(op) sn_##op##_avx2
/* gemm's sums in registers (vec_x86.h, GEMM_ACCUMULATORS): 12 of the 16,
 * long sums or short. */
#define VEC_GEMM_ACCUMULATORS 12
#define VEC_GEMM_LONG_ACCUMULATORS 12
/* The sparse kernels' widest span of columns (vec_x86.h, SPAN_VECS). */
#define VEC_SPAN_VECS 13

typedef __m256 vfloat;
typedef __m256i vint;
typedef __m256i vmask; /* all ones in a lane that is in */
typedef __m128i vbytes; /* the low 8 bytes */

/* ------------------------------------------------------------ masks */

/* The first n lanes (n <= 8) for maskload / maskstore, which neither read
 * nor write the other lanes' memory: tails touch nothing past the end. */
VEC_INLINE vmask vmask_first(size_t n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

VEC_INLINE vmask vmask_all(void) { return _mm256_set1_epi32(-1); }

/* ------------------------------------------------------------ memory */

VEC_INLINE vfloat vload(const float *p) { return _mm256_loadu_ps(p); }
VEC_INLINE void vstore(float *p, vfloat v) { _mm256_storeu_ps(p, v); }

VEC_INLINE vfloat vload_mask(const float *p, vmask m)
{
    return _mm256_maskload_ps(p, m);
}

VEC_INLINE void vstore_mask(float *p, vmask m, vfloat v)
{
    _mm256_maskstore_ps(p, m, v);
}

/* Where the ISAs part: AMD cores run vmaskmovps stores as microcode, dozens
 * of times slower than a plain store, so a whole vector (n == 8) takes the
 * plain instruction and masks are kept for real tails. n is loop-invariant
 * where these are used, so the branch predicts perfectly; the empty vectors
 * of a partial chunk (n == 0) touch nothing. */
VEC_INLINE vfloat vload_n(const float *p, size_t n, vmask m)
{
    if (n == VEC_WIDTH)
        return _mm256_loadu_ps(p);
    return n ? _mm256_maskload_ps(p, m) : _mm256_setzero_ps();
}

VEC_INLINE void vstore_n(float *p, size_t n, vmask m, vfloat v)
{
    if (n == VEC_WIDTH)
        _mm256_storeu_ps(p, v);
    else if (n)
        _mm256_maskstore_ps(p, m, v);
}

/* ------------------------------------------------------------ float */

VEC_INLINE vfloat vzero(void) { return _mm256_setzero_ps(); }
VEC_INLINE vfloat vset1(float x) { return _mm256_set1_ps(x); }
VEC_INLINE vfloat vadd(vfloat a, vfloat b) { return _mm256_add_ps(a, b); }
VEC_INLINE vfloat vsub(vfloat a, vfloat b) { return _mm256_sub_ps(a, b); }
VEC_INLINE vfloat vmul(vfloat a, vfloat b) { return _mm256_mul_ps(a, b); }
VEC_INLINE vfloat vdiv(vfloat a, vfloat b) { return _mm256_div_ps(a, b); }
VEC_INLINE vfloat vsqrt(vfloat a) { return _mm256_sqrt_ps(a); }
VEC_INLINE vfloat vfma(vfloat a, vfloat b, vfloat c) { return _mm256_fmadd_ps(a, b, c); }
VEC_INLINE vfloat vfnma(vfloat a, vfloat b, vfloat c) { return _mm256_fnmadd_ps(a, b, c); }
VEC_INLINE vfloat vmin(vfloat a, vfloat b) { return _mm256_min_ps(a, b); }
VEC_INLINE vfloat vmax(vfloat a, vfloat b) { return _mm256_max_ps(a, b); }
VEC_INLINE vfloat vabs(vfloat a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }

VEC_INLINE vfloat vround(vfloat a)
{
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

VEC_INLINE vmask vlt(vfloat a, vfloat b)
{
    return _mm256_castps_si256(_mm256_cmp_ps(a, b, _CMP_LT_OQ));
}

VEC_INLINE vfloat vblend(vmask m, vfloat a, vfloat b)
{
    return _mm256_blendv_ps(a, b, _mm256_castsi256_ps(m));
}

/* The lanes of a mask as the bits of an integer, lane i as bit i (for the
 * zero-skipping products, zskip_x86.h). */
VEC_INLINE unsigned vmask_bits(vmask m) { return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m)); }

/* ------------------------------------------------------------ int */

VEC_INLINE vint vset1_i32(int x) { return _mm256_set1_epi32(x); }
VEC_INLINE vint vadd_i32(vint a, vint b) { return _mm256_add_epi32(a, b); }
VEC_INLINE vint vshl_i32(vint a, int bits) { return _mm256_slli_epi32(a, bits); }
VEC_INLINE vint vcvt_i32(vfloat a) { return _mm256_cvtps_epi32(a); }
VEC_INLINE vfloat vcast_f32(vint a) { return _mm256_castsi256_ps(a); }

VEC_INLINE vint viota(size_t base)
{
    return _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                            _mm256_set1_epi32((int)base));
}

/* ------------------------------------------------------------ pixels */

VEC_INLINE vbytes vload_u8(const uint8_t *x)
{
    return _mm_loadl_epi64((const __m128i *)(const void *)x);
}

/* Where the ISAs part: AVX2 has no byte maskload; a copy of at most 7
 * bytes, done once per call or tail, reads nothing past the end. */
VEC_INLINE vbytes vload_u8_n(const uint8_t *x, size_t n)
{
    if (n == VEC_WIDTH)
        return vload_u8(x);
    uint64_t bytes = 0;
    memcpy(&bytes, x, n);
    return _mm_cvtsi64_si128((long long)bytes);
}

VEC_INLINE int vu8_is_zero(vbytes px) { return _mm_testz_si128(px, px); }

VEC_INLINE vfloat vu8_to_f32(vbytes px)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(px));
}

/* ------------------------------------------------------------ sums */

/* A vector as 256 bits, for the sums of vec_x86.h: it is that already. */
VEC_INLINE __m256 vfold256(vfloat v) { return v; }
VEC_INLINE __m256 vfoldmax256(vfloat v) { return v; }

/* ------------------------------------------------------------ nonzero */

/* 32 bytes compared with zero at once. Where the ISAs part: AVX2 has no
 * byte maskload, so a shorter block (the end of the image) is copied into
 * a zeroed one first, which reads nothing past the end; its zeros add no
 * bits. */
#define NZ_BLOCK 32

VEC_INLINE uint64_t vnonzero_bits(const uint8_t *x, size_t len)
{
    uint8_t copy[NZ_BLOCK];
    if (len < NZ_BLOCK) {
        memset(copy, 0, sizeof copy);
        memcpy(copy, x, len);
        x = copy;
    }
    const __m256i block = _mm256_loadu_si256((const __m256i *)(const void *)x);
    return ~(uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(block, _mm256_setzero_si256()));
}

/* Where the ISAs part: AVX2 has no compress instruction (compress_avx2.h
 * packs with a permutation looked up by the mask). */
VEC_INLINE void vcompress_store(unsigned bits, vint pos, uint32_t *idx,
                                vfloat v, float *val)
{
    sn_avx2_compress_store(bits, pos, idx, v, val);
}

#include "x86/vec_x86.h"

#endif /* SN_VEC_AVX2_H */
