/*
 * gemm_sparse, x86: the tile's outputs for a panel of W1^T, pixel by pixel.
 * 64 columns of a pixel's row of WT (two chunks of vec_x86.h: 8 AVX2 or 4
 * AVX-512 vectors) are loaded once into registers and added, scaled, into
 * the outputs of each sample in which the pixel is nonzero; those outputs
 * (m rows of 64 floats, a few KiB) stay in L1 while the panel's rows
 * stream from L2 in increasing order, once per tile.
 */

enum { GEMM_SPARSE_CHUNKS = 2 };

/* Columns [c, c + 2 CHUNK) of the tile's outputs. */
VEC_INLINE void gemm_sparse_cols(size_t w, size_t c, const chunk *ch,
                                 size_t m, size_t npix, const uint32_t *pix,
                                 const uint32_t *start, const uint32_t *row,
                                 const float *val, const float *wt,
                                 const float *b, float *y, size_t ldy)
{
    enum { H = GEMM_SPARSE_CHUNKS };
    vfloat bias[H][CHUNK_VECS];
    for (size_t h = 0; h < H; h++)
        for (size_t q = 0; q < CHUNK_VECS; q++)
            bias[h][q] = b ? vload_n(b + c + CHUNK * h + VEC_WIDTH * q,
                                     ch[h].lanes[q], ch[h].mask[q])
                           : vzero();
    for (size_t s = 0; s < m; s++)
        for (size_t h = 0; h < H; h++)
            for (size_t q = 0; q < CHUNK_VECS; q++)
                vstore_n(y + s * ldy + c + CHUNK * h + VEC_WIDTH * q,
                         ch[h].lanes[q], ch[h].mask[q], bias[h][q]);
    for (size_t i = 0; i < npix; i++) {
        const float *wr = wt + (size_t)pix[i] * w + c;
        /* A wide layer's panels live in L3, and the rows of a tile's
         * pixels are too far apart for the hardware to guess: ask for the
         * row after next while this one works. */
        if (i + PREFETCH_AHEAD < npix)
            prefetch_cols(wt + (size_t)pix[i + PREFETCH_AHEAD] * w + c,
                          H * CHUNK, 0);
        vfloat wv[H][CHUNK_VECS];
        for (size_t h = 0; h < H; h++)
            for (size_t q = 0; q < CHUNK_VECS; q++)
                wv[h][q] = vload_n(wr + CHUNK * h + VEC_WIDTH * q,
                                   ch[h].lanes[q], ch[h].mask[q]);
        for (uint32_t e = start[i]; e < start[i + 1]; e++) {
            float *yr = y + (size_t)row[e] * ldy + c;
            const vfloat v = vset1(val[e]);
            for (size_t h = 0; h < H; h++)
                for (size_t q = 0; q < CHUNK_VECS; q++) {
                    float *o = yr + CHUNK * h + VEC_WIDTH * q;
                    vstore_n(o, ch[h].lanes[q], ch[h].mask[q],
                             vfma(v, wv[h][q],
                                  vload_n(o, ch[h].lanes[q], ch[h].mask[q])));
                }
        }
    }
}

void SN_X86_FN(gemm_sparse)(size_t w, size_t m, size_t npix,
                            const uint32_t *pix, const uint32_t *start,
                            const uint32_t *row, const float *val,
                            const float *wt, const float *b, float *y,
                            size_t ldy)
{
    enum { COLS = GEMM_SPARSE_CHUNKS * CHUNK };
    chunk ch[GEMM_SPARSE_CHUNKS];
    if (w == COLS) {
        /* The sparse engine's panel width: a constant row length too. */
        chunk_pair_whole(ch);
        gemm_sparse_cols(COLS, 0, ch, m, npix, pix, start, row, val, wt, b, y,
                         ldy);
        return;
    }
    chunk_pair_whole(ch);
    size_t c = 0;
    for (; c + COLS <= w; c += COLS)
        gemm_sparse_cols(w, c, ch, m, npix, pix, start, row, val, wt, b, y, ldy);
    if (c < w) {
        chunk_pair_at(w, c, ch);
        gemm_sparse_cols(w, c, ch, m, npix, pix, start, row, val, wt, b, y, ldy);
    }
}
