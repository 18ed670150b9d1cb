/*
 * gemv, x86: y = W x + b.
 *
 * Eight rows at a time, each with its own accumulator: eight independent
 * FMA chains cover the FMA latency, and each vector-wide slice of x is
 * loaded once for eight rows. The tail columns of a row are a masked load
 * (zeros in the missing lanes, nothing read past the row). The eight row
 * sums are reduced together (vhsum8) and stored as one 8-float vector
 * (store_row_sums8). Leftover rows go four, then one at a time.
 */

/* acc[i] = lanes of the dot product of row i of w (R rows) with x. */
VEC_INLINE void gemv_rows(size_t R, size_t cols, const float *w,
                          const float *x, vfloat *acc)
{
    for (size_t i = 0; i < R; i++)
        acc[i] = vzero();
    size_t c = 0;
    for (; c + VEC_WIDTH <= cols; c += VEC_WIDTH) {
        const vfloat xv = vload(x + c);
        for (size_t i = 0; i < R; i++)
            acc[i] = vfma(vload(w + i * cols + c), xv, acc[i]);
    }
    if (c < cols) {
        const vmask m = vmask_first(cols - c);
        const vfloat xv = vload_mask(x + c, m);
        for (size_t i = 0; i < R; i++)
            acc[i] = vfma(vload_mask(w + i * cols + c, m), xv, acc[i]);
    }
}

void SN_X86_FN(gemv)(size_t rows, size_t cols, const float *w, const float *x,
                     const float *b, float *y)
{
    size_t r = 0;
    for (; r + 8 <= rows; r += 8) {
        vfloat acc[8];
        gemv_rows(8, cols, w + r * cols, x, acc);
        store_row_sums8(y + r, b ? b + r : NULL, vhsum8(acc));
    }
    for (; r + 4 <= rows; r += 4) {
        vfloat acc[4];
        gemv_rows(4, cols, w + r * cols, x, acc);
        store_row_sums4(y + r, b ? b + r : NULL, vhsum4(acc));
    }
    for (; r < rows; r++) {
        vfloat acc[1];
        gemv_rows(1, cols, w + r * cols, x, acc);
        const float s = vhsum(acc[0]);
        y[r] = b ? s + b[r] : s;
    }
}
