/*
 * fp_mode.h - the calling thread's handling of subnormal floats.
 *
 * Training flushes them: a float below FLT_MIN (1.2e-38) read or made by
 * the kernels is taken as zero (x86-64: MXCSR's DAZ and FTZ bits; AArch64:
 * FPCR.FZ). Intel cores take a microcode assist of about a hundred cycles
 * for each subnormal operand or result, and a wide sigmoid network with
 * the tutorial's U(-1,1) weights saturates into them: 784-1024-10 trained
 * ten times slower on a Xeon with them than without (docs/engines.md,
 * "Subnormals"). What changes is only values under FLT_MIN in magnitude,
 * the same way on every kernel set, so a fixed seed, thread count and
 * kernel set still give one result.
 */
#ifndef SN_FP_MODE_H
#define SN_FP_MODE_H

/* The thread's mode before sn_fp_flush_subnormals, for sn_fp_restore. */
typedef unsigned long sn_fp_mode;

/* Makes the calling thread flush subnormal inputs and results to zero;
 * returns its previous mode. A no-op (returning 0) where the target has
 * no such mode. */
sn_fp_mode sn_fp_flush_subnormals(void);

/* Puts back the mode sn_fp_flush_subnormals returned. */
void sn_fp_restore(sn_fp_mode saved);

#endif
