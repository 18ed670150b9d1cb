/*
 * json_out.h - `--json FILE` of train, eval, info and bench: documents
 * built with cJSON, written atomically to FILE, or to standard output
 * for "-" (the command's human text then goes to stderr, so that the
 * JSON pipes into jq alone).
 */
#ifndef SN_CLI_JSON_OUT_H
#define SN_CLI_JSON_OUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "atomic_file.h"
#include "outputs.h"

typedef struct cli_json {
    const char *path; /* NULL: no --json */
    int to_stdout;    /* path is "-" */
    int open;         /* the temporary file of path is open */
    sn_atomic_file af;
    cli_output check;  /* path checked as outputs.h checks every output */
} cli_json;

/* Opens --json path (NULL: none), before the work, so that a path that
 * cannot be written fails now (cli_outputs_check). Prints the error and
 * returns -1 if so. */
int cli_json_open(const char *cmd, cli_json *j, const char *path);

/* The stream for the command's human text: stderr when the JSON goes to
 * standard output, else stdout. */
FILE *cli_json_text(const cli_json *j);

/* Writes doc and frees it: pretty-printed, or on one line (JSON lines),
 * flushed at once on standard output. Nothing happens without --json. */
int cli_json_put(cli_json *j, cJSON *doc, int one_line);

/* Renames the file into place (nothing for stdout or no --json); prints
 * "--json PATH: reason" and returns -1 on failure. */
int cli_json_close(const char *cmd, cli_json *j);

/* Gives up: removes the temporary file, frees what open allocated. */
void cli_json_abort(cli_json *j);

/* An unsigned 64-bit integer exactly (a JSON number; cJSON's doubles
 * would round a seed above 2^53). */
cJSON *cli_json_add_u64(cJSON *obj, const char *key, unsigned long long v);

/* [a, b, ...] of n sizes. */
cJSON *cli_json_add_sizes(cJSON *obj, const char *key, const size_t *v,
                          size_t n);

/* obj[key] = {"cpu", "features", "topology_from_hwloc", "cores", "pus",
 * "l1d_bytes", "l2_bytes", "l3_bytes"}: this machine, as bench --json
 * has always written it. */
cJSON *cli_json_add_machine(cJSON *obj, const char *key);

#endif
