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

/* Checks the net's kind first (sn_net_check_kind): every pass through a
 * network starts here. */
int sn_activations_create(sn_activations *a, const sn_net *net, sn_error *err);
void sn_activations_free(sn_activations *a);

/* Where layer l's product W a + b goes: the activations a->act[l] of a
 * hidden layer (activated in place), the output's logits z into a->dcda[l]
 * (kept there for the cost, then overwritten by the delta; the head writes
 * the output's activations to a->act[l]). */
float *layer_product(const sn_net *net, sn_activations *a, size_t l);

/* A hidden layer's activation, in place on its product; nothing for the
 * output layer, whose activation is the head's (net_head). */
void layer_activate(const sn_kernels *k, const sn_net *net, size_t l,
                    sn_activations *a);

/* Layers 2..L from a->act[0] (the first layer's activations): products
 * and hidden activations, leaving the output's logits for net_head. */
void net_forward_upper(const sn_kernels *k, const sn_net *net,
                       sn_activations *a);

/* The head on the output's logits: its activations into a->act[L-1]; with
 * label not NULL, returns the sample's cost; with backward, leaves the
 * output's delta in a->dcda[L-1]. */
float net_head(const sn_kernels *k, const sn_net *net, const unsigned *label,
               int backward, sn_activations *a);

/* The whole network on one sample, head included: fills a->act. */
void net_forward(const sn_kernels *k, const sn_net *net, const uint8_t *x,
                 sn_activations *a);

/* Forward and backward on one sample, adding its gradient to grad (same
 * layout as net->params). Returns the sample's cost. */
float net_forward_backward(const sn_kernels *k, const sn_net *net,
                           const uint8_t *x, unsigned label, sn_activations *a,
                           float *grad);

#endif
