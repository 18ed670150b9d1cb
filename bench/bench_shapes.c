/*
 * bench_shapes.c - the shapes every kernel is benchmarked at, and the work
 * one call does.
 *
 * The network's shapes are those of one sample through 784-32-32-10: layer
 * 1 is 32x784 (uint8 pixels in the per-sample engine; float too, to pair
 * with OpenBLAS), layers 2 and 3 are 32x32 and 10x32, the sigmoids are 32
 * and 10 wide, and vadd and the optimisers run over all 26,506 parameters
 * (the optimisers summing 1 or 2 threads' gradient buffers as they step:
 * shape 26506x2). The sweep shows where each kernel leaves
 * L1 (32x256 floats = 32 KiB), L2 and L3.
 *
 * The matrix products are those of a blocked engine on a batch of 100 (or
 * a thread's 50): gemm m x n x k, C[m][n] = A[m][k] B[k][n], is a layer's
 * forward pass for m samples (100x32x784, 100x32x32, 100x10x32) or the
 * errors passed back (100x32x10); gemm_tn m x n x k, C[n][k] += A^T B with
 * A[m][n] and B[m][k], is a layer's weight gradient over m samples.
 */
#include "bench_util.h"

#include <stdio.h>
#include <string.h>

#define NET(r, c) {(r), (c), 0, 0}
#define SWEEP(r, c) {(r), (c), 0, 1}
#define GEMM(m, n, k) {(m), (n), (k), 0}
#define END {0, 0, 0, 0}

static const bench_shape matrix[] = {
    NET(32, 784), NET(32, 32), NET(10, 32),
    SWEEP(32, 64), SWEEP(32, 256), SWEEP(32, 1024), SWEEP(32, 4096),
    SWEEP(32, 16384), SWEEP(32, 65536), END,
};
static const bench_shape pixels[] = {NET(32, 784), SWEEP(32, 16384), END};
/* One sample's pixels, and a batch of 100 samples' at once. */
static const bench_shape nonzero[] = {NET(784, 0), SWEEP(78400, 0), END};
static const bench_shape backprop[] = {NET(32, 32), NET(10, 32), END};
static const bench_shape activation[] = {
    NET(10, 0), NET(32, 0), SWEEP(4096, 0), SWEEP(65536, 0), END,
};
static const bench_shape activation_backward[] = {NET(10, 0), NET(32, 0), END};
/* softmax: rows x n, the output layer of a tile of the sparse engine (16
 * samples, 64 grouped) and one wide row; the loss gradient. */
static const bench_shape softmax_rows[] = {NET(16, 10), NET(64, 10), SWEEP(1, 1000), END};
static const bench_shape output[] = {NET(10, 0), END};
static const bench_shape params[] = {NET(26506, 0), END};
static const bench_shape products[] = {
    GEMM(100, 32, 784), GEMM(50, 32, 784), GEMM(100, 32, 32),
    GEMM(100, 10, 32), GEMM(100, 32, 10),
    /* the sparse engine's tile of 16 through the tutorial's upper layers
     * and back, through wide upper layers, and its grouped tile of 64
     * (engine_sparse.h) through 256-wide ones; a batch of 100 as the
     * grouped tiles of 64 and 36 through 100-wide ones */
    GEMM(16, 32, 32), GEMM(16, 10, 32), GEMM(16, 32, 10),
    GEMM(16, 256, 256), GEMM(16, 1024, 1024), GEMM(64, 256, 256),
    GEMM(64, 100, 100), GEMM(36, 100, 100), GEMM(64, 10, 100),
    GEMM(64, 100, 10), END,
};
static const bench_shape gradients[] = {
    GEMM(100, 32, 784), GEMM(50, 32, 784), GEMM(100, 32, 32),
    GEMM(100, 10, 32), GEMM(16, 32, 32), GEMM(16, 10, 32),
    GEMM(16, 256, 256), GEMM(16, 1024, 1024), GEMM(64, 256, 256),
    GEMM(64, 100, 100), GEMM(36, 100, 100), GEMM(64, 10, 100), END,
};
/* The wide sparse engine's first layer, forward and gradient: a tile of
 * 16 samples' pixels (784) through a panel of 64 columns, and the single
 * panels of 96, 100 (rows 112 floats apart, as the engine pads them) and
 * 128 columns; the grouped tile of 64 samples (engine_sparse.h) through
 * 64 and 100. */
static const bench_shape panels[] = {
    GEMM(16, 64, 784),  GEMM(16, 96, 784),  GEMM(16, 100, 784),
    GEMM(16, 128, 784), GEMM(64, 64, 784), GEMM(64, 100, 784), END,
};
/* The upper layers' weights the sparse engine transposes every batch:
 * the tutorial's W2 and W3, and 256- and 1024-wide W2. */
static const bench_shape transposes[] = {
    NET(32, 32), NET(10, 32), SWEEP(256, 256), SWEEP(1024, 1024), END,
};
/* The optimisers sum the per-thread gradient buffers as they step: n x
 * buffers, one per thread (1 and 2 here). */
static const bench_shape optimiser[] = {
    NET(26506, 1), NET(26506, 2), SWEEP(1024, 1), SWEEP(262144, 1), END,
};

static const struct {
    const char *op;
    const bench_shape *shapes;
} table[] = {
    {"gemv", matrix},
    {"ger", matrix},
    {"gemv_u8", pixels},
    {"ger_u8", pixels},
    {"nonzero_u8", nonzero},
    {"gemv_sparse", pixels},
    {"ger_sparse", pixels},
    {"gemm", products},
    {"gemm_tn", gradients},
    {"gemv_t", backprop},
    {"sigmoid", activation},
    {"sigmoid_backward", activation_backward},
    {"vadd", params},
    {"adagrad", optimiser},
    {"sgd", optimiser},
    {"relu", activation},
    {"relu_backward", activation_backward},
    {"tanh", activation},
    {"tanh_backward", activation_backward},
    {"softmax", softmax_rows},
    {"delta_onehot", output},
    {"momentum", optimiser},
    {"rmsprop", optimiser},
    {"adam", optimiser},
    {"gemm_tn_sparse", panels},
    {"gemm_sparse", panels},
    {"gemm_zskip", products},
    {"gemm_tn_zskip", gradients},
    {"transpose", transposes},
};

const bench_shape *bench_shapes(const char *op)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (!strcmp(table[i].op, op))
            return table[i].shapes;
    }
    return NULL;
}

void bench_shape_name(const bench_shape *s, char *buf, size_t len)
{
    if (s->depth)
        snprintf(buf, len, "%zux%zux%zu", s->rows, s->cols, s->depth);
    else if (s->cols)
        snprintf(buf, len, "%zux%zu", s->rows, s->cols);
    else
        snprintf(buf, len, "%zu", s->rows);
}

bench_work bench_op_work(const char *op, const bench_shape *s, size_t nnz)
{
    const double r = (double)s->rows, c = (double)s->cols, n = r;
    const double z = (double)nnz, k = (double)s->depth;
    const double f = sizeof(float);
    bench_work w = {0.0, 0.0, 0.0};
    if (!strcmp(op, "gemv"))            /* W, x, b read; y written */
        w = (bench_work){r * c, f * (r * c + c + 2 * r), 2 * r * c};
    else if (!strcmp(op, "gemv_u8"))    /* ... with one byte per pixel */
        w = (bench_work){r * c, f * (r * c + 2 * r) + c, 2 * r * c};
    else if (!strcmp(op, "gemv_t"))     /* W, d read; y written */
        w = (bench_work){r * c, f * (r * c + r + c), 2 * r * c};
    else if (!strcmp(op, "ger"))        /* dW read and written; d, x read */
        w = (bench_work){r * c, f * (2 * r * c + r + c), 2 * r * c};
    else if (!strcmp(op, "ger_u8"))
        w = (bench_work){r * c, f * (2 * r * c + r) + c, 2 * r * c};
    else if (!strcmp(op, "nonzero_u8")) /* x read; idx, val of nnz written */
        w = (bench_work){n, n + 2 * f * z, 0};
    else if (!strcmp(op, "gemv_sparse")) /* nnz rows of WT, idx, val, b; y */
        w = (bench_work){r * z, f * (r * z + 2 * z + 2 * r), 2 * r * z};
    else if (!strcmp(op, "ger_sparse")) /* nnz rows of dWT read and written */
        w = (bench_work){r * z, f * (2 * r * z + 2 * z + r), 2 * r * z};
    else if (!strcmp(op, "gemm") || !strcmp(op, "gemm_zskip"))
        /* A, B, bias read; C written (zskip: at most) */
        w = (bench_work){r * c * k, f * (r * k + k * c + r * c + c),
                         2 * r * c * k};
    else if (!strcmp(op, "gemm_tn") || !strcmp(op, "gemm_tn_zskip"))
        /* A, B read; C read and written */
        w = (bench_work){r * c * k, f * (r * c + r * k + 2 * c * k),
                         2 * r * c * k};
    else if (!strcmp(op, "gemm_tn_sparse")) /* nnz: the tile's entries; a
                                             * delta row read per entry, at
                                             * most k rows of dWT read and
                                             * written */
        w = (bench_work){c * z, f * (c * z + 2 * z + 2 * c * (z < k ? z : k)),
                         2 * c * z};
    else if (!strcmp(op, "gemm_sparse")) /* nnz: the tile's entries; a row
                                          * of WT read per entry (from L1
                                          * after the first sample), the
                                          * r output rows written */
        w = (bench_work){c * z, f * (c * z + 2 * z + r * c), 2 * c * z};
    else if (!strcmp(op, "sigmoid") || !strcmp(op, "relu") ||
             !strcmp(op, "tanh") || !strcmp(op, "delta_onehot"))
        /* x read, y written */
        w = (bench_work){n, 2 * f * n, 0};
    else if (!strcmp(op, "sigmoid_backward") ||
             !strcmp(op, "relu_backward") || !strcmp(op, "tanh_backward"))
        /* dcda, a read; delta written */
        w = (bench_work){n, 3 * f * n, 0};
    else if (!strcmp(op, "vadd"))       /* x read, y read and written */
        w = (bench_work){n, 3 * f * n, 0};
    else if (!strcmp(op, "softmax"))    /* x read, y written, read, written;
                                         * a log-sum-exp a row */
        w = (bench_work){r * c, f * (4 * r * c + r), 0};
    else if (!strcmp(op, "adagrad") || !strcmp(op, "momentum") ||
             !strcmp(op, "rmsprop"))
        /* p and one state read and written; c buffers read */
        w = (bench_work){n, f * (4 + c) * n, 0};
    else if (!strcmp(op, "adam"))       /* p, m, v read and written */
        w = (bench_work){n, f * (6 + c) * n, 0};
    else if (!strcmp(op, "sgd"))        /* p read and written; c buffers */
        w = (bench_work){n, f * (2 + c) * n, 0};
    else if (!strcmp(op, "transpose"))  /* the matrix read, its copy written */
        w = (bench_work){r * c, 2 * f * r * c, 0};
    return w;
}
