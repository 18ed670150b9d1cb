/* upper_layers.h - the sparse engine's layers 2..L over a tile of samples
 * as small matrix products, with the kernels that skip ReLU's zeros where
 * they pay (upper_layers.c; docs/engines.md, "ReLU's zeros"). Either
 * kernel of a product gives the same values. */
#ifndef SN_UPPER_LAYERS_H
#define SN_UPPER_LAYERS_H

#include "kernels.h"
#include "simdnet.h"

/* For weight layer l >= 1 (inputs a = act[l-1], deltas d of layer l):
 * forward: a W^T (wt[l] = W^T); gradient: dW += d^T a; back: dC/da = d W. */
typedef struct sn_upper_products {
    sn_gemm_fn *forward[SN_MAX_LAYERS];
    sn_gemm_tn_fn *gradient[SN_MAX_LAYERS];
    sn_gemm_fn *back[SN_MAX_LAYERS];
} sn_upper_products;

/* Chooses the kernels by sn_train_config.relu_zeros (mode): for 0 from
 * the share of zeros in the hidden activations act[0 .. L-2] of a tile of
 * m samples, the zero-skipping ones where the rule says they pay; for 1
 * every product a ReLU's zeros enter; for -1 none (act is read only for
 * 0). */
void sn_upper_products_update(const sn_kernels *k, const sn_net *net,
                              int mode, size_t m, float *const *act,
                              sn_upper_products *up);

/* A tile's act[l] / delta[l] ([m][sizes[l+1]] each) and wt[l] (W(l+1)^T,
 * l >= 1), one thread's. */
typedef struct sn_tile_layers {
    float *const *act, *const *delta, *const *wt;
    size_t m;
} sn_tile_layers;

/* Layers 2..L forward: act[l-1] W(l+1)^T + b into act[l], activated, for
 * a hidden layer, into delta[L-1] for the output's logits (the head's). */
void sn_upper_forward(const sn_kernels *k, const sn_net *net,
                      const sn_upper_products *up, const sn_tile_layers *t);

/* Layers L..2 backward from the output's delta in delta[L-1]: each
 * hidden layer's delta from its dC/da, dW += delta^T a_prev and db +=
 * delta into grad (params layout), dC/da_prev = delta W into delta[l-1]. */
void sn_upper_backward(const sn_kernels *k, const sn_net *net,
                       const sn_upper_products *up, const sn_tile_layers *t,
                       float *grad);

#endif
