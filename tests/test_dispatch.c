/*
 * test_dispatch.c - the kernel set a run gets is the one it asked for:
 * --isa (the name argument) over SIMDNET_ISA over the best supported set,
 * and an ISA that is unknown, not built or not supported by this CPU is an
 * error naming it, never a silent fallback.
 *
 * Criterion runs every test in its own process, so setenv does not leak
 * from one test into another.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

static int usable(sn_isa isa)
{
    return sn_isa_built(isa) && sn_isa_supported(isa);
}

Test(dispatch, env_scalar_selects_scalar)
{
    cr_assert_eq(setenv("SIMDNET_ISA", "scalar", 1), 0);
    const sn_kernels *k = NULL;
    sn_error err = {{0}};
    cr_assert_eq(sn_kernels_select(NULL, &k, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_kernels_isa(k), SN_ISA_SCALAR);
    cr_assert_eq(k, sn_kernels_for(SN_ISA_SCALAR));
    cr_assert_eq(k->sigmoid, sn_sigmoid_scalar,
                 "the scalar set must hold the scalar kernels");
}

Test(dispatch, no_name_no_env_selects_best)
{
    cr_assert_eq(unsetenv("SIMDNET_ISA"), 0);
    const sn_kernels *k = NULL;
    sn_error err = {{0}};
    cr_assert_eq(sn_kernels_select(NULL, &k, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_kernels_isa(k), sn_isa_best());

    /* An empty variable means "not given"; an empty --isa is a mistake
     * (a script's unset variable), refused rather than guessed at. */
    cr_assert_eq(setenv("SIMDNET_ISA", "", 1), 0);
    cr_assert_eq(sn_kernels_select(NULL, &k, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_kernels_isa(k), sn_isa_best());
    cr_expect_eq(sn_kernels_select("", &k, &err), -1);
    cr_expect(strstr(err.msg, "empty kernel set name"), "%s", err.msg);
}

Test(dispatch, explicit_name_overrides_env)
{
    const sn_kernels *k = NULL;
    sn_error err = {{0}};
    /* The variable is not even read when a name is given. */
    cr_assert_eq(setenv("SIMDNET_ISA", "sse9", 1), 0);
    cr_assert_eq(sn_kernels_select("scalar", &k, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_kernels_isa(k), SN_ISA_SCALAR);

    /* And where there is a SIMD set, naming it beats SIMDNET_ISA=scalar. */
    const sn_isa best = sn_isa_best();
    cr_assert_eq(setenv("SIMDNET_ISA", "scalar", 1), 0);
    cr_assert_eq(sn_kernels_select(sn_isa_name(best), &k, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(sn_kernels_isa(k), best);
}

Test(dispatch, each_isa_selectable_iff_built_and_supported)
{
    cr_assert_eq(unsetenv("SIMDNET_ISA"), 0);
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa isa = (sn_isa)i;
        const char *name = sn_isa_name(isa);
        const sn_kernels *k = NULL;
        sn_error err = {{0}};
        const int rc = sn_kernels_select(name, &k, &err);
        if (usable(isa)) {
            cr_assert_eq(rc, 0, "%s: %s", name, err.msg);
            cr_assert_eq(sn_kernels_isa(k), isa, "%s", name);
            cr_assert_str_eq(k->isa_name, name);
            cr_assert_eq(sn_kernels_for(isa), k, "%s", name);
        } else {
            cr_assert_eq(rc, -1, "%s is not usable here but was selected",
                         name);
            cr_assert_not_null(strstr(err.msg, name),
                               "the error must name %s: '%s'", name, err.msg);
            cr_assert_null(sn_kernels_for(isa), "%s", name);
        }
        /* The same through the environment. */
        cr_assert_eq(setenv("SIMDNET_ISA", name, 1), 0);
        const int rc_env = sn_kernels_select(NULL, &k, &err);
        cr_assert_eq(rc_env, rc, "SIMDNET_ISA=%s and --isa %s disagree", name,
                     name);
        if (rc_env == 0)
            cr_assert_eq(sn_kernels_isa(k), isa, "SIMDNET_ISA=%s", name);
        else
            cr_assert_not_null(strstr(err.msg, "SIMDNET_ISA"),
                               "the error must name the variable: '%s'",
                               err.msg);
        cr_assert_eq(unsetenv("SIMDNET_ISA"), 0);
    }
}

Test(dispatch, every_built_table_is_complete)
{
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_kernels *k = sn_kernels_get_built((sn_isa)i);
        cr_assert_eq(k != NULL, sn_isa_built((sn_isa)i) != 0);
        if (!k)
            continue;
        cr_assert_eq(sn_kernels_isa(k), (sn_isa)i);
#define NOT_NULL_(op, unused)                                                  \
    cr_assert_not_null(k->op, "%s has no %s kernel", k->isa_name, #op);
        SN_KERNEL_OPS(NOT_NULL_, unused)
#undef NOT_NULL_
    }
}

Test(dispatch, unknown_name_fails_with_message)
{
    const sn_kernels *k = NULL;
    sn_error err = {{0}};
    cr_assert_eq(sn_kernels_select("sse9", &k, &err), -1);
    cr_assert_null(k, "a failed selection must not hand out a set");
    cr_assert_not_null(strstr(err.msg, "sse9"), "'%s'", err.msg);

    cr_assert_eq(setenv("SIMDNET_ISA", "sse9", 1), 0);
    cr_assert_eq(sn_kernels_select(NULL, &k, &err), -1);
    cr_assert_not_null(strstr(err.msg, "sse9"), "'%s'", err.msg);
    cr_assert_not_null(strstr(err.msg, "SIMDNET_ISA"), "'%s'", err.msg);
}

Test(dispatch, other_architecture_fails)
{
#if defined(__x86_64__)
    const char *foreign = "neon";
#elif defined(__aarch64__)
    const char *foreign = "avx2";
#else
    cr_skip_test("no foreign SIMD ISA is defined for this architecture");
    const char *foreign = "";
#endif
    const sn_kernels *k = NULL;
    sn_error err = {{0}};
    cr_assert_eq(sn_kernels_select(foreign, &k, &err), -1,
                 "%s kernels cannot exist on this architecture", foreign);
    cr_assert_not_null(strstr(err.msg, foreign), "'%s'", err.msg);
}

Test(dispatch, best_is_highest_usable)
{
    const sn_isa best = sn_isa_best();
    cr_assert(usable(best), "best ISA %s is not usable", sn_isa_name(best));
    for (int i = best + 1; i < SN_ISA_COUNT; i++)
        cr_assert(!usable((sn_isa)i), "%s is usable and above best %s",
                  sn_isa_name((sn_isa)i), sn_isa_name(best));
    cr_assert(usable(SN_ISA_SCALAR), "scalar must always be usable");
}
