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
            const float32x4_t acc = sn_neon_column_sum4(m, a + r, n, b, k, j);
            vst1q_f32(cr + j, vaddq_f32(vld1q_f32(cr + j), acc));
        }
        for (; j < k; j++) {
            const float acc = sn_neon_column_sum1(m, a + r, n, b, k, j);
            cr[j] += acc;
        }
    }
}
