/* transpose, NEON: rows [first, last) of src into dst by blocks of 4 x 4
 * floats transposed in registers (pairs of rows interleaved, then their
 * halves recombined); the rows and columns past the last block of 4
 * element by element. A copy: the same bits as the scalar oracle. */
#include "neon_util.h"

static void transpose_4x4(const float *s, size_t ls, float *d, size_t ld)
{
    const float32x4x2_t ab = vtrnq_f32(vld1q_f32(s), vld1q_f32(s + ls));
    const float32x4x2_t cd =
        vtrnq_f32(vld1q_f32(s + 2 * ls), vld1q_f32(s + 3 * ls));
    vst1q_f32(d, vcombine_f32(vget_low_f32(ab.val[0]), vget_low_f32(cd.val[0])));
    vst1q_f32(d + ld,
              vcombine_f32(vget_low_f32(ab.val[1]), vget_low_f32(cd.val[1])));
    vst1q_f32(d + 2 * ld,
              vcombine_f32(vget_high_f32(ab.val[0]), vget_high_f32(cd.val[0])));
    vst1q_f32(d + 3 * ld,
              vcombine_f32(vget_high_f32(ab.val[1]), vget_high_f32(cd.val[1])));
}

void sn_transpose_neon(size_t rows, size_t cols, const float *src,
                       size_t first, size_t last, float *dst)
{
    size_t r = first;
    for (; r + 4 <= last; r += 4) {
        size_t c = 0;
        for (; c + 4 <= cols; c += 4)
            transpose_4x4(src + r * cols + c, cols, dst + c * rows + r, rows);
        for (; c < cols; c++)
            for (size_t i = 0; i < 4; i++)
                dst[c * rows + r + i] = src[(r + i) * cols + c];
    }
    for (; r < last; r++)
        for (size_t c = 0; c < cols; c++)
            dst[c * rows + r] = src[r * cols + c];
}
