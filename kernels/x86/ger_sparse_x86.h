/*
 * ger_sparse, x86: WT[idx[j]] += val[j] * d. d stays in registers, a chunk
 * of 32 outputs at a time (vec_x86.h), while the rows of the nonzero
 * inputs stream through.
 */

VEC_INLINE void ger_sparse_chunk(size_t m, size_t c, const chunk *ch,
                                 size_t nnz, const uint32_t *idx,
                                 const float *val, const float *d, float *dwt)
{
    vfloat dv[CHUNK_VECS];
    for (size_t q = 0; q < CHUNK_VECS; q++)
        dv[q] = vload_n(d + c + VEC_WIDTH * q, ch->lanes[q], ch->mask[q]);
    for (size_t j = 0; j < nnz; j++) {
        float *w = dwt + (size_t)idx[j] * m + c;
        const vfloat v = vset1(val[j]);
        for (size_t q = 0; q < CHUNK_VECS; q++) {
            float *wq = w + VEC_WIDTH * q;
            vstore_n(wq, ch->lanes[q], ch->mask[q],
                     vfma(v, dv[q], vload_n(wq, ch->lanes[q], ch->mask[q])));
        }
    }
}

void SN_X86_FN(ger_sparse)(size_t m, size_t nnz, const uint32_t *idx,
                           const float *val, const float *d, float *dwt)
{
    if (m == CHUNK) {
        /* The tutorial's first layer: whole vectors, a shift per row. */
        const chunk ch = chunk_at(CHUNK, 0);
        ger_sparse_chunk(CHUNK, 0, &ch, nnz, idx, val, d, dwt);
        return;
    }
    const chunk whole = chunk_whole();
    size_t c = 0;
    for (; c + CHUNK <= m; c += CHUNK)
        ger_sparse_chunk(m, c, &whole, nnz, idx, val, d, dwt);
    if (c < m) {
        const chunk tail = chunk_at(m, c);
        ger_sparse_chunk(m, c, &tail, nnz, idx, val, d, dwt);
    }
}
