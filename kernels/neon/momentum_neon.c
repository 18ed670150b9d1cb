/* momentum, NEON: torch's SGD with momentum, the oracle's operations in
 * its order without fusing (kernels/x86/momentum_x86.h): bit-identical. */
#include "neon_util.h"

typedef struct momentum_consts {
    float32x4_t gscale, wd, mu, lr;
    int decay, nesterov;
} momentum_consts;

static inline float32x4_t momentum4(float32x4_t p, float32x4_t *buf,
                                    float32x4_t *unused, float32x4_t gsum,
                                    const void *kv)
{
    const momentum_consts *k = kv;
    (void)unused;
    float32x4_t g = vmulq_f32(gsum, k->gscale);
    if (k->decay)
        g = vaddq_f32(g, vmulq_f32(k->wd, p));
    const float32x4_t b = vaddq_f32(vmulq_f32(k->mu, *buf), g);
    *buf = b;
    const float32x4_t d = k->nesterov ? vaddq_f32(g, vmulq_f32(k->mu, b)) : b;
    return vsubq_f32(p, vmulq_f32(k->lr, d));
}

void sn_momentum_neon(size_t n, float *p, float *buf, size_t nbuf,
                      const float *const *gsum, float gscale,
                      const sn_step_hyper *h)
{
    const momentum_consts k = {vdupq_n_f32(gscale), vdupq_n_f32(h->weight_decay),
                               vdupq_n_f32(h->momentum), vdupq_n_f32(h->lr),
                               h->weight_decay != 0.0f, h->nesterov};
    sn_neon_step_loop(n, p, buf, NULL, nbuf, gsum, momentum4, &k);
}
