/*
 * ger, x86: dW += d x^T, one fused multiply-add per element; the last
 * slice of a row is masked, so nothing is read or written past it (plain
 * loads and stores everywhere else: AMD runs AVX2's maskstore as
 * microcode).
 */

/* Columns in blocks of GER_COL_BLOCK, rows streamed within a block: x's
 * block stays in L1 while every row's block is read, fused and written
 * once. (Walking one slice of columns down all rows instead made rows
 * whose length is a multiple of 4 KiB share one L1 set: at 32x1024 and
 * wider that ran 10x slower than OpenBLAS.) */
enum { GER_COL_BLOCK = 1024 };

void SN_X86_FN(ger)(size_t rows, size_t cols, const float *d, const float *x,
                    float *dw)
{
    for (size_t c0 = 0; c0 < cols; c0 += GER_COL_BLOCK) {
        const size_t c1 = cols - c0 < GER_COL_BLOCK ? cols : c0 + GER_COL_BLOCK;
        for (size_t r = 0; r < rows; r++) {
            const vfloat dr = vset1(d[r]);
            float *row = dw + r * cols;
            size_t c = c0;
            for (; c + VEC_WIDTH <= c1; c += VEC_WIDTH)
                vstore(row + c, vfma(dr, vload(x + c), vload(row + c)));
            if (c < c1) {
                const vmask m = vmask_first(c1 - c);
                vstore_mask(row + c, m,
                            vfma(dr, vload_mask(x + c, m), vload_mask(row + c, m)));
            }
        }
    }
}
