/*
 * cpu.c - what this CPU and its OS can run, detected once.
 *
 * x86-64: cpuid for the instruction sets, xgetbv for the OS's promise to
 * save the registers (YMM for AVX2, ZMM and opmasks for AVX-512); a CPU
 * that has AVX-512 under an OS (or a valgrind) that does not save ZMM state
 * must not use it. aarch64: the auxiliary vector's HWCAP_ASIMD.
 */
#include <stdio.h>
#include <string.h>

#include "simdnet.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define SN_X86 1
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#define SN_ARM64 1
#endif

typedef struct cpu_info {
    int detected;
    int supported[SN_ISA_COUNT];
    char features[256];
    char model[128];
} cpu_info;

static cpu_info info;

static void add_feature(const char *name)
{
    size_t len = strlen(info.features);
    snprintf(info.features + len, sizeof info.features - len, "%s%s",
             len ? " " : "", name);
}

#ifdef SN_X86
static unsigned long long xgetbv0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static void detect_x86(void)
{
    unsigned a, b, c, d;
    const unsigned max = (unsigned)__get_cpuid_max(0, NULL);
    if (max < 1)
        return;
    __cpuid(1, a, b, c, d);
    const int sse2 = (d >> 26) & 1;
    const int fma = (c >> 12) & 1;
    const int osxsave = (c >> 27) & 1;
    const int avx = (c >> 28) & 1;
    int avx2 = 0, avx512f = 0, avx512dq = 0, avx512bw = 0, avx512vl = 0;
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        avx2 = (b >> 5) & 1;
        avx512f = (b >> 16) & 1;
        avx512dq = (b >> 17) & 1;
        avx512bw = (b >> 30) & 1;
        avx512vl = (b >> 31) & 1;
    }
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    const int os_ymm = (xcr0 & 0x6) == 0x6;     /* XMM and YMM state */
    const int os_zmm = (xcr0 & 0xe6) == 0xe6;   /* + opmask, ZMM0-15 hi, ZMM16-31 */

    if (sse2) add_feature("sse2");
    if (avx) add_feature("avx");
    if (avx2) add_feature("avx2");
    if (fma) add_feature("fma");
    if (avx512f) add_feature("avx512f");
    if (avx512dq) add_feature("avx512dq");
    if (avx512bw) add_feature("avx512bw");
    if (avx512vl) add_feature("avx512vl");
    if (!os_ymm && (avx || avx2)) add_feature("(os: no ymm state)");
    if (os_ymm && !os_zmm && avx512f) add_feature("(os: no zmm state)");

    info.supported[SN_ISA_AVX2] = avx && avx2 && fma && os_ymm;
    info.supported[SN_ISA_AVX512] = info.supported[SN_ISA_AVX2] && avx512f &&
                                    avx512dq && avx512bw && avx512vl && os_zmm;

    /* Brand string: leaves 0x80000002..4. */
    if ((unsigned)__get_cpuid_max(0x80000000, NULL) >= 0x80000004u) {
        unsigned regs[12];
        for (unsigned i = 0; i < 3; i++)
            __cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1],
                    regs[4 * i + 2], regs[4 * i + 3]);
        char brand[49];
        memcpy(brand, regs, 48);
        brand[48] = '\0';
        const char *s = brand;
        while (*s == ' ')
            s++;
        snprintf(info.model, sizeof info.model, "%s", s);
        size_t n = strlen(info.model);
        while (n > 0 && info.model[n - 1] == ' ')
            info.model[--n] = '\0';
    }
}
#endif

#ifdef SN_ARM64
static void detect_arm64(void)
{
    unsigned long hw = getauxval(AT_HWCAP);
    if (hw & HWCAP_ASIMD) {
        add_feature("asimd");
        info.supported[SN_ISA_NEON] = 1;
    }
    snprintf(info.model, sizeof info.model, "aarch64");
}
#endif

static void detect(void)
{
    /* Idempotent and cheap: races between threads would store identical
     * values, but callers reach it from the main thread first anyway. */
    if (info.detected)
        return;
    snprintf(info.model, sizeof info.model, "unknown");
    info.supported[SN_ISA_SCALAR] = 1;
#ifdef SN_X86
    detect_x86();
#endif
#ifdef SN_ARM64
    detect_arm64();
#endif
    if (info.features[0] == '\0')
        add_feature("none");
    info.detected = 1;
}

int sn_isa_supported(sn_isa isa)
{
    detect();
    return (unsigned)isa < SN_ISA_COUNT && info.supported[isa];
}

const char *sn_cpu_features(void)
{
    detect();
    return info.features;
}

const char *sn_cpu_model(void)
{
    detect();
    return info.model;
}
