/*
 * kernel_cases.c - every kernel set against the scalar oracle (see
 * kernel_cases.h for the shape of a check, docs/kernels.md for the
 * tolerances in one table).
 *
 * What every check covers:
 *  - sizes: every length 0..67 plus longer ones for the vector kernels; for
 *    the matrix kernels rows and cols each over an awkward set (0, 1, around
 *    every power of two up to 67) and the network's own shapes;
 *  - three placements of every buffer: 64-byte aligned, offset by one
 *    element (1 float, 1 byte), and fenced: ending at an inaccessible page,
 *    so that any access past the end crashes, even a read whose value the
 *    kernel would discard;
 *  - in place where the contract allows it (the activations y == x, their
 *    backward steps delta == dcda, softmax y == x, delta_onehot delta == a);
 *  - guard values around every buffer: outputs must not be written out of
 *    bounds. The guards are quiet NaNs (0xff bytes for pixels), so a kernel
 *    that reads past an input and sums what it read also fails, on its
 *    result;
 *  - two kinds of values for the sums: random reals, compared against the
 *    oracle with a rounding-error bound, and small integers, whose products
 *    and sums are exact in float32 in any order, compared bit for bit. The
 *    second catches a missing or doubled element however small.
 * All values come from sn_rng with fixed seeds: a failure reproduces.
 */
#include "kernel_cases.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "registry.h"

enum {
    GUARD = 16, /* guard elements (at least 64 bytes) around every buffer */
    ALIGN = 64, /* base alignment: a cache line, one AVX-512 vector */
};

/* A quiet NaN with a payload nobody computes: guards compare by bits. */
#define GUARD_BITS 0x7fc0beefu
#define GUARD_BYTE 0xffu

static const uint64_t SEED = 20230915;

/* ------------------------------------------------------------ reporting */

static void fail(kc_report *rep, const char *fmt, ...)
{
    if (rep->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rep->first, sizeof rep->first, fmt, ap);
        va_end(ap);
    }
}

static void report_clear(kc_report *rep)
{
    memset(rep, 0, sizeof *rep);
}

/* got must be within tol of want; NaN only where want is NaN. tol = 0
 * demands equality (of value: -0 equals +0). */
static void expect_near(kc_report *rep, const char *ctx, const char *name,
                        size_t i, float got, float want, double tol)
{
    rep->checks++;
    int ok;
    if (isnan(want))
        ok = isnan(got);
    else
        ok = got == want ||
             (!isnan(got) && fabs((double)got - (double)want) <= tol);
    if (!ok)
        fail(rep, "%s: %s[%zu] = %.9g, expected %.9g (|diff| %.3g, tolerance %.3g)",
             ctx, name, i, (double)got, (double)want,
             fabs((double)got - (double)want), tol);
}

static unsigned float_bits(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* got must have want's bits (any NaN matches any NaN: payloads are not
 * part of any contract): the check of the bit-exact kernels, which also
 * tells -0 from +0. */
static void expect_bits(kc_report *rep, const char *ctx, const char *name,
                        size_t i, float got, float want)
{
    rep->checks++;
    if (!(isnan(got) && isnan(want)) && memcmp(&got, &want, sizeof got) != 0)
        fail(rep, "%s: %s[%zu] = %.9g (bits 0x%08x), expected %.9g (0x%08x)",
             ctx, name, i, (double)got, float_bits(got), (double)want,
             float_bits(want));
}

/* ------------------------------------------------------------ buffers */

static void *alloc_or_die(size_t align, size_t bytes)
{
    bytes = (bytes + align - 1) / align * align;
    void *p = aligned_alloc(align, bytes ? bytes : align);
    if (!p) {
        fprintf(stderr, "kernel_cases: out of memory (%zu bytes)\n", bytes);
        abort();
    }
    return p;
}

/* Where a buffer lies. The fenced placement ends every buffer exactly at
 * an inaccessible page, so that any access past its end, even a read whose
 * value a kernel would never use, faults: the test crashes (Criterion
 * reports a crash; kernel_check dies after naming the op it was on). */
typedef enum placement {
    PLACE_ALIGNED, /* 64-byte aligned, guards on both sides */
    PLACE_OFFSET,  /* one element past a 64-byte boundary, guards around */
    PLACE_FENCED,  /* guards before, an inaccessible page right after */
    NPLACES
} placement;

static const char *place_name(placement place)
{
    static const char *const names[NPLACES] = {"aligned", "offset by one",
                                               "fenced"};
    return names[place];
}

/* Byte i of a guard area for elements of size bytes: 0xff for pixels, else
 * the GUARD_BITS NaN over and over (little- or big-endian alike: the bytes
 * are compared, not the values). */
static unsigned char guard_byte(size_t size, size_t i)
{
    return size == 1 ? GUARD_BYTE
                     : (unsigned char)(GUARD_BITS >> (8 * (i % 4)));
}

/* n elements of size bytes (1, 4 or 8; the offset placement moves them by
 * one element), with guard elements around them. */
typedef struct buf {
    unsigned char *base;   /* the allocation */
    unsigned char *p;      /* the elements */
    size_t n, size;
    size_t total;          /* bytes of base that hold elements or guards */
    size_t fence;          /* bytes of the inaccessible page after them */
} buf;

static void *buf_make(buf *b, size_t n, size_t size, placement place)
{
    const size_t guard = GUARD * size < ALIGN ? ALIGN : GUARD * size;
    const size_t bytes = n * size;
    if (place == PLACE_FENCED) {
        const size_t page = (size_t)sysconf(_SC_PAGESIZE);
        const size_t used = (guard + bytes + page - 1) / page * page;
        b->base = alloc_or_die(page, used + page);
        b->total = used;
        b->fence = page;
        b->p = b->base + used - bytes;
        if (mprotect(b->base + used, page, PROT_NONE) != 0) {
            perror("kernel_cases: mprotect");
            abort();
        }
    } else {
        const size_t offset = place == PLACE_OFFSET ? size : 0;
        b->total = guard + offset + bytes + guard;
        b->base = alloc_or_die(ALIGN, b->total);
        b->fence = 0;
        b->p = b->base + guard + offset;
    }
    b->n = n;
    b->size = size;
    for (size_t i = 0; i < b->total; i++)
        b->base[i] = guard_byte(size, i);
    return b->p;
}

static float *fbuf_make(buf *b, size_t n, placement place)
{
    return buf_make(b, n, sizeof(float), place);
}

static uint8_t *bbuf_make(buf *b, size_t n, placement place)
{
    return buf_make(b, n, 1, place);
}

static uint32_t *ibuf_make(buf *b, size_t n, placement place)
{
    return buf_make(b, n, sizeof(uint32_t), place);
}

static uint64_t *qbuf_make(buf *b, size_t n, placement place)
{
    return buf_make(b, n, sizeof(uint64_t), place);
}

/* Every guard element must still hold its guard value. */
static void check_guards(kc_report *rep, const char *ctx, const char *name,
                         const buf *b)
{
    const size_t lo = (size_t)(b->p - b->base), hi = lo + b->n * b->size;
    rep->checks++;
    for (size_t i = 0; i < b->total; i++) {
        if (i >= lo && i < hi)
            continue;
        if (b->base[i] != guard_byte(b->size, i)) {
            /* The element (negative: before the buffer) and its byte. */
            const ptrdiff_t at = (ptrdiff_t)i - (ptrdiff_t)lo;
            const ptrdiff_t size = (ptrdiff_t)b->size;
            const ptrdiff_t elem = at >= 0 ? at / size : -1 - (-1 - at) / size;
            fail(rep, "%s: wrote %s[%td] (its byte %td is now 0x%02x), "
                      "outside its %zu elements",
                 ctx, name, elem, at - elem * size, b->base[i], b->n);
            return;
        }
    }
}

static void buf_free(buf *b)
{
    if (b->fence &&
        mprotect(b->base + b->total, b->fence, PROT_READ | PROT_WRITE) != 0) {
        perror("kernel_cases: mprotect");
        abort();
    }
    free(b->base);
    b->base = b->p = NULL;
}

/* ------------------------------------------------------------ inputs */

/* Random reals in [-1, 1), or (exact) integers in [-8, 8]: products of two
 * such integers and sums of up to 2^16 of them are exact in float32. */
static void fill(sn_rng *rng, float *v, size_t n, int exact)
{
    for (size_t i = 0; i < n; i++)
        v[i] = exact ? (float)((int)sn_rng_below(rng, 17) - 8)
                     : sn_rng_uniform_pm1(rng);
}

/* A buffer of n random values (fill). */
static float *fbuf_filled(buf *b, size_t n, placement place, sn_rng *rng,
                          int exact)
{
    float *v = fbuf_make(b, n, place);
    fill(rng, v, n, exact);
    return v;
}

/* An array a kernel adds into: the kernel's (out) and the oracle's (ref)
 * start from the same random values, which before keeps for the
 * tolerances. */
typedef struct acc_buf {
    buf O, R, B;
    float *out, *ref, *before;
} acc_buf;

static void acc_make(acc_buf *a, size_t n, placement place, sn_rng *rng,
                     int exact)
{
    a->out = fbuf_filled(&a->O, n, place, rng, exact);
    a->ref = fbuf_make(&a->R, n, place);
    a->before = fbuf_make(&a->B, n, place);
    memcpy(a->ref, a->out, n * sizeof(float));
    memcpy(a->before, a->out, n * sizeof(float));
}

static void acc_free(acc_buf *a)
{
    buf_free(&a->O), buf_free(&a->R), buf_free(&a->B);
}

/* Pixels like MNIST's: blank runs long enough to clear whole vector chunks
 * (kernels may skip those) alternating with short strokes of ink 1..255
 * that have zeros inside; about 80% of the bytes are exactly zero. */
static void fill_pixels(sn_rng *rng, uint8_t *x, size_t n)
{
    size_t i = 0;
    while (i < n) {
        for (size_t z = sn_rng_below(rng, 48); z > 0 && i < n; z--)
            x[i++] = 0;
        for (size_t s = 1 + sn_rng_below(rng, 12); s > 0 && i < n; s--)
            x[i++] = sn_rng_below(rng, 5) == 0
                         ? 0
                         : (uint8_t)(1 + sn_rng_below(rng, 255));
    }
}

static const sn_kernels *oracle(void)
{
    return sn_kernels_get_built(SN_ISA_SCALAR);
}

/* Vector lengths: every length up to 67 (all tails of 4, 8 and 16 lanes,
 * with and without a full vector or four before them) and some long ones. */
static const size_t lengths_long[] = {127, 128, 129, 255, 256, 257, 1000, 1031};
enum { LENGTH_DENSE = 68 };

#define NLENGTHS (LENGTH_DENSE + sizeof lengths_long / sizeof lengths_long[0])

static size_t length_at(size_t i)
{
    return i < LENGTH_DENSE ? i : lengths_long[i - LENGTH_DENSE];
}

/* Matrix dimensions: each used for rows and for cols. */
static const size_t dims[] = {0,  1,  2,  3,  5,  7,  8,  9,  15,
                              16, 17, 31, 32, 33, 63, 64, 65, 67};
/* The network's shapes ([784,32,32,10] and the tutorial's [10,3,3,2]) and
 * long rows that end in a tail. */
static const size_t shapes[][2] = {{32, 784}, {32, 32}, {10, 32}, {10, 3},
                                   {3, 10},   {7, 785}, {33, 799}};

#define NDIMS (sizeof dims / sizeof dims[0])
#define NSHAPES (sizeof shapes / sizeof shapes[0])

typedef void shape_fn(const sn_kernels *k, kc_report *rep, size_t rows,
                      size_t cols, placement place, int exact, sn_rng *rng);

/* Runs fn over every shape, placement and kind of values. */
static size_t for_each_shape(const sn_kernels *k, kc_report *rep,
                             shape_fn *fn)
{
    report_clear(rep);
    sn_rng rng;
    sn_rng_seed(&rng, SEED);
    for (int place = 0; place < NPLACES; place++) {
        for (int exact = 0; exact <= 1; exact++) {
            for (size_t i = 0; i < NDIMS; i++)
                for (size_t j = 0; j < NDIMS; j++)
                    fn(k, rep, dims[i], dims[j], (placement)place, exact, &rng);
            for (size_t i = 0; i < NSHAPES; i++)
                fn(k, rep, shapes[i][0], shapes[i][1], (placement)place, exact,
                   &rng);
        }
    }
    return rep->failures;
}

typedef void length_fn(const sn_kernels *k, kc_report *rep, size_t n,
                       placement place, sn_rng *rng);

static size_t for_each_length(const sn_kernels *k, kc_report *rep,
                              length_fn *fn)
{
    report_clear(rep);
    sn_rng rng;
    sn_rng_seed(&rng, SEED);
    for (int place = 0; place < NPLACES; place++)
        for (size_t i = 0; i < NLENGTHS; i++)
            fn(k, rep, length_at(i), (placement)place, &rng);
    return rep->failures;
}

static void shape_context(char *ctx, size_t len, const sn_kernels *k,
                          const char *op, size_t rows, size_t cols,
                          placement place, int exact, const char *extra)
{
    snprintf(ctx, len, "%s/%s rows=%zu cols=%zu %s %s%s",
             k->isa_name, op, rows, cols, place_name(place),
             exact ? "integer values" : "random values", extra);
}

/* ------------------------------------------------------------ gemv */

/*
 * Tolerance of a dot product of n terms plus a bias. The oracle sums in
 * order with a rounding per multiply and per add; a SIMD kernel sums in
 * lanes, fuses multiplies into adds and may scale at the end. Each result
 * is within gamma_n * sum|terms| of the exact value (Higham, "Accuracy and
 * Stability of Numerical Algorithms", 3.1: gamma_n = n u / (1 - n u),
 * u = FLT_EPSILON / 2), whatever the order, so the two differ by at most
 * about (n + 4) * FLT_EPSILON * (sum |terms| + |bias|) with room for the
 * bias add and a final scale. Integer values are exact in any order: there
 * the tolerance is 0.
 */
static double dot_tolerance(size_t n, double abs_sum, int exact)
{
    return exact ? 0.0 : (double)(n + 4) * FLT_EPSILON * abs_sum;
}

/* gemv and gemv_u8 (pixels != 0): the same check, gemv_u8's terms being
 * w * (x * scale). Integer mode uses scale 0.5, so every term and sum is
 * still exact (at most 784 * 8 * 127.5, on a grid of 0.5: 22 bits), whether
 * a kernel scales each pixel or the finished sum. */
static void gemv_any_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                           size_t cols, placement place, int exact,
                           sn_rng *rng, int pixels)
{
    const sn_kernels *ref = oracle();
    buf W, X, B, Y, R;
    float *w = fbuf_make(&W, rows * cols, place);
    float *xf = pixels ? NULL : fbuf_make(&X, cols, place);
    uint8_t *xb = pixels ? bbuf_make(&X, cols, place) : NULL;
    float *b = fbuf_make(&B, rows, place);
    float *y = fbuf_make(&Y, rows, place);
    float *yref = fbuf_make(&R, rows, place);
    const float scale = !pixels ? 1.0f : exact ? 0.5f : 1.0f / 255.0f;
    fill(rng, w, rows * cols, exact);
    if (pixels)
        fill_pixels(rng, xb, cols);
    else
        fill(rng, xf, cols, exact);
    fill(rng, b, rows, exact);
    for (int bias = 0; bias <= 1; bias++) {
        char ctx[200];
        shape_context(ctx, sizeof ctx, k, pixels ? "gemv_u8" : "gemv", rows,
                      cols, place, exact, bias ? ", bias" : ", no bias");
        const float *bb = bias ? b : NULL;
        if (pixels) {
            ref->gemv_u8(rows, cols, w, xb, scale, bb, yref);
            k->gemv_u8(rows, cols, w, xb, scale, bb, y);
        } else {
            ref->gemv(rows, cols, w, xf, bb, yref);
            k->gemv(rows, cols, w, xf, bb, y);
        }
        for (size_t r = 0; r < rows; r++) {
            double abs_sum = bias ? fabs(b[r]) : 0.0;
            for (size_t c = 0; c < cols; c++) {
                const double xc = pixels ? (double)xb[c] * scale : xf[c];
                abs_sum += fabs((double)w[r * cols + c] * xc);
            }
            expect_near(rep, ctx, "y", r, y[r], yref[r],
                        dot_tolerance(cols, abs_sum, exact));
        }
        check_guards(rep, ctx, "y", &Y);
    }
    buf_free(&W), buf_free(&X), buf_free(&B), buf_free(&Y), buf_free(&R);
}

static void gemv_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                       size_t cols, placement place, int exact, sn_rng *rng)
{
    gemv_any_shape(k, rep, rows, cols, place, exact, rng, 0);
}

static void gemv_u8_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                          size_t cols, placement place, int exact, sn_rng *rng)
{
    gemv_any_shape(k, rep, rows, cols, place, exact, rng, 1);
}

size_t kc_check_gemv(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, gemv_shape);
}

size_t kc_check_gemv_u8(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, gemv_u8_shape);
}

/* gemv_t: y[c] is a sum over the rows of w[r][c] * d[r]; same bound with
 * n = rows. */
static void gemv_t_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                         size_t cols, placement place, int exact, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf W, D, Y, R;
    float *w = fbuf_make(&W, rows * cols, place);
    float *d = fbuf_make(&D, rows, place);
    float *y = fbuf_make(&Y, cols, place);
    float *yref = fbuf_make(&R, cols, place);
    fill(rng, w, rows * cols, exact);
    fill(rng, d, rows, exact);
    /* y is output only: start it from garbage that must be overwritten. */
    fill(rng, y, cols, 0);
    char ctx[200];
    shape_context(ctx, sizeof ctx, k, "gemv_t", rows, cols, place, exact, "");
    ref->gemv_t(rows, cols, w, d, yref);
    k->gemv_t(rows, cols, w, d, y);
    for (size_t c = 0; c < cols; c++) {
        double abs_sum = 0.0;
        for (size_t r = 0; r < rows; r++)
            abs_sum += fabs((double)w[r * cols + c] * d[r]);
        expect_near(rep, ctx, "y", c, y[c], yref[c],
                    dot_tolerance(rows, abs_sum, exact));
    }
    check_guards(rep, ctx, "y", &Y);
    buf_free(&W), buf_free(&D), buf_free(&Y), buf_free(&R);
}

size_t kc_check_gemv_t(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, gemv_t_shape);
}

/* ------------------------------------------------------------ ger */

/*
 * ger: every element is dw + d * x, two roundings in the oracle, one if a
 * kernel fuses them. Their difference is at most 3u (|dw| + |d x|), that is
 * 1.5 FLT_EPSILON (|dw| + |d x|); we allow 2. ger_u8 has a third rounding (the pixel
 * scale, which a kernel may apply to d instead of x): 3 FLT_EPSILON.
 * Integer values: exact.
 */
static void ger_any_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                          size_t cols, placement place, int exact,
                          sn_rng *rng, int pixels)
{
    const sn_kernels *ref = oracle();
    buf D, X;
    acc_buf G;
    const float *d = fbuf_filled(&D, rows, place, rng, exact);
    const float *xf = pixels ? NULL : fbuf_filled(&X, cols, place, rng, exact);
    uint8_t *xb = pixels ? bbuf_make(&X, cols, place) : NULL;
    if (pixels)
        fill_pixels(rng, xb, cols);
    acc_make(&G, rows * cols, place, rng, exact);
    const float scale = !pixels ? 1.0f : exact ? 0.5f : 1.0f / 255.0f;
    char ctx[200];
    shape_context(ctx, sizeof ctx, k, pixels ? "ger_u8" : "ger", rows, cols,
                  place, exact, "");
    if (pixels) {
        ref->ger_u8(rows, cols, d, xb, scale, G.ref);
        k->ger_u8(rows, cols, d, xb, scale, G.out);
    } else {
        ref->ger(rows, cols, d, xf, G.ref);
        k->ger(rows, cols, d, xf, G.out);
    }
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            const size_t i = r * cols + c;
            /* |dw before| ~ |dw after - d x|: the oracle's terms. */
            const double xc = pixels ? (double)xb[c] * scale : xf[c];
            const double terms = fabs((double)G.before[i]) +
                                 fabs((double)d[r] * xc);
            expect_near(rep, ctx, "dw", i, G.out[i], G.ref[i],
                        exact    ? 0.0
                        : pixels ? 3.0 * FLT_EPSILON * terms
                                 : 2.0 * FLT_EPSILON * terms);
        }
    }
    check_guards(rep, ctx, "dw", &G.O);
    buf_free(&D), buf_free(&X), acc_free(&G);
}

static void ger_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                      size_t cols, placement place, int exact, sn_rng *rng)
{
    ger_any_shape(k, rep, rows, cols, place, exact, rng, 0);
}

static void ger_u8_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                         size_t cols, placement place, int exact, sn_rng *rng)
{
    ger_any_shape(k, rep, rows, cols, place, exact, rng, 1);
}

size_t kc_check_ger(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, ger_shape);
}

size_t kc_check_ger_u8(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, ger_u8_shape);
}

/* ------------------------------------------------------------ sparse input */

/*
 * nonzero_u8 must find exactly the oracle's nonzero bytes, in order, with
 * the same values (x * scale: one rounding, tolerance 0). Its outputs have
 * room for n + 16 entries by contract: a kernel may write past the count
 * but not past that. It runs without and with the seen bitmap, which starts
 * from random bits: set bits must stay set, the nonzero pixels' bits be set
 * and the rest left alone, word for word as the oracle does.
 */
static void nonzero_u8_run(const sn_kernels *k, kc_report *rep,
                           const char *ctx, size_t n, const uint8_t *x,
                           placement place, uint64_t *seed_bits)
{
    const sn_kernels *ref = oracle();
    const size_t words = (n + 63) / 64;
    buf I, IR, V, VR, S, SR;
    uint32_t *idx = ibuf_make(&I, n + 16, place);
    uint32_t *idxref = ibuf_make(&IR, n + 16, place);
    float *val = fbuf_make(&V, n + 16, place);
    float *valref = fbuf_make(&VR, n + 16, place);
    uint64_t *seen = seed_bits ? qbuf_make(&S, words, place) : NULL;
    uint64_t *seenref = seed_bits ? qbuf_make(&SR, words, place) : NULL;
    if (seed_bits) {
        memcpy(seen, seed_bits, words * sizeof *seen);
        memcpy(seenref, seed_bits, words * sizeof *seen);
    }
    const float scale = 1.0f / 255.0f;
    const size_t want = ref->nonzero_u8(n, x, scale, idxref, valref, seenref);
    const size_t got = k->nonzero_u8(n, x, scale, idx, val, seen);
    rep->checks++;
    if (got != want) {
        fail(rep, "%s: found %zu nonzero bytes, expected %zu", ctx, got, want);
    } else {
        for (size_t j = 0; j < want; j++) {
            rep->checks++;
            if (idx[j] != idxref[j])
                fail(rep, "%s: idx[%zu] = %u, expected %u", ctx, j,
                     (unsigned)idx[j], (unsigned)idxref[j]);
            expect_near(rep, ctx, "val", j, val[j], valref[j], 0.0);
        }
    }
    for (size_t w = 0; seed_bits && w < words; w++) {
        rep->checks++;
        if (seen[w] != seenref[w])
            fail(rep, "%s: seen[%zu] = 0x%016llx, expected 0x%016llx", ctx, w,
                 (unsigned long long)seen[w], (unsigned long long)seenref[w]);
    }
    check_guards(rep, ctx, "idx", &I);
    check_guards(rep, ctx, "val", &V);
    if (seed_bits) {
        check_guards(rep, ctx, "seen", &S);
        buf_free(&S), buf_free(&SR);
    }
    buf_free(&I), buf_free(&IR), buf_free(&V), buf_free(&VR);
}

static void nonzero_u8_length(const sn_kernels *k, kc_report *rep, size_t n,
                              placement place, sn_rng *rng)
{
    static const char *const kinds[] = {"MNIST-like", "all zero", "all ink"};
    for (size_t kind = 0; kind < 3; kind++) {
        buf X;
        uint8_t *x = bbuf_make(&X, n, place);
        if (kind == 0)
            fill_pixels(rng, x, n);
        else
            for (size_t i = 0; i < n; i++)
                x[i] = kind == 1 ? 0 : (uint8_t)(1 + sn_rng_below(rng, 255));
        const size_t words = (n + 63) / 64;
        uint64_t *bits = alloc_or_die(ALIGN, (words + 1) * sizeof *bits);
        for (size_t w = 0; w < words; w++)
            bits[w] = (uint64_t)sn_rng_u32(rng) << 32 | sn_rng_u32(rng);
        char ctx[160];
        snprintf(ctx, sizeof ctx, "%s/nonzero_u8 n=%zu %s %s pixels",
                 k->isa_name, n, place_name(place), kinds[kind]);
        nonzero_u8_run(k, rep, ctx, n, x, place, NULL);
        snprintf(ctx, sizeof ctx, "%s/nonzero_u8 n=%zu %s %s pixels, seen",
                 k->isa_name, n, place_name(place), kinds[kind]);
        nonzero_u8_run(k, rep, ctx, n, x, place, bits);
        free(bits);
        buf_free(&X);
    }
}

size_t kc_check_nonzero_u8(const sn_kernels *k, kc_report *rep)
{
    for_each_length(k, rep, nonzero_u8_length);
    /* One MNIST row of pixels more: the network's own length. */
    sn_rng rng;
    sn_rng_seed(&rng, SEED + 1);
    nonzero_u8_length(k, rep, 784, PLACE_FENCED, &rng);
    return rep->failures;
}

/*
 * The sparse pair works on a transposed matrix WT [cols][m] (one row per
 * input) and a sparse input taken from MNIST-like pixels by the oracle's
 * nonzero_u8. In the shapes of for_each_shape, rows is m (the outputs) and
 * cols the input length.
 *
 * gemv_sparse: each y[r] is a sum of nnz terms plus a bias: the dot-product
 * tolerance with n = nnz (integer mode: val = pixel * 0.5, exact).
 */
static size_t sparse_input(sn_rng *rng, size_t cols, int exact, uint32_t *idx,
                           float *val)
{
    uint8_t *x = alloc_or_die(ALIGN, cols + 1);
    fill_pixels(rng, x, cols);
    const size_t nnz = oracle()->nonzero_u8(
        cols, x, exact ? 0.5f : 1.0f / 255.0f, idx, val, NULL);
    free(x);
    return nnz;
}

static void gemv_sparse_shape(const sn_kernels *k, kc_report *rep, size_t m,
                              size_t cols, placement place, int exact,
                              sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf I;
    buf V, W, B, Y, R;
    uint32_t *idx = ibuf_make(&I, cols + 16, place);
    float *val = fbuf_make(&V, cols + 16, place);
    float *wt = fbuf_make(&W, cols * m, place);
    float *b = fbuf_make(&B, m, place);
    float *y = fbuf_make(&Y, m, place);
    float *yref = fbuf_make(&R, m, place);
    const size_t nnz = sparse_input(rng, cols, exact, idx, val);
    fill(rng, wt, cols * m, exact);
    fill(rng, b, m, exact);
    for (int bias = 0; bias <= 1; bias++) {
        char ctx[200];
        snprintf(ctx, sizeof ctx,
                 "%s/gemv_sparse m=%zu cols=%zu nnz=%zu %s %s, %s",
                 k->isa_name, m, cols, nnz, place_name(place),
                 exact ? "integer values" : "random values",
                 bias ? "bias" : "no bias");
        fill(rng, y, m, 0); /* output only: garbage to overwrite */
        ref->gemv_sparse(m, nnz, idx, val, wt, bias ? b : NULL, yref);
        k->gemv_sparse(m, nnz, idx, val, wt, bias ? b : NULL, y);
        for (size_t r = 0; r < m; r++) {
            double abs_sum = bias ? fabs(b[r]) : 0.0;
            for (size_t j = 0; j < nnz; j++)
                abs_sum += fabs((double)val[j] * wt[(size_t)idx[j] * m + r]);
            expect_near(rep, ctx, "y", r, y[r], yref[r],
                        dot_tolerance(nnz, abs_sum, exact));
        }
        check_guards(rep, ctx, "y", &Y);
    }
    buf_free(&I), buf_free(&V), buf_free(&W), buf_free(&B),
        buf_free(&Y), buf_free(&R);
}

size_t kc_check_gemv_sparse(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, gemv_sparse_shape);
}

/* ger_sparse: each touched element is dwt + val * d, as in ger: 2
 * FLT_EPSILON (|dwt| + |val d|); the rows of inputs that are zero must not
 * change at all. */
static void ger_sparse_shape(const sn_kernels *k, kc_report *rep, size_t m,
                             size_t cols, placement place, int exact,
                             sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf I, V, D;
    acc_buf G;
    uint32_t *idx = ibuf_make(&I, cols + 16, place);
    float *val = fbuf_make(&V, cols + 16, place);
    const size_t nnz = sparse_input(rng, cols, exact, idx, val);
    const float *d = fbuf_filled(&D, m, place, rng, exact);
    acc_make(&G, cols * m, place, rng, exact);
    const float *dwt = G.out, *dwtref = G.ref, *before = G.before;
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s/ger_sparse m=%zu cols=%zu nnz=%zu %s %s",
             k->isa_name, m, cols, nnz, place_name(place),
             exact ? "integer values" : "random values");
    ref->ger_sparse(m, nnz, idx, val, d, G.ref);
    k->ger_sparse(m, nnz, idx, val, d, G.out);
    for (size_t j = 0, c = 0; c < cols; c++) {
        /* The value of input c, 0 where it is not in the list. */
        double v = 0.0;
        if (j < nnz && idx[j] == c)
            v = val[j++];
        for (size_t r = 0; r < m; r++) {
            const size_t i = c * m + r;
            const double terms = fabs((double)before[i]) + fabs(v * d[r]);
            expect_near(rep, ctx, "dwt", i, dwt[i], dwtref[i],
                        exact ? 0.0 : 2.0 * FLT_EPSILON * terms);
        }
    }
    check_guards(rep, ctx, "dwt", &G.O);
    buf_free(&I), buf_free(&V), buf_free(&D), acc_free(&G);
}

size_t kc_check_ger_sparse(const sn_kernels *k, kc_report *rep)
{
    return for_each_shape(k, rep, ger_sparse_shape);
}

/* ------------------------------------------------------------ gemm */

/* Tiles of samples: the m of gemm and gemm_tn, around the 4, 6 and 8
 * rows a kernel may block by (each rest of a block of 6 or 8 after
 * blocks: 6 and 7 leave 6 and 7 of 8); (n, k) run over dims x dims. */
static const size_t tile_rows[] = {0, 1, 3, 4, 5, 6, 7, 8, 9, 17};
/* The network's products for a tile of samples: forward through W1, W2, W3
 * (B = W^T), errors back through W3 and W2 (B = W), the gradients; a long
 * row with tails; 784-100-100-10's (a tail of 4 columns after three whole
 * chunks, and the 10 outputs, blocked by 8 rows); 96 wide (a whole pair
 * of chunks and a whole chunk); rows of 256 and more. As (m, n, k). */
static const size_t gemm_shapes[][3] = {
    {16, 32, 784}, {100, 32, 784}, {16, 32, 32}, {16, 10, 32},
    {16, 32, 10},  {16, 10, 3},    {7, 33, 785},  {16, 64, 784},
    {16, 100, 784}, {16, 100, 100}, {16, 10, 100}, {16, 100, 10},
    {16, 96, 784},
    /* wide rows, where gemm takes B by packed blocks of 64 rows and
     * gemm_tn C by groups of rows with B packed: whole, tails in n and k,
     * a k of no rows, and an m too long to pack */
    {16, 256, 256}, {3, 291, 130}, {9, 257, 65}, {4, 300, 0}, {40, 260, 520},
    /* the grouped tile of 64 (engine_sparse.h): 10 blocks of 6 rows and 4 */
    {64, 256, 256},
    /* the sparse kernels' widest last span on AVX2 (104 columns, 13 whole
     * vectors), and one column more (a pair, then 41) */
    {16, 104, 200}, {5, 105, 50},
    /* and on AVX-512 (128 columns, 8 whole vectors), one column more, and
     * last spans of 5 and 7 whole vectors and a tail */
    {16, 128, 300}, {3, 129, 60}, {9, 85, 130}, {5, 120, 67},
    /* gemm_tn's long sums (m of 32 or more: blocks of 8 rows of C on
     * AVX-512), each rest of a block in n and tails in k; and its wide
     * path with a short m (k of 256 or more) */
    {32, 15, 33}, {33, 23, 17}, {40, 7, 65}, {48, 31, 100}, {35, 67, 9},
    {5, 37, 270},
};

#define NTILES (sizeof tile_rows / sizeof tile_rows[0])
#define NGEMM_SHAPES (sizeof gemm_shapes / sizeof gemm_shapes[0])

typedef void gemm_shape_fn(const sn_kernels *k, kc_report *rep, size_t m,
                           size_t n, size_t inner, placement place, int exact,
                           sn_rng *rng);

static size_t for_each_gemm_shape(const sn_kernels *k, kc_report *rep,
                                  gemm_shape_fn *fn)
{
    report_clear(rep);
    sn_rng rng;
    sn_rng_seed(&rng, SEED);
    for (int place = 0; place < NPLACES; place++) {
        for (int exact = 0; exact <= 1; exact++) {
            for (size_t t = 0; t < NTILES; t++)
                for (size_t i = 0; i < NDIMS; i++)
                    for (size_t j = 0; j < NDIMS; j++)
                        fn(k, rep, tile_rows[t], dims[i], dims[j],
                           (placement)place, exact, &rng);
            for (size_t i = 0; i < NGEMM_SHAPES; i++)
                fn(k, rep, gemm_shapes[i][0], gemm_shapes[i][1],
                   gemm_shapes[i][2], (placement)place, exact, &rng);
        }
    }
    return rep->failures;
}

/* gemm_zskip and gemm_tn_zskip run the cases of gemm and gemm_tn on A as
 * a ReLU layer leaves it: about half its entries +0 or -0 and one row and
 * one column all zeros (whole blocks to skip). Each is checked against the
 * oracle's within gemm's (gemm_tn's) tolerance, and against its own set's
 * gemm (gemm_tn) exactly, as is the oracle against its own: the same
 * values, a zero's sign aside (kernels.h). */
static void relu_zeros(sn_rng *rng, float *a, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows * cols; i++)
        if (sn_rng_below(rng, 2))
            a[i] = sn_rng_below(rng, 2) ? 0.0f : -0.0f;
    for (size_t j = 0; rows > 1 && j < cols; j++)
        a[cols + j] = 0.0f;
    for (size_t i = 0; cols > 2 && i < rows; i++)
        a[i * cols + 2] = -0.0f;
}

/* gemm: C = A B + bias; each c[i][j] is a dot product of length k plus a
 * bias: the dot-product tolerance. C is output only and starts as garbage.
 * zskip: gemm_zskip on ReLU's zeros (above). */
static void gemm_case(const sn_kernels *k, kc_report *rep, size_t m,
                      size_t n, size_t inner, placement place, int exact,
                      sn_rng *rng, int zskip)
{
    const sn_kernels *ref = oracle();
    buf A, B, BI, C, D, R;
    float *a = fbuf_make(&A, m * inner, place);
    float *b = fbuf_make(&B, inner * n, place);
    float *bias = fbuf_make(&BI, n, place);
    float *c = fbuf_make(&C, m * n, place);
    float *dense = fbuf_make(&D, m * n, place);
    float *cref = fbuf_make(&R, m * n, place);
    fill(rng, a, m * inner, exact);
    if (zskip)
        relu_zeros(rng, a, m, inner);
    fill(rng, b, inner * n, exact);
    fill(rng, bias, n, exact);
    sn_gemm_fn *want = zskip ? ref->gemm_zskip : ref->gemm;
    sn_gemm_fn *got = zskip ? k->gemm_zskip : k->gemm;
    for (int with_bias = 0; with_bias <= 1; with_bias++) {
        char ctx[200];
        snprintf(ctx, sizeof ctx, "%s/%s m=%zu n=%zu k=%zu %s %s, %s",
                 k->isa_name, zskip ? "gemm_zskip" : "gemm", m, n, inner,
                 place_name(place), exact ? "integer values" : "random values",
                 with_bias ? "bias" : "no bias");
        fill(rng, c, m * n, 0);
        const float *bv = with_bias ? bias : NULL;
        want(m, n, inner, a, b, bv, cref);
        got(m, n, inner, a, b, bv, c);
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < n; j++) {
                double abs_sum = bv ? fabs(bv[j]) : 0.0;
                for (size_t p = 0; p < inner; p++)
                    abs_sum += fabs((double)a[i * inner + p] * b[p * n + j]);
                expect_near(rep, ctx, "c", i * n + j, c[i * n + j],
                            cref[i * n + j],
                            dot_tolerance(inner, abs_sum, exact));
            }
        }
        check_guards(rep, ctx, "c", &C);
        for (int set = 0; zskip && set < 2; set++) {
            (set ? ref : k)->gemm(m, n, inner, a, b, bv, dense);
            for (size_t i = 0; i < m * n; i++)
                expect_near(rep, ctx, set ? "oracle's c (against its gemm)"
                                          : "c (against gemm)",
                            i, (set ? cref : c)[i], dense[i], 0.0);
        }
    }
    buf_free(&A), buf_free(&B), buf_free(&BI), buf_free(&C), buf_free(&D),
        buf_free(&R);
}

static void gemm_shape(const sn_kernels *k, kc_report *rep, size_t m,
                       size_t n, size_t inner, placement place, int exact,
                       sn_rng *rng)
{
    gemm_case(k, rep, m, n, inner, place, exact, rng, 0);
}

static void gemm_zskip_shape(const sn_kernels *k, kc_report *rep, size_t m,
                             size_t n, size_t inner, placement place,
                             int exact, sn_rng *rng)
{
    gemm_case(k, rep, m, n, inner, place, exact, rng, 1);
}

size_t kc_check_gemm(const sn_kernels *k, kc_report *rep)
{
    return for_each_gemm_shape(k, rep, gemm_shape);
}

/* gemm_tn: C += A^T B; each c[r][j] is its old value plus a sum of m
 * products, which a kernel may total before adding: the dot-product
 * tolerance over m + 1 terms. zskip: gemm_tn_zskip on ReLU's zeros. */
static void gemm_tn_case(const sn_kernels *k, kc_report *rep, size_t m,
                         size_t n, size_t inner, placement place, int exact,
                         sn_rng *rng, int zskip)
{
    const sn_kernels *ref = oracle();
    buf A, B, C, D, R, O;
    float *a = fbuf_make(&A, m * n, place);
    float *b = fbuf_make(&B, m * inner, place);
    float *c = fbuf_make(&C, n * inner, place);
    float *dense = fbuf_make(&D, n * inner, place);
    float *cref = fbuf_make(&R, n * inner, place);
    float *before = fbuf_make(&O, n * inner, place);
    fill(rng, a, m * n, exact);
    if (zskip)
        relu_zeros(rng, a, m, n);
    fill(rng, b, m * inner, exact);
    fill(rng, c, n * inner, exact);
    memcpy(cref, c, n * inner * sizeof(float));
    memcpy(before, c, n * inner * sizeof(float));
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s/%s m=%zu n=%zu k=%zu %s %s", k->isa_name,
             zskip ? "gemm_tn_zskip" : "gemm_tn", m, n, inner,
             place_name(place), exact ? "integer values" : "random values");
    (zskip ? ref->gemm_tn_zskip : ref->gemm_tn)(m, n, inner, a, b, cref);
    (zskip ? k->gemm_tn_zskip : k->gemm_tn)(m, n, inner, a, b, c);
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < inner; j++) {
            const size_t i = r * inner + j;
            double abs_sum = fabs((double)before[i]);
            for (size_t s = 0; s < m; s++)
                abs_sum += fabs((double)a[s * n + r] * b[s * inner + j]);
            expect_near(rep, ctx, "c", i, c[i], cref[i],
                        dot_tolerance(m + 1, abs_sum, exact));
        }
    }
    check_guards(rep, ctx, "c", &C);
    for (int set = 0; zskip && set < 2; set++) {
        memcpy(dense, before, n * inner * sizeof(float));
        (set ? ref : k)->gemm_tn(m, n, inner, a, b, dense);
        for (size_t i = 0; i < n * inner; i++)
            expect_near(rep, ctx, set ? "oracle's c (against its gemm_tn)"
                                      : "c (against gemm_tn)",
                        i, (set ? cref : c)[i], dense[i], 0.0);
    }
    buf_free(&A), buf_free(&B), buf_free(&C), buf_free(&D), buf_free(&R),
        buf_free(&O);
}

static void gemm_tn_shape(const sn_kernels *k, kc_report *rep, size_t m,
                          size_t n, size_t inner, placement place, int exact,
                          sn_rng *rng)
{
    gemm_tn_case(k, rep, m, n, inner, place, exact, rng, 0);
}

static void gemm_tn_zskip_shape(const sn_kernels *k, kc_report *rep,
                                size_t m, size_t n, size_t inner,
                                placement place, int exact, sn_rng *rng)
{
    gemm_tn_case(k, rep, m, n, inner, place, exact, rng, 1);
}

size_t kc_check_gemm_tn(const sn_kernels *k, kc_report *rep)
{
    return for_each_gemm_shape(k, rep, gemm_tn_shape);
}

/* Beyond the gemm shapes: sums longer than the kernels' lists of terms
 * (1024 on x86 and NEON), which they take in spans. */
static size_t zskip_shapes(const sn_kernels *k, kc_report *rep,
                           gemm_shape_fn *fn, size_t m, size_t n, size_t inner)
{
    for_each_gemm_shape(k, rep, fn);
    sn_rng rng;
    sn_rng_seed(&rng, SEED);
    fn(k, rep, m, n, inner, (placement)0, 0, &rng);
    fn(k, rep, m, n, inner, (placement)(NPLACES - 1), 1, &rng);
    return rep->failures;
}

size_t kc_check_gemm_zskip(const sn_kernels *k, kc_report *rep)
{
    return zskip_shapes(k, rep, gemm_zskip_shape, 5, 40, 2100);
}

size_t kc_check_gemm_tn_zskip(const sn_kernels *k, kc_report *rep)
{
    return zskip_shapes(k, rep, gemm_tn_zskip_shape, 2100, 5, 37);
}

/* A tile of m samples' sparse inputs over `cols` pixels grouped by pixel,
 * as gemm_tn_sparse takes it: the pixels are listed in decreasing order
 * (the kernel must not rely on any), each with its samples in order; and
 * by sample, as gemm_sparse takes it: sample s's pixels sidx[srow[s] ..
 * srow[s+1]), increasing, values sval. x keeps the tile dense [m][cols] (0
 * where a pixel is not listed) for the tolerances, count the samples of
 * each pixel. */
typedef struct pixel_tile {
    buf P, S, RW, V, SR, SI, SV;
    uint32_t *pix, *start, *row;
    float *val;
    size_t npix;
    uint32_t *srow, *sidx;
    float *sval;
    float *x;
    uint32_t *count;
} pixel_tile;

static void pixel_tile_make(pixel_tile *t, sn_rng *rng, size_t m,
                            size_t cols, int exact, placement place)
{
    uint32_t *idx = alloc_or_die(ALIGN, (cols + 16) * sizeof(uint32_t));
    float *v = alloc_or_die(ALIGN, (cols + 16) * sizeof(float));
    t->x = alloc_or_die(ALIGN, (m * cols + 1) * sizeof(float));
    t->count = calloc(cols + 1, sizeof(uint32_t));
    if (!t->count)
        abort();
    for (size_t s = 0; s < m; s++) {
        const size_t nnz = sparse_input(rng, cols, exact, idx, v);
        for (size_t j = 0; j < cols; j++)
            t->x[s * cols + j] = 0.0f;
        for (size_t j = 0; j < nnz; j++) {
            t->x[s * cols + idx[j]] = v[j];
            t->count[idx[j]]++;
        }
    }
    size_t npix = 0, total = 0;
    for (size_t c = 0; c < cols; c++) {
        npix += t->count[c] > 0;
        total += t->count[c];
    }
    t->pix = ibuf_make(&t->P, npix, place);
    t->start = ibuf_make(&t->S, npix + 1, place);
    t->row = ibuf_make(&t->RW, total, place);
    t->val = fbuf_make(&t->V, total, place);
    t->npix = npix;
    size_t i = 0, e = 0;
    for (size_t c = cols; c-- > 0;) {
        if (!t->count[c])
            continue;
        t->pix[i] = (uint32_t)c;
        t->start[i++] = (uint32_t)e;
        for (size_t s = 0; s < m; s++) {
            if (t->x[s * cols + c] != 0.0f) {
                t->row[e] = (uint32_t)s;
                t->val[e++] = t->x[s * cols + c];
            }
        }
    }
    t->start[npix] = (uint32_t)e;
    t->srow = ibuf_make(&t->SR, m + 1, place);
    t->sidx = ibuf_make(&t->SI, total, place);
    t->sval = fbuf_make(&t->SV, total, place);
    e = 0;
    for (size_t s = 0; s < m; s++) {
        t->srow[s] = (uint32_t)e;
        for (size_t c = 0; c < cols; c++) {
            if (t->x[s * cols + c] != 0.0f) {
                t->sidx[e] = (uint32_t)c;
                t->sval[e++] = t->x[s * cols + c];
            }
        }
    }
    t->srow[m] = (uint32_t)e;
    free(idx), free(v);
}

static void pixel_tile_free(pixel_tile *t)
{
    buf_free(&t->P), buf_free(&t->S), buf_free(&t->RW), buf_free(&t->V);
    buf_free(&t->SR), buf_free(&t->SI), buf_free(&t->SV);
    free(t->x), free(t->count);
}

/* gemm_tn_sparse: the tile (pixel_tile), deltas of width n in rows n + 3
 * apart, into gradient rows n + 5 apart. Each row of a listed pixel is its
 * old value plus a sum over the pixel's samples, which the kernel totals
 * before adding: the dot-product tolerance over count + 1 terms; the rows
 * of the other pixels, and the gaps between rows, must not change at
 * all. */
static void gemm_tn_sparse_shape(const sn_kernels *k, kc_report *rep,
                                 size_t m, size_t n, size_t cols,
                                 placement place, int exact, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    const size_t ldd = n + 3, ldg = n + 5;
    pixel_tile t;
    pixel_tile_make(&t, rng, m, cols, exact, place);
    buf D;
    acc_buf G;
    const float *d = fbuf_filled(&D, m * ldd, place, rng, exact);
    acc_make(&G, cols * ldg, place, rng, exact);
    const float *dwt = G.out, *dwtref = G.ref, *before = G.before;
    char ctx[200];
    snprintf(ctx, sizeof ctx,
             "%s/gemm_tn_sparse m=%zu w=%zu cols=%zu pixels=%zu %s %s",
             k->isa_name, m, n, cols, t.npix, place_name(place),
             exact ? "integer values" : "random values");
    ref->gemm_tn_sparse(n, t.npix, t.pix, t.start, t.row, t.val, d, ldd,
                        G.ref, ldg);
    k->gemm_tn_sparse(n, t.npix, t.pix, t.start, t.row, t.val, d, ldd, G.out,
                      ldg);
    for (size_t c = 0; c < cols; c++) {
        for (size_t j = n; j < ldg; j++) { /* between rows: untouched */
            const size_t at = c * ldg + j;
            rep->checks++;
            if (memcmp(&dwt[at], &before[at], sizeof(float)) != 0)
                fail(rep, "%s: wrote dwt[%zu], between rows", ctx, at);
        }
        for (size_t j = 0; j < n; j++) {
            const size_t at = c * ldg + j;
            double abs_sum = fabs((double)before[at]);
            for (size_t s = 0; s < m; s++)
                abs_sum += fabs((double)t.x[s * cols + c] * d[s * ldd + j]);
            expect_near(rep, ctx, "dwt", at, dwt[at], dwtref[at],
                        t.count[c]
                            ? dot_tolerance(t.count[c] + 1, abs_sum, exact)
                            : 0.0);
        }
    }
    check_guards(rep, ctx, "dwt", &G.O);
    buf_free(&D), acc_free(&G);
    pixel_tile_free(&t);
}

/* gemm_sparse: the tile (pixel_tile) through a panel WT [cols][n], rows
 * n + 5 apart with NaNs between them (which no output may see), into
 * outputs n + 3 apart (the gaps must keep their guard values); each output
 * is a bias plus a sum over the sample's pixels: the dot-product
 * tolerance with the sample's pixel count. */
static void gemm_sparse_shape(const sn_kernels *k, kc_report *rep, size_t m,
                              size_t n, size_t cols, placement place,
                              int exact, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    const size_t ldy = n + 3, ldw = n + 5;
    pixel_tile t;
    pixel_tile_make(&t, rng, m, cols, exact, place);
    buf W, BI, Y, R;
    float *wt = fbuf_make(&W, cols * ldw, place);
    float *b = fbuf_make(&BI, n, place);
    float *y = fbuf_make(&Y, m * ldy, place);
    float *yref = fbuf_make(&R, m * ldy, place);
    fill(rng, wt, cols * ldw, exact);
    for (size_t i = 0; i < cols * ldw; i++)
        if (i % ldw >= n)
            wt[i] = NAN;
    fill(rng, b, n, exact);
    for (int bias = 0; bias <= 1; bias++) {
        char ctx[200];
        snprintf(ctx, sizeof ctx,
                 "%s/gemm_sparse m=%zu w=%zu cols=%zu pixels=%zu %s %s, %s",
                 k->isa_name, m, n, cols, t.npix, place_name(place),
                 exact ? "integer values" : "random values",
                 bias ? "bias" : "no bias");
        /* Outputs only, with guards between the rows. */
        for (size_t i = 0; i < m * ldy; i++) {
            const float g = (i % ldy) < n ? 7.0f : yref[i];
            memcpy(&y[i], &g, sizeof g);
        }
        const float *bv = bias ? b : NULL;
        ref->gemm_sparse(n, m, t.srow, t.sidx, t.sval, wt, ldw, bv, yref, ldy);
        k->gemm_sparse(n, m, t.srow, t.sidx, t.sval, wt, ldw, bv, y, ldy);
        for (size_t s = 0; s < m; s++) {
            size_t terms = 0;
            for (size_t c = 0; c < cols; c++)
                terms += t.x[s * cols + c] != 0.0f;
            for (size_t j = 0; j < ldy; j++) {
                const size_t at = s * ldy + j;
                if (j >= n) { /* between rows: untouched */
                    rep->checks++;
                    if (memcmp(&y[at], &yref[at], sizeof(float)) != 0)
                        fail(rep, "%s: wrote y[%zu], between rows", ctx, at);
                    continue;
                }
                double abs_sum = bv ? fabs(bv[j]) : 0.0;
                for (size_t c = 0; c < cols; c++)
                    abs_sum += fabs((double)t.x[s * cols + c] * wt[c * ldw + j]);
                expect_near(rep, ctx, "y", at, y[at], yref[at],
                            dot_tolerance(terms, abs_sum, exact));
            }
        }
        check_guards(rep, ctx, "y", &Y);
    }
    buf_free(&W), buf_free(&BI), buf_free(&Y), buf_free(&R);
    pixel_tile_free(&t);
}

size_t kc_check_gemm_sparse(const sn_kernels *k, kc_report *rep)
{
    return for_each_gemm_shape(k, rep, gemm_sparse_shape);
}

size_t kc_check_gemm_tn_sparse(const sn_kernels *k, kc_report *rep)
{
    return for_each_gemm_shape(k, rep, gemm_tn_sparse_shape);
}

/* ------------------------------------------------------------ sigmoid */

/* Inputs where sigmoids go wrong: zeros, tiny, the edges of exp's range,
 * huge, infinite and NaN. */
static const float sigmoid_specials[] = {
    0.0f,      -0.0f,     1e-30f,    -1e-30f,   1e-45f,  -1e-45f,
    0.5f,      -0.5f,     16.0f,     -16.0f,    17.0f,   -17.0f,
    87.0f,     -87.0f,    87.5f,     -87.5f,    88.0f,   -88.0f,
    88.8f,     -88.8f,    89.0f,     -89.0f,    103.0f,  -103.0f,
    104.0f,    -104.0f,   200.0f,    -200.0f,   1e10f,   -1e10f,
    1e30f,     -1e30f,    FLT_MAX,   -FLT_MAX,  INFINITY, -INFINITY,
    NAN,       -NAN,
};
#define NSPECIALS (sizeof sigmoid_specials / sizeof sigmoid_specials[0])

/* The activations' forward kernels (sigmoid, tanh, relu) share one shape:
 * y = f(x) for inputs over [-scale, scale) with a special at every fifth
 * element (zeros, tiny, huge, inf, NaN), compared with the oracle within
 * tol(oracle's value), or bit for bit where tol is NULL; in place must give
 * exactly the out-of-place bits; no output of a non-NaN input outside
 * [lo, hi]. */
typedef double unary_tolerance_fn(float want);

typedef struct unary_op {
    const char *name;
    sn_sigmoid_fn *fk, *fref;
    float scale;
    unary_tolerance_fn *tol;
    float lo, hi;
} unary_op;

static void unary_length(const sn_kernels *k, kc_report *rep, size_t n,
                         placement place, sn_rng *rng, const unary_op *op)
{
    buf X, Y, R, I;
    float *x = fbuf_make(&X, n, place);
    float *y = fbuf_make(&Y, n, place);
    float *yref = fbuf_make(&R, n, place);
    float *inplace = fbuf_make(&I, n, place);
    for (size_t i = 0; i < n; i++)
        x[i] = i % 5 == 3 ? sigmoid_specials[(i / 5) % NSPECIALS]
                          : op->scale * sn_rng_uniform_pm1(rng);
    memcpy(inplace, x, n * sizeof(float));
    op->fref(n, x, yref);
    op->fk(n, x, y);
    op->fk(n, inplace, inplace);
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s/%s n=%zu scale %g %s", k->isa_name,
             op->name, n, (double)op->scale, place_name(place));
    for (size_t i = 0; i < n; i++) {
        if (op->tol)
            expect_near(rep, ctx, "y", i, y[i], yref[i], op->tol(yref[i]));
        else
            expect_bits(rep, ctx, "y", i, y[i], yref[i]);
        expect_bits(rep, ctx, "y (in place)", i, inplace[i], y[i]);
        if (!(y[i] >= op->lo && y[i] <= op->hi) && !isnan(x[i]))
            fail(rep, "%s: y[%zu] = %.9g for x = %.9g is outside [%g, %g]",
                 ctx, i, (double)y[i], (double)x[i], (double)op->lo,
                 (double)op->hi);
    }
    check_guards(rep, ctx, "y", &Y);
    check_guards(rep, ctx, "y (in place)", &I);
    buf_free(&X), buf_free(&Y), buf_free(&R), buf_free(&I);
}

/* Adds the counts of more to rep; its first failure if rep has none. */
static void report_merge(kc_report *rep, const kc_report *more)
{
    rep->checks += more->checks;
    if (more->failures > 0) {
        if (rep->failures == 0)
            memcpy(rep->first, more->first, sizeof rep->first);
        rep->failures += more->failures;
    }
}

/*
 * sigmoid vs the oracle: each is within its error bound of the true value,
 * the kernel within KC_SIGMOID_MAX_ERROR (checked in double by
 * kc_check_sigmoid_accuracy), the oracle (expf, an add and a divide, each
 * within an ulp) within about one ulp of the result; so they differ by at
 * most KC_SIGMOID_MAX_ERROR + ulp(y) <= KC_SIGMOID_MAX_ERROR +
 * FLT_EPSILON |y|. And no output may leave [0, 1].
 */
static double sigmoid_tolerance(float want)
{
    return KC_SIGMOID_MAX_ERROR + FLT_EPSILON * fabs(want);
}

static void sigmoid_length(const sn_kernels *k, kc_report *rep, size_t n,
                           placement place, sn_rng *rng)
{
    const unary_op op = {"sigmoid", k->sigmoid, oracle()->sigmoid, 20.0f,
                         sigmoid_tolerance, 0.0f, 1.0f};
    unary_length(k, rep, n, place, rng, &op);
}

size_t kc_check_sigmoid(const sn_kernels *k, kc_report *rep)
{
    for_each_length(k, rep, sigmoid_length);
    kc_report abs_rep;
    kc_check_sigmoid_accuracy(k, &abs_rep);
    report_merge(rep, &abs_rep);
    return rep->failures;
}

/* The sweeps of the accuracy checks: f at npoints evenly spaced x of
 * [lo, hi], in blocks of an odd length so that the tails run too, each
 * (x, y) handed to add. */
typedef void sweep_add_fn(void *acc, float x, float y);

static void sweep(sn_sigmoid_fn *f, float lo, float hi, size_t npoints,
                  sweep_add_fn *add, void *acc)
{
    enum { BLOCK = 1021 };
    float x[BLOCK], y[BLOCK];
    const double step = npoints > 1 ? ((double)hi - lo) / (double)(npoints - 1)
                                    : 0.0;
    for (size_t first = 0; first < npoints; first += BLOCK) {
        const size_t n = npoints - first < BLOCK ? npoints - first : BLOCK;
        for (size_t i = 0; i < n; i++)
            x[i] = (float)(lo + step * (double)(first + i));
        f(n, x, y);
        for (size_t i = 0; i < n; i++)
            add(acc, x[i], y[i]);
    }
}

/* The wide samples of the accuracy checks: 1, 1.25, ..., 9.75 times every
 * power of ten from 1e-30 to 1e30, each with both signs (+v, then -v),
 * then the specials; returns how many, WIDE_SIGNED of them signed pairs. */
enum { WIDE_SIGNED = 2 * 61 * 36, WIDE = WIDE_SIGNED + NSPECIALS };

static size_t wide_inputs(float x[WIDE])
{
    size_t n = 0;
    for (int p = -30; p <= 30; p++)
        for (int m = 0; m < 36; m++) {
            const float v = (float)((1.0 + 0.25 * m) * pow(10.0, p));
            x[n++] = v;
            x[n++] = -v;
        }
    for (size_t i = 0; i < NSPECIALS; i++)
        x[n++] = sigmoid_specials[i];
    return n;
}

/* A measured maximum error (what, at x) must be within limit. */
static void expect_max(kc_report *rep, const char *ctx, const char *what,
                       double got, float at_x, double limit)
{
    if (!(got <= limit))
        fail(rep, "%s: %s is %.3g at x = %.9g (limit %.3g)", ctx, what, got,
             (double)at_x, limit);
}

/* The wide samples y = f(x) of an activation whose range is [lo, hi]: NaN
 * must give NaN, -inf exactly lo and +inf exactly hi, no other output may
 * leave [lo, hi]; the errors of those in range go to add. */
static void wide_check(kc_report *rep, const char *ctx, const char *name,
                       const float *x, const float *y, size_t n, float lo,
                       float hi, sweep_add_fn *add, void *acc)
{
    for (size_t i = 0; i < n; i++) {
        rep->checks++;
        if (isnan(x[i])) {
            if (!isnan(y[i]))
                fail(rep, "%s: %s(NaN) = %.9g, expected NaN", ctx, name,
                     (double)y[i]);
        } else if (isinf(x[i])) {
            const float want = x[i] > 0 ? hi : lo;
            if (y[i] != want)
                fail(rep, "%s: %s(%sinf) = %.9g, expected exactly %g", ctx,
                     name, x[i] > 0 ? "+" : "-", (double)y[i], (double)want);
        } else if (!(y[i] >= lo && y[i] <= hi)) {
            fail(rep, "%s: %s(%.9g) = %.9g is outside [%g, %g]", ctx, name,
                 (double)x[i], (double)y[i], (double)lo, (double)hi);
        } else {
            add(acc, x[i], y[i]);
        }
    }
}

static double sigmoid_exact(float x)
{
    return 1.0 / (1.0 + exp(-(double)x));
}

static void sigmoid_error_add(void *acc, float x, float y)
{
    kc_sigmoid_error *e = acc;
    const double err = fabs((double)y - sigmoid_exact(x));
    if (!(err <= e->max_abs)) { /* NaN counts as worst */
        e->max_abs = isnan(err) ? INFINITY : err;
        e->worst_x = x;
    }
}

int kc_sigmoid_sweep(const sn_kernels *k, float lo, float hi, size_t npoints,
                     kc_sigmoid_error *out)
{
    out->max_abs = 0.0;
    out->worst_x = lo;
    out->points = npoints;
    sweep(k->sigmoid, lo, hi, npoints, sigmoid_error_add, out);
    return out->max_abs <= KC_SIGMOID_MAX_ERROR ? 0 : -1;
}

size_t kc_check_sigmoid_accuracy(const sn_kernels *k, kc_report *rep)
{
    report_clear(rep);
    char ctx[96];
    snprintf(ctx, sizeof ctx, "%s/sigmoid accuracy", k->isa_name);

    /* Dense: 2^22 + 1 points, a step under 1e-5, where the result is
     * neither 0 nor 1 in float32. */
    kc_sigmoid_error e;
    kc_sigmoid_sweep(k, -20.0f, 20.0f, (1u << 22) + 1, &e);
    rep->checks += e.points;
    expect_max(rep, ctx, "max |error| over [-20, 20]", e.max_abs, e.worst_x,
               KC_SIGMOID_MAX_ERROR);

    /* Wide: out to 1e30 and the specials. */
    float x[WIDE], y[WIDE];
    const size_t n = wide_inputs(x);
    k->sigmoid(n, x, y);
    kc_sigmoid_error wide = {0.0, 0.0f, 0};
    wide_check(rep, ctx, "sigmoid", x, y, n, 0.0f, 1.0f, sigmoid_error_add,
               &wide);
    expect_max(rep, ctx, "max |error| out to +-1e30", wide.max_abs,
               wide.worst_x, KC_SIGMOID_MAX_ERROR);
    return rep->failures;
}

/* ------------------------------------------------------------ elementwise */

/*
 * The elementwise kernels must reproduce the oracle's arithmetic exactly:
 * the same operations in the same order, with no fused multiply-add (the
 * oracle is compiled with -std=c11, which turns contraction off), exact
 * square root and division. Their results are then bit-identical on every
 * ISA, so the optimiser step never depends on the kernels. Tolerance 0.
 */
/* The activations' backward steps (sigmoid_backward, relu_backward,
 * tanh_backward) share one shape: delta from dcda and the stored
 * activation a, out of place and in place (delta == dcda), compared bit for
 * bit (NaN matches NaN). act_fill writes the activations that op sees. */
typedef void act_fill_fn(sn_rng *rng, float *a, float *dcda, size_t n);

static void backward_length(const sn_kernels *k, kc_report *rep, size_t n,
                            placement place, sn_rng *rng, const char *op,
                            sn_sigmoid_backward_fn *fk,
                            sn_sigmoid_backward_fn *fref, act_fill_fn *act)
{
    buf C, A, D, R, I;
    float *dcda = fbuf_make(&C, n, place);
    float *a = fbuf_make(&A, n, place);
    float *delta = fbuf_make(&D, n, place);
    float *dref = fbuf_make(&R, n, place);
    float *inplace = fbuf_make(&I, n, place);
    for (size_t i = 0; i < n; i++)
        dcda[i] = 2.0f * sn_rng_uniform_pm1(rng);
    act(rng, a, dcda, n);
    memcpy(inplace, dcda, n * sizeof(float));
    fref(n, dcda, a, dref);
    fk(n, dcda, a, delta);
    fk(n, inplace, a, inplace);
    char ctx[160], ctx_in[160];
    snprintf(ctx, sizeof ctx, "%s/%s n=%zu %s", k->isa_name, op, n,
             place_name(place));
    snprintf(ctx_in, sizeof ctx_in, "%s/%s n=%zu %s in place", k->isa_name,
             op, n, place_name(place));
    for (size_t i = 0; i < n; i++) {
        expect_bits(rep, ctx, "delta", i, delta[i], dref[i]);
        expect_bits(rep, ctx_in, "delta", i, inplace[i], dref[i]);
    }
    check_guards(rep, ctx, "delta", &D);
    check_guards(rep, ctx_in, "delta", &I);
    buf_free(&C), buf_free(&A), buf_free(&D), buf_free(&R), buf_free(&I);
}

static void sigmoid_activations(sn_rng *rng, float *a, float *dcda, size_t n)
{
    (void)dcda;
    for (size_t i = 0; i < n; i++)
        a[i] = 0.5f + 0.5f * sn_rng_uniform_pm1(rng); /* [0, 1) */
}

static void sigmoid_backward_length(const sn_kernels *k, kc_report *rep,
                                    size_t n, placement place, sn_rng *rng)
{
    backward_length(k, rep, n, place, rng, "sigmoid_backward",
                    k->sigmoid_backward, oracle()->sigmoid_backward,
                    sigmoid_activations);
}

size_t kc_check_sigmoid_backward(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, sigmoid_backward_length);
}

static void vadd_length(const sn_kernels *k, kc_report *rep, size_t n,
                        placement place, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf X, Y, R;
    float *x = fbuf_make(&X, n, place);
    float *y = fbuf_make(&Y, n, place);
    float *yref = fbuf_make(&R, n, place);
    fill(rng, x, n, 0);
    fill(rng, y, n, 0);
    memcpy(yref, y, n * sizeof(float));
    ref->vadd(n, x, yref);
    k->vadd(n, x, y);
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s/vadd n=%zu %s", k->isa_name, n,
             place_name(place));
    for (size_t i = 0; i < n; i++)
        expect_near(rep, ctx, "y", i, y[i], yref[i], 0.0);
    check_guards(rep, ctx, "y", &Y);
    buf_free(&X), buf_free(&Y), buf_free(&R);
}

size_t kc_check_vadd(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, vadd_length);
}

/* transpose: rows [first, last) of src into dst, for every shape and
 * for the whole matrix, its first or last row only, and a range that
 * starts and ends inside the blocks of 8 and 16 rows (the engine passes a
 * thread's share of the parameters, which starts anywhere). dst starts as
 * garbage and must equal the oracle's from the same garbage everywhere,
 * exactly: the transposed rows copied and the others untouched. */
static void transpose_range(const sn_kernels *k, kc_report *rep, size_t rows,
                            size_t cols, size_t first, size_t last,
                            placement place, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf S, D, R;
    float *src = fbuf_make(&S, rows * cols, place);
    float *dst = fbuf_make(&D, rows * cols, place);
    float *dref = fbuf_make(&R, rows * cols, place);
    fill(rng, src, rows * cols, 0);
    fill(rng, dst, rows * cols, 0);
    memcpy(dref, dst, rows * cols * sizeof(float));
    ref->transpose(rows, cols, src, first, last, dref);
    k->transpose(rows, cols, src, first, last, dst);
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s/transpose %zux%zu rows [%zu, %zu) %s",
             k->isa_name, rows, cols, first, last, place_name(place));
    for (size_t i = 0; i < rows * cols; i++)
        expect_near(rep, ctx, "dst", i, dst[i], dref[i], 0.0);
    check_guards(rep, ctx, "dst", &D);
    buf_free(&S), buf_free(&D), buf_free(&R);
}

static void transpose_shape(const sn_kernels *k, kc_report *rep, size_t rows,
                            size_t cols, placement place, int exact,
                            sn_rng *rng)
{
    if (exact) /* a copy: one kind of values is enough */
        return;
    transpose_range(k, rep, rows, cols, 0, rows, place, rng);
    if (rows < 2)
        return;
    transpose_range(k, rep, rows, cols, 0, 1, place, rng);
    transpose_range(k, rep, rows, cols, rows - 1, rows, place, rng);
    transpose_range(k, rep, rows, cols, rows / 3, rows - rows / 5, place, rng);
}

size_t kc_check_transpose(const sn_kernels *k, kc_report *rep)
{
    for_each_shape(k, rep, transpose_shape); /* clears rep first */
    /* Past 16 rows and columns: several blocks of 16 rows and of 8
     * columns, with every rest of 8 rows after them (the 10 x 256 and
     * 256 x 256 of 784-256-256-10's W3 and W2 among them). */
    sn_rng rng;
    sn_rng_seed(&rng, SEED + 1);
    static const size_t big[][2] = {{10, 256}, {256, 256}, {45, 41}, {100, 19}};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        for (int place = 0; place < NPLACES; place++)
            transpose_shape(k, rep, big[i][0], big[i][1], (placement)place, 0,
                            &rng);
    return rep->failures;
}

/* The optimisers read nbuf per-thread gradient buffers (1 to 3 here, by
 * length) and must add them in buffer order: the reference is the oracle
 * on one buffer holding that sum, so the multi-buffer form is checked for
 * the scalar set too. The elementwise steps are exact IEEE operations in a
 * fixed order, so every set must match bit for bit (tolerance 0).
 *
 * AdaGrad inputs include zero gradients and accumulators small enough that
 * eps (1e-8) decides the step: eps added outside the root, or an
 * approximate rsqrt, changes the result. */
#define KC_MAX_BUFS 3

typedef struct grad_bufs {
    size_t nbuf;
    buf B[KC_MAX_BUFS], Sum;
    float *g[KC_MAX_BUFS];
    float *sum;
} grad_bufs;

/* Splits each gsum[i] the caller wrote into g[0] across nbuf buffers (the
 * extra ones random), and sums them in buffer order into sum. */
static void grad_bufs_make(grad_bufs *gb, size_t n, placement place,
                           sn_rng *rng)
{
    gb->nbuf = 1 + n % KC_MAX_BUFS;
    for (size_t j = 0; j < gb->nbuf; j++)
        gb->g[j] = fbuf_make(&gb->B[j], n, place);
    gb->sum = fbuf_make(&gb->Sum, n, place);
    for (size_t j = 1; j < gb->nbuf; j++)
        for (size_t i = 0; i < n; i++)
            gb->g[j][i] = sn_rng_uniform_pm1(rng);
}

static void grad_bufs_sum(grad_bufs *gb, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float s = gb->g[0][i];
        for (size_t j = 1; j < gb->nbuf; j++)
            s += gb->g[j][i];
        gb->sum[i] = s;
    }
}

static void grad_bufs_free(grad_bufs *gb)
{
    for (size_t j = 0; j < gb->nbuf; j++)
        buf_free(&gb->B[j]);
    buf_free(&gb->Sum);
}

static void adagrad_length(const sn_kernels *k, kc_report *rep, size_t n,
                           placement place, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf P, G, PR, GR;
    grad_bufs gb;
    float *p = fbuf_make(&P, n, place);
    float *G_ = fbuf_make(&G, n, place);
    float *pref = fbuf_make(&PR, n, place);
    float *Gref = fbuf_make(&GR, n, place);
    grad_bufs_make(&gb, n, place, rng);
    float *gsum = gb.g[0];
    const float gscale = 0.01f, lr = 0.1f, eps = 1e-8f;
    for (size_t i = 0; i < n; i++) {
        p[i] = sn_rng_uniform_pm1(rng);
        switch (sn_rng_below(rng, 4)) {
        case 0: /* first step: G = 0, tiny gradient, eps matters */
            G_[i] = 0.0f;
            gsum[i] = 1e-4f * sn_rng_uniform_pm1(rng);
            for (size_t j = 1; j < gb.nbuf; j++)
                gb.g[j][i] = 0.0f;
            break;
        case 1: /* a dead parameter */
            G_[i] = 0.0f;
            for (size_t j = 0; j < gb.nbuf; j++)
                gb.g[j][i] = 0.0f;
            break;
        default:
            G_[i] = 0.5f + 0.5f * sn_rng_uniform_pm1(rng);
            gsum[i] = 10.0f * sn_rng_uniform_pm1(rng);
            break;
        }
    }
    grad_bufs_sum(&gb, n);
    memcpy(pref, p, n * sizeof(float));
    memcpy(Gref, G_, n * sizeof(float));
    const float *one[1] = {gb.sum};
    ref->adagrad(n, pref, Gref, 1, one, gscale, lr, eps);
    k->adagrad(n, p, G_, gb.nbuf, (const float *const *)gb.g, gscale, lr, eps);
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s/adagrad n=%zu nbuf=%zu %s", k->isa_name, n,
             gb.nbuf, place_name(place));
    for (size_t i = 0; i < n; i++) {
        expect_near(rep, ctx, "G", i, G_[i], Gref[i], 0.0);
        expect_near(rep, ctx, "p", i, p[i], pref[i], 0.0);
    }
    check_guards(rep, ctx, "p", &P);
    check_guards(rep, ctx, "G", &G);
    buf_free(&P), buf_free(&G), buf_free(&PR), buf_free(&GR);
    grad_bufs_free(&gb);
}

size_t kc_check_adagrad(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, adagrad_length);
}

static void sgd_length(const sn_kernels *k, kc_report *rep, size_t n,
                       placement place, sn_rng *rng)
{
    const sn_kernels *ref = oracle();
    buf P, R;
    grad_bufs gb;
    float *p = fbuf_make(&P, n, place);
    float *pref = fbuf_make(&R, n, place);
    grad_bufs_make(&gb, n, place, rng);
    const float gscale = 0.01f, lr = 0.1f;
    fill(rng, p, n, 0);
    for (size_t i = 0; i < n; i++)
        gb.g[0][i] = 10.0f * sn_rng_uniform_pm1(rng);
    grad_bufs_sum(&gb, n);
    memcpy(pref, p, n * sizeof(float));
    const float *one[1] = {gb.sum};
    ref->sgd(n, pref, 1, one, gscale, lr);
    k->sgd(n, p, gb.nbuf, (const float *const *)gb.g, gscale, lr);
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s/sgd n=%zu nbuf=%zu %s", k->isa_name, n,
             gb.nbuf, place_name(place));
    for (size_t i = 0; i < n; i++)
        expect_near(rep, ctx, "p", i, p[i], pref[i], 0.0);
    check_guards(rep, ctx, "p", &P);
    buf_free(&P), buf_free(&R);
    grad_bufs_free(&gb);
}

size_t kc_check_sgd(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, sgd_length);
}

/* ------------------------------------------------------------ relu, tanh */

/* relu is a selection, no arithmetic: bit for bit, NaN kept, -0 kept. */
static void relu_length(const sn_kernels *k, kc_report *rep, size_t n,
                        placement place, sn_rng *rng)
{
    const unary_op op = {"relu", k->relu, oracle()->relu, 4.0f, NULL, 0.0f,
                         INFINITY};
    unary_length(k, rep, n, place, rng, &op);
}

size_t kc_check_relu(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, relu_length);
}

/* What a ReLU layer stores, and the edges of the contract: a third exact
 * zeros (of both signs), where the incoming dcda is sometimes inf or NaN
 * and the delta must still be an exact +0; negatives; subnormals (> 0, so
 * they pass dcda); the rest ordinary positives. */
static void relu_activations(sn_rng *rng, float *a, float *dcda, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (sn_rng_below(rng, 6)) {
        case 0: a[i] = 0.0f; break;
        case 1:
            a[i] = -0.0f;
            dcda[i] = sn_rng_below(rng, 2) ? INFINITY : NAN;
            break;
        case 2: a[i] = -sn_rng_uniform_pm1(rng) - 1.0f; break; /* negative */
        case 3: a[i] = 1e-40f; break;                          /* subnormal */
        default: a[i] = 2.0f + 2.0f * sn_rng_uniform_pm1(rng); break;
        }
    }
}

static void relu_backward_length(const sn_kernels *k, kc_report *rep,
                                 size_t n, placement place, sn_rng *rng)
{
    backward_length(k, rep, n, place, rng, "relu_backward", k->relu_backward,
                    oracle()->relu_backward, relu_activations);
}

size_t kc_check_relu_backward(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, relu_backward_length);
}

/*
 * tanh vs the oracle: the kernel is within KC_TANH_MAX_ERROR of the true
 * value and KC_TANH_MAX_REL_ERROR of it relative (kc_check_tanh_accuracy,
 * in double), the oracle (libm's tanhf) within about an ulp; they differ by
 * at most min(abs bound, rel bound) + ulp(y), so the tolerance is the
 * relative bound plus FLT_EPSILON, relative to the oracle's value.
 */
static double tanh_tolerance(float want)
{
    return (KC_TANH_MAX_REL_ERROR + FLT_EPSILON) * fabs(want);
}

/* Half the lengths over [-10, 10], half over [-1, 1], where the small
 * values' relative precision shows. */
static void tanh_length(const sn_kernels *k, kc_report *rep, size_t n,
                        placement place, sn_rng *rng)
{
    const unary_op op = {"tanh", k->tanh, oracle()->tanh, n % 2 ? 10.0f : 1.0f,
                         tanh_tolerance, -1.0f, 1.0f};
    unary_length(k, rep, n, place, rng, &op);
}

size_t kc_check_tanh(const sn_kernels *k, kc_report *rep)
{
    for_each_length(k, rep, tanh_length);
    kc_report abs_rep;
    kc_check_tanh_accuracy(k, &abs_rep);
    report_merge(rep, &abs_rep);
    return rep->failures;
}

/* The error of one tanh value against double precision, into e. */
static void tanh_error_add(void *acc, float x, float y)
{
    kc_tanh_error *e = acc;
    const double t = tanh((double)x);
    const double err = fabs((double)y - t);
    const double rel = t != 0.0 ? err / fabs(t) : (y == 0.0f ? 0.0 : INFINITY);
    if (!(err <= e->max_abs)) { /* NaN counts as worst */
        e->max_abs = isnan(err) ? INFINITY : err;
        e->worst_abs_x = x;
    }
    if (!(rel <= e->max_rel)) {
        e->max_rel = isnan(rel) ? INFINITY : rel;
        e->worst_rel_x = x;
    }
}

int kc_tanh_sweep(const sn_kernels *k, float lo, float hi, size_t npoints,
                  kc_tanh_error *out)
{
    memset(out, 0, sizeof *out);
    out->worst_abs_x = out->worst_rel_x = lo;
    out->points = npoints;
    sweep(k->tanh, lo, hi, npoints, tanh_error_add, out);
    return out->max_abs <= KC_TANH_MAX_ERROR &&
                   out->max_rel <= KC_TANH_MAX_REL_ERROR
               ? 0
               : -1;
}

size_t kc_check_tanh_accuracy(const sn_kernels *k, kc_report *rep)
{
    report_clear(rep);
    char ctx[96];
    snprintf(ctx, sizeof ctx, "%s/tanh accuracy", k->isa_name);

    /* Dense: 2^22 + 1 points of [-10, 10], a step under 5e-6 (tanh is 1 in
     * float32 from 9.01 on). */
    kc_tanh_error e;
    kc_tanh_sweep(k, -10.0f, 10.0f, (1u << 22) + 1, &e);
    rep->checks += e.points;
    expect_max(rep, ctx, "max |error| over [-10, 10]", e.max_abs,
               e.worst_abs_x, KC_TANH_MAX_ERROR);
    expect_max(rep, ctx, "max relative error over [-10, 10]", e.max_rel,
               e.worst_rel_x, KC_TANH_MAX_REL_ERROR);

    /* Wide: from 1e-30 (the relative error of tiny values) to 1e30 and the
     * specials; zeros keep their sign; tanh(-x) must be exactly -tanh(x). */
    float x[WIDE], y[WIDE];
    const size_t n = wide_inputs(x);
    k->tanh(n, x, y);
    kc_tanh_error wide;
    memset(&wide, 0, sizeof wide);
    wide_check(rep, ctx, "tanh", x, y, n, -1.0f, 1.0f, tanh_error_add, &wide);
    for (size_t i = 0; i < n; i++) {
        if (x[i] == 0.0f)
            expect_bits(rep, ctx, "tanh(+-0)", i, y[i], x[i]);
        if (i < WIDE_SIGNED && i % 2 == 1 && y[i] != -y[i - 1])
            fail(rep, "%s: tanh(%.9g) = %.9g but tanh(%.9g) = %.9g: not odd",
                 ctx, (double)x[i - 1], (double)y[i - 1], (double)x[i],
                 (double)y[i]);
    }
    expect_max(rep, ctx, "max |error| out to +-1e30", wide.max_abs,
               wide.worst_abs_x, KC_TANH_MAX_ERROR);
    expect_max(rep, ctx, "max relative error out to +-1e30", wide.max_rel,
               wide.worst_rel_x, KC_TANH_MAX_REL_ERROR);
    return rep->failures;
}

static void tanh_activations(sn_rng *rng, float *a, float *dcda, size_t n)
{
    (void)dcda;
    for (size_t i = 0; i < n; i++)
        a[i] = sn_rng_uniform_pm1(rng); /* (-1, 1), and exactly -1 */
}

static void tanh_backward_length(const sn_kernels *k, kc_report *rep,
                                 size_t n, placement place, sn_rng *rng)
{
    backward_length(k, rep, n, place, rng, "tanh_backward", k->tanh_backward,
                    oracle()->tanh_backward, tanh_activations);
}

size_t kc_check_tanh_backward(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, tanh_backward_length);
}

/* ------------------------------------------------------------ softmax */

/*
 * softmax vs the oracle. Each y[i] = e[i] / sum: both sides compute e[i]
 * within 2 ulps (libm's expf; the vector exp), the sum of n positive terms
 * within (n - 1) u of its value in any order (Higham 3.1), and round the
 * quotient; so they agree within (n + 8) FLT_EPSILON relative. The vector
 * exp may flush a result under FLT_MIN (x - max < -87.3) to 0, which libm
 * keeps as a subnormal: FLT_MIN absolute on top, nothing next to a sum of
 * at least 1. lse = max + log(sum): log turns the sum's relative error into
 * the same absolute one, plus the rounding of lse.
 */
static double softmax_y_tolerance(size_t n, float want)
{
    return (double)(n + 8) * FLT_EPSILON * fabs(want) + FLT_MIN;
}

static double softmax_lse_tolerance(size_t n, float want)
{
    return (double)(n + 8) * FLT_EPSILON + FLT_EPSILON * fabs(want);
}

/* Row counts: one row, and around one and two vectors' worth of rows at 8
 * and 16 lanes, where the x86 sets take a row per lane. */
enum { SOFTMAX_MAX_ROWS = 33 };
static const size_t softmax_row_counts[] = {1, 7, 8, 9, 16, 17, SOFTMAX_MAX_ROWS};

static void softmax_rows(const sn_kernels *k, kc_report *rep, size_t rows,
                         size_t n, placement place, sn_rng *rng)
{
    const size_t total = rows * n;
    buf X, Y, R, I;
    float *x = fbuf_make(&X, total, place);
    float *y = fbuf_make(&Y, total, place);
    float *yref = fbuf_make(&R, total, place);
    float *inplace = fbuf_make(&I, total, place);
    /* Logits of three spreads: 1 (all terms count), 30, and 200, where
     * most exps underflow; plus an offset, so that the max is not 0. Each
     * row its own. */
    static const float spreads[] = {1.0f, 30.0f, 200.0f};
    float spread[SOFTMAX_MAX_ROWS];
    for (size_t r = 0; r < rows; r++) {
        spread[r] = spreads[sn_rng_below(rng, 3)];
        const float offset = 50.0f * sn_rng_uniform_pm1(rng);
        for (size_t i = 0; i < n; i++)
            x[r * n + i] = offset + spread[r] * sn_rng_uniform_pm1(rng);
    }
    memcpy(inplace, x, total * sizeof(float));
    float lse_ref[SOFTMAX_MAX_ROWS], lse[SOFTMAX_MAX_ROWS],
        lse_in[SOFTMAX_MAX_ROWS];
    oracle()->softmax(rows, n, x, yref, lse_ref);
    k->softmax(rows, n, x, y, lse);
    k->softmax(rows, n, inplace, inplace, lse_in);
    for (size_t r = 0; r < rows; r++) {
        char ctx[160];
        snprintf(ctx, sizeof ctx, "%s/softmax %zu rows of n=%zu, row %zu, "
                 "spread %g %s", k->isa_name, rows, n, r, (double)spread[r],
                 place_name(place));
        for (size_t i = r * n; i < (r + 1) * n; i++) {
            expect_near(rep, ctx, "y", i, y[i], yref[i],
                        softmax_y_tolerance(n, yref[i]));
            expect_bits(rep, ctx, "y (in place)", i, inplace[i], y[i]);
        }
        expect_near(rep, ctx, "lse", r, lse[r], lse_ref[r],
                    softmax_lse_tolerance(n, lse_ref[r]));
        expect_bits(rep, ctx, "lse (in place)", r, lse_in[r], lse[r]);
    }
    char ctx[160];
    snprintf(ctx, sizeof ctx, "%s/softmax %zu rows of n=%zu %s", k->isa_name,
             rows, n, place_name(place));
    check_guards(rep, ctx, "y", &Y);
    check_guards(rep, ctx, "y (in place)", &I);
    buf_free(&X), buf_free(&Y), buf_free(&R), buf_free(&I);
}

static void softmax_length(const sn_kernels *k, kc_report *rep, size_t n,
                           placement place, sn_rng *rng)
{
    if (n == 0) /* the contract is n >= 1 */
        return;
    for (size_t c = 0; c < sizeof softmax_row_counts / sizeof *softmax_row_counts; c++)
        softmax_rows(k, rep, softmax_row_counts[c], n, place, rng);
}

/* One row of logits where softmax goes wrong, against double precision,
 * alone and as each of SOFTMAX_MAX_ROWS copies (so that it also goes
 * through the x86 sets' row per lane): no overflow, invalid or
 * divide-by-zero exception raised, every y finite in [0, 1] and within
 * 1e-6 relative (plus FLT_MIN) of the true value, lse finite and within
 * 1e-6 relative (plus 1e-6) of it. */
static void softmax_special_row(const sn_kernels *k, kc_report *rep,
                                const char *what, const float *row, size_t n)
{
    enum { MAXN = 67 };
    static float rows[SOFTMAX_MAX_ROWS * MAXN], y[SOFTMAX_MAX_ROWS * MAXN];
    float lse[SOFTMAX_MAX_ROWS];
    double ytrue[MAXN];
    double m = row[0];
    for (size_t i = 1; i < n; i++)
        m = row[i] > m ? row[i] : m;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += ytrue[i] = exp((double)row[i] - m); /* in range in double */
    for (size_t i = 0; i < n; i++)
        ytrue[i] /= sum;
    const double lse_true = m + log(sum);
    for (size_t r = 0; r < SOFTMAX_MAX_ROWS; r++)
        memcpy(rows + r * n, row, n * sizeof *row);

    for (size_t copies = 1; copies <= SOFTMAX_MAX_ROWS;
         copies += SOFTMAX_MAX_ROWS - 1) {
        char ctx[160];
        snprintf(ctx, sizeof ctx, "%s/softmax %s n=%zu, %zu rows",
                 k->isa_name, what, n, copies);
        feclearexcept(FE_ALL_EXCEPT);
        k->softmax(copies, n, rows, y, lse);
        const int raised = fetestexcept(FE_OVERFLOW | FE_INVALID | FE_DIVBYZERO);
        rep->checks++;
        if (raised)
            fail(rep, "%s: raised%s%s%s", ctx,
                 raised & FE_OVERFLOW ? " overflow" : "",
                 raised & FE_INVALID ? " invalid" : "",
                 raised & FE_DIVBYZERO ? " divide-by-zero" : "");
        for (size_t r = 0; r < copies; r++) {
            for (size_t i = 0; i < n; i++) {
                const float yi = y[r * n + i];
                rep->checks++;
                if (!(yi >= 0.0f && yi <= 1.0f))
                    fail(rep, "%s: row %zu y[%zu] = %.9g is not in [0, 1]",
                         ctx, r, i, (double)yi);
                expect_near(rep, ctx, "y vs double", r * n + i, yi,
                            (float)ytrue[i], 1e-6 * ytrue[i] + FLT_MIN);
            }
            rep->checks++;
            if (!isfinite(lse[r]))
                fail(rep, "%s: row %zu lse = %.9g is not finite", ctx, r,
                     (double)lse[r]);
            expect_near(rep, ctx, "lse vs double", r, lse[r],
                        (float)lse_true, 1e-6 * fabs(lse_true) + 1e-6);
        }
    }
}

/* All equal (y exactly 1/n, as exp(0) is exactly 1 everywhere), n = 1 (y
 * exactly 1, lse exactly x), and rows that mix +-1e30 and +-FLT_MAX, where
 * x - max overflows unless the kernel avoids it. */
static void softmax_specials(const sn_kernels *k, kc_report *rep)
{
    static const float values[] = {0.0f, -0.0f, 5.0f, -3.5f, 1e30f, -1e30f,
                                   FLT_MAX, -FLT_MAX, 1e-40f};
    enum { NV = sizeof values / sizeof values[0], MAXN = 67 };
    float row[MAXN], y[MAXN];
    for (size_t v = 0; v < NV; v++) {
        for (size_t n = 1; n <= MAXN; n += n < 20 ? 1 : 23) {
            for (size_t i = 0; i < n; i++)
                row[i] = values[v];
            float lse;
            k->softmax(1, n, row, y, &lse);
            char ctx[160];
            snprintf(ctx, sizeof ctx, "%s/softmax all %zu equal to %g",
                     k->isa_name, n, (double)values[v]);
            for (size_t i = 0; i < n; i++)
                expect_bits(rep, ctx, "y", i, y[i], 1.0f / (float)n);
            if (n == 1)
                expect_bits(rep, ctx, "lse", 0, lse, values[v] + 0.0f);
            softmax_special_row(k, rep, "all equal", row, n);
        }
    }
    /* Mixed extremes, the large ones at every position of a vector and of
     * the tail. */
    static const float extremes[][2] = {
        {1e30f, -1e30f}, {FLT_MAX, -FLT_MAX}, {-FLT_MAX, FLT_MAX},
        {FLT_MAX, 0.0f}, {0.0f, -FLT_MAX},    {-1e30f, -FLT_MAX},
    };
    for (size_t e = 0; e < sizeof extremes / sizeof extremes[0]; e++) {
        for (size_t n = 1; n <= 37; n += 3) {
            for (size_t at = 0; at < n; at += 1 + n / 7) {
                for (size_t i = 0; i < n; i++)
                    row[i] = i == at ? extremes[e][0]
                                     : i % 3 == 0 ? 1.0f : extremes[e][1];
                softmax_special_row(k, rep, "extremes", row, n);
            }
        }
    }
}

size_t kc_check_softmax(const sn_kernels *k, kc_report *rep)
{
    for_each_length(k, rep, softmax_length);
    softmax_specials(k, rep);
    return rep->failures;
}

/* ------------------------------------------------------------ delta_onehot */

/* Bit for bit, for labels at the start, the end, inside, and past the end
 * (none marked), at three scales, out of place and in place (delta == a). */
static void delta_onehot_length(const sn_kernels *k, kc_report *rep,
                                size_t n, placement place, sn_rng *rng)
{
    buf A, D, R, I;
    float *a = fbuf_make(&A, n, place);
    float *delta = fbuf_make(&D, n, place);
    float *dref = fbuf_make(&R, n, place);
    float *inplace = fbuf_make(&I, n, place);
    const unsigned labels[] = {0, n ? (unsigned)n - 1 : 0,
                               (unsigned)sn_rng_below(rng, n ? n : 1),
                               (unsigned)n, 0xffffffffu};
    const float scales[] = {2.0f, 1.0f, 0.01f};
    for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++) {
        for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++) {
            for (size_t i = 0; i < n; i++)
                a[i] = 0.5f + 0.5f * sn_rng_uniform_pm1(rng);
            memcpy(inplace, a, n * sizeof(float));
            oracle()->delta_onehot(n, a, labels[l], scales[s], dref);
            k->delta_onehot(n, a, labels[l], scales[s], delta);
            k->delta_onehot(n, inplace, labels[l], scales[s], inplace);
            char ctx[160];
            snprintf(ctx, sizeof ctx, "%s/delta_onehot n=%zu label %u scale %g %s",
                     k->isa_name, n, labels[l], (double)scales[s],
                     place_name(place));
            for (size_t i = 0; i < n; i++) {
                expect_bits(rep, ctx, "delta", i, delta[i], dref[i]);
                expect_bits(rep, ctx, "delta (in place)", i, inplace[i], dref[i]);
            }
            check_guards(rep, ctx, "delta", &D);
            check_guards(rep, ctx, "delta (in place)", &I);
        }
    }
    buf_free(&A), buf_free(&D), buf_free(&R), buf_free(&I);
}

size_t kc_check_delta_onehot(const sn_kernels *k, kc_report *rep)
{
    return for_each_length(k, rep, delta_onehot_length);
}

/* ------------------------------------------------------------ optimizers */

/*
 * momentum, rmsprop, adam: each variant of the hyperparameters (weight
 * decay zero and not, nesterov on and off, AdamW's decoupled decay on and
 * off) runs KC_OPT_STEPS steps from a zero state, as training does, with
 * fresh gradients in 1 to 3 buffers each step, and after every step the
 * parameters and every state array must equal the oracle's bit for bit (the
 * oracle steps on one buffer holding the in-order sum). Gradients include
 * exact zeros in every buffer (a dead parameter) and tiny ones where eps
 * decides the step.
 */
enum { KC_OPT_STEPS = 3 };

/* One optimizer step of set k on p and its state arrays s[0], s[1]. */
typedef void opt_call_fn(const sn_kernels *k, size_t n, float *p, float *const *s,
                         size_t nbuf, const float *const *g, float gscale,
                         const sn_step_hyper *h);

typedef struct opt_variant {
    const char *name;
    sn_step_hyper h;
} opt_variant;

typedef struct opt_spec {
    const char *op;
    size_t nstate;
    opt_call_fn *call;
    int adam; /* step_size and inv_bc2_sqrt from the step count */
    const opt_variant *variants;
    size_t nvariants;
} opt_spec;

static void grad_bufs_fill(grad_bufs *gb, size_t n, sn_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        const unsigned kind = sn_rng_below(rng, 8);
        for (size_t j = 0; j < gb->nbuf; j++)
            gb->g[j][i] = kind == 0   ? 0.0f                             /* dead */
                          : kind == 1 ? 1e-4f * sn_rng_uniform_pm1(rng) /* tiny */
                                      : 10.0f * sn_rng_uniform_pm1(rng);
    }
    grad_bufs_sum(gb, n);
}

static void opt_variant_run(const sn_kernels *k, kc_report *rep, size_t n,
                            placement place, sn_rng *rng, const opt_spec *spec,
                            const opt_variant *var)
{
    const sn_kernels *ref = oracle();
    buf P, PR, S[2], SR[2];
    grad_bufs gb;
    float *p = fbuf_make(&P, n, place);
    float *pref = fbuf_make(&PR, n, place);
    float *s[2] = {NULL, NULL}, *sref[2] = {NULL, NULL};
    for (size_t j = 0; j < spec->nstate; j++) {
        s[j] = fbuf_make(&S[j], n, place);
        sref[j] = fbuf_make(&SR[j], n, place);
        memset(s[j], 0, n * sizeof(float));
        memset(sref[j], 0, n * sizeof(float));
    }
    grad_bufs_make(&gb, n, place, rng);
    fill(rng, p, n, 0);
    memcpy(pref, p, n * sizeof(float));
    const float gscale = 0.01f;
    for (int step = 0; step < KC_OPT_STEPS; step++) {
        sn_step_hyper h = var->h;
        if (spec->adam) {
            const double t = step + 1;
            h.step_size = (float)(h.lr / (1.0 - pow(h.beta1, t)));
            h.inv_bc2_sqrt = (float)(1.0 / sqrt(1.0 - pow(h.beta2, t)));
        }
        grad_bufs_fill(&gb, n, rng);
        const float *one[1] = {gb.sum};
        spec->call(ref, n, pref, sref, 1, one, gscale, &h);
        spec->call(k, n, p, s, gb.nbuf, (const float *const *)gb.g, gscale, &h);
        char ctx[192];
        snprintf(ctx, sizeof ctx, "%s/%s %s n=%zu nbuf=%zu step %d %s",
                 k->isa_name, spec->op, var->name, n, gb.nbuf, step + 1,
                 place_name(place));
        for (size_t i = 0; i < n; i++) {
            expect_bits(rep, ctx, "p", i, p[i], pref[i]);
            for (size_t j = 0; j < spec->nstate; j++)
                expect_bits(rep, ctx, j ? "state 1" : "state 0", i, s[j][i],
                            sref[j][i]);
        }
        check_guards(rep, ctx, "p", &P);
        for (size_t j = 0; j < spec->nstate; j++)
            check_guards(rep, ctx, j ? "state 1" : "state 0", &S[j]);
    }
    buf_free(&P), buf_free(&PR);
    for (size_t j = 0; j < spec->nstate; j++)
        buf_free(&S[j]), buf_free(&SR[j]);
    grad_bufs_free(&gb);
}

static void opt_length(const sn_kernels *k, kc_report *rep, size_t n,
                       placement place, sn_rng *rng, const opt_spec *spec)
{
    for (size_t v = 0; v < spec->nvariants; v++)
        opt_variant_run(k, rep, n, place, rng, spec, &spec->variants[v]);
}

/* The length function and check of optimizer op: its nstate state
 * arrays, op_call and op_variants; adam: step_size and inv_bc2_sqrt from the
 * step count. */
#define OPT_CHECK(op, nstate, adam)                                            \
    static void op##_length(const sn_kernels *k, kc_report *rep, size_t n,     \
                            placement place, sn_rng *rng)                      \
    {                                                                          \
        static const opt_spec spec = {#op, nstate, op##_call, adam,            \
                                      op##_variants,                           \
                                      sizeof op##_variants / sizeof op##_variants[0]}; \
        opt_length(k, rep, n, place, rng, &spec);                              \
    }                                                                          \
    size_t kc_check_##op(const sn_kernels *k, kc_report *rep)                  \
    {                                                                          \
        return for_each_length(k, rep, op##_length);                           \
    }

static void momentum_call(const sn_kernels *k, size_t n, float *p,
                          float *const *s, size_t nbuf, const float *const *g,
                          float gscale, const sn_step_hyper *h)
{
    k->momentum(n, p, s[0], nbuf, g, gscale, h);
}

/* torch's defaults (lr 0.1, momentum 0.9), and momentum 0 with weight
 * decay: plain SGD with decay runs this kernel. */
static const opt_variant momentum_variants[] = {
    {"mu 0.9", {.lr = 0.1f, .momentum = 0.9f}},
    {"mu 0.9 nesterov", {.lr = 0.1f, .momentum = 0.9f, .nesterov = 1}},
    {"mu 0.9 wd 0.01", {.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f}},
    {"mu 0.9 nesterov wd 0.01",
     {.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f, .nesterov = 1}},
    {"mu 0 wd 0.5", {.lr = 0.1f, .momentum = 0.0f, .weight_decay = 0.5f}},
};

OPT_CHECK(momentum, 1, 0)

static void rmsprop_call(const sn_kernels *k, size_t n, float *p,
                         float *const *s, size_t nbuf, const float *const *g,
                         float gscale, const sn_step_hyper *h)
{
    k->rmsprop(n, p, s[0], nbuf, g, gscale, h);
}

/* torch's defaults (lr 0.01, alpha 0.99, eps 1e-8), with and without weight
 * decay, and a small alpha whose 1 - alpha is inexact. */
static const opt_variant rmsprop_variants[] = {
    {"alpha 0.99", {.lr = 0.01f, .beta2 = 0.99f, .eps = 1e-8f}},
    {"alpha 0.99 wd 0.01",
     {.lr = 0.01f, .beta2 = 0.99f, .eps = 1e-8f, .weight_decay = 0.01f}},
    {"alpha 0.3", {.lr = 0.01f, .beta2 = 0.3f, .eps = 1e-8f}},
};

OPT_CHECK(rmsprop, 1, 0)

static void adam_call(const sn_kernels *k, size_t n, float *p, float *const *s,
                      size_t nbuf, const float *const *g, float gscale,
                      const sn_step_hyper *h)
{
    k->adam(n, p, s[0], s[1], nbuf, g, gscale, h);
}

/* torch's defaults (lr 0.001, betas 0.9/0.999, eps 1e-8): Adam without and
 * with (coupled) weight decay, AdamW with its default 0.01 and with 0, and
 * a large learning rate that makes the decoupled decay visible. */
#define ADAM_DEFAULTS .lr = 0.001f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f
static const opt_variant adam_variants[] = {
    {"adam", {ADAM_DEFAULTS}},
    {"adam wd 0.01", {ADAM_DEFAULTS, .weight_decay = 0.01f}},
    {"adamw wd 0.01", {ADAM_DEFAULTS, .weight_decay = 0.01f, .decoupled = 1}},
    {"adamw wd 0", {ADAM_DEFAULTS, .decoupled = 1}},
    {"adamw lr 0.1 wd 0.3",
     {.lr = 0.1f, .beta1 = 0.5f, .beta2 = 0.75f, .eps = 1e-8f,
      .weight_decay = 0.3f, .decoupled = 1}},
};

OPT_CHECK(adam, 2, 1)

/* ------------------------------------------------------------ the table */

#define KC_CASE_(op, unused) {#op, kc_check_##op},
const kc_case kc_cases[] = {SN_KERNEL_OPS(KC_CASE_, unused)};
const size_t kc_ncases = sizeof kc_cases / sizeof kc_cases[0];

const kc_case *kc_find_case(const char *op)
{
    for (size_t i = 0; i < kc_ncases; i++)
        if (strcmp(kc_cases[i].op, op) == 0)
            return &kc_cases[i];
    return NULL;
}
