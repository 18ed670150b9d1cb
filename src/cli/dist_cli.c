/* dist_cli.c - the command line under mpirun (dist_cli.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dist_cli.h"

#if SN_HAVE_MPI
#include "dist.h"

/* Ranks > 0: their standard error as it was (to pass a message on when the
 * job must end at once), and the file that now collects it. */
static int saved_stderr = -1;
static FILE *captured;

/* From the first SIGINT or SIGTERM on (in its handler): writes to standard
 * output and error that would wait are dropped instead. Open MPI's mpirun,
 * once signalled, stops reading what its ranks write; rank 0, blocked in
 * write(2) on a full pipe or pty with its progress bar or its "interrupted"
 * lines, would never reach the exchange the other ranks wait in, nor save
 * (seen with gdb). A lost line is the price; the files are written. */
static void never_wait_on_output(void)
{
    for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
        const int flags = fcntl(fd, F_GETFL);
        if (flags >= 0)
            fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
}

int cli_dist_begin(const char *cmd)
{
    sn_error err;
    if (sn_dist_init(NULL, NULL, &err) != 0) {
        cli_error(cmd, "%s", err.msg);
        return EXIT_FAIL;
    }
    if (sn_dist_size() > 1)
        cli_interrupt_on_first(never_wait_on_output);
    if (sn_dist_rank() == 0)
        return 0;
    fflush(stdout);
    fflush(stderr);
    captured = tmpfile();
    FILE *null = fopen("/dev/null", "w");
    saved_stderr = dup(STDERR_FILENO);
    if (!captured || !null || saved_stderr < 0 ||
        dup2(fileno(null), STDOUT_FILENO) < 0 ||
        dup2(fileno(captured), STDERR_FILENO) < 0) {
        cli_error(cmd, "rank %d: cannot quiet this rank's output",
                  sn_dist_rank());
        if (null)
            fclose(null);
        return EXIT_FAIL;
    }
    fclose(null);
    setvbuf(stderr, NULL, _IONBF, 0);
    return 0;
}

int cli_dist_rank(void)
{
    return sn_dist_rank();
}

int cli_dist_size(void)
{
    return sn_dist_size();
}

const sn_collective *cli_dist_collective(void)
{
    return sn_dist_collective();
}

/* What this rank wrote to its standard error since the last time, at most
 * the last len - 1 bytes, as a string; the file starts empty again. */
static void take_captured(char *buf, size_t len)
{
    buf[0] = '\0';
    if (!captured)
        return;
    fflush(stderr);
    const long end = ftell(captured);
    const long from = end > (long)len - 1 ? end - ((long)len - 1) : 0;
    if (end > 0 && fseek(captured, from, SEEK_SET) == 0) {
        const size_t got = fread(buf, 1, (size_t)(end - from), captured);
        buf[got] = '\0';
    }
    rewind(captured);
    if (ftruncate(fileno(captured), 0) != 0)
        buf[0] = '\0';
}

int cli_dist_agree(const char *cmd, int rc)
{
    if (sn_dist_size() == 1)
        return rc;
    const int first = sn_dist_first_failure(rc != 0);
    if (first < 0)
        return 0;
    /* The failing rank's status and words, to everyone; rank 0 has already
     * printed its own. */
    int status = rc;
    sn_dist_bcast(&status, sizeof status, first);
    if (first > 0) {
        char msg[2048];
        if (sn_dist_rank() == first)
            take_captured(msg, sizeof msg);
        sn_dist_bcast(msg, sizeof msg, first);
        if (sn_dist_rank() == 0) {
            fprintf(stderr, "simdnet %s: rank %d of %d failed:\n%s", cmd,
                    first, sn_dist_size(), msg[0] ? msg : "(no message)\n");
            fflush(stderr);
        }
    }
    return status;
}

int cli_dist_any(int flag)
{
    return sn_dist_first_failure(flag != 0) >= 0;
}

int cli_dist_check_same(const char *cmd, const sn_dataset *train,
                        const sn_dataset *test, int threads)
{
    const int n = sn_dist_size();
    if (n == 1)
        return 0;
    const uint32_t mine[3] = {sn_dataset_crc(train), sn_dataset_crc(test),
                              (uint32_t)threads};
    static const char *const what[3] = {"training set's fingerprint",
                                        "test set's fingerprint",
                                        "thread count"};
    uint32_t *all = malloc((size_t)n * sizeof *all);
    if (!all) {
        /* Every rank has the same n: all fail here alike. */
        cli_error(cmd, "out of memory for %d ranks", n);
        return EXIT_FAIL;
    }
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        sn_dist_allgather_u32(mine[i], all);
        if (!rc && mine[i] != all[0]) {
            cli_error(cmd, "rank %d: the %s is %s%x, rank 0's %s%x: every "
                           "rank must read the same data (a shared or "
                           "copied folder) and run the same threads",
                      sn_dist_rank(), what[i], i < 2 ? "0x" : "",
                      (unsigned)mine[i], i < 2 ? "0x" : "", (unsigned)all[0]);
            rc = EXIT_USAGE;
        }
    }
    free(all);
    return cli_dist_agree(cmd, rc);
}

int cli_dist_fail_alone(int rc)
{
    if (sn_dist_size() == 1)
        return rc;
    if (saved_stderr >= 0) {
        char msg[2048];
        take_captured(msg, sizeof msg);
        ssize_t w = write(saved_stderr, msg, strlen(msg));
        (void)w;
    }
    fflush(stdout);
    fflush(stderr);
    sn_dist_abort(rc);
    return rc;
}

int cli_dist_evaluate(const sn_net *net, const sn_kernels *kernels,
                      const sn_dataset *test, int threads,
                      sn_eval_result *res, sn_error *err)
{
    const size_t n = (size_t)sn_dist_size(), r = (size_t)sn_dist_rank();
    if (n == 1)
        return sn_evaluate(net, kernels, test, threads, res, err);
    const size_t lo = test->count * r / n, hi = test->count * (r + 1) / n;
    sn_dataset part = *test;
    part.pixels += lo * test->input_size;
    part.labels += lo;
    part.count = hi - lo;
    int failed = sn_evaluate(net, kernels, &part, threads, res, err) != 0;
    /* The counts to sum (the confusion matrix, which holds correct) in
     * MPI's 64-bit type, and every rank's cost sum. */
    const size_t cells = failed ? 0 : res->classes * res->classes;
    uint64_t *counts = failed ? NULL : calloc(cells, sizeof *counts);
    double *costs = failed ? NULL : malloc(n * sizeof *costs);
    if (!failed && (!counts || !costs)) {
        snprintf(err->msg, sizeof err->msg,
                 "out of memory for the evaluation's counts");
        failed = 1;
    }
    const int first = sn_dist_first_failure(failed);
    if (first >= 0) {
        if (!failed)
            sn_eval_free(res);
        free(counts);
        free(costs);
        char theirs[sizeof err->msg];
        memcpy(theirs, err->msg, sizeof theirs);
        sn_dist_bcast(theirs, sizeof theirs, first);
        theirs[sizeof theirs - 1] = '\0';
        if (first)
            snprintf(err->msg, sizeof err->msg, "rank %d: %.480s", first,
                     theirs);
        else
            memcpy(err->msg, theirs, sizeof theirs);
        return -1;
    }
    /* Every rank has the same network, so the same classes. */
    for (size_t c = 0; c < cells; c++)
        counts[c] = res->confusion[c];
    sn_dist_sum_u64(counts, cells);
    sn_dist_allgather_f64(res->mean_cost * (double)part.count, costs);
    res->correct = 0;
    for (size_t c = 0; c < cells; c++) {
        res->confusion[c] = (size_t)counts[c];
        if (c / res->classes == c % res->classes)
            res->correct += res->confusion[c];
    }
    res->count = test->count;
    res->accuracy = test->count ? (double)res->correct / (double)test->count
                                : 0.0;
    double cost = 0.0;
    for (size_t i = 0; i < n; i++)
        cost += costs[i];
    res->mean_cost = test->count ? cost / (double)test->count : 0.0;
    free(counts);
    free(costs);
    return 0;
}

void cli_dist_bench_row(FILE *out, size_t batches)
{
    static int said;
    sn_dist_stats st;
    sn_dist_stats_take(&st);
    if (sn_dist_size() == 1 || batches == 0)
        return;
    if (!said++)
        fprintf(out, "  (%d MPI ranks: threads are per rank, samples/s the "
                     "whole job's)\n", sn_dist_size());
    fprintf(out, "  exchange  %.1f us per batch (%zu calls, %.1f KB per "
                 "rank per batch, %d ranks)\n",
            1e6 * st.seconds / (double)batches, st.calls,
            (double)st.bytes / (double)batches / 1e3, sn_dist_size());
}

int cli_dist_end(int rc)
{
    /* No rank leaves before rank 0 has written its files: mpirun ends the
     * whole job when a rank exits non-zero (as one stopped by a signal
     * does), and would kill rank 0 in the middle of saving. */
    sn_dist_barrier();
    /* After mpirun's signal its daemons are ending the job: MPI_Finalize
     * would wait for them until their SIGKILL. The files are written;
     * leave now. */
    if (!cli_interrupt_signal())
        sn_dist_finalize();
    return rc;
}

#else /* no MPI in this build: one process, as always */

int cli_dist_begin(const char *cmd)
{
    (void)cmd;
    return 0;
}

int cli_dist_rank(void)
{
    return 0;
}

int cli_dist_size(void)
{
    return 1;
}

const sn_collective *cli_dist_collective(void)
{
    return NULL;
}

int cli_dist_agree(const char *cmd, int rc)
{
    (void)cmd;
    return rc;
}

int cli_dist_any(int flag)
{
    return flag;
}

int cli_dist_check_same(const char *cmd, const sn_dataset *train,
                        const sn_dataset *test, int threads)
{
    (void)cmd;
    (void)train;
    (void)test;
    (void)threads;
    return 0;
}

int cli_dist_fail_alone(int rc)
{
    return rc;
}

int cli_dist_evaluate(const sn_net *net, const sn_kernels *kernels,
                      const sn_dataset *test, int threads,
                      sn_eval_result *res, sn_error *err)
{
    return sn_evaluate(net, kernels, test, threads, res, err);
}

void cli_dist_bench_row(FILE *out, size_t batches)
{
    (void)out;
    (void)batches;
}

int cli_dist_end(int rc)
{
    return rc;
}

#endif
