/* rmsprop, NEON: torch's RMSprop, the oracle's operations in its order
 * without fusing, with the exact vsqrtq_f32 and vdivq_f32
 * (kernels/x86/rmsprop_x86.h): bit-identical. */
#include "neon_util.h"

typedef struct rmsprop_consts {
    float32x4_t gscale, wd, alpha, one_minus_alpha, lr, eps;
    int decay;
} rmsprop_consts;

static inline float32x4_t rmsprop4(float32x4_t p, float32x4_t *sq,
                                   float32x4_t *unused, float32x4_t gsum,
                                   const void *kv)
{
    const rmsprop_consts *k = kv;
    (void)unused;
    float32x4_t g = vmulq_f32(gsum, k->gscale);
    if (k->decay)
        g = vaddq_f32(g, vmulq_f32(k->wd, p));
    const float32x4_t s = vaddq_f32(vmulq_f32(k->alpha, *sq),
                                    vmulq_f32(vmulq_f32(k->one_minus_alpha, g), g));
    *sq = s;
    const float32x4_t step = vdivq_f32(vmulq_f32(k->lr, g),
                                       vaddq_f32(vsqrtq_f32(s), k->eps));
    return vsubq_f32(p, step);
}

void sn_rmsprop_neon(size_t n, float *p, float *sq, size_t nbuf,
                     const float *const *gsum, float gscale,
                     const sn_step_hyper *h)
{
    const rmsprop_consts k = {vdupq_n_f32(gscale), vdupq_n_f32(h->weight_decay),
                              vdupq_n_f32(h->beta2), vdupq_n_f32(1.0f - h->beta2),
                              vdupq_n_f32(h->lr), vdupq_n_f32(h->eps),
                              h->weight_decay != 0.0f};
    sn_neon_step_loop(n, p, sq, NULL, nbuf, gsum, rmsprop4, &k);
}
