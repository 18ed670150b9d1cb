/*
 * gemv_u8, AVX2: y = W (scale * x) + b with x as uint8 pixels.
 *
 * The structure of gemv_avx2.c (eight rows at a time, one accumulator
 * each), with two changes:
 *  - 8 pixels are widened to floats in registers (vpmovzxbd, vcvtdq2ps)
 *    once per eight rows; no float copy of the image exists. The last
 *    cols % 8 pixels are widened once per call (vec_avx2.h copies them, as
 *    AVX2 has no byte maskload);
 *  - a slice of 8 pixels that are all exactly 0 is skipped: it would add
 *    exact zeros. MNIST is 81% zeros, its margins whole slices of them.
 * scale is applied once to each finished sum, not to every pixel: the sum
 * of w times small integers, then one multiply. The result differs from
 * the oracle's per-pixel scaling only by rounding (the kernel tests'
 * dot-product tolerance covers it).
 */
#include "kernels.h"
#include "vec_avx2.h"

/* acc[i] = lanes of the dot product of row i of w (R rows) with x; xtail
 * holds the pixels from (cols & ~7) on as floats. */
SN_AVX2_INLINE void dot_rows_u8(size_t R, size_t cols, const float *w,
                                const uint8_t *x, __m256 xtail, __m256 *acc)
{
    for (size_t i = 0; i < R; i++)
        acc[i] = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        const __m128i px = _mm_loadl_epi64((const __m128i *)(x + c));
        if (_mm_testz_si128(px, px))
            continue;
        const __m256 xv = sn_avx2_u8_to_ps(px);
        for (size_t i = 0; i < R; i++)
            acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(w + i * cols + c), xv,
                                     acc[i]);
    }
    if (c < cols) {
        const __m256i m = sn_avx2_tail_mask(cols - c);
        for (size_t i = 0; i < R; i++)
            acc[i] = _mm256_fmadd_ps(_mm256_maskload_ps(w + i * cols + c, m),
                                     xtail, acc[i]);
    }
}

void sn_gemv_u8_avx2(size_t rows, size_t cols, const float *w,
                     const uint8_t *x, float scale, const float *b, float *y)
{
    const size_t body = cols & ~(size_t)7;
    const __m256 xtail =
        sn_avx2_u8_to_ps(sn_avx2_load_u8_tail(x + body, cols - body));
    size_t r = 0;
    for (; r + 8 <= rows; r += 8) {
        __m256 acc[8];
        dot_rows_u8(8, cols, w + r * cols, x, xtail, acc);
        __m256 s = _mm256_mul_ps(sn_avx2_hsum8(acc), _mm256_set1_ps(scale));
        if (b)
            s = _mm256_add_ps(s, _mm256_loadu_ps(b + r));
        _mm256_storeu_ps(y + r, s);
    }
    for (; r + 4 <= rows; r += 4) {
        __m256 acc[4];
        dot_rows_u8(4, cols, w + r * cols, x, xtail, acc);
        __m128 s = _mm_mul_ps(sn_avx2_hsum4(acc), _mm_set1_ps(scale));
        if (b)
            s = _mm_add_ps(s, _mm_loadu_ps(b + r));
        _mm_storeu_ps(y + r, s);
    }
    for (; r < rows; r++) {
        __m256 acc[1];
        dot_rows_u8(1, cols, w + r * cols, x, xtail, acc);
        const float s = sn_avx2_hsum(acc[0]) * scale;
        y[r] = b ? s + b[r] : s;
    }
}
