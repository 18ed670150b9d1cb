/* hidden.h - a hidden layer's activation as its pair of kernels: the one
 * mapping from sn_activation to the kernel table. */
#ifndef SN_HIDDEN_H
#define SN_HIDDEN_H

#include "kernels.h"
#include "simdnet.h"

/* forward: y = f(x) elementwise (y may equal x); backward: delta = dC/da
 * times f'(z), written with the stored a (delta may equal dcda). The three
 * kernel types of each side share one signature. */
typedef struct sn_hidden_ops {
    sn_sigmoid_fn *forward;
    sn_sigmoid_backward_fn *backward;
} sn_hidden_ops;

/* act is sigmoid, relu or tanh (sn_net_check_kind has held it to that). */
static inline sn_hidden_ops sn_hidden_ops_for(const sn_kernels *k,
                                              sn_activation act)
{
    switch (act) {
    case SN_ACT_RELU:
        return (sn_hidden_ops){k->relu, k->relu_backward};
    case SN_ACT_TANH:
        return (sn_hidden_ops){k->tanh, k->tanh_backward};
    default:
        return (sn_hidden_ops){k->sigmoid, k->sigmoid_backward};
    }
}

#endif
