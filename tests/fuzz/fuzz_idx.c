/*
 * fuzz_idx.c - libFuzzer harness for the IDX reader (sn_dataset_read_idx),
 * raw and gzip, from regular files and from pipes.
 *
 * Input: byte 0 is a set of flags (below), bytes 1-2 the images file's
 * length n (little-endian, cut to what is there), then n bytes of images
 * file and the rest for the labels file. A file the harness gzips is
 * compressed here, so the fuzzer explores what lies behind a valid gzip
 * layer; the fuzzer can also write gzip streams of its own (the seeds
 * have some) to reach zlib's error paths.
 *
 * A crash, a sanitizer report, a leak or an allocation beyond what the
 * input could justify (-malloc_limit_mb in tools/ci/ci-fuzz.sh) is a bug.
 */
#include <string.h>
#include <zlib.h>

#include "fuzz_file.h"
#include "simdnet.h"

enum {
    IMAGES_PIPE = 1,  /* the images through a pipe (size unknown) */
    LABELS_PIPE = 2,
    IMAGES_GZIP = 4,  /* the harness gzips the images bytes */
    LABELS_GZIP = 8,
    CHECK_LABELS = 16 /* max_label 10, as for MNIST; else 0 (no check) */
};

/* gzip of n bytes into a new buffer (level 1: the fuzzer wants speed). */
static uint8_t *gzip(const uint8_t *in, size_t n, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    const size_t cap = deflateBound(&z, n);
    uint8_t *out = malloc(cap);
    if (!out)
        abort();
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    const unsigned flags = data[0];
    size_t n_img = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3;
    size -= 3;
    if (n_img > size)
        n_img = size;
    const uint8_t *img = data, *lab = data + n_img;
    size_t n_lab = size - n_img;

    uint8_t *gz_img = NULL, *gz_lab = NULL;
    if (flags & IMAGES_GZIP)
        img = gz_img = gzip(img, n_img, &n_img);
    if (flags & LABELS_GZIP)
        lab = gz_lab = gzip(lab, n_lab, &n_lab);

    fuzz_file fi, fl;
    fuzz_file_open(&fi, img, n_img, flags & IMAGES_PIPE);
    fuzz_file_open(&fl, lab, n_lab, flags & LABELS_PIPE);
    const unsigned max_label = flags & CHECK_LABELS ? 10 : 0;
    sn_dataset ds;
    sn_error err;
    if (sn_dataset_read_idx(&ds, fi.path, fl.path, max_label, &err) == 0) {
        /* What a success promises: every pixel and label readable, the
         * shape consistent, labels in range. */
        if (ds.count == 0 || ds.input_size != ds.rows * ds.cols ||
            !ds.pixels || !ds.labels)
            abort();
        fuzz_touch(ds.pixels, ds.count * ds.input_size * sizeof *ds.pixels);
        fuzz_touch(ds.labels, ds.count * sizeof *ds.labels);
        for (size_t i = 0; i < ds.count && max_label; i++)
            if (ds.labels[i] >= max_label)
                abort();
        sn_dataset_free(&ds);
    } else if (err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof err.msg) == NULL) {
        abort(); /* a failure must say why */
    }
    fuzz_file_close(&fi);
    fuzz_file_close(&fl);
    free(gz_img);
    free(gz_lab);
    return 0;
}
