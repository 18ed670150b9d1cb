/*
 * zfile.h - reading a file that is either raw or one gzip stream, told
 * apart by its first two bytes (not its name), through zlib's inflate.
 *
 * Exactly one gzip member is read, and nothing may follow it: a second
 * member, or bytes that are not gzip data after the first (both of which
 * gzip itself accepts or skips with a warning), are refused, so that a
 * data file is its one compressed stream and nothing else. inflate checks
 * the member's CRC-32 and length as its end is read.
 */
#ifndef SN_ZFILE_H
#define SN_ZFILE_H

#include <stddef.h>
#include <zlib.h>

#include "simdnet.h"

typedef struct sn_zfile {
    const char *path;  /* for messages */
    int fd;
    int gzip;          /* 1: gzip; 0: raw */
    z_stream zs;       /* gzip: the inflate state */
    unsigned char *in; /* input buffer */
    size_t in_cap;
    size_t in_pos, in_len; /* raw: buffered bytes not yet handed out */
    int at_eof;        /* the file has no more bytes */
    int ended;         /* gzip: the member's end (and its check) was read */
    int cut_short;     /* gzip: the file ended before the member did */
} sn_zfile;

/* Takes fd (closed by sn_zfile_close, or here on failure) and reads the
 * first bytes to tell gzip from raw. Closing a zeroed sn_zfile is a
 * no-op. */
int sn_zfile_open(sn_zfile *z, int fd, const char *path, sn_error *err);

/* Reads up to len bytes of (decompressed) data; fewer only at its end.
 * Fails with a message naming path on a read error, corrupt gzip data, or
 * anything after the gzip member. A stream cut short is not a failure
 * here: it ends the data, and sn_zfile_cut_short says so. */
int sn_zfile_read(sn_zfile *z, void *buf, size_t len, size_t *got,
                  sn_error *err);

/* Whether the file ended inside the gzip member (then the data read is
 * all there is: the caller names what is missing). */
int sn_zfile_cut_short(const sn_zfile *z);
int sn_zfile_is_gzip(const sn_zfile *z);

void sn_zfile_close(sn_zfile *z);

#endif
