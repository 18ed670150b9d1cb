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

const char *sn_first_layer_name(sn_first_layer path)
{
    return (unsigned)path < COUNT(first_layer_names) ? first_layer_names[path]
                                                      : "unknown";
}

int sn_first_layer_parse(const char *name, sn_first_layer *path,
                         sn_error *err)
{
    int i = 0;
    if (parse_name("first-layer gradient", first_layer_names,
                   COUNT(first_layer_names), name, &i, err) != 0)
        return -1;
    *path = (sn_first_layer)i;
    return 0;
}
