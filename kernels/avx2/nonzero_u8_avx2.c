/* nonzero_u8, AVX2: 32 bytes compared with zero at once; all-zero blocks
 * (most of an MNIST image's border) cost one compare, the nonzero bytes of
 * the others are walked bit by bit (AVX2 has no compress instruction). */
#include "vec_avx2.h"
#include "kernels.h"

size_t sn_nonzero_u8_avx2(size_t n, const uint8_t *x, float scale,
                          uint32_t *idx, float *val, uint64_t *seen)
{
    size_t count = 0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i block = _mm256_loadu_si256((const __m256i *)(const void *)(x + i));
        const __m256i zero = _mm256_cmpeq_epi8(block, _mm256_setzero_si256());
        uint32_t nz = ~(uint32_t)_mm256_movemask_epi8(zero);
        if (seen)
            seen[i / 64] |= (uint64_t)nz << (i % 64);
        while (nz) {
            const unsigned k = (unsigned)__builtin_ctz(nz);
            idx[count] = (uint32_t)(i + k);
            val[count] = (float)x[i + k] * scale;
            count++;
            nz &= nz - 1;
        }
    }
    for (; i < n; i++) {
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
