/* trainer.h - the training state behind the opaque sn_trainer. */
#ifndef SN_TRAINER_H
#define SN_TRAINER_H

#include "engine.h"
#include "kernels.h"
#include "layers.h"
#include "pixel_lists.h"
#include "simdnet.h"
#include "trainer_access.h"

/* Per-worker values the driver reads after a barrier, a cache line apart:
 * a worker's summed cost and, in a rank's first worker's slot, whether
 * that rank's progress callback asked to stop (exchanged with the costs). */
typedef struct sn_thread_cost {
    double cost;
    int stop;
    char pad[64 - sizeof(double) - sizeof(int)];
} sn_thread_cost;

struct sn_trainer {
    sn_net *net;
    sn_train_config cfg;       /* cfg.kernels is always set */
    const sn_engine *engine;
    void *engine_state;
    int threads;
    /* The workers of the whole run (cfg.collective: ranks x threads; one
     * process: threads) and this process's first: its thread id is worker
     * worker0 + id. */
    int workers, worker0;
    /* Floats of each state array and gradient buffer: the engine's
     * layout of the parameters, net->nparams or more (engine.h, create). */
    size_t work_floats;
    size_t nstates;            /* the optimizer's state arrays (0 to 2): */
    float *state[SN_MAX_STATES]; /* per parameter, in the engine's layout */
    uint64_t step;             /* batches applied: the optimizer's count */
    uint64_t planned;          /* the run's batches (cosine's S) */
    sn_step_hyper hyper;       /* this batch's: set by thread 0 before its
                                  samples, read by every thread's update */
    size_t grad_stride;        /* floats between per-thread gradient buffers */
    float *grads;              /* workers x grad_stride, each line-aligned */
    sn_activations *acts;      /* one per thread */
    sn_thread_cost *costs;     /* one per worker */
    sn_first_layer first_layer; /* the engine's choice, never AUTO */
    sn_thread_split thread_split; /* the engine's choice, never AUTO */
    uint32_t *order;           /* this epoch's sample order when shuffling */
    size_t order_len;
    /* The labels last found below the output size (check_dataset), so that
     * a data set is scanned once, not every epoch. */
    const uint8_t *labels_checked;
    size_t labels_checked_count;
    /* Every sample's nonzero pixels, listed once for the data set last
     * given to sn_trainer_keep_pixel_lists (NULL: none kept). */
    sn_pixel_lists *lists;
};

#endif
