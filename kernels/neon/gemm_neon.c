/* gemm, NEON: C = A B + bias, one row of A at a time, B traversed by rows
 * (no horizontal sums), four columns per vector. */
#include <math.h>

#include "neon_util.h"

void sn_gemm_neon(size_t m, size_t n, size_t k, const float *a, const float *b,
                  const float *bias, float *c)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * n;
        size_t j = 0;
        for (; j + 4 <= n; j += 4) {
            float32x4_t acc = sn_neon_column_sum4(k, a + i * k, 1, b, n, j);
            if (bias)
                acc = vaddq_f32(acc, vld1q_f32(bias + j));
            vst1q_f32(ci + j, acc);
        }
        for (; j < n; j++) {
            const float acc = sn_neon_column_sum1(k, a + i * k, 1, b, n, j);
            ci[j] = bias ? acc + bias[j] : acc;
        }
    }
}
