/* delta_onehot, NEON: delta = scale * a four at a time (the oracle's
 * scale * (a - 0), a - 0 being a bit for bit), then the marked element as
 * the oracle computes it, from a copy taken first (delta may equal a):
 * bit-identical. */
#include "neon_util.h"

void sn_delta_onehot_neon(size_t n, const float *a, unsigned label,
                          float scale, float *delta)
{
    const float hot = label < n ? a[label] : 0.0f;
    const float32x4_t vscale = vdupq_n_f32(scale);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(delta + i, vmulq_f32(vscale, vld1q_f32(a + i)));
    for (; i < n; i++)
        delta[i] = scale * a[i];
    if (label < n)
        delta[label] = scale * (hot - 1.0f);
}
