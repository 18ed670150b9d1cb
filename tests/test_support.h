/* test_support.h - what several test programs need: data lookup, synthetic
 * data sets, comparisons. */
#ifndef SN_TEST_SUPPORT_H
#define SN_TEST_SUPPORT_H

#include <stddef.h>

#include "simdnet.h"

/* The MNIST folder for tests: $SIMDNET_DATA, else ../shared/data/mnist next
 * to the source tree (CI), else ./data/mnist; NULL if none holds the
 * training images. */
const char *test_mnist_dir(void);

/* A deterministic labelled data set of `count` samples of `inputs` uint8
 * pixels (about 80% exact zeros, like MNIST) with labels below `classes`.
 * Free with sn_dataset_free. Returns 0 on success. */
int test_synthetic_dataset(sn_dataset *ds, size_t count, size_t inputs,
                           unsigned classes, uint64_t seed);

/* sn_train_config_default() with the three settings every training test
 * picks: threads, the kernel set (NULL: the best this CPU runs) and the
 * engine. */
sn_train_config test_train_config(int threads, const sn_kernels *k,
                                  sn_engine_kind engine);

/* Largest |a[i] - b[i]|. */
double test_max_abs_diff(const float *a, const float *b, size_t n);

#endif
