/* zfile.c - a raw or single-member gzip file through inflate (zfile.h). */
#include "zfile.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "error.h"

/* The input buffer: large reads keep the read() calls few. */
#define ZFILE_BUFFER_BYTES ((size_t)1 << 20)

/* inflate takes unsigned lengths: read in pieces. */
#define ZFILE_MAX_STEP ((size_t)1 << 30)

/* Reads more of the file into z->in, after the unconsumed bytes at
 * [keep, keep + n) moved to its start. Sets at_eof when none came. */
static int fill(sn_zfile *z, const unsigned char *keep, size_t n,
                sn_error *err)
{
    memmove(z->in, keep, n);
    ssize_t r;
    do
        r = read(z->fd, z->in + n, z->in_cap - n);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return sn_set_error(err, "%s: read error: %s", z->path,
                            strerror(errno));
    if (r == 0)
        z->at_eof = 1;
    z->in_len = n + (size_t)r;
    z->in_pos = 0;
    return 0;
}

int sn_zfile_open(sn_zfile *z, int fd, const char *path, sn_error *err)
{
    memset(z, 0, sizeof *z);
    z->path = path;
    z->fd = fd;
    z->in_cap = ZFILE_BUFFER_BYTES;
    z->in = sn_alloc_array(z->in_cap, 1);
    if (!z->in) {
        close(fd);
        z->fd = -1;
        return sn_set_error(err, "%s: cannot open: out of memory", path);
    }
    /* Enough bytes to see the gzip magic, or the end of the file. */
    if (fill(z, z->in, 0, err) != 0) {
        sn_zfile_close(z);
        return -1;
    }
    while (z->in_len < 2 && !z->at_eof) {
        if (fill(z, z->in, z->in_len, err) != 0) {
            sn_zfile_close(z);
            return -1;
        }
    }
    z->gzip = z->in_len >= 2 && z->in[0] == 0x1f && z->in[1] == 0x8b;
    if (!z->gzip)
        return 0;
    /* 15 + 16: a gzip wrapper (not zlib's), with its CRC and length. */
    if (inflateInit2(&z->zs, 15 + 16) != Z_OK) {
        z->gzip = 0;
        sn_zfile_close(z);
        return sn_set_error(err, "%s: cannot open: out of memory", path);
    }
    z->zs.next_in = z->in;
    z->zs.avail_in = (uInt)z->in_len;
    return 0;
}

/* After the member's end: nothing may follow it. */
static int check_nothing_follows(sn_zfile *z, sn_error *err)
{
    size_t left = z->zs.avail_in;
    if (left == 0 && !z->at_eof) {
        if (fill(z, z->in, 0, err) != 0)
            return -1;
        left = z->in_len;
        z->zs.next_in = z->in;
        z->zs.avail_in = (uInt)left;
    }
    if (left == 0)
        return 0;
    const unsigned char *p = z->zs.next_in;
    if (left >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return sn_set_error(err, "%s: a second gzip member follows the "
                                 "first; simdnet reads files of one member "
                                 "(gunzip it and gzip it again)", z->path);
    return sn_set_error(err, "%s: bytes that are not gzip data follow the "
                             "gzip stream (trailing garbage)", z->path);
}

static int read_gzip(sn_zfile *z, unsigned char *buf, size_t len,
                     size_t *got, sn_error *err)
{
    while (*got < len && !z->ended && !z->cut_short) {
        if (z->zs.avail_in == 0 && !z->at_eof) {
            if (fill(z, z->in, 0, err) != 0)
                return -1;
            z->zs.next_in = z->in;
            z->zs.avail_in = (uInt)z->in_len;
            continue;
        }
        size_t step = len - *got;
        if (step > ZFILE_MAX_STEP)
            step = ZFILE_MAX_STEP;
        z->zs.next_out = buf + *got;
        z->zs.avail_out = (uInt)step;
        const int rc = inflate(&z->zs, Z_NO_FLUSH);
        *got += step - z->zs.avail_out;
        if (rc == Z_STREAM_END) {
            z->ended = 1;
            return check_nothing_follows(z, err);
        }
        if (rc == Z_BUF_ERROR && z->zs.avail_in == 0) {
            /* No progress without more input: read on, or, at the end of
             * the file, the member stops before its end. */
            z->cut_short = z->at_eof;
            continue;
        }
        if (rc != Z_OK)
            return sn_set_error(err, "%s: corrupt gzip data: %s", z->path,
                                rc == Z_MEM_ERROR ? "out of memory"
                                : z->zs.msg       ? z->zs.msg
                                                  : "inflate failed");
    }
    return 0;
}

static int read_raw(sn_zfile *z, unsigned char *buf, size_t len,
                    size_t *got, sn_error *err)
{
    const size_t buffered = z->in_len - z->in_pos;
    const size_t first = buffered < len ? buffered : len;
    memcpy(buf, z->in + z->in_pos, first);
    z->in_pos += first;
    *got = first;
    while (*got < len && !z->at_eof) {
        size_t step = len - *got;
        if (step > ZFILE_MAX_STEP)
            step = ZFILE_MAX_STEP;
        const ssize_t r = read(z->fd, buf + *got, step);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return sn_set_error(err, "%s: read error: %s", z->path,
                                strerror(errno));
        if (r == 0)
            z->at_eof = 1;
        *got += (size_t)r;
    }
    return 0;
}

int sn_zfile_read(sn_zfile *z, void *buf, size_t len, size_t *got,
                  sn_error *err)
{
    *got = 0;
    return z->gzip ? read_gzip(z, buf, len, got, err)
                   : read_raw(z, buf, len, got, err);
}

int sn_zfile_cut_short(const sn_zfile *z)
{
    return z->cut_short;
}

int sn_zfile_is_gzip(const sn_zfile *z)
{
    return z->gzip;
}

void sn_zfile_close(sn_zfile *z)
{
    if (!z->in) /* never opened, or closed */
        return;
    if (z->gzip)
        inflateEnd(&z->zs);
    close(z->fd);
    sn_free(z->in);
    memset(z, 0, sizeof *z);
}
