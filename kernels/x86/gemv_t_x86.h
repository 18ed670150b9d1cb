/*
 * gemv_t, x86: y = W^T d, that is y += d[r] * (row r of W) for every row,
 * in row order as in the oracle (one fused multiply-add per term).
 *
 * Columns in blocks of 64 (8 AVX2 or 4 AVX-512 vectors, as many
 * independent FMA chains) kept in registers across all the rows, then
 * single vectors, then a masked tail; W is read row by row within a block,
 * and y written once.
 */

enum { GEMV_T_BLOCK = 64 / VEC_WIDTH };

/* y[c .. c + W NV) for NV vectors, the last one limited to mask last. */
VEC_INLINE void gemv_t_columns(size_t NV, size_t rows, size_t cols,
                               const float *w, const float *d, float *y,
                               vmask last)
{
    vfloat acc[GEMV_T_BLOCK];
    for (size_t j = 0; j < NV; j++)
        acc[j] = vzero();
    for (size_t r = 0; r < rows; r++) {
        const vfloat dr = vset1(d[r]);
        const float *wr = w + r * cols;
        for (size_t j = 0; j + 1 < NV; j++)
            acc[j] = vfma(vload(wr + VEC_WIDTH * j), dr, acc[j]);
        acc[NV - 1] = vfma(vload_mask(wr + VEC_WIDTH * (NV - 1), last), dr,
                           acc[NV - 1]);
    }
    for (size_t j = 0; j + 1 < NV; j++)
        vstore(y + VEC_WIDTH * j, acc[j]);
    vstore_mask(y + VEC_WIDTH * (NV - 1), last, acc[NV - 1]);
}

void SN_X86_FN(gemv_t)(size_t rows, size_t cols, const float *w,
                       const float *d, float *y)
{
    size_t c = 0;
    for (; c + 64 <= cols; c += 64)
        gemv_t_columns(GEMV_T_BLOCK, rows, cols, w + c, d, y + c, vmask_all());
    for (; c + VEC_WIDTH <= cols; c += VEC_WIDTH)
        gemv_t_columns(1, rows, cols, w + c, d, y + c, vmask_all());
    if (c < cols)
        gemv_t_columns(1, rows, cols, w + c, d, y + c, vmask_first(cols - c));
}
