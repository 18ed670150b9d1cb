/*
 * test_idx.c - the IDX reader: good files raw and compressed, the standard
 * MNIST names, and one test per kind of bad file, each asserting the message
 * that names the problem and that the dataset is left zeroed.
 *
 * Every test writes its own files into a fresh temporary directory. The real
 * MNIST is checked too when test_mnist_dir() finds it, and the test says so
 * when it is skipped.
 */
#include "simdnet.h"
#include "test_support.h"
#include "alloc.h"
#include "read_file.h"
#include "zfile.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC_IMAGES 0x00000803u
#define MAGIC_LABELS 0x00000801u

/* ------------------------------------------------------------------ fixture */

static char tmpdir[64];

static void make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/simdnet-idx-XXXXXX",
             base && *base && strlen(base) < 40 ? base : "/tmp");
    cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(tmpdir);
}

TestSuite(idx, .init = make_tmpdir, .fini = remove_tmpdir, .timeout = 30);

/* ------------------------------------------------------------------ files */

typedef struct blob {
    unsigned char *data;
    size_t len;
} blob;

static void blob_free(blob *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Pixel i of a smooth, compressible test pattern: varies along the row, the
 * column and the sample, so a mix-up of any of them shows. */
static unsigned char pattern_pixel(size_t i)
{
    return (unsigned char)(i * 7 + i / 97 * 13);
}

/* Pixel i of flat images, one grey level each: compresses about 1000:1. */
static unsigned char flat_pixel(size_t i)
{
    return (unsigned char)(i / 784 % 251);
}

/* Pixel i of incompressible noise (xorshift), which zlib stores verbatim. */
static unsigned char noise_pixel(size_t i)
{
    uint64_t x = i * 0x9E3779B97F4A7C15ull + 1;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return (unsigned char)(x >> 24);
}

static unsigned char label_of(size_t i)
{
    return (unsigned char)((i * 3 + 1) % 10);
}

/* An images file whose header says count x rows x cols, followed by exactly
 * `payload` pixel bytes (which need not match the header). */
static blob images_blob(uint32_t magic, uint32_t count, uint32_t rows,
                        uint32_t cols, size_t payload,
                        unsigned char (*pixel)(size_t))
{
    blob b = {malloc(16 + payload), 16 + payload};
    cr_assert_not_null(b.data);
    put_be32(b.data, magic);
    put_be32(b.data + 4, count);
    put_be32(b.data + 8, rows);
    put_be32(b.data + 12, cols);
    for (size_t i = 0; i < payload; i++)
        b.data[16 + i] = pixel(i);
    return b;
}

static blob good_images(uint32_t count, uint32_t rows, uint32_t cols)
{
    return images_blob(MAGIC_IMAGES, count, rows, cols,
                       (size_t)count * rows * cols, pattern_pixel);
}

static blob labels_blob(uint32_t magic, uint32_t count, size_t payload)
{
    blob b = {malloc(8 + payload), 8 + payload};
    cr_assert_not_null(b.data);
    put_be32(b.data, magic);
    put_be32(b.data + 4, count);
    for (size_t i = 0; i < payload; i++)
        b.data[8 + i] = label_of(i);
    return b;
}

static blob good_labels(uint32_t count)
{
    return labels_blob(MAGIC_LABELS, count, count);
}

/* Path of `name` inside the temporary directory. */
static void tmp_path(char *path, const char *name)
{
    snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
}

static void write_raw(char *path, const char *name, const void *data,
                      size_t len)
{
    tmp_path(path, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void write_gz(char *path, const char *name, const void *data,
                     size_t len)
{
    tmp_path(path, name);
    gzFile gz = gzopen(path, "wb6");
    cr_assert_not_null(gz, "%s: %s", path, strerror(errno));
    if (len > 0)
        cr_assert_eq(gzwrite(gz, data, (unsigned)len), (int)len);
    cr_assert_eq(gzclose(gz), Z_OK);
}

static blob read_whole(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    blob b = {malloc((size_t)n + 1), (size_t)n};
    cr_assert_not_null(b.data);
    cr_assert_eq(fread(b.data, 1, b.len, f), b.len);
    fclose(f);
    return b;
}

/* Makes a FIFO called `name` and a child that writes b into it and exits;
 * the caller reads the FIFO and waits for the child. b is freed here, in
 * both processes. */
static pid_t spawn_fifo_writer(char *path, const char *name, blob *b)
{
    tmp_path(path, name);
    cr_assert_eq(mkfifo(path, 0600), 0, "mkfifo: %s", strerror(errno));
    fflush(NULL);
    pid_t writer = fork();
    cr_assert_neq(writer, -1, "fork: %s", strerror(errno));
    if (writer == 0) {
        /* Killed by SIGPIPE if the reader stops early, as a pipe should. */
        signal(SIGPIPE, SIG_DFL);
        FILE *f = fopen(path, "wb");
        int ok = f && fwrite(b->data, 1, b->len, f) == b->len;
        ok = f && fclose(f) == 0 && ok;
        blob_free(b);
        _exit(ok ? 0 : 1);
    }
    blob_free(b);
    return writer;
}

/* ------------------------------------------------------------------ checks */

static void assert_zeroed(const sn_dataset *ds)
{
    static const sn_dataset zero;
    cr_assert(memcmp(ds, &zero, sizeof zero) == 0,
              "dataset not left zeroed (count %zu, pixels %p)", ds->count,
              (void *)ds->pixels);
}

/* The message names every one of the NULL-terminated substrings. */
static void assert_message(const sn_error *err, ...)
{
    va_list ap;
    va_start(ap, err);
    for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
        cr_assert(strstr(err->msg, s) != NULL,
                  "message \"%s\" lacks \"%s\"", err->msg, s);
    va_end(ap);
}

/* Reads the pair, expects failure, a zeroed dataset, and a message naming
 * every substring. The dataset starts full of garbage, as a caller's
 * uninitialised struct would. */
/* Writes a case's images and labels, each raw (0) or gzip (1), to new
 * files named in ipath and lpath, and frees both blobs. */
static void write_pair(char *ipath, blob *im, int im_gz, char *lpath,
                       blob *lb, int lb_gz)
{
    (im_gz ? write_gz : write_raw)(ipath, "images", im->data, im->len);
    (lb_gz ? write_gz : write_raw)(lpath, "labels", lb->data, lb->len);
    blob_free(im);
    blob_free(lb);
}

/* write_pair with one of the files gzipped (gz_labels: the labels, else
 * the images) and its compressed bytes read back, for the case to damage
 * and put back with rewrite(). */
static blob write_pair_gzip_one(char *ipath, blob *im, char *lpath, blob *lb,
                                int gz_labels)
{
    write_pair(ipath, im, !gz_labels, lpath, lb, gz_labels);
    return read_whole(gz_labels ? lpath : ipath);
}

/* Replaces the file at path with len bytes of data. */
static void rewrite(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

#define expect_read_failure(images, labels, max_label, ...)                  \
    do {                                                                     \
        sn_dataset ds_;                                                      \
        sn_error err_ = {{0}};                                               \
        memset(&ds_, 0x5a, sizeof ds_);                                      \
        cr_assert_eq(sn_dataset_read_idx(&ds_, images, labels, max_label,    \
                                         &err_), -1,                         \
                     "reading %s and %s should fail", images, labels);      \
        assert_zeroed(&ds_);                                                 \
        assert_message(&err_, __VA_ARGS__, (const char *)NULL);              \
    } while (0)

/* The dataset holds exactly the pixels `pixel` made and good_labels' labels. */
static void assert_dataset_holds(const sn_dataset *ds, size_t count,
                                 size_t rows, size_t cols,
                                 unsigned char (*pixel)(size_t))
{
    cr_assert_eq(ds->count, count);
    cr_assert_eq(ds->rows, rows);
    cr_assert_eq(ds->cols, cols);
    cr_assert_eq(ds->input_size, rows * cols);
    cr_assert_not_null(ds->pixels);
    cr_assert_not_null(ds->labels);
    cr_assert_eq((uintptr_t)ds->pixels % 64, 0, "pixels not 64-byte aligned");
    for (size_t i = 0; i < count * rows * cols; i++)
        cr_assert_eq(ds->pixels[i], pixel(i), "pixel %zu", i);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq(ds->labels[i], label_of(i), "label %zu", i);
}

/* The dataset holds exactly what good_images/good_labels wrote. */
static void assert_good_dataset(const sn_dataset *ds, size_t count,
                                size_t rows, size_t cols)
{
    assert_dataset_holds(ds, count, rows, cols, pattern_pixel);
}

/* ------------------------------------------------------------------ good */

static void check_good_pair(int gz_images, int gz_labels, uint32_t count,
                            uint32_t rows, uint32_t cols)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(count, rows, cols), lb = good_labels(count);
    (gz_images ? write_gz : write_raw)(ipath, "images", im.data, im.len);
    (gz_labels ? write_gz : write_raw)(lpath, "labels", lb.data, lb.len);
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_read_idx(&ds, ipath, lpath, 10, &err), 0, "%s",
                 err.msg);
    assert_good_dataset(&ds, count, rows, cols);
    sn_dataset_free(&ds);
    assert_zeroed(&ds);
    blob_free(&im);
    blob_free(&lb);
}

Test(idx, reads_raw_files)
{
    check_good_pair(0, 0, 100, 28, 28);
}

Test(idx, reads_gzip_files)
{
    check_good_pair(1, 1, 100, 28, 28);
}

Test(idx, reads_a_mix_of_raw_and_gzip)
{
    check_good_pair(1, 0, 50, 5, 7);
}

Test(idx, keeps_rows_and_cols_apart)
{
    check_good_pair(0, 1, 3, 2, 9);
}

Test(idx, detects_gzip_from_content_not_name)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(20, 4, 4), lb = good_labels(20);
    write_gz(ipath, "images.raw", im.data, im.len);
    write_raw(lpath, "labels.gz", lb.data, lb.len);
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_read_idx(&ds, ipath, lpath, 10, &err), 0, "%s",
                 err.msg);
    assert_good_dataset(&ds, 20, 4, 4);
    sn_dataset_free(&ds);
    blob_free(&im);
    blob_free(&lb);
}

Test(idx, skips_the_label_check_when_max_label_is_zero)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    lb.data[8 + 4] = 255;
    write_pair(ipath, &im, 0, lpath, &lb, 0);
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_read_idx(&ds, ipath, lpath, 0, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(ds.labels[4], 255);
    sn_dataset_free(&ds);
}

/* A FIFO has no size to go by: the reader must grow its buffer as the data
 * arrives (3 MB here, past its first 1 MB). */
Test(idx, reads_images_from_a_pipe)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    const uint32_t count = 4000;
    blob im = good_images(count, 28, 28), lb = good_labels(count);
    write_raw(lpath, "labels", lb.data, lb.len);
    blob_free(&lb);
    pid_t writer = spawn_fifo_writer(ipath, "images.fifo", &im);
    sn_dataset ds;
    sn_error err = {{0}};
    int rc = sn_dataset_read_idx(&ds, ipath, lpath, 10, &err);
    int status = 0;
    waitpid(writer, &status, 0);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "the writer failed");
    assert_good_dataset(&ds, count, 28, 28);
    sn_dataset_free(&ds);
}

/* sn_read_file, the reader of the report's bench JSON and index: a file of
 * exactly max bytes is read; one byte more is refused, a regular file from
 * its size and a FIFO (whose size is unknown) by counting what arrives. */
Test(idx, read_file_holds_its_limit_for_files_and_fifos)
{
    enum { MAX = 1000 };
    unsigned char bytes[MAX + 1];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + 1);
    char path[PATH_MAX];
    char *data;
    size_t len;
    sn_error err = {{0}};

    write_raw(path, "exact", bytes, MAX);
    cr_assert_eq(sn_read_file(path, MAX, &data, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, (size_t)MAX);
    cr_assert(memcmp(data, bytes, MAX) == 0);
    cr_assert_eq(data[MAX], 0, "text readers rely on the terminating 0");
    sn_free(data);

    write_raw(path, "over", bytes, MAX + 1);
    cr_assert_eq(sn_read_file(path, MAX, &data, &len, &err), -1);
    cr_assert_null(data);
    cr_assert_not_null(strstr(err.msg, "larger than the 1000 bytes this "
                                       "reader accepts (1001 bytes)"),
                       "%s", err.msg);

    for (size_t n = MAX; n <= MAX + 1; n++) {
        blob b = {malloc(n), n};
        cr_assert_not_null(b.data);
        memcpy(b.data, bytes, n);
        pid_t writer = spawn_fifo_writer(path, n == MAX ? "exact.fifo"
                                                        : "over.fifo", &b);
        const int rc = sn_read_file(path, MAX, &data, &len, &err);
        waitpid(writer, NULL, 0);
        if (n == MAX) {
            cr_assert_eq(rc, 0, "%s", err.msg);
            cr_assert_eq(len, n);
            cr_assert(memcmp(data, bytes, n) == 0);
            sn_free(data);
        } else {
            cr_assert_eq(rc, -1);
            cr_assert_null(data);
            cr_assert_not_null(strstr(err.msg, "larger than the 1000 bytes"),
                               "%s", err.msg);
        }
    }
}

/* A .gz far smaller than its data: the buffer starts small and grows as the
 * data arrives (1.5 MB from a 3 kB file). */
Test(idx, reads_highly_compressed_data)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    const uint32_t count = 2000;
    blob im = images_blob(MAGIC_IMAGES, count, 28, 28,
                          (size_t)count * 28 * 28, flat_pixel);
    blob lb = good_labels(count);
    write_gz(ipath, "images.gz", im.data, im.len);
    write_raw(lpath, "labels", lb.data, lb.len);
    blob gz = read_whole(ipath);
    cr_assert_lt(gz.len * 64, im.len, "test data compresses only %zu:%zu",
                 im.len, gz.len);
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_read_idx(&ds, ipath, lpath, 10, &err), 0, "%s",
                 err.msg);
    assert_dataset_holds(&ds, count, 28, 28, flat_pixel);
    sn_dataset_free(&ds);
    blob_free(&gz);
    blob_free(&im);
    blob_free(&lb);
}

Test(idx, free_is_safe_on_a_zeroed_dataset)
{
    sn_dataset ds = {0};
    sn_dataset_free(&ds);
    sn_dataset_free(NULL);
    assert_zeroed(&ds);
}

/* ------------------------------------------------------------------ load */

static void write_split(const char *prefix, uint32_t count, int gz)
{
    char path[PATH_MAX], name[128];
    blob im = good_images(count, 28, 28), lb = good_labels(count);
    snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", prefix,
             gz ? ".gz" : "");
    (gz ? write_gz : write_raw)(path, name, im.data, im.len);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", prefix,
             gz ? ".gz" : "");
    (gz ? write_gz : write_raw)(path, name, lb.data, lb.len);
    blob_free(&im);
    blob_free(&lb);
}

/* sn_dataset_load finds split in the temporary directory: count good
 * samples of 28x28 (write_split's). */
static void assert_loads(sn_split split, size_t count)
{
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_load(&ds, tmpdir, split, 10, &err), 0, "%s",
                 err.msg);
    assert_good_dataset(&ds, count, 28, 28);
    sn_dataset_free(&ds);
}

Test(idx, load_finds_the_gzip_names)
{
    write_split("train", 30, 1);
    write_split("t10k", 20, 1);
    assert_loads(SN_SPLIT_TRAIN, 30);
    assert_loads(SN_SPLIT_TEST, 20);
}

Test(idx, load_falls_back_to_the_raw_names)
{
    write_split("t10k", 25, 0);
    assert_loads(SN_SPLIT_TEST, 25);
}

Test(idx, load_prefers_gzip_over_raw)
{
    write_split("train", 40, 1);
    write_split("train", 15, 0);
    assert_loads(SN_SPLIT_TRAIN, 40);
}

Test(idx, load_names_the_missing_files_and_nothing_else)
{
    sn_dataset ds;
    sn_error err = {{0}};
    memset(&ds, 0x5a, sizeof ds);
    cr_assert_eq(sn_dataset_load(&ds, tmpdir, SN_SPLIT_TRAIN, 10, &err), -1);
    assert_zeroed(&ds);
    assert_message(&err, tmpdir, "train-images-idx3-ubyte.gz",
                   "or train-images-idx3-ubyte,",
                   "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte",
                   (const char *)NULL);
    cr_assert_null(strstr(err.msg, "--"), "library mentions a flag: %s",
                   err.msg);
    /* The library says what is missing; how to get it is the CLI's. */
    cr_assert_null(strstr(err.msg, "fetch-mnist"), "%s", err.msg);
}

Test(idx, load_names_only_the_missing_labels)
{
    char path[PATH_MAX];
    blob im = good_images(5, 28, 28);
    write_gz(path, "t10k-images-idx3-ubyte.gz", im.data, im.len);
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_load(&ds, tmpdir, SN_SPLIT_TEST, 10, &err), -1);
    assert_zeroed(&ds);
    assert_message(&err, "t10k-labels-idx1-ubyte.gz", (const char *)NULL);
    cr_assert_null(strstr(err.msg, "t10k-images"), "%s", err.msg);
    blob_free(&im);
}

Test(idx, load_passes_on_errors_of_the_files_it_found)
{
    char path[PATH_MAX];
    write_split("train", 10, 1);
    blob lb = good_labels(10);
    lb.data[8 + 3] = 10;
    write_gz(path, "train-labels-idx1-ubyte.gz", lb.data, lb.len);
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_load(&ds, tmpdir, SN_SPLIT_TRAIN, 10, &err), -1);
    assert_zeroed(&ds);
    assert_message(&err, path, "label 10 of sample 3", (const char *)NULL);
    blob_free(&lb);
}

/* ------------------------------------------------------------------ bad */

Test(idx, refuses_a_wrong_magic)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = images_blob(0x00000804u, 10, 2, 2, 40, pattern_pixel);
    blob lb = good_labels(10);
    write_pair(ipath, &im, 0, lpath, &lb, 0);
    expect_read_failure(ipath, lpath, 10, ipath, "wrong magic number 0x00000804",
                        "expected 0x00000803");
}

Test(idx, refuses_a_wrong_labels_magic)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2);
    blob lb = labels_blob(0x00000901u, 10, 10);
    write_pair(ipath, &im, 0, lpath, &lb, 1);
    expect_read_failure(ipath, lpath, 10, lpath, "0x00000901",
                        "expected 0x00000801");
}

Test(idx, refuses_a_file_that_is_not_idx)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    const char text[] = "hello, this is not an IDX file at all\n";
    blob lb = good_labels(10);
    write_gz(ipath, "images", text, sizeof text - 1);
    write_raw(lpath, "labels", lb.data, lb.len);
    expect_read_failure(ipath, lpath, 10, ipath, "wrong magic number",
                        "not an IDX file");
    blob_free(&lb);
}

Test(idx, hints_that_swapped_files_are_swapped)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    write_pair(ipath, &im, 0, lpath, &lb, 1);
    expect_read_failure(lpath, ipath, 10, lpath, "0x00000801",
                        "expected 0x00000803", "swapped");
}

Test(idx, refuses_truncated_images_raw_and_gzip)
{
    for (int gz = 0; gz <= 1; gz++) {
        char ipath[PATH_MAX], lpath[PATH_MAX];
        /* The header promises 100 images of 5x7 (3500 bytes); 3000 follow. */
        blob im = images_blob(MAGIC_IMAGES, 100, 5, 7, 3000, pattern_pixel);
        blob lb = good_labels(100);
        write_pair(ipath, &im, gz, lpath, &lb, 0);
        expect_read_failure(ipath, lpath, 10, ipath, "truncated",
                            "100 images of 5x7", "expected 3500", "got 3000");
    }
}

Test(idx, refuses_truncated_labels)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(100, 2, 2), lb = labels_blob(MAGIC_LABELS, 100, 64);
    write_pair(ipath, &im, 1, lpath, &lb, 1);
    expect_read_failure(ipath, lpath, 10, lpath, "truncated", "100 labels",
                        "expected 100", "got 64");
}

Test(idx, refuses_a_truncated_header)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    write_raw(ipath, "images", im.data, 10);
    write_raw(lpath, "labels", lb.data, lb.len);
    expect_read_failure(ipath, lpath, 10, ipath, "truncated header",
                        "expected 16 bytes, got 10");
    blob_free(&im);
    blob_free(&lb);
}

/* The header says 27x28 but the data holds 28x28 images: 28 bytes too many
 * per image. */
Test(idx, refuses_dims_that_do_not_match_the_size_raw_and_gzip)
{
    for (int gz = 0; gz <= 1; gz++) {
        char ipath[PATH_MAX], lpath[PATH_MAX];
        blob im = images_blob(MAGIC_IMAGES, 50, 27, 28, 50 * 28 * 28,
                              pattern_pixel);
        blob lb = good_labels(50);
        write_pair(ipath, &im, gz, lpath, &lb, 0);
        expect_read_failure(ipath, lpath, 10, ipath, "1400 trailing bytes",
                            "37800 bytes the header promises",
                            "50 images of 27x28");
    }
}

Test(idx, refuses_trailing_label_bytes)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = labels_blob(MAGIC_LABELS, 10, 12);
    write_pair(ipath, &im, 0, lpath, &lb, 0);
    expect_read_failure(ipath, lpath, 10, lpath, "2 trailing bytes");
}

Test(idx, refuses_a_count_mismatch)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(100, 2, 2), lb = good_labels(99);
    write_pair(ipath, &im, 0, lpath, &lb, 1);
    expect_read_failure(ipath, lpath, 10, "counts differ", ipath,
                        "100 images", lpath, "99 labels");
}

Test(idx, refuses_a_label_out_of_range)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(20, 2, 2), lb = good_labels(20);
    lb.data[8 + 7] = 10;
    write_pair(ipath, &im, 0, lpath, &lb, 0);
    expect_read_failure(ipath, lpath, 10, lpath, "label 10 of sample 7",
                        "below 10");
    /* The limit is the caller's: 10 is fine below 11, 9 is not below 5. */
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_read_idx(&ds, ipath, lpath, 11, &err), 0, "%s",
                 err.msg);
    sn_dataset_free(&ds);
    expect_read_failure(ipath, lpath, 5, "label 7 of sample 2", "below 5");
}

Test(idx, refuses_an_empty_file)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob lb = good_labels(10);
    write_raw(ipath, "images", "", 0);
    write_raw(lpath, "labels", lb.data, lb.len);
    expect_read_failure(ipath, lpath, 10, ipath, "empty");
    blob_free(&lb);
}

Test(idx, refuses_an_empty_gzip_stream)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2);
    write_raw(ipath, "images", im.data, im.len);
    write_gz(lpath, "labels", "", 0);
    expect_read_failure(ipath, lpath, 10, lpath, "empty",
                        "decompressed data holds 0 bytes");
    blob_free(&im);
}

Test(idx, refuses_a_missing_file)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob lb = good_labels(10);
    tmp_path(ipath, "no-such-images");
    write_raw(lpath, "labels", lb.data, lb.len);
    expect_read_failure(ipath, lpath, 10, ipath, "cannot open",
                        strerror(ENOENT));
    tmp_path(lpath, "no-such-labels");
    blob im = good_images(10, 2, 2);
    write_raw(ipath, "images", im.data, im.len);
    expect_read_failure(ipath, lpath, 10, lpath, "cannot open",
                        strerror(ENOENT));
    blob_free(&im);
    blob_free(&lb);
}

Test(idx, refuses_a_directory)
{
    char lpath[PATH_MAX];
    blob lb = good_labels(10);
    write_raw(lpath, "labels", lb.data, lb.len);
    expect_read_failure(tmpdir, lpath, 10, tmpdir, "is a directory");
    blob_free(&lb);
}

Test(idx, refuses_zero_dimensions)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob lb = good_labels(10);
    write_raw(lpath, "labels", lb.data, lb.len);
    blob im = images_blob(MAGIC_IMAGES, 0, 28, 28, 0, pattern_pixel);
    write_raw(ipath, "images0", im.data, im.len);
    expect_read_failure(ipath, lpath, 10, ipath, "0 images");
    blob_free(&im);
    im = images_blob(MAGIC_IMAGES, 10, 28, 0, 0, pattern_pixel);
    write_raw(ipath, "images1", im.data, im.len);
    expect_read_failure(ipath, lpath, 10, ipath, "28x0 pixels");
    blob_free(&im);
    blob_free(&lb);
}

Test(idx, refuses_absurd_dimensions)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob lb = good_labels(10);
    blob im = images_blob(MAGIC_IMAGES, 10, 4096, 4096, 64, pattern_pixel);
    write_pair(ipath, &im, 0, lpath, &lb, 0);
    expect_read_failure(ipath, lpath, 10, ipath, "4096x4096",
                        "largest input layer");
}

/* Flips bytes in the middle of a valid .gz of `pixel` data. */
static void check_corrupt_gzip(unsigned char (*pixel)(size_t),
                               const char *detail)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = images_blob(MAGIC_IMAGES, 100, 28, 28, 78400, pixel);
    blob lb = good_labels(100);
    blob gz = write_pair_gzip_one(ipath, &im, lpath, &lb, 0);
    cr_assert_gt(gz.len, 200);
    for (size_t i = gz.len / 2; i < gz.len / 2 + 8; i++)
        gz.data[i] ^= 0xa5;
    rewrite(ipath, gz.data, gz.len);
    expect_read_failure(ipath, lpath, 10, ipath, "corrupt gzip data", detail);
    blob_free(&gz);
}

Test(idx, refuses_corrupt_compressed_data)
{
    check_corrupt_gzip(pattern_pixel, ": ");
}

/* Noise is stored verbatim, so inflate cannot notice the flip: only the CRC
 * in the gzip trailer can, which zlib checks once the data is read to its
 * end. */
Test(idx, refuses_corrupt_data_that_only_the_crc_catches)
{
    check_corrupt_gzip(noise_pixel, "incorrect data check");
}

Test(idx, refuses_a_gzip_stream_cut_in_half)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(100, 28, 28), lb = good_labels(100);
    blob gz = write_pair_gzip_one(ipath, &im, lpath, &lb, 0);
    rewrite(ipath, gz.data, gz.len / 2);
    expect_read_failure(ipath, lpath, 10, ipath, "truncated", "expected 78400",
                        "gzip stream is cut short");
    blob_free(&gz);
}

/* All the data is there but not the gzip trailer (CRC and length). */
Test(idx, refuses_a_gzip_stream_without_its_trailer)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    blob gz = write_pair_gzip_one(ipath, &im, lpath, &lb, 1);
    rewrite(lpath, gz.data, gz.len - 8);
    expect_read_failure(ipath, lpath, 10, lpath, "truncated gzip stream");
    blob_free(&gz);
}

/* ------------------------------------------------------------------ memory */

/* Bytes of address space this process holds now. */
static size_t address_space_now(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* Reads the pair in a child whose address space may grow by 64 MiB only, so
 * that trying to allocate what a lying header claims fails loudly instead of
 * being overcommitted. The child must fail with a message naming `expect`,
 * and quickly. */
static void expect_failure_without_allocating(const char *images,
                                              const char *labels,
                                              const char *expect)
{
    size_t now = address_space_now();
    cr_assert_gt(now, 0, "cannot read /proc/self/statm");
    fflush(NULL);
    pid_t child = fork();
    cr_assert_neq(child, -1);
    if (child == 0) {
        struct rlimit lim = {now + ((size_t)64 << 20), now + ((size_t)64 << 20)};
        if (setrlimit(RLIMIT_AS, &lim) != 0)
            _exit(10);
        sn_dataset ds;
        sn_error err = {{0}};
        int rc = sn_dataset_read_idx(&ds, images, labels, 10, &err);
        static const sn_dataset zero;
        if (rc == 0)
            _exit(11);
        if (memcmp(&ds, &zero, sizeof ds) != 0)
            _exit(12);
        if (strstr(err.msg, expect) == NULL) {
            fprintf(stderr, "message: %s\n", err.msg);
            _exit(13);
        }
        _exit(0);
    }
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status), "child died of signal %d",
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    cr_assert_eq(WEXITSTATUS(status), 0,
                 "child exit %d (10 setrlimit, 11 success, 12 not zeroed, "
                 "13 wrong message, see stderr)", WEXITSTATUS(status));
}

/* 3 million images of 28x28 is 2.35 GB; the files hold 16 and 8 bytes. */
Test(idx, refuses_a_header_claiming_gigabytes_without_allocating_raw_and_gzip,
     .timeout = 10)
{
    for (int gz = 0; gz <= 1; gz++) {
        char ipath[PATH_MAX], lpath[PATH_MAX];
        const uint32_t count = 3000000;
        blob im = images_blob(MAGIC_IMAGES, count, 28, 28, 0, pattern_pixel);
        blob lb = labels_blob(MAGIC_LABELS, count, 0);
        write_pair(ipath, &im, gz, lpath, &lb, gz);
        expect_failure_without_allocating(ipath, lpath, "truncated");
    }
}

/* A pipe gives no size up front; the buffer still grows only as data comes. */
Test(idx, refuses_a_piped_header_claiming_gigabytes_without_allocating,
     .timeout = 5)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    const uint32_t count = 3000000;
    blob im = images_blob(MAGIC_IMAGES, count, 28, 28, 2 << 20, noise_pixel);
    blob lb = labels_blob(MAGIC_LABELS, count, 0);
    write_raw(lpath, "labels", lb.data, lb.len);
    blob_free(&lb);
    pid_t writer = spawn_fifo_writer(ipath, "images.fifo", &im);
    expect_failure_without_allocating(ipath, lpath, "got 2097152");
    waitpid(writer, NULL, 0);
}

/* ------------------------------------------------------------------ MNIST */

/* Facts from shared/data/mnist/README.md. */
static void check_mnist_split(const char *dir, sn_split split, size_t count,
                              const unsigned char first[10],
                              const size_t per_class[10], double mean255)
{
    sn_dataset ds;
    sn_error err = {{0}};
    cr_assert_eq(sn_dataset_load(&ds, dir, split, 10, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(ds.count, count);
    cr_assert_eq(ds.rows, 28);
    cr_assert_eq(ds.cols, 28);
    cr_assert_eq(ds.input_size, 784);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(ds.labels[i], first[i], "label %d", i);
    size_t seen[10] = {0};
    for (size_t i = 0; i < ds.count; i++)
        seen[ds.labels[i]]++;
    for (int c = 0; c < 10; c++)
        cr_assert_eq(seen[c], per_class[c], "class %d", c);
    uint64_t sum = 0;
    for (size_t i = 0; i < ds.count * ds.input_size; i++)
        sum += ds.pixels[i];
    double mean = (double)sum / (double)(ds.count * ds.input_size) / 255.0;
    cr_assert(mean > mean255 - 5e-5 && mean < mean255 + 5e-5,
              "pixel mean/255 %.5f, expected %.4f", mean, mean255);
    sn_dataset_free(&ds);
}

Test(mnist, reads_the_real_mnist, .timeout = 60)
{
    const char *dir = test_mnist_dir();
    if (dir == NULL)
        cr_skip_test("MNIST not found (set SIMDNET_DATA, or run "
                     "tools/fetch-mnist.sh data/mnist)");
    static const unsigned char train_first[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    static const unsigned char test_first[10] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    static const size_t train_counts[10] = {5923, 6742, 5958, 6131, 5842,
                                            5421, 5918, 6265, 5851, 5949};
    static const size_t test_counts[10] = {980, 1135, 1032, 1010, 982,
                                           892, 958, 1028, 974, 1009};
    check_mnist_split(dir, SN_SPLIT_TRAIN, 60000, train_first, train_counts,
                      0.1307);
    check_mnist_split(dir, SN_SPLIT_TEST, 10000, test_first, test_counts,
                      0.1325);
}

/* ------------------------------------------------------------------ after the gzip stream */

/* A .gz of the labels followed by `tail` (n bytes), appended raw. */
static void write_gz_then(char *path, const char *name, const blob *data,
                          const void *tail, size_t n)
{
    write_gz(path, name, data->data, data->len);
    FILE *f = fopen(path, "ab");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(tail, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
}

/* gzip -t reports trailing garbage and gunzip skips it with a warning:
 * a data file is its one stream and nothing else. */
Test(idx, refuses_garbage_after_the_gzip_stream)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    write_raw(ipath, "images", im.data, im.len);
    for (size_t n = 1; n <= 9; n += 4) {
        write_gz_then(lpath, "labels.gz", &lb, "garbage!!", n);
        expect_read_failure(ipath, lpath, 10, lpath, "not gzip data",
                            "trailing garbage");
    }
    /* A zero byte, as padding to a block size leaves, is garbage too. */
    write_gz_then(lpath, "labels.gz", &lb, "", 1);
    expect_read_failure(ipath, lpath, 10, lpath, "trailing garbage");
    blob_free(&im);
    blob_free(&lb);
}

/* Concatenated members are one file to gunzip; here they are refused,
 * whether the second is empty or holds the rest of the data. */
Test(idx, refuses_a_second_gzip_member)
{
    char ipath[PATH_MAX], lpath[PATH_MAX], spare[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    write_raw(ipath, "images", im.data, im.len);
    write_gz(spare, "empty.gz", "", 0);
    blob empty = read_whole(spare);
    write_gz_then(lpath, "labels.gz", &lb, empty.data, empty.len);
    expect_read_failure(ipath, lpath, 10, lpath, "second gzip member");

    /* The labels split across two members: all the data, two streams. */
    blob head = {lb.data, 8}, rest_data = {lb.data + 8, lb.len - 8};
    write_gz(spare, "rest.gz", rest_data.data, rest_data.len);
    blob rest = read_whole(spare);
    write_gz_then(lpath, "labels.gz", &head, rest.data, rest.len);
    expect_read_failure(ipath, lpath, 10, lpath, "second gzip member");

    /* The same file as one member loads. */
    write_gz(lpath, "labels.gz", lb.data, lb.len);
    sn_dataset ds;
    sn_error err;
    cr_expect_eq(sn_dataset_read_idx(&ds, ipath, lpath, 10, &err), 0, "%s",
                 err.msg);
    sn_dataset_free(&ds);
    blob_free(&empty);
    blob_free(&rest);
    blob_free(&im);
    blob_free(&lb);
}

/* ------------------------------------------------------------------ one call */

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Opens path as the IDX reader does and reads its 16-byte header through
 * the stream. */
static void open_past_header(sn_zfile *z, const char *path)
{
    sn_error err = {{0}};
    int fd = open(path, O_RDONLY);
    cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
    cr_assert_eq(sn_zfile_open(z, fd, path, &err), 0, "%s", err.msg);
    unsigned char hdr[16];
    size_t got = 0;
    cr_assert_eq(sn_zfile_read(z, hdr, sizeof hdr, &got, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(got, sizeof hdr);
}

/* A good .gz goes through libdeflate in one call; a length that is not the
 * trailer's is declined, and the stream then reads on from the header as
 * if nothing had happened. */
Test(idx, inflates_a_whole_member_in_one_call)
{
    char ipath[PATH_MAX];
    const uint32_t count = 300;
    const size_t body = (size_t)count * 28 * 28;
    blob im = good_images(count, 28, 28);
    write_gz(ipath, "images.gz", im.data, im.len);

    sn_zfile z;
    unsigned char *buf = NULL;
    open_past_header(&z, ipath);
    cr_assert_eq(sn_zfile_inflate_whole(&z, body, &buf), 1);
    cr_assert_eq((uintptr_t)buf % 64, 0);
    cr_assert(memcmp(buf, im.data + 16, body) == 0);
    sn_free(buf);
    sn_zfile_close(&z);

    for (int delta = -1; delta <= 1; delta += 2) {
        open_past_header(&z, ipath);
        cr_assert_eq(sn_zfile_inflate_whole(&z, body + delta, &buf), 0,
                     "took %zu bytes", body + delta);
        cr_assert_null(buf);
        unsigned char *rest = malloc(body + 1);
        size_t got = 0;
        sn_error err = {{0}};
        cr_assert_eq(sn_zfile_read(&z, rest, body + 1, &got, &err), 0, "%s",
                     err.msg);
        cr_assert_eq(got, body);
        cr_assert(memcmp(rest, im.data + 16, body) == 0);
        free(rest);
        sn_zfile_close(&z);
    }
    blob_free(&im);
}

/* Bytes after the member that repeat its trailer's length fool the trailer
 * check, not libdeflate's end: refused as garbage all the same. */
Test(idx, refuses_garbage_that_repeats_the_trailer)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    blob im = good_images(10, 2, 2), lb = good_labels(10);
    write_raw(ipath, "images", im.data, im.len);
    unsigned char isize[4];
    put_le32(isize, (uint32_t)lb.len);
    write_gz_then(lpath, "labels.gz", &lb, isize, sizeof isize);
    expect_read_failure(ipath, lpath, 10, lpath, "trailing garbage");
    blob_free(&im);
    blob_free(&lb);
}

/* A trailer that agrees with a header claiming 2.35 GB, in a file of a few
 * kB: deflate cannot expand that far, so the one call is not tried (and
 * were it tried, its allocation failing under the limit would leave the
 * stream to read on), and the stream finds the trailer false. Noise after
 * the header keeps the header's read from reaching the trailer. */
Test(idx, refuses_a_gzip_trailer_claiming_gigabytes_without_allocating,
     .timeout = 5)
{
    char ipath[PATH_MAX], lpath[PATH_MAX];
    const uint32_t count = 3000000;
    blob im = images_blob(MAGIC_IMAGES, count, 28, 28, 4096, noise_pixel);
    blob lb = labels_blob(MAGIC_LABELS, count, 0);
    blob gz = write_pair_gzip_one(ipath, &im, lpath, &lb, 0);
    put_le32(gz.data + gz.len - 4, (uint32_t)(16 + (uint64_t)count * 784));
    rewrite(ipath, gz.data, gz.len);
    expect_failure_without_allocating(ipath, lpath, "corrupt gzip data");
    blob_free(&gz);
}
