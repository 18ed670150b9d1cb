/* layers.c - one sample through the network, forward and backward. */
#include "layers.h"

#include <string.h>

#include "alloc.h"
#include "error.h"

int sn_activations_create(sn_activations *a, const sn_net *net, sn_error *err)
{
    memset(a, 0, sizeof *a);
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

void layer_forward(const sn_kernels *k, size_t n_out, size_t n_in,
                   const float *w, const float *b, const float *in, float *out)
{
    k->gemv(n_out, n_in, w, in, b, out);
    k->sigmoid(n_out, out, out);
}

void layer_forward_u8(const sn_kernels *k, size_t n_out, size_t n_in,
                      const float *w, const float *b, const uint8_t *in,
                      float *out)
{
    k->gemv_u8(n_out, n_in, w, in, SN_PIXEL_SCALE, b, out);
    k->sigmoid(n_out, out, out);
}

void layer_forward_sparse(const sn_kernels *k, size_t n_out, size_t nnz,
                          const uint32_t *idx, const float *val,
                          const float *wt, const float *b, float *out)
{
    k->gemv_sparse(n_out, nnz, idx, val, wt, b, out);
    k->sigmoid(n_out, out, out);
}

/* In blocks of 16 x 16: a block's 16 source and 16 destination rows (one
 * cache line of each) stay in L1 while it is copied, where a whole-row
 * walk wrote one line per element (the sparse engine transposes the upper
 * weights every batch: 5% of a 784-256-256-10 run before). */
void sn_transpose(size_t rows, size_t cols, const float *src, float *dst)
{
    enum { B = 16 };
    for (size_t r0 = 0; r0 < rows; r0 += B) {
        const size_t r1 = rows - r0 < B ? rows : r0 + B;
        for (size_t c0 = 0; c0 < cols; c0 += B) {
            const size_t c1 = cols - c0 < B ? cols : c0 + B;
            for (size_t r = r0; r < r1; r++)
                for (size_t c = c0; c < c1; c++)
                    dst[c * rows + r] = src[r * cols + c];
        }
    }
}

void layer_backward(const sn_kernels *k, size_t n_out, size_t n_in,
                    const float *w, const float *in, const float *out,
                    float *dcda_out, float *dw, float *db, float *dcda_in)
{
    float *delta = dcda_out;
    k->sigmoid_backward(n_out, dcda_out, out, delta);
    k->ger(n_out, n_in, delta, in, dw);
    k->vadd(n_out, delta, db);
    if (dcda_in)
        k->gemv_t(n_out, n_in, w, delta, dcda_in);
}

void layer_backward_u8(const sn_kernels *k, size_t n_out, size_t n_in,
                       const uint8_t *in, const float *out, float *dcda_out,
                       float *dw, float *db)
{
    float *delta = dcda_out;
    k->sigmoid_backward(n_out, dcda_out, out, delta);
    k->ger_u8(n_out, n_in, delta, in, SN_PIXEL_SCALE, dw);
    k->vadd(n_out, delta, db);
}

float l2_cost(size_t n, const float *a, unsigned label)
{
    float c = 0.0f;
    for (size_t i = 0; i < n; i++) {
        const float e = a[i] - (i == label ? 1.0f : 0.0f);
        c += e * e;
    }
    return c;
}

float l2_cost_forward_backward(size_t n, const float *a, unsigned label,
                               float *dcda)
{
    for (size_t i = 0; i < n; i++)
        dcda[i] = 2.0f * (a[i] - (i == label ? 1.0f : 0.0f));
    return l2_cost(n, a, label);
}

void net_forward_upper(const sn_kernels *k, const sn_net *net,
                       sn_activations *a)
{
    const float *p = net->params;
    for (size_t l = 1; l < net->nlayers; l++)
        layer_forward(k, net->sizes[l + 1], net->sizes[l], p + net->w_off[l],
                      p + net->b_off[l], a->act[l - 1], a->act[l]);
}

float net_backward_upper(const sn_kernels *k, const sn_net *net,
                         unsigned label, sn_activations *a, float *grad)
{
    const size_t L = net->nlayers;
    const float cost = l2_cost_forward_backward(net->sizes[L], a->act[L - 1],
                                                label, a->dcda[L - 1]);
    const float *p = net->params;
    for (size_t l = L - 1; l >= 1; l--)
        layer_backward(k, net->sizes[l + 1], net->sizes[l], p + net->w_off[l],
                       a->act[l - 1], a->act[l], a->dcda[l],
                       grad + net->w_off[l], grad + net->b_off[l],
                       a->dcda[l - 1]);
    return cost;
}

void net_forward(const sn_kernels *k, const sn_net *net, const uint8_t *x,
                 sn_activations *a)
{
    const float *p = net->params;
    layer_forward_u8(k, net->sizes[1], net->sizes[0], p + net->w_off[0],
                     p + net->b_off[0], x, a->act[0]);
    net_forward_upper(k, net, a);
}

float net_forward_backward(const sn_kernels *k, const sn_net *net,
                           const uint8_t *x, unsigned label, sn_activations *a,
                           float *grad)
{
    net_forward(k, net, x, a);
    const float cost = net_backward_upper(k, net, label, a, grad);
    layer_backward_u8(k, net->sizes[1], net->sizes[0], x, a->act[0],
                      a->dcda[0], grad + net->w_off[0], grad + net->b_off[0]);
    return cost;
}
