/* gemm_tn, NEON: C += A^T B, each row of C summed over the tile in
 * registers, four columns per vector. */
#include <math.h>

#include "neon_util.h"

void sn_gemm_tn_neon(size_t m, size_t n, size_t k, const float *a,
                     const float *b, float *c)
{
    for (size_t r = 0; r < n; r++) {
        float *cr = c + r * k;
        size_t j = 0;
        for (; j + 4 <= k; j += 4) {
            float32x4_t acc = vdupq_n_f32(0.0f);
            for (size_t s = 0; s < m; s++)
                acc = vfmaq_n_f32(acc, vld1q_f32(b + s * k + j), a[s * n + r]);
            vst1q_f32(cr + j, vaddq_f32(vld1q_f32(cr + j), acc));
        }
        for (; j < k; j++) {
            float acc = 0.0f;
            for (size_t s = 0; s < m; s++)
                acc = fmaf(a[s * n + r], b[s * k + j], acc);
            cr[j] += acc;
        }
    }
}
