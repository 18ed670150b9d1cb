/* atomic_file.c - old file or whole new file, never half (atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int sn_atomic_open(sn_atomic_file *af, const char *path, sn_error *err)
{
    memset(af, 0, sizeof *af);
    af->path = path;
    af->crc = crc32_z(0L, Z_NULL, 0);
    if (path == NULL || *path == '\0')
        return sn_set_error(err, "no file name given");
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return sn_set_error(err, "%s: exists and is not a regular file; "
                                 "refusing to replace it", path);
    const size_t len = strlen(path) + sizeof ".tmp.XXXXXX";
    af->tmp = malloc(len);
    if (!af->tmp)
        return sn_set_error(err, "%s: out of memory", path);
    snprintf(af->tmp, len, "%s.tmp.XXXXXX", path);
    const int fd = mkstemp(af->tmp);
    if (fd < 0) {
        sn_set_error(err, "%s: cannot create a temporary file next to it: %s",
                     path, strerror(errno));
        free(af->tmp);
        af->tmp = NULL;
        return -1;
    }
    /* mkstemp makes the file 0600; a model or a report is not private. */
    const mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        sn_set_error(err, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(af->tmp);
        free(af->tmp);
        af->tmp = NULL;
        return -1;
    }
    return 0;
}

void sn_atomic_write(sn_atomic_file *af, const void *buf, size_t n)
{
    if (af->failed || n == 0)
        return;
    af->crc = crc32_z(af->crc, buf, n);
    if (fwrite(buf, 1, n, af->f) != n) {
        af->failed = 1;
        af->saved_errno = errno;
    }
}

void sn_atomic_abort(sn_atomic_file *af)
{
    if (af->f)
        fclose(af->f);
    if (af->tmp) {
        unlink(af->tmp);
        free(af->tmp);
    }
    memset(af, 0, sizeof *af);
}

/* The folder's entry for the new name must reach the disk too, or a crash
 * right after the rename could bring back the old file (or none). */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash) {
        strcpy(dir, ".");
    } else {
        const size_t n = slash == path ? 1 : (size_t)(slash - path);
        if (n >= sizeof dir)
            return;
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    const int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* some file systems refuse; the data is safe */
        close(fd);
    }
}

static void note_failure(sn_atomic_file *af)
{
    if (!af->failed) {
        af->failed = 1;
        af->saved_errno = errno;
    }
}

int sn_atomic_commit(sn_atomic_file *af, sn_error *err)
{
    if (ferror(af->f))
        note_failure(af);
    if (!af->failed && (fflush(af->f) != 0 || fsync(fileno(af->f)) != 0))
        note_failure(af);
    /* The last buffered bytes are written by fclose: check it too. */
    const int closed = fclose(af->f);
    af->f = NULL;
    if (closed != 0)
        note_failure(af);
    if (!af->failed && rename(af->tmp, af->path) != 0)
        note_failure(af);
    if (af->failed) {
        sn_set_error(err, "%s: cannot write: %s (the previous file, if any, "
                          "is unchanged)", af->path,
                     strerror(af->saved_errno ? af->saved_errno : EIO));
        sn_atomic_abort(af);
        return -1;
    }
    sync_folder(af->path);
    free(af->tmp);
    memset(af, 0, sizeof *af);
    return 0;
}
