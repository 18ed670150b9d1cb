/* read_file.h - a whole (small) file in memory, for the readers of text and
 * image files. */
#ifndef SN_READ_FILE_H
#define SN_READ_FILE_H

#include <stddef.h>

#include "simdnet.h"

/* Reads all of path (a regular file or a pipe) into a new buffer with a NUL
 * after the last byte, refusing one larger than max bytes; the buffer grows
 * as the data arrives, so a claim costs nothing. Messages start with path.
 * The caller frees *data. */
int sn_read_file(const char *path, size_t max, char **data, size_t *len,
                 sn_error *err);

#endif
