/* args.c - strict flag values, data and kernel lookup for the commands. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "simdnet %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
    if (c == ':')
        cli_error(cmd, "%s needs a value", argv[optind - 1]);
    else
        cli_error(cmd, "unknown option '%s' (see simdnet %s --help)",
                  argv[optind - 1], cmd);
    return -1;
}

int cli_no_operands(const char *cmd, int argc, char **argv)
{
    if (optind < argc) {
        cli_error(cmd, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    return 0;
}

int cli_parse_long(const char *cmd, const char *flag, const char *text,
                   long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno == ERANGE || v < min ||
        v > max) {
        cli_error(cmd, "%s: expected an integer from %ld to %ld, got '%s'",
                  flag, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_u64(const char *cmd, const char *flag, const char *text,
                  unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno == ERANGE) {
        cli_error(cmd, "%s: expected a non-negative integer below 2^64, "
                       "got '%s'", flag, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_float(const char *cmd, const char *flag, const char *text,
                    double min, double max, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !isfinite(v) || v < min || v > max) {
        cli_error(cmd, "%s: expected a number from %g to %g, got '%s'", flag,
                  min, max, text);
        return -1;
    }
    *out = (float)v;
    return 0;
}

const char *cli_data_dir(const char *flag_value)
{
    if (flag_value)
        return flag_value;
    const char *env = getenv("SIMDNET_DATA");
    return env && *env ? env : "./data/mnist";
}

int cli_load_split(const char *cmd, const char *dir, sn_split split,
                   unsigned max_label, sn_dataset *ds)
{
    sn_error err;
    if (sn_dataset_load(ds, dir, split, max_label, &err) == 0)
        return 0;
    cli_error(cmd, "%s", err.msg);
    fputs("  (--data DIR or SIMDNET_DATA choose the folder.)\n", stderr);
    return -1;
}

int cli_select_kernels(const char *cmd, const char *isa,
                       const sn_kernels **kernels)
{
    sn_error err;
    if (sn_kernels_select(isa, kernels, &err) == 0)
        return 0;
    cli_error(cmd, "%s", err.msg);
    return -1;
}

int cli_default_threads(void)
{
    /* One thread per physical core (hwloc). Without a topology the library
     * falls back to OpenMP's default and says why: tell the user, once. */
    static int told;
    const sn_topology *t = sn_topology_get();
    if (!t->from_hwloc && !told) {
        fprintf(stderr, "simdnet: %s\n", t->note);
        told = 1;
    }
    return t->cores;
}

void cli_format_bytes(size_t bytes, char *buf, size_t len)
{
    const size_t mib = (size_t)1 << 20;
    if (bytes == 0)
        snprintf(buf, len, "?");
    else if (bytes >= mib && bytes % mib == 0)
        snprintf(buf, len, "%zu MiB", bytes / mib);
    else if (bytes >= 1024)
        snprintf(buf, len, "%zu KiB", bytes / 1024);
    else
        snprintf(buf, len, "%zu B", bytes);
}

void cli_format_si(double v, char *buf, size_t len)
{
    if (v >= 1e9)
        snprintf(buf, len, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, len, "%.2fM", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, len, "%.1fk", v / 1e3);
    else
        snprintf(buf, len, "%.0f", v);
}

int cli_parse_engine(const char *cmd, const char *text, sn_engine_kind *out)
{
    if (!strcmp(text, "sparse"))
        *out = SN_ENGINE_SPARSE;
    else if (!strcmp(text, "per-sample"))
        *out = SN_ENGINE_PER_SAMPLE;
    else {
        cli_error(cmd, "--engine: expected sparse or per-sample, got '%s'",
                  text);
        return -1;
    }
    return 0;
}
