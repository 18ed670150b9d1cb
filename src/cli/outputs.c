/* outputs.c - output files checked up front; paths in messages
 * (outputs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "outputs.h"

const char *cli_short_path(const char *path, char *buf, size_t max)
{
    const size_t len = strlen(path);
    if (len <= max || max < 16)
        return path;
    /* Keep more of the end: the file name tells most. */
    size_t head = (max - 3) / 3, tail = max - 3 - head;
    while (head > 0 && ((unsigned char)path[head] & 0xC0) == 0x80)
        head--; /* do not cut a character: start the "..." before it */
    size_t from = len - tail;
    while (from < len && ((unsigned char)path[from] & 0xC0) == 0x80)
        from++;
    snprintf(buf, max + 1, "%.*s...%s", (int)head, path, path + from);
    return buf;
}

/* The folder part of path ("." if none), in a new string. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Where a symbolic link at path leads, following a chain of them; NULL
 * if path is not a link (or on an error, which the check then meets). */
static char *follow_links(const char *path)
{
    char *cur = NULL;
    for (int depth = 0; depth < 40; depth++) {
        const char *p = cur ? cur : path;
        struct stat st;
        if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur;
        char target[PATH_MAX];
        const ssize_t n = readlink(p, target, sizeof target - 1);
        if (n < 0)
            return cur;
        target[n] = '\0';
        char *next;
        if (target[0] == '/') {
            next = strdup(target);
        } else {
            char *dir = folder_of(p);
            const size_t len = dir ? strlen(dir) + strlen(target) + 2 : 0;
            next = dir ? malloc(len) : NULL;
            if (next)
                snprintf(next, len, "%s/%s", dir, target);
            free(dir);
        }
        free(cur);
        cur = next;
        if (!cur)
            return NULL;
    }
    return cur; /* a loop: the check's stat says ELOOP */
}

/* Why path cannot be written as a new regular file, or NULL if it can:
 * a probe file is created next to it and removed. */
static const char *why_unwritable(const char *path, char *why, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return "is a folder";
        if (!S_ISREG(st.st_mode))
            return "exists and is not a regular file; refusing to replace "
                   "it";
    } else if (errno != ENOENT) {
        snprintf(why, len, "%s", strerror(errno));
        return why;
    }
    char *dir = folder_of(path);
    if (!dir)
        return "out of memory";
    const char *bad = NULL;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            snprintf(why, len, "its folder does not exist");
        else
            snprintf(why, len, "its folder cannot be used: %s",
                     strerror(errno));
        bad = why;
    } else if (!S_ISDIR(st.st_mode)) {
        bad = "its folder is not a folder";
    }
    free(dir);
    if (bad)
        return bad;
    const size_t n = strlen(path) + sizeof ".tmp.XXXXXX";
    char *probe = malloc(n);
    if (!probe)
        return "out of memory";
    snprintf(probe, n, "%s.tmp.XXXXXX", path);
    const int fd = mkstemp(probe);
    if (fd < 0) {
        snprintf(why, len, "cannot create a file in its folder: %s",
                 strerror(errno));
        bad = why;
    } else {
        close(fd);
        unlink(probe);
    }
    free(probe);
    return bad;
}

/* The file path names: its inode if it exists, else its folder's with
 * the name; 0 if neither can be found. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    const char *name; /* NULL: an existing file */
} file_id;

static int identify(const char *path, file_id *id)
{
    struct stat st;
    *id = (file_id){0};
    if (stat(path, &st) == 0) {
        *id = (file_id){st.st_dev, st.st_ino, NULL};
        return 1;
    }
    char *dir = folder_of(path);
    const int found = dir && stat(dir, &st) == 0;
    free(dir);
    if (!found)
        return 0;
    const char *slash = strrchr(path, '/');
    *id = (file_id){st.st_dev, st.st_ino, slash ? slash + 1 : path};
    return 1;
}

static int same_id(const file_id *a, const file_id *b)
{
    if (a->dev != b->dev || a->ino != b->ino || !a->name != !b->name)
        return 0;
    return !a->name || !strcmp(a->name, b->name);
}

int cli_outputs_check(const char *cmd, cli_output *outs, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        cli_output *o = &outs[i];
        if (!*o->path)
            continue;
        char shown[CLI_PATH_MAX_SHOWN + 1], why[256];
        o->target = follow_links(*o->path);
        if (o->target)
            *o->path = o->target;
        const char *bad = why_unwritable(*o->path, why, sizeof why);
        if (bad) {
            cli_error(cmd, "%s %s: %s", o->flag,
                      cli_short_path(*o->path, shown, CLI_PATH_MAX_SHOWN),
                      bad);
            rc = EXIT_FAIL;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            file_id a, b;
            if (!*outs[i].path || !*outs[j].path ||
                !identify(*outs[i].path, &a) || !identify(*outs[j].path, &b) ||
                !same_id(&a, &b))
                continue;
            char shown[CLI_PATH_MAX_SHOWN + 1];
            cli_error(cmd, "%s and %s name the same file, %s: one would "
                           "overwrite the other", outs[i].flag, outs[j].flag,
                      cli_short_path(*outs[j].path, shown,
                                     CLI_PATH_MAX_SHOWN));
            rc = EXIT_USAGE;
        }
    return rc;
}

int cli_input_check(const char *cmd, const char *flag, const char *path)
{
    /* A short path leaves room for the reader's own, more exact, words. */
    if (strlen(path) <= CLI_PATH_MAX_SHOWN)
        return 0;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    char shown[CLI_PATH_MAX_SHOWN + 1];
    cli_error(cmd, "%s %s: cannot open: %s", flag,
              cli_short_path(path, shown, CLI_PATH_MAX_SHOWN),
              strerror(errno));
    return -1;
}

void cli_outputs_free(cli_output *outs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(outs[i].target);
        outs[i].target = NULL;
    }
}
