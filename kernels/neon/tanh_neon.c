/* tanh, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_tanh_neon(size_t n, const float *x, float *y)
{
    sn_tanh_scalar(n, x, y);
}
