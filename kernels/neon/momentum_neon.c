/* momentum, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_momentum_neon(size_t n, float *p, float *buf, size_t nbuf, const float *const *gsum, float gscale, const sn_step_hyper *h)
{
    sn_momentum_scalar(n, p, buf, nbuf, gsum, gscale, h);
}
