/*
 * gemm, x86: C = A B + bias for the upper layers' small matrices (a tile of
 * samples times a weight matrix, transposed: 32x32, 100x10, 256x256...).
 * Blocks of R rows of A against the NV vectors of a chunk of 32 columns of
 * B, R NV = 8 accumulators (vec_x86.h: 2 rows of 4 AVX2 vectors or 4 of 2
 * AVX-512 vectors for a whole chunk, 8 rows of a narrow tail): each row of
 * B is loaded once per R rows of A, and no horizontal sums are needed
 * because B is traversed by rows.
 */

/* Rows [i, i + R) of C, the NV vectors of chunk ch at j. */
VEC_INLINE void gemm_rows(size_t R, size_t NV, size_t i, size_t j, size_t n,
                          size_t k, const float *a, const float *b,
                          const chunk *ch, const vfloat *bias, float *c)
{
    vfloat acc[SN_X86_ACCUMULATORS];
    chunk_products(R, NV, k, a + i * k, 1, k, b, n, j, ch, acc);
    for (size_t r = 0; r < R; r++)
        for (size_t q = 0; q < NV; q++)
            vstore_n(c + (i + r) * n + j + VEC_WIDTH * q, ch->lanes[q],
                     ch->mask[q], vadd(acc[r * NV + q], bias[q]));
}

/* Every row of C, the NV vectors of chunk ch at j. */
VEC_INLINE void gemm_chunk(size_t NV, size_t j, const chunk *ch, size_t m,
                           size_t n, size_t k, const float *a, const float *b,
                           const float *bias, float *c)
{
    vfloat bv[CHUNK_VECS];
    for (size_t q = 0; q < NV; q++)
        bv[q] = bias ? vload_n(bias + j + VEC_WIDTH * q, ch->lanes[q], ch->mask[q])
                     : vzero();
#define GEMM_ROWS(R, i) gemm_rows(R, NV, i, j, n, k, a, b, ch, bv, c)
    ROW_BLOCKS(m, NV, GEMM_ROWS);
#undef GEMM_ROWS
}

void SN_X86_FN(gemm)(size_t m, size_t n, size_t k, const float *a,
                     const float *b, const float *bias, float *c)
{
#define GEMM_CHUNK(NV, j, ch) gemm_chunk(NV, j, ch, m, n, k, a, b, bias, c)
    CHUNKS_OF_ROW(n, GEMM_CHUNK);
#undef GEMM_CHUNK
}
