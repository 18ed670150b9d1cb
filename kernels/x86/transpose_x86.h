/*
 * transpose, x86: rows [first, last) of src into dst by blocks of 8 x 8
 * floats transposed in registers, 16 rows of src at a time where there
 * are, so that each column of a block pair is 64 bytes of a row of dst, a
 * whole cache line, written at once: by single elements (the scalar
 * oracle) the transpose of the upper layers' weights took a fifth of a
 * 784-1024-1024-10 batch. The 8 x 8 block is 256-bit on both sets (8 rows
 * of 8 lanes; AVX-512 has these instructions too), so the body uses
 * __m256 and not the vector header's vfloat. The rows past the last block
 * of 8 and the columns past the last block of 8 go element by element.
 */

#include "x86/transpose_8x8_x86.h"

/* Rows [r, r + 8 H) of src, H (1 or 2, a constant) blocks of 8 rows each. */
VEC_INLINE void transpose_rows(size_t H, size_t r, size_t rows, size_t cols,
                               const float *src, float *dst)
{
    size_t c = 0;
    for (; c + 8 <= cols; c += 8)
        for (size_t h = 0; h < H; h++)
            transpose_8x8(src + (r + 8 * h) * cols + c, cols,
                          dst + c * rows + r + 8 * h, rows);
    for (; c < cols; c++)
        for (size_t i = 0; i < 8 * H; i++)
            dst[c * rows + r + i] = src[(r + i) * cols + c];
}

void SN_X86_FN(transpose)(size_t rows, size_t cols, const float *src,
                          size_t first, size_t last, float *dst)
{
    size_t r = first;
    for (; r + 16 <= last; r += 16)
        transpose_rows(2, r, rows, cols, src, dst);
    if (r + 8 <= last) {
        transpose_rows(1, r, rows, cols, src, dst);
        r += 8;
    }
    for (; r < last; r++)
        for (size_t c = 0; c < cols; c++)
            dst[c * rows + r] = src[r * cols + c];
}
