/*
 * nonzero_u8, NEON: 16 bytes tested at once. An all-zero chunk (most of an
 * MNIST image's border) costs one compare; the others become a 16-bit mask
 * (NEON has no movemask: each nonzero byte keeps its own bit weight and the
 * two halves are summed across), which feeds the seen bitmap in one OR and
 * is walked bit by bit; the last, short chunk goes the same way from a
 * zeroed copy. Values are (float)x * scale, the oracle's single
 * rounding.
 */
#include <string.h>

#include "neon_util.h"

/* Bit k set where byte k of px is nonzero. */
static inline uint32_t nonzero_mask16(uint8x16_t px)
{
    static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128,
                                        1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t bits = vandq_u8(vtstq_u8(px, px), vld1q_u8(weights));
    return (uint32_t)vaddv_u8(vget_low_u8(bits)) |
           (uint32_t)vaddv_u8(vget_high_u8(bits)) << 8;
}

/* The nonzero bytes of the chunk px (pixels i to i + 15 of the image;
 * their values at x) into idx, val and seen; returns how many. i is a
 * multiple of 16, so the 16 bits never straddle two words of seen. */
static inline size_t nonzero_chunk(uint8x16_t px, const uint8_t *x, size_t i,
                                   float scale, uint32_t *idx, float *val,
                                   uint64_t *seen)
{
    if (sn_neon_u8_is_zero(px))
        return 0;
    uint32_t nz = nonzero_mask16(px);
    if (seen)
        seen[i / 64] |= (uint64_t)nz << (i % 64);
    size_t count = 0;
    while (nz) {
        const unsigned k = (unsigned)__builtin_ctz(nz);
        idx[count] = (uint32_t)(i + k);
        val[count] = (float)x[k] * scale;
        count++;
        nz &= nz - 1;
    }
    return count;
}

size_t sn_nonzero_u8_neon(size_t n, const uint8_t *x, float scale,
                          uint32_t *idx, float *val, uint64_t *seen)
{
    size_t count = 0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        count += nonzero_chunk(vld1q_u8(x + i), x + i, i, scale, idx + count,
                               val + count, seen);
    if (i < n) {
        /* The last, short chunk from a zeroed copy: nothing is read past
         * the end, and the zeros add no bits. */
        uint8_t last[16] = {0};
        memcpy(last, x + i, n - i);
        count += nonzero_chunk(vld1q_u8(last), last, i, scale, idx + count,
                               val + count, seen);
    }
    return count;
}
