/* softmax, NEON: one row in three passes as the x86 body: the max, e =
 * exp(x' - m) with x' = max(x, sn_softmax_floor(m)) (exp_neon.h's exp,
 * which cannot overflow for x' - m <= 0) stored and summed in lanes, then
 * y /= sum by the exact division; lse = m + logf(sum). The last 1-3
 * values take the vector exp through a copy padded with m, their pad
 * lanes zeroed out of the sum. Within docs/kernels.md's tolerance of the
 * oracle, not bit-identical (the exp and the order of the sum differ).
 * y may equal x. Row by row: taking rows together, as the x86 sets do,
 * is unmeasured on NEON (the project has no ARM machine, only qemu). */
#include <math.h>

#include "exp_neon.h"
#include "neon_util.h"

static inline float32x4_t softmax_exp4(float32x4_t x, float32x4_t m,
                                       float32x4_t floor)
{
    return sn_neon_exp_nonpositive(vsubq_f32(vmaxq_f32(floor, x), m));
}

static float softmax_row(size_t n, const float *x, float *y)
{
    size_t i = 0;
    float32x4_t vm = vdupq_n_f32(x[0]);
    for (; i + 4 <= n; i += 4)
        vm = vmaxq_f32(vm, vld1q_f32(x + i));
    float m = vmaxvq_f32(vm);
    for (size_t j = i; j < n; j++)
        if (x[j] > m)
            m = x[j];

    const float32x4_t vmx = vdupq_n_f32(m);
    const float32x4_t floor = vdupq_n_f32(sn_softmax_floor(m));
    float32x4_t vsum = vdupq_n_f32(0.0f);
    for (i = 0; i + 4 <= n; i += 4) {
        const float32x4_t e = softmax_exp4(vld1q_f32(x + i), vmx, floor);
        vst1q_f32(y + i, e);
        vsum = vaddq_f32(vsum, e);
    }
    const size_t tail = n - i;
    if (tail) {
        float b[4] = {m, m, m, m};
        memcpy(b, x + i, tail * sizeof *b);
        vst1q_f32(b, softmax_exp4(vld1q_f32(b), vmx, floor));
        for (size_t j = tail; j < 4; j++)
            b[j] = 0.0f;
        vsum = vaddq_f32(vsum, vld1q_f32(b));
        memcpy(y + i, b, tail * sizeof *b);
    }
    const float sum = vaddvq_f32(vsum);

    const float32x4_t vs = vdupq_n_f32(sum);
    for (i = 0; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vdivq_f32(vld1q_f32(y + i), vs));
    for (; i < n; i++)
        y[i] = y[i] / sum;
    return m + logf(sum);
}

void sn_softmax_neon(size_t m, size_t n, const float *x, float *y, float *lse)
{
    for (size_t r = 0; r < m; r++)
        lse[r] = softmax_row(n, x + r * n, y + r * n);
}
