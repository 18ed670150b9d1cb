/* test_support.c - data lookup, synthetic data sets, comparisons. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_mnist(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", dir);
    if (access(path, R_OK) == 0)
        return 1;
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir);
    return access(path, R_OK) == 0;
}

const char *test_mnist_dir(void)
{
    static char buf[4096];
    const char *env = getenv("SIMDNET_DATA");
    if (env && *env)
        return has_mnist(env) ? env : NULL;
    const char *src = getenv("SIMDNET_TEST_SRCDIR");
    if (src) {
        snprintf(buf, sizeof buf, "%s/../shared/data/mnist", src);
        if (has_mnist(buf))
            return buf;
    }
    return has_mnist("data/mnist") ? "data/mnist" : NULL;
}

int test_synthetic_dataset(sn_dataset *ds, size_t count, size_t inputs,
                           unsigned classes, uint64_t seed)
{
    memset(ds, 0, sizeof *ds);
    ds->pixels = malloc(count * inputs + 1);
    ds->labels = malloc(count + 1);
    if (!ds->pixels || !ds->labels) {
        free(ds->pixels);
        free(ds->labels);
        memset(ds, 0, sizeof *ds);
        return -1;
    }
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    for (size_t i = 0; i < count; i++) {
        const unsigned label = sn_rng_below(&rng, classes);
        ds->labels[i] = (uint8_t)label;
        for (size_t j = 0; j < inputs; j++) {
            /* Ink where the pixel index agrees with the label, so that the
             * classes are learnable, plus noise; the rest exactly zero. */
            const int ink = (j % classes) == label;
            const uint32_t r = sn_rng_below(&rng, 100);
            uint8_t v = 0;
            if ((ink && r < 60) || r < 8)
                v = (uint8_t)(1 + sn_rng_below(&rng, 255));
            ds->pixels[i * inputs + j] = v;
        }
    }
    ds->count = count;
    ds->rows = 1;
    ds->cols = inputs;
    ds->input_size = inputs;
    return 0;
}

sn_train_config test_train_config(int threads, const sn_kernels *k,
                                  sn_engine_kind engine)
{
    sn_train_config cfg = sn_train_config_default();
    cfg.threads = threads;
    cfg.kernels = k;
    cfg.engine = engine;
    return cfg;
}

double test_max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)a[i] - (double)b[i]);
        if (d > m || isnan(d))
            m = isnan(d) ? INFINITY : d;
    }
    return m;
}
