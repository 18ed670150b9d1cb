/*
 * vec_avx512.h - the x86 vector primitives (listed in x86/vec_x86.h) for
 * AVX-512 F/VL/DQ/BW: 16 floats in a __m512, lane masks in a __mmask16.
 * Header-only and static inline, so each kernel file compiles them with
 * the AVX-512 flags of kernels/meson.build.
 */
#ifndef SN_VEC_AVX512_H
#define SN_VEC_AVX512_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "x86/vec_base.h"

/* Loops over a compile-time count of rows or vectors inside these helpers
 * unroll into plain registers only once inlined. */
#define VEC_INLINE static inline __attribute__((always_inline))

#define VEC_WIDTH 16
#define SN_X86_FN(op) sn_##op##_avx512
/* gemm's sums in registers (vec_x86.h, GEMM_ACCUMULATORS): 4 rows of a
 * chunk, and 8 rows (16 sums, GEMM_LONG_ACCUMULATORS) where the sums are
 * long. 8 sums leave two FMA pipes of latency 4 no slack, and with 16 on
 * an AMD Zen 5 (2026-12-02) gemm_tn at 64x256x256 took 0.79 of the time,
 * gemm at 100x32x784 0.84; but short sums lost (gemm_tn at the tutorial's
 * 16x32x32 1.12, and 12 sums 1.19 on a Zen 4), hence two counts. */
#define VEC_GEMM_ACCUMULATORS 8
#define VEC_GEMM_LONG_ACCUMULATORS 16
/* The sparse kernels' widest span of columns (vec_x86.h, SPAN_VECS): 8
 * vectors, 128 columns, so that a row of 100 or 128 is one pass (a pair
 * and a pass of 3 vectors before: gemm_tn_sparse at 16x100x784 15% and
 * gemm_sparse 9% slower on an AMD Zen 4, docs/kernels.md). */
#define VEC_SPAN_VECS 8

/* gcc 12 with -fsanitize=address and ASan's fake stack
 * (detect_stack_use_after_return, tools/ci/ci-sanitize.sh) crashed in a
 * kernel whose frame it realigns to 64 bytes and which keeps an
 * instrumented array there (softmax_lanes: a SEGV on a non-canonical
 * address at the first load of the array, 2026-12-02). The same body
 * passes without the fake stack, on AVX2 and in the emulated 16-lane
 * set, so such a function is left out of ASan's instrumentation here
 * only; the helpers it calls stay instrumented. */
#define VEC_ASAN_REALIGNED_FRAME __attribute__((no_sanitize_address))

typedef __m512 vfloat;
typedef __m512i vint;
typedef __mmask16 vmask;
typedef __m128i vbytes;

/* ------------------------------------------------------------ masks */

/* The first n lanes (n <= 16): masked loads of a tail touch no memory past
 * the end of an array, masked stores write none. */
VEC_INLINE vmask vmask_first(size_t n) { return (vmask)((1u << n) - 1u); }
VEC_INLINE vmask vmask_all(void) { return (vmask)0xffff; }

/* ------------------------------------------------------------ memory */

VEC_INLINE vfloat vload(const float *p) { return _mm512_loadu_ps(p); }
VEC_INLINE void vstore(float *p, vfloat v) { _mm512_storeu_ps(p, v); }
VEC_INLINE vfloat vload_mask(const float *p, vmask m) { return _mm512_maskz_loadu_ps(m, p); }
VEC_INLINE void vstore_mask(float *p, vmask m, vfloat v) { _mm512_mask_storeu_ps(p, m, v); }

/* Where the ISAs part: a mask costs nothing here, so whole vectors are
 * masked too, except where the count is a whole vector at compile time
 * (the 32-wide first layer's unmasked path). */
VEC_INLINE vfloat vload_n(const float *p, size_t n, vmask m)
{
    if (__builtin_constant_p(n) && n == VEC_WIDTH)
        return _mm512_loadu_ps(p);
    return _mm512_maskz_loadu_ps(m, p);
}

VEC_INLINE void vstore_n(float *p, size_t n, vmask m, vfloat v)
{
    if (__builtin_constant_p(n) && n == VEC_WIDTH)
        _mm512_storeu_ps(p, v);
    else
        _mm512_mask_storeu_ps(p, m, v);
}

/* ------------------------------------------------------------ float */

VEC_INLINE vfloat vzero(void) { return _mm512_setzero_ps(); }
VEC_INLINE vfloat vset1(float x) { return _mm512_set1_ps(x); }
VEC_INLINE vfloat vadd(vfloat a, vfloat b) { return _mm512_add_ps(a, b); }
VEC_INLINE vfloat vsub(vfloat a, vfloat b) { return _mm512_sub_ps(a, b); }
VEC_INLINE vfloat vmul(vfloat a, vfloat b) { return _mm512_mul_ps(a, b); }
VEC_INLINE vfloat vdiv(vfloat a, vfloat b) { return _mm512_div_ps(a, b); }
VEC_INLINE vfloat vsqrt(vfloat a) { return _mm512_sqrt_ps(a); }
VEC_INLINE vfloat vfma(vfloat a, vfloat b, vfloat c) { return _mm512_fmadd_ps(a, b, c); }
VEC_INLINE vfloat vfnma(vfloat a, vfloat b, vfloat c) { return _mm512_fnmadd_ps(a, b, c); }
VEC_INLINE vfloat vmin(vfloat a, vfloat b) { return _mm512_min_ps(a, b); }
VEC_INLINE vfloat vmax(vfloat a, vfloat b) { return _mm512_max_ps(a, b); }
VEC_INLINE vfloat vabs(vfloat a) { return _mm512_abs_ps(a); }

VEC_INLINE vfloat vround(vfloat a)
{
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

VEC_INLINE vmask vlt(vfloat a, vfloat b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
VEC_INLINE vfloat vblend(vmask m, vfloat a, vfloat b) { return _mm512_mask_blend_ps(m, a, b); }

/* The lanes of a mask as the bits of an integer, lane i as bit i (for the
 * zero-skipping products, zskip_x86.h). */
VEC_INLINE unsigned vmask_bits(vmask m) { return (unsigned)m; }

/* ------------------------------------------------------------ int */

VEC_INLINE vint vset1_i32(int x) { return _mm512_set1_epi32(x); }
VEC_INLINE vint vadd_i32(vint a, vint b) { return _mm512_add_epi32(a, b); }
VEC_INLINE vint vshl_i32(vint a, int bits) { return _mm512_slli_epi32(a, (unsigned)bits); }
VEC_INLINE vint vcvt_i32(vfloat a) { return _mm512_cvtps_epi32(a); }
VEC_INLINE vfloat vcast_f32(vint a) { return _mm512_castsi512_ps(a); }

VEC_INLINE vint viota(size_t base)
{
    return _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                              10, 11, 12, 13, 14, 15),
                            _mm512_set1_epi32((int)base));
}

/* ------------------------------------------------------------ pixels */

VEC_INLINE vbytes vload_u8(const uint8_t *x)
{
    return _mm_loadu_si128((const __m128i *)(const void *)x);
}

/* Where the ISAs part: AVX-512 BW has byte masks. */
VEC_INLINE vbytes vload_u8_n(const uint8_t *x, size_t n)
{
    return _mm_maskz_loadu_epi8(vmask_first(n), x);
}

VEC_INLINE int vu8_is_zero(vbytes px) { return _mm_testz_si128(px, px); }

VEC_INLINE vfloat vu8_to_f32(vbytes px)
{
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(px));
}

/* ------------------------------------------------------------ sums */

/* The two 256-bit halves of v added, for the sums of vec_x86.h. */
VEC_INLINE __m256 vfold256(vfloat v)
{
    return _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
}

/* The same with the larger of each pair (vhmax). */
VEC_INLINE __m256 vfoldmax256(vfloat v)
{
    return _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
}

/* ------------------------------------------------------------ nonzero */

/* 64 bytes tested at once, the last block by a masked load. */
#define NZ_BLOCK 64

VEC_INLINE uint64_t vnonzero_bits(const uint8_t *x, size_t len)
{
    const __mmask64 in = len == 64 ? ~(__mmask64)0 : (((__mmask64)1 << len) - 1);
    const __m512i block = _mm512_maskz_loadu_epi8(in, x);
    return _mm512_test_epi8_mask(block, block);
}

/* Where the ISAs part: the register form of compress (the memory form is
 * microcoded on AMD Zen 4), stored whole. */
VEC_INLINE void vcompress_store(unsigned bits, vint pos, uint32_t *idx,
                                vfloat v, float *val)
{
    _mm512_storeu_si512(idx, _mm512_maskz_compress_epi32((vmask)bits, pos));
    _mm512_storeu_ps(val, _mm512_maskz_compress_ps((vmask)bits, v));
}

#include "x86/vec_x86.h"

#endif /* SN_VEC_AVX512_H */
