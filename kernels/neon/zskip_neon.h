/*
 * zskip_neon.h - what gemm_zskip_neon and gemm_tn_zskip_neon share: the
 * nonzero terms of one row (or column) of A, and neon_util.h's column sums
 * over those terms only. The NEON gemm and gemm_tn take one row of A at a
 * time with one accumulator per vector of columns, in order of p; leaving
 * out a zero term keeps every such sum, up to the sign of a zero
 * (kernels/x86/zskip_x86.h says why).
 */
#ifndef SN_ZSKIP_NEON_H
#define SN_ZSKIP_NEON_H

#include "neon_util.h"

/* Terms listed at a time (4 KiB on the stack); longer sums go by spans. */
enum { SN_NEON_ZSKIP_SPAN = 1024 };

/* The p in [p0, p1) with x[p * xs] != 0 (-0 is a zero, NaN is not), in
 * order; returns their count. Branch-free. */
static inline size_t sn_neon_zskip_terms(size_t p0, size_t p1, const float *x,
                                         size_t xs, uint32_t *list)
{
    size_t count = 0;
    for (size_t p = p0; p < p1; p++) {
        uint32_t bits;
        memcpy(&bits, x + p * xs, sizeof bits);
        list[count] = (uint32_t)p;
        count += (bits << 1) != 0;
    }
    return count;
}

/* sn_neon_column_sum4 and _sum1 over the listed terms, added to acc. */
static inline float32x4_t sn_neon_zskip_sum4(size_t count, const uint32_t *list,
                                             const float *x, size_t xs,
                                             const float *y, size_t ys,
                                             size_t j, float32x4_t acc)
{
    for (size_t t = 0; t < count; t++)
        acc = vfmaq_n_f32(acc, vld1q_f32(y + list[t] * ys + j), x[list[t] * xs]);
    return acc;
}

static inline float sn_neon_zskip_sum1(size_t count, const uint32_t *list,
                                       const float *x, size_t xs,
                                       const float *y, size_t ys, size_t j,
                                       float acc)
{
    for (size_t t = 0; t < count; t++)
        acc = fmaf(x[list[t] * xs], y[list[t] * ys + j], acc);
    return acc;
}

/* The len-term sums of row x (terms xs apart) with the columns [0, cols)
 * of the rows of y (ys apart), into out[0..cols), or added to it if add:
 * the dense kernels' sums, four columns per vector and then one at a time,
 * without their zero terms. */
static inline void sn_neon_zskip_row(size_t len, const float *x, size_t xs,
                                     const float *y, size_t ys, size_t cols,
                                     float *out, int add)
{
    uint32_t list[SN_NEON_ZSKIP_SPAN];
    size_t count = 0;
    int listed = 0;
    for (size_t j = 0; j < cols;) {
        const int wide = cols - j >= 4;
        float32x4_t acc4 = vdupq_n_f32(0.0f);
        float acc1 = 0.0f;
        for (size_t p0 = 0; p0 < len; p0 += SN_NEON_ZSKIP_SPAN) {
            const size_t p1 = len - p0 < SN_NEON_ZSKIP_SPAN ? len : p0 + SN_NEON_ZSKIP_SPAN;
            if (!listed || len > SN_NEON_ZSKIP_SPAN)
                count = sn_neon_zskip_terms(p0, p1, x, xs, list);
            listed = 1;
            if (wide)
                acc4 = sn_neon_zskip_sum4(count, list, x, xs, y, ys, j, acc4);
            else
                acc1 = sn_neon_zskip_sum1(count, list, x, xs, y, ys, j, acc1);
        }
        if (wide) {
            vst1q_f32(out + j, add ? vaddq_f32(vld1q_f32(out + j), acc4) : acc4);
            j += 4;
        } else {
            out[j] = add ? out[j] + acc1 : acc1;
            j++;
        }
    }
}

#endif /* SN_ZSKIP_NEON_H */
