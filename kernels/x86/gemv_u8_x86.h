/*
 * gemv_u8, x86: y = W (scale * x) + b with x as uint8 pixels.
 *
 * The structure of gemv_x86.h (eight rows at a time, one accumulator
 * each), with two changes:
 *  - a vector's worth of pixels is widened to floats in registers
 *    (vpmovzxbd, vcvtdq2ps) once per eight rows; no float copy of the image
 *    exists. The last cols % VEC_WIDTH pixels are widened once per call;
 *  - a slice of pixels that are all exactly 0 is skipped: it would add
 *    exact zeros. MNIST is 81% zeros, its margins whole slices of them.
 * scale is applied once to each finished sum, not to every pixel: the sum
 * of w times small integers, then one multiply. The result differs from
 * the oracle's per-pixel scaling only by rounding (the kernel tests'
 * dot-product tolerance covers it).
 */

/* acc[i] = lanes of the dot product of row i of w (R rows) with x; xtail
 * holds the pixels from the last whole slice on, as floats. */
VEC_INLINE void gemv_u8_rows(size_t R, size_t cols, const float *w,
                             const uint8_t *x, vfloat xtail, vfloat *acc)
{
    for (size_t i = 0; i < R; i++)
        acc[i] = vzero();
    size_t c = 0;
    for (; c + VEC_WIDTH <= cols; c += VEC_WIDTH) {
        const vbytes px = vload_u8(x + c);
        if (vu8_is_zero(px))
            continue;
        const vfloat xv = vu8_to_f32(px);
        for (size_t i = 0; i < R; i++)
            acc[i] = vfma(vload(w + i * cols + c), xv, acc[i]);
    }
    if (c < cols) {
        const vmask m = vmask_first(cols - c);
        for (size_t i = 0; i < R; i++)
            acc[i] = vfma(vload_mask(w + i * cols + c, m), xtail, acc[i]);
    }
}

void SN_X86_FN(gemv_u8)(size_t rows, size_t cols, const float *w,
                        const uint8_t *x, float scale, const float *b, float *y)
{
    const size_t body = cols & ~(size_t)(VEC_WIDTH - 1);
    const vfloat xtail = vu8_to_f32(vload_u8_n(x + body, cols - body));
    size_t r = 0;
    for (; r + 8 <= rows; r += 8) {
        vfloat acc[8];
        gemv_u8_rows(8, cols, w + r * cols, x, xtail, acc);
        store_row_sums8(y + r, b ? b + r : NULL,
                        _mm256_mul_ps(vhsum8(acc), _mm256_set1_ps(scale)));
    }
    for (; r + 4 <= rows; r += 4) {
        vfloat acc[4];
        gemv_u8_rows(4, cols, w + r * cols, x, xtail, acc);
        store_row_sums4(y + r, b ? b + r : NULL,
                        _mm_mul_ps(vhsum4(acc), _mm_set1_ps(scale)));
    }
    for (; r < rows; r++) {
        vfloat acc[1];
        gemv_u8_rows(1, cols, w + r * cols, x, xtail, acc);
        const float s = vhsum(acc[0]) * scale;
        y[r] = b ? s + b[r] : s;
    }
}
