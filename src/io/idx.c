/*
 * idx.c - reading labelled image sets in the IDX format of MNIST.
 *
 * An IDX file is a big-endian header (magic number, then one 32-bit size per
 * dimension) followed by the data. Images: magic 0x00000803, count, rows,
 * cols, then count*rows*cols pixels. Labels: magic 0x00000801, count, then
 * count bytes. Files may be raw or one gzip stream, told apart by content
 * (zfile.h), so a renamed file still loads; nothing may follow the gzip
 * stream.
 *
 * The header is a promise the file must keep exactly: fewer bytes is
 * truncation, more is a sign that the dimensions are wrong. Memory follows the
 * data, not the promise: a 20-byte file whose header claims gigabytes fails
 * as truncated without ever allocating them.
 */
#include "simdnet.h"

#include "alloc.h"
#include "error.h"
#include "read_file.h"
#include "zfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IDX_MAGIC_LABELS 0x00000801u
#define IDX_MAGIC_IMAGES 0x00000803u

/* Largest header: magic and three dimensions. */
#define IDX_MAX_HEADER 16

/* A compressed file's data may be up to 1032 times its size (deflate's
 * limit), so a header's promise cannot be checked before reading. The buffer
 * starts at this multiple of the file's size and doubles as data actually
 * arrives. MNIST compresses about 5:1 (Fashion-MNIST 2:1), so it arrives in
 * one allocation with no copy. */
#define GZ_GUESS_RATIO 16u

/* How far past the promised data we look when reporting trailing bytes. */
#define TRAILING_PROBE_BYTES 4096

/* One open IDX file. file_bytes is known only for regular files. */
typedef struct idx_file {
    const char *path;
    sn_zfile z;
    int size_known;
    uint64_t file_bytes;
    uint32_t magic;
    uint32_t dims[3];
    size_t header_bytes;
} idx_file;

static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static const char *format_name(const idx_file *f)
{
    return sn_zfile_is_gzip(&f->z) ? "decompressed data" : "file";
}

static int idx_open(idx_file *f, const char *path, sn_error *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    if (path == NULL || *path == '\0')
        return sn_set_error(err, "no file name given");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sn_set_error(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return sn_set_error(err, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return sn_set_error(err, "%s: is a directory, not an IDX file", path);
    }
    if (S_ISREG(st.st_mode)) {
        if (st.st_size == 0) {
            close(fd);
            return sn_set_error(err, "%s: file is empty (0 bytes)", path);
        }
        f->size_known = 1;
        f->file_bytes = (uint64_t)st.st_size;
    }
    return sn_zfile_open(&f->z, fd, path, err);
}

static void idx_close(idx_file *f)
{
    sn_zfile_close(&f->z);
}

/* Reads up to len bytes; fewer only at the end of the data. */
static int idx_read(idx_file *f, void *buf, size_t len, size_t *got,
                    sn_error *err)
{
    return sn_zfile_read(&f->z, buf, len, got, err);
}

/* idx_read as a source for sn_read_growing. */
static int idx_source(void *src, void *buf, size_t len, size_t *got,
                      sn_error *err)
{
    return idx_read(src, buf, len, got, err);
}

static const char *describe_magic(uint32_t magic)
{
    switch (magic) {
    case IDX_MAGIC_IMAGES: return "an IDX images file";
    case IDX_MAGIC_LABELS: return "an IDX labels file";
    default: break;
    }
    if ((magic >> 16) == 0)
        return "an IDX file of another type or shape";
    return "not an IDX file";
}

static int idx_read_header(idx_file *f, uint32_t expected_magic,
                           unsigned ndims, const char *what, sn_error *err)
{
    unsigned char hdr[IDX_MAX_HEADER];
    size_t want = 4 + 4 * (size_t)ndims;
    size_t got = 0;
    if (idx_read(f, hdr, want, &got, err) != 0)
        return -1;
    if (got == 0 && !sn_zfile_cut_short(&f->z))
        return sn_set_error(err, "%s: file is empty (its %s holds 0 bytes)",
                            f->path, format_name(f));
    if (got < want)
        return sn_set_error(err,
                            "%s: truncated header: expected %zu bytes, got "
                            "%zu%s", f->path, want, got,
                            sn_zfile_cut_short(&f->z)
                                ? " (the gzip stream is cut short)" : "");
    f->magic = load_be32(hdr);
    if (f->magic != expected_magic) {
        int swapped = (expected_magic == IDX_MAGIC_IMAGES &&
                       f->magic == IDX_MAGIC_LABELS) ||
                      (expected_magic == IDX_MAGIC_LABELS &&
                       f->magic == IDX_MAGIC_IMAGES);
        return sn_set_error(err,
                            "%s: wrong magic number 0x%08x (%s), expected "
                            "0x%08x for IDX %s%s",
                            f->path, (unsigned)f->magic,
                            describe_magic(f->magic), (unsigned)expected_magic,
                            what,
                            swapped ? "; are the images and labels files "
                                      "swapped?" : "");
    }
    for (unsigned i = 0; i < ndims; i++)
        f->dims[i] = load_be32(hdr + 4 + 4 * i);
    f->header_bytes = want;
    return 0;
}

static int truncated_error(const idx_file *f, const char *promise,
                           uint64_t expected, uint64_t got, sn_error *err)
{
    return sn_set_error(err,
                        "%s: truncated: expected %llu bytes of data after the "
                        "%zu-byte header (%s), got %llu%s",
                        f->path, (unsigned long long)expected,
                        f->header_bytes, promise, (unsigned long long)got,
                        sn_zfile_cut_short(&f->z) ? " (the gzip stream is cut short)"
                                            : "");
}

static int trailing_error(const idx_file *f, const char *promise,
                          const char *hint, uint64_t expected, uint64_t extra,
                          int at_least, sn_error *err)
{
    return sn_set_error(err,
                        "%s: %s%llu trailing bytes beyond the %llu bytes the "
                        "header promises (%s); %s",
                        f->path, at_least ? "at least " : "",
                        (unsigned long long)extra,
                        (unsigned long long)expected, promise, hint);
}

/* Reads exactly `expected` bytes of data after the header into a new
 * SN_ALIGN-aligned buffer, and checks that nothing follows them. `promise`
 * says in words what the header promised and `hint` what trailing bytes
 * suggest, for the messages. */
static int idx_read_body(idx_file *f, size_t expected, const char *promise,
                         const char *hint, uint8_t **out, sn_error *err)
{
    *out = NULL;
    size_t capacity = expected; /* the first buffer */
    if (f->size_known && !sn_zfile_is_gzip(&f->z)) {
        /* Raw file: its size settles the question before any allocation. */
        uint64_t body = f->file_bytes - f->header_bytes;
        if (body < expected)
            return truncated_error(f, promise, expected, body, err);
        if (body > expected)
            return trailing_error(f, promise, hint, expected,
                                  body - expected, 0, err);
    } else if (f->size_known) {
        uint64_t guess = f->file_bytes * GZ_GUESS_RATIO;
        if (guess < capacity)
            capacity = (size_t)guess;
    } else if (capacity > SN_GROW_START_BYTES) {
        /* A pipe: no size to go by, so the buffer grows as data arrives. */
        capacity = SN_GROW_START_BYTES;
    }

    uint8_t *buf = NULL;
    size_t got = 0;
    if (sn_read_growing(idx_source, f, expected, capacity, f->path, promise,
                        &buf, &got, err) != 0)
        return -1;
    if (got < expected) {
        truncated_error(f, promise, expected, got, err);
        goto fail;
    }

    /* Reading past the end makes inflate check the gzip trailer (CRC and
     * length), so silent corruption is caught here too, and anything after
     * the gzip stream is refused. */
    unsigned char probe[TRAILING_PROBE_BYTES];
    size_t extra = 0;
    if (idx_read(f, probe, sizeof probe, &extra, err) != 0)
        goto fail;
    if (extra > 0) {
        trailing_error(f, promise, hint, expected, extra,
                       extra == sizeof probe, err);
        goto fail;
    }
    if (sn_zfile_cut_short(&f->z)) {
        sn_set_error(err, "%s: truncated gzip stream: the data is all there "
                     "but the stream's end is not (unexpected end of file)",
                     f->path);
        goto fail;
    }
    *out = buf;
    return 0;

fail:
    sn_free(buf);
    return -1;
}

/* The images header: count, rows, cols, each sane, and their product in
 * range of size_t. */
static int check_image_dims(const idx_file *f, size_t *count, size_t *rows,
                            size_t *cols, sn_error *err)
{
    *count = f->dims[0];
    *rows = f->dims[1];
    *cols = f->dims[2];
    if (*count == 0)
        return sn_set_error(err, "%s: the header says 0 images", f->path);
    if (*rows == 0 || *cols == 0)
        return sn_set_error(err, "%s: the header says images of %zux%zu "
                            "pixels; both must be at least 1",
                            f->path, *rows, *cols);
    /* No network has an input layer wider than SN_MAX_WIDTH, so a larger
     * image can only be a corrupt header. */
    if (*rows > SN_MAX_WIDTH || *cols > SN_MAX_WIDTH ||
        *rows * *cols > SN_MAX_WIDTH)
        return sn_set_error(err, "%s: the header says images of %zux%zu "
                            "pixels, more than the largest input layer "
                            "(%u pixels)", f->path, *rows, *cols,
                            (unsigned)SN_MAX_WIDTH);
    if (*count > SIZE_MAX / (*rows * *cols))
        return sn_set_error(err, "%s: %zu images of %zux%zu pixels are too "
                            "many bytes for this machine's size_t",
                            f->path, *count, *rows, *cols);
    return 0;
}

int sn_dataset_read_idx(sn_dataset *ds, const char *images_path,
                        const char *labels_path, unsigned max_label,
                        sn_error *err)
{
    if (ds == NULL)
        return sn_set_error(err, "sn_dataset_read_idx: no dataset given");
    memset(ds, 0, sizeof *ds);

    int rc = -1;
    idx_file img, lab;
    sn_dataset d = {0};
    char img_promise[128], lab_promise[64];

    memset(&lab, 0, sizeof lab);
    if (idx_open(&img, images_path, err) != 0)
        return -1;
    if (idx_open(&lab, labels_path, err) != 0)
        goto done;

    /* Both headers first, so that a count mismatch is reported before
     * either body is read. */
    if (idx_read_header(&img, IDX_MAGIC_IMAGES, 3, "images", err) != 0 ||
        check_image_dims(&img, &d.count, &d.rows, &d.cols, err) != 0)
        goto done;
    if (idx_read_header(&lab, IDX_MAGIC_LABELS, 1, "labels", err) != 0)
        goto done;
    size_t nlabels = lab.dims[0];
    if (nlabels != d.count) {
        sn_set_error(err, "image and label counts differ: %s holds %zu "
                     "images, %s holds %zu labels",
                     images_path, d.count, labels_path, nlabels);
        goto done;
    }

    d.input_size = d.rows * d.cols;
    snprintf(img_promise, sizeof img_promise, "%zu images of %zux%zu pixels",
             d.count, d.rows, d.cols);
    snprintf(lab_promise, sizeof lab_promise, "%zu labels", d.count);
    if (idx_read_body(&img, d.count * d.input_size, img_promise,
                      "are the image dimensions wrong?", &d.pixels, err) != 0 ||
        idx_read_body(&lab, d.count, lab_promise, "is the label count wrong?",
                      &d.labels, err) != 0)
        goto done;

    if (max_label != 0) {
        for (size_t i = 0; i < d.count; i++) {
            if (d.labels[i] >= max_label) {
                sn_set_error(err, "%s: label %u of sample %zu is out of "
                             "range: labels must be below %u",
                             labels_path, (unsigned)d.labels[i], i,
                             max_label);
                goto done;
            }
        }
    }
    *ds = d;
    d = (sn_dataset){0};
    rc = 0;

done:
    idx_close(&img);
    idx_close(&lab);
    sn_dataset_free(&d);
    return rc;
}

/* ------------------------------------------------------------------ files */

static const char *const split_names[2][2] = {
    [SN_SPLIT_TRAIN] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
    [SN_SPLIT_TEST] = {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
};

/* Picks "<dir>/<name>.gz" if it exists, else "<dir>/<name>". Returns 0 if
 * either exists (or cannot be checked: opening it will then say why), 1 if
 * neither does, -1 if the path is too long. */
static int find_file(char *path, size_t size, const char *dir,
                     const char *name)
{
    struct stat st;
    int n = snprintf(path, size, "%s/%s.gz", dir, name);
    if (n < 0 || (size_t)n >= size)
        return -1;
    if (stat(path, &st) == 0 || errno != ENOENT)
        return 0;
    snprintf(path, size, "%s/%s", dir, name);
    if (stat(path, &st) == 0 || errno != ENOENT)
        return 0;
    return 1;
}

int sn_dataset_load(sn_dataset *ds, const char *dir, sn_split split,
                    unsigned max_label, sn_error *err)
{
    if (ds == NULL)
        return sn_set_error(err, "sn_dataset_load: no dataset given");
    memset(ds, 0, sizeof *ds);
    if (split != SN_SPLIT_TRAIN && split != SN_SPLIT_TEST)
        return sn_set_error(err, "sn_dataset_load: unknown split %d",
                            (int)split);
    if (dir == NULL || *dir == '\0')
        dir = ".";

    const char *const *names = split_names[split];
    char paths[2][4096];
    int missing[2];
    for (int i = 0; i < 2; i++) {
        missing[i] = find_file(paths[i], sizeof paths[i], dir, names[i]);
        if (missing[i] < 0)
            return sn_set_error(err, "%s: directory name too long", dir);
    }
    if (missing[0] || missing[1]) {
        char looked[512] = "";
        for (int i = 0; i < 2; i++) {
            if (!missing[i])
                continue;
            size_t used = strlen(looked);
            snprintf(looked + used, sizeof looked - used, "%s%s.gz or %s",
                     used ? ", and " : "", names[i], names[i]);
        }
        /* What is missing only: how to get it is the caller's to say (an
         * installed library has no tools/ folder). */
        return sn_set_error(err, "MNIST %s set not found in %s: looked for %s",
                            split == SN_SPLIT_TRAIN ? "training" : "test",
                            dir, looked);
    }
    return sn_dataset_read_idx(ds, paths[0], paths[1], max_label, err);
}

void sn_dataset_free(sn_dataset *ds)
{
    if (ds == NULL)
        return;
    sn_free(ds->pixels);
    sn_free(ds->labels);
    memset(ds, 0, sizeof *ds);
}
