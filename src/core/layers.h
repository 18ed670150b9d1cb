/*
 * layers.h - one sample through the network, forward and backward, on a
 * kernel table. The first layer reads uint8 pixels (scaled by 1/255 inside
 * the kernels); every other layer reads the previous layer's activations.
 */
#ifndef SN_LAYERS_H
#define SN_LAYERS_H

#include "kernels.h"
#include "simdnet.h"

/* Pixels are scaled by this, as the tutorial divides them by 255. */
#define SN_PIXEL_SCALE (1.0f / 255.0f)

/* Per-thread scratch for one sample: act[l] and dcda[l] hold layer l+1's
 * activations and dC/da (l = 0 .. nlayers-1), each cache-line aligned. */
typedef struct sn_activations {
    float *act[SN_MAX_LAYERS];
    float *dcda[SN_MAX_LAYERS];
    float *block; /* the one allocation behind act and dcda */
} sn_activations;

int sn_activations_create(sn_activations *a, const sn_net *net, sn_error *err);
void sn_activations_free(sn_activations *a);

/* out = sigmoid(W in + b) for one layer. */
void layer_forward(const sn_kernels *k, size_t n_out, size_t n_in,
                   const float *w, const float *b, const float *in, float *out);
void layer_forward_u8(const sn_kernels *k, size_t n_out, size_t n_in,
                      const float *w, const float *b, const uint8_t *in,
                      float *out);

/* out = sigmoid(W x + b) for a sparse input x (nnz indices and values, from
 * nonzero_u8) with W given transposed, wt [n_in][n_out]. */
void layer_forward_sparse(const sn_kernels *k, size_t n_out, size_t nnz,
                          const uint32_t *idx, const float *val,
                          const float *wt, const float *b, float *out);

/* dst [cols][rows] = src [rows][cols] transposed. */
void sn_transpose(size_t rows, size_t cols, const float *src, float *dst);

/* Given dC/da of this layer's outputs (overwritten with delta), adds
 * delta in^T to dW and delta to db, and, if dcda_in is not NULL, writes
 * dC/da of the inputs, W^T delta. */
void layer_backward(const sn_kernels *k, size_t n_out, size_t n_in,
                    const float *w, const float *in, const float *out,
                    float *dcda_out, float *dw, float *db, float *dcda_in);
void layer_backward_u8(const sn_kernels *k, size_t n_out, size_t n_in,
                       const uint8_t *in, const float *out, float *dcda_out,
                       float *dw, float *db);

/* Cost of one sample, C = sum (a - y)^2 with y the one-hot of label, and
 * its gradient dC/da = 2 (a - y) into dcda. */
float l2_cost_forward_backward(size_t n, const float *a, unsigned label,
                               float *dcda);
float l2_cost(size_t n, const float *a, unsigned label);

/* The whole network on one sample: fills a->act. */
void net_forward(const sn_kernels *k, const sn_net *net, const uint8_t *x,
                 sn_activations *a);
/* Layers 2..L forward from a->act[0] (the first layer's output). */
void net_forward_upper(const sn_kernels *k, const sn_net *net,
                       sn_activations *a);
/* The cost of the forward pass in a, and backward through layers L..2,
 * adding their gradients to grad and leaving dC/da of the first layer's
 * outputs in a->dcda[0]. Returns the sample's cost. */
float net_backward_upper(const sn_kernels *k, const sn_net *net,
                         unsigned label, sn_activations *a, float *grad);
/* Forward and backward on one sample, adding its gradient to grad (same
 * layout as net->params). Returns the sample's cost. */
float net_forward_backward(const sn_kernels *k, const sn_net *net,
                           const uint8_t *x, unsigned label, sn_activations *a,
                           float *grad);

#endif
