/* optimizer.h - what an optimizer needs besides its kernel: its settings'
 * checks, how many state arrays it keeps, and each batch's step
 * hyperparameters (schedule applied, Adam's bias corrections). */
#ifndef SN_OPTIMIZER_H
#define SN_OPTIMIZER_H

#include "kernels.h"
#include "simdnet.h"

/* The largest step count a run can reach: SN_MAX_EPOCHS epochs of
 * SN_MAX_SAMPLES batches (below 2^53, so s / S is exact in double). */
#define SN_MAX_STEP ((uint64_t)SN_MAX_EPOCHS * SN_MAX_SAMPLES)

/* The optimizer's and schedule's fields of cfg, as sn_trainer_create
 * documents: -1 with a message naming the field if one is out of range. */
int sn_optimizer_check(const sn_train_config *cfg, sn_error *err);

/* State arrays cfg's optimizer keeps (sn_trainer_state_count). */
size_t sn_optimizer_state_count(const sn_train_config *cfg);

/* Whether state array k of opt is a sum of squares (>= 0 in any run), and
 * its name in docs/training.md ("G", "buf", "sq", "m", "v"). */
int sn_optimizer_state_is_square(sn_optimizer opt, size_t k);
const char *sn_optimizer_state_name(sn_optimizer opt, size_t k);

/* The settings besides lr that opt's step reads (weight decay: all but
 * adagrad, which refuses it). */
enum {
    SN_USES_EPS = 1,
    SN_USES_MOMENTUM = 2,
    SN_USES_BETA1 = 4,
    SN_USES_BETA2 = 8,
};
unsigned sn_optimizer_uses(sn_optimizer opt);

/* Whether a parameter whose gradient is exactly 0 keeps its value and
 * state: adagrad, and sgd without weight decay. The sparse engine may
 * skip such parameters; every other optimizer must visit them. */
int sn_optimizer_skips_zero_gradients(const sn_train_config *cfg);

/* Whether a parameter whose gradient and whose every state value are +0
 * (all bits zero) keeps its value and its state, bit for bit: every
 * optimizer without weight decay (m = b1 0 + (1 - b1) 0 = +0, and
 * p - lr 0 / (0 + eps) = p; kernels.h). The sparse engine may skip the
 * first-layer rows of such parameters, pixels no sample has touched yet. */
int sn_optimizer_rests_at_zero(const sn_train_config *cfg);

/* The kernel's hyperparameters for the batch after `step` applied ones,
 * with the batch's learning rate lr (sn_schedule_lr). */
sn_step_hyper sn_optimizer_hyper(const sn_train_config *cfg, float lr,
                                 uint64_t step);

#endif
