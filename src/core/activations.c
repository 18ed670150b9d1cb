/* activations.c - one sample forward with every layer's activations kept
 * (sn_predict_layers): the library's forward pass, for callers that draw
 * the whole network (the report's diagram) rather than only its output. */
#include <string.h>

#include "error.h"
#include "layers.h"
#include "registry.h"

int sn_predict_layers(const sn_net *net, const sn_kernels *k,
                      const uint8_t *pixels, float *acts, sn_error *err)
{
    if (!k && sn_kernels_select(NULL, &k, err) != 0)
        return -1;
    sn_activations a;
    if (sn_activations_create(&a, net, err) != 0)
        return -1;
    net_forward(k, net, pixels, &a);
    for (size_t l = 0; l < net->nlayers; l++) {
        memcpy(acts, a.act[l], net->sizes[l + 1] * sizeof(float));
        acts += net->sizes[l + 1];
    }
    sn_activations_free(&a);
    return 0;
}
