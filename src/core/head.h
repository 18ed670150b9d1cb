/*
 * head.h - the output layer's activation, the cost of a sample and its
 * delta, for each output/loss pair (docs/training.md, "The head"):
 *
 *   sigmoid + l2: a = sigmoid(z); C = sum (a-y)^2; delta = 2(a-y) a(1-a),
 *                 exactly the tutorial's kernels and order;
 *   sigmoid + ce: C = sum max(z,0) - z y + log1p(exp(-|z|)); delta = a - y;
 *   softmax + ce: p = softmax(z); C = lse - z[label]; delta = p - y;
 *   softmax + l2: C = sum (p-y)^2; delta_j = p_j (g_j - sum_k g_k p_k),
 *                 g = 2(p-y).
 *
 * The cross-entropies need the logits z, so the output layer's product is
 * kept apart from its activation until the cost is computed.
 */
#ifndef SN_HEAD_H
#define SN_HEAD_H

#include "kernels.h"
#include "simdnet.h"

/* m samples of n outputs, rows of n: a = the output activation of z. If
 * labels is not NULL the samples' costs are summed into the return value
 * (0 otherwise); if delta is not NULL it receives dC/dz. delta may equal
 * z (the engines keep z in the delta buffer); a must not. */
double sn_head_run(const sn_kernels *k, const sn_net *net, size_t m, size_t n,
                   const float *z, float *a, const unsigned *labels,
                   float *delta);

#endif
