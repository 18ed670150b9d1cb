/* files.h - reading whole input files for the report (internal). */
#ifndef SN_REPORT_FILES_H
#define SN_REPORT_FILES_H

#include <stddef.h>

#include "simdnet.h"

/* The whole file, NUL-terminated, if it has at most max bytes. Messages
 * start with path. */
int sn_read_text_file(const char *path, size_t max, char **text, size_t *len,
                      sn_error *err);

#endif
