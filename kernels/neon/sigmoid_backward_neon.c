/*
 * sigmoid_backward, NEON: delta = dC/da * a * (1 - a), with the scalar
 * oracle's operations in its order (no fusing), so results are identical.
 * In place (delta == dcda) is safe: each vector is read before it is written.
 */
#include "neon_util.h"

void sn_sigmoid_backward_neon(size_t n, const float *dcda, const float *a,
                              float *delta)
{
    const float32x4_t one = vdupq_n_f32(1.0f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t av = vld1q_f32(a + i);
        const float32x4_t da = vmulq_f32(vld1q_f32(dcda + i), av);
        vst1q_f32(delta + i, vmulq_f32(da, vsubq_f32(one, av)));
    }
    for (; i < n; i++)
        delta[i] = dcda[i] * a[i] * (1.0f - a[i]);
}
