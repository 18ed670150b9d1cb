/*
 * gemv_u8, AVX-512: y = W (scale * x) + b with x as uint8 pixels.
 *
 * The structure of gemv_avx512.c (eight rows at a time, one accumulator
 * each, masked tail), with two changes:
 *  - 16 pixels are widened to floats in registers (vpmovzxbd, vcvtdq2ps)
 *    once per eight rows; no float copy of the image exists;
 *  - a slice of 16 pixels that are all exactly 0 is skipped: it would add
 *    exact zeros. MNIST is 81% zeros, its margins whole slices of them.
 * scale is applied once to each finished sum, not to every pixel: the sum
 * of w times small integers, then one multiply. The result differs from
 * the oracle's per-pixel scaling only by rounding (the kernel tests'
 * dot-product tolerance covers it).
 */
#include "kernels.h"
#include "vec_avx512.h"

/* acc[i] = lanes of the dot product of row i of w (R rows) with x. */
SN_AVX512_INLINE void dot_rows_u8(size_t R, size_t cols, const float *w,
                                  const uint8_t *x, __m512 *acc)
{
    for (size_t i = 0; i < R; i++)
        acc[i] = _mm512_setzero_ps();
    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
        const __m128i px = _mm_loadu_si128((const __m128i *)(x + c));
        if (_mm_testz_si128(px, px))
            continue;
        const __m512 xv = sn_avx512_u8_to_ps(px);
        for (size_t i = 0; i < R; i++)
            acc[i] = _mm512_fmadd_ps(_mm512_loadu_ps(w + i * cols + c), xv,
                                     acc[i]);
    }
    if (c < cols) {
        const __mmask16 m = sn_avx512_tail_mask(cols - c);
        const __m512 xv = sn_avx512_u8_to_ps(_mm_maskz_loadu_epi8(m, x + c));
        for (size_t i = 0; i < R; i++)
            acc[i] = _mm512_fmadd_ps(
                _mm512_maskz_loadu_ps(m, w + i * cols + c), xv, acc[i]);
    }
}

void sn_gemv_u8_avx512(size_t rows, size_t cols, const float *w,
                       const uint8_t *x, float scale, const float *b, float *y)
{
    size_t r = 0;
    for (; r + 8 <= rows; r += 8) {
        __m512 acc[8];
        dot_rows_u8(8, cols, w + r * cols, x, acc);
        __m256 s = _mm256_mul_ps(sn_avx512_hsum8(acc), _mm256_set1_ps(scale));
        if (b)
            s = _mm256_add_ps(s, _mm256_loadu_ps(b + r));
        _mm256_storeu_ps(y + r, s);
    }
    for (; r + 4 <= rows; r += 4) {
        __m512 acc[4];
        dot_rows_u8(4, cols, w + r * cols, x, acc);
        __m128 s = _mm_mul_ps(sn_avx512_hsum4(acc), _mm_set1_ps(scale));
        if (b)
            s = _mm_add_ps(s, _mm_loadu_ps(b + r));
        _mm_storeu_ps(y + r, s);
    }
    for (; r < rows; r++) {
        __m512 acc[1];
        dot_rows_u8(1, cols, w + r * cols, x, acc);
        const float s = _mm512_reduce_add_ps(acc[0]) * scale;
        y[r] = b ? s + b[r] : s;
    }
}
