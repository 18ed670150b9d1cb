/* adagrad, scalar reference: g = gscale * (the sum of the per-thread
 * gradient buffers, added in buffer order); G += g^2; p -= lr g / sqrt(G +
 * eps), with the exact square root and division of the tutorial (eps inside
 * the root). */
#include <math.h>

#include "kernels.h"

static inline void step(float *p, float *G, float sum, float gscale,
                        float lr, float eps)
{
    const float g = sum * gscale;
    const float acc = *G + g * g;
    *G = acc;
    *p -= lr * g / sqrtf(acc + eps);
}

void sn_adagrad_scalar(size_t n, float *p, float *G, size_t nbuf,
                       const float *const *gsum, float gscale, float lr,
                       float eps)
{
    /* One and two buffers (one and two threads) get loops of their own:
     * the general loop over buffers keeps gcc from vectorising, which made
     * the fallback 4x slower. The sums are the same. */
    const float *g0 = gsum[0];
    if (nbuf == 1) {
        for (size_t i = 0; i < n; i++)
            step(p + i, G + i, g0[i], gscale, lr, eps);
    } else if (nbuf == 2) {
        const float *g1 = gsum[1];
        for (size_t i = 0; i < n; i++)
            step(p + i, G + i, g0[i] + g1[i], gscale, lr, eps);
    } else {
        for (size_t i = 0; i < n; i++) {
            float sum = g0[i];
            for (size_t j = 1; j < nbuf; j++)
                sum += gsum[j][i];
            step(p + i, G + i, sum, gscale, lr, eps);
        }
    }
}
