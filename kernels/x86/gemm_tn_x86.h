/*
 * gemm_tn, x86: C += A^T B, the weight gradient of a tile of samples (A:
 * the tile's deltas [m][n], B: its inputs [m][k], C: [n][k]). Blocks of R
 * rows of C against the NV vectors of a chunk of 32 columns (as gemm:
 * R NV = 8 accumulators), summed over the tile in registers, so each row
 * of C is read and written once per tile instead of once per sample.
 */

/* Rows [r, r + R) of C, the NV vectors of chunk ch at j. */
VEC_INLINE void gemm_tn_rows(size_t R, size_t NV, size_t r, size_t j,
                             size_t m, size_t n, size_t k, const float *a,
                             const float *b, const chunk *ch, float *c)
{
    vfloat acc[SN_X86_ACCUMULATORS];
    chunk_products(R, NV, m, a + r, n, 1, b, k, j, ch, acc);
    for (size_t x = 0; x < R; x++)
        for (size_t q = 0; q < NV; q++) {
            float *cr = c + (r + x) * k + j + VEC_WIDTH * q;
            vstore_n(cr, ch->lanes[q], ch->mask[q],
                     vadd(vload_n(cr, ch->lanes[q], ch->mask[q]), acc[x * NV + q]));
        }
}

/* Every row of C, the NV vectors of chunk ch at j. */
VEC_INLINE void gemm_tn_chunk(size_t NV, size_t j, const chunk *ch, size_t m,
                              size_t n, size_t k, const float *a,
                              const float *b, float *c)
{
#define GEMM_TN_ROWS(R, r) gemm_tn_rows(R, NV, r, j, m, n, k, a, b, ch, c)
    ROW_BLOCKS(n, NV, GEMM_TN_ROWS);
#undef GEMM_TN_ROWS
}

void SN_X86_FN(gemm_tn)(size_t m, size_t n, size_t k, const float *a,
                        const float *b, float *c)
{
#define GEMM_TN_CHUNK(NV, j, ch) gemm_tn_chunk(NV, j, ch, m, n, k, a, b, c)
    CHUNKS_OF_ROW(k, GEMM_TN_CHUNK);
#undef GEMM_TN_CHUNK
}
