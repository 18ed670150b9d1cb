/*
 * gemm_tn, x86: C += A^T B, the weight gradient of a tile of samples (A:
 * the tile's deltas [m][n], B: its inputs [m][k], C: [n][k]). Blocks of R
 * rows of C against a strip of NV vectors of a chunk of 32 columns (as
 * gemm: R NV = GEMM_ACCUMULATORS sums), summed over the tile in registers,
 * so each row of C is read and written once per tile instead of once per
 * sample.
 */

/* Rows [r, r + R) of C, the NV vectors of strip ch at j; B's row p at
 * b + p * ldb + bj (B itself, or its chunk's packed copy). */
VEC_INLINE void gemm_tn_rows(size_t R, size_t NV, size_t r, size_t j,
                             size_t m, size_t n, size_t k, const float *a,
                             const float *b, size_t ldb, size_t bj,
                             const chunk *ch, float *c)
{
    vfloat acc[GEMM_MAX_ACCUMULATORS];
    chunk_products(R, NV, m, a + r, n, 1, b, ldb, bj, ch, acc);
    for (size_t x = 0; x < R; x++)
        for (size_t q = 0; q < NV; q++) {
            float *cr = c + (r + x) * k + j + VEC_WIDTH * q;
            vstore_n(cr, ch->lanes[q], ch->mask[q],
                     vadd(vload_n(cr, ch->lanes[q], ch->mask[q]), acc[x * NV + q]));
        }
}

/* Every row of C, the NV vectors of strip ch at j, in blocks of ACC sums. */
VEC_INLINE void gemm_tn_strip(size_t NV, size_t ACC, size_t j,
                              const chunk *ch, size_t m, size_t n, size_t k,
                              const float *a, const float *b, float *c)
{
#define GEMM_TN_ROWS(R, r) gemm_tn_rows(R, NV, r, j, m, n, k, a, b, k, j, ch, c)
    ROW_BLOCKS(n, NV, ACC, GEMM_TN_ROWS);
#undef GEMM_TN_ROWS
}

VEC_INLINE void gemm_tn_chunk(size_t NV, size_t ACC, size_t j,
                              const chunk *ch, size_t m, size_t n, size_t k,
                              const float *a, const float *b, float *c)
{
#define GEMM_TN_STRIP(SV, js, sc, ACC)                                         \
    gemm_tn_strip(SV, ACC, js, sc, m, n, k, a, b, c)
    STRIPS_OF_CHUNK(NV, j, ch, ACC, GEMM_TN_STRIP);
#undef GEMM_TN_STRIP
}

/* Wide C (rows of GEMM_TN_WIDE_K floats or more: 1 KiB apart) goes a
 * group of ACC rows (its sums a block) at a time through every chunk, so that
 * it is read and written a few whole rows at a time, and B (up to
 * GEMM_TN_PACK floats) is first copied chunk by chunk into one block each:
 * walked chunk by chunk down all of C, its rows 4 KiB apart at 1024 wide,
 * every access missed the caches and their prefetchers, and a chunk of
 * B's rows 4 KiB apart shared one set of L1 (9.4 G FMA/s against
 * OpenBLAS's 28 at 16x1024x1024). */
enum { GEMM_TN_WIDE_K = 256, GEMM_TN_PACK = 16 * 1024 };

/* Rows [r0, r0 + g) of C, the NV vectors of strip ch at j, pj floats into
 * its chunk, whose copy is at bp (m rows of CHUNK floats). */
VEC_INLINE void gemm_tn_strip_rows(size_t NV, size_t ACC, size_t j,
                                   size_t pj, const chunk *ch, size_t r0,
                                   size_t g, size_t m, size_t n, size_t k,
                                   const float *a, const float *bp, float *c)
{
#define GEMM_TN_ROWS(R, r)                                                     \
    gemm_tn_rows(R, NV, r0 + (r), j, m, n, k, a, bp, CHUNK, pj, ch, c)
    ROW_BLOCKS(g, NV, ACC, GEMM_TN_ROWS);
#undef GEMM_TN_ROWS
}

VEC_INLINE void gemm_tn_chunk_rows(size_t NV, size_t ACC, size_t j,
                                   const chunk *ch, size_t r0, size_t g,
                                   size_t m, size_t n, size_t k,
                                   const float *a, const float *bp, float *c)
{
#define GEMM_TN_STRIP(SV, js, sc, ACC)                                         \
    gemm_tn_strip_rows(SV, ACC, js, (js) - j, sc, r0, g, m, n, k, a, bp, c)
    STRIPS_OF_CHUNK(NV, j, ch, ACC, GEMM_TN_STRIP);
#undef GEMM_TN_STRIP
}

/* The whole product with ACC sums a block of whole chunks. */
VEC_INLINE void gemm_tn_with(size_t ACC, size_t m, size_t n, size_t k,
                             const float *a, const float *b, float *c)
{
    const size_t chunks = (k + CHUNK - 1) / CHUNK;
    if (k < GEMM_TN_WIDE_K || m * chunks * CHUNK > GEMM_TN_PACK) {
#define GEMM_TN_CHUNK(NV, j, ch, ACC)                                          \
    gemm_tn_chunk(NV, ACC, j, ch, m, n, k, a, b, c)
        CHUNKS_OF_ROW(k, ACC, GEMM_TN_CHUNK);
#undef GEMM_TN_CHUNK
        return;
    }
    /* B's chunk at j as m rows of CHUNK floats at pack + j m; the lanes
     * past k are zero and never stored. */
    _Alignas(64) float pack[GEMM_TN_PACK];
    for (size_t p = 0; p < m; p++)
        for (size_t j = 0; j < chunks * CHUNK; j += VEC_WIDTH) {
            const size_t lanes = k - j < VEC_WIDTH ? k - j : VEC_WIDTH;
            vstore(pack + (j / CHUNK) * m * CHUNK + p * CHUNK + j % CHUNK,
                   j < k ? vload_n(b + p * k + j, lanes, vmask_first(lanes))
                         : vzero());
        }
    for (size_t r0 = 0; r0 < n; r0 += ACC) {
        const size_t g = n - r0 < ACC ? n - r0 : ACC;
#define GEMM_TN_CHUNK(NV, j, ch, ACC)                                          \
    gemm_tn_chunk_rows(NV, ACC, j, ch, r0, g, m, n, k, a,                      \
                       pack + ((j) / CHUNK) * m * CHUNK, c)
        CHUNKS_OF_ROW(k, ACC, GEMM_TN_CHUNK);
#undef GEMM_TN_CHUNK
    }
}

/* The sums are m long (vec_x86.h, GEMM_LONG_MIN); wide C also goes by
 * groups of more rows with more sums (16x1024x1024 took 0.84 of the time
 * with 16 on an AMD Zen 5). */
/* As gemm's (gemm_x86.h): the long sums in a frame of their own. */
static VEC_NOINLINE void gemm_tn_long(size_t m, size_t n, size_t k,
                                      const float *a, const float *b,
                                      float *c)
{
    gemm_tn_with(GEMM_LONG_ACCUMULATORS, m, n, k, a, b, c);
}

void SN_X86_FN(gemm_tn)(size_t m, size_t n, size_t k, const float *a,
                        const float *b, float *c)
{
    if ((int)GEMM_LONG_ACCUMULATORS != (int)GEMM_ACCUMULATORS &&
        (m >= GEMM_LONG_MIN || k >= GEMM_TN_WIDE_K))
        gemm_tn_long(m, n, k, a, b, c);
    else
        gemm_tn_with(GEMM_ACCUMULATORS, m, n, k, a, b, c);
}
