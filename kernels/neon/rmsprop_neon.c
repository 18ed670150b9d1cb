/* rmsprop, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_rmsprop_neon(size_t n, float *p, float *sq, size_t nbuf, const float *const *gsum, float gscale, const sn_step_hyper *h)
{
    sn_rmsprop_scalar(n, p, sq, nbuf, gsum, gscale, h);
}
