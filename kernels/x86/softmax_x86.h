/* softmax, x86: rows of up to SOFTMAX_LANE_COLS values (MNIST's 10
 * outputs) VEC_WIDTH at a time, a row per lane; the other rows one by one.
 *
 * A row per lane: the rows' values are copied column by column into a
 * block on the stack (column j of the rows is one vector), and then every
 * step is a vector operation with no horizontal one: the max over the
 * columns, e = exp(x' - m) with x' = max(x, sn_softmax_floor(m)), the sum
 * in column order (the oracle's), y = e / sum by the exact division, and
 * lse = m + logf(sum) lane by lane; then y is copied back. One row at a
 * time took 44.7 ns a row of 10 on Zen 3 (bench_kernels softmax/avx2/10,
 * AVX2): two vectors' exps of which 6 lanes were padding, a horizontal max
 * and sum, two divisions, one logf, all in one dependent chain.
 *
 * One row: three passes, each a vector at a time with a masked tail: the
 * max (tail lanes that do not exist keep the running max); e stored in y
 * and summed in lanes (tail lanes get x = m, so exp(0), and are then
 * zeroed out of the sum); y /= sum; lse = m + logf(sum).
 *
 * exp is exp_x86.h's (within 2 ulps of the true value, or flushed to 0
 * under FLT_MIN): within the tolerance of docs/kernels.md of the oracle,
 * not bit-identical, and a row's bits depend on which way it went (its
 * sum's order). y may equal x: a block of rows is read before it is
 * written. */
#include <math.h>

#include "x86/exp_x86.h"
#include "x86/transpose_8x8_x86.h"

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

static float softmax_row(size_t n, const float *x, float *y)
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

/* The widest row taken a row per lane: beyond two vectors one row at a
 * time no longer wastes most of its lanes. */
enum { SOFTMAX_LANE_COLS = 2 * VEC_WIDTH };

/* VEC_WIDTH rows of n at x into col, column j of them at col[j]: their
 * first 8 columns by 8 x 8 blocks in registers, the rest value by value.
 * (Value by value throughout, 16 rows of 10 took 355 ns, against 261 with
 * the blocks: bench_kernels softmax/avx2/16x10 on Zen 3.) */
static void softmax_columns_in(size_t n, const float *x,
                               float col[][VEC_WIDTH])
{
    size_t j = 0;
    if (n >= 8) {
        for (size_t r = 0; r < VEC_WIDTH; r += 8)
            transpose_8x8(x + r * n, n, &col[0][r], VEC_WIDTH);
        j = 8;
    }
    for (; j < n; j++)
        for (size_t r = 0; r < VEC_WIDTH; r++)
            col[j][r] = x[r * n + j];
}

/* softmax_columns_in's inverse: col back into the rows at y. */
static void softmax_columns_out(size_t n, float col[][VEC_WIDTH], float *y)
{
    size_t j = 0;
    if (n >= 8) {
        for (size_t r = 0; r < VEC_WIDTH; r += 8)
            transpose_8x8(&col[0][r], VEC_WIDTH, y + r * n, n);
        j = 8;
    }
    for (; j < n; j++)
        for (size_t r = 0; r < VEC_WIDTH; r++)
            y[r * n + j] = col[j][r];
}

/* VEC_WIDTH rows of n <= SOFTMAX_LANE_COLS at x, a row per lane. */
VEC_ASAN_REALIGNED_FRAME
static void softmax_lanes(size_t n, const float *x, float *y, float *lse)
{
    float col[SOFTMAX_LANE_COLS][VEC_WIDTH];
    if (n == 0) /* never (the caller's test): col[0] is written */
        __builtin_unreachable();
    softmax_columns_in(n, x, col);
    vfloat m = vload(col[0]);
    for (size_t j = 1; j < n; j++)
        m = vmax(m, vload(col[j]));
    /* sn_softmax_floor of each lane's max; m - 2^127 from max(m, 0), as
     * -FLT_MAX - 2^127 would raise overflow in the lanes not taking it. */
    const vfloat floor = vblend(vlt(vzero(), m), vset1(-0x1.fffffep127f),
                                vsub(vmax(m, vzero()), vset1(0x1p127f)));
    vfloat sum = vzero();
    for (size_t j = 0; j < n; j++) {
        const vfloat e = softmax_exp(vload(col[j]), m, floor);
        vstore(col[j], e);
        sum = vadd(sum, e);
    }
    for (size_t j = 0; j < n; j++)
        vstore(col[j], vdiv(vload(col[j]), sum));
    float ms[VEC_WIDTH], sums[VEC_WIDTH];
    vstore(ms, m);
    vstore(sums, sum);
    softmax_columns_out(n, col, y);
    for (size_t r = 0; r < VEC_WIDTH; r++)
        lse[r] = ms[r] + logf(sums[r]);
}

void SN_X86_FN(softmax)(size_t m, size_t n, const float *x, float *y,
                        float *lse)
{
    size_t r = 0;
    if (n == 0) /* the contract is n >= 1 */
        return;
    if (n <= SOFTMAX_LANE_COLS)
        for (; r + VEC_WIDTH <= m; r += VEC_WIDTH)
            softmax_lanes(n, x + r * n, y + r * n, lse + r);
    for (; r < m; r++)
        lse[r] = softmax_row(n, x + r * n, y + r * n);
}
