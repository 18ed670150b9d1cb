/* transpose, scalar reference: rows [first, last) of src into dst, in
 * blocks of 16 x 16, so that a block's 16 source and 16 destination rows
 * (one cache line of each) stay in L1 while it is copied; a whole-row walk
 * wrote one line per element. */
#include "kernels.h"

void sn_transpose_scalar(size_t rows, size_t cols, const float *src,
                         size_t first, size_t last, float *dst)
{
    enum { B = 16 };
    for (size_t r0 = first; r0 < last; r0 += B) {
        const size_t r1 = last - r0 < B ? last : r0 + B;
        for (size_t c0 = 0; c0 < cols; c0 += B) {
            const size_t c1 = cols - c0 < B ? cols : c0 + B;
            for (size_t r = r0; r < r1; r++)
                for (size_t c = c0; c < c1; c++)
                    dst[c * rows + r] = src[r * cols + c];
        }
    }
}
