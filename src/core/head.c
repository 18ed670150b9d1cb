/* head.c - the output layer: its activation, the cost and the delta
 * (head.h gives the four cases). */
#include "head.h"

#include <math.h>

/* C = sum (a - y)^2 with y the one-hot of label, and dC/da = 2 (a - y):
 * the tutorial's arithmetic, in its order. */
static float l2_cost(size_t n, const float *a, unsigned label)
{
    float c = 0.0f;
    for (size_t i = 0; i < n; i++) {
        const float e = a[i] - (i == label ? 1.0f : 0.0f);
        c += e * e;
    }
    return c;
}

static float l2_cost_forward_backward(size_t n, const float *a,
                                      unsigned label, float *dcda)
{
    for (size_t i = 0; i < n; i++)
        dcda[i] = 2.0f * (a[i] - (i == label ? 1.0f : 0.0f));
    return l2_cost(n, a, label);
}

/* The binary cross-entropy of every output from its logit, in the form
 * that never takes the log of a saturated sigmoid:
 * max(z, 0) - z y + log1p(exp(-|z|)). */
static double binary_ce(size_t n, const float *z, unsigned label)
{
    double c = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float zy = i == label ? z[i] : 0.0f;
        c += (double)(fmaxf(z[i], 0.0f) - zy + log1pf(expf(-fabsf(z[i]))));
    }
    return c;
}

/* softmax + l2's delta through the softmax's Jacobian: g = 2 (p - y) into
 * delta, then delta_j = p_j (g_j - sum_k g_k p_k). */
static void softmax_l2_delta(const sn_kernels *k, size_t n, const float *p,
                             unsigned label, float *delta)
{
    k->delta_onehot(n, p, label, 2.0f, delta);
    float gp = 0.0f;
    for (size_t i = 0; i < n; i++)
        gp += delta[i] * p[i];
    for (size_t i = 0; i < n; i++)
        delta[i] = p[i] * (delta[i] - gp);
}

/* sigmoid output: one kernel call over the whole tile (as the tutorial's
 * path has always done), then each row's cost and delta. */
static double sigmoid_head(const sn_kernels *k, sn_loss loss, size_t m,
                           size_t n, const float *z, float *a,
                           const unsigned *labels, float *delta)
{
    k->sigmoid(m * n, z, a);
    if (!labels)
        return 0.0;
    double cost = 0.0;
    for (size_t r = 0; r < m; r++) {
        const float *zr = z + r * n, *ar = a + r * n;
        if (loss == SN_LOSS_CE) {
            cost += binary_ce(n, zr, labels[r]);
            if (delta)
                k->delta_onehot(n, ar, labels[r], 1.0f, delta + r * n);
        } else if (delta) {
            cost += l2_cost_forward_backward(n, ar, labels[r], delta + r * n);
        } else {
            cost += l2_cost(n, ar, labels[r]);
        }
    }
    if (delta && loss == SN_LOSS_L2)
        k->sigmoid_backward(m * n, delta, a, delta);
    return cost;
}

/* Rows of the softmax kernel per call: its log-sum-exps' room. */
enum { SOFTMAX_ROWS = 64 };

/* softmax + ce over rows [r0, r0 + rows): the cross-entropy from each
 * row's log-sum-exp, without a log of p; then delta = p - y, the rows at
 * once: delta_onehot over them all marking no element (p itself, bit for
 * bit), then each label's p - 1, as delta_onehot computes it (1 (p - 1)).
 * Row by row, the call's masked tail took most of its 11 ns a row of 10.
 * The costs come first: delta may be z. */
static double softmax_ce_rows(const sn_kernels *k, size_t r0, size_t rows,
                              size_t n, const float *z, const float *a,
                              const float *lse, const unsigned *labels,
                              float *delta)
{
    double cost = 0.0;
    for (size_t i = 0; i < rows; i++)
        cost += (double)lse[i] - (double)z[(r0 + i) * n + labels[r0 + i]];
    if (delta) {
        k->delta_onehot(rows * n, a + r0 * n, (unsigned)(rows * n), 1.0f,
                        delta + r0 * n);
        for (size_t r = r0; r < r0 + rows; r++)
            delta[r * n + labels[r]] = a[r * n + labels[r]] - 1.0f;
    }
    return cost;
}

/* softmax output: the kernel over up to SOFTMAX_ROWS rows at a time gives
 * each row's log-sum-exp; then the rows' costs and deltas. */
static double softmax_head(const sn_kernels *k, sn_loss loss, size_t m,
                           size_t n, const float *z, float *a,
                           const unsigned *labels, float *delta)
{
    double cost = 0.0;
    float lse[SOFTMAX_ROWS];
    for (size_t r0 = 0; r0 < m; r0 += SOFTMAX_ROWS) {
        const size_t rows = m - r0 < SOFTMAX_ROWS ? m - r0 : SOFTMAX_ROWS;
        k->softmax(rows, n, z + r0 * n, a + r0 * n, lse);
        if (!labels)
            continue;
        if (loss == SN_LOSS_CE) {
            cost += softmax_ce_rows(k, r0, rows, n, z, a, lse, labels, delta);
            continue;
        }
        for (size_t r = r0; r < r0 + rows; r++) {
            const float *ar = a + r * n;
            cost += l2_cost(n, ar, labels[r]);
            if (delta)
                softmax_l2_delta(k, n, ar, labels[r], delta + r * n);
        }
    }
    return cost;
}

double sn_head_run(const sn_kernels *k, const sn_net *net, size_t m, size_t n,
                   const float *z, float *a, const unsigned *labels,
                   float *delta)
{
    if (net->act[net->nlayers - 1] == SN_ACT_SOFTMAX)
        return softmax_head(k, net->loss, m, n, z, a, labels, delta);
    return sigmoid_head(k, net->loss, m, n, z, a, labels, delta);
}
