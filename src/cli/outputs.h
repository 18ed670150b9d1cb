/*
 * outputs.h - the files a command will write, checked before the work
 * starts (so that a run is never lost to a bad output path found at its
 * end), and paths shortened for messages.
 */
#ifndef SN_CLI_OUTPUTS_H
#define SN_CLI_OUTPUTS_H

#include <stddef.h>

/* One output file: the flag that names it and its path. */
typedef struct cli_output {
    const char *flag;   /* "--save" */
    const char **path;  /* the command's field; NULL *path: not asked for */
    char *target;       /* set by the check: where a symbolic link leads */
} cli_output;

/* Checks every output asked for: that it is (or will be) a regular file in
 * a folder where a file can be created, and that no two name the same
 * file. A symbolic link is followed: the file it points to is written, and
 * *path is changed to that file's path. Prints a message naming the flag
 * for each that fails. Returns 0 if all are good, EXIT_USAGE if two name
 * the same file, else EXIT_FAIL if one cannot be written. */
int cli_outputs_check(const char *cmd, cli_output *outs, size_t n);

/* Refuses, with a message naming flag and the reason, an input file with
 * a path longer than CLI_PATH_MAX_SHOWN that cannot be opened for reading:
 * in the library's message (512 bytes) such a path would push the reason
 * out. */
int cli_input_check(const char *cmd, const char *flag, const char *path);

/* Frees what the check allocated (the link targets). */
void cli_outputs_free(cli_output *outs, size_t n);

/* path for a message: as it is if it has at most max characters, else
 * its beginning and end around "...", in buf (of at least max + 1 bytes),
 * cut on UTF-8 character boundaries. Returns buf or path. */
const char *cli_short_path(const char *path, char *buf, size_t max);

/* The buffer size cli_short_path() is given in messages. */
enum { CLI_PATH_MAX_SHOWN = 160 };

#endif
