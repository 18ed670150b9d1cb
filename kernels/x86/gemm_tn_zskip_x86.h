/*
 * gemm_tn_zskip, x86: gemm_tn (C += A^T B) leaving out the samples s at
 * which a block of CHUNK_ROWS columns of A is all zeros (zskip_x86.h): the
 * same blocks, chains and adds as gemm_tn_x86.h, so the same values. The
 * block's samples are masked once and serve every chunk of columns.
 */
#include "x86/zskip_x86.h"

/* Rows [r, r + R) of C. */
VEC_INLINE void gemm_tn_zskip_rows(size_t R, size_t r, size_t m, size_t n,
                                   size_t k, const float *a, const float *b,
                                   float *c)
{
    uint64_t mask[ZSKIP_WORDS];
    const float *ar = a + r;
    if (m <= ZSKIP_SPAN)
        zskip_terms(R, 0, m, ar, n, 1, mask);
    for (size_t j = 0; j < k; j += CHUNK) {
        const chunk ch = chunk_at(k, j);
        vfloat acc[CHUNK_ROWS][CHUNK_VECS];
        zskip_sums(R, m, mask, ar, n, 1, b, k, j, &ch, acc);
        for (size_t x = 0; x < R; x++)
            for (size_t q = 0; q < CHUNK_VECS; q++) {
                float *cr = c + (r + x) * k + j + VEC_WIDTH * q;
                vstore_n(cr, ch.lanes[q], ch.mask[q],
                         vadd(vload_n(cr, ch.lanes[q], ch.mask[q]), acc[x][q]));
            }
    }
}

void SN_X86_FN(gemm_tn_zskip)(size_t m, size_t n, size_t k, const float *a,
                              const float *b, float *c)
{
    size_t r = 0;
    for (; r + CHUNK_ROWS <= n; r += CHUNK_ROWS)
        gemm_tn_zskip_rows(CHUNK_ROWS, r, m, n, k, a, b, c);
    for (; r < n; r++)
        gemm_tn_zskip_rows(1, r, m, n, k, a, b, c);
}
