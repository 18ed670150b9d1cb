/* sgd, scalar reference: p -= lr * g. */
#include "kernels.h"

void sn_sgd_scalar(size_t n, float *p, const float *gsum, float gscale,
                   float lr)
{
    for (size_t i = 0; i < n; i++)
        p[i] -= lr * (gsum[i] * gscale);
}
