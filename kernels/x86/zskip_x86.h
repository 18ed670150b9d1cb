/*
 * zskip_x86.h - what gemm_zskip and gemm_tn_zskip share: a bit mask of the
 * terms of a block of rows of A that are not all exact zeros, and the
 * chunk products (vec_x86.h's chunk_products) over those terms only.
 *
 * A zero a adds a * b = +-0 to an accumulator: for a finite b that leaves a
 * nonzero sum as it is and can change only the sign of a zero one. Leaving
 * the term out therefore gives the dense kernel's sums, chain for chain
 * (one accumulator per (row, vector), in order of p), up to the sign of a
 * zero (docs/engines.md, "ReLU's zeros"). Only terms zero in every row of
 * the block go: the other rows' chains need them. Besides vec_x86.h's
 * primitives this needs vmask_bits (a mask's lanes as an integer's bits).
 */
#ifndef SN_ZSKIP_X86_H
#define SN_ZSKIP_X86_H

#include <string.h>

/* Terms masked at a time: 16 words of 64 bits. A longer sum takes its
 * terms in spans of this many, one after the other. */
enum { ZSKIP_SPAN = 1024, ZSKIP_WORDS = ZSKIP_SPAN / 64 };

/* Lanes of v that are +0 or -0 (a NaN is not: it must reach the sums). */
VEC_INLINE unsigned zero_lanes(vfloat v)
{
    return vmask_bits(vlt(vabs(v), vset1(0x1p-149f)));
}

/* Bit p - p0 of mask: some row x < R has a[p * ap + x * ax] != 0, for p
 * in [p0, p1), p1 - p0 <= ZSKIP_SPAN. Rows of terms (ap == 1, gemm) are
 * tested a vector at a time; columns (gemm_tn) one term at a time,
 * without branches (the pattern of zeros is data). */
VEC_INLINE void zskip_terms(size_t R, size_t p0, size_t p1, const float *a,
                            size_t ap, size_t ax, uint64_t mask[ZSKIP_WORDS])
{
    for (size_t w = 0; w < ZSKIP_WORDS; w++)
        mask[w] = 0;
    if (ap == 1) {
        for (size_t p = p0; p < p1; p += VEC_WIDTH) {
            const size_t lanes = p1 - p < VEC_WIDTH ? p1 - p : VEC_WIDTH;
            const vmask in = vmask_first(lanes);
            unsigned zeros = VEC_LANE_BITS;
            for (size_t x = 0; x < R; x++)
                zeros &= zero_lanes(vload_n(a + p + x * ax, lanes, in));
            const uint64_t bits = ~zeros & vmask_bits(in) & VEC_LANE_BITS;
            mask[(p - p0) / 64] |= bits << (p - p0) % 64;
        }
        return;
    }
    for (size_t p = p0; p < p1; p++) {
        uint32_t any = 0;
        for (size_t x = 0; x < R; x++) {
            uint32_t bits;
            memcpy(&bits, a + p * ap + x * ax, sizeof bits);
            any |= bits << 1;
        }
        mask[(p - p0) / 64] |= (uint64_t)(any != 0) << (p - p0) % 64;
    }
}

/* chunk_products over the masked terms of [p0, p0 + ZSKIP_SPAN) only,
 * added to acc: acc[x][q] += a[p * ap + x * ax] times the chunk of row p
 * of b, fused, in order of p. */
VEC_INLINE void zskip_products(size_t R, size_t p0,
                               const uint64_t mask[ZSKIP_WORDS],
                               const float *a, size_t ap, size_t ax,
                               const float *b, size_t ys, size_t j,
                               const chunk *ch,
                               vfloat acc[CHUNK_ROWS][CHUNK_VECS])
{
    for (size_t w = 0; w < ZSKIP_WORDS; w++) {
        for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
            const size_t p = p0 + w * 64 + (size_t)__builtin_ctzll(bits);
            const float *bp = b + p * ys + j;
            const float *apx = a + p * ap;
            vfloat bv[CHUNK_VECS];
            for (size_t q = 0; q < CHUNK_VECS; q++)
                bv[q] = vload_n(bp + VEC_WIDTH * q, ch->lanes[q], ch->mask[q]);
            for (size_t x = 0; x < R; x++) {
                const vfloat av = vset1(apx[x * ax]);
                for (size_t q = 0; q < CHUNK_VECS; q++)
                    acc[x][q] = vfma(av, bv[q], acc[x][q]);
            }
        }
    }
}

/* The sums of R rows of A (rows ax apart, terms ap apart, len terms) with
 * the chunk ch at column j of B's rows (ys apart), into acc. mask holds
 * the terms of [0, len) (zskip_terms) when len fits in one span; longer
 * sums mask each span in turn. */
VEC_INLINE void zskip_sums(size_t R, size_t len, uint64_t mask[ZSKIP_WORDS],
                           const float *a, size_t ap, size_t ax,
                           const float *b, size_t ys, size_t j,
                           const chunk *ch, vfloat acc[CHUNK_ROWS][CHUNK_VECS])
{
    for (size_t x = 0; x < R; x++)
        for (size_t q = 0; q < CHUNK_VECS; q++)
            acc[x][q] = vzero();
    if (len <= ZSKIP_SPAN) {
        zskip_products(R, 0, mask, a, ap, ax, b, ys, j, ch, acc);
        return;
    }
    for (size_t p0 = 0; p0 < len; p0 += ZSKIP_SPAN) {
        const size_t p1 = len - p0 < ZSKIP_SPAN ? len : p0 + ZSKIP_SPAN;
        zskip_terms(R, p0, p1, a, ap, ax, mask);
        zskip_products(R, p0, mask, a, ap, ax, b, ys, j, ch, acc);
    }
}

#endif /* SN_ZSKIP_X86_H */
