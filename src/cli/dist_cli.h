/*
 * dist_cli.h - `mpirun -np N simdnet train|bench`: the command line's side
 * of a run over several ranks (dist_cli.c, over src/dist). Without MPI in
 * the build, or outside mpirun, every function is a no-op that leaves a
 * plain run exactly as it was.
 *
 * Rank 0 alone speaks and writes files. The other ranks' standard output
 * goes to /dev/null and their standard error to a private temporary file:
 * when such a rank fails, its own words are sent to rank 0, which prints
 * them once.
 */
#ifndef SN_CLI_DIST_H
#define SN_CLI_DIST_H

#include <stdio.h>

#include "simdnet.h"

/* Joins the job (if mpirun started this process) and quiets ranks > 0.
 * Returns 0 or an exit status. */
int cli_dist_begin(const char *cmd);
/* 0 and 1 outside mpirun. */
int cli_dist_rank(void);
int cli_dist_size(void);
/* For sn_train_config.collective: NULL for one rank. */
const sn_collective *cli_dist_collective(void);
/* Every rank at the same point with its exit status so far: if any failed,
 * the lowest failing rank's message is printed once (by rank 0) and every
 * rank returns that rank's status; else 0. */
int cli_dist_agree(const char *cmd, int rc);
/* Every rank at the same point: whether `flag` is set on some rank (a
 * signal seen between batches must stop all of them, or none). */
int cli_dist_any(int flag);
/* The data and the settings that decide the arithmetic are the same on
 * every rank: the training and test sets' fingerprints (sn_dataset_crc)
 * and the thread count. Returns 0 or an exit status, agreed. */
int cli_dist_check_same(const char *cmd, const sn_dataset *train,
                        const sn_dataset *test, int threads);
/* A failure only this rank knows of while the others may be inside an
 * exchange: its message out, then the whole job ends with rc. Returns rc
 * outside mpirun. */
int cli_dist_fail_alone(int rc);
/* sn_evaluate over all ranks: rank r evaluates its contiguous share of
 * the test set and the counts are summed (integers: exact), so correct,
 * accuracy and the confusion matrix are a single process's; mean_cost is
 * the per-rank sums added in rank order, a single process's to float
 * rounding (train prints no test cost). A failure on any rank fails every
 * rank with its message. Outside mpirun, sn_evaluate. */
int cli_dist_evaluate(const sn_net *net, const sn_kernels *kernels,
                      const sn_dataset *test, int threads,
                      sn_eval_result *res, sn_error *err);
/* bench, under mpirun: after a case of `batches` batches, the time its
 * exchanges took per batch (and, the first time, what the rows mean). */
void cli_dist_bench_row(FILE *out, size_t batches);
/* The end of the command on every rank; returns rc. */
int cli_dist_end(int rc);

#endif
