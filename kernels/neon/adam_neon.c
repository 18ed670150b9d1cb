/* adam, NEON: torch's Adam, or AdamW with h->decoupled, the oracle's
 * operations in its order without fusing, with the exact vsqrtq_f32 and
 * vdivq_f32 (kernels/x86/adam_x86.h): bit-identical. */
#include "neon_util.h"

typedef struct adam_consts {
    float32x4_t gscale, wd, decay, b1, one_minus_b1, b2, one_minus_b2;
    float32x4_t step_size, bc2_sqrt, eps;
    int coupled, decoupled;
} adam_consts;

static inline float32x4_t adam4(float32x4_t p, float32x4_t *m,
                                float32x4_t *v, float32x4_t gsum,
                                const void *kv)
{
    const adam_consts *k = kv;
    float32x4_t g = vmulq_f32(gsum, k->gscale);
    if (k->decoupled)
        p = vmulq_f32(p, k->decay);
    if (k->coupled)
        g = vaddq_f32(g, vmulq_f32(k->wd, p));
    const float32x4_t mi = vaddq_f32(vmulq_f32(k->b1, *m),
                                     vmulq_f32(k->one_minus_b1, g));
    const float32x4_t vi = vaddq_f32(vmulq_f32(k->b2, *v),
                                     vmulq_f32(vmulq_f32(k->one_minus_b2, g), g));
    *m = mi;
    *v = vi;
    const float32x4_t denom = vaddq_f32(vdivq_f32(vsqrtq_f32(vi), k->bc2_sqrt), k->eps);
    return vsubq_f32(p, vdivq_f32(vmulq_f32(k->step_size, mi), denom));
}

void sn_adam_neon(size_t n, float *p, float *m, float *v, size_t nbuf,
                  const float *const *gsum, float gscale,
                  const sn_step_hyper *h)
{
    const float wd = h->weight_decay;
    const adam_consts k = {
        vdupq_n_f32(gscale),           vdupq_n_f32(wd),
        vdupq_n_f32(sn_step_decay(h)), vdupq_n_f32(h->beta1),
        vdupq_n_f32(1.0f - h->beta1),  vdupq_n_f32(h->beta2),
        vdupq_n_f32(1.0f - h->beta2),  vdupq_n_f32(h->step_size),
        vdupq_n_f32(h->bc2_sqrt),      vdupq_n_f32(h->eps),
        !h->decoupled && wd != 0.0f,   h->decoupled && wd != 0.0f};
    sn_neon_step_loop(n, p, m, v, nbuf, gsum, adam4, &k);
}
