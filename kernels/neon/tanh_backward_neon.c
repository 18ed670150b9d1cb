/* tanh_backward, NEON: delta = dcda * (1 - a * a) in the oracle's order,
 * no fusing: bit-identical. */
#include "neon_util.h"

static inline float32x4_t tanh_backward4(float32x4_t dcda, float32x4_t a)
{
    return vmulq_f32(dcda, vsubq_f32(vdupq_n_f32(1.0f), vmulq_f32(a, a)));
}

void sn_tanh_backward_neon(size_t n, const float *dcda, const float *a,
                           float *delta)
{
    sn_neon_map2(n, dcda, a, delta, tanh_backward4);
}
