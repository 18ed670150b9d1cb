/* momentum, NEON: torch's SGD with momentum, the oracle's operations in
 * its order without fusing (kernels/x86/momentum_x86.h): bit-identical. */
#include "neon_util.h"

typedef struct momentum_consts {
    float32x4_t mu, lr;
    int nesterov;
} momentum_consts;

static inline float32x4_t momentum4(float32x4_t p, float32x4_t buf[2],
                                    float32x4_t g, const void *kv)
{
    const momentum_consts *k = kv;
    buf[0] = vaddq_f32(vmulq_f32(k->mu, buf[0]), g);
    const float32x4_t d =
        k->nesterov ? vaddq_f32(g, vmulq_f32(k->mu, buf[0])) : buf[0];
    return vsubq_f32(p, vmulq_f32(k->lr, d));
}

void sn_momentum_neon(size_t n, float *p, float *buf, size_t nbuf,
                      const float *const *gsum, float gscale,
                      const sn_step_hyper *h)
{
    const sn_neon_grad grad = sn_neon_grad_make(gscale, h->weight_decay);
    const momentum_consts k = {vdupq_n_f32(h->momentum), vdupq_n_f32(h->lr),
                               h->nesterov};
    sn_neon_step_loop(n, p, buf, NULL, nbuf, gsum, &grad, momentum4, &k);
}
