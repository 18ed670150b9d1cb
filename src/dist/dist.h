/*
 * dist.h - one training run over several processes with MPI (built only
 * with -Dmpi; see docs/mpi.md). The core knows nothing of MPI: it takes an
 * sn_collective (simdnet.h) whose allgather this file provides, and moves
 * bytes only, so N ranks of T threads train the model one process of N*T
 * threads trains, bit for bit. Here too: who the ranks are, agreeing on
 * errors, and the time spent exchanging.
 */
#ifndef SN_DIST_H
#define SN_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "simdnet.h"

/* Starts MPI if an MPI launcher (mpirun, srun) started this process, else
 * does nothing: a plain run never touches MPI. Returns 0, or -1 with a
 * message in err. */
int sn_dist_init(int *argc, char ***argv, sn_error *err);
/* This process's rank and the number of ranks: 0 and 1 without MPI. */
int sn_dist_rank(void);
int sn_dist_size(void);
/* The collective over MPI_COMM_WORLD for sn_train_config.collective; NULL
 * for a run of one rank (which then is exactly a plain run). */
const sn_collective *sn_dist_collective(void);

/* Every rank calls it at the same point: the lowest rank whose `failed` is
 * non-zero, or -1 if none. */
int sn_dist_first_failure(int failed);
/* Rank root's `bytes` at buf to every rank. */
void sn_dist_bcast(void *buf, size_t bytes, int root);
/* Every rank's v into all[0 .. size-1]. */
void sn_dist_allgather_u32(uint32_t v, uint32_t *all);
void sn_dist_allgather_f64(double v, double *all);
/* buf[0 .. n-1] summed over the ranks, in place on every rank: integers,
 * so the sum does not depend on MPI's order. */
void sn_dist_sum_u64(uint64_t *buf, size_t n);

/* Seconds, calls and bytes (this rank's part) of the collective's
 * exchanges since the last reset: for bench. */
typedef struct sn_dist_stats {
    double seconds;
    size_t calls;
    size_t bytes;
} sn_dist_stats;
void sn_dist_stats_take(sn_dist_stats *s); /* and resets them */
/* A barrier (bench: every rank starts timing together). */
void sn_dist_barrier(void);

/* Ends the whole job with `code`, from one rank whose failure the others
 * cannot see (they may be inside an exchange). */
void sn_dist_abort(int code);
/* The end of a run: MPI_Finalize when MPI was started. */
void sn_dist_finalize(void);

#endif
