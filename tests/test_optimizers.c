/* test_optimizers.c - every optimizer and schedule against a hand
 * computation: a 3-2-2 sigmoid network with the summed L2 cost trained on
 * four samples in batches of two, for two epochs, is computed here in
 * double from the formulas of docs/training.md and compared with what the
 * trainer ends with. Also: torch's defaults, the checks of every setting,
 * the schedules' learning rates at chosen batches, determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdnet.h"

enum { IN = 3, HID = 2, OUT = 2, COUNT = 4, BATCH = 2, EPOCHS = 2 };
enum { NP = HID * IN + HID + OUT * HID + OUT };

/* Pixel 1 is zero in the first batch and pixel 2 in the second: the
 * sparse engine sees first-layer rows with a zero gradient, which move
 * anyway under momentum, moments and weight decay. */
static uint8_t pixels[COUNT * IN] = {200, 0, 50, 30, 0, 0,
                                     0, 255, 0, 100, 60, 0};
static uint8_t labels[COUNT] = {0, 1, 1, 0};

static sn_dataset dataset(void)
{
    sn_dataset ds = {.count = COUNT, .rows = 1, .cols = IN,
                     .input_size = IN, .pixels = pixels, .labels = labels};
    return ds;
}

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* The batch gradient of the mean cost over samples [first, first + n),
 * parameters in simdnet's layout: W1 [HID][IN], b1, W2 [OUT][HID], b2. */
static void gradient(const double *p, size_t first, size_t n, double *g)
{
    const double *W1 = p, *b1 = p + HID * IN, *W2 = b1 + HID, *b2 = W2 + OUT * HID;
    memset(g, 0, NP * sizeof *g);
    double *gW1 = g, *gb1 = g + HID * IN, *gW2 = gb1 + HID, *gb2 = gW2 + OUT * HID;
    for (size_t s = first; s < first + n; s++) {
        double x[IN], h[HID], o[OUT], dout[OUT], dh[HID];
        for (int i = 0; i < IN; i++)
            x[i] = (float)pixels[s * IN + i] * (1.0f / 255.0f);
        for (int j = 0; j < HID; j++) {
            double z = b1[j];
            for (int i = 0; i < IN; i++)
                z += W1[j * IN + i] * x[i];
            h[j] = sigmoid(z);
        }
        for (int k = 0; k < OUT; k++) {
            double z = b2[k];
            for (int j = 0; j < HID; j++)
                z += W2[k * HID + j] * h[j];
            o[k] = sigmoid(z);
            const double y = labels[s] == k;
            dout[k] = 2.0 * (o[k] - y) * o[k] * (1.0 - o[k]);
        }
        for (int j = 0; j < HID; j++) {
            double d = 0.0;
            for (int k = 0; k < OUT; k++)
                d += W2[k * HID + j] * dout[k];
            dh[j] = d * h[j] * (1.0 - h[j]);
        }
        for (int k = 0; k < OUT; k++) {
            gb2[k] += dout[k];
            for (int j = 0; j < HID; j++)
                gW2[k * HID + j] += dout[k] * h[j];
        }
        for (int j = 0; j < HID; j++) {
            gb1[j] += dh[j];
            for (int i = 0; i < IN; i++)
                gW1[j * IN + i] += dh[j] * x[i];
        }
    }
    for (int i = 0; i < NP; i++)
        g[i] /= (double)n;
}

/* The batch's learning rate: docs/training.md's closed forms. */
static double hand_lr(const sn_train_config *c, size_t s, size_t S, size_t e)
{
    const double lr = c->lr;
    if (c->schedule == SN_SCHEDULE_COSINE)
        return lr * 0.5 * (1.0 + cos(M_PI * (double)s / (double)S));
    if (c->schedule == SN_SCHEDULE_STEP)
        return lr * pow(c->gamma, (double)(e / c->step_epochs));
    return lr;
}

/* One step of the optimizer on parameter p with gradient g, state a and
 * b, at step t (from 1), every formula of docs/training.md's table. */
static void hand_step(const sn_train_config *c, double lr, double t,
                      double *p, double g, double *a, double *b)
{
    const double wd = c->weight_decay, mu = c->momentum, eps = c->eps;
    const double b1 = c->beta1, b2 = c->beta2;
    switch (c->optimizer) {
    case SN_OPT_ADAGRAD:
        *a += g * g;
        *p -= lr * g / sqrt(*a + eps);
        return;
    case SN_OPT_SGD:
        *p -= lr * (g + wd * *p);
        return;
    case SN_OPT_MOMENTUM:
    case SN_OPT_NESTEROV:
        g += wd * *p;
        *a = mu * *a + g;
        *p -= lr * (c->optimizer == SN_OPT_NESTEROV ? g + mu * *a : *a);
        return;
    case SN_OPT_RMSPROP:
        g += wd * *p;
        *a = b2 * *a + (1.0 - b2) * g * g;
        *p -= lr * g / (sqrt(*a) + eps);
        return;
    case SN_OPT_ADAM:
    case SN_OPT_ADAMW:
        if (c->optimizer == SN_OPT_ADAMW)
            *p *= 1.0 - lr * wd;
        else
            g += wd * *p;
        *a = b1 * *a + (1.0 - b1) * g;
        *b = b2 * *b + (1.0 - b2) * g * g;
        *p -= lr / (1.0 - pow(b1, t)) * *a / (sqrt(*b) / sqrt(1.0 - pow(b2, t)) + eps);
        return;
    }
}

/* The whole run by hand from the starting parameters p0. */
static void hand_run(const sn_train_config *c, const float *p0, double *p)
{
    double a[NP] = {0}, b[NP] = {0}, g[NP];
    for (int i = 0; i < NP; i++)
        p[i] = p0[i];
    const size_t per_epoch = COUNT / BATCH, S = EPOCHS * per_epoch;
    size_t s = 0;
    for (size_t e = 0; e < EPOCHS; e++)
        for (size_t first = 0; first < COUNT; first += BATCH, s++) {
            gradient(p, first, BATCH, g);
            const double lr = hand_lr(c, s, S, e);
            for (int i = 0; i < NP; i++)
                hand_step(c, lr, (double)(s + 1), &p[i], g[i], &a[i], &b[i]);
        }
}

static void start_net(sn_net *net)
{
    const size_t sizes[] = {IN, HID, OUT};
    cr_assert_eq(sn_net_create(net, sizes, 3, NULL), 0);
    cr_assert_eq(net->nparams, (size_t)NP);
    sn_net_init_uniform(net, 3);
}

/* Trains the run with cfg; the final parameters into p. */
static void simdnet_run(sn_train_config cfg, float *p)
{
    sn_error err;
    sn_net net;
    start_net(&net);
    sn_dataset ds = dataset();
    cfg.batch = BATCH;
    cfg.epochs = EPOCHS;
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s", err.msg);
    for (size_t e = 0; e < EPOCHS; e++)
        cr_assert_eq(sn_train_epoch(t, &ds, e, NULL, NULL, &err), 0, "%s",
                     err.msg);
    cr_expect_eq(sn_trainer_step(t), (uint64_t)EPOCHS * COUNT / BATCH);
    memcpy(p, net.params, NP * sizeof(float));
    sn_trainer_free(t);
    sn_net_free(&net);
}

/* Float32 against double over four steps of a network whose parameters
 * are below 2: the measured largest difference is about 3e-7 (Adam and
 * RMSprop, whose division by sqrt(v) magnifies the rounding of small
 * gradients; measured 2.7e-7 with TOL=0); the tolerance is ten times that,
 * and every run must move some parameter by 1e-3 or more, 300 times it. */
#ifndef TOL
#define TOL 3e-6
#endif

static void check_against_hand(sn_train_config cfg, const char *what)
{
    float p0[NP];
    sn_net net;
    start_net(&net);
    memcpy(p0, net.params, sizeof p0);
    sn_net_free(&net);
    double want[NP];
    hand_run(&cfg, p0, want);
    for (int engine = 0; engine <= 1; engine++)
        for (int threads = 1; threads <= 2; threads++) {
            cfg.engine = (sn_engine_kind)engine;
            cfg.threads = threads;
            float got[NP];
            simdnet_run(cfg, got);
            double worst = 0.0, moved = 0.0;
            for (int i = 0; i < NP; i++) {
                worst = fmax(worst, fabs(got[i] - want[i]));
                moved = fmax(moved, fabs(want[i] - p0[i]));
            }
            cr_expect_leq(worst, TOL, "%s, %s engine, %d threads: %g from "
                          "the hand computation", what,
                          sn_engine_name(cfg.engine), threads, worst);
            /* The run moved the parameters far more than the tolerance. */
            cr_expect_geq(moved, 1e-3, "%s: moved only %g", what, moved);
        }
}

static sn_train_config with(sn_optimizer opt)
{
    sn_train_config cfg = sn_train_config_default();
    sn_train_config_optimizer(&cfg, opt);
    /* Rates large enough that four steps move every optimizer well past
     * the tolerance. */
    if (opt == SN_OPT_ADAM || opt == SN_OPT_ADAMW)
        cfg.lr = 0.05f;
    if (opt == SN_OPT_RMSPROP)
        cfg.lr = 0.02f;
    if (opt == SN_OPT_SGD || opt == SN_OPT_MOMENTUM || opt == SN_OPT_NESTEROV)
        cfg.lr = 2.0f;
    return cfg;
}

Test(optimizers, every_optimizer_matches_the_hand_computation)
{
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAMW; opt++) {
        sn_train_config cfg = with((sn_optimizer)opt);
        check_against_hand(cfg, sn_optimizer_name((sn_optimizer)opt));
        if (opt != SN_OPT_ADAGRAD) { /* coupled or decoupled weight decay */
            cfg.weight_decay = 0.3f;
            char what[64];
            snprintf(what, sizeof what, "%s, weight decay 0.3",
                     sn_optimizer_name((sn_optimizer)opt));
            check_against_hand(cfg, what);
        }
    }
    sn_train_config cfg = with(SN_OPT_ADAM);
    cfg.beta1 = 0.5f; /* other betas, so each is seen to be read */
    cfg.beta2 = 0.75f;
    check_against_hand(cfg, "adam, betas 0.5 and 0.75");
    cfg = with(SN_OPT_MOMENTUM);
    cfg.momentum = 0.5f;
    check_against_hand(cfg, "momentum 0.5");
}

Test(optimizers, schedules_match_the_hand_computation)
{
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAMW; opt++) {
        sn_train_config cfg = with((sn_optimizer)opt);
        cfg.schedule = SN_SCHEDULE_COSINE;
        char what[64];
        snprintf(what, sizeof what, "%s, cosine",
                 sn_optimizer_name((sn_optimizer)opt));
        check_against_hand(cfg, what);
        cfg.schedule = SN_SCHEDULE_STEP;
        cfg.step_epochs = 1;
        cfg.gamma = 0.25f;
        snprintf(what, sizeof what, "%s, step",
                 sn_optimizer_name((sn_optimizer)opt));
        check_against_hand(cfg, what);
    }
}

Test(optimizers, schedule_rates_at_chosen_batches)
{
    sn_train_config cfg = sn_train_config_default();
    cfg.lr = 0.1f;
    const double lr = 0.1f;
    cr_expect_eq(sn_schedule_lr(&cfg, 7, 10, 3), cfg.lr); /* constant */
    cfg.schedule = SN_SCHEDULE_COSINE;
    cr_expect_eq(sn_schedule_lr(&cfg, 0, 10, 0), cfg.lr);
    cr_expect_eq(sn_schedule_lr(&cfg, 5, 10, 0), (float)(lr * 0.5));
    cr_expect_eq(sn_schedule_lr(&cfg, 10, 10, 0), 0.0f);
    /* cos(pi/3) = 1/2: three quarters of lr, to a rounding */
    cr_expect_float_eq(sn_schedule_lr(&cfg, 1, 3, 0), (float)(lr * 0.75),
                       1e-8);
    cfg.schedule = SN_SCHEDULE_STEP;
    cfg.step_epochs = 2;
    cfg.gamma = 0.5f;
    cr_expect_eq(sn_schedule_lr(&cfg, 0, 10, 0), cfg.lr);
    cr_expect_eq(sn_schedule_lr(&cfg, 0, 10, 1), cfg.lr);
    cr_expect_eq(sn_schedule_lr(&cfg, 0, 10, 2), (float)(lr / 2));
    cr_expect_eq(sn_schedule_lr(&cfg, 0, 10, 5), (float)(lr / 4));
}

Test(optimizers, defaults_are_torchs)
{
    const struct {
        sn_optimizer opt;
        float lr, eps, momentum, beta1, beta2, wd;
    } want[] = {
        {SN_OPT_ADAGRAD, 0.1f, 1e-8f, 0, 0.9f, 0.999f, 0},
        {SN_OPT_SGD, 0.1f, 1e-8f, 0, 0.9f, 0.999f, 0},
        {SN_OPT_MOMENTUM, 0.1f, 1e-8f, 0.9f, 0.9f, 0.999f, 0},
        {SN_OPT_NESTEROV, 0.1f, 1e-8f, 0.9f, 0.9f, 0.999f, 0},
        {SN_OPT_RMSPROP, 0.01f, 1e-8f, 0, 0.9f, 0.99f, 0},
        {SN_OPT_ADAM, 0.001f, 1e-8f, 0, 0.9f, 0.999f, 0},
        {SN_OPT_ADAMW, 0.001f, 1e-8f, 0, 0.9f, 0.999f, 0.01f},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        sn_train_config cfg = sn_train_config_default();
        cfg.momentum = 7.0f; /* every field is set, not left */
        sn_train_config_optimizer(&cfg, want[i].opt);
        const char *name = sn_optimizer_name(want[i].opt);
        cr_expect_eq(cfg.optimizer, want[i].opt, "%s", name);
        cr_expect_eq(cfg.lr, want[i].lr, "%s lr", name);
        cr_expect_eq(cfg.eps, want[i].eps, "%s eps", name);
        cr_expect_eq(cfg.momentum, want[i].momentum, "%s momentum", name);
        cr_expect_eq(cfg.beta1, want[i].beta1, "%s beta1", name);
        cr_expect_eq(cfg.beta2, want[i].beta2, "%s beta2", name);
        cr_expect_eq(cfg.weight_decay, want[i].wd, "%s wd", name);
        sn_optimizer back;
        cr_expect_eq(sn_optimizer_parse(name, &back, NULL), 0);
        cr_expect_eq(back, want[i].opt);
    }
    const sn_train_config d = sn_train_config_default();
    cr_expect_eq(d.optimizer, SN_OPT_ADAGRAD);
    cr_expect_eq(d.schedule, SN_SCHEDULE_CONSTANT);
    cr_expect_eq(d.step_epochs, 1);
    cr_expect_eq(d.gamma, 0.1f);
    cr_expect_eq(d.epochs, 5);
    const char *sch[] = {"constant", "cosine", "step"};
    for (int i = 0; i < 3; i++) {
        sn_schedule s;
        cr_expect_str_eq(sn_schedule_name((sn_schedule)i), sch[i]);
        cr_expect_eq(sn_schedule_parse(sch[i], &s, NULL), 0);
        cr_expect_eq(s, (sn_schedule)i);
    }
    sn_error err;
    sn_schedule s;
    cr_expect_eq(sn_schedule_parse("linear", &s, &err), -1);
    cr_expect(strstr(err.msg, "constant, cosine or step"), "%s", err.msg);
    cr_expect_str_eq(sn_schedule_name((sn_schedule)3), "unknown");
    cr_expect_str_eq(sn_optimizer_name((sn_optimizer)7), "unknown");
}

Test(optimizers, every_setting_is_checked_by_name)
{
    sn_net net;
    start_net(&net);
    sn_train_config base = sn_train_config_default();
    sn_train_config c[20];
    const char *needle[20];
    size_t n = 0;
#define BAD(text, field, value)                                                \
    do {                                                                       \
        c[n] = base;                                                           \
        c[n].field = value;                                                    \
        needle[n++] = text;                                                    \
    } while (0)
    BAD("unknown optimizer 7", optimizer, (sn_optimizer)7);
    BAD("learning rate", lr, NAN);
    BAD("epsilon", eps, 0.0f);
    BAD("momentum", momentum, -0.5f);
    BAD("momentum", momentum, INFINITY);
    BAD("beta1", beta1, 1.0f);
    BAD("beta1", beta1, NAN);
    BAD("beta2", beta2, -0.1f);
    BAD("weight decay", weight_decay, -1.0f);
    BAD("adagrad takes none", weight_decay, 0.01f);
    BAD("unknown schedule 3", schedule, (sn_schedule)3);
    BAD("step_epochs", step_epochs, 0);
    BAD("step_epochs", step_epochs, SN_MAX_EPOCHS + 1);
    BAD("gamma", gamma, 0.0f);
    BAD("gamma", gamma, INFINITY);
    BAD("epochs must be", epochs, 0);
    BAD("epochs must be", epochs, SN_MAX_EPOCHS + 1);
#undef BAD
    c[n] = base;
    sn_train_config_optimizer(&c[n], SN_OPT_NESTEROV);
    c[n].momentum = 0.0f;
    needle[n++] = "nesterov needs a momentum > 0";
    for (size_t i = 0; i < n; i++) {
        sn_error err = {{0}};
        sn_trainer *t = (sn_trainer *)&net; /* must come back NULL */
        cr_expect_eq(sn_trainer_create(&t, &net, &c[i], &err), -1,
                     "%s accepted", needle[i]);
        cr_expect_null(t);
        cr_expect(strstr(err.msg, needle[i]), "expected '%s' in: %s",
                  needle[i], err.msg);
    }
    /* momentum 0 is plain momentum's (torch's SGD); beta 0 is allowed. */
    c[0] = base;
    sn_train_config_optimizer(&c[0], SN_OPT_MOMENTUM);
    c[0].momentum = 0.0f;
    c[0].beta1 = 0.0f;
    sn_trainer *t;
    sn_error err;
    cr_expect_eq(sn_trainer_create(&t, &net, &c[0], &err), 0, "%s", err.msg);
    sn_trainer_free(t);
    sn_net_free(&net);
}

Test(optimizers, state_arrays_only_for_the_chosen_optimizer)
{
    const size_t want[] = {1, 0, 1, 1, 1, 2, 2};
    sn_net net;
    start_net(&net);
    sn_dataset ds = dataset();
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAMW; opt++) {
        sn_train_config cfg = with((sn_optimizer)opt);
        cfg.batch = BATCH;
        sn_trainer *t;
        sn_error err;
        cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s",
                     err.msg);
        cr_expect_eq(sn_trainer_state_count(t), want[opt], "%s",
                     sn_optimizer_name((sn_optimizer)opt));
        cr_assert_eq(sn_train_batch(t, &ds, 0, BATCH, NULL, &err), 0);
        /* A state past the count reads as zeros; a set of it is ignored. */
        float s[NP], ones[NP];
        for (int i = 0; i < NP; i++)
            ones[i] = 1.0f;
        sn_trainer_set_state(t, 2, ones);
        sn_trainer_get_state(t, 2, s);
        for (int i = 0; i < NP; i++)
            cr_expect_eq(s[i], 0.0f);
        /* get_accum is state 0; after a batch it is not all zero. */
        if (want[opt] > 0) {
            float a[NP];
            sn_trainer_get_accum(t, a);
            sn_trainer_get_state(t, 0, s);
            cr_expect(memcmp(a, s, sizeof s) == 0);
            int nonzero = 0;
            for (int i = 0; i < NP; i++)
                nonzero |= s[i] != 0.0f;
            cr_expect(nonzero, "%s: state 0 untouched",
                      sn_optimizer_name((sn_optimizer)opt));
        }
        cr_expect_eq(sn_trainer_step(t), 1);
        sn_trainer_set_step(t, 41);
        cr_expect_eq(sn_trainer_step(t), 41);
        sn_trainer_free(t);
    }
    sn_train_config cfg = with(SN_OPT_SGD);
    cfg.weight_decay = 0.1f; /* torch's momentum buffer */
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, NULL), 0);
    cr_expect_eq(sn_trainer_state_count(t), 1);
    sn_trainer_free(t);
    sn_net_free(&net);
}

Test(optimizers, every_optimizer_is_deterministic)
{
    for (int opt = SN_OPT_ADAGRAD; opt <= SN_OPT_ADAMW; opt++)
        for (int engine = 0; engine <= 1; engine++)
            for (int threads = 1; threads <= 2; threads++) {
                sn_train_config cfg = with((sn_optimizer)opt);
                cfg.engine = (sn_engine_kind)engine;
                cfg.threads = threads;
                cfg.schedule = SN_SCHEDULE_COSINE;
                float a[NP], b[NP];
                simdnet_run(cfg, a);
                simdnet_run(cfg, b);
                cr_expect(memcmp(a, b, sizeof a) == 0, "%s, %s, %d threads",
                          sn_optimizer_name((sn_optimizer)opt),
                          sn_engine_name(cfg.engine), threads);
            }
}
