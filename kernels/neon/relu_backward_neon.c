/* relu_backward, NEON: delta = a > 0 ? dcda : 0 as a compare and a bit
 * select: an exact +0 where the ReLU gave 0; bit-identical to the oracle. */
#include "neon_util.h"

static inline float32x4_t relu_backward4(float32x4_t dcda, float32x4_t a)
{
    const float32x4_t zero = vdupq_n_f32(0.0f);
    return vbslq_f32(vcgtq_f32(a, zero), dcda, zero);
}

void sn_relu_backward_neon(size_t n, const float *dcda, const float *a,
                           float *delta)
{
    sn_neon_map2(n, dcda, a, delta, relu_backward4);
}
