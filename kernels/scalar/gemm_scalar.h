/* gemm_scalar.h - the scalar gemm and gemm_tn, written once for the
 * oracles with and without A's zeros (gemm_scalar.c, gemm_zskip_scalar.c
 * and their _tn pair): a zero of A is left out only if skip_zeros, which
 * changes no sum but the sign of a zero one (kernels.h). */
#ifndef SN_GEMM_SCALAR_H
#define SN_GEMM_SCALAR_H

#include "kernels.h"

/* y += a x over n floats, in order. */
static inline void sn_row_add_scaled(size_t n, float a, const float *x,
                                     float *y)
{
    for (size_t j = 0; j < n; j++)
        y[j] += a * x[j];
}

/* C = A B + bias, row by row, each output row an accumulation of B's rows
 * scaled by A's entries (the order of sums the SIMD versions use too). */
static inline void sn_gemm_rows_scalar(size_t m, size_t n, size_t k,
                                       const float *a, const float *b,
                                       const float *bias, float *c,
                                       int skip_zeros)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * n;
        for (size_t j = 0; j < n; j++)
            ci[j] = 0.0f;
        for (size_t p = 0; p < k; p++) {
            const float aip = a[i * k + p];
            if (skip_zeros && aip == 0.0f)
                continue;
            sn_row_add_scaled(n, aip, b + p * n, ci);
        }
        if (bias) {
            for (size_t j = 0; j < n; j++)
                ci[j] += bias[j];
        }
    }
}

/* C += A^T B: row r of C gathers B's rows scaled by column r of A. */
static inline void sn_gemm_tn_rows_scalar(size_t m, size_t n, size_t k,
                                          const float *a, const float *b,
                                          float *c, int skip_zeros)
{
    for (size_t r = 0; r < n; r++) {
        float *cr = c + r * k;
        for (size_t s = 0; s < m; s++) {
            const float asr = a[s * n + r];
            if (skip_zeros && asr == 0.0f)
                continue;
            sn_row_add_scaled(k, asr, b + s * k, cr);
        }
    }
}

#endif
