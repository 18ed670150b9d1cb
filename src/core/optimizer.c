/*
 * optimizer.c - the optimizers' settings: torch's defaults, the checks,
 * the state each keeps, and the per-batch values its kernel steps with:
 * the schedule's learning rate and Adam's bias corrections, computed in
 * double and rounded once, as torch computes them in Python
 * (docs/training.md).
 */
#include <math.h>

#include "error.h"
#include "optimizer.h"

void sn_train_config_optimizer(sn_train_config *cfg, sn_optimizer opt)
{
    cfg->optimizer = opt;
    cfg->momentum = 0.0f;
    cfg->beta1 = 0.9f;
    cfg->beta2 = 0.999f;
    cfg->weight_decay = 0.0f;
    cfg->eps = 1e-8f;
    switch (opt) {
    case SN_OPT_MOMENTUM:
    case SN_OPT_NESTEROV:
        cfg->momentum = 0.9f;
        cfg->lr = 0.1f;
        break;
    case SN_OPT_RMSPROP:
        cfg->lr = 0.01f;
        cfg->beta2 = 0.99f;
        break;
    case SN_OPT_ADAMW:
        cfg->weight_decay = 0.01f;
        cfg->lr = 0.001f;
        break;
    case SN_OPT_ADAM:
        cfg->lr = 0.001f;
        break;
    default: /* adagrad, sgd */
        cfg->lr = 0.1f;
        break;
    }
}

/* Finite and at least lo (above lo if strict). */
static int in_range(float v, float lo, int strict)
{
    return isfinite(v) && (strict ? v > lo : v >= lo);
}

int sn_optimizer_check(const sn_train_config *cfg, sn_error *err)
{
    if ((unsigned)cfg->optimizer > SN_OPT_ADAMW)
        return sn_set_error(err, "unknown optimizer %d", (int)cfg->optimizer);
    if (!in_range(cfg->lr, 0.0f, 1))
        return sn_set_error(err, "learning rate must be a positive number, "
                                 "got %g", (double)cfg->lr);
    /* eps > 0 also keeps a never-touched parameter's AdaGrad step
     * 0 / sqrt(0 + eps) a plain 0, which the sparse engine relies on to
     * skip it, and Adam's and RMSprop's 0 / (0 + eps) too. */
    if (!in_range(cfg->eps, 0.0f, 1))
        return sn_set_error(err, "epsilon must be a positive number, got %g",
                            (double)cfg->eps);
    if (!in_range(cfg->momentum, 0.0f, 0))
        return sn_set_error(err, "momentum must be a number >= 0, got %g",
                            (double)cfg->momentum);
    if (!(cfg->beta1 >= 0.0f && cfg->beta1 < 1.0f))
        return sn_set_error(err, "beta1 must be in [0, 1), got %g",
                            (double)cfg->beta1);
    if (!(cfg->beta2 >= 0.0f && cfg->beta2 < 1.0f))
        return sn_set_error(err, "beta2 must be in [0, 1), got %g",
                            (double)cfg->beta2);
    if (!in_range(cfg->weight_decay, 0.0f, 0))
        return sn_set_error(err, "weight decay must be a number >= 0, got %g",
                            (double)cfg->weight_decay);
    if (cfg->optimizer == SN_OPT_ADAGRAD && cfg->weight_decay != 0.0f)
        return sn_set_error(err, "weight decay %g: adagrad takes none",
                            (double)cfg->weight_decay);
    if (cfg->optimizer == SN_OPT_NESTEROV && !(cfg->momentum > 0.0f))
        return sn_set_error(err, "nesterov needs a momentum > 0, got %g",
                            (double)cfg->momentum);
    if ((unsigned)cfg->schedule > SN_SCHEDULE_STEP)
        return sn_set_error(err, "unknown schedule %d", (int)cfg->schedule);
    if (cfg->step_epochs < 1 || cfg->step_epochs > SN_MAX_EPOCHS)
        return sn_set_error(err, "step_epochs must be 1 to %d, got %zu",
                            SN_MAX_EPOCHS, cfg->step_epochs);
    if (!in_range(cfg->gamma, 0.0f, 1))
        return sn_set_error(err, "gamma must be a positive number, got %g",
                            (double)cfg->gamma);
    if (cfg->epochs < 1 || cfg->epochs > SN_MAX_EPOCHS)
        return sn_set_error(err, "epochs must be 1 to %d, got %zu",
                            SN_MAX_EPOCHS, cfg->epochs);
    return 0;
}

size_t sn_optimizer_state_count(const sn_train_config *cfg)
{
    switch (cfg->optimizer) {
    case SN_OPT_SGD:
        return cfg->weight_decay != 0.0f; /* torch's momentum buffer */
    case SN_OPT_ADAM:
    case SN_OPT_ADAMW:
        return 2;
    default:
        return 1;
    }
}

int sn_optimizer_state_is_square(sn_optimizer opt, size_t k)
{
    return opt == SN_OPT_ADAGRAD || opt == SN_OPT_RMSPROP ||
           ((opt == SN_OPT_ADAM || opt == SN_OPT_ADAMW) && k == 1);
}

const char *sn_optimizer_state_name(sn_optimizer opt, size_t k)
{
    switch (opt) {
    case SN_OPT_ADAGRAD:
        return "G";
    case SN_OPT_RMSPROP:
        return "sq";
    case SN_OPT_ADAM:
    case SN_OPT_ADAMW:
        return k == 0 ? "m" : "v";
    default:
        return "buf";
    }
}

unsigned sn_optimizer_uses(sn_optimizer opt)
{
    switch (opt) {
    case SN_OPT_ADAGRAD:
        return SN_USES_EPS;
    case SN_OPT_MOMENTUM:
    case SN_OPT_NESTEROV:
        return SN_USES_MOMENTUM;
    case SN_OPT_RMSPROP:
        return SN_USES_EPS | SN_USES_BETA2;
    case SN_OPT_ADAM:
    case SN_OPT_ADAMW:
        return SN_USES_EPS | SN_USES_BETA1 | SN_USES_BETA2;
    default:
        return 0;
    }
}

int sn_optimizer_skips_zero_gradients(const sn_train_config *cfg)
{
    return cfg->optimizer == SN_OPT_ADAGRAD ||
           (cfg->optimizer == SN_OPT_SGD && cfg->weight_decay == 0.0f);
}

int sn_optimizer_rests_at_zero(const sn_train_config *cfg)
{
    return cfg->optimizer == SN_OPT_ADAGRAD || cfg->weight_decay == 0.0f;
}

/* math.pi, the same double. */
static const double pi = 3.141592653589793;

float sn_schedule_lr(const sn_train_config *cfg, uint64_t step,
                     uint64_t planned, size_t epoch)
{
    const double lr = cfg->lr;
    switch (cfg->schedule) {
    case SN_SCHEDULE_COSINE:
        if (planned == 0)
            return cfg->lr;
        return (float)(lr * 0.5 *
                       (1.0 + cos(pi * (double)step / (double)planned)));
    case SN_SCHEDULE_STEP:
        if (cfg->step_epochs == 0)
            return cfg->lr;
        return (float)(lr * pow((double)cfg->gamma,
                                (double)(epoch / cfg->step_epochs)));
    default:
        return cfg->lr;
    }
}

sn_step_hyper sn_optimizer_hyper(const sn_train_config *cfg, float lr,
                                 uint64_t step)
{
    const sn_optimizer opt = cfg->optimizer;
    sn_step_hyper h = {
        .lr = lr,
        .eps = cfg->eps,
        .beta1 = cfg->beta1,
        .beta2 = cfg->beta2,
        /* plain sgd is the momentum step with momentum 0 */
        .momentum = opt == SN_OPT_MOMENTUM || opt == SN_OPT_NESTEROV
                        ? cfg->momentum
                        : 0.0f,
        .weight_decay = opt == SN_OPT_ADAGRAD ? 0.0f : cfg->weight_decay,
        .nesterov = opt == SN_OPT_NESTEROV,
        .decoupled = opt == SN_OPT_ADAMW,
        .step_size = lr,
        .inv_bc2_sqrt = 1.0f,
    };
    if (opt == SN_OPT_ADAM || opt == SN_OPT_ADAMW) {
        /* torch: bias_correction1 = 1 - beta1 ** t; step_size = lr /
         * bias_correction1; bias_correction2_sqrt = sqrt(1 - beta2 ** t), by
         * whose reciprocal the step multiplies (kernels.h). */
        const double t = (double)step + 1.0;
        const double bc1 = 1.0 - pow((double)cfg->beta1, t);
        h.step_size = (float)((double)lr / bc1);
        h.inv_bc2_sqrt = (float)(1.0 / sqrt(1.0 - pow((double)cfg->beta2, t)));
    }
    return h;
}
