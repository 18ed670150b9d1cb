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
#include "report/svg.h"

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

/* ------------------------------------------------------------ the set */

#define LIST_LINE "<!-- simdnet-report-file "

void sn_report_list_files(sn_buf *b, const sn_report_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(files[i].name, "index.html") != 0)
            sn_buf_printf(b, LIST_LINE "%s -->\n", files[i].name);
}

static int in_set(const sn_report_file *files, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(files[i].name, name))
            return 1;
    return 0;
}

/* Removes what the old index.html (text, NUL-terminated) listed and this
 * report did not write. Only plain names of files a report writes (.svg,
 * .csv) are removed, whatever the old page says. Failures are not errors:
 * the new report is complete without this. */
static void remove_stale(const char *dir, char *text,
                         const sn_report_file *files, size_t n)
{
    const size_t skip = strlen(LIST_LINE);
    for (char *line = strstr(text, LIST_LINE); line;
         line = strstr(line + 1, LIST_LINE)) {
        char *name = line + skip, *end = strstr(name, " -->\n");
        if (!end)
            break;
        *end = '\0';
        const size_t len = strlen(name);
        const int plain = len > 4 && !strchr(name, '/') && name[0] != '.' &&
                          (!strcmp(name + len - 4, ".svg") ||
                           !strcmp(name + len - 4, ".csv"));
        if (plain && !in_set(files, n, name)) {
            sn_buf path = {0};
            sn_buf_printf(&path, "%s/%s", dir, name);
            if (!sn_buf_failed(&path))
                unlink(path.data);
            sn_buf_free(&path);
        }
        *end = ' ';
        line = end;
    }
}

int sn_report_write_files(const char *dir, const sn_report_file *files,
                          size_t n, size_t *written, sn_error *err)
{
    if (written)
        *written = 0;
    if (sn_report_prepare_dir(dir, err) != 0)
        return -1;
    sn_buf index = {0};
    sn_buf_printf(&index, "%s/index.html", dir);
    if (sn_buf_failed(&index))
        return sn_set_error(err, "out of memory");
    /* The old page's list, then the old page out of the way. */
    char *old = NULL;
    size_t old_len;
    sn_error ignored;
    if (sn_read_file(index.data, SN_REPORT_MAX_INDEX, &old, &old_len,
                     &ignored) != 0)
        old = NULL;
    if (unlink(index.data) != 0 && errno != ENOENT) {
        const int e = errno;
        sn_buf_free(&index);
        free(old);
        return sn_set_error(err, "cannot replace %s/index.html: %s", dir,
                            strerror(e));
    }
    sn_buf_free(&index);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const sn_report_file *f = &files[i];
        rc = sn_report_write_file(dir, f->name, f->text.data ? f->text.data : "",
                                  f->text.len, err);
        if (rc == 0 && written)
            (*written)++;
    }
    if (rc != 0)
        sn_prefix_error(err, "the report in %s is incomplete (no index.html): ",
                        dir);
    else if (old)
        remove_stale(dir, old, files, n);
    free(old);
    return rc;
}
