/* options.c - one table-driven option parser and help printer for all
 * commands (options.h). getopt_long does the scanning; this file turns a
 * command's table into getopt's and the values into typed fields. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

enum { MAX_OPTIONS = 48, LONG_BASE = 256, HELP_COLUMN = 21 };

static const cli_option common[] = {
    [CLI_OPT_MODEL] = {.name = "model", .kind = CLI_STRING, .value = "FILE",
                       .help = "the model (from simdnet train --save)"},
    [CLI_OPT_DATA] = {.name = "data", .kind = CLI_STRING, .value = "DIR",
                      .help = "MNIST folder (default $SIMDNET_DATA, else "
                              "./data/mnist)"},
    [CLI_OPT_ISA] = {.name = "isa", .kind = CLI_STRING, .value = "NAME",
                     .help = "kernel set: scalar, avx2, avx512, neon"},
    [CLI_OPT_JSON] = {.name = "json", .kind = CLI_STRING, .value = "FILE",
                      .help = "also write the results as JSON (-: standard "
                              "output,\nthe text then goes to stderr)"},
    [CLI_OPT_THREADS] = {.name = "threads", .kind = CLI_INT, .value = "N",
                         .min = 1, .max = 1024, .help = "OpenMP threads"},
    [CLI_OPT_KEEP_SUBNORMALS] = {
        .name = "keep-subnormals", .kind = CLI_FLAG,
        .help = "IEEE subnormals: no flush of floats below FLT_MIN\n"
                "to zero (the default flushes them: docs/engines.md)"},
};

cli_option cli_opt(cli_common which, void *dest, const char *help)
{
    cli_option o = common[which];
    o.dest = dest;
    if (help)
        o.help = help;
    return o;
}

/* "  -m, --model FILE" or "  --model FILE", as --help shows the option. */
static int print_name(FILE *out, const cli_option *o)
{
    int n = 0;
    if (o->short_name)
        n += fprintf(out, "  -%c, --%s", o->short_name, o->name);
    else
        n += fprintf(out, "  --%s", o->name);
    if (o->kind != CLI_FLAG && o->value)
        n += fprintf(out, " %s", o->value);
    return n;
}

static void print_option(FILE *out, const cli_option *o)
{
    int n = print_name(out, o);
    /* A name wider than the column gets two spaces, then the text. */
    fprintf(out, "%*s", n < HELP_COLUMN ? HELP_COLUMN - n : 2, "");
    for (const char *p = o->help; *p;) {
        const size_t len = strcspn(p, "\n");
        fprintf(out, "%.*s\n", (int)len, p);
        p += len;
        if (*p == '\n' && *++p)
            fprintf(out, "%*s", HELP_COLUMN, "");
    }
}

static void print_help(const cli_command_spec *spec)
{
    static const cli_option help = {"help", 'h', CLI_FLAG, NULL, NULL,
                                    "this help", 0, 0, NULL, 0};
    printf("usage: simdnet %s\n\n%s\n", spec->synopsis, spec->about);
    for (size_t i = 0; i < spec->noptions; i++)
        print_option(stdout, &spec->options[i]);
    print_option(stdout, &help);
    if (spec->epilog)
        printf("\n%s", spec->epilog);
}

static int parse_long(const char *text, double min, double max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno == ERANGE || v < min ||
        v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *text, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

static int parse_float(const char *text, double min, double max, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !isfinite(v) || v < min || v > max)
        return -1;
    *out = (float)v;
    return 0;
}

/* Stores one option's value, or says why it cannot. */
static int store(const char *cmd, const cli_option *o, const char *value)
{
    char expected[96];
    switch (o->kind) {
    case CLI_FLAG:
        *(int *)o->dest = 1;
        return 0;
    case CLI_STRING:
        *(const char **)o->dest = value;
        return 0;
    case CLI_SIZE:
        if (parse_u64(value, o->dest) == 0)
            return 0;
        snprintf(expected, sizeof expected,
                 "a non-negative integer below 2^64");
        break;
    case CLI_INT:
        if (parse_long(value, o->min, o->max, o->dest) == 0)
            return 0;
        snprintf(expected, sizeof expected, "an integer from %.0f to %.0f",
                 o->min, o->max);
        break;
    case CLI_FLOAT:
        if (parse_float(value, o->min, o->max, o->dest) == 0)
            return 0;
        snprintf(expected, sizeof expected, "a number from %g to %g", o->min,
                 o->max);
        break;
    case CLI_LIST: {
        sn_error err;
        if (o->parse(value, o->dest, &err) == 0)
            return 0;
        cli_error(cmd, "--%s: %s", o->name, err.msg);
        return -1;
    }
    default:
        return -1;
    }
    cli_error(cmd, "--%s: expected %s, got '%s'", o->name, expected, value);
    return -1;
}

/* After getopt_long returned ':' or '?': what was wrong with argv. */
static void bad_option(const cli_command_spec *spec, int c, char **argv)
{
    const char *arg = argv[optind - 1];
    const int index = optopt - LONG_BASE;
    if (c == ':')
        cli_error(spec->name, "%s needs a value", arg);
    else if (index >= 0 && (size_t)index < spec->noptions)
        cli_error(spec->name, "--%s takes no value, got '%s'",
                  spec->options[index].name, arg);
    else
        cli_error(spec->name, "unknown option '%s' (see simdnet %s --help)",
                  arg, spec->name);
}

int cli_parse_options(const cli_command_spec *spec, int argc, char **argv,
                      unsigned *given, int *first_operand)
{
    struct option longs[MAX_OPTIONS + 2];
    char shorts[3 * MAX_OPTIONS + 4] = ":h";
    size_t ns = 2;
    if (spec->noptions > MAX_OPTIONS)
        abort(); /* a table too long for this file: a programming error */
    for (size_t i = 0; i < spec->noptions; i++) {
        const cli_option *o = &spec->options[i];
        const int has_arg = o->kind == CLI_FLAG ? no_argument
                                                : required_argument;
        longs[i] = (struct option){o->name, has_arg, NULL,
                                   LONG_BASE + (int)i};
        if (o->short_name) {
            shorts[ns++] = o->short_name;
            if (has_arg)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    longs[spec->noptions] = (struct option){"help", no_argument, NULL, 'h'};
    longs[spec->noptions + 1] = (struct option){0, 0, 0, 0};

    unsigned seen = 0;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        if (c == 'h') {
            print_help(spec);
            return CLI_HELP;
        }
        const cli_option *o = NULL;
        if (c >= LONG_BASE)
            o = &spec->options[c - LONG_BASE];
        for (size_t i = 0; !o && c != ':' && c != '?' && i < spec->noptions;
             i++)
            if (spec->options[i].short_name == c)
                o = &spec->options[i];
        if (!o) {
            bad_option(spec, c, argv);
            return CLI_BAD;
        }
        if (store(spec->name, o, optarg) != 0)
            return CLI_BAD;
        seen |= o->given;
    }
    if (!spec->operands && optind < argc) {
        cli_error(spec->name, "unexpected argument '%s'", argv[optind]);
        return CLI_BAD;
    }
    if (given)
        *given = seen;
    if (first_operand)
        *first_operand = optind;
    return CLI_PARSED;
}

int cli_options_exit(int parsed)
{
    return parsed == CLI_HELP ? 0 : EXIT_USAGE;
}
