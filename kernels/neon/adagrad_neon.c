/*
 * adagrad, NEON: G += g^2; p -= lr g / sqrt(G + eps), eps inside the root.
 *
 * The scalar oracle's operations in its order, with the exact square root
 * and division (vsqrtq_f32, vdivq_f32) and no fusing, so the result is
 * bit-identical to it: the optimiser step is where rounding differences
 * would otherwise accumulate over a whole run.
 */
#include <math.h>

#include "neon_util.h"

void sn_adagrad_neon(size_t n, float *p, float *G, size_t nbuf,
                     const float *const *gsum, float gscale, float lr,
                     float eps)
{
    const float32x4_t gs = vdupq_n_f32(gscale);
    const float32x4_t rate = vdupq_n_f32(lr);
    const float32x4_t epsv = vdupq_n_f32(eps);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t g = vmulq_f32(sn_neon_sum_buffers(nbuf, gsum, i), gs);
        const float32x4_t acc = vaddq_f32(vld1q_f32(G + i), vmulq_f32(g, g));
        vst1q_f32(G + i, acc);
        const float32x4_t step = vdivq_f32(vmulq_f32(rate, g),
                                           vsqrtq_f32(vaddq_f32(acc, epsv)));
        vst1q_f32(p + i, vsubq_f32(vld1q_f32(p + i), step));
    }
    for (; i < n; i++) {
        const float g = sn_neon_sum_buffers_tail(nbuf, gsum, i) * gscale;
        const float acc = G[i] + g * g;
        G[i] = acc;
        p[i] -= lr * g / sqrtf(acc + eps);
    }
}
