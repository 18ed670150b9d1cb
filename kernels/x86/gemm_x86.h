/*
 * gemm, x86: C = A B + bias for the upper layers' small matrices (a tile of
 * samples times a 32x32 or 32x10 weight matrix). CHUNK_ROWS rows of A at a
 * time against a chunk of 32 columns of B (vec_x86.h: 2 rows of 4 AVX2
 * vectors, 4 rows of 2 AVX-512 vectors, eight accumulators either way):
 * each row of B is loaded once per CHUNK_ROWS rows of A, and no horizontal
 * sums are needed because B is traversed by rows.
 */

/* Rows [i, i + R) of C, the columns of chunk ch at j. */
VEC_INLINE void gemm_rows(size_t R, size_t i, size_t j, size_t n, size_t k,
                          const float *a, const float *b, const chunk *ch,
                          const vfloat *bias, float *c)
{
    vfloat acc[CHUNK_ROWS][CHUNK_VECS];
    chunk_products(R, k, a + i * k, 1, k, b, n, j, ch, acc);
    for (size_t r = 0; r < R; r++)
        for (size_t q = 0; q < CHUNK_VECS; q++)
            vstore_n(c + (i + r) * n + j + VEC_WIDTH * q, ch->lanes[q],
                     ch->mask[q], vadd(acc[r][q], bias[q]));
}

void SN_X86_FN(gemm)(size_t m, size_t n, size_t k, const float *a,
                     const float *b, const float *bias, float *c)
{
    for (size_t j = 0; j < n; j += CHUNK) {
        const chunk ch = chunk_at(n, j);
        vfloat bv[CHUNK_VECS];
        for (size_t q = 0; q < CHUNK_VECS; q++)
            bv[q] = bias ? vload_n(bias + j + VEC_WIDTH * q, ch.lanes[q], ch.mask[q])
                         : vzero();
        size_t i = 0;
        for (; i + CHUNK_ROWS <= m; i += CHUNK_ROWS)
            gemm_rows(CHUNK_ROWS, i, j, n, k, a, b, &ch, bv, c);
        for (; i < m; i++)
            gemm_rows(1, i, j, n, k, a, b, &ch, bv, c);
    }
}
