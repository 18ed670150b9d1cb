/*
 * sgd, NEON: p -= lr * (gscale * the sum of the gradient buffers), with the scalar oracle's operations
 * in its order (no fusing), so every ISA takes the same step.
 */
#include "neon_util.h"

void sn_sgd_neon(size_t n, float *p, size_t nbuf, const float *const *gsum,
                 float gscale, float lr)
{
    const float32x4_t gs = vdupq_n_f32(gscale);
    const float32x4_t rate = vdupq_n_f32(lr);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t g = vmulq_f32(sn_neon_sum_buffers(nbuf, gsum, i), gs);
        vst1q_f32(p + i, vsubq_f32(vld1q_f32(p + i), vmulq_f32(rate, g)));
    }
    for (; i < n; i++)
        p[i] -= lr * (sn_neon_sum_buffers_tail(nbuf, gsum, i) * gscale);
}
