/* softmax, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

float sn_softmax_neon(size_t n, const float *x, float *y)
{
    return sn_softmax_scalar(n, x, y);
}
