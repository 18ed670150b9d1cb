/* adam, NEON: torch's Adam, or AdamW with h->decoupled, the oracle's
 * operations in its order without fusing, with the exact vsqrtq_f32 and
 * vdivq_f32 (kernels/x86/adam_x86.h): bit-identical. */
#include "neon_util.h"

typedef struct adam_consts {
    float32x4_t decay, b1, one_minus_b1, b2, one_minus_b2, step_size, inv_bc2_sqrt, eps;
    int decoupled;
} adam_consts;

/* s[0] is m, s[1] is v. */
static inline float32x4_t adam4(float32x4_t p, float32x4_t s[2], float32x4_t g,
                                const void *kv)
{
    const adam_consts *k = kv;
    if (k->decoupled)
        p = vmulq_f32(p, k->decay);
    s[0] = vaddq_f32(vmulq_f32(k->b1, s[0]), vmulq_f32(k->one_minus_b1, g));
    s[1] = vaddq_f32(vmulq_f32(k->b2, s[1]),
                     vmulq_f32(vmulq_f32(k->one_minus_b2, g), g));
    const float32x4_t denom =
        vaddq_f32(vmulq_f32(vsqrtq_f32(s[1]), k->inv_bc2_sqrt), k->eps);
    return vsubq_f32(p, vdivq_f32(vmulq_f32(k->step_size, s[0]), denom));
}

void sn_adam_neon(size_t n, float *p, float *m, float *v, size_t nbuf,
                  const float *const *gsum, float gscale,
                  const sn_step_hyper *h)
{
    const float wd = h->weight_decay;
    const sn_neon_grad grad = sn_neon_grad_make(gscale, h->decoupled ? 0.0f : wd);
    const adam_consts k = {vdupq_n_f32(sn_step_decay(h)), vdupq_n_f32(h->beta1),
                           vdupq_n_f32(1.0f - h->beta1),  vdupq_n_f32(h->beta2),
                           vdupq_n_f32(1.0f - h->beta2),  vdupq_n_f32(h->step_size),
                           vdupq_n_f32(h->inv_bc2_sqrt),     vdupq_n_f32(h->eps),
                           h->decoupled && wd != 0.0f};
    sn_neon_step_loop(n, p, m, v, nbuf, gsum, &grad, adam4, &k);
}
