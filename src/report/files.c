/*
 * files.c - the report's folder (created, and checked writable before any
 * work) and its files, each written atomically (atomic_file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "read_file.h"
#include "error.h"
#include "report/report.h"

int sn_report_prepare_dir(const char *dir, sn_error *err)
{
    if (!dir || !*dir)
        return sn_set_error(err, "the report folder name is empty");
    const size_t n = strlen(dir);
    char *path = malloc(n + 1);
    if (!path)
        return sn_set_error(err, "out of memory");
    memcpy(path, dir, n + 1);
    /* mkdir -p: each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= n; i++) {
        if (i < n && path[i] != '/')
            continue;
        const char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            const int e = errno;
            sn_set_error(err, "cannot create the report folder %s: %s", path,
                         strerror(e));
            free(path);
            return -1;
        }
        path[i] = saved;
    }
    free(path);
    struct stat st;
    if (stat(dir, &st) != 0)
        return sn_set_error(err, "report folder %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return sn_set_error(err, "report folder %s exists and is not a folder",
                            dir);
    /* Creating a file is the only sure test (permissions, read-only mounts,
     * ACLs): make a temporary one and remove it. */
    const size_t len = n + 32;
    char *probe = malloc(len);
    if (!probe)
        return sn_set_error(err, "out of memory");
    snprintf(probe, len, "%s/.simdnet-probe.XXXXXX", dir);
    const int fd = mkstemp(probe);
    if (fd < 0) {
        const int e = errno;
        free(probe);
        return sn_set_error(err, "cannot write in the report folder %s: %s",
                            dir, strerror(e));
    }
    close(fd);
    unlink(probe);
    free(probe);
    return 0;
}

int sn_report_write_file(const char *dir, const char *name, const char *data,
                         size_t len, sn_error *err)
{
    const size_t plen = strlen(dir) + strlen(name) + 2;
    char *path = malloc(plen);
    if (!path)
        return sn_set_error(err, "out of memory");
    snprintf(path, plen, "%s/%s", dir, name);
    sn_atomic_file af;
    int rc = sn_atomic_open(&af, path, err);
    if (rc == 0) {
        sn_atomic_write(&af, data, len);
        rc = sn_atomic_commit(&af, err);
    }
    free(path);
    return rc;
}
