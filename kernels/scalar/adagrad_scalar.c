/* adagrad, scalar reference: g = gscale * (the sum of the per-thread
 * gradient buffers, added in buffer order); G += g^2; p -= lr g / sqrt(G +
 * eps), with the exact square root and division of the tutorial (eps inside
 * the root). */
#include <math.h>

#include "kernels.h"

void sn_adagrad_scalar(size_t n, float *p, float *G, size_t nbuf,
                       const float *const *gsum, float gscale, float lr,
                       float eps)
{
    for (size_t i = 0; i < n; i++) {
        float sum = gsum[0][i];
        for (size_t j = 1; j < nbuf; j++)
            sum += gsum[j][i];
        const float g = sum * gscale;
        const float acc = G[i] + g * g;
        G[i] = acc;
        p[i] -= lr * g / sqrtf(acc + eps);
    }
}
