/*
 * vec_x86.h - what every x86 kernel body needs beyond the primitives of
 * its ISA's vector header, written once on those primitives.
 *
 * The kernel bodies in this folder (<op>_x86.h) are written once and
 * compiled once per ISA, in the manner of simdjson's src/generic/: a thin
 * file kernels/<isa>/<op>_<isa>.c includes its ISA's vector header
 * (vec_avx2.h, vec_avx512.h), which defines the vector types and
 * primitives below and then includes this file, and then the body. The
 * body names its function SN_X86_FN(op), which the vector header turns
 * into sn_<op>_<isa>.
 *
 * What a vector header provides (W = VEC_WIDTH floats; also VEC_INLINE and
 * SN_X86_FN):
 *   types   vfloat (W floats), vint (W int32), vmask (a lane mask),
 *           vbytes (W pixels, uint8, in an __m128i)
 *   masks   vmask_first(n) (lanes 0..n-1, n <= W), vmask_all()
 *   memory  vload, vstore; vload_mask, vstore_mask (no memory touched
 *           outside the mask, which is a vmask_first or vmask_all; zeros in
 *           the other lanes); vload_n, vstore_n
 *           (n <= W lanes with its mask: the plain instruction when n == W
 *           where that is faster)
 *   float   vzero, vset1, vadd, vsub, vmul, vdiv, vsqrt, vfma(a, b, c) =
 *           a b + c fused, vfnma(a, b, c) = c - a b fused, vmin(a, b) and
 *           vmax(a, b) (b where either is NaN), vabs, vround (to nearest),
 *           vlt(a, b) (a vmask), vblend(m, a, b) (b where m, else a)
 *   int     vset1_i32, vadd_i32, vshl_i32, vcvt_i32 (float to int, to
 *           nearest), vcast_f32 (the bits as floats), viota(base)
 *   pixels  vload_u8 (W bytes), vload_u8_n (n <= W bytes, no more read),
 *           vu8_is_zero, vu8_to_f32
 *   sums    vfold256 (a vector as 256 bits: its halves added on AVX-512),
 *           on which this file builds vhsum8 (8 vectors to one __m256 of
 *           their sums), vhsum4 (4 to an __m128) and vhsum (one to a float)
 *   nonzero NZ_BLOCK, vnonzero_bits(x, len) (bit b: x[b] != 0, for len <=
 *           NZ_BLOCK), vcompress_store (the lanes of a bit mask packed low
 *           and stored whole: outputs need a vector of slack)
 *
 * Built here on them: column chunks and the walks over a row's chunks
 * (CHUNKS_OF_ROW, SPANS_OF_ROW, ROW_BLOCKS), span sums, a prefetch,
 * horizontal sums, the gradient-buffer sums, and the loops of the
 * elementwise kernels (vmap1, vmap2) and of the optimizer steps (vgrad_at,
 * vstep_loop).
 */
#ifndef SN_VEC_X86_H
#define SN_VEC_X86_H

#ifndef VEC_WIDTH
#error "include an ISA's vector header (vec_avx2.h, vec_avx512.h), not this one"
#endif

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

/* A part of a kernel kept a function of its own, with its own frame. */
#define VEC_NOINLINE __attribute__((noinline))

/* A kernel function the vector header must keep out of ASan's
 * instrumentation (vec_avx512.h says why); nothing elsewhere. */
#ifndef VEC_ASAN_REALIGNED_FRAME
#define VEC_ASAN_REALIGNED_FRAME
#endif

/* Every lane bit of a vector, as an integer mask. */
#define VEC_LANE_BITS ((1u << VEC_WIDTH) - 1u)

/* The kernels that work on column chunks take CHUNK = 32 columns at a
 * time, the tutorial's layer width, and keep at least SN_X86_ACCUMULATORS
 * vectors of sums in flight: enough independent FMA chains for the FMA
 * latency of both ISAs (AVX2: 2 rows or partial sums of 4 vectors;
 * AVX-512: 4 of 2). gemm and gemm_tn keep GEMM_ACCUMULATORS (12 on AVX2,
 * below), the grouped sparse pair a span of up to SPAN_VECS. */
enum {
    CHUNK = 32,
    CHUNK_VECS = CHUNK / VEC_WIDTH,
    SN_X86_ACCUMULATORS = 8,
    CHUNK_ROWS = SN_X86_ACCUMULATORS / CHUNK_VECS,
};

/* gemm and gemm_tn's register blocks: a strip of up to GEMM_STRIP_VECS
 * vectors of a chunk against as many rows as GEMM_ACCUMULATORS sums allow
 * (the vector header's VEC_GEMM_ACCUMULATORS). On AVX2 that is 6 rows of 2
 * vectors, 12 sums, 2 vectors of B and a broadcast in 15 of the 16
 * registers: 8 loads for 12 FMAs, where a whole chunk of 2 rows (8 sums)
 * took 6 loads for 8 FMAs and left the FMA latency no slack (16x256x256
 * ran at 54% of the FMA peak). On AVX-512 a strip is a whole chunk. A
 * row's last, partial chunk keeps 8 sums: its masks take registers too,
 * and with 12 sums gemm at 100 x 10 x 32 (one chunk, 10 columns) ran at
 * 21% of the peak instead of 30%. */
enum {
    GEMM_ACCUMULATORS = VEC_GEMM_ACCUMULATORS,
    GEMM_TAIL_ACCUMULATORS = SN_X86_ACCUMULATORS,
    GEMM_STRIP_VECS = CHUNK_VECS < 2 ? CHUNK_VECS : 2,
};

/* Sums of GEMM_LONG_MIN products or more take GEMM_LONG_ACCUMULATORS
 * (the vector header's VEC_GEMM_LONG_ACCUMULATORS: 16 on AVX-512); each
 * kernel says which of its sizes is the sum's length. The count changes
 * only the blocking, never a value. */
enum {
    GEMM_LONG_ACCUMULATORS = VEC_GEMM_LONG_ACCUMULATORS,
    GEMM_LONG_MIN = 32,
    GEMM_MAX_ACCUMULATORS = GEMM_LONG_ACCUMULATORS > GEMM_ACCUMULATORS
                                ? GEMM_LONG_ACCUMULATORS
                                : GEMM_ACCUMULATORS,
};

/* The columns [c, c + CHUNK) of a row of m, as CHUNK_VECS vectors: how
 * many lanes of each exist (0 to W) and their masks. */
typedef struct chunk {
    size_t lanes[CHUNK_VECS];
    vmask mask[CHUNK_VECS];
} chunk;

VEC_INLINE chunk chunk_at(size_t m, size_t c)
{
    const size_t rem = m - c < CHUNK ? m - c : CHUNK;
    chunk ch;
    for (size_t q = 0; q < CHUNK_VECS; q++) {
        const size_t lo = VEC_WIDTH * q;
        ch.lanes[q] = rem <= lo ? 0 : rem - lo < VEC_WIDTH ? rem - lo : VEC_WIDTH;
        ch.mask[q] = vmask_first(ch.lanes[q]);
    }
    return ch;
}

/* A chunk all of whose vectors are whole, built from constants: a body
 * inlined with it keeps no lane tests and no masks in its loops. Every
 * chunked kernel runs its whole chunks through it and only the last,
 * partial one (chunk_at) through masks, so a width that is not a multiple
 * of 32 (100, say) costs masks in one chunk, not branches in all. */
VEC_INLINE chunk chunk_whole(void) { return chunk_at(CHUNK, 0); }

/* The gemm kernels' products for R rows of the first NV vectors of a chunk
 * at column j (R NV <= GEMM_MAX_ACCUMULATORS): acc[x * NV + q] is the sum
 * over p < len of a[p * ap + x * ax] times vector q of the chunk of row p
 * of b (ys floats a row), fused, in order of p. Each sum is a chain of its
 * own whatever R and NV are, so the blocking changes no value: a narrow
 * chunk (the 10 outputs, a width's last few columns) takes more rows at a
 * time and still keeps GEMM_ACCUMULATORS chains in flight. */
VEC_INLINE void chunk_products_add(size_t R, size_t NV, size_t len,
                                   const float *a, size_t ap, size_t ax,
                                   const float *b, size_t ys, size_t j,
                                   const chunk *ch,
                                   vfloat acc[GEMM_MAX_ACCUMULATORS])
{
    for (size_t p = 0; p < len; p++) {
        vfloat bv[CHUNK_VECS];
        for (size_t q = 0; q < NV; q++)
            bv[q] = vload_n(b + p * ys + j + VEC_WIDTH * q, ch->lanes[q], ch->mask[q]);
        for (size_t x = 0; x < R; x++) {
            const vfloat av = vset1(a[p * ap + x * ax]);
            for (size_t q = 0; q < NV; q++)
                acc[x * NV + q] = vfma(av, bv[q], acc[x * NV + q]);
        }
    }
}

/* The same from zero. chunk_products_add goes on from sums already in
 * acc: a chain cut in two and resumed is the same chain, bit for bit. */
VEC_INLINE void chunk_products(size_t R, size_t NV, size_t len,
                               const float *a, size_t ap, size_t ax,
                               const float *b, size_t ys, size_t j,
                               const chunk *ch,
                               vfloat acc[GEMM_MAX_ACCUMULATORS])
{
    for (size_t x = 0; x < R * NV; x++)
        acc[x] = vzero();
    chunk_products_add(R, NV, len, a, ap, ax, b, ys, j, ch, acc);
}

/* The vectors of chunk ch that hold any of its columns. */
VEC_INLINE size_t chunk_vectors(const chunk *ch)
{
    size_t nv = 0;
    while (nv < CHUNK_VECS && ch->lanes[nv])
        nv++;
    return nv;
}

/* The grouped sparse kernels' sums over a span of a row's columns: a
 * pair of chunks (2 CHUNK columns) or, for the row's last columns, up to
 * SPAN_VECS vectors (the vector header's VEC_SPAN_VECS). On AVX2 that is
 * 13 vectors, 104 columns: a row of 100 is one pass of 13 FMA chains,
 * where a pair and a pass of 5 vectors (36 columns) took twice the
 * per-entry work and left the second pass latency-bound (gemm_sparse at
 * 64 x 100 x 784 ran at 23% of the FMA peak, 41% at 64 wide). 13 sums, a
 * broadcast and a mask fill 15 of the 16 registers. The sums are zeroed,
 * a row scaled by v added (fused), and added into memory at o. */
enum { SPAN_VECS = VEC_SPAN_VECS, SPAN_COLS = SPAN_VECS * VEC_WIDTH };
_Static_assert(SPAN_VECS >= 2 * CHUNK_VECS, "a span holds a pair of chunks");

/* A span: nw whole vectors (a constant where it is built: SPANS_OF_ROW),
 * then one of rem lanes (0 to VEC_WIDTH - 1) under mask, and none after.
 * Three scalars, not a chunk per CHUNK columns: arrays of chunks stayed
 * in memory and every load of a span tested its lanes there (gemm_sparse
 * at 64 x 64 x 784 fell from 40% of the FMA peak to 30%). */
typedef struct span {
    size_t nw, rem;
    vmask mask;
} span;

typedef vfloat span_sum[SPAN_VECS];

VEC_INLINE void span_zero(span_sum acc)
{
    for (size_t q = 0; q < SPAN_VECS; q++)
        acc[q] = vzero();
}

/* Whether vector q of span sp has lanes; the loops below go over every
 * q < SPAN_VECS, and with nw a constant the test is gone, and so are the
 * FMAs on columns a span does not have. */
VEC_INLINE int span_has(const span *sp, size_t q)
{
    return q < sp->nw || (q == sp->nw && sp->rem);
}

/* Vector q of the span at p (a whole one, or the masked tail). */
VEC_INLINE vfloat span_load(const span *sp, size_t q, const float *p)
{
    return q < sp->nw ? vload(p + VEC_WIDTH * q)
                      : vload_mask(p + VEC_WIDTH * q, sp->mask);
}

VEC_INLINE void span_store(const span *sp, size_t q, float *p, vfloat v)
{
    if (q < sp->nw)
        vstore(p + VEC_WIDTH * q, v);
    else
        vstore_mask(p + VEC_WIDTH * q, sp->mask, v);
}

VEC_INLINE void span_fma(span_sum acc, vfloat v, const float *row,
                         const span *sp)
{
    for (size_t q = 0; q < SPAN_VECS; q++)
        if (span_has(sp, q))
            acc[q] = vfma(v, span_load(sp, q, row), acc[q]);
}

VEC_INLINE void span_add_to(float *o, const span_sum acc, const span *sp)
{
    for (size_t q = 0; q < SPAN_VECS; q++)
        if (span_has(sp, q))
            span_store(sp, q, o, vadd(span_load(sp, q, o), acc[q]));
}

/* o = the span's columns of b, or zeros where b is NULL. */
VEC_INLINE void span_set(float *o, const float *b, const span *sp)
{
    for (size_t q = 0; q < SPAN_VECS; q++)
        if (span_has(sp, q))
            span_store(sp, q, o, b ? span_load(sp, q, b) : vzero());
}

/* The columns a span has. */
VEC_INLINE size_t span_width(const span *sp)
{
    return sp->nw * VEC_WIDTH + sp->rem;
}

/* The chunked kernels' walks over a row, written once. CHUNKS_OF_ROW(n,
 * ACC, CALL) runs CALL(NV, j, ch, ACC) for each chunk of a row of n
 * columns: the whole ones with chunk_whole(), NV = CHUNK_VECS and ACC
 * sums (a constant), the last partial one with its masks, NV = the
 * vectors it needs (1, 2, else CHUNK_VECS) and GEMM_TAIL_ACCUMULATORS; NV
 * a constant in every expansion, so that the body is compiled for each.
 * SPANS_OF_ROW(w, CALL) runs CALL(W, c, sp) for each span of a row of w
 * columns (const span *sp): pairs of whole chunks while more than
 * SPAN_COLS columns are left, then one span of the rest; W is the
 * constant 2 CHUNK where the whole row is one pair (the engine's panels),
 * so that row addresses are shifts. */
#define CHUNKS_OF_ROW(n, ACC, CALL)                                            \
    do {                                                                       \
        const chunk whole_ = chunk_whole();                                    \
        size_t j_ = 0;                                                         \
        for (; j_ + CHUNK <= (n); j_ += CHUNK)                                 \
            CALL(CHUNK_VECS, j_, &whole_, (ACC));                              \
        if (j_ < (n)) {                                                        \
            const chunk tail_ = chunk_at((n), j_);                             \
            switch (chunk_vectors(&tail_)) {                                   \
            case 1: CALL(1, j_, &tail_, GEMM_TAIL_ACCUMULATORS); break;        \
            case 2: CALL(2, j_, &tail_, GEMM_TAIL_ACCUMULATORS); break;        \
            default:                                                           \
                CALL(CHUNK_VECS, j_, &tail_, GEMM_TAIL_ACCUMULATORS);          \
                break;                                                         \
            }                                                                  \
        }                                                                      \
    } while (0)

/* The vectors [s, s + GEMM_STRIP_VECS) of chunk ch, as a chunk of their
 * own (its vectors past them are ch's last ones, unused). */
VEC_INLINE chunk chunk_strip(const chunk *ch, size_t s)
{
    chunk sc = *ch;
    for (size_t q = 0; q < GEMM_STRIP_VECS && s + q < CHUNK_VECS; q++) {
        sc.lanes[q] = ch->lanes[s + q];
        sc.mask[q] = ch->mask[s + q];
    }
    return sc;
}

/* STRIPS_OF_CHUNK(NV, j, ch, ACC, CALL) runs CALL(SV, js, sc, ACC) for
 * each strip of the NV vectors of chunk ch at column j: SV vectors (a
 * constant in each expansion) at column js, their lanes and masks in the
 * chunk sc, ACC passed on. A chunk is at most two strips, written out: in
 * a loop over strips, which the compiler keeps, the lanes were read from
 * memory and every load tested them (gemm ran at half its speed). */
_Static_assert(CHUNK_VECS <= 2 * GEMM_STRIP_VECS,
               "a chunk is one or two strips");
#define STRIPS_OF_CHUNK(NV, j, ch, ACC, CALL)                                  \
    do {                                                                       \
        const chunk s0_ = chunk_strip((ch), 0);                                \
        CALL((NV) < GEMM_STRIP_VECS ? (NV) : GEMM_STRIP_VECS, (j), &s0_, ACC); \
        if ((NV) > GEMM_STRIP_VECS) {                                          \
            const chunk s1_ = chunk_strip((ch), GEMM_STRIP_VECS);              \
            CALL((NV) - GEMM_STRIP_VECS, (j) + VEC_WIDTH * GEMM_STRIP_VECS,    \
                 &s1_, ACC);                                                   \
        }                                                                      \
    } while (0)

/* ROW_BLOCKS(rows, NV, ACC, CALL) runs CALL(R, i) for rows [i, i + R) of
 * a gemm's output: blocks of ACC / NV rows (NV vectors each), then the
 * rest as at most four blocks of 8, 4, 2 and 1 rows (the rest's binary
 * digits, each less than ACC / NV), each R a constant: a tile of 64 rows
 * in blocks of 6 leaves 4, which one row at a time would run on 2 chains. */
#define ROW_BLOCKS(rows, NV, ACC, CALL)                                        \
    do {                                                                       \
        const size_t RB_ = (ACC) / (NV);                                       \
        size_t i_ = 0;                                                         \
        for (; i_ + RB_ <= (rows); i_ += RB_)                                  \
            CALL(RB_, i_);                                                     \
        const size_t rest_ = (rows) - i_;                                      \
        if (8 < RB_ && (rest_ & 8)) { CALL(8 < RB_ ? 8 : 1, i_); i_ += 8; }    \
        if (4 < RB_ && (rest_ & 4)) { CALL(4 < RB_ ? 4 : 1, i_); i_ += 4; }    \
        if (2 < RB_ && (rest_ & 2)) { CALL(2 < RB_ ? 2 : 1, i_); i_ += 2; }    \
        if (rest_ & 1)                                                         \
            CALL(1, i_);                                                       \
    } while (0)

#define SPANS_OF_ROW(w, CALL)                                                  \
    do {                                                                       \
        const span pair_ = span_of(2 * CHUNK_VECS, 0);                         \
        if ((w) == 2 * CHUNK) {                                                \
            CALL(2 * CHUNK, 0, &pair_);                                        \
            break;                                                             \
        }                                                                      \
        size_t c_ = 0;                                                         \
        for (; (w) - c_ > SPAN_COLS; c_ += 2 * CHUNK)                          \
            CALL((w), c_, &pair_);                                             \
        const size_t r_ = (w) - c_;                                            \
        switch (r_ / VEC_WIDTH) {                                              \
        case 0: SPAN_TAIL(0, r_, CALL, (w), c_); break;                        \
        case 1: SPAN_TAIL(1, r_, CALL, (w), c_); break;                        \
        case 2: SPAN_TAIL(2, r_, CALL, (w), c_); break;                        \
        case 3: SPAN_TAIL(3, r_, CALL, (w), c_); break;                        \
        case 4: SPAN_TAIL(4, r_, CALL, (w), c_); break;                        \
        case 5: SPAN_TAIL(5, r_, CALL, (w), c_); break;                        \
        case 6: SPAN_TAIL(6, r_, CALL, (w), c_); break;                        \
        case 7: SPAN_TAIL(7, r_, CALL, (w), c_); break;                        \
        case 8: SPAN_TAIL(8, r_, CALL, (w), c_); break;                        \
        case 9: SPAN_TAIL(9, r_, CALL, (w), c_); break;                        \
        case 10: SPAN_TAIL(10, r_, CALL, (w), c_); break;                      \
        case 11: SPAN_TAIL(11, r_, CALL, (w), c_); break;                      \
        case 12: SPAN_TAIL(12, r_, CALL, (w), c_); break;                      \
        default: SPAN_TAIL(13, r_, CALL, (w), c_); break;                      \
        }                                                                      \
    } while (0)
_Static_assert(SPAN_VECS <= 13, "SPANS_OF_ROW's cases reach 13 vectors");

/* The last r <= SPAN_COLS columns of a row as a span of NW whole vectors
 * (a constant in each expansion) and one of r % VEC_WIDTH lanes: a tail's
 * body has a mask on one vector only and no work on the columns it lacks
 * (96 wide, as a whole pair and a whole chunk, ran 2.4 times slower per
 * entry through runtime lane tests on every vector). AVX-512's span is 8
 * vectors: its r / VEC_WIDTH never reaches cases 9 to 13. */
#define SPAN_TAIL(NW, r, CALL, w, c)                                           \
    do {                                                                       \
        if ((r) == 0)                                                          \
            break;                                                             \
        const span tail_ =                                                     \
            span_of((NW) < SPAN_VECS ? (NW) : SPAN_VECS, (r) % VEC_WIDTH);     \
        CALL(w, c, &tail_);                                                    \
    } while (0)

/* How many pixels ahead gemm_tn_sparse fetches a gradient row, and the
 * fetch: the cache lines of n floats at p, to be written. */
enum { PREFETCH_AHEAD = 2 };

VEC_INLINE void prefetch_for_write(const float *p, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        __builtin_prefetch(p + i, 1, 3);
}

/* nw whole vectors and one of rem lanes. */
VEC_INLINE span span_of(size_t nw, size_t rem)
{
    return (span){nw, rem, vmask_first(rem)};
}

/* Horizontal sums: each vector folded to 256 bits (its halves added, on
 * AVX-512), then vec_base.h's order. vhsum8: lane i of the result is the
 * sum of the lanes of v[i]; vhsum4 the same for 4 vectors; vhsum the sum of
 * one vector's lanes (on AVX-512 the same adds in the same order as gcc's
 * _mm512_reduce_add_ps, which folds first too). */
VEC_INLINE __m256 vhsum8(const vfloat v[8])
{
    __m256 a[8];
    for (int i = 0; i < 8; i++)
        a[i] = vfold256(v[i]);
    return sn_hsum8_m256(a);
}

VEC_INLINE __m128 vhsum4(const vfloat v[4])
{
    const __m256 a[4] = {vfold256(v[0]), vfold256(v[1]), vfold256(v[2]),
                         vfold256(v[3])};
    return sn_hsum4_m256(a);
}

VEC_INLINE float vhsum(vfloat v) { return sn_hsum_m256(vfold256(v)); }

/* The largest lane of v, by halves in registers (any order gives the
 * same largest of finite lanes). */
VEC_INLINE float vhmax(vfloat v)
{
    const __m256 h = vfoldmax256(v);
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

/* The finished sums s of 8 (or 4) rows, plus the bias at b if it is not
 * NULL, stored at y: a row count, not a vector width, so 256 (128) bits on
 * every ISA. */
VEC_INLINE void store_row_sums8(float *y, const float *b, __m256 s)
{
    if (b)
        s = _mm256_add_ps(s, _mm256_loadu_ps(b));
    _mm256_storeu_ps(y, s);
}

VEC_INLINE void store_row_sums4(float *y, const float *b, __m128 s)
{
    if (b)
        s = _mm_add_ps(s, _mm_loadu_ps(b));
    _mm_storeu_ps(y, s);
}

/* The per-thread gradient buffers at i, added in buffer order. */
VEC_INLINE vfloat vsum_buffers(size_t nbuf, const float *const *g, size_t i)
{
    vfloat s = vload(g[0] + i);
    for (size_t j = 1; j < nbuf; j++)
        s = vadd(s, vload(g[j] + i));
    return s;
}

VEC_INLINE vfloat vsum_buffers_tail(size_t nbuf, const float *const *g,
                                    size_t i, vmask m)
{
    vfloat s = vload_mask(g[0] + i, m);
    for (size_t j = 1; j < nbuf; j++)
        s = vadd(s, vload_mask(g[j] + i, m));
    return s;
}

/* The loops of the elementwise kernels, written once: f (a VEC_INLINE
 * function of the body, inlined through the constant pointer) a vector at
 * a time, then the tail as one masked load and store. Each element is
 * read before its result is stored, so an output may equal an input. */
VEC_INLINE void vmap1(size_t n, const float *x, float *y, vfloat (*f)(vfloat))
{
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(y + i, f(vload(x + i)));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(y + i, m, f(vload_mask(x + i, m)));
    }
}

VEC_INLINE void vmap2(size_t n, const float *a, const float *b, float *y,
                      vfloat (*f)(vfloat, vfloat))
{
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(y + i, f(vload(a + i), vload(b + i)));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(y + i, m, f(vload_mask(a + i, m), vload_mask(b + i, m)));
    }
}

/* The batch gradient of an optimizer step: g = gsum * gscale, plus wd * p
 * when coupled weight decay is on (wd != 0), in the oracles' order. */
typedef struct vgrad {
    vfloat gscale, wd;
    int decay;
} vgrad;

VEC_INLINE vgrad vgrad_make(float gscale, float wd)
{
    return (vgrad){vset1(gscale), vset1(wd), wd != 0.0f};
}

VEC_INLINE vfloat vgrad_at(const vgrad *c, vfloat gsum, vfloat p)
{
    const vfloat g = vmul(gsum, c->gscale);
    return c->decay ? vadd(g, vmul(c->wd, p)) : g;
}

/* The loop of an optimizer step with one or two state arrays (s1 NULL for
 * one): g = vgrad_at(grad, the sum of the gradient buffers, p), then
 * step(p, s, g, k) returns the new p and updates the states s[0], s[1], a
 * vector at a time, then the masked tail. The buffers are only read; p and
 * the states are read once and written once. */
typedef vfloat vstep_fn(vfloat p, vfloat s[2], vfloat g, const void *k);

VEC_INLINE void vstep_run(size_t n, float *p, float *s0, float *s1,
                          size_t nbuf, const float *const *gsum,
                          const vgrad *grad, vstep_fn *step, const void *k)
{
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH) {
        const vfloat pv = vload(p + i);
        vfloat s[2] = {vload(s0 + i), s1 ? vload(s1 + i) : vzero()};
        const vfloat g = vgrad_at(grad, vsum_buffers(nbuf, gsum, i), pv);
        const vfloat next = step(pv, s, g, k);
        vstore(s0 + i, s[0]);
        if (s1)
            vstore(s1 + i, s[1]);
        vstore(p + i, next);
    }
    if (i < n) {
        const vmask m = vmask_first(n - i);
        const vfloat pv = vload_mask(p + i, m);
        vfloat s[2] = {vload_mask(s0 + i, m), s1 ? vload_mask(s1 + i, m) : vzero()};
        const vfloat g = vgrad_at(grad, vsum_buffers_tail(nbuf, gsum, i, m), pv);
        const vfloat next = step(pv, s, g, k);
        vstore_mask(s0 + i, m, s[0]);
        if (s1)
            vstore_mask(s1 + i, m, s[1]);
        vstore_mask(p + i, m, next);
    }
}

/* One buffer (one thread, the common case) as a constant, so that its
 * loop keeps no inner loop over the buffers. */
VEC_INLINE void vstep_loop(size_t n, float *p, float *s0, float *s1,
                           size_t nbuf, const float *const *gsum,
                           const vgrad *grad, vstep_fn *step, const void *k)
{
    if (nbuf == 1)
        vstep_run(n, p, s0, s1, 1, gsum, grad, step, k);
    else
        vstep_run(n, p, s0, s1, nbuf, gsum, grad, step, k);
}

#endif /* SN_VEC_X86_H */
