/* relu, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_relu_neon(size_t n, const float *x, float *y)
{
    sn_relu_scalar(n, x, y);
}
