/*
 * gemm, x86: C = A B + bias for the upper layers' small matrices (a tile of
 * samples times a weight matrix, transposed: 32x32, 100x10, 256x256...).
 * Blocks of R rows of A against a strip of NV vectors of a chunk of 32
 * columns of B, R NV = GEMM_ACCUMULATORS sums (vec_x86.h: 6 rows of 2
 * AVX2 vectors, 4 rows of a whole AVX-512 chunk, more rows of a narrow
 * tail): each row of the strip is loaded once per R rows of A, and no
 * horizontal sums are needed because B is traversed by rows (packed by
 * blocks where it is wide).
 */

/* Wide B (rows of GEMM_PACK_MIN_N floats or more: 1 KiB apart) is taken
 * GEMM_KB rows of a chunk at a time, copied together first (8 KiB on
 * AVX2), and every block of rows of A goes through the copy. Walked in
 * place, a chunk's rows 1 KiB or more apart share a few cache sets of L1
 * and L2, and B came from L3 again for every block of 2 rows of A: at
 * 1024 wide gemm ran at 12 G FMA/s against OpenBLAS's 28. */
enum { GEMM_KB = 64, GEMM_PACK_MIN_N = 256 };

/* Rows [i, i + R) of C, the NV vectors of strip ch at j, over B's rows
 * [p0, p1), row p at b + (p - p0) * ldb + bj: the sums go on from C's
 * where p0 > 0 (the same chains, cut and resumed), and the bias is added
 * after the last row. */
VEC_INLINE void gemm_rows(size_t R, size_t NV, size_t i, size_t j, size_t n,
                          size_t k, size_t p0, size_t p1, const float *a,
                          const float *b, size_t ldb, size_t bj,
                          const chunk *ch, const vfloat *bias, float *c)
{
    vfloat acc[GEMM_MAX_ACCUMULATORS];
    for (size_t r = 0; r < R; r++)
        for (size_t q = 0; q < NV; q++)
            acc[r * NV + q] =
                p0 ? vload_n(c + (i + r) * n + j + VEC_WIDTH * q, ch->lanes[q],
                             ch->mask[q])
                   : vzero();
    chunk_products_add(R, NV, p1 - p0, a + i * k + p0, 1, k, b, ldb, bj, ch,
                       acc);
    for (size_t r = 0; r < R; r++)
        for (size_t q = 0; q < NV; q++)
            vstore_n(c + (i + r) * n + j + VEC_WIDTH * q, ch->lanes[q],
                     ch->mask[q],
                     p1 == k ? vadd(acc[r * NV + q], bias[q]) : acc[r * NV + q]);
}

/* Every row of C, the NV vectors of strip ch at j, over all of B's rows
 * in place (narrow B), in blocks of ACC sums. */
VEC_INLINE void gemm_strip(size_t NV, size_t ACC, size_t j, const chunk *ch,
                           size_t m, size_t n, size_t k, const float *a,
                           const float *b, const float *bias, float *c)
{
    vfloat bv[GEMM_STRIP_VECS];
    for (size_t q = 0; q < NV; q++)
        bv[q] = bias ? vload_n(bias + j + VEC_WIDTH * q, ch->lanes[q],
                               ch->mask[q])
                     : vzero();
#define GEMM_ROWS(R, i) gemm_rows(R, NV, i, j, n, k, 0, k, a, b, n, j, ch, bv, c)
    ROW_BLOCKS(m, NV, ACC, GEMM_ROWS);
#undef GEMM_ROWS
}

VEC_INLINE void gemm_chunk(size_t NV, size_t ACC, size_t j, const chunk *ch,
                           size_t m, size_t n, size_t k, const float *a,
                           const float *b, const float *bias, float *c)
{
#define GEMM_STRIP(SV, js, sc, ACC)                                            \
    gemm_strip(SV, ACC, js, sc, m, n, k, a, b, bias, c)
    STRIPS_OF_CHUNK(NV, j, ch, ACC, GEMM_STRIP);
#undef GEMM_STRIP
}

/* The same over B's rows [p0, p1) only, copied together first (wide B):
 * the caller takes the blocks of rows in order, each through every chunk,
 * so that B is read a block of whole rows at a time. A strip reads the
 * copy of its chunk pj floats into each row. */
VEC_INLINE void gemm_strip_block(size_t NV, size_t ACC, size_t j, size_t pj,
                                 const chunk *ch, size_t m, size_t n,
                                 size_t k, size_t p0, size_t p1,
                                 const float *a, const float *pack,
                                 const float *bias, float *c)
{
    vfloat bv[GEMM_STRIP_VECS];
    for (size_t q = 0; q < NV; q++)
        bv[q] = bias && p1 == k ? vload_n(bias + j + VEC_WIDTH * q,
                                          ch->lanes[q], ch->mask[q])
                                : vzero();
#define GEMM_ROWS(R, i)                                                        \
    gemm_rows(R, NV, i, j, n, k, p0, p1, a, pack, CHUNK, pj, ch, bv, c)
    ROW_BLOCKS(m, NV, ACC, GEMM_ROWS);
#undef GEMM_ROWS
}

VEC_INLINE void gemm_chunk_block(size_t NV, size_t ACC, size_t j,
                                 const chunk *ch, size_t m, size_t n,
                                 size_t k, size_t p0, size_t p1,
                                 const float *a, const float *b,
                                 const float *bias, float *c)
{
    _Alignas(64) float pack[GEMM_KB * CHUNK];
    for (size_t p = p0; p < p1; p++)
        for (size_t q = 0; q < NV; q++)
            vstore(pack + (p - p0) * CHUNK + VEC_WIDTH * q,
                   vload_n(b + p * n + j + VEC_WIDTH * q, ch->lanes[q],
                           ch->mask[q]));
#define GEMM_STRIP(SV, js, sc, ACC)                                            \
    gemm_strip_block(SV, ACC, js, (js) - j, sc, m, n, k, p0, p1, a, pack,     \
                     bias, c)
    STRIPS_OF_CHUNK(NV, j, ch, ACC, GEMM_STRIP);
#undef GEMM_STRIP
}

/* The whole product with ACC sums a block of whole chunks. */
VEC_INLINE void gemm_with(size_t ACC, size_t m, size_t n, size_t k,
                          const float *a, const float *b, const float *bias,
                          float *c)
{
    if (n < GEMM_PACK_MIN_N) {
#define GEMM_CHUNK(NV, j, ch, ACC)                                             \
    gemm_chunk(NV, ACC, j, ch, m, n, k, a, b, bias, c)
        CHUNKS_OF_ROW(n, ACC, GEMM_CHUNK);
#undef GEMM_CHUNK
        return;
    }
    size_t p0 = 0;
    do { /* once where k is 0: the bias alone */
        const size_t p1 = k - p0 > GEMM_KB ? p0 + GEMM_KB : k;
#define GEMM_CHUNK(NV, j, ch, ACC)                                             \
    gemm_chunk_block(NV, ACC, j, ch, m, n, k, p0, p1, a, b, bias, c)
        CHUNKS_OF_ROW(n, ACC, GEMM_CHUNK);
#undef GEMM_CHUNK
        p0 = p1;
    } while (p0 < k);
}

/* The long sums a function of their own: inlined beside the short ones,
 * the two packed copies of B shared a frame, and at 16x1024x1024 gemm
 * took 1.15 of the time it takes alone (where the copy falls against C's
 * rows 4 KiB apart, it seems). The short ones stay inline: a call more
 * showed at the tutorial's 16x32x10 (50 ns). */
static VEC_NOINLINE void gemm_long(size_t m, size_t n, size_t k,
                                   const float *a, const float *b,
                                   const float *bias, float *c)
{
    gemm_with(GEMM_LONG_ACCUMULATORS, m, n, k, a, b, bias, c);
}

/* The sums are k long (vec_x86.h, GEMM_LONG_MIN). */
void SN_X86_FN(gemm)(size_t m, size_t n, size_t k, const float *a,
                     const float *b, const float *bias, float *c)
{
    if ((int)GEMM_LONG_ACCUMULATORS != (int)GEMM_ACCUMULATORS &&
        k >= GEMM_LONG_MIN)
        gemm_long(m, n, k, a, b, bias, c);
    else
        gemm_with(GEMM_ACCUMULATORS, m, n, k, a, b, bias, c);
}
