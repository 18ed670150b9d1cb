/*
 * ger_u8, x86: dW += d (scale * x)^T with x as uint8 pixels.
 *
 * As ger_x86.h, slice by slice of a vector's worth of columns across the
 * rows. Each slice of pixels is widened to floats and scaled once
 * (x * scale, the oracle's rounding), then fused into every row. A slice
 * whose pixels are all exactly 0 is skipped for every row at once: it
 * would add zeros.
 */

/* Adds d[r] * xv into the columns at dw of every row, or into the lanes of
 * m only if masked. */
VEC_INLINE void ger_u8_slice(size_t rows, size_t cols, const float *d,
                             vfloat xv, float *dw, int masked, vmask m)
{
    for (size_t r = 0; r < rows; r++, dw += cols) {
        const vfloat dr = vset1(d[r]);
        if (masked)
            vstore_mask(dw, m, vfma(dr, xv, vload_mask(dw, m)));
        else
            vstore(dw, vfma(dr, xv, vload(dw)));
    }
}

/* Rows in groups of GER_U8_ROW_GROUP: rows whose length is a multiple of
 * 4 KiB share one L1 set, and walking a slice down all 32 of them thrashed
 * that set (32x1024 ran 10x slower than OpenBLAS); 8 rows fit its 8 ways. */
enum { GER_U8_ROW_GROUP = 8 };

static void ger_u8_rows(size_t rows, size_t cols, const float *d,
                        const uint8_t *x, float scale, float *dw)
{
    const vfloat vscale = vset1(scale);
    size_t c = 0;
    for (; c + VEC_WIDTH <= cols; c += VEC_WIDTH) {
        const vbytes px = vload_u8(x + c);
        if (vu8_is_zero(px))
            continue;
        ger_u8_slice(rows, cols, d, vmul(vu8_to_f32(px), vscale), dw + c, 0,
                     vmask_all());
    }
    if (c < cols) {
        const vbytes px = vload_u8_n(x + c, cols - c);
        if (!vu8_is_zero(px))
            ger_u8_slice(rows, cols, d, vmul(vu8_to_f32(px), vscale), dw + c,
                         1, vmask_first(cols - c));
    }
}

void SN_X86_FN(ger_u8)(size_t rows, size_t cols, const float *d,
                       const uint8_t *x, float scale, float *dw)
{
    for (size_t r = 0; r < rows; r += GER_U8_ROW_GROUP) {
        const size_t n = rows - r < GER_U8_ROW_GROUP ? rows - r : GER_U8_ROW_GROUP;
        ger_u8_rows(n, cols, d + r, x, scale, dw + r * cols);
    }
}
