/*
 * engine.h - how a batch is computed, and what the engines share
 * (engine_common.c). The driver in train.c owns batches,
 * threads, barriers and costs; an engine owns the arithmetic of one batch in
 * two phases, each run by every thread on its own share:
 *
 *   samples: forward and backward over the thread's slice of the batch,
 *            gradients into the thread's own buffers; returns the summed cost.
 *   update:  after a barrier, the thread's share of the parameters: sum the
 *            per-thread gradients in thread order, apply the optimiser, and
 *            leave the buffers ready for the next batch.
 *
 * Every floating-point sum has an order fixed by the thread count alone, so
 * runs are bit-identical for a fixed seed, thread count and kernel set.
 */
#ifndef SN_ENGINE_H
#define SN_ENGINE_H

#include "simdnet.h"

typedef struct sn_engine {
    sn_engine_kind kind; /* its name is sn_engine_name(kind) */
    /* The engine's state; it may set t->work_floats above net->nparams
     * (padding of its own), before the trainer allocates the optimizer's
     * state and the gradient buffers in that layout. */
    int (*create)(sn_trainer *t, sn_error *err);
    void (*destroy)(sn_trainer *t);
    void (*begin)(sn_trainer *t);  /* net->params into the working layout */
    void (*end)(sn_trainer *t);    /* and back, at the end of a call */
    /* The batch is samples [0, n) from first; the thread's slice [lo, hi).
     * An engine may take its own share of every sample's work too, with
     * barriers of its own between phases, which every thread then meets
     * (the sparse engine's columns split). */
    double (*samples)(sn_trainer *t, int id, const sn_dataset *ds,
                      const uint32_t *order, size_t first, size_t n,
                      size_t lo, size_t hi);
    /* Share id of nt (the run's workers, t->workers): sums all nt
     * workers' buffers. With a collective one thread steps several shares. */
    void (*update)(sn_trainer *t, int id, int nt, size_t batch_size);
    /* NULL, or the engine's per-worker state that update reads for every
     * worker besides the gradients: t->workers slots of *bytes bytes, slot
     * g worker g's, exchanged between ranks like the gradient buffers. */
    void *(*worker_slots)(sn_trainer *t, size_t *bytes);
    /* t->state[k] out to, and in from, net->params' layout (net->nparams
     * floats): an engine may keep the optimizer's state in a layout of its
     * own (k < t->nstates). */
    void (*state_export)(const sn_trainer *t, size_t k, float *dst);
    void (*state_import)(sn_trainer *t, size_t k, const float *src);
} sn_engine;

extern const sn_engine sn_engine_per_sample;
extern const sn_engine sn_engine_sparse;

/* The sample at position i of a batch starting at `first`: through the
 * shuffled order if there is one. */
static inline size_t sn_batch_sample(const uint32_t *order, size_t first,
                                     size_t i)
{
    return order ? order[first + i] : first + i;
}

/* The part [lo, hi) of n items that thread id of nt handles, cut on cache
 * lines of floats so that no two threads write the same line. */
void sn_thread_slice(size_t n, int id, int nt, size_t *lo, size_t *hi);

/* Applies the configured optimiser with this batch's t->hyper to the len
 * parameters at params (with the optimizer's state at [off, off + len) of
 * each t->state[k]), on the sum in thread order of the per-thread
 * gradients at [off, off + len) of the gradient buffers, which it only
 * reads. */
void sn_reduce_and_step(sn_trainer *t, int nt, size_t off, size_t len,
                        float *params, size_t batch_size);

/* sn_reduce_and_step, and then the buffers' gradients at [off, off + len)
 * zeroed, piece by piece while the step has them in cache: the sparse
 * engine's update, which so leaves every gradient it stepped at zero for
 * the next batch. (A thread clearing its own buffer at its next batch
 * found the rows gone from its caches: at 784-1024-10 on two threads the
 * clearing took 10% of the time, against 2% on one.) */
void sn_reduce_step_and_clear(sn_trainer *t, int nt, size_t off, size_t len,
                              float *params, size_t batch_size);
/* The same on the nb buffers from buffer j0 only (the others hold no
 * gradient there: the sparse engine's columns split, whose first-layer
 * gradient is its owner's alone). */
void sn_reduce_step_and_clear_some(sn_trainer *t, int j0, int nb, size_t off,
                                   size_t len, float *params,
                                   size_t batch_size);

/* state_export and state_import for an engine that keeps t->state in
 * net->params' layout: a copy. */
void sn_state_export_plain(const sn_trainer *t, size_t k, float *dst);
void sn_state_import_plain(sn_trainer *t, size_t k, const float *src);

#endif
