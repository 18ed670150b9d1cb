/* bench_peers.h - the same operations from other libraries, benchmarked
 * under the same names and shapes as simdnet's kernels with the library as
 * the ISA (gemv/openblas/32x784, sigmoid/libm/4096), so that a ratio can
 * be read off one run. */
#ifndef SN_BENCH_PEERS_H
#define SN_BENCH_PEERS_H

/* A plain libm expf sigmoid, 1 / (1 + expf(-x)), element by element. */
void bench_register_libm(void);

/* OpenBLAS: cblas_sgemv (gemv, gemv_t), cblas_sger (ger), and cblas_sgemm
 * at the shapes a blocked engine would use (sgemm_nt, sgemm_tn). Built
 * with the meson option `openblas` (SN_BENCH_OPENBLAS). */
void bench_register_openblas(void);

#endif
