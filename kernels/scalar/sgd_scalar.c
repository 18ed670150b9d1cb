/* sgd, scalar reference: p -= lr * (gscale * the sum of the per-thread
 * gradient buffers, added in buffer order). */
#include "kernels.h"

void sn_sgd_scalar(size_t n, float *p, size_t nbuf, const float *const *gsum,
                   float gscale, float lr)
{
    for (size_t i = 0; i < n; i++) {
        float sum = gsum[0][i];
        for (size_t j = 1; j < nbuf; j++)
            sum += gsum[j][i];
        p[i] -= lr * (sum * gscale);
    }
}
