/*
 * fp_mode.c - subnormal floats flushed to zero on the calling thread, and
 * the thread's mode put back after: a library must leave the caller's
 * threads as it found them.
 */
#include "fp_mode.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>

/* MXCSR: FTZ (results) is bit 15, DAZ (inputs) bit 6. */
#define MXCSR_FTZ_DAZ 0x8040u

sn_fp_mode sn_fp_flush_subnormals(void)
{
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(saved | MXCSR_FTZ_DAZ);
    return saved;
}

void sn_fp_restore(sn_fp_mode saved)
{
    _mm_setcsr((unsigned)saved);
}

#elif defined(__aarch64__)

/* FPCR.FZ (bit 24) flushes single-precision inputs and results. */
#define FPCR_FZ (1ul << 24)

sn_fp_mode sn_fp_flush_subnormals(void)
{
    unsigned long saved;
    __asm__ volatile("mrs %0, fpcr" : "=r"(saved));
    __asm__ volatile("msr fpcr, %0" : : "r"(saved | FPCR_FZ));
    return saved;
}

void sn_fp_restore(sn_fp_mode saved)
{
    __asm__ volatile("msr fpcr, %0" : : "r"(saved));
}

#else

sn_fp_mode sn_fp_flush_subnormals(void)
{
    return 0;
}

void sn_fp_restore(sn_fp_mode saved)
{
    (void)saved;
}

#endif
