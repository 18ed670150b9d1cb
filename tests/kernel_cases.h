/*
 * kernel_cases.h - the comparisons that prove a kernel set against the
 * scalar oracle. One set of checks serves two drivers: the Criterion tests
 * (test_kernels.c) and the standalone kernel_check program, which runs where
 * Criterion cannot (qemu-aarch64 for the NEON kernels).
 *
 * Each kc_check_<op>(k, rep) runs op of kernel set k and of the scalar set
 * on the same inputs over every awkward size, with aligned, unaligned and
 * fenced buffers (ending at an inaccessible page: an access past the end
 * crashes), in place where the contract allows it, and with guard values
 * around every buffer; it returns the number of failures and describes the
 * first one in rep->first. The tolerances are stated, with their reasons,
 * next to each comparison in kernel_cases.c and in docs/kernels.md.
 */
#ifndef SN_KERNEL_CASES_H
#define SN_KERNEL_CASES_H

#include <stddef.h>

#include "kernels.h"
#include "simdnet.h"

typedef struct kc_report {
    size_t checks;   /* values and guards compared */
    size_t failures; /* of those, how many were wrong */
    char first[640]; /* the first failure: op, shape, index, got, expected */
} kc_report;

/* Checks one op of kernel set k against the scalar set; returns
 * rep->failures. rep is cleared first. */
typedef size_t kc_check_fn(const sn_kernels *k, kc_report *rep);

#define KC_DECLARE_CHECK_(op, unused) kc_check_fn kc_check_##op;
SN_KERNEL_OPS(KC_DECLARE_CHECK_, unused)

/* Every check, in the order of SN_KERNEL_OPS (one per op, enforced by the
 * X-macro: an op without a check does not link). */
typedef struct kc_case {
    const char *op;
    kc_check_fn *check;
} kc_case;

extern const kc_case kc_cases[];
extern const size_t kc_ncases;

/* The case of op, or NULL. */
const kc_case *kc_find_case(const char *op);

/* The absolute checks of a sigmoid, without the oracle: max error against
 * double precision at most KC_SIGMOID_MAX_ERROR over a dense sweep of
 * [-20, 20] and over samples out to +-1e30 and +-FLT_MAX; -inf -> 0 and
 * +inf -> 1 exactly; NaN -> NaN; every output in [0, 1]. kc_check_sigmoid
 * runs these too; they also hold the scalar oracle itself to the bar. */
#define KC_SIGMOID_MAX_ERROR 2e-7
size_t kc_check_sigmoid_accuracy(const sn_kernels *k, kc_report *rep);

/* The largest |sigmoid_k(x) - 1/(1+exp(-x))| (in double) over npoints
 * evenly spaced x in [lo, hi], and the x where it occurs. */
typedef struct kc_sigmoid_error {
    double max_abs;
    float worst_x;
    size_t points;
} kc_sigmoid_error;

int kc_sigmoid_sweep(const sn_kernels *k, float lo, float hi, size_t npoints,
                     kc_sigmoid_error *out);

/* The absolute checks of a tanh, without the oracle: max error against
 * double precision at most KC_TANH_MAX_ERROR absolute and
 * KC_TANH_MAX_REL_ERROR relative over a dense sweep of [-10, 10] and over
 * samples from +-1e-30 to +-1e30 and +-FLT_MAX; +-inf -> +-1 and +-0 ->
 * +-0 exactly; NaN -> NaN; odd; every output in [-1, 1]. kc_check_tanh
 * runs these too; they also hold the scalar oracle to the bar. */
#define KC_TANH_MAX_ERROR SN_TANH_MAX_ERROR
#define KC_TANH_MAX_REL_ERROR SN_TANH_MAX_REL_ERROR
size_t kc_check_tanh_accuracy(const sn_kernels *k, kc_report *rep);

/* The largest absolute and relative errors of tanh_k against tanh in
 * double over npoints evenly spaced x in [lo, hi], and where they occur;
 * returns 0 if both are within the bars, -1 if not. */
typedef struct kc_tanh_error {
    double max_abs, max_rel;
    float worst_abs_x, worst_rel_x;
    size_t points;
} kc_tanh_error;

int kc_tanh_sweep(const sn_kernels *k, float lo, float hi, size_t npoints,
                  kc_tanh_error *out);

#endif /* SN_KERNEL_CASES_H */
