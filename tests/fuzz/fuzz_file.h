/*
 * fuzz_file.h - hands fuzz input to readers that take a path, without
 * touching the disk: the bytes go into a memfd (a regular file in memory,
 * whose size the reader can check) or a pipe (a stream of unknown size,
 * the path a reader takes for `--data <(zcat ...)`), named by
 * /proc/self/fd/N. Both are the readers' real code paths.
 */
#ifndef SN_FUZZ_FILE_H
#define SN_FUZZ_FILE_H

/* memfd_create and F_SETPIPE_SZ need _GNU_SOURCE (tests/fuzz/meson.build). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "simdnet.h"

/* Pipes hold this much without a reader; larger inputs go in a memfd. */
#define FUZZ_PIPE_BYTES (1 << 20)

typedef struct fuzz_file {
    int fd;       /* what the path names */
    char path[32];
} fuzz_file;

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        const ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Puts size bytes behind f->path; as_pipe picks a pipe. Aborts if the
 * machine refuses (that is the harness's failure, not the reader's). */
static void fuzz_file_open(fuzz_file *f, const uint8_t *data, size_t size,
                           int as_pipe)
{
    if (as_pipe) {
        int fds[2];
        if (pipe(fds) != 0)
            abort();
        if (fcntl(fds[1], F_SETPIPE_SZ, FUZZ_PIPE_BYTES) >= (int)size ||
            size <= 65536) {
            if (write_all(fds[1], data, size) != 0)
                abort();
            close(fds[1]);
            f->fd = fds[0];
            snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
            return;
        }
        close(fds[0]);
        close(fds[1]);
    }
    f->fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (f->fd < 0 || write_all(f->fd, data, size) != 0)
        abort();
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

static void fuzz_file_close(fuzz_file *f)
{
    close(f->fd);
    f->fd = -1;
}

/* The input of the harnesses that read one file: byte 0 bit 0 picks the
 * pipe, the rest is the file. 0 (nothing opened) for an empty input. */
static inline int fuzz_file_from_input(fuzz_file *f, const uint8_t *data,
                                       size_t size)
{
    if (size < 1)
        return 0;
    fuzz_file_open(f, data + 1, size - 1, data[0] & 1);
    return 1;
}

/* The whole harness of a reader of one file, but for its promises: the
 * input (fuzz_file_from_input) goes to read(path, file_size, err), which
 * checks and frees what it loaded and returns 0, or returns non-zero for a
 * refusal. A refusal without a message is a bug. */
static inline int fuzz_read_one_file(const uint8_t *data, size_t size,
                                     int (*read)(const char *path,
                                                 size_t file_size,
                                                 sn_error *err))
{
    fuzz_file f;
    if (!fuzz_file_from_input(&f, data, size))
        return 0;
    sn_error err = {{0}};
    if (read(f.path, size - 1, &err) != 0 && err.msg[0] == '\0')
        abort();
    fuzz_file_close(&f);
    return 0;
}

/* Reads every byte of what a reader returned, so that AddressSanitizer
 * catches a buffer shorter than the reader claims; through a volatile
 * sink, so that the reads are not optimised away. */
static volatile unsigned char fuzz_sink;

static inline void fuzz_touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    unsigned char x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= b[i];
    fuzz_sink = x;
}

#endif
