/*
 * dist.c - MPI for dist.h. Only the bytes of the trainer's buffers travel
 * (MPI_Allgather, in place); no float is ever added by MPI, whose
 * reduction order is its own. MPI's default error handler
 * (MPI_ERRORS_ARE_FATAL) stays: a rank that dies ends the job through
 * mpirun rather than leaving the others waiting.
 */
#include <limits.h>
#include <stdlib.h>
#include <mpi.h>

#include "dist.h"
#include "error.h"

static int started, rank, size = 1;
static sn_dist_stats stats;
static MPI_Datatype line_type; /* 64 bytes: every exchanged buffer's unit */

static int allgather(void *user, void *buf, size_t count)
{
    (void)user;
    /* The trainer's buffers are whole cache lines; counting in lines keeps
     * MPI's int count good to 128 GB per rank. */
    MPI_Datatype type = count % 64 == 0 ? line_type : MPI_BYTE;
    const size_t units = count % 64 == 0 ? count / 64 : count;
    if (units > INT_MAX)
        return -1;
    const double t0 = MPI_Wtime();
    const int rc = MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf,
                                 (int)units, type, MPI_COMM_WORLD);
    stats.seconds += MPI_Wtime() - t0;
    stats.calls++;
    stats.bytes += count;
    return rc == MPI_SUCCESS ? 0 : -1;
}

static sn_collective world;

/* Environment variables that MPI launchers set in the processes they start
 * (Open MPI, PMIx, MPICH's Hydra and Slurm's PMI). */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                       "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        if (getenv(vars[i]))
            return 1;
    }
    return 0;
}

int sn_dist_init(int *argc, char ***argv, sn_error *err)
{
    if (started || !launched_by_mpi())
        return 0;
    /* Only the calling thread of each rank talks to MPI (the trainer's
     * thread 0, between barriers). */
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS)
        return sn_set_error(err, "MPI_Init_thread failed");
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Type_contiguous(64, MPI_BYTE, &line_type);
    MPI_Type_commit(&line_type);
    world = (sn_collective){.ranks = size, .rank = rank,
                            .allgather = allgather, .user = NULL};
    return 0;
}

int sn_dist_rank(void)
{
    return rank;
}

int sn_dist_size(void)
{
    return size;
}

const sn_collective *sn_dist_collective(void)
{
    return size > 1 ? &world : NULL;
}

int sn_dist_first_failure(int failed)
{
    if (size == 1)
        return failed ? 0 : -1;
    int mine = failed ? rank : size, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return first < size ? first : -1;
}

void sn_dist_bcast(void *buf, size_t bytes, int root)
{
    if (size > 1)
        MPI_Bcast(buf, (int)bytes, MPI_BYTE, root, MPI_COMM_WORLD);
}

void sn_dist_allgather_u32(uint32_t v, uint32_t *all)
{
    if (size == 1) {
        all[0] = v;
        return;
    }
    MPI_Allgather(&v, 1, MPI_UINT32_T, all, 1, MPI_UINT32_T, MPI_COMM_WORLD);
}

void sn_dist_allgather_f64(double v, double *all)
{
    if (size == 1) {
        all[0] = v;
        return;
    }
    MPI_Allgather(&v, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, MPI_COMM_WORLD);
}

void sn_dist_sum_u64(uint64_t *buf, size_t n)
{
    /* In pieces that MPI's int count can hold. */
    for (size_t i = 0; size > 1 && i < n; i += INT_MAX) {
        const size_t part = n - i < INT_MAX ? n - i : INT_MAX;
        MPI_Allreduce(MPI_IN_PLACE, buf + i, (int)part, MPI_UINT64_T,
                      MPI_SUM, MPI_COMM_WORLD);
    }
}

void sn_dist_stats_take(sn_dist_stats *s)
{
    *s = stats;
    stats = (sn_dist_stats){0};
}

void sn_dist_barrier(void)
{
    if (size > 1)
        MPI_Barrier(MPI_COMM_WORLD);
}

void sn_dist_abort(int code)
{
    if (size > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
}

void sn_dist_finalize(void)
{
    if (!started)
        return;
    MPI_Type_free(&line_type);
    MPI_Finalize();
    started = 0;
}
