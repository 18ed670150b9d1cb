/* net.c - a network's shape and its one flat parameter buffer. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "net_kind.h"
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

static int hidden_ok(sn_activation a)
{
    return a == SN_ACT_SIGMOID || a == SN_ACT_RELU || a == SN_ACT_TANH;
}

static int output_ok(sn_activation a)
{
    return a == SN_ACT_SIGMOID || a == SN_ACT_SOFTMAX;
}

/* "relu", or "code 7" for a value no name has. */
static const char *act_text(sn_activation a, char *buf, size_t len)
{
    if ((unsigned)a <= SN_ACT_SOFTMAX)
        return sn_activation_name(a);
    snprintf(buf, len, "code %u", (unsigned)a);
    return buf;
}

int sn_net_check_kind(const sn_net *net, sn_error *err)
{
    char code[32];
    const size_t L = net->nlayers;
    for (size_t l = 0; l + 1 < L; l++) {
        if (!hidden_ok(net->act[l]))
            return sn_set_error(err, "layer %zu (hidden) has activation %s; "
                                     "a hidden layer takes sigmoid, relu or "
                                     "tanh", l + 1,
                                act_text(net->act[l], code, sizeof code));
    }
    if (L >= 1 && !output_ok(net->act[L - 1]))
        return sn_set_error(err, "layer %zu (the output) has activation %s; "
                                 "the output takes sigmoid or softmax", L,
                            act_text(net->act[L - 1], code, sizeof code));
    if (net->loss != SN_LOSS_L2 && net->loss != SN_LOSS_CE)
        return sn_set_error(err, "unknown loss code %u (expected l2 or ce)",
                            (unsigned)net->loss);
    return 0;
}

int sn_net_is_tutorial(const sn_net *net)
{
    for (size_t l = 0; l < net->nlayers; l++)
        if (net->act[l] != SN_ACT_SIGMOID)
            return 0;
    return net->loss == SN_LOSS_L2;
}

int sn_net_set_kind(sn_net *net, const sn_activation *hidden, size_t nhidden,
                    sn_activation output, sn_loss loss, sn_error *err)
{
    const size_t nh = net->nlayers >= 1 ? net->nlayers - 1 : 0;
    if (nhidden != 1 && nhidden != nh)
        return sn_set_error(err, "%zu hidden activations for a network with "
                                 "%zu hidden layers (give 1 for all, or %zu)",
                            nhidden, nh, nh);
    sn_net kind = *net;
    for (size_t l = 0; l < nh; l++)
        kind.act[l] = hidden[nhidden == 1 ? 0 : l];
    if (net->nlayers >= 1)
        kind.act[net->nlayers - 1] = output;
    kind.loss = loss;
    if (sn_net_check_kind(&kind, err) != 0)
        return -1;
    memcpy(net->act, kind.act, sizeof net->act);
    net->loss = loss;
    return 0;
}

/* A standard normal from two draws, as simdnet.h documents it. Written
 * with products only (no a * b + c), so that no compiler can fuse a step
 * into an FMA and move the bits away from tools/reference.py's. */
static double rng_normal(sn_rng *rng)
{
    const double u1 = (double)((sn_rng_u32(rng) >> 8) + 1) * 0x1p-24;
    const double u2 = (double)(sn_rng_u32(rng) >> 8) * 0x1p-24;
    const double two_pi = 2.0 * 3.14159265358979323846;
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}

int sn_net_init(sn_net *net, sn_init init, uint64_t seed)
{
    if (init == SN_INIT_UNIFORM) {
        sn_net_init_uniform(net, seed);
        return 0;
    }
    if (init != SN_INIT_HE && init != SN_INIT_XAVIER)
        return -1;
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    for (size_t l = 0; l < net->nlayers; l++) {
        const double fan_in = (double)net->sizes[l];
        const double fan_out = (double)net->sizes[l + 1];
        float *w = net->params + net->w_off[l];
        const size_t nw = net->sizes[l + 1] * net->sizes[l];
        if (init == SN_INIT_HE) {
            const double std = sqrt(2.0 / fan_in);
            for (size_t i = 0; i < nw; i++)
                w[i] = (float)(rng_normal(&rng) * std);
        } else {
            const double a = sqrt(6.0 / (fan_in + fan_out));
            for (size_t i = 0; i < nw; i++)
                w[i] = (float)(a * (double)sn_rng_uniform_pm1(&rng));
        }
        memset(net->params + net->b_off[l], 0,
               net->sizes[l + 1] * sizeof(float));
    }
    return 0;
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
