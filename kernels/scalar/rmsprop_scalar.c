/* rmsprop, scalar reference: torch's RMSprop (no momentum, not centered)
 * on g = gscale * (the sum of the gradient buffers in buffer order):
 * g += wd p; sq = alpha sq + (1 - alpha) g g; p -= lr g / (sqrt(sq) + eps),
 * with the exact square root and division. */
#include <math.h>

#include "kernels.h"
#include "sum_buffers_scalar.h"

void sn_rmsprop_scalar(size_t n, float *p, float *sq, size_t nbuf,
                       const float *const *gsum, float gscale,
                       const sn_step_hyper *h)
{
    const float wd = h->weight_decay, alpha = h->beta2, lr = h->lr;
    const float one_minus_alpha = 1.0f - alpha, eps = h->eps;
    for (size_t i = 0; i < n; i++) {
        float g = sn_scalar_sum_buffers(nbuf, gsum, i) * gscale;
        if (wd != 0.0f)
            g = g + wd * p[i];
        const float s = alpha * sq[i] + one_minus_alpha * g * g;
        sq[i] = s;
        p[i] = p[i] - lr * g / (sqrtf(s) + eps);
    }
}
