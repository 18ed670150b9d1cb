/*
 * bench_util.h - what the kernel benchmarks share: test data, the measured
 * peak, and the counters every benchmark reports.
 */
#ifndef SN_BENCH_UTIL_H
#define SN_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "gbench_shim.h"
#include "simdnet.h"

/* The work of one call of a kernel, by the model of its arithmetic and of
 * the bytes it must read and write (every operand once). flops is 0 for a
 * kernel whose cost is not multiply-adds (sigmoid, AdaGrad's sqrt). */
typedef struct bench_work {
    double items;  /* elements of the operand that sets the size */
    double bytes;
    double flops;
} bench_work;

/* A shape: rows x cols for a matrix kernel; for a vector kernel (cols 0)
 * rows is its length; m x n x k (rows x cols x depth) for a matrix
 * product; for the optimisers, parameters x gradient buffers. sweep: 1 for the size sweep, 0 for a shape of the reference
 * network 784-32-32-10. Lists end with rows == 0. */
typedef struct bench_shape {
    size_t rows, cols, depth;
    int sweep;
} bench_shape;

/* The shapes an operation is benchmarked at ("gemv", "sigmoid", ...), the
 * same for every ISA and peer so that their results pair up; NULL for an
 * operation with no shapes yet. */
const bench_shape *bench_shapes(const char *op);

/* "32x784", "100x32x784" or "26506". For the sparse kernels (gemv_sparse, ger_sparse)
 * rows x cols is m x the dense input size: they run over the nonzero inputs
 * of `cols` pixels with MNIST's sparsity. */
void bench_shape_name(const bench_shape *s, char *buf, size_t len);

/* The work of one call of op at shape s; nnz is the number of nonzero
 * inputs, for the sparse kernels (ignored by the others). */
bench_work bench_op_work(const char *op, const bench_shape *s, size_t nnz);

/* Reports, after the state loop: items_per_second, bytes_per_second, and
 * where flops > 0, GFLOP/s and %peak (of peak_flops, the FLOP/s of the
 * kernel's ISA measured on this machine; 0 if unknown). */
void bench_report(gb_state *st, bench_work per_call, double peak_flops);

/* Calls per turn of the state loop, so that one turn takes at least about
 * a microsecond: a kernel of `elements` elements may take nanoseconds. */
int64_t bench_batch(size_t elements);

/* Zeroed-then-filled, 64-byte aligned buffers from a fixed seed; free with
 * sn_free (alloc.h). NULL if memory is short. */
float *bench_floats(size_t n, uint64_t seed);       /* uniform [-1, 1) */
float *bench_positive(size_t n, uint64_t seed);     /* uniform [0, 1) */
/* Pixels like MNIST's: 81% exact zeros, the rest uniform 1..255. */
uint8_t *bench_pixels(size_t n, uint64_t seed);

/* The single-core peak of isa (FLOP/s), measured once at start-up by
 * bench_measure_peaks and shown in the output's context. */
void bench_measure_peaks(void);
double bench_peak(sn_isa isa);

#endif
