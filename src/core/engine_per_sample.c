/*
 * engine_per_sample.c - the design's reference engine: every sample goes
 * forward and backward through the kernel table's dense per-sample kernels
 * (gemv, ger and their uint8 first-layer variants), adding its gradient to
 * the thread's full-size gradient buffer; the update reduces and steps a
 * slice of all parameters per thread.
 */
#include <string.h>

#include "engine.h"
#include "trainer.h"

static double per_sample_samples(sn_trainer *t, int id, const sn_dataset *ds,
                                 const uint32_t *order, size_t first,
                                 size_t n, size_t lo, size_t hi)
{
    (void)n;
    const sn_net *net = t->net;
    float *grad = t->grads + (size_t)(t->worker0 + id) * t->grad_stride;
    memset(grad, 0, net->nparams * sizeof(float));
    double cost = 0.0;
    for (size_t i = lo; i < hi; i++) {
        const size_t s = sn_batch_sample(order, first, i);
        cost += net_forward_backward(t->cfg.kernels, net,
                                     ds->pixels + s * ds->input_size,
                                     ds->labels[s], &t->acts[id], grad);
    }
    return cost;
}

static void per_sample_update(sn_trainer *t, int id, int nt, size_t n)
{
    size_t lo, hi;
    sn_thread_slice(t->net->nparams, id, nt, &lo, &hi);
    sn_reduce_and_step(t, nt, lo, hi - lo, t->net->params + lo, n);
}

static int per_sample_create(sn_trainer *t, sn_error *err)
{
    (void)t;
    (void)err;
    return 0;
}

static void per_sample_nothing(sn_trainer *t)
{
    (void)t;
}

const sn_engine sn_engine_per_sample = {
    .kind = SN_ENGINE_PER_SAMPLE,
    .create = per_sample_create,
    .destroy = per_sample_nothing,
    .begin = per_sample_nothing,
    .end = per_sample_nothing,
    .samples = per_sample_samples,
    .update = per_sample_update,
    .state_export = sn_state_export_plain,
    .state_import = sn_state_import_plain,
};
