/* nonzero_u8, AVX-512: 64 bytes tested at once (all-zero blocks, most of an
 * MNIST image's border, cost one test); each group of 16 with any nonzero
 * byte is compressed in registers and stored whole. Register-form compress
 * is fast where the memory form is microcoded (AMD Zen 4), which is why the
 * outputs need slack for a full vector past the count. */
#include "vec_avx512.h"
#include "kernels.h"

size_t sn_nonzero_u8_avx512(size_t n, const uint8_t *x, float scale,
                            uint32_t *idx, float *val, uint64_t *seen)
{
    const __m512 vscale = _mm512_set1_ps(scale);
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                           11, 12, 13, 14, 15);
    size_t count = 0;
    for (size_t i = 0; i < n; i += 64) {
        const size_t len = n - i < 64 ? n - i : 64;
        const __mmask64 in = len == 64 ? ~(__mmask64)0
                                       : (((__mmask64)1 << len) - 1);
        const __m512i block = _mm512_maskz_loadu_epi8(in, x + i);
        __mmask64 nz = _mm512_test_epi8_mask(block, block);
        if (seen)
            seen[i / 64] |= (uint64_t)nz;
        for (unsigned g = 0; nz != 0; g++, nz >>= 16) {
            const __mmask16 m = (__mmask16)nz;
            if (m == 0)
                continue;
            /* Masked: the last group may end before 16 bytes. */
            const __m128i bytes =
                _mm_maskz_loadu_epi8((__mmask16)(in >> (16 * g)), x + i + 16 * g);
            const __m512i pos = _mm512_add_epi32(
                iota, _mm512_set1_epi32((int)(i + 16 * g)));
            const __m512 v = _mm512_mul_ps(sn_avx512_u8_to_ps(bytes), vscale);
            _mm512_storeu_si512(idx + count, _mm512_maskz_compress_epi32(m, pos));
            _mm512_storeu_ps(val + count, _mm512_maskz_compress_ps(m, v));
            count += (size_t)__builtin_popcount(m);
        }
    }
    return count;
}
