/*
 * kernels.h - the kernel table: every compute leaf of simdnet, one function
 * type per operation, one implementation per operation and ISA.
 *
 * Kernels are leaves: arrays in, arrays out; they know nothing of networks,
 * files or threads. Matrices are row-major. Unless a kernel says otherwise,
 * pointers need no alignment and outputs must not alias inputs.
 *
 * Naming: operation `op` for ISA `isa` is the function sn_<op>_<isa>, defined
 * in kernels/<isa>/<op>_<isa>.c, tested by the "<op>" tests of
 * tests/test_kernels.c and benchmarked as "<op>/<isa>/..." in bench/. The
 * AVX2 and AVX-512 files are thin: both compile the one x86 body
 * kernels/x86/<op>_x86.h with their ISA's vector header (docs/kernels.md).
 */
#ifndef SN_KERNELS_H
#define SN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* y[i] = 1 / (1 + exp(-x[i])). y may equal x (in place). NaN in, NaN out;
 * saturates to [0, 1] without overflow for inputs of any magnitude. */
typedef void sn_sigmoid_fn(size_t n, const float *x, float *y);

/* y = W x + b; W is [rows][cols]. b may be NULL (no bias). */
typedef void sn_gemv_fn(size_t rows, size_t cols, const float *w,
                        const float *x, const float *b, float *y);

/* y = W (scale * x) + b with x as uint8 (pixels); b may be NULL. */
typedef void sn_gemv_u8_fn(size_t rows, size_t cols, const float *w,
                           const uint8_t *x, float scale, const float *b,
                           float *y);

/* y = W^T d; W is [rows][cols], d has rows values, y has cols values. */
typedef void sn_gemv_t_fn(size_t rows, size_t cols, const float *w,
                          const float *d, float *y);

/* dW += d x^T; dW is [rows][cols], d has rows values, x has cols values. */
typedef void sn_ger_fn(size_t rows, size_t cols, const float *d,
                       const float *x, float *dw);

/* dW += d (scale * x)^T with x as uint8 (pixels). */
typedef void sn_ger_u8_fn(size_t rows, size_t cols, const float *d,
                          const uint8_t *x, float scale, float *dw);

/* delta[i] = dcda[i] * a[i] * (1 - a[i]): the sigmoid's backward step written
 * with the stored activation. delta may equal dcda (in place). */
typedef void sn_sigmoid_backward_fn(size_t n, const float *dcda,
                                    const float *a, float *delta);

/* The indices and values (scale * x[i]) of the nonzero bytes of x, in
 * increasing order; returns their count. idx and val need room for n + 16
 * entries: a SIMD version may store a whole vector past the count. If seen
 * is not NULL, bit i % 64 of seen[i / 64] is set for every nonzero x[i]
 * (the others are left as they are): a bitmap of pixels used by a batch. */
typedef size_t sn_nonzero_u8_fn(size_t n, const uint8_t *x, float scale,
                                uint32_t *idx, float *val, uint64_t *seen);

/* y = b + sum_j val[j] * WT[idx[j]][0..m): a sparse input (from nonzero_u8)
 * through a transposed weight matrix WT [cols][m]. b may be NULL. */
typedef void sn_gemv_sparse_fn(size_t m, size_t nnz, const uint32_t *idx,
                               const float *val, const float *wt,
                               const float *b, float *y);

/* dWT[idx[j]][0..m) += val[j] * d for every j: the outer product of d and a
 * sparse input, accumulated into a transposed gradient [cols][m]. */
typedef void sn_ger_sparse_fn(size_t m, size_t nnz, const uint32_t *idx,
                              const float *val, const float *d, float *dwt);

/* C = A B + bias for a tile of samples: A [m][k], B [k][n], C [m][n], all
 * row-major and dense; bias (n values, added to every row) may be NULL. With
 * B = W^T this is a layer's forward pass for m samples; with B = W, the
 * errors it passes back. */
typedef void sn_gemm_fn(size_t m, size_t n, size_t k, const float *a,
                        const float *b, const float *bias, float *c);

/* C += A^T B: A [m][n], B [m][k], C [n][k]; the weight gradient of a tile
 * of m samples (A: their deltas, B: the layer's inputs), summed over the
 * tile before it is added to C. */
typedef void sn_gemm_tn_fn(size_t m, size_t n, size_t k, const float *a,
                           const float *b, float *c);

/* Rows [first, last) of src [rows][cols] into dst [cols][rows], the
 * transpose: dst[c * rows + r] = src[r * cols + c]; dst's other entries are
 * not touched. A copy, so every set gives the same bits. The sparse engine
 * transposes the upper layers' weights every batch (its gemm takes W^T),
 * a range of rows at a time as the update steps them. */
typedef void sn_transpose_fn(size_t rows, size_t cols, const float *src,
                             size_t first, size_t last, float *dst);

/* y[i] += x[i]: bias gradients and the reduction of per-thread buffers. */
typedef void sn_vadd_fn(size_t n, const float *x, float *y);

/* AdaGrad with epsilon inside the square root, on the batch gradient
 * g = gscale * (gsum[0][i] + gsum[1][i] + ... + gsum[nbuf-1][i]), the
 * per-thread gradient buffers added in that order (gscale = 1 / batch size;
 * nbuf >= 1):
 *   G[i] += g*g;  p[i] -= lr * g / sqrt(G[i] + eps).
 * Reducing and stepping in one pass reads each buffer once and writes only
 * p and G. */
typedef void sn_adagrad_fn(size_t n, float *p, float *G, size_t nbuf,
                           const float *const *gsum, float gscale, float lr,
                           float eps);

/* Plain gradient descent on the same sum: p[i] -= lr * (gscale * sum). */
typedef void sn_sgd_fn(size_t n, float *p, size_t nbuf,
                       const float *const *gsum, float gscale, float lr);

/* The activations, the output's loss gradient and the optimizer steps
 * beyond the tutorial's (SPEC12.md). relu, relu_backward, tanh_backward,
 * delta_onehot, momentum, rmsprop and adam are bit-identical to the scalar
 * oracle on every set (its operations in its order, no fusing, exact sqrt
 * and division); tanh and softmax, which need exp, are within the bounds
 * stated with them (docs/kernels.md, "Tanh and softmax"). */

/* y[i] = max(x[i], 0), written x < 0 ? 0 : x: NaN stays NaN and -0 stays
 * -0 (a zero either way: the sparse engine tests a == 0). y may equal x. */
typedef void sn_relu_fn(size_t n, const float *x, float *y);

/* delta[i] = a[i] > 0 ? dcda[i] : 0 with the stored activation a: a ReLU's
 * zero gives an exact zero delta. delta may equal dcda (in place). */
typedef void sn_relu_backward_fn(size_t n, const float *dcda, const float *a,
                                 float *delta);

/* y[i] = tanh(x[i]). y may equal x. Odd (tanh(-x) = -tanh(x), -0 -> -0),
 * saturates to exactly +-1 without overflow, NaN in, NaN out. Every set is
 * within SN_TANH_MAX_ERROR of the true value, absolute, and within
 * SN_TANH_MAX_REL_ERROR of it, relative (the measured maxima are in
 * docs/kernels.md). */
typedef void sn_tanh_fn(size_t n, const float *x, float *y);
#define SN_TANH_MAX_ERROR 2e-7
#define SN_TANH_MAX_REL_ERROR 3e-7

/* delta[i] = dcda[i] * (1 - a[i] * a[i]): tanh's backward step with the
 * stored activation. delta may equal dcda (in place). */
typedef void sn_tanh_backward_fn(size_t n, const float *dcda, const float *a,
                                 float *delta);

/* y[r] = softmax(x[r]) for m rows of n (n >= 1; rows n floats apart),
 * largest value subtracted, and lse[r] = max + log(sum exp(x[r] - max)).
 * y may equal x. Each y is within (n + 8) FLT_EPSILON relative (plus
 * FLT_MIN) of the oracle's, lse within (n + 8) FLT_EPSILON plus its ulp;
 * a row's values may depend on where it lies among the m (a set may take
 * rows together, one per vector lane). No overflow, infinity or NaN for
 * any finite x: x - max is computed from x clamped below at
 * sn_softmax_floor(max), where exp is 0 anyway. A NaN in a row makes every
 * output of that row NaN. */
typedef void sn_softmax_fn(size_t m, size_t n, const float *x, float *y,
                           float *lse);

/* The clamp of softmax's inputs: m - 2^127 for a positive max m (x - m
 * would overflow only for x < m - FLT_MAX), else -FLT_MAX (no clamp: x - m
 * >= -FLT_MAX). One scalar per row, the same for every set. */
static inline float sn_softmax_floor(float m)
{
    return m > 0.0f ? m - 0x1p127f : -0x1.fffffep127f;
}

/* delta[i] = scale * (a[i] - (i == label)): the loss gradient at the
 * output (scale 2 for L2's dC/da, 1 for the combined CE gradients). A
 * label >= n marks no element. delta may equal a. */
typedef void sn_delta_onehot_fn(size_t n, const float *a, unsigned label,
                                float scale, float *delta);

/* The optimizer steps read the per-thread gradient buffers as adagrad does:
 * g = gscale * (gsum[0][i] + ... + gsum[nbuf-1][i]) in that order, then
 * apply the formulas below, every operation in the order written (C's
 * precedence, left to right) without fusing, with the exact square root
 * and division: every set is bit-identical to the scalar oracle. Weight
 * decay is applied only when weight_decay != 0. */
typedef struct sn_step_hyper {
    float lr;           /* this batch's learning rate (schedule applied) */
    float eps;
    float beta1, beta2; /* Adam's betas; beta2 is RMSprop's alpha */
    float momentum;
    float weight_decay; /* coupled (g += wd * p) unless decoupled */
    float step_size;    /* Adam: lr / (1 - beta1^t), computed in double */
    float inv_bc2_sqrt; /* Adam: 1 / sqrt(1 - beta2^t), computed in double */
    int nesterov;       /* momentum: torch's nesterov=True */
    int decoupled;      /* Adam: AdamW's p *= 1 - lr * wd before the step */
} sn_step_hyper;

/* AdamW's decay factor 1 - lr * wd, computed in double (as torch does in
 * Python) and rounded once; the same float for every set. */
static inline float sn_step_decay(const sn_step_hyper *h)
{
    return (float)(1.0 - (double)h->lr * (double)h->weight_decay);
}

/* torch.optim.SGD(momentum=mu, dampening=0, nesterov, weight_decay):
 * g += wd*p; buf = mu*buf + g; d = nesterov ? g + mu*buf : buf; p -= lr*d.
 * (buf starts at 0, which gives torch's buf = g on the first step.) */
typedef void sn_momentum_fn(size_t n, float *p, float *buf, size_t nbuf,
                            const float *const *gsum, float gscale,
                            const sn_step_hyper *h);

/* torch.optim.RMSprop(alpha=beta2, eps, weight_decay, momentum=0,
 * centered=False), with 1 - alpha in float:
 * g += wd*p; sq = alpha*sq + (1-alpha)*g*g; p -= lr * g / (sqrt(sq) + eps). */
typedef void sn_rmsprop_fn(size_t n, float *p, float *sq, size_t nbuf,
                           const float *const *gsum, float gscale,
                           const sn_step_hyper *h);

/* torch.optim.Adam / AdamW (amsgrad=False), with 1 - beta in float:
 * AdamW: p *= 1 - lr*wd (sn_step_decay); Adam: g += wd*p;
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g;
 * p -= step_size * m / (sqrt(v) * inv_bc2_sqrt + eps).
 * torch divides by sqrt(1 - beta2^t) where this multiplies by its
 * reciprocal (at most an ulp of the denominator apart): the division costs
 * as much as the square root, a third of the whole step. */
typedef void sn_adam_fn(size_t n, float *p, float *m, float *v, size_t nbuf,
                        const float *const *gsum, float gscale,
                        const sn_step_hyper *h);

/* dWT[pix[i]][0..w) += sum over e in [start[i], start[i+1]) of
 * val[e] * D[row[e]][0..w), for each i < npix: the first layer's weight
 * gradient of a tile of samples whose nonzero inputs are grouped by pixel
 * (pixel pix[i] is nonzero in samples row[start[i]..start[i+1]), with
 * values val[...]). D holds the tile's deltas, rows ldd floats apart; dWT
 * has rows ldg >= w floats apart (the sparse engine pads them to whole
 * cache lines: rows of 100 floats started off them, and most vector loads
 * crossed two). Each pixel's sum over its samples is taken before
 * it is added, so that each row of dWT is read and written once per tile
 * instead of once per sample. pix need not be sorted but must not repeat. */
typedef void sn_gemm_tn_sparse_fn(size_t w, size_t npix, const uint32_t *pix,
                                  const uint32_t *start, const uint32_t *row,
                                  const float *val, const float *d,
                                  size_t ldd, float *dwt, size_t ldg);

/* Y[s][0..w) = b + the sum over sample s's entries j in [rowptr[s],
 * rowptr[s+1]) of val[j] * WT[idx[j]][0..w), for every s < m: the first
 * layer's forward pass for a tile of m samples, each with its nonzero
 * pixels idx in increasing order (as nonzero_u8 lists them), WT a panel
 * of W1^T whose rows are w floats long and ldw >= w apart, Y rows ldy
 * apart; b (w values) may be NULL (zero). The tile goes through WT a
 * block of SN_GEMM_SPARSE_BLOCK rows (pixels [k B, (k+1) B)) at a time,
 * so that the block stays in L1 while every sample of the tile uses it:
 * the sum is taken by blocks, each block's terms in order into a partial
 * sum from 0, the partial sums of the sample's nonempty blocks added to b
 * in block order. */
enum { SN_GEMM_SPARSE_BLOCK = 96 };

typedef void sn_gemm_sparse_fn(size_t w, size_t m, const uint32_t *rowptr,
                               const uint32_t *idx, const float *val,
                               const float *wt, size_t ldw, const float *b,
                               float *y, size_t ldy);

/* gemm and gemm_tn without the terms that a zero of A makes (+0 or -0; a
 * NaN is kept): for a finite B, the same values as the same set's gemm and
 * gemm_tn, bit for bit, up to the sign of a zero sum (none in gemm's C, to
 * which the bias or +0 is added; C += +-0 leaves C as it is unless C is
 * -0). The SIMD sets leave a term out only where it is zero in every row
 * (column) of A that shares a block of accumulators with it. For the
 * sparse engine's hidden layers, where ReLU makes exact zeros
 * (docs/engines.md, "ReLU's zeros"). */
typedef sn_gemm_fn sn_gemm_zskip_fn;
typedef sn_gemm_tn_fn sn_gemm_tn_zskip_fn;

/*
 * The registry. SN_KERNEL_OPS lists every operation once; it generates the
 * table's fields, the per-ISA declarations and the per-ISA tables, and the
 * tests and benchmarks walk the same list. Adding an operation is one line
 * here, its type above, and its implementations: the scalar oracle, one x86
 * body with its two thin per-ISA files, and the NEON file (docs/kernels.md,
 * "Adding an operation").
 */
#define SN_KERNEL_OPS(X, isa)                                                  \
    X(sigmoid, isa)                                                            \
    X(gemv, isa)                                                               \
    X(gemv_u8, isa)                                                            \
    X(gemv_t, isa)                                                             \
    X(ger, isa)                                                                \
    X(ger_u8, isa)                                                             \
    X(nonzero_u8, isa)                                                         \
    X(gemv_sparse, isa)                                                        \
    X(ger_sparse, isa)                                                         \
    X(gemm, isa)                                                               \
    X(gemm_tn, isa)                                                            \
    X(sigmoid_backward, isa)                                                   \
    X(vadd, isa)                                                               \
    X(adagrad, isa)                                                            \
    X(sgd, isa)                                                                \
    X(relu, isa)                                                               \
    X(relu_backward, isa)                                                      \
    X(tanh, isa)                                                               \
    X(tanh_backward, isa)                                                      \
    X(softmax, isa)                                                            \
    X(delta_onehot, isa)                                                       \
    X(momentum, isa)                                                           \
    X(rmsprop, isa)                                                            \
    X(adam, isa)                                                           \
    X(gemm_tn_sparse, isa)                                                     \
    X(gemm_sparse, isa)                                                        \
    X(gemm_zskip, isa)                                                         \
    X(gemm_tn_zskip, isa)                                                      \
    X(transpose, isa)

#define SN_KERNEL_FIELD_(op, isa) sn_##op##_fn *op;
#define SN_KERNEL_DECLARE_(op, isa) sn_##op##_fn sn_##op##_##isa;
#define SN_KERNEL_ENTRY_(op, isa) .op = sn_##op##_##isa,

struct sn_kernels {
    const char *isa_name;
    int isa; /* sn_isa */
    SN_KERNEL_OPS(SN_KERNEL_FIELD_, unused)
};

/* Declares every kernel of one ISA: SN_DECLARE_ISA_KERNELS(avx2). */
#define SN_DECLARE_ISA_KERNELS(isa) SN_KERNEL_OPS(SN_KERNEL_DECLARE_, isa)

/* A table initialiser for one ISA: SN_KERNEL_TABLE(avx2, SN_ISA_AVX2). */
#define SN_KERNEL_TABLE(name_, id_)                                            \
    {.isa_name = #name_, .isa = (id_), SN_KERNEL_OPS(SN_KERNEL_ENTRY_, name_)}

/* Which sets this binary has: kernels/meson.build defines SN_BUILT_<ISA>=1
 * for each per-ISA library it links (and for that library's own files, so
 * that every definition is checked against its declaration below); the
 * others are 0. The order of preference is that of sn_isa in simdnet.h,
 * worst first (sn_isa_best, src/machine/dispatch.c). */
#ifndef SN_BUILT_AVX2
#define SN_BUILT_AVX2 0
#endif
#ifndef SN_BUILT_AVX512
#define SN_BUILT_AVX512 0
#endif
#ifndef SN_BUILT_NEON
#define SN_BUILT_NEON 0
#endif

SN_DECLARE_ISA_KERNELS(scalar)
#if SN_BUILT_AVX2
SN_DECLARE_ISA_KERNELS(avx2)
#endif
#if SN_BUILT_AVX512
SN_DECLARE_ISA_KERNELS(avx512)
#endif
#if SN_BUILT_NEON
SN_DECLARE_ISA_KERNELS(neon)
#endif

/* Every op's name, in table order, for tests and benchmarks. */
#define SN_KERNEL_NAME_(op, isa) #op,
#define SN_KERNEL_OP_NAMES {SN_KERNEL_OPS(SN_KERNEL_NAME_, unused)}

#endif /* SN_KERNELS_H */
