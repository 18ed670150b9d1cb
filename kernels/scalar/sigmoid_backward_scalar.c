/* sigmoid_backward, scalar reference: delta = dC/da * a * (1 - a). */
#include "kernels.h"

void sn_sigmoid_backward_scalar(size_t n, const float *dcda, const float *a,
                                float *delta)
{
    for (size_t i = 0; i < n; i++)
        delta[i] = dcda[i] * a[i] * (1.0f - a[i]);
}
