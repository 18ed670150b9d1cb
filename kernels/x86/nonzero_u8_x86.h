/*
 * nonzero_u8, x86: NZ_BLOCK pixels (32 for AVX2, 64 for AVX-512) compared
 * with zero at once, so all-zero blocks (most of an MNIST image's border)
 * cost one compare. Each vector-wide group with a nonzero pixel is packed
 * low, indices and values alike, and stored whole (vcompress_store: a
 * register compress on AVX-512, a looked-up permutation on AVX2); the
 * outputs have room for a vector past the count.
 */

size_t SN_X86_FN(nonzero_u8)(size_t n, const uint8_t *x, float scale,
                             uint32_t *idx, float *val, uint64_t *seen)
{
    const vfloat vscale = vset1(scale);
    size_t count = 0;
    for (size_t i = 0; i < n; i += NZ_BLOCK) {
        const size_t len = n - i < NZ_BLOCK ? n - i : NZ_BLOCK;
        uint64_t nz = vnonzero_bits(x + i, len);
        if (seen)
            seen[i / 64] |= nz << (i % 64);
        for (size_t g = 0; nz != 0; g += VEC_WIDTH, nz >>= VEC_WIDTH) {
            const unsigned m = (unsigned)nz & VEC_LANE_BITS;
            if (m == 0)
                continue;
            /* The last group may end before a whole vector. */
            const size_t have = len - g < VEC_WIDTH ? len - g : VEC_WIDTH;
            const vfloat v = vmul(vu8_to_f32(vload_u8_n(x + i + g, have)), vscale);
            vcompress_store(m, viota(i + g), idx + count, v, val + count);
            count += (size_t)__builtin_popcount(m);
        }
    }
    return count;
}
