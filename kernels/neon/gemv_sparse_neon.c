/* gemv_sparse, NEON: y = b + sum_j val[j] * WT[idx[j]], four outputs per
 * vector, two interleaved partial sums (even and odd j) added at the end. */
#include <math.h>

#include "neon_util.h"

void sn_gemv_sparse_neon(size_t m, size_t nnz, const uint32_t *idx,
                         const float *val, const float *wt, const float *b,
                         float *y)
{
    size_t r = 0;
    for (; r + 4 <= m; r += 4) {
        float32x4_t a0 = vdupq_n_f32(0.0f), a1 = vdupq_n_f32(0.0f);
        size_t j = 0;
        for (; j + 2 <= nnz; j += 2) {
            a0 = vfmaq_n_f32(a0, vld1q_f32(wt + (size_t)idx[j] * m + r), val[j]);
            a1 = vfmaq_n_f32(a1, vld1q_f32(wt + (size_t)idx[j + 1] * m + r), val[j + 1]);
        }
        if (j < nnz)
            a0 = vfmaq_n_f32(a0, vld1q_f32(wt + (size_t)idx[j] * m + r), val[j]);
        float32x4_t s = vaddq_f32(a0, a1);
        if (b)
            s = vaddq_f32(s, vld1q_f32(b + r));
        vst1q_f32(y + r, s);
    }
    for (; r < m; r++) {
        float a0 = 0.0f, a1 = 0.0f;
        size_t j = 0;
        for (; j + 2 <= nnz; j += 2) {
            a0 = fmaf(val[j], wt[(size_t)idx[j] * m + r], a0);
            a1 = fmaf(val[j + 1], wt[(size_t)idx[j + 1] * m + r], a1);
        }
        if (j < nnz)
            a0 = fmaf(val[j], wt[(size_t)idx[j] * m + r], a0);
        y[r] = (a0 + a1) + (b ? b[r] : 0.0f);
    }
}
