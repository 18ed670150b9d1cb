/*
 * nonzero_u8, x86: NZ_BLOCK pixels (32 for AVX2, 64 for AVX-512) compared
 * with zero at once, so all-zero blocks (most of an MNIST image's border)
 * cost one compare. Each vector-wide group with a nonzero pixel is packed
 * low, indices and values alike, and stored whole (vcompress_store: a
 * register compress on AVX-512, a looked-up permutation on AVX2); the
 * outputs have room for a vector past the count.
 */

/* The block of len pixels at x + i: its nonzero bits into seen, and its
 * groups with a nonzero pixel packed at idx and val; returns their count.
 * Whole blocks pass len = NZ_BLOCK, a constant once inlined, so their
 * groups are whole at compile time and load plainly; only the last block
 * may be short, and only its last group (vnonzero_bits and vload_u8_n then
 * read no byte past the end).
 * NZ_BLOCK divides 64, so a block's bits sit in one word of seen. */
VEC_INLINE size_t nonzero_u8_block(const uint8_t *x, size_t i, size_t len,
                                   vfloat vscale, vint iota, uint32_t *idx,
                                   float *val, uint64_t *seen)
{
    uint64_t nz = vnonzero_bits(x + i, len);
    if (seen)
        seen[i / 64] |= nz << (i % 64);
    size_t count = 0;
    for (size_t g = 0; nz != 0; g += VEC_WIDTH, nz >>= VEC_WIDTH) {
        const unsigned m = (unsigned)nz & VEC_LANE_BITS;
        if (m == 0)
            continue;
        const size_t have = len == NZ_BLOCK || len - g >= VEC_WIDTH
                                ? VEC_WIDTH : len - g;
        const vfloat v = vmul(vu8_to_f32(vload_u8_n(x + i + g, have)), vscale);
        const vint pos = vadd_i32(iota, vset1_i32((int)(i + g)));
        vcompress_store(m, pos, idx + count, v, val + count);
        count += (size_t)__builtin_popcount(m);
    }
    return count;
}

size_t SN_X86_FN(nonzero_u8)(size_t n, const uint8_t *x, float scale,
                             uint32_t *idx, float *val, uint64_t *seen)
{
    const vfloat vscale = vset1(scale);
    const vint iota = viota(0);
    size_t count = 0;
    size_t i = 0;
    for (; i + NZ_BLOCK <= n; i += NZ_BLOCK)
        count += nonzero_u8_block(x, i, NZ_BLOCK, vscale, iota, idx + count,
                                  val + count, seen);
    if (i < n)
        count += nonzero_u8_block(x, i, n - i, vscale, iota, idx + count,
                                  val + count, seen);
    return count;
}
