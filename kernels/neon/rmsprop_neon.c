/* rmsprop, NEON: torch's RMSprop, the oracle's operations in its order
 * without fusing, with the exact vsqrtq_f32 and vdivq_f32
 * (kernels/x86/rmsprop_x86.h): bit-identical. */
#include "neon_util.h"

typedef struct rmsprop_consts {
    float32x4_t alpha, one_minus_alpha, lr, eps;
} rmsprop_consts;

static inline float32x4_t rmsprop4(float32x4_t p, float32x4_t sq[2],
                                   float32x4_t g, const void *kv)
{
    const rmsprop_consts *k = kv;
    sq[0] = vaddq_f32(vmulq_f32(k->alpha, sq[0]),
                      vmulq_f32(vmulq_f32(k->one_minus_alpha, g), g));
    const float32x4_t step = vdivq_f32(vmulq_f32(k->lr, g),
                                       vaddq_f32(vsqrtq_f32(sq[0]), k->eps));
    return vsubq_f32(p, step);
}

void sn_rmsprop_neon(size_t n, float *p, float *sq, size_t nbuf,
                     const float *const *gsum, float gscale,
                     const sn_step_hyper *h)
{
    const sn_neon_grad grad = sn_neon_grad_make(gscale, h->weight_decay);
    const rmsprop_consts k = {vdupq_n_f32(h->beta2), vdupq_n_f32(1.0f - h->beta2),
                              vdupq_n_f32(h->lr), vdupq_n_f32(h->eps)};
    sn_neon_step_loop(n, p, sq, NULL, nbuf, gsum, &grad, rmsprop4, &k);
}
