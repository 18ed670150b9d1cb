/* adam, scalar reference: torch's Adam, or AdamW with h->decoupled, on
 * g = gscale * (the sum of the gradient buffers in buffer order):
 * AdamW p *= 1 - lr wd, or Adam g += wd p; m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g g; p -= step_size m / (sqrt(v) * inv_bc2_sqrt + eps),
 * with the exact square root and divisions. */
#include <math.h>

#include "kernels.h"
#include "sum_buffers_scalar.h"

void sn_adam_scalar(size_t n, float *p, float *m, float *v, size_t nbuf,
                    const float *const *gsum, float gscale,
                    const sn_step_hyper *h)
{
    const float wd = h->weight_decay, decay = sn_step_decay(h);
    const int coupled = !h->decoupled && wd != 0.0f;
    const int decoupled = h->decoupled && wd != 0.0f;
    const float b1 = h->beta1, b2 = h->beta2;
    const float one_minus_b1 = 1.0f - b1, one_minus_b2 = 1.0f - b2;
    const float step_size = h->step_size, inv_bc2_sqrt = h->inv_bc2_sqrt, eps = h->eps;
    for (size_t i = 0; i < n; i++) {
        float g = sn_scalar_sum_buffers(nbuf, gsum, i) * gscale;
        float pi = p[i];
        if (decoupled)
            pi = pi * decay;
        if (coupled)
            g = g + wd * pi;
        const float mi = b1 * m[i] + one_minus_b1 * g;
        const float vi = b2 * v[i] + one_minus_b2 * g * g;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - step_size * mi / (sqrtf(vi) * inv_bc2_sqrt + eps);
    }
}
