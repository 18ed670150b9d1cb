/* relu_backward, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_relu_backward_neon(size_t n, const float *dcda, const float *a, float *delta)
{
    sn_relu_backward_scalar(n, dcda, a, delta);
}
