/* softmax, x86: one row in three passes, each a vector at a time with a
 * masked tail: the max (tail lanes that do not exist keep the running
 * max); e = exp(x' - m) with x' = max(x, sn_softmax_floor(m)), stored in y
 * and summed in lanes (tail lanes get x = m, so exp(0), and are then
 * zeroed out of the sum); y /= sum by the exact division. exp is
 * exp_x86.h's (within 2 ulps of the true value, or flushed to 0 under
 * FLT_MIN), the sum is in lane order: within the tolerance of
 * docs/kernels.md of the oracle, not bit-identical. lse = m + logf(sum),
 * the one libm call of the row. y may equal x. */
#include <math.h>

#include "x86/exp_x86.h"

/* exp(x' - m) as exp_x86.h's exp(-t), t = m - x' >= 0 (at most about
 * 2^127, which vexp_neg clamps): no overflow for any finite input. */
VEC_INLINE vfloat softmax_exp(vfloat x, vfloat m, vfloat floor)
{
    return vexp_neg(vsub(m, vmax(floor, x)));
}

/* A row of at most two vectors (MNIST's 10 outputs) in registers: one
 * load and one store of each vector, where the passes below store e and
 * read it back. The same operations in the same order: the same bits. */
VEC_INLINE float softmax_short(size_t n, const float *x, float *y)
{
    const size_t n0 = n < VEC_WIDTH ? n : VEC_WIDTH, n1 = n - n0;
    const vmask m0 = vmask_first(n0), m1 = vmask_first(n1);
    const vfloat x0 = vload_n(x, n0, m0), x1 = vload_n(x + VEC_WIDTH, n1, m1);
    /* Lanes past n take x[0], which changes no maximum. */
    const vfloat first = vset1(x[0]);
    const float m = vhmax(vmax(vblend(m0, first, x0), vblend(m1, first, x1)));
    const vfloat vmx = vset1(m), floor = vset1(sn_softmax_floor(m));
    const vfloat e0 = vblend(m0, vzero(), softmax_exp(vblend(m0, vmx, x0), vmx, floor));
    const vfloat e1 = vblend(m1, vzero(), softmax_exp(vblend(m1, vmx, x1), vmx, floor));
    const float sum = vhsum(vadd(vadd(vzero(), e0), e1));
    const vfloat vs = vset1(sum);
    vstore_n(y, n0, m0, vdiv(e0, vs));
    vstore_n(y + VEC_WIDTH, n1, m1, vdiv(e1, vs));
    return m + logf(sum);
}

float SN_X86_FN(softmax)(size_t n, const float *x, float *y)
{
    if (n <= 2 * VEC_WIDTH)
        return softmax_short(n, x, y);
    size_t i = 0;
    vfloat vm = vset1(x[0]);
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vm = vmax(vm, vload(x + i));
    const size_t tail = n - i;
    const vmask mt = vmask_first(tail);
    if (tail)
        vm = vmax(vm, vblend(mt, vm, vload_mask(x + i, mt)));
    const float m = vhmax(vm);

    const vfloat vmx = vset1(m), floor = vset1(sn_softmax_floor(m));
    vfloat vsum = vzero();
    for (i = 0; i + VEC_WIDTH <= n; i += VEC_WIDTH) {
        const vfloat e = softmax_exp(vload(x + i), vmx, floor);
        vstore(y + i, e);
        vsum = vadd(vsum, e);
    }
    if (tail) {
        const vfloat xt = vblend(mt, vmx, vload_mask(x + i, mt));
        const vfloat e = vblend(mt, vzero(), softmax_exp(xt, vmx, floor));
        vstore_mask(y + i, mt, e);
        vsum = vadd(vsum, e);
    }
    const float sum = vhsum(vsum);

    const vfloat vs = vset1(sum);
    for (i = 0; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(y + i, vdiv(vload(y + i), vs));
    if (tail)
        vstore_mask(y + i, mt, vdiv(vload_mask(y + i, mt), vs));
    return m + logf(sum);
}
