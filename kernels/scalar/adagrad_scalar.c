/* adagrad, scalar reference: G += g^2; p -= lr g / sqrt(G + eps), with the
 * exact square root and division of the tutorial (eps inside the root). */
#include <math.h>

#include "kernels.h"

void sn_adagrad_scalar(size_t n, float *p, float *G, const float *gsum,
                       float gscale, float lr, float eps)
{
    for (size_t i = 0; i < n; i++) {
        const float g = gsum[i] * gscale;
        const float acc = G[i] + g * g;
        G[i] = acc;
        p[i] -= lr * g / sqrtf(acc + eps);
    }
}
