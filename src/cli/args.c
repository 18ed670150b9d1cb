/* args.c - what the commands share: messages, data and kernel lookup,
 * the library's names as option values. */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "simdnet %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_reason(sn_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

const char *cli_data_dir(const char *flag_value)
{
    if (flag_value)
        return flag_value;
    const char *env = getenv("SIMDNET_DATA");
    return env && *env ? env : "./data/mnist";
}

/* A data set that did not load: the library's message, then how to get
 * the data, which is the command line's to say (an installed library has
 * no tools/). */
static int load_failed(const char *cmd, const sn_error *err)
{
    cli_error(cmd, "%s", err->msg);
    fputs("  (--data DIR or SIMDNET_DATA choose the folder; "
          "tools/fetch-mnist.sh DIR\n"
          "  downloads MNIST into it, or copies a local copy with "
          "MNIST_MIRROR=file:///path/)\n", stderr);
    return -1;
}

int cli_load_split(const char *cmd, const char *dir, sn_split split,
                   unsigned max_label, sn_dataset *ds)
{
    sn_error err;
    if (sn_dataset_load(ds, dir, split, max_label, &err) == 0)
        return 0;
    return load_failed(cmd, &err);
}

/* The test split's load, on a thread of its own. */
typedef struct test_load {
    const char *dir;
    unsigned max_label;
    sn_dataset *ds;
    sn_error err;
    int rc;
} test_load;

static void *load_test(void *arg)
{
    test_load *l = arg;
    l->rc = sn_dataset_load(l->ds, l->dir, SN_SPLIT_TEST, l->max_label,
                            &l->err);
    return NULL;
}

int cli_load_splits(const char *cmd, const char *dir, unsigned max_label,
                    sn_dataset *train, sn_dataset *test)
{
    test_load t = {.dir = dir, .max_label = max_label, .ds = test, .rc = -1};
    pthread_t thread;
    const int threaded = pthread_create(&thread, NULL, load_test, &t) == 0;
    sn_error err;
    const int rc = sn_dataset_load(train, dir, SN_SPLIT_TRAIN, max_label,
                                   &err);
    if (threaded)
        pthread_join(thread, NULL);
    else
        load_test(&t);
    /* The messages of a sequential load: the training set's first. */
    if (rc != 0 || t.rc != 0) {
        sn_dataset_free(train);
        sn_dataset_free(test);
        return load_failed(cmd, rc != 0 ? &err : &t.err);
    }
    return 0;
}

int cli_select_kernels(const char *cmd, const char *isa,
                       const sn_kernels **kernels)
{
    sn_error err;
    if (sn_kernels_select(isa, kernels, &err) == 0)
        return 0;
    cli_error(cmd, "%s", err.msg);
    return -1;
}

void cli_topology_note(void)
{
    /* Without a topology the library falls back to OpenMP's default and
     * says why: tell the user, once. */
    static int told;
    const sn_topology *t = sn_topology_get();
    if (!t->from_hwloc && !told) {
        fprintf(stderr, "simdnet: %s\n", t->note);
        told = 1;
    }
}

void cli_format_bytes(size_t bytes, char *buf, size_t len)
{
    const size_t mib = (size_t)1 << 20;
    if (bytes == 0)
        snprintf(buf, len, "?");
    else if (bytes >= mib && bytes % mib == 0)
        snprintf(buf, len, "%zu MiB", bytes / mib);
    else if (bytes >= 1024)
        snprintf(buf, len, "%zu KiB", bytes / 1024);
    else
        snprintf(buf, len, "%zu B", bytes);
}

void cli_format_si(double v, char *buf, size_t len)
{
    if (v >= 1e9)
        snprintf(buf, len, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, len, "%.2fM", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, len, "%.1fk", v / 1e3);
    else
        snprintf(buf, len, "%.0f", v);
}

int cli_parse_engine(const char *value, void *engine, sn_error *err)
{
    return sn_engine_parse(value, engine, err);
}

int cli_parse_first_layer(const char *value, void *path, sn_error *err)
{
    return sn_first_layer_parse(value, path, err);
}

int cli_parse_thread_split(const char *value, void *split, sn_error *err)
{
    return sn_thread_split_parse(value, split, err);
}

int cli_parse_optimizer(const char *value, void *optimizer, sn_error *err)
{
    return sn_optimizer_parse(value, optimizer, err);
}
