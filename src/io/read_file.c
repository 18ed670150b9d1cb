/* read_file.c - a whole (small) file in memory (read_file.h). */
#include "read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int sn_read_file(const char *path, size_t max, char **data, size_t *len,
                 sn_error *err)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s: %s", path, strerror(errno));
    size_t cap = (size_t)1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap >= max) {
            free(buf);
            fclose(f);
            return sn_set_error(err, "%s: larger than the %zu bytes this "
                                     "reader accepts", path, max);
        }
        char *grown = realloc(buf, cap * 2 + 1);
        if (!grown)
            free(buf);
        buf = grown;
        cap *= 2;
    }
    if (!buf) {
        fclose(f);
        return sn_set_error(err, "%s: out of memory", path);
    }
    const int failed = ferror(f);
    const int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return sn_set_error(err, "%s: %s", path, strerror(saved));
    }
    if (n > max) {
        free(buf);
        return sn_set_error(err, "%s: larger than the %zu bytes this reader "
                                 "accepts", path, max);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}
