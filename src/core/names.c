/*
 * names.c - the one place where the library's enumerations get the names
 * that the command line, model and checkpoint files and JSON output use.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "simdnet.h"

static const char *const optimizer_names[] = {
    [SN_OPT_ADAGRAD] = "adagrad",
    [SN_OPT_SGD] = "sgd",
    [SN_OPT_MOMENTUM] = "momentum",
    [SN_OPT_NESTEROV] = "nesterov",
    [SN_OPT_RMSPROP] = "rmsprop",
    [SN_OPT_ADAM] = "adam",
    [SN_OPT_ADAMW] = "adamw",
};

static const char *const schedule_names[] = {
    [SN_SCHEDULE_CONSTANT] = "constant",
    [SN_SCHEDULE_COSINE] = "cosine",
    [SN_SCHEDULE_STEP] = "step",
};

static const char *const activation_names[] = {
    [SN_ACT_SIGMOID] = "sigmoid",
    [SN_ACT_RELU] = "relu",
    [SN_ACT_TANH] = "tanh",
    [SN_ACT_SOFTMAX] = "softmax",
};

static const char *const loss_names[] = {
    [SN_LOSS_L2] = "l2",
    [SN_LOSS_CE] = "ce",
};

static const char *const init_names[] = {
    [SN_INIT_UNIFORM] = "uniform",
    [SN_INIT_HE] = "he",
    [SN_INIT_XAVIER] = "xavier",
};

static const char *const engine_names[] = {
    [SN_ENGINE_PER_SAMPLE] = "per-sample",
    [SN_ENGINE_SPARSE] = "sparse",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The index of name in names[0..n), or -1. */
static int find_name(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && name && strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

/* "a, b or c" from names[0..n) into buf, for messages. */
static void list_names(const char *const *names, size_t n, char *buf,
                       size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int k = snprintf(buf + used, len - used, "%s%s", sep, names[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

static int parse_name(const char *what, const char *const *names, size_t n,
                      const char *name, int *out, sn_error *err)
{
    int i = find_name(names, n, name);
    if (i < 0) {
        char valid[128];
        list_names(names, n, valid, sizeof valid);
        return sn_set_error(err, "unknown %s '%s' (expected %s)", what,
                            name ? name : "", valid);
    }
    *out = i;
    return 0;
}

const char *sn_optimizer_name(sn_optimizer opt)
{
    return (unsigned)opt < COUNT(optimizer_names) ? optimizer_names[opt]
                                                   : "unknown";
}

int sn_optimizer_parse(const char *name, sn_optimizer *opt, sn_error *err)
{
    int i = 0;
    if (parse_name("optimizer", optimizer_names, COUNT(optimizer_names), name,
                   &i, err) != 0)
        return -1;
    *opt = (sn_optimizer)i;
    return 0;
}

const char *sn_schedule_name(sn_schedule schedule)
{
    return (unsigned)schedule < COUNT(schedule_names)
               ? schedule_names[schedule]
               : "unknown";
}

int sn_schedule_parse(const char *name, sn_schedule *schedule, sn_error *err)
{
    int i = 0;
    if (parse_name("schedule", schedule_names, COUNT(schedule_names), name,
                   &i, err) != 0)
        return -1;
    *schedule = (sn_schedule)i;
    return 0;
}

const char *sn_engine_name(sn_engine_kind engine)
{
    return (unsigned)engine < COUNT(engine_names) ? engine_names[engine]
                                                   : "unknown";
}

int sn_engine_parse(const char *name, sn_engine_kind *engine, sn_error *err)
{
    int i = 0;
    if (parse_name("engine", engine_names, COUNT(engine_names), name, &i,
                   err) != 0)
        return -1;
    *engine = (sn_engine_kind)i;
    return 0;
}

const char *sn_activation_name(sn_activation act)
{
    return (unsigned)act < COUNT(activation_names) ? activation_names[act]
                                                    : "unknown";
}

int sn_activation_parse(const char *name, sn_activation *act, sn_error *err)
{
    int i = 0;
    if (parse_name("activation", activation_names, COUNT(activation_names),
                   name, &i, err) != 0)
        return -1;
    *act = (sn_activation)i;
    return 0;
}

const char *sn_loss_name(sn_loss loss)
{
    return (unsigned)loss < COUNT(loss_names) ? loss_names[loss] : "unknown";
}

int sn_loss_parse(const char *name, sn_loss *loss, sn_error *err)
{
    int i = 0;
    if (parse_name("loss", loss_names, COUNT(loss_names), name, &i, err) != 0)
        return -1;
    *loss = (sn_loss)i;
    return 0;
}

const char *sn_init_name(sn_init init)
{
    return (unsigned)init < COUNT(init_names) ? init_names[init] : "unknown";
}

int sn_init_parse(const char *name, sn_init *init, sn_error *err)
{
    int i = 0;
    if (parse_name("initialisation", init_names, COUNT(init_names), name, &i,
                   err) != 0)
        return -1;
    *init = (sn_init)i;
    return 0;
}
