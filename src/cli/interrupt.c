/*
 * interrupt.c - signals during a training run, and --trap-fp.
 *
 * SIGINT and SIGTERM (unless ignored on entry, as a shell does for
 * background jobs): the first one only raises a flag, which the progress
 * callback reads after every batch, so the run stops on a batch boundary
 * with a consistent state to save; the second one ends the process at once,
 * the way an unhandled signal would (the atomic writers leave at most a
 * temporary file behind, never a half-written checkpoint or model).
 *
 * --trap-fp unmasks the invalid, divide-by-zero and overflow exceptions, so
 * the first NaN or infinity is caught where it is made rather than seen
 * batches later in the cost. The handler says which exception and where.
 */
#define _GNU_SOURCE /* feenableexcept */
#include <execinfo.h>
#include <fenv.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t stop_signal;
/* What the first signal makes the run do, as the handler says it. */
static const char *volatile stop_note =
    "finishing the current batch, then saving";
static const char *handler_cmd = "train";
static struct sigaction saved_int, saved_term;
static int installed;
static void (*volatile on_first)(void);

/* Only async-signal-safe calls from here on: write(2), not stdio. */
static void say(const char *s)
{
    ssize_t rc = write(STDERR_FILENO, s, strlen(s));
    (void)rc;
}

static void on_stop_signal(int sig)
{
    if (stop_signal) {
        say("\nsimdnet ");
        say(handler_cmd);
        say(": second signal: quitting at once, nothing more is saved\n");
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
    /* First: what follows writes, and must not wait on the writing. */
    if (on_first)
        on_first();
    say("\nsimdnet ");
    say(handler_cmd);
    say(sig == SIGINT ? ": SIGINT" : ": SIGTERM");
    say(": ");
    say(stop_note);
    say(" (again to quit at once)\n");
}

void cli_interrupt_install(const char *cmd)
{
    handler_cmd = cmd;
    stop_signal = 0;
    stop_note = "finishing the current batch, then saving";
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* A signal ignored on entry stays ignored: that is how a shell keeps
     * the Ctrl-C meant for the foreground away from background jobs. */
    sigaction(SIGINT, NULL, &saved_int);
    sigaction(SIGTERM, NULL, &saved_term);
    if (saved_int.sa_handler != SIG_IGN)
        sigaction(SIGINT, &sa, NULL);
    if (saved_term.sa_handler != SIG_IGN)
        sigaction(SIGTERM, &sa, NULL);
    installed = 1;
}

void cli_interrupt_on_first(void (*fn)(void))
{
    on_first = fn;
}

void cli_interrupt_note(const char *note)
{
    stop_note = note;
}

void cli_interrupt_restore(void)
{
    if (!installed)
        return;
    installed = 0;
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
}

int cli_interrupt_signal(void)
{
    return stop_signal;
}

/* ------------------------------------------------------------------ --trap-fp */

static const char *fpe_name(int code)
{
    switch (code) {
    case FPE_FLTINV: return "invalid operation (a NaN was made)";
    case FPE_FLTDIV: return "division by zero";
    case FPE_FLTOVF: return "overflow (a result too large for a float)";
    case FPE_FLTUND: return "underflow";
    case FPE_FLTRES: return "inexact result";
    case FPE_INTDIV: return "integer division by zero";
    default: return "floating-point exception";
    }
}

static void on_fpe(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    /* Several threads may trap at once: one reports, the others wait for
     * the re-raised signal to end the process. */
    static int reporting;
    if (__atomic_exchange_n(&reporting, 1, __ATOMIC_SEQ_CST))
        for (;;)
            pause();
    say("simdnet ");
    say(handler_cmd);
    say(": --trap-fp: ");
    say(fpe_name(info->si_code));
    say(". Where (resolve the +0x offsets with addr2line -f -e <binary>, or "
        "run under gdb):\n");
    void *frames[32];
    const int n = backtrace(frames, 32);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Unmasks the exceptions on the calling thread. */
static int unmask(void)
{
    return feenableexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW) == -1 ? -1
                                                                         : 0;
}

int cli_trap_fp_enable(const char *cmd, int threads)
{
    handler_cmd = cmd;
    /* backtrace() loads libgcc on its first call, which is not safe inside
     * a signal handler: do that first call now. */
    void *warm[1];
    (void)backtrace(warm, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGFPE, &sa, NULL) != 0) {
        cli_error(cmd, "--trap-fp: cannot install the SIGFPE handler");
        return -1;
    }
    /* The exception mask is per thread. Threads created later inherit the
     * creator's, but OpenMP may already hold a pool: unmask in each of the
     * threads of a region as large as the run's. */
    int bad = unmask();
#pragma omp parallel num_threads(threads) reduction(| : bad)
    bad |= unmask();
    if (bad) {
        cli_error(cmd, "--trap-fp: this machine cannot trap floating-point "
                       "exceptions");
        return -1;
    }
    return 0;
}
