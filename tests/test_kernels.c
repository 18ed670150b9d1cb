/*
 * test_kernels.c - every SIMD kernel against the scalar oracle, one
 * Criterion test per (ISA, op), named "<isa>::<op>" (e.g. avx512::gemv_u8).
 *
 * The comparisons themselves live in kernel_cases.c, shared with the
 * standalone kernel_check program. A kernel set that is not built into
 * this binary, or that this CPU cannot run, is reported as skipped, with
 * the reason: never as passed.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_cases.h"
#include "registry.h"
#if SN_TEST_AVX512EMU
#include "avx512emu.h"
#endif

_Static_assert(SN_ISA_COUNT == 4,
               "a new ISA needs its line of KERNEL_TESTS_ below");

static void run_check(const char *isa_name, const char *op, kc_check_fn *check)
{
    sn_isa isa;
    sn_error err;
    cr_assert_eq(sn_isa_parse(isa_name, &isa, &err), 0, "%s", err.msg);
    const sn_kernels *k = sn_kernels_get_built(isa);
    if (!k)
        cr_skip_test("%s/%s: this binary was built without %s kernels",
                     isa_name, op, isa_name);
    if (!sn_isa_supported(isa))
        cr_skip_test("%s/%s: this CPU cannot run %s kernels (it has: %s)",
                     isa_name, op, isa_name, sn_cpu_features());
    cr_assert_eq(sn_kernels_isa(k), isa);

    kc_report rep;
    const size_t failures = check(k, &rep);
    cr_assert_eq(failures, 0, "%s (%zu of %zu checks failed)", rep.first,
                 rep.failures, rep.checks);
}

#define KERNEL_TEST_(op, isa)                                                  \
    Test(isa, op)                                                              \
    {                                                                          \
        run_check(#isa, #op, kc_check_##op);                                   \
    }

/* scalar is the oracle: comparing it with itself would prove nothing. */
SN_KERNEL_OPS(KERNEL_TEST_, avx2)
SN_KERNEL_OPS(KERNEL_TEST_, avx512)
SN_KERNEL_OPS(KERNEL_TEST_, neon)

#if SN_TEST_AVX512EMU
/* Test only: the shared x86 bodies at the AVX-512 width, on AVX2
 * (tests/avx512emu), named "avx512emu::<op>". */
static void run_emulated(const char *op, kc_check_fn *check)
{
    if (!sn_isa_supported(SN_ISA_AVX2))
        cr_skip_test("avx512emu/%s: this CPU cannot run AVX2 (it has: %s)", op,
                     sn_cpu_features());
    kc_report rep;
    const size_t failures = check(&sn_kernels_avx512emu, &rep);
    cr_assert_eq(failures, 0, "%s (%zu of %zu checks failed)", rep.first,
                 rep.failures, rep.checks);
}

#define KERNEL_EMU_TEST_(op, isa)                                              \
    Test(isa, op)                                                              \
    {                                                                          \
        run_emulated(#op, kc_check_##op);                                      \
    }
SN_KERNEL_OPS(KERNEL_EMU_TEST_, avx512emu)

/* One exp text (kernels/x86/exp_x86.h) for both widths: at 8 lanes (AVX2)
 * and at 16 (the emulation) the sigmoid and the tanh give the same bits for
 * every input, and for every position in the vector or the tail. */
static void unary_bits_match(const char *op, sn_sigmoid_fn *f8,
                             sn_sigmoid_fn *f16, float lo, float hi)
{
    enum { N = 2000003 }; /* not a multiple of 8 or 16: a tail for both */
    float *x = malloc(N * sizeof *x), *y8 = malloc(N * sizeof *y8),
          *y16 = malloc(N * sizeof *y16);
    cr_assert(x && y8 && y16);
    for (size_t i = 0; i < N; i++)
        x[i] = lo + (hi - lo) * (float)i / (float)(N - 1);
    x[0] = -INFINITY, x[1] = INFINITY, x[2] = NAN, x[3] = -0.0f;
    f8(N, x, y8);
    f16(N, x, y16);
    for (size_t i = 0; i < N; i++)
        cr_assert(memcmp(&y8[i], &y16[i], sizeof y8[i]) == 0,
                  "%s(%.9g): avx2 %.9g, avx512emu %.9g", op, (double)x[i],
                  (double)y8[i], (double)y16[i]);
    free(x), free(y8), free(y16);
}

Test(avx512emu, sigmoid_bits_match_avx2)
{
    const sn_kernels *avx2 = sn_kernels_for(SN_ISA_AVX2);
    if (!avx2)
        cr_skip_test("this CPU cannot run AVX2 (it has: %s)", sn_cpu_features());
    unary_bits_match("sigmoid", avx2->sigmoid, sn_kernels_avx512emu.sigmoid,
                     -100.0f, 100.0f);
}

Test(avx512emu, tanh_bits_match_avx2)
{
    const sn_kernels *avx2 = sn_kernels_for(SN_ISA_AVX2);
    if (!avx2)
        cr_skip_test("this CPU cannot run AVX2 (it has: %s)", sn_cpu_features());
    unary_bits_match("tanh", avx2->tanh, sn_kernels_avx512emu.tanh, -50.0f,
                     50.0f);
}
#endif

/* The oracle's own sigmoid and tanh meet the absolute bars the SIMD ones
 * are held to (max error, saturation, NaN, range): the comparisons rest on
 * them. */
static void run_oracle_accuracy(kc_check_fn *check)
{
    kc_report rep;
    const size_t failures = check(sn_kernels_get_built(SN_ISA_SCALAR), &rep);
    cr_assert_eq(failures, 0, "%s (%zu of %zu checks failed)", rep.first,
                 rep.failures, rep.checks);
}

Test(scalar, sigmoid_accuracy)
{
    run_oracle_accuracy(kc_check_sigmoid_accuracy);
}

Test(scalar, tanh_accuracy)
{
    run_oracle_accuracy(kc_check_tanh_accuracy);
}
