/*
 * neon_util.h - what every NEON kernel includes: the intrinsics, the NEON
 * set's declarations from kernels.h (kernels/meson.build defines
 * SN_BUILT_NEON for these files, so each definition is checked against its
 * type there), and the pixel helpers shared by the uint8 kernels.
 *
 * Helper names are sn_neon_<verb> with the verbs of the x86 primitives
 * (kernels/x86/vec_x86.h): u8_to_f32 (x86 vu8_to_f32), u8_is_zero
 * (vu8_is_zero), sum_buffers and sum_buffers_tail (vsum_buffers,
 * vsum_buffers_tail), map1, map2, grad_at and step_loop (vmap1, vmap2,
 * vgrad_at, vstep_loop); exp_neon.h's exp_nonpositive is exp(z) for z <= 0 where
 * x86's vexp_neg(t) is exp(-t) for t >= 0.
 */
#ifndef SN_NEON_UTIL_H
#define SN_NEON_UTIL_H

#include <arm_neon.h>
#include <math.h>
#include <string.h>

#include "kernels.h"

/* 16 pixels to four vectors of floats, in order; exact, since every uint8 is
 * a float. */
static inline void sn_neon_u8_to_f32(uint8x16_t px, float32x4_t f[4])
{
    const uint16x8_t lo = vmovl_u8(vget_low_u8(px));
    const uint16x8_t hi = vmovl_u8(vget_high_u8(px));
    f[0] = vcvtq_f32_u32(vmovl_u16(vget_low_u16(lo)));
    f[1] = vcvtq_f32_u32(vmovl_u16(vget_high_u16(lo)));
    f[2] = vcvtq_f32_u32(vmovl_u16(vget_low_u16(hi)));
    f[3] = vcvtq_f32_u32(vmovl_u16(vget_high_u16(hi)));
}

/* Whether all 16 pixels are zero: such a chunk adds exactly nothing to a
 * dot product or an outer product, and 81% of MNIST's pixels are zero. */
static inline int sn_neon_u8_is_zero(uint8x16_t px)
{
    return vmaxvq_u8(px) == 0;
}

/* The 16 pixels at x as floats in f, for the pixel kernels' main loops;
 * 0 (f untouched) where all are zero, so that the caller skips them. */
static inline int sn_neon_load_pixels16(const uint8_t *x, float32x4_t f[4])
{
    const uint8x16_t px = vld1q_u8(x);
    if (sn_neon_u8_is_zero(px))
        return 0;
    sn_neon_u8_to_f32(px, f);
    return 1;
}

/* The per-thread gradient buffers at i, added in buffer order. */
static inline float32x4_t sn_neon_sum_buffers(size_t nbuf, const float *const *g, size_t i)
{
    float32x4_t s = vld1q_f32(g[0] + i);
    for (size_t j = 1; j < nbuf; j++)
        s = vaddq_f32(s, vld1q_f32(g[j] + i));
    return s;
}

/* The same for one value of the tail (x86 masks a vector instead). */
static inline float sn_neon_sum_buffers_tail(size_t nbuf, const float *const *g, size_t i)
{
    float s = g[0][i];
    for (size_t j = 1; j < nbuf; j++)
        s += g[j][i];
    return s;
}

#define SN_NEON_INLINE static inline __attribute__((always_inline))

/* The loops of the elementwise kernels, written once: f four values at a
 * time; the last 1-3 take the same vector path through a zero-padded copy,
 * so a value's result never depends on where it sits. An output may equal
 * an input. */
SN_NEON_INLINE void sn_neon_map1(size_t n, const float *x, float *y,
                                 float32x4_t (*f)(float32x4_t))
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, f(vld1q_f32(x + i)));
    if (i < n) {
        float xb[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        memcpy(xb, x + i, (n - i) * sizeof *xb);
        vst1q_f32(xb, f(vld1q_f32(xb)));
        memcpy(y + i, xb, (n - i) * sizeof *xb);
    }
}

SN_NEON_INLINE void sn_neon_map2(size_t n, const float *a, const float *b,
                                 float *y,
                                 float32x4_t (*f)(float32x4_t, float32x4_t))
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, f(vld1q_f32(a + i), vld1q_f32(b + i)));
    if (i < n) {
        float ab[4] = {0.0f, 0.0f, 0.0f, 0.0f}, bb[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        memcpy(ab, a + i, (n - i) * sizeof *ab);
        memcpy(bb, b + i, (n - i) * sizeof *bb);
        vst1q_f32(ab, f(vld1q_f32(ab), vld1q_f32(bb)));
        memcpy(y + i, ab, (n - i) * sizeof *ab);
    }
}

/* The batch gradient of an optimizer step, as x86's vgrad_at: g = gsum *
 * gscale, plus wd * p when coupled weight decay is on (wd != 0). */
typedef struct sn_neon_grad {
    float32x4_t gscale, wd;
    int decay;
} sn_neon_grad;

SN_NEON_INLINE sn_neon_grad sn_neon_grad_make(float gscale, float wd)
{
    return (sn_neon_grad){vdupq_n_f32(gscale), vdupq_n_f32(wd), wd != 0.0f};
}

SN_NEON_INLINE float32x4_t sn_neon_grad_at(const sn_neon_grad *c,
                                           float32x4_t gsum, float32x4_t p)
{
    const float32x4_t g = vmulq_f32(gsum, c->gscale);
    return c->decay ? vaddq_f32(g, vmulq_f32(c->wd, p)) : g;
}

/* The loop of an optimizer step with one or two state arrays (s1 NULL for
 * one), as x86's vstep_loop: g = sn_neon_grad_at(grad, the sum of the
 * buffers, p), then step(p, s, g, k) returns the new p and updates s[0],
 * s[1]; the last 1-3 values go through zero-padded copies (a zero
 * parameter, state and gradient step to zero without a trap in every step
 * here). */
typedef float32x4_t sn_neon_step_fn(float32x4_t p, float32x4_t s[2],
                                    float32x4_t g, const void *k);

SN_NEON_INLINE void sn_neon_step_loop(size_t n, float *p, float *s0, float *s1,
                                      size_t nbuf, const float *const *gsum,
                                      const sn_neon_grad *grad,
                                      sn_neon_step_fn *step, const void *k)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t pv = vld1q_f32(p + i);
        float32x4_t s[2] = {vld1q_f32(s0 + i),
                            s1 ? vld1q_f32(s1 + i) : vdupq_n_f32(0.0f)};
        const float32x4_t g =
            sn_neon_grad_at(grad, sn_neon_sum_buffers(nbuf, gsum, i), pv);
        const float32x4_t next = step(pv, s, g, k);
        vst1q_f32(s0 + i, s[0]);
        if (s1)
            vst1q_f32(s1 + i, s[1]);
        vst1q_f32(p + i, next);
    }
    if (i < n) {
        const size_t r = n - i, bytes = r * sizeof(float);
        float pb[4] = {0.0f, 0.0f, 0.0f, 0.0f}, ab[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        float bb[4] = {0.0f, 0.0f, 0.0f, 0.0f}, gb[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        memcpy(pb, p + i, bytes);
        memcpy(ab, s0 + i, bytes);
        if (s1)
            memcpy(bb, s1 + i, bytes);
        for (size_t j = 0; j < r; j++)
            gb[j] = sn_neon_sum_buffers_tail(nbuf, gsum, i + j);
        const float32x4_t pv = vld1q_f32(pb);
        float32x4_t s[2] = {vld1q_f32(ab), vld1q_f32(bb)};
        const float32x4_t g = sn_neon_grad_at(grad, vld1q_f32(gb), pv);
        vst1q_f32(pb, step(pv, s, g, k));
        vst1q_f32(ab, s[0]);
        vst1q_f32(bb, s[1]);
        memcpy(p + i, pb, bytes);
        memcpy(s0 + i, ab, bytes);
        if (s1)
            memcpy(s1 + i, bb, bytes);
    }
}

/* Columns j..j+3 (sum4) or column j (sum1) of the gemm kernels' products:
 * the sum over p < len of x[p * xs] * y[p * ys + j], fused, in order of p. */
static inline float32x4_t sn_neon_column_sum4(size_t len, const float *x,
                                              size_t xs, const float *y,
                                              size_t ys, size_t j)
{
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t p = 0; p < len; p++)
        acc = vfmaq_n_f32(acc, vld1q_f32(y + p * ys + j), x[p * xs]);
    return acc;
}

static inline float sn_neon_column_sum1(size_t len, const float *x, size_t xs,
                                        const float *y, size_t ys, size_t j)
{
    float acc = 0.0f;
    for (size_t p = 0; p < len; p++)
        acc = fmaf(x[p * xs], y[p * ys + j], acc);
    return acc;
}

#endif /* SN_NEON_UTIL_H */
