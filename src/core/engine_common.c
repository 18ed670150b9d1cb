/*
 * engine_common.c - what both engines do the same way: cutting work
 * between threads, the optimiser step on the per-thread gradients, and the
 * optimizer's state kept in net->params' layout.
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

/* sn_reduce_and_step on the nt buffers from buffer j0. */
static void reduce_and_step(sn_trainer *t, int j0, int nt, size_t off,
                            size_t len, float *params, size_t batch_size)
{
    const sn_kernels *k = t->cfg.kernels;
    const float *bufs[SN_MAX_THREADS];
    for (int j = 0; j < nt; j++)
        bufs[j] = t->grads + (size_t)(j0 + j) * t->grad_stride + off;
    const float gscale = 1.0f / (float)batch_size;
    const size_t nb = (size_t)nt;
    const sn_step_hyper *h = &t->hyper;
    float *s0 = t->nstates > 0 ? t->state[0] + off : NULL;
    float *s1 = t->nstates > 1 ? t->state[1] + off : NULL;
    switch (t->cfg.optimizer) {
    case SN_OPT_ADAGRAD:
        k->adagrad(len, params, s0, nb, bufs, gscale, h->lr, h->eps);
        break;
    case SN_OPT_SGD:
        /* With weight decay, torch's arithmetic: the momentum step with
         * momentum 0 (h->momentum is 0 for sgd). */
        if (s0)
            k->momentum(len, params, s0, nb, bufs, gscale, h);
        else
            k->sgd(len, params, nb, bufs, gscale, h->lr);
        break;
    case SN_OPT_MOMENTUM:
    case SN_OPT_NESTEROV:
        k->momentum(len, params, s0, nb, bufs, gscale, h);
        break;
    case SN_OPT_RMSPROP:
        k->rmsprop(len, params, s0, nb, bufs, gscale, h);
        break;
    case SN_OPT_ADAM:
    case SN_OPT_ADAMW:
        k->adam(len, params, s0, s1, nb, bufs, gscale, h);
        break;
    }
}

void sn_reduce_and_step(sn_trainer *t, int nt, size_t off, size_t len,
                        float *params, size_t batch_size)
{
    reduce_and_step(t, 0, nt, off, len, params, batch_size);
}

/* Floats stepped, then cleared, at a time: the pieces of every buffer,
 * its weights and state (5 arrays at 2 threads for AdaGrad, 40 KiB) stay
 * in L1 and L2 between the two. */
#define STEP_PIECE 2048

void sn_reduce_step_and_clear_some(sn_trainer *t, int j0, int nb, size_t off,
                                   size_t len, float *params,
                                   size_t batch_size)
{
    for (size_t at = 0; at < len; at += STEP_PIECE) {
        const size_t piece = len - at < STEP_PIECE ? len - at : STEP_PIECE;
        reduce_and_step(t, j0, nb, off + at, piece, params + at, batch_size);
        for (int j = j0; j < j0 + nb; j++)
            memset(t->grads + (size_t)j * t->grad_stride + off + at, 0,
                   piece * sizeof(float));
    }
}

void sn_reduce_step_and_clear(sn_trainer *t, int nt, size_t off, size_t len,
                              float *params, size_t batch_size)
{
    sn_reduce_step_and_clear_some(t, 0, nt, off, len, params, batch_size);
}

void sn_state_export_plain(const sn_trainer *t, size_t k, float *dst)
{
    memcpy(dst, t->state[k], t->net->nparams * sizeof(float));
}

void sn_state_import_plain(sn_trainer *t, size_t k, const float *src)
{
    memcpy(t->state[k], src, t->net->nparams * sizeof(float));
}
