/*
 * ger_u8, AVX-512: dW += d (scale * x)^T with x as uint8 pixels.
 *
 * As ger_avx512.c, slice by slice of 16 columns across all rows. Each
 * slice of pixels is widened to floats and scaled once (x * scale, the
 * oracle's rounding), then fused into every row. A slice whose 16 pixels
 * are all exactly 0 is skipped for every row at once: it would add zeros.
 */
#include "kernels.h"
#include "vec_avx512.h"

/* Adds d[r] * xv into the 16 columns at dw of every row, or into the
 * lanes of m only if masked. */
SN_AVX512_INLINE void add_slice(size_t rows, size_t cols, const float *d,
                                __m512 xv, float *dw, int masked, __mmask16 m)
{
    for (size_t r = 0; r < rows; r++, dw += cols) {
        const __m512 dr = _mm512_set1_ps(d[r]);
        if (masked)
            _mm512_mask_storeu_ps(
                dw, m, _mm512_fmadd_ps(dr, xv, _mm512_maskz_loadu_ps(m, dw)));
        else
            _mm512_storeu_ps(dw, _mm512_fmadd_ps(dr, xv, _mm512_loadu_ps(dw)));
    }
}

/* Rows in groups of ROW_GROUP: rows whose length is a multiple of 4 KiB
 * share one L1 set, and walking a slice down all 32 of them thrashed that
 * set (32x1024 ran 10x slower than OpenBLAS); 8 rows fit its 8 ways. */
#define ROW_GROUP 8

static void ger_u8_rows(size_t rows, size_t cols, const float *d,
                      const uint8_t *x, float scale, float *dw)
{
    const __m512 vscale = _mm512_set1_ps(scale);
    size_t c = 0;
    for (; c + 16 <= cols; c += 16) {
        const __m128i px = _mm_loadu_si128((const __m128i *)(x + c));
        if (_mm_testz_si128(px, px))
            continue;
        add_slice(rows, cols, d, _mm512_mul_ps(sn_avx512_u8_to_ps(px), vscale),
                  dw + c, 0, 0xffff);
    }
    if (c < cols) {
        const __mmask16 m = sn_avx512_tail_mask(cols - c);
        const __m128i px = _mm_maskz_loadu_epi8(m, x + c);
        if (!_mm_testz_si128(px, px))
            add_slice(rows, cols, d,
                      _mm512_mul_ps(sn_avx512_u8_to_ps(px), vscale), dw + c, 1,
                      m);
    }
}

void sn_ger_u8_avx512(size_t rows, size_t cols, const float *d, const uint8_t *x,
                      float scale, float *dw)
{
    for (size_t r = 0; r < rows; r += ROW_GROUP) {
        const size_t n = rows - r < ROW_GROUP ? rows - r : ROW_GROUP;
        ger_u8_rows(n, cols, d + r, x, scale, dw + r * cols);
    }
}
