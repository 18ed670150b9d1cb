/*
 * gemm_zskip, x86: gemm (C = A B + bias) leaving out the terms p at which
 * a block of CHUNK_ROWS rows of A is all zeros (zskip_x86.h): the same
 * blocks, chains and stores as gemm_x86.h, so the same values. The block's
 * terms are masked once and serve every chunk of columns.
 */
#include "x86/zskip_x86.h"

/* Rows [i, i + R) of C. */
VEC_INLINE void gemm_zskip_rows(size_t R, size_t i, size_t n, size_t k,
                                const float *a, const float *b,
                                const float *bias, float *c)
{
    uint64_t mask[ZSKIP_WORDS];
    const float *ai = a + i * k;
    if (k <= ZSKIP_SPAN)
        zskip_terms(R, 0, k, ai, 1, k, mask);
    for (size_t j = 0; j < n; j += CHUNK) {
        const chunk ch = chunk_at(n, j);
        vfloat acc[CHUNK_ROWS][CHUNK_VECS];
        zskip_sums(R, k, mask, ai, 1, k, b, n, j, &ch, acc);
        for (size_t q = 0; q < CHUNK_VECS; q++) {
            const vfloat bv = bias ? vload_n(bias + j + VEC_WIDTH * q,
                                             ch.lanes[q], ch.mask[q])
                                   : vzero();
            for (size_t r = 0; r < R; r++)
                vstore_n(c + (i + r) * n + j + VEC_WIDTH * q, ch.lanes[q],
                         ch.mask[q], vadd(acc[r][q], bv));
        }
    }
}

void SN_X86_FN(gemm_zskip)(size_t m, size_t n, size_t k, const float *a,
                           const float *b, const float *bias, float *c)
{
    size_t i = 0;
    for (; i + CHUNK_ROWS <= m; i += CHUNK_ROWS)
        gemm_zskip_rows(CHUNK_ROWS, i, n, k, a, b, bias, c);
    for (; i < m; i++)
        gemm_zskip_rows(1, i, n, k, a, b, bias, c);
}
