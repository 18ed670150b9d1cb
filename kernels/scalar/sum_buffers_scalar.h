/* sum_buffers_scalar.h - the per-thread gradient buffers at i, added in
 * buffer order: the sum every optimizer oracle steps on (the x86 bodies'
 * vsum_buffers, NEON's sn_neon_sum_buffers). */
#ifndef SN_SUM_BUFFERS_SCALAR_H
#define SN_SUM_BUFFERS_SCALAR_H

#include <stddef.h>

static inline float sn_scalar_sum_buffers(size_t nbuf, const float *const *g,
                                          size_t i)
{
    float s = g[0][i];
    for (size_t j = 1; j < nbuf; j++)
        s += g[j][i];
    return s;
}

#endif /* SN_SUM_BUFFERS_SCALAR_H */
