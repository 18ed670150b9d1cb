/*
 * gemv_sparse, x86: y = b + sum_j val[j] * WT[idx[j]].
 *
 * Each nonzero input adds one contiguous row of WT (m floats) scaled by its
 * value. A layer wider than the tutorial's goes in blocks of 12 vectors
 * first (gemv_sparse_block), the rest in chunks of 32 (vec_x86.h); CHUNK_ROWS interleaved
 * partial sums per output vector (input j goes to partial j % CHUNK_ROWS:
 * 2 for AVX2, 4 for AVX-512) keep eight FMAs in flight, and are added
 * pairwise in a fixed order at the end: ((p0 + p1) + (p2 + p3)).
 */

VEC_INLINE void gemv_sparse_chunk(size_t m, size_t c, const chunk *ch,
                                  size_t nnz, const uint32_t *idx,
                                  const float *val, const float *wt,
                                  const float *b, float *y)
{
    enum { P = CHUNK_ROWS };
    vfloat acc[P][CHUNK_VECS];
    for (size_t u = 0; u < P; u++)
        for (size_t q = 0; q < CHUNK_VECS; q++)
            acc[u][q] = vzero();
    size_t j = 0;
    for (; j + P <= nnz; j += P) {
        for (size_t u = 0; u < P; u++) {
            const float *w = wt + (size_t)idx[j + u] * m + c;
            const vfloat v = vset1(val[j + u]);
            for (size_t q = 0; q < CHUNK_VECS; q++)
                acc[u][q] = vfma(v, vload_n(w + VEC_WIDTH * q, ch->lanes[q], ch->mask[q]),
                                 acc[u][q]);
        }
    }
    for (size_t u = 0; j < nnz; j++, u++) {
        const float *w = wt + (size_t)idx[j] * m + c;
        const vfloat v = vset1(val[j]);
        for (size_t q = 0; q < CHUNK_VECS; q++)
            acc[u][q] = vfma(v, vload_n(w + VEC_WIDTH * q, ch->lanes[q], ch->mask[q]),
                             acc[u][q]);
    }
    for (size_t step = 1; step < P; step *= 2)
        for (size_t u = 0; u + step < P; u += 2 * step)
            for (size_t q = 0; q < CHUNK_VECS; q++)
                acc[u][q] = vadd(acc[u][q], acc[u + step][q]);
    for (size_t q = 0; q < CHUNK_VECS; q++) {
        vfloat s = acc[0][q];
        if (b)
            s = vadd(s, vload_n(b + c + VEC_WIDTH * q, ch->lanes[q], ch->mask[q]));
        vstore_n(y + c + VEC_WIDTH * q, ch->lanes[q], ch->mask[q], s);
    }
}

/* Columns [c, c + GEMV_SPARSE_BLOCK) of a wider layer in one pass over the
 * inputs: 12 whole vectors, one chain of sums each (12 chains, more than
 * the FMA latency needs), so that each input's index, value and row address
 * serve 12 vectors instead of the chunk's 4 (AVX2) or 2 (AVX-512). */
enum { GEMV_SPARSE_VECS = 12, GEMV_SPARSE_BLOCK = GEMV_SPARSE_VECS * VEC_WIDTH };

VEC_INLINE void gemv_sparse_block(size_t m, size_t c, size_t nnz,
                                  const uint32_t *idx, const float *val,
                                  const float *wt, const float *b, float *y)
{
    vfloat acc[GEMV_SPARSE_VECS];
    for (size_t q = 0; q < GEMV_SPARSE_VECS; q++)
        acc[q] = vzero();
    for (size_t j = 0; j < nnz; j++) {
        const float *w = wt + (size_t)idx[j] * m + c;
        const vfloat v = vset1(val[j]);
        for (size_t q = 0; q < GEMV_SPARSE_VECS; q++)
            acc[q] = vfma(v, vload(w + VEC_WIDTH * q), acc[q]);
    }
    for (size_t q = 0; q < GEMV_SPARSE_VECS; q++)
        vstore(y + c + VEC_WIDTH * q,
               b ? vadd(acc[q], vload(b + c + VEC_WIDTH * q)) : acc[q]);
}

void SN_X86_FN(gemv_sparse)(size_t m, size_t nnz, const uint32_t *idx,
                            const float *val, const float *wt, const float *b,
                            float *y)
{
    if (m == CHUNK) {
        /* The tutorial's first layer is 32 wide: m is a constant here, so
         * the rows are whole vectors (no masks) and the row address a
         * shift. */
        const chunk ch = chunk_at(CHUNK, 0);
        gemv_sparse_chunk(CHUNK, 0, &ch, nnz, idx, val, wt, b, y);
        return;
    }
    size_t c = 0;
    for (; c + GEMV_SPARSE_BLOCK <= m; c += GEMV_SPARSE_BLOCK)
        gemv_sparse_block(m, c, nnz, idx, val, wt, b, y);
    const chunk whole = chunk_whole();
    for (; c + CHUNK <= m; c += CHUNK)
        gemv_sparse_chunk(m, c, &whole, nnz, idx, val, wt, b, y);
    if (c < m) {
        const chunk tail = chunk_at(m, c);
        gemv_sparse_chunk(m, c, &tail, nnz, idx, val, wt, b, y);
    }
}
