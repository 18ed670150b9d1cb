/*
 * kernel_check - every case of kernel_cases.c for every SIMD kernel set,
 * without Criterion, so that it also runs under qemu-aarch64 (NEON).
 *
 *   kernel_check [ISA|OP]...
 *
 * With no arguments it checks every op of every ISA but scalar (the
 * oracle), and the oracle's own sigmoid and tanh accuracy; in an x86 build with
 * AVX2, also the test-only set avx512emu (the shared x86 bodies at the
 * AVX-512 width on AVX2, tests/avx512emu). Arguments restrict the run to
 * the ISAs (or avx512emu) and ops they name. Prints one line per (isa, op):
 *   PASS avx512/gemv
 *   FAIL avx2/ger_u8: <first failure> (<n> of <m> checks failed)
 *   SKIP neon/sigmoid: this binary was built without neon kernels
 * A kernel that touches memory past the end of a buffer crashes on the
 * inaccessible page that the fenced cases put there; the program then
 * prints "CRASH <isa>/<op>" and exits 1.
 * Exit status: 1 if anything failed (or an argument is unknown), 77 (the
 * "skipped" of meson and automake) if nothing could run, 0 otherwise.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel_cases.h"
#include "registry.h"
#if SN_TEST_AVX512EMU
#include "avx512emu.h"
#endif

/* The check now running and its report so far, for the crash report. */
static char running[64];
static const kc_report *running_report;

static void say(const char *text)
{
    if (write(STDOUT_FILENO, text, strlen(text)) < 0)
        _exit(1);
}

static void on_crash(int sig)
{
    /* Only async-signal-safe calls here: write and _exit. The signal comes
     * from inside a kernel, never while the report is being written. */
    (void)sig;
    say("CRASH ");
    say(running);
    say(": fatal signal (an access past the end of a buffer?)\n");
    if (running_report && running_report->failures > 0) {
        say("      it had already failed: ");
        say(running_report->first);
        say("\n");
    }
    _exit(1);
}

static void catch_crashes(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
}

typedef struct filter {
    int isa[SN_ISA_COUNT];
    int any_isa;
    int emu; /* avx512emu named */
    const char *ops[64];
    size_t nops;
} filter;

static int parse_args(int argc, char **argv, filter *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 1; i < argc; i++) {
        sn_isa isa;
        if (sn_isa_parse(argv[i], &isa, NULL) == 0) {
            f->isa[isa] = 1;
            f->any_isa = 1;
        } else if (strcmp(argv[i], "avx512emu") == 0) {
            f->emu = 1;
            f->any_isa = 1;
        } else if (kc_find_case(argv[i]) && f->nops < 64) {
            f->ops[f->nops++] = argv[i];
        } else {
            fprintf(stderr,
                    "kernel_check: '%s' is neither an ISA (scalar, avx2, "
                    "avx512, neon, avx512emu) nor a kernel op\n",
                    argv[i]);
            return -1;
        }
    }
    return 0;
}

static int wants_op(const filter *f, const char *op)
{
    if (f->nops == 0)
        return 1;
    for (size_t i = 0; i < f->nops; i++)
        if (strcmp(f->ops[i], op) == 0)
            return 1;
    return 0;
}

static int wants_isa(const filter *f, sn_isa isa)
{
    return f->any_isa ? f->isa[isa] : isa != SN_ISA_SCALAR;
}

typedef struct tally {
    int pass, fail, skip;
} tally;

static void print_result(tally *t, const char *isa, const char *op,
                         const kc_report *rep)
{
    if (rep->failures == 0) {
        printf("PASS %s/%s (%zu checks)\n", isa, op, rep->checks);
        t->pass++;
    } else {
        printf("FAIL %s/%s: %s (%zu of %zu checks failed)\n", isa, op,
               rep->first, rep->failures, rep->checks);
        t->fail++;
    }
}

/* The measured accuracy, for the record (docs/kernels.md quotes it). */
static void print_sigmoid_error(const sn_kernels *k)
{
    kc_sigmoid_error e;
    kc_sigmoid_sweep(k, -20.0f, 20.0f, (1u << 22) + 1, &e);
    printf("     %s/sigmoid: max |error| vs double over [-20, 20] "
           "(%zu points) = %.3g at x = %.9g\n",
           k->isa_name, e.points, e.max_abs, (double)e.worst_x);
}

static void print_tanh_error(const sn_kernels *k)
{
    kc_tanh_error e;
    kc_tanh_sweep(k, -10.0f, 10.0f, (1u << 22) + 1, &e);
    printf("     %s/tanh: max |error| vs double over [-10, 10] (%zu points) = "
           "%.3g at x = %.9g, max relative error %.3g at x = %.9g\n",
           k->isa_name, e.points, e.max_abs, (double)e.worst_abs_x, e.max_rel,
           (double)e.worst_rel_x);
}

/* The ops with an accuracy bar against double precision: the check (run
 * on the oracle itself here; each set's own check includes it) and the
 * measured error, printed after the op's result. */
static const struct {
    const char *op;
    kc_check_fn *check;
    void (*print)(const sn_kernels *k);
} accuracy[] = {
    {"sigmoid", kc_check_sigmoid_accuracy, print_sigmoid_error},
    {"tanh", kc_check_tanh_accuracy, print_tanh_error},
};

/* Every wanted op of kernel set k (named name), or a SKIP line each with
 * the reason skip if it is not NULL. */
static void check_set(tally *t, const filter *f, const char *name,
                      const sn_kernels *k, const char *skip)
{
    for (size_t c = 0; c < kc_ncases; c++) {
        const char *op = kc_cases[c].op;
        if (!wants_op(f, op))
            continue;
        if (skip) {
            printf("SKIP %s/%s: %s\n", name, op, skip);
            t->skip++;
            continue;
        }
        kc_report rep;
        snprintf(running, sizeof running, "%s/%s", name, op);
        running_report = &rep;
        kc_cases[c].check(k, &rep);
        print_result(t, name, op, &rep);
        for (size_t a = 0; a < sizeof accuracy / sizeof accuracy[0]; a++)
            if (strcmp(op, accuracy[a].op) == 0)
                accuracy[a].print(k);
    }
}

int main(int argc, char **argv)
{
    filter f;
    if (parse_args(argc, argv, &f) != 0)
        return 1;
    tally t = {0, 0, 0};
    catch_crashes();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("kernel_check: cpu %s (%s)\n", sn_cpu_model(), sn_cpu_features());

    /* The oracle itself: its sigmoid and tanh meet the same absolute bars. */
    if (!f.any_isa || f.isa[SN_ISA_SCALAR]) {
        for (size_t a = 0; a < sizeof accuracy / sizeof accuracy[0]; a++) {
            if (!wants_op(&f, accuracy[a].op))
                continue;
            const sn_kernels *scalar = sn_kernels_get_built(SN_ISA_SCALAR);
            kc_report rep;
            char name[48];
            snprintf(name, sizeof name, "%s_accuracy", accuracy[a].op);
            snprintf(running, sizeof running, "scalar/%s", name);
            accuracy[a].check(scalar, &rep);
            print_result(&t, "scalar", name, &rep);
            accuracy[a].print(scalar);
        }
    }

    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa isa = (sn_isa)i;
        if (isa == SN_ISA_SCALAR || !wants_isa(&f, isa))
            continue;
        const char *name = sn_isa_name(isa);
        const sn_kernels *k = sn_kernels_get_built(isa);
        char skip[128];
        if (!k)
            snprintf(skip, sizeof skip, "this binary was built without %s kernels", name);
        else if (!sn_isa_supported(isa))
            snprintf(skip, sizeof skip, "this CPU cannot run %s kernels", name);
        check_set(&t, &f, name, k, k && sn_isa_supported(isa) ? NULL : skip);
    }
#if SN_TEST_AVX512EMU
    if (!f.any_isa || f.emu)
        check_set(&t, &f, "avx512emu", &sn_kernels_avx512emu,
                  sn_isa_supported(SN_ISA_AVX2)
                      ? NULL
                      : "this CPU cannot run AVX2, which avx512emu is built of");
#endif

    printf("kernel_check: %d passed, %d failed, %d skipped\n", t.pass, t.fail,
           t.skip);
    if (t.fail > 0)
        return 1;
    return t.pass > 0 ? 0 : 77;
}
