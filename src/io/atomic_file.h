/*
 * atomic_file.h - writing a file so that it is either the old one or the
 * whole new one, never half: a temporary file next to the destination,
 * flushed to the disk, renamed over it, and the folder synced. Models,
 * checkpoints, the costs CSV, benchmark JSON and report files all go
 * through here.
 */
#ifndef SN_ATOMIC_FILE_H
#define SN_ATOMIC_FILE_H

#include <stdio.h>
#include <zlib.h>

#include "simdnet.h"

typedef struct sn_atomic_file {
    const char *path;   /* the destination (the caller keeps it alive) */
    char *tmp;          /* the temporary file's name */
    FILE *f;            /* write here, or through sn_atomic_write */
    uLong crc;          /* CRC-32 of the bytes given to sn_atomic_write */
    int failed;         /* a write failed; saved_errno says why */
    int saved_errno;
} sn_atomic_file;

/* Creates the temporary file (readable as the umask allows, like any new
 * file, not mkstemp's 0600). A destination that exists and is not a
 * regular file is refused: as root, rename() would replace /dev/null. */
int sn_atomic_open(sn_atomic_file *af, const char *path, sn_error *err);

/* Writes n bytes and folds them into af->crc; a failure is remembered and
 * reported by sn_atomic_commit. */
void sn_atomic_write(sn_atomic_file *af, const void *buf, size_t n);

/* Flushes, syncs, closes and renames over the destination. On failure
 * removes the temporary file, leaves the destination as it was and says
 * so: "<path>: cannot write: <reason> (the previous file, if any, is
 * unchanged)". */
int sn_atomic_commit(sn_atomic_file *af, sn_error *err);

/* Gives up: removes the temporary file. */
void sn_atomic_abort(sn_atomic_file *af);

#endif
