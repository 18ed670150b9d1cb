/*
 * zfile.h - reading a file that is either raw or one gzip stream, told
 * apart by its first two bytes (not its name).
 *
 * A regular gzip file (up to 1 GiB) is read into memory whole, so that
 * once the caller knows how much data to expect, libdeflate inflates the
 * member in one call, 3x faster than zlib, straight into the caller's
 * buffer (sn_zfile_inflate_whole). zlib's inflate streams everything else:
 * the first bytes (the caller's header), pipes, larger files, and any file
 * libdeflate does not take, so that what is wrong with a bad file is said
 * in zlib's words, the same whichever path it came through.
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
    int whole;         /* gzip: in holds the whole file from its start */
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

/* The rest of the data in one piece, when it is exactly `want` bytes and
 * ends the file's one member: returns 1 with *out a new SN_ALIGN-aligned
 * buffer (free with sn_free) holding it, CRC-32 and length checked, and the
 * file read to its end. Returns 0, having read nothing, when that is not
 * so or cannot be told (not whole in memory, a trailer that disagrees,
 * corrupt or cut-short data, bytes after the member, out of memory):
 * sn_zfile_read then reads on and says what is wrong. */
int sn_zfile_inflate_whole(sn_zfile *z, size_t want, unsigned char **out);

/* Whether the file ended inside the gzip member (then the data read is
 * all there is: the caller names what is missing). */
int sn_zfile_cut_short(const sn_zfile *z);
int sn_zfile_is_gzip(const sn_zfile *z);

void sn_zfile_close(sn_zfile *z);

#endif
