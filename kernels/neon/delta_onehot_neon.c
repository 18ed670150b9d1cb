/* delta_onehot, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_delta_onehot_neon(size_t n, const float *a, unsigned label, float scale, float *delta)
{
    sn_delta_onehot_scalar(n, a, label, scale, delta);
}
