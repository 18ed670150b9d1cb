/*
 * gemm_tn_sparse, x86: the gradient rows of a tile's pixels, each summed
 * over the pixel's samples in registers and added once. Columns go 64 at a
 * time (two chunks of vec_x86.h: 8 AVX2 or 4 AVX-512 accumulators), so a
 * pixel's samples are FMA chains of their own; a sample's delta slice is
 * read from L1 (the tile's deltas for one panel are a few KiB) and the
 * gradient row is read and written once per tile.
 */

enum { GEMM_TN_SPARSE_CHUNKS = 2 };

/* Columns [c, c + 2 CHUNK) of every pixel's row. */
VEC_INLINE void gemm_tn_sparse_cols(size_t w, size_t c, const chunk *ch,
                                    size_t npix, const uint32_t *pix,
                                    const uint32_t *start, const uint32_t *row,
                                    const float *val, const float *d,
                                    size_t ldd, float *dwt)
{
    enum { H = GEMM_TN_SPARSE_CHUNKS };
    for (size_t i = 0; i < npix; i++) {
        /* The gradient row after next, to be written (see gemm_sparse). */
        if (i + PREFETCH_AHEAD < npix)
            prefetch_cols(dwt + (size_t)pix[i + PREFETCH_AHEAD] * w + c,
                          H * CHUNK, 1);
        vfloat acc[H][CHUNK_VECS];
        for (size_t h = 0; h < H; h++)
            for (size_t q = 0; q < CHUNK_VECS; q++)
                acc[h][q] = vzero();
        for (uint32_t e = start[i]; e < start[i + 1]; e++) {
            const float *dr = d + (size_t)row[e] * ldd + c;
            const vfloat v = vset1(val[e]);
            for (size_t h = 0; h < H; h++)
                for (size_t q = 0; q < CHUNK_VECS; q++)
                    acc[h][q] = vfma(v,
                                     vload_n(dr + CHUNK * h + VEC_WIDTH * q,
                                             ch[h].lanes[q], ch[h].mask[q]),
                                     acc[h][q]);
        }
        float *out = dwt + (size_t)pix[i] * w + c;
        for (size_t h = 0; h < H; h++)
            for (size_t q = 0; q < CHUNK_VECS; q++) {
                float *o = out + CHUNK * h + VEC_WIDTH * q;
                vstore_n(o, ch[h].lanes[q], ch[h].mask[q],
                         vadd(vload_n(o, ch[h].lanes[q], ch[h].mask[q]),
                              acc[h][q]));
            }
    }
}

void SN_X86_FN(gemm_tn_sparse)(size_t w, size_t npix, const uint32_t *pix,
                               const uint32_t *start, const uint32_t *row,
                               const float *val, const float *d, size_t ldd,
                               float *dwt)
{
    enum { COLS = GEMM_TN_SPARSE_CHUNKS * CHUNK };
    chunk ch[GEMM_TN_SPARSE_CHUNKS];
    if (w == COLS) {
        /* The sparse engine's panel width: a constant row length too. */
        chunk_pair_whole(ch);
        gemm_tn_sparse_cols(COLS, 0, ch, npix, pix, start, row, val, d, ldd,
                            dwt);
        return;
    }
    chunk_pair_whole(ch);
    size_t c = 0;
    for (; c + COLS <= w; c += COLS)
        gemm_tn_sparse_cols(w, c, ch, npix, pix, start, row, val, d, ldd, dwt);
    if (c < w) {
        chunk_pair_at(w, c, ch);
        gemm_tn_sparse_cols(w, c, ch, npix, pix, start, row, val, d, ldd, dwt);
    }
}
