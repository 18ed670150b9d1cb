/*
 * topology.c - physical cores, caches and thread binding, from hwloc.
 *
 * The topology is read once. A "core" here is a physical core with at
 * least one hardware thread (PU) in the process's CPU binding, so that
 * `taskset -c 0 simdnet ...` or a cgroup limit gives one core, and two
 * hyperthreads of one core are never counted as two cores. Binding puts one
 * OpenMP thread on each such core, on all of its permitted PUs.
 *
 * When hwloc cannot read the topology (some containers and sandboxes),
 * nothing fails: the counts fall back to OpenMP's default and a note says
 * so, for the caller to print once.
 */
#include <errno.h>
#include <hwloc.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "simdnet.h"

typedef struct topology_state {
    sn_topology pub;
    hwloc_topology_t topo;   /* NULL if hwloc failed */
    hwloc_bitmap_t *core_sets; /* per core: its PUs within the process's set */
    unsigned *core_ids;      /* per core: hwloc's logical index, for messages */
    int nsets;               /* entries of core_sets filled so far */
    int can_bind;            /* the OS lets a thread bind itself */
} topology_state;

static topology_state state;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void fall_back(const char *why)
{
    const int n = omp_get_max_threads();
    state.pub.from_hwloc = 0;
    state.pub.cores = n;
    state.pub.pus = n;
    snprintf(state.pub.note, sizeof state.pub.note,
             "hwloc could not read the CPU topology (%s): using OpenMP's "
             "default of %d threads, without binding", why, n);
}

/* Size of the first cache of this type that serves the process's PUs. */
static size_t cache_size(hwloc_topology_t topo, hwloc_obj_type_t type,
                         hwloc_const_cpuset_t allowed)
{
    hwloc_obj_t obj = NULL;
    while ((obj = hwloc_get_next_obj_by_type(topo, type, obj)) != NULL) {
        if (obj->attr && hwloc_bitmap_intersects(obj->cpuset, allowed))
            return (size_t)obj->attr->cache.size;
    }
    return 0;
}

static int read_topology(hwloc_topology_t topo, hwloc_cpuset_t allowed)
{
    /* The process's binding, limited to what the topology knows as usable
     * (cgroups); if the OS will not say, every PU of the topology. */
    if (hwloc_get_cpubind(topo, allowed, HWLOC_CPUBIND_PROCESS) != 0)
        hwloc_bitmap_copy(allowed, hwloc_topology_get_allowed_cpuset(topo));
    hwloc_bitmap_and(allowed, allowed, hwloc_topology_get_allowed_cpuset(topo));
    const int pus = hwloc_bitmap_weight(allowed);
    if (pus <= 0)
        return -1;

    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    /* Some virtual machines report PUs but no cores: then each PU is one. */
    const hwloc_obj_type_t unit = ncores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    if (ncores <= 0)
        ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    state.core_sets = calloc((size_t)ncores, sizeof *state.core_sets);
    state.core_ids = calloc((size_t)ncores, sizeof *state.core_ids);
    if (!state.core_sets || !state.core_ids)
        return -1;
    int cores = 0;
    hwloc_obj_t obj = NULL;
    while ((obj = hwloc_get_next_obj_by_type(topo, unit, obj)) != NULL &&
           cores < ncores) {
        if (!hwloc_bitmap_intersects(obj->cpuset, allowed))
            continue;
        hwloc_bitmap_t set = hwloc_bitmap_dup(obj->cpuset);
        if (!set)
            return -1;
        hwloc_bitmap_and(set, set, allowed);
        state.core_ids[cores] = obj->logical_index;
        state.core_sets[cores++] = set;
        state.nsets = cores;
    }
    if (cores == 0)
        return -1;

    state.pub.from_hwloc = 1;
    state.pub.cores = cores;
    state.pub.pus = pus;
    state.pub.l1d = cache_size(topo, HWLOC_OBJ_L1CACHE, allowed);
    state.pub.l2 = cache_size(topo, HWLOC_OBJ_L2CACHE, allowed);
    state.pub.l3 = cache_size(topo, HWLOC_OBJ_L3CACHE, allowed);
    const struct hwloc_topology_support *sup = hwloc_topology_get_support(topo);
    state.can_bind = sup && sup->cpubind && sup->cpubind->set_thisthread_cpubind;
    return 0;
}

static void load_topology(void)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) {
        fall_back(strerror(errno));
        return;
    }
    /* Cores and caches are all we need: skip devices and instruction caches,
     * which also makes loading faster. */
    hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
    if (hwloc_topology_load(topo) != 0) {
        fall_back(strerror(errno));
        hwloc_topology_destroy(topo);
        return;
    }
    hwloc_cpuset_t allowed = hwloc_bitmap_alloc();
    if (!allowed || read_topology(topo, allowed) != 0) {
        hwloc_bitmap_free(allowed);
        for (int i = 0; state.core_sets && i < state.nsets; i++)
            hwloc_bitmap_free(state.core_sets[i]);
        free(state.core_sets);
        free(state.core_ids);
        state.core_sets = NULL;
        state.core_ids = NULL;
        hwloc_topology_destroy(topo);
        fall_back("no usable core in the process's CPU set");
        return;
    }
    hwloc_bitmap_free(allowed);
    state.topo = topo;
}

const sn_topology *sn_topology_get(void)
{
    pthread_once(&once, load_topology);
    return &state.pub;
}

int sn_default_threads(void)
{
    return sn_topology_get()->cores;
}

void sn_bind_describe(int threads, char *buf, size_t len)
{
    const sn_topology *t = sn_topology_get();
    if (len == 0)
        return;
    buf[0] = '\0';
    if (!t->from_hwloc) {
        snprintf(buf, len, "none (topology unknown)");
        return;
    }
    size_t used = 0;
    for (int i = 0; i < threads && used + 1 < len; i++) {
        char pus[64];
        const int core = i % t->cores;
        hwloc_bitmap_list_snprintf(pus, sizeof pus, state.core_sets[core]);
        int n = snprintf(buf + used, len - used, "%sthread %d -> core %u (PU %s)",
                         i ? ", " : "", i, state.core_ids[core], pus);
        if (n < 0)
            break;
        used += (size_t)n < len - used ? (size_t)n : len - used - 1;
    }
    if (threads > t->cores && used + 1 < len)
        snprintf(buf + used, len - used, "; %d threads share %d cores",
                 threads, t->cores);
}

int sn_bind_threads(int threads, sn_error *err)
{
    const sn_topology *t = sn_topology_get();
    if (threads < 1)
        return sn_set_error(err, "cannot bind %d threads", threads);
    if (!t->from_hwloc)
        return sn_set_error(err, "cannot bind threads: %s", t->note);
    if (!state.can_bind)
        return sn_set_error(err, "cannot bind threads: this OS does not let "
                                 "a thread bind itself to cores");
    int failed_errno = 0, got = threads;
#pragma omp parallel num_threads(threads)
    {
        const int id = omp_get_thread_num();
        if (id == 0)
            got = omp_get_num_threads();
        if (hwloc_set_cpubind(state.topo, state.core_sets[id % t->cores],
                              HWLOC_CPUBIND_THREAD) != 0) {
#pragma omp critical(sn_bind_error)
            failed_errno = errno ? errno : EINVAL;
        }
    }
    if (failed_errno)
        return sn_set_error(err, "cannot bind threads to cores: %s",
                            strerror(failed_errno));
    if (got != threads)
        return sn_set_error(err, "OpenMP gave %d threads instead of %d, so "
                                 "the binding would not hold (OMP_DYNAMIC?)",
                            got, threads);
    return 0;
}
