/* activations.c - one sample forward: the output alone (sn_predict) or
 * with every layer's activations kept (sn_predict_layers), for callers that
 * draw the whole network (the report's diagram) rather than only its
 * output. */
#include <string.h>

#include "error.h"
#include "layers.h"
#include "registry.h"

/* Runs one sample forward and copies the activations of layers `first` to
 * the last into `acts`, one after the other. */
static int forward_from(const sn_net *net, const sn_kernels *k,
                        const uint8_t *pixels, size_t first, float *acts,
                        sn_error *err)
{
    if (!k && sn_kernels_select(NULL, &k, err) != 0)
        return -1;
    sn_activations a;
    if (sn_activations_create(&a, net, err) != 0)
        return -1;
    net_forward(k, net, pixels, &a);
    for (size_t l = first; l < net->nlayers; l++) {
        memcpy(acts, a.act[l], net->sizes[l + 1] * sizeof(float));
        acts += net->sizes[l + 1];
    }
    sn_activations_free(&a);
    return 0;
}

int sn_predict(const sn_net *net, const sn_kernels *k, const uint8_t *pixels,
               float *out, sn_error *err)
{
    return forward_from(net, k, pixels, net->nlayers - 1, out, err);
}

int sn_predict_layers(const sn_net *net, const sn_kernels *k,
                      const uint8_t *pixels, float *acts, sn_error *err)
{
    return forward_from(net, k, pixels, 0, acts, err);
}
