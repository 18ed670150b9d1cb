/* layers.c - one sample through the network, forward and backward. */
#include "layers.h"

#include <string.h>

#include "alloc.h"
#include "error.h"
#include "head.h"
#include "hidden.h"
#include "net_kind.h"

int sn_activations_create(sn_activations *a, const sn_net *net, sn_error *err)
{
    memset(a, 0, sizeof *a);
    if (sn_net_check_kind(net, err) != 0)
        return -1;
    size_t total = 0;
    for (size_t l = 0; l < net->nlayers; l++)
        total += 2 * sn_pad_floats(net->sizes[l + 1]);
    a->block = sn_alloc_array(total, sizeof(float));
    if (!a->block)
        return sn_set_error(err, "out of memory for activations");
    float *p = a->block;
    for (size_t l = 0; l < net->nlayers; l++) {
        a->act[l] = p;
        p += sn_pad_floats(net->sizes[l + 1]);
        a->dcda[l] = p;
        p += sn_pad_floats(net->sizes[l + 1]);
    }
    return 0;
}

void sn_activations_free(sn_activations *a)
{
    sn_free(a->block);
    memset(a, 0, sizeof *a);
}

float *layer_product(const sn_net *net, sn_activations *a, size_t l)
{
    return l + 1 == net->nlayers ? a->dcda[l] : a->act[l];
}

void layer_activate(const sn_kernels *k, const sn_net *net, size_t l,
                    sn_activations *a)
{
    if (l + 1 < net->nlayers)
        sn_hidden_ops_for(k, net->act[l]).forward(net->sizes[l + 1], a->act[l],
                                                  a->act[l]);
}

void net_forward_upper(const sn_kernels *k, const sn_net *net,
                       sn_activations *a)
{
    const float *p = net->params;
    for (size_t l = 1; l < net->nlayers; l++) {
        k->gemv(net->sizes[l + 1], net->sizes[l], p + net->w_off[l],
                a->act[l - 1], p + net->b_off[l], layer_product(net, a, l));
        layer_activate(k, net, l, a);
    }
}

float net_head(const sn_kernels *k, const sn_net *net, const unsigned *label,
               int backward, sn_activations *a)
{
    const size_t L = net->nlayers;
    return (float)sn_head_run(k, net, 1, net->sizes[L], a->dcda[L - 1],
                              a->act[L - 1], label,
                              backward ? a->dcda[L - 1] : NULL);
}

static void forward_to_logits(const sn_kernels *k, const sn_net *net,
                              const uint8_t *x, sn_activations *a)
{
    const float *p = net->params;
    k->gemv_u8(net->sizes[1], net->sizes[0], p + net->w_off[0], x,
               SN_PIXEL_SCALE, p + net->b_off[0], layer_product(net, a, 0));
    layer_activate(k, net, 0, a);
    net_forward_upper(k, net, a);
}

void net_forward(const sn_kernels *k, const sn_net *net, const uint8_t *x,
                 sn_activations *a)
{
    forward_to_logits(k, net, x, a);
    (void)net_head(k, net, NULL, 0, a);
}

float net_forward_backward(const sn_kernels *k, const sn_net *net,
                           const uint8_t *x, unsigned label, sn_activations *a,
                           float *grad)
{
    forward_to_logits(k, net, x, a);
    const float cost = net_head(k, net, &label, 1, a);
    const float *p = net->params;
    /* Layer l's delta is in a->dcda[l]: the head's for the output, a
     * hidden activation's backward of dC/da for the others. */
    for (size_t l = net->nlayers; l-- > 0;) {
        const size_t n_out = net->sizes[l + 1], n_in = net->sizes[l];
        float *delta = a->dcda[l];
        if (l + 1 < net->nlayers)
            sn_hidden_ops_for(k, net->act[l]).backward(n_out, delta, a->act[l],
                                                       delta);
        if (l == 0) {
            k->ger_u8(n_out, n_in, delta, x, SN_PIXEL_SCALE,
                      grad + net->w_off[0]);
        } else {
            k->ger(n_out, n_in, delta, a->act[l - 1], grad + net->w_off[l]);
        }
        k->vadd(n_out, delta, grad + net->b_off[l]);
        if (l > 0)
            k->gemv_t(n_out, n_in, p + net->w_off[l], delta, a->dcda[l - 1]);
    }
    return cost;
}
