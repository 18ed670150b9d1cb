/* zfile.c - a raw or single-member gzip file: libdeflate inflates a whole
 * member held in memory, zlib's inflate streams the rest (zfile.h). */
#include "zfile.h"

#include <errno.h>
#include <libdeflate.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "error.h"

/* The input buffer: large reads keep the read() calls few. */
#define ZFILE_BUFFER_BYTES ((size_t)1 << 20)

/* inflate takes unsigned lengths: read in pieces. */
#define ZFILE_MAX_STEP ((size_t)1 << 30)

/* A compressed regular file up to this size is read whole, for libdeflate;
 * a larger one streams through zlib in ZFILE_BUFFER_BYTES pieces. Below
 * 4 GiB, so that inflate's unsigned avail_in holds it. */
#define ZFILE_WHOLE_MAX ((size_t)1 << 30)

/* Deflate's largest expansion: a 258-byte match in 2 bits. A member whose
 * trailer claims more than this many bytes per compressed byte lies. */
#define DEFLATE_MAX_RATIO 1032u

/* gzip's smallest member: 10-byte header, an empty block, 8-byte trailer. */
#define GZIP_MIN_MEMBER 20u

/* One read() appended to z->in at in_len, into the room left. Sets at_eof
 * when none came. */
static int read_more(sn_zfile *z, sn_error *err)
{
    ssize_t r;
    do
        r = read(z->fd, z->in + z->in_len, z->in_cap - z->in_len);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return sn_set_error(err, "%s: read error: %s", z->path,
                            strerror(errno));
    if (r == 0)
        z->at_eof = 1;
    z->in_len += (size_t)r;
    return 0;
}

/* Reads more of the file into z->in, after the unconsumed bytes at
 * [keep, keep + n) moved to its start. */
static int fill(sn_zfile *z, const unsigned char *keep, size_t n,
                sn_error *err)
{
    memmove(z->in, keep, n);
    z->in_len = n;
    z->in_pos = 0;
    z->whole = 0; /* the buffer no longer starts at the file's start */
    return read_more(z, err);
}

/* A regular gzip file of at most ZFILE_WHOLE_MAX bytes: the rest of it
 * into z->in, whose size then follows the file's (one byte more, so that
 * the read that finds the end fits). Sets whole once the end is seen. */
static int read_whole(sn_zfile *z, sn_error *err)
{
    struct stat st;
    if (fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > ZFILE_WHOLE_MAX)
        return 0; /* streamed: a pipe, or too large to hold */
    const size_t cap = (size_t)st.st_size + 1;
    if (cap > z->in_cap) {
        unsigned char *bigger = sn_alloc_array_uninit(cap, 1);
        if (!bigger)
            return 0; /* streamed, in the buffer there is */
        memcpy(bigger, z->in, z->in_len);
        sn_free(z->in);
        z->in = bigger;
        z->in_cap = cap;
    }
    while (!z->at_eof && z->in_len < z->in_cap)
        if (read_more(z, err) != 0)
            return -1;
    z->whole = z->at_eof; /* not if the file grew since fstat */
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
        if (read_more(z, err) != 0) {
            sn_zfile_close(z);
            return -1;
        }
    }
    z->gzip = z->in_len >= 2 && z->in[0] == 0x1f && z->in[1] == 0x8b;
    if (!z->gzip)
        return 0;
    if (read_whole(z, err) != 0) {
        z->gzip = 0;
        sn_zfile_close(z);
        return -1;
    }
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

static uint32_t load_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int sn_zfile_inflate_whole(sn_zfile *z, size_t want, unsigned char **out)
{
    *out = NULL;
    if (!z->gzip || !z->whole || z->ended || z->cut_short ||
        z->in_len < GZIP_MIN_MEMBER)
        return 0;
    /* What zlib handed out so far (the header) comes out again below. */
    const size_t done = z->zs.total_out;
    if (want > SIZE_MAX - done)
        return 0;
    const size_t total = done + want;
    /* The trailer's length (mod 2^32) must be the promise, and the promise
     * possible for a file of this size: then the buffer is the promise and
     * no more, and stays in proportion to the file. */
    if (load_le32(z->in + z->in_len - 4) != (uint32_t)total ||
        total / DEFLATE_MAX_RATIO > z->in_len)
        return 0;
    unsigned char *buf = sn_alloc_array_uninit(total, 1);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t in_used = 0, out_got = 0;
    const int ok = buf && d &&
                   libdeflate_gzip_decompress_ex(d, z->in, z->in_len, buf,
                                                 total, &in_used, &out_got) ==
                       LIBDEFLATE_SUCCESS &&
                   in_used == z->in_len && out_got == total;
    libdeflate_free_decompressor(d);
    if (!ok) {
        sn_free(buf);
        return 0;
    }
    /* The data after the header to the buffer's (aligned) start: a few ms
     * for MNIST's 47 MB, against a second call to skip the header. */
    memmove(buf, buf + done, want);
    z->ended = 1;
    *out = buf;
    return 1;
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
