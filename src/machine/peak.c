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

/* Scalar: the ceiling of the scalar kernel set as compiled, for the
 * baseline ISA with no -m flags: gcc auto-vectorises those loops to 128-bit
 * vectors (SSE2 on x86-64, NEON on AArch64), and without FMA in the
 * baseline (and with -std=c11, which keeps a*b+c unfused) each link is a
 * multiply then an add. 12 chains cover 2 multiply and 2 add ports at 3
 * cycles each. 4 lanes, 2 FLOP per link. */
typedef float peak_v4 __attribute__((vector_size(16)));
enum { SCALAR_CHAINS = 12 };

static double peak_scalar(uint64_t rounds)
{
    peak_v4 acc[SCALAR_CHAINS];
    const peak_v4 m = {PEAK_M, PEAK_M, PEAK_M, PEAK_M};
    const peak_v4 a = {PEAK_A, PEAK_A, PEAK_A, PEAK_A};
    for (int j = 0; j < SCALAR_CHAINS; j++)
        acc[j] = m * ((float)j * 0.01f);
    for (uint64_t r = 0; r < rounds; r++) {
        for (int j = 0; j < SCALAR_CHAINS; j++)
            acc[j] = acc[j] * m + a;
    }
    peak_v4 s = acc[0];
    for (int j = 1; j < SCALAR_CHAINS; j++)
        s = s + acc[j];
    peak_sink = s[0] + s[1] + s[2] + s[3];
    return (double)rounds * SCALAR_CHAINS * 4 * 2.0;
}

#if defined(PEAK_X86)
/* AVX2 + FMA: 12 of the 16 ymm registers accumulate, 8 lanes, 2 FLOP. */
enum { AVX2_CHAINS = 12 };

__attribute__((target("avx2,fma")))
static double peak_avx2(uint64_t rounds)
{
    __m256 acc[AVX2_CHAINS];
    const __m256 m = _mm256_set1_ps(PEAK_M), a = _mm256_set1_ps(PEAK_A);
    for (int j = 0; j < AVX2_CHAINS; j++)
        acc[j] = _mm256_set1_ps((float)j * 0.01f);
    for (uint64_t r = 0; r < rounds; r++) {
        for (int j = 0; j < AVX2_CHAINS; j++)
            acc[j] = _mm256_fmadd_ps(acc[j], m, a);
    }
    __m256 s = acc[0];
    for (int j = 1; j < AVX2_CHAINS; j++)
        s = _mm256_add_ps(s, acc[j]);
    peak_sink = _mm256_cvtss_f32(s);
    return (double)rounds * AVX2_CHAINS * 8 * 2.0;
}

/* AVX-512: 16 of the 32 zmm registers accumulate, 16 lanes, 2 FLOP. */
enum { AVX512_CHAINS = 16 };

__attribute__((target("avx512f,fma")))
static double peak_avx512(uint64_t rounds)
{
    __m512 acc[AVX512_CHAINS];
    const __m512 m = _mm512_set1_ps(PEAK_M), a = _mm512_set1_ps(PEAK_A);
    for (int j = 0; j < AVX512_CHAINS; j++)
        acc[j] = _mm512_set1_ps((float)j * 0.01f);
    for (uint64_t r = 0; r < rounds; r++) {
        for (int j = 0; j < AVX512_CHAINS; j++)
            acc[j] = _mm512_fmadd_ps(acc[j], m, a);
    }
    __m512 s = acc[0];
    for (int j = 1; j < AVX512_CHAINS; j++)
        s = _mm512_add_ps(s, acc[j]);
    peak_sink = _mm512_reduce_add_ps(s);
    return (double)rounds * AVX512_CHAINS * 16 * 2.0;
}
#endif

#if defined(PEAK_ARM64)
/* NEON: 16 of the 32 q registers accumulate, 4 lanes, 2 FLOP. */
enum { NEON_CHAINS = 16 };

static double peak_neon(uint64_t rounds)
{
    float32x4_t acc[NEON_CHAINS];
    const float32x4_t m = vdupq_n_f32(PEAK_M), a = vdupq_n_f32(PEAK_A);
    for (int j = 0; j < NEON_CHAINS; j++)
        acc[j] = vdupq_n_f32((float)j * 0.01f);
    for (uint64_t r = 0; r < rounds; r++) {
        for (int j = 0; j < NEON_CHAINS; j++)
            acc[j] = vfmaq_f32(a, acc[j], m);
    }
    float32x4_t s = acc[0];
    for (int j = 1; j < NEON_CHAINS; j++)
        s = vaddq_f32(s, acc[j]);
    peak_sink = vaddvq_f32(s);
    return (double)rounds * NEON_CHAINS * 4 * 2.0;
}
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
