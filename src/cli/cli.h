/* cli.h - what the simdnet commands share: errors, flag values, data. */
#ifndef SN_CLI_H
#define SN_CLI_H

#include <stdio.h>

#include "simdnet.h"

/* Exit statuses: 0 success, 1 the work failed, 2 the command line was wrong. */
enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* "simdnet <cmd>: <message>" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Fills err with a message for a CLI_LIST parser (options.h); returns -1. */
int cli_reason(sn_error *err, const char *fmt, ...) CLI_PRINTF(2, 3);

/* The library's names as option values (CLI_LIST callbacks, options.h):
 * an sn_engine_kind, an sn_optimizer. */
int cli_parse_engine(const char *value, void *engine, sn_error *err);
int cli_parse_first_layer(const char *value, void *path, sn_error *err);
int cli_parse_thread_split(const char *value, void *split, sn_error *err);
int cli_parse_optimizer(const char *value, void *optimizer, sn_error *err);

/* --data, else $SIMDNET_DATA, else ./data/mnist. */
const char *cli_data_dir(const char *flag_value);

/* Loads a split, printing a helpful error (where it looked, how to get the
 * files) on failure. */
int cli_load_split(const char *cmd, const char *dir, sn_split split,
                   unsigned max_label, sn_dataset *ds);

/* Loads both splits, as two cli_load_split calls would (the training
 * set's error first), the test set on a second thread meanwhile: on two
 * cores its inflating costs no wall time. */
int cli_load_splits(const char *cmd, const char *dir, unsigned max_label,
                    sn_dataset *train, sn_dataset *test);

/* Picks the kernels (--isa, else SIMDNET_ISA, else the best), printing the
 * error on failure. */
int cli_select_kernels(const char *cmd, const char *isa,
                       const sn_kernels **kernels);

/* Says once on stderr why the topology is unknown, if it is: then
 * sn_default_threads() is OpenMP's default, not one per core. */
void cli_topology_note(void);

/* "1.46M" style formatting of a rate. */
void cli_format_si(double v, char *buf, size_t len);

/* "32 KiB", "1 MiB"; "?" for 0 (unknown). */
void cli_format_bytes(size_t bytes, char *buf, size_t len);

/* SIGINT and SIGTERM while training (interrupt.c): the first raises a flag
 * that cli_interrupt_signal() returns (the signal number, else 0), the
 * second ends the process at once. */
void cli_interrupt_install(const char *cmd);
void cli_interrupt_restore(void);
/* What the handler says the first signal does from now on, e.g.
 * "finishing the files being written, then exiting" (a string literal). */
void cli_interrupt_note(const char *note);
int cli_interrupt_signal(void);
/* fn runs inside the handler of the first signal, before it writes
 * anything: async-signal-safe calls only (dist_cli.c: under mpirun, output
 * that can no longer block). */
void cli_interrupt_on_first(void (*fn)(void));

/* --trap-fp: SIGFPE on invalid, divide-by-zero and overflow, in this thread
 * and in an OpenMP region of `threads`; the handler says which and where. */
int cli_trap_fp_enable(const char *cmd, int threads);

int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* A one-line progress bar redrawn on a terminal, as wide as the terminal
 * at the start: the label, the bar, done/total, the mean of the costs
 * given so far and the time left. Silent when out is not a terminal. */
typedef struct cli_progress {
    FILE *out;
    int enabled;
    int width;          /* the terminal's columns */
    double last_draw;
    double start;
    double cost_sum;    /* of the updates since begin */
    size_t costs;
    const char *label;
} cli_progress;

void cli_progress_begin(cli_progress *p, FILE *out, const char *label);
void cli_progress_update(cli_progress *p, size_t done, size_t total,
                         float cost);
void cli_progress_end(cli_progress *p);
double cli_now(void);

#endif
