/*
 * gbench_shim.h - Google Benchmark for C.
 *
 * The benchmarks of simdnet are written in C against the kernel registry;
 * this header is all they see of Google Benchmark (gbench_shim.cc is the
 * C++ side). A benchmark is a C function that runs the state loop:
 *
 *     static void bench_thing(gb_state *st, const void *arg)
 *     {
 *         while (gb_keep_running_batch(st, 16))
 *             for (int i = 0; i < 16; i++)
 *                 thing(arg);
 *         gb_set_items_processed(st, gb_iterations(st) * items_per_call);
 *     }
 *     ...
 *     gb_register("thing/scalar/1024", bench_thing, &args);
 *     return gb_main(argc, argv);
 *
 * Google Benchmark's command line flags (--benchmark_filter,
 * --benchmark_out=FILE --benchmark_out_format=json, --benchmark_min_time,
 * --benchmark_repetitions, ...) all work, and its JSON output is unchanged.
 */
#ifndef SN_GBENCH_SHIM_H
#define SN_GBENCH_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One run of one benchmark: wraps benchmark::State. */
typedef struct gb_state gb_state;

typedef void gb_fn(gb_state *state, const void *arg);

/* Registers fn under name; arg is passed to every run and must outlive
 * gb_main. Benchmarks run in the order they are registered. */
void gb_register(const char *name, gb_fn *fn, const void *arg);

/* Adds "key": "value" to the "context" of the output (console and JSON),
 * e.g. the CPU model or the measured peak. Call before gb_main. */
void gb_add_context(const char *key, const char *value);

/* Parses Google Benchmark's flags, runs the selected benchmarks and returns
 * the exit status: 0, or 1 for an unrecognised flag. */
int gb_main(int argc, char **argv);

/* The state loop: true while the benchmark should run `n` more iterations
 * (call the code under test n times per true). A batch of n > 1 keeps the
 * cost of this call, an out-of-line call from C, out of the measurement of
 * kernels that take nanoseconds. The timer starts at the first call. */
int gb_keep_running_batch(gb_state *st, int64_t n);

/* Iterations run so far (after the loop: all of them). */
int64_t gb_iterations(const gb_state *st);

/* Thread CPU seconds between the start and the end of the state loop, the
 * time Google Benchmark itself divides by for rates. Valid after the loop. */
double gb_loop_cpu_seconds(const gb_state *st);

/* Totals for the whole loop: Google Benchmark divides them by the time to
 * report items_per_second and bytes_per_second. */
void gb_set_items_processed(gb_state *st, int64_t items);
void gb_set_bytes_processed(gb_state *st, int64_t bytes);

typedef enum gb_counter_kind {
    GB_COUNTER_PLAIN,      /* shown as given */
    GB_COUNTER_RATE,       /* divided by the loop's time: a total -> per second */
    GB_COUNTER_PER_ITER_RATE, /* a per-iteration amount -> per second */
} gb_counter_kind;

/* Sets a user counter (a column in the console, a key in the JSON). */
void gb_set_counter(gb_state *st, const char *name, double value,
                    gb_counter_kind kind);

/* Marks the run as failed with msg; the loop must not be entered (or must
 * be left at once) after this. */
void gb_skip_with_error(gb_state *st, const char *msg);

/* Text shown next to the result, e.g. "81% zero pixels". */
void gb_set_label(gb_state *st, const char *label);

#ifdef __cplusplus
}
#endif

#endif
