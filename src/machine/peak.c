/*
 * peak.c - the measured fp32 peak of this machine, per ISA.
 *
 * Every figure of the benchmarks is shown as a fraction of a peak measured
 * here, on this machine, rather than of a datasheet number that a virtual
 * machine, a power limit or a double-pumped AVX-512 unit may not deliver.
 *
 * Each loop keeps many independent accumulators in registers, more than
 * FMA latency times the FMA ports of current cores (4 cycles x 2 ports), so
 * the loop is bound by FMA throughput alone. acc = acc * M + A converges to
 * 1 and never reaches a denormal or an infinity.
 *
 * The AVX loops are compiled for their ISA with target attributes, so one
 * library carries them all and runs each only where the CPU has it
 * (sn_isa_supported), like the kernel sets.
 */
#include <omp.h>
#include <time.h>

#include "simdnet.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define PEAK_X86 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define PEAK_ARM64 1
#endif

#define PEAK_M 0.9999999f
#define PEAK_A 1e-7f

/* Keeps the compiler from folding what the loops compute. */
static volatile float peak_sink;

/* One loop for every ISA: `chains` accumulators of `vec` (`lanes` floats),
 * each link acc = fma(acc, M, A), 2 FLOP a lane; the sum goes to peak_sink
 * through `reduce` so that nothing is folded away. Returns the FLOP done. */
#define PEAK_LOOP(fn, vec, chains, lanes, set1, fma, add, reduce)             \
    static double fn(uint64_t rounds)                                         \
    {                                                                         \
        vec acc[chains];                                                      \
        const vec m = set1(PEAK_M), a = set1(PEAK_A);                         \
        for (int j = 0; j < (chains); j++)                                    \
            acc[j] = set1((float)j * 0.01f);                                  \
        for (uint64_t r = 0; r < rounds; r++) {                               \
            for (int j = 0; j < (chains); j++)                                \
                acc[j] = fma(acc[j], m, a);                                   \
        }                                                                     \
        vec s = acc[0];                                                       \
        for (int j = 1; j < (chains); j++)                                    \
            s = add(s, acc[j]);                                               \
        peak_sink = reduce(s);                                                \
        return (double)rounds * (chains) * (lanes) * 2.0;                     \
    }

/* Scalar: the ceiling of the scalar kernel set as compiled, for the
 * baseline ISA with no -m flags: gcc auto-vectorises those loops to 128-bit
 * vectors (SSE2 on x86-64, NEON on AArch64), and without FMA in the
 * baseline (and with -std=c11, which keeps a*b+c unfused) each link is a
 * multiply then an add. 12 chains cover 2 multiply and 2 add ports at 3
 * cycles each. 4 lanes. */
typedef float peak_v4 __attribute__((vector_size(16)));

static peak_v4 v4_set1(float x) { return (peak_v4){x, x, x, x}; }
static peak_v4 v4_mul_add(peak_v4 x, peak_v4 m, peak_v4 a) { return x * m + a; }
static peak_v4 v4_add(peak_v4 x, peak_v4 y) { return x + y; }
static float v4_sum(peak_v4 s) { return s[0] + s[1] + s[2] + s[3]; }

PEAK_LOOP(peak_scalar, peak_v4, 12, 4, v4_set1, v4_mul_add, v4_add, v4_sum)

#if defined(PEAK_X86)
/* AVX2 + FMA: 12 of the 16 ymm registers accumulate, 8 lanes. */
__attribute__((target("avx2,fma")))
PEAK_LOOP(peak_avx2, __m256, 12, 8, _mm256_set1_ps, _mm256_fmadd_ps,
          _mm256_add_ps, _mm256_cvtss_f32)

/* AVX-512: 16 of the 32 zmm registers accumulate, 16 lanes. */
__attribute__((target("avx512f,fma")))
PEAK_LOOP(peak_avx512, __m512, 16, 16, _mm512_set1_ps, _mm512_fmadd_ps,
          _mm512_add_ps, _mm512_reduce_add_ps)
#endif

#if defined(PEAK_ARM64)
/* NEON: 16 of the 32 q registers accumulate, 4 lanes. vfmaq_f32 takes the
 * addend first. */
static float32x4_t neon_mul_add(float32x4_t x, float32x4_t m, float32x4_t a)
{
    return vfmaq_f32(a, x, m);
}

PEAK_LOOP(peak_neon, float32x4_t, 16, 4, vdupq_n_f32, neon_mul_add,
          vaddq_f32, vaddvq_f32)
#endif

double sn_peak_loop(sn_isa isa, uint64_t rounds)
{
    if (!sn_isa_supported(isa))
        return 0.0;
    switch (isa) {
    case SN_ISA_SCALAR: return peak_scalar(rounds);
#if defined(PEAK_X86)
    case SN_ISA_AVX2: return peak_avx2(rounds);
    case SN_ISA_AVX512: return peak_avx512(rounds);
#endif
#if defined(PEAK_ARM64)
    case SN_ISA_NEON: return peak_neon(rounds);
#endif
    default: return 0.0;
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* FLOP/s of `threads` threads each running `rounds` rounds at once. */
static double timed_run(sn_isa isa, int threads, uint64_t rounds)
{
    double flops = 0.0;
    const double t0 = now_seconds();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    flops += sn_peak_loop(isa, rounds);
    const double secs = now_seconds() - t0;
    return secs > 0.0 ? flops / secs : 0.0;
}

double sn_peak_flops(sn_isa isa, int threads, double seconds)
{
    enum { TRIES = 10 };
    if (!sn_isa_supported(isa) || threads < 1)
        return 0.0;
    if (seconds <= 0.0)
        seconds = 0.05;
    /* Size the rounds on one short run, then keep the best of several
     * short tries: the best is the machine, the others include someone
     * else's work (short tries make a quiet moment likelier). */
    const uint64_t probe = 20000;
    double rate = timed_run(isa, 1, probe);
    const double flops_per_round = sn_peak_loop(isa, 1);
    uint64_t rounds = probe;
    if (rate > 0.0 && flops_per_round > 0.0) {
        const double want = rate * seconds / TRIES / flops_per_round;
        rounds = want > (double)probe ? (uint64_t)want : probe;
    }
    double best = 0.0;
    for (int i = 0; i < TRIES; i++) {
        rate = timed_run(isa, threads, rounds);
        if (rate > best)
            best = rate;
    }
    return best;
}
