/*
 * transpose_8x8_x86.h - an 8 x 8 block of floats transposed in registers,
 * for the transpose and softmax bodies. 256-bit on both x86 sets (AVX-512
 * has these instructions too), so it uses __m256 and not the vector
 * header's vfloat.
 */
#ifndef SN_TRANSPOSE_8X8_X86_H
#define SN_TRANSPOSE_8X8_X86_H

/* The 8 x 8 block at s (rows ls floats apart) into d (rows ld apart):
 * pairs of rows interleaved, then pairs of pairs, then the halves swapped
 * across the two 128-bit lanes. */
VEC_INLINE void transpose_8x8(const float *s, size_t ls, float *d, size_t ld)
{
    __m256 r[8], t[8], u[8];
    for (size_t i = 0; i < 8; i++)
        r[i] = _mm256_loadu_ps(s + i * ls);
    for (size_t i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (size_t i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (size_t i = 0; i < 4; i++) {
        _mm256_storeu_ps(d + i * ld, _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
        _mm256_storeu_ps(d + (i + 4) * ld,
                         _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
    }
}

#endif /* SN_TRANSPOSE_8X8_X86_H */
