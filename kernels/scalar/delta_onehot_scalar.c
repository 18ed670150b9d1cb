/* delta_onehot, scalar reference: delta = scale * (a - onehot(label)). */
#include "kernels.h"

void sn_delta_onehot_scalar(size_t n, const float *a, unsigned label,
                            float scale, float *delta)
{
    for (size_t i = 0; i < n; i++)
        delta[i] = scale * (a[i] - (i == label ? 1.0f : 0.0f));
}
