/*
 * neon_util.h - what every NEON kernel includes: the intrinsics, the NEON
 * set's declarations from kernels.h (kernels/meson.build defines
 * SN_BUILT_NEON for these files, so each definition is checked against its
 * type there), and the pixel helpers shared by the uint8 kernels.
 *
 * Helper names are sn_neon_<verb> with the verbs of the x86 primitives
 * (kernels/x86/vec_x86.h): u8_to_f32 (x86 vu8_to_f32), u8_is_zero
 * (vu8_is_zero), sum_buffers and sum_buffers_tail (vsum_buffers,
 * vsum_buffers_tail); exp_neon.h's exp_nonpositive is exp(z) for z <= 0
 * where x86's vexp_neg(t) is exp(-t) for t >= 0.
 */
#ifndef SN_NEON_UTIL_H
#define SN_NEON_UTIL_H

#include <arm_neon.h>

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

#endif /* SN_NEON_UTIL_H */
