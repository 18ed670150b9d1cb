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

static const char *const first_layer_names[] = {
    [SN_FIRST_LAYER_AUTO] = "auto",
    [SN_FIRST_LAYER_ROWS] = "rows",
    [SN_FIRST_LAYER_GROUPED] = "grouped",
};

static const char *const thread_split_names[] = {
    [SN_THREAD_SPLIT_AUTO] = "auto",
    [SN_THREAD_SPLIT_SAMPLES] = "samples",
    [SN_THREAD_SPLIT_COLUMNS] = "columns",
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

/* Every enumeration gets the same pair: sn_<fn>_name (an out-of-range value
 * is "unknown") and sn_<fn>_parse (an unknown name is an error listing the
 * valid ones, "unknown <what> 'x' (expected a, b or c)"). */
#define NAMED_ENUM(type, fn, what, names)                                     \
    const char *sn_##fn##_name(type value)                                    \
    {                                                                         \
        return (unsigned)value < COUNT(names) ? names[value] : "unknown";     \
    }                                                                         \
    int sn_##fn##_parse(const char *name, type *value, sn_error *err)        \
    {                                                                         \
        int i = 0;                                                            \
        if (parse_name(what, names, COUNT(names), name, &i, err) != 0)        \
            return -1;                                                        \
        *value = (type)i;                                                     \
        return 0;                                                             \
    }

NAMED_ENUM(sn_optimizer, optimizer, "optimizer", optimizer_names)
NAMED_ENUM(sn_schedule, schedule, "schedule", schedule_names)
NAMED_ENUM(sn_engine_kind, engine, "engine", engine_names)
NAMED_ENUM(sn_activation, activation, "activation", activation_names)
NAMED_ENUM(sn_loss, loss, "loss", loss_names)
NAMED_ENUM(sn_init, init, "initialisation", init_names)
NAMED_ENUM(sn_first_layer, first_layer, "first-layer path",
           first_layer_names)
NAMED_ENUM(sn_thread_split, thread_split, "thread split", thread_split_names)
