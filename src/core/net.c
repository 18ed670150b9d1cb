/* net.c - a network's shape and its one flat parameter buffer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "simdnet.h"

int sn_net_shape(const size_t *sizes, size_t nsizes, size_t *w_off,
                 size_t *b_off, size_t *nparams, sn_error *err)
{
    if (nsizes < 2)
        return sn_set_error(err, "a network needs at least 2 layer sizes "
                                 "(input and output), got %zu", nsizes);
    if (nsizes > SN_MAX_LAYERS)
        return sn_set_error(err, "a network may have at most %d layer sizes, "
                                 "got %zu", SN_MAX_LAYERS, nsizes);
    for (size_t i = 0; i < nsizes; i++) {
        if (sizes[i] < 1 || sizes[i] > SN_MAX_WIDTH)
            return sn_set_error(err, "layer %zu has size %zu; each layer needs "
                                     "1 to %u neurons", i, sizes[i],
                                SN_MAX_WIDTH);
    }
    size_t total = 0;
    for (size_t l = 0; l + 1 < nsizes; l++) {
        /* Both factors are at most 2^20 and total stays below 2^28 + 2^40,
         * so nothing here can overflow. */
        w_off[l] = total;
        total += sizes[l + 1] * sizes[l];
        b_off[l] = total;
        total += sizes[l + 1];
        if (total > SN_MAX_PARAMS)
            return sn_set_error(err, "the network would have more than %zu "
                                     "parameters (%zu MiB); refusing",
                                (size_t)SN_MAX_PARAMS,
                                (size_t)SN_MAX_PARAMS * sizeof(float) >> 20);
    }
    *nparams = total;
    return 0;
}

int sn_net_create(sn_net *net, const size_t *sizes, size_t nsizes,
                  sn_error *err)
{
    memset(net, 0, sizeof *net);
    size_t total;
    if (sn_net_shape(sizes, nsizes, net->w_off, net->b_off, &total, err) != 0) {
        memset(net, 0, sizeof *net);
        return -1;
    }
    net->params = sn_alloc_array(total, sizeof(float));
    if (!net->params) {
        memset(net, 0, sizeof *net);
        return sn_set_error(err, "out of memory for %zu parameters", total);
    }
    net->nlayers = nsizes - 1;
    memcpy(net->sizes, sizes, nsizes * sizeof *sizes);
    net->nparams = total;
    return 0;
}

void sn_net_free(sn_net *net)
{
    sn_free(net->params);
    memset(net, 0, sizeof *net);
}

void sn_net_init_uniform(sn_net *net, uint64_t seed)
{
    /* One stream for the whole network, weights drawn layer by layer in
     * storage order (row-major), so any language can reproduce them. */
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    for (size_t l = 0; l < net->nlayers; l++) {
        float *w = net->params + net->w_off[l];
        const size_t nw = net->sizes[l + 1] * net->sizes[l];
        for (size_t i = 0; i < nw; i++)
            w[i] = sn_rng_uniform_pm1(&rng);
        memset(net->params + net->b_off[l], 0,
               net->sizes[l + 1] * sizeof(float));
    }
}

int sn_parse_layers(const char *text, size_t *sizes, size_t *nsizes,
                    sn_error *err)
{
    size_t n = 0;
    const char *p = text;
    for (;;) {
        if (n == SN_MAX_LAYERS)
            return sn_set_error(err, "layers '%s': more than %d sizes", text,
                                SN_MAX_LAYERS);
        char *end;
        errno = 0;
        if (*p < '0' || *p > '9')
            return sn_set_error(err, "layers '%s': item %zu is not a positive "
                                     "integer", text, n + 1);
        unsigned long long v = strtoull(p, &end, 10);
        if (errno == ERANGE || v < 1 || v > SN_MAX_WIDTH)
            return sn_set_error(err, "layers '%s': item %zu must be 1 to %u",
                                text, n + 1, SN_MAX_WIDTH);
        sizes[n++] = (size_t)v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return sn_set_error(err, "layers '%s': expected ',' after item %zu",
                                text, n);
        p = end + 1;
    }
    if (n < 2)
        return sn_set_error(err, "layers '%s': need at least 2 sizes (input "
                                 "and output)", text);
    *nsizes = n;
    return 0;
}

void sn_format_layers(const sn_net *net, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i <= net->nlayers && used < len; i++) {
        int k = snprintf(buf + used, len - used, "%s%zu", i ? "-" : "",
                         net->sizes[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}
