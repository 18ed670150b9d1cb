/* vadd, scalar reference: y += x. */
#include "kernels.h"

void sn_vadd_scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] += x[i];
}
