/* read_file.h - reading data whose length is not known before it arrives
 * (a pipe, a compressed stream) into memory that grows only with the data;
 * and a whole (small) file, for the readers of text and image files. */
#ifndef SN_READ_FILE_H
#define SN_READ_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "simdnet.h"

/* A source of bytes: reads up to len bytes into buf, fewer (*got < len)
 * only at the end of the data; -1 with err set on a read error. */
typedef int (*sn_read_fn)(void *src, void *buf, size_t len, size_t *got,
                          sn_error *err);

/* A stdio stream as a source; messages start with path. */
typedef struct sn_stdio_source {
    FILE *f;
    const char *path;
} sn_stdio_source;
int sn_stdio_read(void *src, void *buf, size_t len, size_t *got,
                  sn_error *err);

/* Where the buffer of a stream of unknown length (a pipe) starts. */
#define SN_GROW_START_BYTES ((size_t)1 << 20)

/* Reads up to `want` bytes from src into a new zeroed buffer (free it with
 * sn_free) that starts at `start` bytes (at most want) and doubles only as
 * data arrives, so that a header's claim alone allocates nothing. The
 * buffer has one zero byte after its last. *got < want only at the end of
 * the data. An out-of-memory message names path and `what` is read. */
int sn_read_growing(sn_read_fn read, void *src, size_t want, size_t start,
                    const char *path, const char *what, unsigned char **out,
                    size_t *got, sn_error *err);

/* Reads all of path (a regular file or a pipe) into a new buffer with a NUL
 * after the last byte, refusing one larger than max bytes; the buffer grows
 * as the data arrives, so a claim costs nothing. Messages start with path.
 * The caller frees *data (with free or sn_free). */
int sn_read_file(const char *path, size_t max, char **data, size_t *len,
                 sn_error *err);

#endif
