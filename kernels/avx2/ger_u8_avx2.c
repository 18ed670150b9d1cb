/*
 * ger_u8, AVX2: dW += d (scale * x)^T with x as uint8 pixels.
 *
 * As ger_avx2.c, slice by slice of 8 columns across all rows. Each slice
 * of pixels is widened to floats and scaled once (x * scale, the oracle's
 * rounding), then fused into every row. A slice whose 8 pixels are all
 * exactly 0 is skipped for every row at once: it would add zeros.
 */
#include "kernels.h"
#include "vec_avx2.h"

/* Adds d[r] * xv into the 8 columns at dw of every row, or into the lanes
 * of m only if masked. */
SN_AVX2_INLINE void add_slice(size_t rows, size_t cols, const float *d,
                              __m256 xv, float *dw, int masked, __m256i m)
{
    for (size_t r = 0; r < rows; r++, dw += cols) {
        const __m256 dr = _mm256_set1_ps(d[r]);
        if (masked)
            _mm256_maskstore_ps(
                dw, m, _mm256_fmadd_ps(dr, xv, _mm256_maskload_ps(dw, m)));
        else
            _mm256_storeu_ps(dw, _mm256_fmadd_ps(dr, xv, _mm256_loadu_ps(dw)));
    }
}

/* Rows in groups of ROW_GROUP: rows whose length is a multiple of 4 KiB
 * share one L1 set, and walking a slice down all 32 of them thrashed that
 * set (32x1024 ran 10x slower than OpenBLAS); 8 rows fit its 8 ways. */
#define ROW_GROUP 8

static void ger_u8_rows(size_t rows, size_t cols, const float *d,
                    const uint8_t *x, float scale, float *dw)
{
    const __m256 vscale = _mm256_set1_ps(scale);
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        const __m128i px = _mm_loadl_epi64((const __m128i *)(x + c));
        if (_mm_testz_si128(px, px))
            continue;
        add_slice(rows, cols, d, _mm256_mul_ps(sn_avx2_u8_to_ps(px), vscale),
                  dw + c, 0, _mm256_set1_epi32(-1));
    }
    if (c < cols) {
        const __m128i px = sn_avx2_load_u8_tail(x + c, cols - c);
        if (!_mm_testz_si128(px, px))
            add_slice(rows, cols, d,
                      _mm256_mul_ps(sn_avx2_u8_to_ps(px), vscale), dw + c, 1,
                      sn_avx2_tail_mask(cols - c));
    }
}

void sn_ger_u8_avx2(size_t rows, size_t cols, const float *d, const uint8_t *x,
                    float scale, float *dw)
{
    for (size_t r = 0; r < rows; r += ROW_GROUP) {
        const size_t n = rows - r < ROW_GROUP ? rows - r : ROW_GROUP;
        ger_u8_rows(n, cols, d + r, x, scale, dw + r * cols);
    }
}
