/*
 * gemm_tn, x86: C += A^T B, the weight gradient of a tile of samples (A:
 * the tile's deltas [m][n], B: its inputs [m][k], C: [n][k]). CHUNK_ROWS
 * rows of C at a time, a chunk of 32 columns (vec_x86.h), summed over the
 * tile in registers, so each row of C is read and written once per tile
 * instead of once per sample.
 */

/* Rows [r, r + R) of C, the columns of chunk ch at j. */
VEC_INLINE void gemm_tn_rows(size_t R, size_t r, size_t j, size_t m,
                             size_t n, size_t k, const float *a,
                             const float *b, const chunk *ch, float *c)
{
    vfloat acc[CHUNK_ROWS][CHUNK_VECS];
    chunk_products(R, m, a + r, n, 1, b, k, j, ch, acc);
    for (size_t x = 0; x < R; x++)
        for (size_t q = 0; q < CHUNK_VECS; q++) {
            float *cr = c + (r + x) * k + j + VEC_WIDTH * q;
            vstore_n(cr, ch->lanes[q], ch->mask[q],
                     vadd(vload_n(cr, ch->lanes[q], ch->mask[q]), acc[x][q]));
        }
}

void SN_X86_FN(gemm_tn)(size_t m, size_t n, size_t k, const float *a,
                        const float *b, float *c)
{
    for (size_t j = 0; j < k; j += CHUNK) {
        const chunk ch = chunk_at(k, j);
        size_t r = 0;
        for (; r + CHUNK_ROWS <= n; r += CHUNK_ROWS)
            gemm_tn_rows(CHUNK_ROWS, r, j, m, n, k, a, b, &ch, c);
        for (; r < n; r++)
            gemm_tn_rows(1, r, j, m, n, k, a, b, &ch, c);
    }
}
