/* adam, NEON: PROVISIONAL, the scalar oracle until the vector version lands. */
#include "neon_util.h"

void sn_adam_neon(size_t n, float *p, float *m, float *v, size_t nbuf, const float *const *gsum, float gscale, const sn_step_hyper *h)
{
    sn_adam_scalar(n, p, m, v, nbuf, gsum, gscale, h);
}
