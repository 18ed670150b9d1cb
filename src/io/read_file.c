/* read_file.c - data of unknown length in memory that grows with it
 * (read_file.h). */
#include "read_file.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "error.h"

/* sn_read_file's first buffer. */
#define READ_FILE_START_BYTES ((size_t)1 << 16)

int sn_stdio_read(void *src, void *buf, size_t len, size_t *got,
                  sn_error *err)
{
    const sn_stdio_source *s = src;
    *got = fread(buf, 1, len, s->f);
    if (*got < len && ferror(s->f))
        return sn_set_error(err, "%s: read error: %s", s->path,
                            strerror(errno));
    return 0;
}

int sn_read_growing(sn_read_fn read, void *src, size_t want, size_t start,
                    const char *path, const char *what, unsigned char **out,
                    size_t *got, sn_error *err)
{
    *out = NULL;
    *got = 0;
    if (want == SIZE_MAX)
        return sn_set_error(err, "%s: %s: too large for this machine", path,
                            what);
    size_t cap = start < want ? start : want;
    if (cap == 0 && want > 0)
        cap = 1; /* doubling from 0 would never grow */
    unsigned char *buf = sn_alloc_array_uninit(cap + 1, 1);
    for (;;) {
        if (!buf)
            return sn_set_error(err, "%s: out of memory for %s (%zu bytes)",
                                path, what, cap);
        size_t n = 0;
        if (read(src, buf + *got, cap - *got, &n, err) != 0) {
            sn_free(buf);
            *got = 0;
            return -1;
        }
        *got += n;
        if (*got < cap || cap == want)
            break;
        /* Straight to want once it is within two doublings: a last step
         * from just under want to want would hold two buffers of about
         * want at once (16 MiB, then 16 MiB + 1 for a 16 MiB limit). The
         * buffers are not zeroed, so pages not yet read into cost
         * nothing. */
        const size_t grown = cap > want / 4 ? want : 2 * cap;
        unsigned char *bigger = sn_alloc_array_uninit(grown + 1, 1);
        if (bigger)
            memcpy(bigger, buf, *got);
        sn_free(buf);
        buf = bigger;
        cap = grown;
        if (!buf)
            *got = 0;
    }
    buf[*got] = 0; /* text readers may treat the data as a string */
    *out = buf;
    return 0;
}

int sn_read_file(const char *path, size_t max, char **data, size_t *len,
                 sn_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s: %s", path, strerror(errno));
    /* A regular file larger than max is refused from its size, without
     * reading max + 1 bytes of it into memory; pipes and files that grow
     * while read are caught by the count below. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (uintmax_t)st.st_size > (uintmax_t)max) {
        fclose(f);
        return sn_set_error(err, "%s: larger than the %zu bytes this reader "
                                 "accepts (%jd bytes)",
                            path, max, (intmax_t)st.st_size);
    }
    sn_stdio_source src = {f, path};
    unsigned char *buf = NULL;
    size_t n = 0;
    /* One byte more than max tells a file of max bytes from a larger one. */
    const size_t want = max < SIZE_MAX - 1 ? max + 1 : max;
    const int rc = sn_read_growing(sn_stdio_read, &src, want,
                                   READ_FILE_START_BYTES, path, "the file",
                                   &buf, &n, err);
    fclose(f);
    if (rc != 0)
        return -1;
    if (n > max) {
        sn_free(buf);
        return sn_set_error(err, "%s: larger than the %zu bytes this reader "
                                 "accepts", path, max);
    }
    *data = (char *)buf;
    *len = n;
    return 0;
}
