/* nonzero_u8, NEON: 16 bytes tested at once (vmaxvq), so all-zero chunks,
 * most of an MNIST image's border, cost one test; the others are walked. */
#include "neon_util.h"

size_t sn_nonzero_u8_neon(size_t n, const uint8_t *x, float scale,
                          uint32_t *idx, float *val)
{
    size_t count = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        if (sn_u8x16_is_zero_neon(vld1q_u8(x + i)))
            continue;
        for (size_t k = i; k < i + 16; k++) {
            if (x[k] != 0) {
                idx[count] = (uint32_t)k;
                val[count] = (float)x[k] * scale;
                count++;
            }
        }
    }
    for (; i < n; i++) {
        if (x[i] != 0) {
            idx[count] = (uint32_t)i;
            val[count] = (float)x[i] * scale;
            count++;
        }
    }
    return count;
}
