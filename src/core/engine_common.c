/*
 * engine_common.c - what both engines do the same way: cutting work
 * between threads, the optimiser step on the per-thread gradients, and the
 * accumulators of parameters kept in net->params' layout.
 */
#include <string.h>

#include "alloc.h"
#include "engine.h"
#include "trainer.h"

void sn_thread_slice(size_t n, int id, int nt, size_t *lo, size_t *hi)
{
    const size_t per_line = SN_ALIGN / sizeof(float);
    const size_t lines = (n + per_line - 1) / per_line;
    const size_t a = lines * (size_t)id / (size_t)nt * per_line;
    const size_t b = lines * (size_t)(id + 1) / (size_t)nt * per_line;
    *lo = a < n ? a : n;
    *hi = b < n ? b : n;
}

void sn_reduce_and_step(sn_trainer *t, int nt, size_t off, size_t len,
                        float *params, float *accum, size_t batch_size)
{
    const sn_kernels *k = t->cfg.kernels;
    const float *bufs[SN_MAX_THREADS];
    for (int j = 0; j < nt; j++)
        bufs[j] = t->grads + (size_t)j * t->grad_stride + off;
    const float gscale = 1.0f / (float)batch_size;
    if (t->cfg.optimizer == SN_OPT_ADAGRAD)
        k->adagrad(len, params, accum, (size_t)nt, bufs, gscale, t->cfg.lr,
                   t->cfg.eps);
    else
        k->sgd(len, params, (size_t)nt, bufs, gscale, t->cfg.lr);
}

void sn_accum_export_plain(const sn_trainer *t, float *dst)
{
    memcpy(dst, t->accum, t->net->nparams * sizeof(float));
}

void sn_accum_import_plain(sn_trainer *t, const float *src)
{
    memcpy(t->accum, src, t->net->nparams * sizeof(float));
}
