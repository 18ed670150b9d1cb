/* vadd, NEON: y += x (exact, identical to the scalar oracle). */
#include "neon_util.h"

void sn_vadd_neon(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (size_t j = 0; j < 16; j += 4)
            vst1q_f32(y + i + j,
                      vaddq_f32(vld1q_f32(y + i + j), vld1q_f32(x + i + j)));
    }
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vld1q_f32(x + i)));
    for (; i < n; i++)
        y[i] += x[i];
}
