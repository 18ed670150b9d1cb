/*
 * upper_layers.c - the sparse engine's layers 2..L over a tile of samples
 * as small matrix products (gemm, gemm_tn), and where they skip the exact
 * zeros of ReLU layers (docs/engines.md, "ReLU's zeros").
 *
 * A ReLU hidden layer's activation is exactly 0 wherever its input was
 * not positive, and its delta is then exactly 0 too (relu_backward). Such
 * a zero adds nothing to the products it enters: the layer above's
 * forward product (a zero activation), and the layer's own weight gradient
 * and the errors it passes back (a zero delta). gemm_zskip and
 * gemm_tn_zskip leave those terms out and give the same values
 * (kernels.h). They pay only where zeros are many and the product wide:
 * the share of zeros is measured on each batch's first tile, per thread,
 * and the kernels are chosen for the tiles after it. The choice changes
 * no value, so it may differ between threads and runs.
 */
#include "upper_layers.h"

#include "hidden.h"

/* The rule, from CPU time (perf stat -e task-clock, 5 runs) of gemm_zskip
 * against gemm on A with random zeros, AVX2 on the 2-core Zen 3 (loaded):
 * at 16 x 100 x 100, 275 against 201 ms at 20% zeros, 235 against 236 at
 * 30%, 171 against 222 at 50%; at 16 x 32 x 32 slower at every share up to
 * 50% (204 against 164). gemm_tn_zskip was slower at every share measured
 * (100 wide, 50% zeros: 304 against 179 ms), so the weight gradient skips
 * only when asked to (relu_zeros = 1). */
#define SKIP_MIN_SHARE 0.4
#define SKIP_MIN_COLS 64

/* The share of exact zeros (either sign) in x[0..n). */
static double zero_share(size_t n, const float *x)
{
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++)
        zeros += x[i] == 0.0f;
    return n ? (double)zeros / (double)n : 0.0;
}

void sn_upper_products_update(const sn_kernels *k, const sn_net *net,
                              int mode, size_t m, float *const *act,
                              sn_upper_products *up)
{
    const size_t L = net->nlayers;
    const size_t *n = net->sizes;
    /* Whether each hidden layer's zeros are skipped where they enter:
     * always (mode 1), never (-1), or where the rule says it pays. */
    const size_t min_cols = mode > 0 ? 0 : SKIP_MIN_COLS;
    double zeros[SN_MAX_LAYERS] = {0};
    for (size_t l = 0; l + 1 < L; l++) {
        /* Counted only where a product is wide enough: the forward one
         * above (n[l+2] columns) or this layer's back one (n[l]). */
        const int wide = n[l + 2] > min_cols || (l >= 1 && n[l] > min_cols);
        if (net->act[l] != SN_ACT_RELU || mode < 0 || !wide)
            zeros[l] = 0.0;
        else
            zeros[l] = mode > 0 ? 1.0 : zero_share(m * n[l + 1], act[l]);
    }
    for (size_t l = 1; l < L; l++) {
        const int delta_zeros = l + 1 < L && zeros[l] >= SKIP_MIN_SHARE;
        up->forward[l] = zeros[l - 1] >= SKIP_MIN_SHARE && n[l + 1] > min_cols
                             ? k->gemm_zskip : k->gemm;
        up->gradient[l] = delta_zeros && mode > 0 ? k->gemm_tn_zskip : k->gemm_tn;
        up->back[l] = delta_zeros && n[l] > min_cols ? k->gemm_zskip : k->gemm;
    }
}

void sn_upper_forward(const sn_kernels *k, const sn_net *net,
                      const sn_upper_products *up, const sn_tile_layers *t)
{
    const size_t L = net->nlayers;
    const size_t *n = net->sizes;
    for (size_t l = 1; l < L; l++) {
        float *out = l + 1 == L ? t->delta[l] : t->act[l];
        up->forward[l](t->m, n[l + 1], n[l], t->act[l - 1], t->wt[l],
                       net->params + net->b_off[l], out);
        if (l + 1 < L)
            sn_hidden_ops_for(k, net->act[l]).forward(t->m * n[l + 1], out, out);
    }
}

void sn_upper_backward(const sn_kernels *k, const sn_net *net,
                       const sn_upper_products *up, const sn_tile_layers *t,
                       float *grad)
{
    const size_t *n = net->sizes;
    for (size_t l = net->nlayers - 1; l >= 1; l--) {
        float *d = t->delta[l];
        if (l + 1 < net->nlayers)
            sn_hidden_ops_for(k, net->act[l]).backward(t->m * n[l + 1], d,
                                                       t->act[l], d);
        up->gradient[l](t->m, n[l + 1], n[l], d, t->act[l - 1],
                        grad + net->w_off[l]);
        for (size_t r = 0; r < t->m; r++)
            k->vadd(n[l + 1], d + r * n[l + 1], grad + net->b_off[l]);
        up->back[l](t->m, n[l], n[l + 1], d, net->params + net->w_off[l],
                    NULL, t->delta[l - 1]);
    }
}
