/* model.c - saving and loading networks; the format is docs/model-format.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "atomic_file.h"
#include "error.h"
#include "simdnet.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model.c assumes a little-endian host (float32 written as stored)"
#endif

static const char model_magic[8] = {'S', 'I', 'M', 'D', 'N', 'E', 'T', 'M'};
enum { MODEL_VERSION = 1 };

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

int sn_model_save(const sn_net *net, const char *path, sn_error *err)
{
    unsigned char head[8 + 4 + 4 + 4 * SN_MAX_LAYERS + 8];
    const size_t nsizes = net->nlayers + 1;
    memcpy(head, model_magic, 8);
    put_u32(head + 8, MODEL_VERSION);
    put_u32(head + 12, (uint32_t)nsizes);
    for (size_t i = 0; i < nsizes; i++)
        put_u32(head + 16 + 4 * i, (uint32_t)net->sizes[i]);
    unsigned char *np = head + 16 + 4 * nsizes;
    put_u32(np, (uint32_t)net->nparams);
    put_u32(np + 4, (uint32_t)((uint64_t)net->nparams >> 32));
    const size_t head_len = 24 + 4 * nsizes;

    sn_atomic_file af;
    if (sn_atomic_open(&af, path, err) != 0)
        return -1;
    sn_atomic_write(&af, head, head_len);
    sn_atomic_write(&af, net->params, net->nparams * sizeof(float));
    unsigned char tail[4];
    put_u32(tail, (uint32_t)af.crc);
    sn_atomic_write(&af, tail, 4);
    return sn_atomic_commit(&af, err);
}

/* Reads up to `want` bytes of a stream whose length is unknown (a pipe)
 * into a buffer that grows only as the data arrives, so that a header's
 * claim alone allocates nothing. *got < want at the end of the stream. */
static unsigned char *read_growing(FILE *f, size_t want, size_t *got)
{
    size_t cap = want < ((size_t)1 << 20) ? want : (size_t)1 << 20;
    unsigned char *buf = malloc(cap);
    *got = 0;
    while (buf) {
        *got += fread(buf + *got, 1, cap - *got, f);
        if (*got < cap || cap == want)
            return buf;
        cap = cap > want / 2 ? want : 2 * cap;
        unsigned char *bigger = realloc(buf, cap);
        if (!bigger)
            free(buf);
        buf = bigger;
    }
    return NULL;
}

int sn_model_load(sn_net *net, const char *path, sn_error *err)
{
    memset(net, 0, sizeof *net);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s: cannot open the model: %s", path,
                            strerror(errno));
    unsigned char head[8 + 4 + 4 + 4 * SN_MAX_LAYERS + 8];
    int rc = -1;
    sn_net tmp = {0};
    unsigned char *streamed = NULL; /* a pipe's parameters and checksum */
    uLong crc = crc32_z(0L, Z_NULL, 0);

    if (fread(head, 1, 16, f) != 16) {
        sn_set_error(err, "%s: not a simdnet model (shorter than its header)",
                     path);
        goto out;
    }
    if (memcmp(head, model_magic, 8) != 0) {
        sn_set_error(err, "%s: not a simdnet model (bad magic)", path);
        goto out;
    }
    const uint32_t version = get_u32(head + 8);
    if (version != MODEL_VERSION) {
        sn_set_error(err, "%s: model version %u, this simdnet reads version %d",
                     path, version, MODEL_VERSION);
        goto out;
    }
    const uint32_t nsizes = get_u32(head + 12);
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
    size_t sizes[SN_MAX_LAYERS];
    for (uint32_t i = 0; i < nsizes; i++)
        sizes[i] = get_u32(head + 16 + 4 * i);
    size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS], need;
    if (sn_net_shape(sizes, nsizes, w_off, b_off, &need, err) != 0) {
        sn_prefix_error(err, "%s: corrupt model: ", path);
        goto out;
    }
    const unsigned char *np = head + 16 + 4 * nsizes;
    const uint64_t nparams = get_u32(np) | (uint64_t)get_u32(np + 4) << 32;
    if (nparams != need) {
        sn_set_error(err, "%s: corrupt model: it declares %llu parameters, "
                          "its layer sizes need %zu", path,
                     (unsigned long long)nparams, need);
        goto out;
    }
    /* Allocate only what the file's length can justify. */
    struct stat st;
    const int regular = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (regular &&
        (uint64_t)st.st_size != head_len + need * sizeof(float) + 4) {
        sn_set_error(err, "%s: %s model: %lld bytes, its header needs %zu",
                     path, (uint64_t)st.st_size < head_len + need * 4 + 4
                               ? "truncated" : "corrupt",
                     (long long)st.st_size, head_len + need * sizeof(float) + 4);
        goto out;
    }
    /* A pipe has no length: read what it holds (parameters, checksum and
     * one byte more to see that it ends) before allocating the network. */
    const size_t bytes = need * sizeof(float);
    size_t streamed_len = 0;
    if (!regular) {
        streamed = read_growing(f, bytes + 5, &streamed_len);
        if (!streamed) {
            sn_set_error(err, "%s: out of memory", path);
            goto out;
        }
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
    crc = crc32_z(crc, head, head_len);
    if (streamed) {
        memcpy(tmp.params, streamed, bytes);
    } else if (fread(tmp.params, 1, bytes, f) != bytes) {
        sn_set_error(err, "%s: truncated model (parameters cut short)", path);
        goto out;
    }
    crc = crc32_z(crc, (const unsigned char *)tmp.params, bytes);
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
    if (get_u32(tail) != (uint32_t)crc) {
        sn_set_error(err, "%s: corrupt model: checksum mismatch", path);
        goto out;
    }
    *net = tmp;
    memset(&tmp, 0, sizeof tmp);
    rc = 0;
out:
    free(streamed);
    sn_net_free(&tmp);
    fclose(f);
    return rc;
}
