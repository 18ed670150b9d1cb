/* ger_sparse, NEON: WT[idx[j]] += val[j] * d for the nonzero inputs. */
#include <math.h>

#include "neon_util.h"

void sn_ger_sparse_neon(size_t m, size_t nnz, const uint32_t *idx,
                        const float *val, const float *d, float *dwt)
{
    for (size_t j = 0; j < nnz; j++) {
        float *w = dwt + (size_t)idx[j] * m;
        const float v = val[j];
        size_t r = 0;
        for (; r + 4 <= m; r += 4)
            vst1q_f32(w + r, vfmaq_n_f32(vld1q_f32(w + r), vld1q_f32(d + r), v));
        for (; r < m; r++)
            w[r] = fmaf(v, d[r], w[r]);
    }
}
