// gbench_shim.cc - the C++ side of gbench_shim.h: each C benchmark becomes a
// Google Benchmark lambda that hands the C function a wrapped State.
#include "gbench_shim.h"

#include <benchmark/benchmark.h>

#include <ctime>

struct gb_state {
    benchmark::State *state;
    double cpu_start;  // thread CPU seconds when the loop started
    double cpu_end;    // ... and when it ended
    bool started;
    bool ended;
};

// The clock Google Benchmark uses for its own rates (ThreadCPUUsage), so
// that our GFLOP/s agrees with its items_per_second.
static double thread_cpu_seconds()
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

extern "C" void gb_register(const char *name, gb_fn *fn, const void *arg)
{
    benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &state) {
        gb_state st = {&state, 0.0, 0.0, false, false};
        fn(&st, arg);
    });
}

extern "C" void gb_add_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

extern "C" int gb_main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

extern "C" int gb_keep_running_batch(gb_state *st, int64_t n)
{
    const bool more = st->state->KeepRunningBatch(n);
    if (!st->started) {
        st->started = true;
        st->cpu_start = thread_cpu_seconds();
    }
    if (!more && !st->ended) {
        st->ended = true;
        st->cpu_end = thread_cpu_seconds();
    }
    return more ? 1 : 0;
}

extern "C" int64_t gb_iterations(const gb_state *st)
{
    return static_cast<int64_t>(st->state->iterations());
}

extern "C" double gb_loop_cpu_seconds(const gb_state *st)
{
    return st->ended ? st->cpu_end - st->cpu_start : 0.0;
}

extern "C" void gb_set_items_processed(gb_state *st, int64_t items)
{
    st->state->SetItemsProcessed(items);
}

extern "C" void gb_set_bytes_processed(gb_state *st, int64_t bytes)
{
    st->state->SetBytesProcessed(bytes);
}

extern "C" void gb_set_counter(gb_state *st, const char *name, double value,
                               gb_counter_kind kind)
{
    benchmark::Counter::Flags flags = benchmark::Counter::kDefaults;
    if (kind == GB_COUNTER_RATE)
        flags = benchmark::Counter::kIsRate;
    else if (kind == GB_COUNTER_PER_ITER_RATE)
        flags = benchmark::Counter::kIsIterationInvariantRate;
    st->state->counters[name] = benchmark::Counter(value, flags);
}

extern "C" void gb_skip_with_error(gb_state *st, const char *msg)
{
    st->state->SkipWithError(msg);
}

extern "C" void gb_set_label(gb_state *st, const char *label)
{
    st->state->SetLabel(label);
}
