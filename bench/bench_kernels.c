/*
 * bench_kernels.c - every kernel of every ISA in the registry, at the
 * network's shapes and a size sweep, with the peers (OpenBLAS, libm) and
 * the measured FMA peak in the same run, so that any ratio can be read off
 * one JSON file (tools/compare-bench.py).
 *
 * Benchmarks are named <op>/<isa>/<shape>, e.g. gemv_u8/avx512/32x784; the
 * peers use their library as the ISA: gemv/openblas/32x784.
 *
 *   bench_kernels --benchmark_out=kernels.json --benchmark_out_format=json
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "bench_build.h"
#include "bench_peers.h"
#include "bench_util.h"
#include "registry.h"

/* Keeps the compiler from dropping the roofs' sums. */
static volatile uint64_t roof_sink;

/* One enum value per op of the registry: a new op in kernels.h makes the
 * switch in run_kernel warn (-Wswitch) until it has a benchmark here. */
#define OP_ENUM_(op, unused) OP_##op,
typedef enum kernel_op { SN_KERNEL_OPS(OP_ENUM_, unused) OP_COUNT } kernel_op;
static const char *const op_names[OP_COUNT] = SN_KERNEL_OP_NAMES;

typedef struct kernel_case {
    kernel_op op;
    sn_isa isa;
    const sn_kernels *k;
    bench_shape shape;
} kernel_case;

/* Operands of any kernel at one shape: a matrix (W or dW), four vectors
 * as long as its longer side (x, d, b, y or p, G, g), pixels, and room for
 * the pixels' nonzero indices and values (with nonzero_u8's 16 spare). */
typedef struct operands {
    float *mat, *v0, *v1, *v2, *v3, *val;
    uint8_t *px;
    uint32_t *idx;
} operands;

static void operands_free(operands *o)
{
    sn_free(o->mat);
    sn_free(o->v0);
    sn_free(o->v1);
    sn_free(o->v2);
    sn_free(o->v3);
    sn_free(o->px);
    sn_free(o->val);
    sn_free(o->idx);
}

static int operands_alloc(operands *o, const bench_shape *s)
{
    const size_t r = s->rows, c = s->cols ? s->cols : 1;
    size_t n = r > c ? r : c, mat = r * c;
    if (s->depth) { /* products: A and B in the vectors, C in the matrix */
        const size_t d = s->depth;
        n = r * d > c * d ? r * d : c * d;
        n = n > r * c ? n : r * c;
        /* WT or dWT of gemm_sparse and gemm_tn_sparse: d rows of c
         * floats a whole number of cache lines apart, as the sparse
         * engine keeps them (and gemm_tn_sparse's deltas, in v0). */
        mat = r * c > sn_pad_floats(c) * d ? r * c : sn_pad_floats(c) * d;
    }
    o->mat = bench_floats(mat, 1);
    o->v0 = bench_floats(n, 2);
    o->v1 = bench_floats(n, 3);
    o->v2 = bench_positive(n, 4);
    o->v3 = bench_positive(n, 5);
    o->px = bench_pixels(n, 6);
    o->val = sn_alloc_array(n + 16, sizeof *o->val);
    o->idx = sn_alloc_array(n + 16, sizeof *o->idx);
    if (o->mat && o->v0 && o->v1 && o->v2 && o->v3 && o->px && o->val &&
        o->idx)
        return 0;
    operands_free(o);
    return -1;
}

/* A tile of m samples' pixels (m rows of `cols` from px) grouped by pixel
 * for gemm_tn_sparse, in arrays of the tile's size; returns the entry
 * count, or 0 (and nothing to free) when out of memory. */
typedef struct pixel_tile {
    uint32_t *pix, *start, *row;
    float *val;
    size_t npix;
    /* The same entries by sample (gemm_sparse): sample s's pixels are
     * sidx[srow[s] .. srow[s+1]), increasing, with values sval. */
    uint32_t *srow, *sidx;
    float *sval;
} pixel_tile;

static size_t pixel_tile_make(pixel_tile *t, const sn_kernels *k, size_t m,
                              size_t cols, const uint8_t *px, float scale)
{
    const size_t cap = m * cols;
    uint32_t *idx = sn_alloc_array(cols + 16, sizeof *idx);
    float *v = sn_alloc_array(cols + 16, sizeof *v);
    float *x = sn_alloc_array(cap ? cap : 1, sizeof *x);
    t->pix = sn_alloc_array(cols + 1, sizeof *t->pix);
    t->start = sn_alloc_array(cols + 1, sizeof *t->start);
    t->row = sn_alloc_array(cap + 1, sizeof *t->row);
    t->val = sn_alloc_array(cap + 1, sizeof *t->val);
    t->srow = sn_alloc_array(m + 1, sizeof *t->srow);
    t->sidx = sn_alloc_array(cap + 1, sizeof *t->sidx);
    t->sval = sn_alloc_array(cap + 1, sizeof *t->sval);
    size_t e = 0;
    t->npix = 0;
    if (idx && v && x && t->pix && t->start && t->row && t->val && t->srow &&
        t->sidx && t->sval) {
        memset(x, 0, cap * sizeof *x);
        size_t se = 0;
        for (size_t s = 0; s < m; s++) {
            const size_t nnz = k->nonzero_u8(cols, px + s * cols, scale, idx,
                                             v, NULL);
            t->srow[s] = (uint32_t)se;
            for (size_t j = 0; j < nnz; j++) {
                x[s * cols + idx[j]] = v[j];
                t->sidx[se] = idx[j];
                t->sval[se++] = v[j];
            }
        }
        t->srow[m] = (uint32_t)se;
        for (size_t c = 0; c < cols; c++) {
            const size_t e0 = e;
            for (size_t s = 0; s < m; s++) {
                if (x[s * cols + c] != 0.0f) {
                    t->row[e] = (uint32_t)s;
                    t->val[e++] = x[s * cols + c];
                }
            }
            if (e > e0) {
                t->pix[t->npix] = (uint32_t)c;
                t->start[t->npix++] = (uint32_t)e0;
            }
        }
        t->start[t->npix] = (uint32_t)e;
    }
    sn_free(idx);
    sn_free(v);
    sn_free(x);
    if (e == 0) {
        sn_free(t->pix), sn_free(t->start), sn_free(t->row), sn_free(t->val);
        sn_free(t->srow), sn_free(t->sidx), sn_free(t->sval);
        t->pix = t->start = t->row = t->srow = t->sidx = NULL;
        t->val = t->sval = NULL;
    }
    return e;
}

/* The state loop around one call; `batch` calls per turn. */
#define LOOP(call)                                                             \
    while (gb_keep_running_batch(st, batch))                                   \
        for (int64_t i_ = 0; i_ < batch; i_++) {                               \
            call;                                                              \
        }

static void run_kernel(gb_state *st, const void *arg)
{
    const kernel_case *c = arg;
    const sn_kernels *k = c->k;
    const size_t r = c->shape.rows, cols = c->shape.cols, n = r;
    const size_t depth = c->shape.depth;
    const float scale = 1.0f / 255.0f;
    operands o = {0};
    if (operands_alloc(&o, &c->shape) != 0) {
        gb_skip_with_error(st, "out of memory for the operands");
        return;
    }
    const int optimiser = c->op == OP_adagrad || c->op == OP_sgd ||
                          c->op == OP_momentum || c->op == OP_rmsprop ||
                          c->op == OP_adam;
    const int64_t batch =
        bench_batch(cols && !optimiser ? r * cols * (depth ? depth : 1) : n);
    /* Sigmoid and tanh inputs over [-8, 8): both tails and the middle
     * (relu: half of them negative). */
    if (c->op == OP_sigmoid || c->op == OP_tanh)
        for (size_t i = 0; i < n; i++)
            o.v0[i] *= 8.0f;
    /* The zero-skipping products: A as a ReLU makes it, about half zeros
     * in no pattern (the dense gemm and gemm_tn on the same A compare). */
    if (c->op == OP_gemm_zskip || c->op == OP_gemm_tn_zskip)
        k->relu(r * (cols > depth ? cols : depth), o.v0, o.v0);
    /* The optimisers' per-thread gradient buffers: n x cols (1 or 2). */
    const float *const grads[2] = {o.v1, o.v3};
    if (optimiser && cols > 2) {
        gb_skip_with_error(st, "at most 2 gradient buffers");
        operands_free(&o);
        return;
    }
    const sn_step_hyper hyper = {.lr = 0.001f, .eps = 1e-8f, .beta1 = 0.9f,
                                 .beta2 = 0.999f, .momentum = 0.9f,
                                 .weight_decay = 0.01f, .step_size = 0.01f,
                                 .inv_bc2_sqrt = 22.4f, .nesterov = 1,
                                 .decoupled = 1};
    /* The sparse kernels run over the nonzero pixels of a row of `cols`. */
    size_t nnz = 0;
    if (c->op == OP_gemv_sparse || c->op == OP_ger_sparse ||
        c->op == OP_nonzero_u8)
        nnz = k->nonzero_u8(cols ? cols : n, o.px, scale, o.idx, o.val,
                             NULL);

    /* gemm_sparse, gemm_tn_sparse: a tile of `r` samples of `depth`
     * pixels through a panel `cols` wide. */
    pixel_tile tile = {0};
    if (c->op == OP_gemm_tn_sparse || c->op == OP_gemm_sparse) {
        nnz = pixel_tile_make(&tile, k, r, depth, o.px, scale);
        if (!nnz) {
            gb_skip_with_error(st, "out of memory for the tile");
            operands_free(&o);
            return;
        }
    }

    /* transpose, softmax: the matrix into another of its size. */
    float *out = NULL;
    if ((c->op == OP_transpose || c->op == OP_softmax) &&
        !(out = bench_floats(r * cols, 7))) {
        gb_skip_with_error(st, "out of memory for the output matrix");
        operands_free(&o);
        return;
    }

    switch (c->op) {
    case OP_sigmoid: LOOP(k->sigmoid(n, o.v0, o.v1)) break;
    case OP_gemv: LOOP(k->gemv(r, cols, o.mat, o.v0, o.v1, o.v2)) break;
    case OP_gemv_u8:
        LOOP(k->gemv_u8(r, cols, o.mat, o.px, scale, o.v1, o.v2)) break;
    case OP_gemv_t: LOOP(k->gemv_t(r, cols, o.mat, o.v0, o.v2)) break;
    case OP_ger: LOOP(k->ger(r, cols, o.v0, o.v1, o.mat)) break;
    case OP_ger_u8: LOOP(k->ger_u8(r, cols, o.v0, o.px, scale, o.mat)) break;
    case OP_nonzero_u8:
        LOOP(k->nonzero_u8(n, o.px, scale, o.idx, o.val, NULL)) break;
    case OP_gemv_sparse:
        LOOP(k->gemv_sparse(r, nnz, o.idx, o.val, o.mat, o.v1, o.v2)) break;
    case OP_ger_sparse:
        LOOP(k->ger_sparse(r, nnz, o.idx, o.val, o.v0, o.mat)) break;
    case OP_gemm:
        LOOP(k->gemm(r, cols, depth, o.v0, o.v1, o.v2, o.mat)) break;
    case OP_gemm_tn: LOOP(k->gemm_tn(r, cols, depth, o.v0, o.v1, o.mat)) break;
    case OP_gemm_zskip:
        LOOP(k->gemm_zskip(r, cols, depth, o.v0, o.v1, o.v2, o.mat)) break;
    case OP_gemm_tn_zskip:
        LOOP(k->gemm_tn_zskip(r, cols, depth, o.v0, o.v1, o.mat)) break;
    case OP_sigmoid_backward:
        LOOP(k->sigmoid_backward(n, o.v0, o.v2, o.v1)) break;
    case OP_vadd: LOOP(k->vadd(n, o.v0, o.v1)) break;
    case OP_adagrad:
        LOOP(k->adagrad(n, o.v0, o.v2, cols, grads, 0.01f, 0.1f, 1e-8f)) break;
    case OP_sgd: LOOP(k->sgd(n, o.v0, cols, grads, 0.01f, 0.1f)) break;
    case OP_relu: LOOP(k->relu(n, o.v0, o.v1)) break;
    case OP_relu_backward: LOOP(k->relu_backward(n, o.v0, o.v1, o.v2)) break;
    case OP_tanh: LOOP(k->tanh(n, o.v0, o.v1)) break;
    case OP_tanh_backward: LOOP(k->tanh_backward(n, o.v0, o.v1, o.v2)) break;
    case OP_softmax: LOOP(k->softmax(r, cols, o.mat, out, o.v0)) break;
    case OP_delta_onehot:
        LOOP(k->delta_onehot(n, o.v2, (unsigned)(n / 2), 2.0f, o.v1)) break;
    /* The optimizer steps with torch's defaults and weight decay on (the
     * extra multiply-add per parameter): p in v0, the state in v2 (and
     * Adam's first moment in mat). */
    case OP_momentum:
        LOOP(k->momentum(n, o.v0, o.v2, cols, grads, 0.01f, &hyper)) break;
    case OP_rmsprop:
        LOOP(k->rmsprop(n, o.v0, o.v2, cols, grads, 0.01f, &hyper)) break;
    case OP_adam:
        LOOP(k->adam(n, o.v0, o.mat, o.v2, cols, grads, 0.01f, &hyper)) break;
    case OP_gemm_tn_sparse:
        LOOP(k->gemm_tn_sparse(cols, tile.npix, tile.pix, tile.start, tile.row,
                               tile.val, o.v0, sn_pad_floats(cols), o.mat,
                               sn_pad_floats(cols))) break;
    case OP_gemm_sparse:
        LOOP(k->gemm_sparse(cols, r, tile.srow, tile.sidx, tile.sval, o.mat,
                            sn_pad_floats(cols), o.v1, o.v0, cols)) break;
    case OP_transpose:
        LOOP(k->transpose(r, cols, o.mat, 0, r, out)) break;
    case OP_COUNT: break;
    }
    bench_report(st, bench_op_work(op_names[c->op], &c->shape, nnz),
                 bench_peak(c->isa));
    sn_free(tile.pix), sn_free(tile.start), sn_free(tile.row),
        sn_free(tile.val), sn_free(tile.srow), sn_free(tile.sidx),
        sn_free(tile.sval), sn_free(out);
    operands_free(&o);
}

/* Registers every op of every ISA this CPU runs; says which it skips. */
static kernel_case *register_kernels(size_t *ncases)
{
    size_t cap = 0;
    for (int op = 0; op < OP_COUNT; op++) {
        const bench_shape *s = bench_shapes(op_names[op]);
        while (s && s->rows) {
            cap++;
            s++;
        }
    }
    cap *= SN_ISA_COUNT;
    kernel_case *cases = calloc(cap ? cap : 1, sizeof *cases);
    if (!cases)
        return NULL;

    char skipped[256] = "";
    size_t n = 0;
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa isa = (sn_isa)i;
        const sn_kernels *k = sn_kernels_get_built(isa);
        if (!k)
            continue;
        if (!sn_isa_supported(isa)) {
            fprintf(stderr, "bench_kernels: skipping the %s kernels: this CPU "
                            "cannot run them (it has: %s)\n",
                    sn_isa_name(isa), sn_cpu_features());
            size_t len = strlen(skipped);
            snprintf(skipped + len, sizeof skipped - len, "%s%s",
                     len ? ", " : "", sn_isa_name(isa));
            continue;
        }
        for (int op = 0; op < OP_COUNT; op++) {
            const bench_shape *s = bench_shapes(op_names[op]);
            for (; s && s->rows; s++) {
                kernel_case *c = &cases[n++];
                *c = (kernel_case){(kernel_op)op, isa, k, *s};
                char shape[32], name[128];
                bench_shape_name(s, shape, sizeof shape);
                snprintf(name, sizeof name, "%s/%s/%s", op_names[op],
                         sn_isa_name(isa), shape);
                gb_register(name, run_kernel, c);
            }
        }
    }
    for (int op = 0; op < OP_COUNT; op++) {
        if (!bench_shapes(op_names[op]))
            fprintf(stderr, "bench_kernels: kernel op '%s' has no shapes in "
                            "bench/bench_shapes.c: not benchmarked\n",
                    op_names[op]);
    }
    gb_add_context("simdnet_isas_skipped", skipped[0] ? skipped : "none");
    *ncases = n;
    return cases;
}

/* FMA peak per ISA, as a benchmark of its own: peak/<isa>/fp32. Every
 * ISA does the same 1.5 MFLOP per call (a multiple of each loop's FLOP per
 * round), so that their times compare like those of a kernel. */
static void run_peak(gb_state *st, const void *arg)
{
    const sn_isa isa = *(const sn_isa *)arg;
    const double per_call = 1536.0 * 1024.0;
    const uint64_t rounds = (uint64_t)(per_call / sn_peak_loop(isa, 1));
    const double flops = sn_peak_loop(isa, rounds);
    while (gb_keep_running_batch(st, 1))
        sn_peak_loop(isa, rounds);
    /* items: multiply-adds, as for the matrix kernels */
    bench_report(st, (bench_work){flops / 2.0, 0.0, flops}, bench_peak(isa));
}

static void register_peaks(void)
{
    static sn_isa isas[SN_ISA_COUNT];
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        isas[i] = (sn_isa)i;
        if (!sn_isa_supported(isas[i]))
            continue;
        char name[64];
        snprintf(name, sizeof name, "peak/%s/fp32", sn_isa_name(isas[i]));
        gb_register(name, run_peak, &isas[i]);
    }
}

/* The memory roofs, one benchmark per level: bandwidth/<isa>/L1 ... DRAM,
 * one thread reading every byte of a working set sized for that level
 * (sn_bandwidth_working_set) with the ISA's loads, once per call. A
 * memory-bound kernel's bytes_per_second reads against the row of its ISA
 * and of the level its operands sit in. */
typedef struct roof_case {
    sn_isa isa;
    sn_mem_level level;
} roof_case;

static void run_roof(gb_state *st, const void *arg)
{
    const roof_case *c = arg;
    const size_t bytes = sn_bandwidth_working_set(c->level, 1);
    unsigned char *buf = sn_alloc_array(bytes, 1);
    if (!buf) {
        gb_skip_with_error(st, "out of memory for the working set");
        return;
    }
    for (size_t i = 0; i < bytes; i++) /* mapped pages, not the zero page */
        buf[i] = (unsigned char)(i * 131u + 7u);
    uint64_t sum = sn_bandwidth_loop(c->isa, buf, bytes);
    const int64_t batch = bench_batch(bytes / 64);
    while (gb_keep_running_batch(st, batch))
        for (int64_t i = 0; i < batch; i++)
            sum += sn_bandwidth_loop(c->isa, buf, bytes);
    roof_sink = sum;
    bench_report(st, (bench_work){(double)bytes, (double)bytes, 0.0}, 0.0);
    const double secs = gb_loop_cpu_seconds(st);
    if (secs > 0.0)
        gb_set_counter(st, "GB/s",
                       (double)bytes * (double)gb_iterations(st) / secs * 1e-9,
                       GB_COUNTER_PLAIN);
    char label[48];
    snprintf(label, sizeof label, "%zu KiB working set", bytes / 1024);
    gb_set_label(st, label);
    sn_free(buf);
}

static void register_roofs(void)
{
    static roof_case cases[SN_ISA_COUNT][SN_MEM_LEVELS];
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        if (!sn_isa_supported((sn_isa)i))
            continue;
        for (int l = 0; l < SN_MEM_LEVELS; l++) {
            roof_case *c = &cases[i][l];
            *c = (roof_case){(sn_isa)i, (sn_mem_level)l};
            char name[64];
            snprintf(name, sizeof name, "bandwidth/%s/%s",
                     sn_isa_name(c->isa), sn_mem_level_name(c->level));
            gb_register(name, run_roof, c);
        }
    }
    for (int l = 0; l < SN_MEM_LEVELS; l++) {
        char key[64], value[32];
        snprintf(key, sizeof key, "simdnet_roof_%s_bytes",
                 sn_mem_level_name((sn_mem_level)l));
        snprintf(value, sizeof value, "%zu",
                 sn_bandwidth_working_set((sn_mem_level)l, 1));
        gb_add_context(key, value);
    }
}

int main(int argc, char **argv)
{
    gb_add_context("simdnet_version", SN_VERSION_STRING);
    gb_add_context("simdnet_commit", SN_BENCH_COMMIT);
    gb_add_context("simdnet_compiler", SN_BENCH_COMPILER);
    gb_add_context("simdnet_flags", SN_BENCH_FLAGS);
    gb_add_context("simdnet_cpu", sn_cpu_model());
    gb_add_context("simdnet_cpu_features", sn_cpu_features());
    gb_add_context("simdnet_pixels", "81% exact zeros, like MNIST");
    bench_measure_peaks();

    register_peaks();
    register_roofs();
    size_t ncases = 0;
    kernel_case *cases = register_kernels(&ncases);
    if (!cases) {
        fprintf(stderr, "bench_kernels: out of memory\n");
        return 1;
    }
    bench_register_libm();
#if SN_BENCH_OPENBLAS
    bench_register_openblas();
#else
    gb_add_context("openblas", "not built (meson option -Dopenblas)");
#endif
    const int rc = gb_main(argc, argv);
    free(cases);
    return rc;
}
