/*
 * peer_openblas.c - OpenBLAS at simdnet's shapes, single-threaded like the
 * kernels they are compared with.
 *
 * Debian's OpenBLAS 0.3.21 does not recognise every current CPU and then
 * runs old SSE3 code. OpenBLAS reads OPENBLAS_CORETYPE when the library is
 * loaded, before main, so it cannot be set from here: `meson test
 * --benchmark` sets it (see bench/meson.build); run by hand, set it in the
 * environment. The core OpenBLAS really uses is in the output's context.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "bench_peers.h"
#include "bench_util.h"

typedef enum blas_op {
    BLAS_GEMV, BLAS_GEMV_T, BLAS_GER, BLAS_GEMM, BLAS_GEMM_TN
} blas_op;

typedef struct blas_case {
    blas_op op;
    bench_shape shape;
} blas_case;

static void run_level2(gb_state *st, const void *arg)
{
    const blas_case *c = arg;
    const int r = (int)c->shape.rows, n = (int)c->shape.cols;
    const size_t longer = (size_t)(r > n ? r : n);
    float *w = bench_floats((size_t)r * (size_t)n, 1);
    float *x = bench_floats(longer, 2), *b = bench_floats(longer, 3);
    float *y = bench_floats(longer, 4);
    if (!w || !x || !b || !y) {
        gb_skip_with_error(st, "out of memory for the operands");
        goto out;
    }
    const int64_t batch = bench_batch((size_t)r * (size_t)n);
    const char *op = "gemv";
    switch (c->op) {
    case BLAS_GEMV: /* y = W x + b, as the gemv kernel */
        while (gb_keep_running_batch(st, batch))
            for (int64_t i = 0; i < batch; i++) {
                memcpy(y, b, (size_t)r * sizeof *y);
                cblas_sgemv(CblasRowMajor, CblasNoTrans, r, n, 1.0f, w, n, x,
                            1, 1.0f, y, 1);
            }
        break;
    case BLAS_GEMV_T: /* y = W^T d */
        op = "gemv_t";
        while (gb_keep_running_batch(st, batch))
            for (int64_t i = 0; i < batch; i++)
                cblas_sgemv(CblasRowMajor, CblasTrans, r, n, 1.0f, w, n, x, 1,
                            0.0f, y, 1);
        break;
    case BLAS_GER: /* dW += d x^T */
        op = "ger";
        while (gb_keep_running_batch(st, batch))
            for (int64_t i = 0; i < batch; i++)
                cblas_sger(CblasRowMajor, r, n, 1.0f, x, 1, b, 1, w, n);
        break;
    case BLAS_GEMM:
    case BLAS_GEMM_TN: /* run_gemm's */
        gb_skip_with_error(st, "not a level 2 operation");
        goto out;
    }
    bench_report(st, bench_op_work(op, &c->shape, 0), bench_peak(sn_isa_best()));
out:
    sn_free(w);
    sn_free(x);
    sn_free(b);
    sn_free(y);
}

/* The matrix products of a blocked engine, as simdnet's gemm and gemm_tn
 * kernels define them (see bench_shapes.c): gemm C[m][n] = A[m][k] B[k][n]
 * + bias; gemm_tn C[n][k] += A^T B with A[m][n], B[m][k]. */
static void run_gemm(gb_state *st, const void *arg)
{
    const blas_case *g = arg;
    const bench_shape *s = &g->shape;
    const int m = (int)s->rows, n = (int)s->cols, k = (int)s->depth;
    const size_t mk = s->rows * s->depth, kn = s->depth * s->cols;
    const size_t mn = s->rows * s->cols;
    float *a = bench_floats(mk > mn ? mk : mn, 1);
    float *b = bench_floats(mk > kn ? mk : kn, 2);
    float *bias = bench_floats(s->cols, 3);
    float *c = bench_floats(mn > kn ? mn : kn, 4);
    if (!a || !b || !bias || !c) {
        gb_skip_with_error(st, "out of memory for the operands");
        goto out;
    }
    const int64_t batch = bench_batch(mn * s->depth);
    if (g->op == BLAS_GEMM) {
        while (gb_keep_running_batch(st, batch))
            for (int64_t i = 0; i < batch; i++) {
                for (int r = 0; r < m; r++) /* the bias, as beta * C */
                    memcpy(c + (size_t)r * s->cols, bias, s->cols * sizeof *c);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k,
                            1.0f, a, k, b, n, 1.0f, c, n);
            }
    } else {
        while (gb_keep_running_batch(st, batch))
            for (int64_t i = 0; i < batch; i++)
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, k, m,
                            1.0f, a, n, b, k, 1.0f, c, k);
    }
    const char *op = g->op == BLAS_GEMM ? "gemm" : "gemm_tn";
    bench_report(st, bench_op_work(op, s, 0), bench_peak(sn_isa_best()));
out:
    sn_free(a);
    sn_free(b);
    sn_free(bias);
    sn_free(c);
}

/* Registered cases live as long as the process. */
static blas_case cases[64];
static size_t ncases;

static void add_cases(blas_op op, const char *name, gb_fn *fn)
{
    for (const bench_shape *s = bench_shapes(name); s && s->rows; s++) {
        if (ncases == sizeof cases / sizeof cases[0]) {
            fprintf(stderr, "bench_kernels: too many OpenBLAS shapes, "
                            "%s/openblas from shape %zu on not registered\n",
                    name, (size_t)(s - bench_shapes(name)));
            return;
        }
        blas_case *c = &cases[ncases++];
        *c = (blas_case){op, *s};
        char shape[32], full[96];
        bench_shape_name(s, shape, sizeof shape);
        snprintf(full, sizeof full, "%s/openblas/%s", name, shape);
        gb_register(full, fn, c);
    }
}

/* Whether OpenBLAS's core type has AVX2 or AVX-512 kernels. */
static int modern_core(const char *name)
{
    static const char *const cores[] = {
        "Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids",
    };
    for (size_t i = 0; i < sizeof cores / sizeof cores[0]; i++)
        if (!strcasecmp(name, cores[i]))
            return 1;
    return 0;
}

void bench_register_openblas(void)
{
    /* One thread, like the kernels; OpenBLAS would otherwise start its own
     * pool on larger shapes and compete with the benchmark for the cores. */
    openblas_set_num_threads(1);
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    gb_add_context("openblas_config", openblas_get_config());
    gb_add_context("openblas_core", openblas_get_corename());
    gb_add_context("OPENBLAS_CORETYPE", coretype ? coretype : "(not set)");
    if (!coretype && !modern_core(openblas_get_corename()))
        fprintf(stderr,
                "bench_kernels: OpenBLAS did not recognise this CPU and runs "
                "its old '%s' kernels; for a fair comparison set "
                "OPENBLAS_CORETYPE=SkylakeX (AVX-512) or Haswell (AVX2) in "
                "the environment (meson test --benchmark does)\n",
                openblas_get_corename());

    add_cases(BLAS_GEMV, "gemv", run_level2);
    add_cases(BLAS_GEMV_T, "gemv_t", run_level2);
    add_cases(BLAS_GER, "ger", run_level2);
    add_cases(BLAS_GEMM, "gemm", run_gemm);
    add_cases(BLAS_GEMM_TN, "gemm_tn", run_gemm);
}
