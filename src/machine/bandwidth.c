/*
 * bandwidth.c - the measured streaming read bandwidth of this machine at
 * working sets that sit in L1, L2, L3 and DRAM: the memory roofs against
 * which a memory-bound kernel's bytes per second are read, as peak.c gives
 * the compute roof.
 *
 * The method. Each thread reads its own buffer front to back, every byte of
 * it, with the widest loads of the ISA, and adds what it reads into eight
 * independent integer accumulators:
 *   - every load's value reaches the result (a sum the caller keeps), so the
 *     compiler can drop no load; an empty asm statement makes the buffer's
 *     address opaque before each pass, so it cannot keep one pass's sum for
 *     the next either (the loop reads memory it never writes, and a pure
 *     function of the same arguments could otherwise be hoisted);
 *   - integer adds are exact and need no reassociation licence (float sums
 *     would stay scalar without -ffast-math), cost one cycle and run on more
 *     ports than there are load ports, and eight chains hide their latency,
 *     so the loop is bound by the loads alone;
 *   - the loads are as wide as the ISA's kernels' loads, because the L1 roof
 *     is load ports times load width: a 16-byte loop would show half of what
 *     an AVX2 kernel reads from L1. The vectors are GNU C vector types, so
 *     the compiler emits the loads itself; the AVX loops are compiled for
 *     their ISA with target attributes (no per-file flags), like peak.c, and
 *     run only where sn_isa_supported says the CPU has them;
 *   - each thread first writes its buffer (a freshly mapped zero page would
 *     otherwise be one physical page, always in L1) and reads it once
 *     untimed, so the timed passes find it in the level it fits;
 *   - the threads start together after a barrier and the time runs until the
 *     last one is done; the best of several short tries is kept, as for the
 *     FMA peak: the best is the machine, the others include another
 *     process's work.
 * Wall time is used, like sn_peak_flops: the roofs are for the training
 * runs, which are timed in wall time too.
 *
 * The core-to-core bandwidth is a third kind of roof: what the reduction
 * of per-thread gradient buffers moves, where a line written by one core
 * is read by another and then written again by the first. Streaming
 * reads of another core's lines run near the L3 roof; it is the writes
 * that cost, each taking a line back from the other core (on a 2-vCPU
 * AMD EPYC Zen 4 VM, 2026-12-02: about 20 GB/s a round, against 210 GB/s
 * for the two cores' L2 reads), so the round is timed whole.
 */
#include <omp.h>
#include <stdint.h>
#include <time.h>

#include "alloc.h"
#include "simdnet.h"

#if defined(__x86_64__) || defined(_M_X64)
#define BW_X86 1
#endif

/* Eight vectors per step; buffers are read in whole steps. */
enum { BW_CHAINS = 8, BW_STEP_MAX = BW_CHAINS * 64 };

/* Keeps the compiler from dropping the sums. */
static volatile uint64_t bw_sink;

/* One loop per vector width of bytes_per_vec bytes, written once as a
 * macro so that the three widths are the same loop. The BW_CHAINS = 8
 * accumulators are eight named variables, not an array: gcc for AArch64
 * at -O2 kept an array's inner loop rolled and the accumulators in memory,
 * which bound the loop by store forwarding instead of by the loads. */
#define BW_READ_LOOP(name, attr, bytes_per_vec)                                \
    typedef uint64_t name##_vec                                               \
        __attribute__((vector_size(bytes_per_vec), aligned(bytes_per_vec)));  \
    attr static uint64_t name(const void *buf, size_t bytes)                   \
    {                                                                          \
        const name##_vec *p = buf;                                             \
        const size_t steps = bytes / (BW_CHAINS * (bytes_per_vec));            \
        name##_vec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};                     \
        name##_vec a4 = {0}, a5 = {0}, a6 = {0}, a7 = {0};                     \
        for (size_t s = 0; s < steps; s++, p += BW_CHAINS) {                   \
            a0 += p[0];                                                        \
            a1 += p[1];                                                        \
            a2 += p[2];                                                        \
            a3 += p[3];                                                        \
            a4 += p[4];                                                        \
            a5 += p[5];                                                        \
            a6 += p[6];                                                        \
            a7 += p[7];                                                        \
        }                                                                      \
        const name##_vec t = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)); \
        uint64_t sum = 0;                                                      \
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)                    \
            sum += t[i];                                                       \
        return sum;                                                            \
    }

/* The baseline ISA's 128-bit vectors (SSE2 on x86-64, NEON on AArch64):
 * what the scalar kernels read with as gcc vectorises them. */
BW_READ_LOOP(read_v16, , 16)
#if defined(BW_X86)
BW_READ_LOOP(read_v32, __attribute__((target("avx2"))), 32)
BW_READ_LOOP(read_v64, __attribute__((target("avx512f"))), 64)
#endif

typedef uint64_t read_fn(const void *buf, size_t bytes);

static read_fn *read_loop(sn_isa isa, size_t *step)
{
    if (!sn_isa_supported(isa))
        return NULL;
    switch (isa) {
    case SN_ISA_SCALAR:
    case SN_ISA_NEON: *step = BW_CHAINS * 16; return read_v16;
#if defined(BW_X86)
    case SN_ISA_AVX2: *step = BW_CHAINS * 32; return read_v32;
    case SN_ISA_AVX512: *step = BW_CHAINS * 64; return read_v64;
#endif
    default: return NULL;
    }
}

uint64_t sn_bandwidth_loop(sn_isa isa, const void *buf, size_t bytes)
{
    size_t step = 0;
    read_fn *fn = read_loop(isa, &step);
    if (!fn || !buf)
        return 0;
    /* The address, opaque: each call reads memory anew. */
    __asm__ volatile("" : "+r"(buf) : : "memory");
    return fn(buf, bytes);
}

size_t sn_bandwidth_step(sn_isa isa)
{
    size_t step = 0;
    return read_loop(isa, &step) ? step : 0;
}

/* ------------------------------------------------------------------ sizes */

enum { KIB = 1024, MIB = 1024 * 1024 };

/* Fixed sizes where hwloc does not know a cache: common current values. */
static void cache_sizes(size_t *l1, size_t *l2, size_t *l3)
{
    const sn_topology *t = sn_topology_get();
    *l1 = t->l1d ? t->l1d : 32 * (size_t)KIB;
    *l2 = t->l2 > *l1 ? t->l2 : 1 * (size_t)MIB;
    *l3 = t->l3 > *l2 ? t->l3 : 32 * (size_t)MIB;
}

const char *sn_mem_level_name(sn_mem_level level)
{
    static const char *const names[SN_MEM_LEVELS] = {"L1", "L2", "L3", "DRAM"};
    return (unsigned)level < SN_MEM_LEVELS ? names[level] : "?";
}

size_t sn_bandwidth_working_set(sn_mem_level level, int threads)
{
    size_t l1, l2, l3;
    cache_sizes(&l1, &l2, &l3);
    const size_t t = threads > 0 ? (size_t)threads : 1;
    size_t bytes = 0;
    switch (level) {
    /* L1 and L2 are per core: half of one, leaving room for the stack and
     * the other half for what the hardware prefetches or keeps. */
    case SN_MEM_L1: bytes = l1 / 2; break;
    case SN_MEM_L2: bytes = l2 / 2 > 2 * l1 ? l2 / 2 : 2 * l1; break;
    /* L3 is shared by the threads: half of it between them, but at least
     * twice L2 so that it is not read from L2. */
    case SN_MEM_L3:
        bytes = l3 / 2 / t;
        if (bytes < 2 * l2)
            bytes = 2 * l2;
        break;
    /* Twice L3 per thread: no thread's buffer fits in any L3 instance. */
    case SN_MEM_DRAM: bytes = 2 * l3; break;
    default: return 0;
    }
    return bytes / BW_STEP_MAX * BW_STEP_MAX;
}

/* ------------------------------------------------------------------ timing */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Bytes/s of every thread reading its buffer `passes` times at once. */
static double timed_passes(sn_isa isa, void *const *bufs, size_t bytes,
                           int threads, long passes)
{
    double t0 = 0.0, t1 = 0.0;
    uint64_t sum = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sum)
    {
        const void *b = bufs[omp_get_thread_num()];
#pragma omp barrier
#pragma omp master
        t0 = now_seconds();
        for (long p = 0; p < passes; p++)
            sum += sn_bandwidth_loop(isa, b, bytes);
#pragma omp barrier
#pragma omp master
        t1 = now_seconds();
    }
    bw_sink = sum;
    const double secs = t1 - t0;
    return secs > 0.0 ? (double)bytes * threads * (double)passes / secs : 0.0;
}

/* Tries of a measurement, the best kept. */
enum { TRIES = 10 };

/* bytes rounded down to whole steps of isa's loop: 0 if isa cannot run or
 * not one step fits. */
static size_t whole_steps(sn_isa isa, size_t bytes)
{
    const size_t step = sn_bandwidth_step(isa);
    return step ? bytes / step * step : 0;
}

double sn_bandwidth_read(sn_isa isa, size_t bytes, int threads, double seconds)
{
    bytes = whole_steps(isa, bytes);
    if (bytes == 0 || threads < 1)
        return 0.0;
    if (seconds <= 0.0)
        seconds = 0.05;

    void **bufs = sn_alloc_array((size_t)threads, sizeof *bufs);
    if (!bufs)
        return 0.0;
    int ok = 1, ran = 0;
    /* Each thread writes its own buffer: pages are mapped and, on NUMA
     * machines, placed near the thread that reads them. */
#pragma omp parallel num_threads(threads) reduction(& : ok) reduction(+ : ran)
    {
        unsigned char *b = sn_alloc_array(bytes, 1);
        for (size_t i = 0; b && i < bytes; i++)
            b[i] = (unsigned char)(i * 131u + 7u);
        bufs[omp_get_thread_num()] = b;
        ok = b != NULL;
        ran = 1;
    }
    double best = 0.0;
    if (ok && ran == threads) {
        /* Size the passes on one untimed pass (which also warms the
         * caches), then keep the best of several short tries. */
        const double rate = timed_passes(isa, bufs, bytes, threads, 1);
        long passes = 1;
        if (rate > 0.0) {
            const double want =
                rate * seconds / TRIES / ((double)bytes * threads);
            passes = want > 1.0 ? (long)want : 1;
        }
        for (int i = 0; i < TRIES; i++) {
            const double r = timed_passes(isa, bufs, bytes, threads, passes);
            if (r > best)
                best = r;
        }
    }
    for (int i = 0; i < threads; i++)
        sn_free(bufs[i]);
    sn_free(bufs);
    return best;
}

/* ------------------------------------------------------------ core to core */

/* `rounds` rounds in one parallel region, timed whole: in each, both
 * threads write every line of their own buffer (one word each: the line
 * is then modified in the writer's cache, and the other core's copy, read
 * in the round before, is invalidated), then after a barrier read the
 * other's. Returns the seconds. */
static double c2c_rounds(sn_isa isa, unsigned char *const *bufs, size_t bytes,
                         long rounds, uint64_t *sum)
{
    double t0 = 0.0, t1 = 0.0;
    uint64_t s = 0;
#pragma omp parallel num_threads(2) reduction(+ : s)
    {
        const int id = omp_get_thread_num();
        unsigned char *mine = bufs[id];
#pragma omp barrier
#pragma omp master
        t0 = now_seconds();
        for (long r = 0; r < rounds; r++) {
            for (size_t i = 0; i < bytes; i += 64)
                *(volatile uint64_t *)(void *)(mine + i) = (uint64_t)r + i;
#pragma omp barrier
            s += sn_bandwidth_loop(isa, bufs[1 - id], bytes);
#pragma omp barrier
        }
#pragma omp master
        t1 = now_seconds();
    }
    *sum += s;
    return t1 - t0;
}

double sn_bandwidth_core_to_core(sn_isa isa, size_t bytes, double seconds)
{
    bytes = whole_steps(isa, bytes);
    if (bytes == 0)
        return 0.0;
    if (seconds <= 0.0)
        seconds = 0.05;

    unsigned char *bufs[2] = {NULL, NULL};
    int team = 0;
    /* Each thread maps its own buffer, near itself on a NUMA machine. */
#pragma omp parallel num_threads(2) reduction(+ : team)
    {
        bufs[omp_get_thread_num()] = sn_alloc_array(bytes, 1);
        team = 1;
    }
    double best = 0.0;
    uint64_t sum = 0;
    if (team == 2 && bufs[0] && bufs[1]) {
        /* Size the tries on two untimed rounds (the first maps pages). */
        const double first = c2c_rounds(isa, bufs, bytes, 2, &sum) / 2.0;
        long rounds = 1;
        if (first > 0.0 && seconds / TRIES / first > 1.0)
            rounds = (long)(seconds / TRIES / first);
        for (int i = 0; i < TRIES; i++) {
            const double secs = c2c_rounds(isa, bufs, bytes, rounds, &sum);
            const double rate =
                secs > 0.0 ? 2.0 * (double)bytes * (double)rounds / secs : 0.0;
            if (rate > best)
                best = rate;
        }
    }
    bw_sink = sum;
    sn_free(bufs[0]);
    sn_free(bufs[1]);
    return best;
}

void sn_bandwidth_roofs(sn_isa isa, int threads, double seconds,
                        sn_bandwidth_roof roofs[SN_MEM_LEVELS])
{
    for (int l = 0; l < SN_MEM_LEVELS; l++) {
        const sn_mem_level level = (sn_mem_level)l;
        roofs[l].bytes = sn_bandwidth_working_set(level, threads);
        roofs[l].bytes_per_s =
            sn_bandwidth_read(isa, roofs[l].bytes, threads, seconds);
    }
}
