/*
 * gemv, AVX2: y = W x + b.
 *
 * Eight rows at a time, each with its own accumulator: eight independent
 * FMA chains cover the FMA latency of both FMA units, and each 8-float
 * slice of x is loaded once for eight rows. The tail columns of a row are a
 * maskload (zeros in the missing lanes, nothing read past the row). The
 * eight row sums are reduced together and stored as one vector. Leftover
 * rows go four, then one at a time.
 */
#include "kernels.h"
#include "vec_avx2.h"

/* acc[i] = lanes of the dot product of row i of w (R rows) with x. */
SN_AVX2_INLINE void dot_rows(size_t R, size_t cols, const float *w,
                             const float *x, __m256 *acc)
{
    for (size_t i = 0; i < R; i++)
        acc[i] = _mm256_setzero_ps();
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        const __m256 xv = _mm256_loadu_ps(x + c);
        for (size_t i = 0; i < R; i++)
            acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(w + i * cols + c), xv,
                                     acc[i]);
    }
    if (c < cols) {
        const __m256i m = sn_avx2_tail_mask(cols - c);
        const __m256 xv = _mm256_maskload_ps(x + c, m);
        for (size_t i = 0; i < R; i++)
            acc[i] = _mm256_fmadd_ps(_mm256_maskload_ps(w + i * cols + c, m),
                                     xv, acc[i]);
    }
}

void sn_gemv_avx2(size_t rows, size_t cols, const float *w, const float *x,
                  const float *b, float *y)
{
    size_t r = 0;
    for (; r + 8 <= rows; r += 8) {
        __m256 acc[8];
        dot_rows(8, cols, w + r * cols, x, acc);
        __m256 s = sn_avx2_hsum8(acc);
        if (b)
            s = _mm256_add_ps(s, _mm256_loadu_ps(b + r));
        _mm256_storeu_ps(y + r, s);
    }
    for (; r + 4 <= rows; r += 4) {
        __m256 acc[4];
        dot_rows(4, cols, w + r * cols, x, acc);
        __m128 s = sn_avx2_hsum4(acc);
        if (b)
            s = _mm_add_ps(s, _mm_loadu_ps(b + r));
        _mm_storeu_ps(y + r, s);
    }
    for (; r < rows; r++) {
        __m256 acc[1];
        dot_rows(1, cols, w + r * cols, x, acc);
        const float s = sn_avx2_hsum(acc[0]);
        y[r] = b ? s + b[r] : s;
    }
}
