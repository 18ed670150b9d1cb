/*
 * neon_util.h - what every NEON kernel includes: the intrinsics, the NEON
 * set's declarations from kernels.h (kernels/meson.build defines
 * SN_BUILT_NEON for these files, so each definition is checked against its
 * type there), and the pixel helpers shared by the uint8 kernels.
 */
#ifndef SN_NEON_UTIL_H
#define SN_NEON_UTIL_H

#include <arm_neon.h>

#include "kernels.h"

/* 16 pixels to four vectors of floats, in order; exact, since every uint8 is
 * a float. */
static inline void sn_u8x16_to_f32_neon(uint8x16_t px, float32x4_t f[4])
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
static inline int sn_u8x16_is_zero_neon(uint8x16_t px)
{
    return vmaxvq_u8(px) == 0;
}

/* The per-thread gradient buffers at i, added in buffer order. */
static inline float32x4_t sn_sum_buffers_neon(size_t nbuf, const float *const *g, size_t i)
{
    float32x4_t s = vld1q_f32(g[0] + i);
    for (size_t j = 1; j < nbuf; j++)
        s = vaddq_f32(s, vld1q_f32(g[j] + i));
    return s;
}

static inline float sn_sum_buffers_1_neon(size_t nbuf, const float *const *g, size_t i)
{
    float s = g[0][i];
    for (size_t j = 1; j < nbuf; j++)
        s += g[j][i];
    return s;
}

#endif /* SN_NEON_UTIL_H */
