/*
 * test_machine.c - the memory roofs (src/machine/bandwidth.c): the read loop
 * reads every byte it is given and nothing past its last whole step, the
 * working sets grow from L1 to DRAM, and the measured roofs are positive,
 * finite and ordered as a memory hierarchy must be (L1 at least DRAM).
 * Behaviour only: how fast this machine is is not tested. And the
 * floating-point mode training runs in (fp_mode.c).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "fp_mode.h"
#include "simdnet.h"

/* The 64-bit words of buf, summed the obvious way. */
static uint64_t word_sum(const unsigned char *buf, size_t bytes)
{
    uint64_t sum = 0;
    for (size_t i = 0; i + 8 <= bytes; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, sizeof w);
        sum += w;
    }
    return sum;
}

Test(bandwidth, loop_reads_every_byte_of_whole_steps)
{
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa isa = (sn_isa)i;
        const size_t step = sn_bandwidth_step(isa);
        if (!sn_isa_supported(isa)) {
            cr_expect_eq(step, 0, "%s", sn_isa_name(isa));
            cr_expect_eq(sn_bandwidth_loop(isa, &step, 64), 0);
            continue;
        }
        cr_assert_gt(step, 0, "%s", sn_isa_name(isa));
        const size_t steps = 37, bytes = steps * step;
        unsigned char *buf = sn_alloc_array(bytes + step, 1);
        cr_assert_not_null(buf);
        for (size_t j = 0; j < bytes + step; j++)
            buf[j] = (unsigned char)(j * 2654435761u >> 13);
        /* Every step counts: a change to any byte of the last one changes
         * the sum, and a byte past the length given does not. */
        cr_expect_eq(sn_bandwidth_loop(isa, buf, bytes), word_sum(buf, bytes),
                     "%s", sn_isa_name(isa));
        cr_expect_eq(sn_bandwidth_loop(isa, buf, bytes + step - 1),
                     word_sum(buf, bytes), "%s: a partial step is not read",
                     sn_isa_name(isa));
        const uint64_t before = sn_bandwidth_loop(isa, buf, bytes);
        buf[bytes - 1] ^= 0x80;
        cr_expect_neq(sn_bandwidth_loop(isa, buf, bytes), before,
                      "%s: the last byte must be read", sn_isa_name(isa));
        buf[bytes] ^= 0x80;
        cr_expect_eq(sn_bandwidth_loop(isa, buf, bytes),
                     word_sum(buf, bytes), "%s", sn_isa_name(isa));
        cr_expect_eq(sn_bandwidth_loop(isa, buf, step - 1), 0,
                     "%s: less than a step reads nothing", sn_isa_name(isa));
        sn_free(buf);
    }
}

Test(bandwidth, working_sets_grow_from_l1_to_dram)
{
    const sn_topology *t = sn_topology_get();
    for (int threads = 1; threads <= 4; threads++) {
        size_t prev = 0;
        for (int l = 0; l < SN_MEM_LEVELS; l++) {
            const size_t b =
                sn_bandwidth_working_set((sn_mem_level)l, threads);
            cr_expect_gt(b, prev, "%s with %d threads: %zu bytes after %zu",
                         sn_mem_level_name((sn_mem_level)l), threads, b, prev);
            cr_expect_eq(b % 512, 0, "a whole number of the widest steps");
            prev = b;
        }
        if (t->l1d)
            cr_expect_leq(sn_bandwidth_working_set(SN_MEM_L1, threads),
                          t->l1d, "the L1 working set must fit in L1d");
        if (t->l2)
            cr_expect_leq(sn_bandwidth_working_set(SN_MEM_L2, threads),
                          t->l2, "the L2 working set must fit in L2");
        if (t->l3)
            cr_expect_gt(sn_bandwidth_working_set(SN_MEM_DRAM, threads),
                         t->l3, "the DRAM working set must not fit in L3");
    }
    cr_expect_str_eq(sn_mem_level_name(SN_MEM_DRAM), "DRAM");
    cr_expect_eq(sn_bandwidth_working_set(SN_MEM_LEVELS, 1), 0);
}

Test(bandwidth, roofs_are_positive_and_finite_for_every_level)
{
    const sn_isa isa = sn_isa_best();
    sn_bandwidth_roof roofs[SN_MEM_LEVELS];
    sn_bandwidth_roofs(isa, 1, 0.04, roofs);
    for (int l = 0; l < SN_MEM_LEVELS; l++) {
        const char *name = sn_mem_level_name((sn_mem_level)l);
        cr_expect_eq(roofs[l].bytes,
                     sn_bandwidth_working_set((sn_mem_level)l, 1), "%s", name);
        cr_expect(isfinite(roofs[l].bytes_per_s) && roofs[l].bytes_per_s > 0.0,
                  "%s roof: %g bytes/s", name, roofs[l].bytes_per_s);
    }
    /* No order between the levels is asserted: that is a timing, and on a
     * shared machine or under a sanitizer (whose checks slow the L1 loop
     * most) L1 measured below DRAM (9.4e9 against 1.06e10 bytes/s in one
     * CI run). How fast each level reads is the bench's to say. */
}

Test(bandwidth, core_to_core_is_positive_and_needs_a_step)
{
    const sn_isa isa = sn_isa_best();
    const size_t step = sn_bandwidth_step(isa);
    const double r = sn_bandwidth_core_to_core(isa, 64 * step, 0.02);
    /* OpenMP may give one thread (OMP_THREAD_LIMIT): then 0, by contract. */
    if (omp_get_max_threads() >= 2 && omp_get_thread_limit() >= 2)
        cr_expect(isfinite(r) && r > 0.0, "core to core: %g bytes/s", r);
    cr_expect_eq(sn_bandwidth_core_to_core(isa, step - 1, 0.02), 0.0,
                 "less than a step measures nothing");
}

Test(bandwidth, two_threads_and_the_baseline_isa)
{
    const double r = sn_bandwidth_read(SN_ISA_SCALAR, 64 * 1024, 2, 0.02);
    cr_expect(isfinite(r) && r > 0.0, "%g bytes/s", r);
}

Test(bandwidth, refuses_what_it_cannot_measure)
{
    cr_expect_eq(sn_bandwidth_read(SN_ISA_SCALAR, 0, 1, 0.01), 0.0);
    cr_expect_eq(sn_bandwidth_read(SN_ISA_SCALAR, 4096, 0, 0.01), 0.0);
    cr_expect_eq(sn_bandwidth_read(SN_ISA_SCALAR,
                                   sn_bandwidth_step(SN_ISA_SCALAR) - 1, 1,
                                   0.01),
                 0.0);
    for (int i = 0; i < SN_ISA_COUNT; i++)
        if (!sn_isa_supported((sn_isa)i))
            cr_expect_eq(sn_bandwidth_read((sn_isa)i, 1 << 20, 1, 0.01), 0.0,
                         "%s is not supported here", sn_isa_name((sn_isa)i));
}

/* Half of FLT_MIN, computed at run time: a subnormal result where the
 * thread keeps them, +0 where it flushes results. */
static float half_flt_min(void)
{
    volatile float x = FLT_MIN;
    volatile float half = 0.5f;
    return x * half;
}

Test(fp_mode, flushes_subnormals_and_puts_the_mode_back)
{
#if defined(__x86_64__) || defined(__aarch64__)
    const float before = half_flt_min();
    cr_assert_eq(before, FLT_MIN / 2, "the test starts with IEEE subnormals");
    const sn_fp_mode saved = sn_fp_flush_subnormals();
    cr_expect_eq(half_flt_min(), 0.0f, "a subnormal result is flushed");
    /* A subnormal input reads as zero: sqrt(x) of one would be ~1e-19. */
    volatile float sub = FLT_MIN / 4;
    cr_expect_eq(sqrtf(sub), 0.0f, "a subnormal input is read as zero");
    sn_fp_restore(saved);
    cr_expect_eq(half_flt_min(), FLT_MIN / 2, "the mode is put back");
#else
    cr_skip_test("no flush-to-zero mode known on this target");
#endif
}
