/* tanh_backward, scalar reference: delta = dC/da * (1 - a * a). */
#include "kernels.h"

void sn_tanh_backward_scalar(size_t n, const float *dcda, const float *a,
                             float *delta)
{
    for (size_t i = 0; i < n; i++)
        delta[i] = dcda[i] * (1.0f - a[i] * a[i]);
}
