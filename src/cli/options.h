/*
 * options.h - the one option parser of the six commands. A command
 * declares a table of its options; cli_parse_options() reads argv against
 * it with the same messages for every command, and prints --help from the
 * same table, so the help and the parser cannot disagree.
 */
#ifndef SN_CLI_OPTIONS_H
#define SN_CLI_OPTIONS_H

#include "simdnet.h"

typedef enum cli_opt_kind {
    CLI_FLAG,   /* no value: *(int *)dest = 1 */
    CLI_STRING, /* *(const char **)dest = the value */
    CLI_SIZE,   /* *(unsigned long long *)dest: 0 to 2^64-1 */
    CLI_INT,    /* *(long *)dest: an integer in [min, max] */
    CLI_FLOAT,  /* *(float *)dest: a finite number in [min, max] */
    CLI_LIST,   /* parse(value, dest, err): lists and names */
} cli_opt_kind;

typedef struct cli_option {
    const char *name;   /* the long name, without "--" */
    char short_name;    /* e.g. 'm' for -m, or 0 */
    cli_opt_kind kind;
    void *dest;         /* where the value goes */
    const char *value;  /* the value's name in --help, e.g. "FILE" */
    const char *help;   /* lines separated by '\n' */
    double min, max;    /* CLI_INT and CLI_FLOAT */
    /* CLI_LIST: stores the value, or fails with a message (the parser puts
     * "--name: " before it). */
    int (*parse)(const char *value, void *dest, sn_error *err);
    unsigned given;     /* a bit set in *given when the option is named */
} cli_option;

typedef struct cli_command_spec {
    const char *name;      /* "train" */
    const char *synopsis;  /* after "usage: simdnet ", e.g. "train [options]" */
    const char *about;     /* the text between the usage line and the options */
    const char *epilog;    /* after the options, or NULL */
    const cli_option *options;
    size_t noptions;
    int operands;          /* 1: arguments after the options are allowed */
} cli_command_spec;

/* The options several commands share, one name, value and range each. */
typedef enum cli_common {
    CLI_OPT_MODEL,   /* --model FILE */
    CLI_OPT_DATA,    /* --data DIR */
    CLI_OPT_ISA,     /* --isa NAME */
    CLI_OPT_JSON,    /* --json FILE */
    CLI_OPT_THREADS, /* --threads N, 1 to 1024 (dest: a long) */
    CLI_OPT_KEEP_SUBNORMALS, /* --keep-subnormals (dest: an int) */
} cli_common;

/* That option, storing at dest. help NULL: the usual wording (the model
 * from simdnet train --save, the MNIST folder and its default, the four
 * kernel sets, the results as JSON); a command whose option means a little
 * more says so in its own help. */
cli_option cli_opt(cli_common which, void *dest, const char *help);

/* What cli_parse_options() found. */
enum { CLI_PARSED = 0, CLI_HELP = 1, CLI_BAD = -1 };

/* Reads argv[1..argc) against spec's table. CLI_PARSED: the values are
 * stored, *given has the bits of the options named (given may be NULL) and
 * *first_operand is the index of the first operand (argc if none).
 * CLI_HELP: -h or --help printed the help on stdout. CLI_BAD: a message
 * on stderr says what was wrong (the caller exits with EXIT_USAGE). */
int cli_parse_options(const cli_command_spec *spec, int argc, char **argv,
                      unsigned *given, int *first_operand);

/* The exit status for a parse result other than CLI_PARSED: 0 after the
 * help (main() turns it into 1 if stdout could not be written), 2 after
 * a usage error. */
int cli_options_exit(int parsed);

#endif
