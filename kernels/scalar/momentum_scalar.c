/* momentum, scalar reference: torch's SGD with momentum (and nesterov) on
 * g = gscale * (the sum of the gradient buffers in buffer order):
 * g += wd p; buf = mu buf + g; d = nesterov ? g + mu buf : buf; p -= lr d. */
#include "kernels.h"
#include "sum_buffers_scalar.h"

void sn_momentum_scalar(size_t n, float *p, float *buf, size_t nbuf,
                        const float *const *gsum, float gscale,
                        const sn_step_hyper *h)
{
    const float wd = h->weight_decay, mu = h->momentum, lr = h->lr;
    for (size_t i = 0; i < n; i++) {
        float g = sn_scalar_sum_buffers(nbuf, gsum, i) * gscale;
        if (wd != 0.0f)
            g = g + wd * p[i];
        const float b = mu * buf[i] + g;
        buf[i] = b;
        const float d = h->nesterov ? g + mu * b : b;
        p[i] = p[i] - lr * d;
    }
}
