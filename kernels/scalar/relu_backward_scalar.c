/* relu_backward, scalar reference: delta = dC/da where a > 0, else an
 * exact 0. */
#include "kernels.h"

void sn_relu_backward_scalar(size_t n, const float *dcda, const float *a,
                             float *delta)
{
    for (size_t i = 0; i < n; i++)
        delta[i] = a[i] > 0.0f ? dcda[i] : 0.0f;
}
