/* nonzero_u8, scalar reference: the indices and scaled values of the nonzero
 * bytes of x, in order. */
#include "kernels.h"

size_t sn_nonzero_u8_scalar(size_t n, const uint8_t *x, float scale,
                            uint32_t *idx, float *val, uint64_t *seen)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != 0) {
            idx[count] = (uint32_t)i;
            val[count] = (float)x[i] * scale;
            count++;
            if (seen)
                seen[i / 64] |= (uint64_t)1 << (i % 64);
        }
    }
    return count;
}
