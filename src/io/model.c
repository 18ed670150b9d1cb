/* model.c - saving and loading networks; the format is docs/model-format.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "atomic_file.h"
#include "bytes.h"
#include "error.h"
#include "read_file.h"
#include "simdnet.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model.c assumes a little-endian host (float32 written as stored)"
#endif

static const char model_magic[8] = {'S', 'I', 'M', 'D', 'N', 'E', 'T', 'M'};
enum { MODEL_VERSION = 1 };

/* Largest header: magic, version, nsizes, the sizes, nparams. */
#define MODEL_MAX_HEADER (8 + 4 + 4 + 4 * SN_MAX_LAYERS + 8)

int sn_model_save(const sn_net *net, const char *path, sn_error *err)
{
    unsigned char head[MODEL_MAX_HEADER];
    const size_t nsizes = net->nlayers + 1;
    sn_put_cursor c = sn_put_begin(head, sizeof head);
    sn_put_bytes(&c, model_magic, 8);
    sn_put_next_u32(&c, MODEL_VERSION);
    sn_put_next_u32(&c, (uint32_t)nsizes);
    for (size_t i = 0; i < nsizes; i++)
        sn_put_next_u32(&c, (uint32_t)net->sizes[i]);
    sn_put_next_u64(&c, net->nparams);
    if (c.failed)
        return sn_set_error(err, "%s: %zu layer sizes do not fit a model "
                                 "header", path, nsizes);

    sn_atomic_file af;
    if (sn_atomic_open(&af, path, err) != 0)
        return -1;
    sn_atomic_write(&af, head, c.pos);
    sn_atomic_write(&af, net->params, net->nparams * sizeof(float));
    unsigned char tail[4];
    sn_put_u32(tail, (uint32_t)af.crc);
    sn_atomic_write(&af, tail, 4);
    return sn_atomic_commit(&af, err);
}

int sn_model_load(sn_net *net, const char *path, sn_error *err)
{
    memset(net, 0, sizeof *net);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s: cannot open the model: %s", path,
                            strerror(errno));
    unsigned char head[MODEL_MAX_HEADER];
    int rc = -1;
    sn_net tmp = {0};
    unsigned char *streamed = NULL; /* a pipe's parameters and checksum */

    if (fread(head, 1, 16, f) != 16) {
        sn_set_error(err, "%s: not a simdnet model (shorter than its header)",
                     path);
        goto out;
    }
    sn_get_cursor c = sn_get_begin(head, 16);
    if (memcmp(sn_get_bytes(&c, 8), model_magic, 8) != 0) {
        sn_set_error(err, "%s: not a simdnet model (bad magic)", path);
        goto out;
    }
    const uint32_t version = sn_get_next_u32(&c);
    if (version != MODEL_VERSION) {
        sn_set_error(err, "%s: model version %u, this simdnet reads version %d",
                     path, version, MODEL_VERSION);
        goto out;
    }
    const uint32_t nsizes = sn_get_next_u32(&c);
    if (nsizes < 2 || nsizes > SN_MAX_LAYERS) {
        sn_set_error(err, "%s: corrupt model: %u layer sizes (expected 2 to %d)",
                     path, nsizes, SN_MAX_LAYERS);
        goto out;
    }
    const size_t head_len = 24 + 4 * (size_t)nsizes;
    if (fread(head + 16, 1, head_len - 16, f) != head_len - 16) {
        sn_set_error(err, "%s: truncated model (header cut short)", path);
        goto out;
    }
    c = sn_get_begin(head, head_len);
    (void)sn_get_bytes(&c, 16);
    size_t sizes[SN_MAX_LAYERS];
    for (uint32_t i = 0; i < nsizes; i++)
        sizes[i] = sn_get_next_u32(&c);
    const uint64_t nparams = sn_get_next_u64(&c);
    size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS], need;
    if (sn_net_shape(sizes, nsizes, w_off, b_off, &need, err) != 0) {
        sn_prefix_error(err, "%s: corrupt model: ", path);
        goto out;
    }
    if (nparams != need) {
        sn_set_error(err, "%s: corrupt model: it declares %llu parameters, "
                          "its layer sizes need %zu", path,
                     (unsigned long long)nparams, need);
        goto out;
    }
    /* Allocate only what the file's length can justify (need is at most
     * SN_MAX_PARAMS: these sums cannot wrap). */
    const size_t bytes = need * sizeof(float);
    const uint64_t total = head_len + (uint64_t)bytes + 4;
    struct stat st;
    const int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (regular && (uint64_t)st.st_size != total) {
        sn_set_error(err, "%s: %s model: %lld bytes, its header needs %llu",
                     path, (uint64_t)st.st_size < total ? "truncated"
                                                        : "corrupt",
                     (long long)st.st_size, (unsigned long long)total);
        goto out;
    }
    /* A pipe has no length: read what it holds (parameters, checksum and
     * one byte more to see that it ends) before allocating the network. */
    size_t streamed_len = 0;
    if (!regular) {
        sn_stdio_source src = {f, path};
        if (sn_read_growing(sn_stdio_read, &src, bytes + 5, SN_GROW_START_BYTES,
                            path, "the parameters", &streamed, &streamed_len,
                            err) != 0)
            goto out;
        if (streamed_len < bytes) {
            sn_set_error(err, "%s: truncated model (parameters cut short)",
                         path);
            goto out;
        }
    }
    if (sn_net_create(&tmp, sizes, nsizes, err) != 0) {
        sn_prefix_error(err, "%s: ", path);
        goto out;
    }
    if (streamed) {
        memcpy(tmp.params, streamed, bytes);
    } else if (fread(tmp.params, 1, bytes, f) != bytes) {
        sn_set_error(err, "%s: truncated model (parameters cut short)", path);
        goto out;
    }
    unsigned char tail[5];
    size_t got;
    if (streamed) {
        got = streamed_len - bytes;
        memcpy(tail, streamed + bytes, got);
    } else {
        got = fread(tail, 1, 5, f);
    }
    if (got < 4) {
        sn_set_error(err, "%s: truncated model (checksum missing)", path);
        goto out;
    }
    if (got > 4) {
        sn_set_error(err, "%s: corrupt model: bytes after the checksum", path);
        goto out;
    }
    const uint32_t crc = sn_crc32(sn_crc32(0, head, head_len), tmp.params,
                                  bytes);
    if (!sn_crc_trailer_ok(crc, tail)) {
        sn_set_error(err, "%s: corrupt model: checksum mismatch", path);
        goto out;
    }
    *net = tmp;
    memset(&tmp, 0, sizeof tmp);
    rc = 0;
out:
    sn_free(streamed);
    sn_net_free(&tmp);
    fclose(f);
    return rc;
}
