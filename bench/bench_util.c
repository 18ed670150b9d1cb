/* bench_util.c - test data, measured peaks and counters for the benchmarks. */
#include "bench_util.h"

#include <stdio.h>
#include <time.h>

#include "alloc.h"

void bench_report(gb_state *st, bench_work per_call, double peak_flops)
{
    const double iters = (double)gb_iterations(st);
    gb_set_items_processed(st, (int64_t)(per_call.items * iters));
    if (per_call.bytes > 0.0)
        gb_set_bytes_processed(st, (int64_t)(per_call.bytes * iters));
    const double secs = gb_loop_cpu_seconds(st);
    if (per_call.flops <= 0.0 || secs <= 0.0)
        return;
    /* Plain counters computed here rather than rate counters, so that the
     * console shows "GFLOP/s=93.1" instead of "93.1/s"-style units. */
    const double flops = per_call.flops * iters / secs;
    gb_set_counter(st, "GFLOP/s", flops * 1e-9, GB_COUNTER_PLAIN);
    if (peak_flops > 0.0)
        gb_set_counter(st, "%peak", 100.0 * flops / peak_flops,
                       GB_COUNTER_PLAIN);
}

int64_t bench_batch(size_t elements)
{
    const size_t target = 4096;
    if (elements >= target)
        return 1;
    const size_t n = target / (elements ? elements : 1);
    return n > 64 ? 64 : (int64_t)n;
}

float *bench_floats(size_t n, uint64_t seed)
{
    float *p = sn_alloc_array(n, sizeof *p);
    if (!p)
        return NULL;
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        p[i] = sn_rng_uniform_pm1(&rng);
    return p;
}

float *bench_positive(size_t n, uint64_t seed)
{
    float *p = bench_floats(n, seed);
    for (size_t i = 0; p && i < n; i++)
        p[i] = 0.5f * (p[i] + 1.0f);
    return p;
}

uint8_t *bench_pixels(size_t n, uint64_t seed)
{
    uint8_t *p = sn_alloc_array(n, 1);
    if (!p)
        return NULL;
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        p[i] = sn_rng_below(&rng, 100) < 81
                   ? 0 : (uint8_t)(1 + sn_rng_below(&rng, 255));
    return p;
}

static double peaks[SN_ISA_COUNT];

static double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The best of a few ~20 ms runs of the peak loop, in thread CPU time like
 * the benchmarks themselves: on a busy machine, wall time would count the
 * time other processes hold the core and make the peak look low. */
static double measure_peak(sn_isa isa)
{
    uint64_t rounds = 1000;
    for (;;) { /* grow the run to at least 20 ms */
        const double t0 = thread_cpu_seconds();
        sn_peak_loop(isa, rounds);
        if (thread_cpu_seconds() - t0 >= 0.02 || rounds >= (1ull << 40))
            break;
        rounds *= 2;
    }
    double best = 0.0;
    for (int i = 0; i < 5; i++) {
        const double t0 = thread_cpu_seconds();
        const double flops = sn_peak_loop(isa, rounds);
        const double secs = thread_cpu_seconds() - t0;
        if (secs > 0.0 && flops / secs > best)
            best = flops / secs;
    }
    return best;
}

void bench_measure_peaks(void)
{
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa isa = (sn_isa)i;
        if (!sn_isa_supported(isa))
            continue;
        peaks[i] = measure_peak(isa);
        char key[64], value[64];
        snprintf(key, sizeof key, "simdnet_peak_%s_1core", sn_isa_name(isa));
        snprintf(value, sizeof value, "%.1f GFLOP/s", peaks[i] * 1e-9);
        gb_add_context(key, value);
    }
}

double bench_peak(sn_isa isa)
{
    return (unsigned)isa < SN_ISA_COUNT ? peaks[isa] : 0.0;
}
