/*
 * vec_avx512emu.h - TEST ONLY: the AVX-512 vector primitives (16 float
 * lanes, 16-bit lane masks, NZ_BLOCK 64: the abstraction of
 * kernels/avx512/vec_avx512.h) built from two AVX2 halves, so that the
 * shared x86 kernel bodies run at the AVX-512 width on a machine without
 * AVX-512. Never part of libsimdnet's dispatch: kernels_avx512emu.c
 * compiles every body with it into the test-only set "avx512emu", which
 * the kernel tests hold to the scalar oracle like any other set.
 *
 * Each primitive is the AVX2 instruction applied to the low half (lanes
 * 0-7, mask bits 0-7) and to the high half (lanes 8-15, bits 8-15): as
 * AVX-512 computes lane by lane, the results are the same bits. The ones
 * that are not lane by lane say why they match: vfold256 (the horizontal
 * sums of vec_x86.h are built on it, for both), vnonzero_bits and
 * vcompress_store.
 */
#ifndef SN_VEC_AVX512EMU_H
#define SN_VEC_AVX512EMU_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "avx2/compress_avx2.h"
#include "x86/vec_base.h"

#define VEC_INLINE static inline __attribute__((always_inline))

#define VEC_WIDTH 16
#define SN_X86_FN(op) sn_##op##_avx512emu
#define VEC_GEMM_ACCUMULATORS 8 /* as vec_avx512.h */
#define VEC_GEMM_LONG_ACCUMULATORS 16
#define VEC_SPAN_VECS 4

typedef struct vfloat {
    __m256 lo, hi;
} vfloat;
typedef struct vint {
    __m256i lo, hi;
} vint;
typedef uint16_t vmask; /* bit i: lane i */
typedef __m128i vbytes;

/* ------------------------------------------------------------ masks */

VEC_INLINE vmask vmask_first(size_t n) { return (vmask)((1u << n) - 1u); }
VEC_INLINE vmask vmask_all(void) { return (vmask)0xffff; }

/* Bits 0-7 of bits as an AVX2 lane mask (all ones where the bit is set). */
VEC_INLINE __m256i half_mask(unsigned bits)
{
    const __m256i lane_bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(
        _mm256_and_si256(_mm256_set1_epi32((int)(bits & 0xff)), lane_bit), lane_bit);
}

/* ------------------------------------------------------------ memory */

VEC_INLINE vfloat vload(const float *p)
{
    return (vfloat){_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)};
}

VEC_INLINE void vstore(float *p, vfloat v)
{
    _mm256_storeu_ps(p, v.lo);
    _mm256_storeu_ps(p + 8, v.hi);
}

/* vmaskmovps reads and writes nothing of a masked-out lane (not even a
 * fault on an inaccessible page), as AVX-512's masked moves. */
VEC_INLINE vfloat vload_mask(const float *p, vmask m)
{
    return (vfloat){_mm256_maskload_ps(p, half_mask(m)),
                    _mm256_maskload_ps(p + 8, half_mask(m >> 8))};
}

VEC_INLINE void vstore_mask(float *p, vmask m, vfloat v)
{
    _mm256_maskstore_ps(p, half_mask(m), v.lo);
    _mm256_maskstore_ps(p + 8, half_mask(m >> 8), v.hi);
}

/* As vec_avx512.h: masked always (the count only picks the mask). */
VEC_INLINE vfloat vload_n(const float *p, size_t n, vmask m)
{
    (void)n;
    return vload_mask(p, m);
}

VEC_INLINE void vstore_n(float *p, size_t n, vmask m, vfloat v)
{
    (void)n;
    vstore_mask(p, m, v);
}

/* ------------------------------------------------------------ float */

#define EMU_F2(name, op)                                                       \
    VEC_INLINE vfloat name(vfloat a, vfloat b)                                 \
    {                                                                          \
        return (vfloat){op(a.lo, b.lo), op(a.hi, b.hi)};                       \
    }
EMU_F2(vadd, _mm256_add_ps)
EMU_F2(vsub, _mm256_sub_ps)
EMU_F2(vmul, _mm256_mul_ps)
EMU_F2(vdiv, _mm256_div_ps)
EMU_F2(vmin, _mm256_min_ps)
EMU_F2(vmax, _mm256_max_ps)

VEC_INLINE vfloat vzero(void) { return (vfloat){_mm256_setzero_ps(), _mm256_setzero_ps()}; }
VEC_INLINE vfloat vset1(float x) { return (vfloat){_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
VEC_INLINE vfloat vsqrt(vfloat a) { return (vfloat){_mm256_sqrt_ps(a.lo), _mm256_sqrt_ps(a.hi)}; }

VEC_INLINE vfloat vfma(vfloat a, vfloat b, vfloat c)
{
    return (vfloat){_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)};
}

VEC_INLINE vfloat vfnma(vfloat a, vfloat b, vfloat c)
{
    return (vfloat){_mm256_fnmadd_ps(a.lo, b.lo, c.lo), _mm256_fnmadd_ps(a.hi, b.hi, c.hi)};
}

/* _mm512_abs_ps clears the sign bit, as this does. */
VEC_INLINE vfloat vabs(vfloat a)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    return (vfloat){_mm256_andnot_ps(sign, a.lo), _mm256_andnot_ps(sign, a.hi)};
}

VEC_INLINE vfloat vround(vfloat a)
{
    enum { NEAREST = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC };
    return (vfloat){_mm256_round_ps(a.lo, NEAREST), _mm256_round_ps(a.hi, NEAREST)};
}

VEC_INLINE vmask vlt(vfloat a, vfloat b)
{
    const int lo = _mm256_movemask_ps(_mm256_cmp_ps(a.lo, b.lo, _CMP_LT_OQ));
    const int hi = _mm256_movemask_ps(_mm256_cmp_ps(a.hi, b.hi, _CMP_LT_OQ));
    return (vmask)(lo | hi << 8);
}

VEC_INLINE vfloat vblend(vmask m, vfloat a, vfloat b)
{
    return (vfloat){_mm256_blendv_ps(a.lo, b.lo, _mm256_castsi256_ps(half_mask(m))),
                    _mm256_blendv_ps(a.hi, b.hi, _mm256_castsi256_ps(half_mask(m >> 8)))};
}

/* The lanes of a mask as the bits of an integer, lane i as bit i (for the
 * zero-skipping products, zskip_x86.h). */
VEC_INLINE unsigned vmask_bits(vmask m) { return (unsigned)m; }

/* ------------------------------------------------------------ int */

VEC_INLINE vint vset1_i32(int x) { return (vint){_mm256_set1_epi32(x), _mm256_set1_epi32(x)}; }

VEC_INLINE vint vadd_i32(vint a, vint b)
{
    return (vint){_mm256_add_epi32(a.lo, b.lo), _mm256_add_epi32(a.hi, b.hi)};
}

VEC_INLINE vint vshl_i32(vint a, int bits)
{
    return (vint){_mm256_slli_epi32(a.lo, bits), _mm256_slli_epi32(a.hi, bits)};
}

VEC_INLINE vint vcvt_i32(vfloat a) { return (vint){_mm256_cvtps_epi32(a.lo), _mm256_cvtps_epi32(a.hi)}; }
VEC_INLINE vfloat vcast_f32(vint a) { return (vfloat){_mm256_castsi256_ps(a.lo), _mm256_castsi256_ps(a.hi)}; }

VEC_INLINE vint viota(size_t base)
{
    const __m256i b = _mm256_set1_epi32((int)base);
    return (vint){_mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), b),
                  _mm256_add_epi32(_mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15), b)};
}

/* ------------------------------------------------------------ pixels */

VEC_INLINE vbytes vload_u8(const uint8_t *x)
{
    return _mm_loadu_si128((const __m128i *)(const void *)x);
}

/* _mm_maskz_loadu_epi8 of the first n bytes: those n, zeros after. */
VEC_INLINE vbytes vload_u8_n(const uint8_t *x, size_t n)
{
    uint8_t bytes[16] = {0};
    memcpy(bytes, x, n);
    return _mm_loadu_si128((const __m128i *)(const void *)bytes);
}

VEC_INLINE int vu8_is_zero(vbytes px) { return _mm_testz_si128(px, px); }

VEC_INLINE vfloat vu8_to_f32(vbytes px)
{
    return (vfloat){_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(px)),
                    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(px, 8)))};
}

/* ------------------------------------------------------------ sums */

/* vec_avx512.h's vfold256: the low 256 bits plus the high. */
VEC_INLINE __m256 vfold256(vfloat v) { return _mm256_add_ps(v.lo, v.hi); }
VEC_INLINE __m256 vfoldmax256(vfloat v) { return _mm256_max_ps(v.lo, v.hi); }

/* ------------------------------------------------------------ nonzero */

#define NZ_BLOCK 64

/* Bit b set where x[b] != 0, for b < len <= 64: what vec_avx512.h's masked
 * 64-byte load and vptestmb give. */
VEC_INLINE uint64_t vnonzero_bits(const uint8_t *x, size_t len)
{
    uint64_t nz = 0;
    for (size_t b = 0; b < len; b++)
        nz |= (uint64_t)(x[b] != 0) << b;
    return nz;
}

/* vpcompressd/ps of 16 lanes stored whole: the low half's selected lanes
 * packed at idx, the high half's right after them. What lies past the
 * count differs from AVX-512's zeros; the contract leaves it undefined, and
 * both write at most 16 entries from idx. */
VEC_INLINE void vcompress_store(unsigned bits, vint pos, uint32_t *idx,
                                vfloat v, float *val)
{
    const unsigned lo = bits & 0xff;
    sn_avx2_compress_store(lo, pos.lo, idx, v.lo, val);
    const int k = __builtin_popcount(lo);
    sn_avx2_compress_store(bits >> 8 & 0xff, pos.hi, idx + k, v.hi, val + k);
}

#include "x86/vec_x86.h"

SN_DECLARE_ISA_KERNELS(avx512emu)

#endif /* SN_VEC_AVX512EMU_H */
