/*
 * fuzz_checkpoint_fields.c - structure-aware libFuzzer harness for the
 * checkpoint reader's field checks. The byte fuzzer (fuzz_checkpoint.c)
 * rarely gets past the CRC-32 trailer; this one starts from a valid
 * checkpoint made at start-up, sets header fields to values the input
 * chooses, recomputes the trailer, and loads the file. A checkpoint that
 * loads is resumed on the data it was made on and its epoch trained to its
 * end: it must run, or be refused with a message, never crash.
 *
 * The checkpoint is an Adam run with the cosine schedule (version 3: the
 * network's kinds, every optimizer field, the engine's paths and the
 * subnormals flag).
 *
 * Input: records of 9 bytes. Byte 0: the field (mod the field count; bit 7
 * set: the value is edges[byte 1 mod count] instead of bytes 1-8, little-
 * endian). Fields narrower than 8 bytes take the low bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_file.h"
#include "simdnet.h"

enum { INPUTS = 16, COUNT = 40, BATCH = 7, K = 28, H = 40 };

typedef struct field {
    size_t off, width;
} field;

/* docs/checkpoint-format.md, version 3, for layers 16-4-3 (3 sizes; the
 * kinds at 28, the fields at 40). */
static const field fields[] = {
    {8, 4},       {12, 4},      {16, 4},      {20, 4},      {24, 4},
    {K + 0, 4},   {K + 4, 4},   {K + 8, 4},
    {H + 0, 8},   {H + 8, 8},   {H + 16, 4},  {H + 20, 4},  {H + 24, 4},
    {H + 28, 4},  {H + 32, 8},  {H + 40, 4},  {H + 44, 4},  {H + 48, 4},
    {H + 52, 4},  {H + 56, 8},  {H + 64, 8},  {H + 72, 8},  {H + 80, 8},
    {H + 88, 8},  {H + 96, 8},  {H + 104, 8},
    {H + 112, 4}, {H + 116, 4}, {H + 120, 4}, {H + 124, 4}, {H + 128, 4},
    {H + 132, 4}, {H + 136, 4}, {H + 140, 8}, {H + 148, 8}, {H + 156, 8},
    {H + 164, 4}, {H + 168, 4}, {H + 172, 4},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const uint64_t edges[] = {
    0, 1, 2, 3, 5, 6, 7, 8, 16, 39, 40, 41, 1u << 31, (uint64_t)1 << 32,
    (uint64_t)1 << 63, UINT64_MAX, ((uint64_t)1 << 61) + 1, SN_MAX_EPOCHS,
    SN_MAX_EPOCHS + 1, SN_MAX_BATCH, SN_MAX_THREADS, SN_MAX_THREADS + 1,
    0x3f800000u /* 1.0f */, 0x7f800000u /* inf */, 0x7fc00000u /* NaN */,
    0x80000000u /* -0.0f */, 0x00000001u /* the smallest float */,
};
#define NEDGES (sizeof edges / sizeof edges[0])

static sn_dataset ds;
static unsigned char *good;
static size_t good_len;

/* A small data set, a network trained 1 epoch of 3, and its checkpoint
 * after batch 2 of epoch 2, costs kept. Aborts if any of it fails (the
 * harness's failure, not the reader's). */
static void make_good(void)
{
    ds.count = COUNT;
    ds.rows = 4;
    ds.cols = 4;
    ds.input_size = INPUTS;
    ds.pixels = calloc(COUNT * INPUTS, 1);
    ds.labels = calloc(COUNT, 1);
    if (!ds.pixels || !ds.labels)
        abort();
    for (size_t i = 0; i < COUNT; i++) {
        ds.labels[i] = (uint8_t)(i % 3);
        for (size_t j = 0; j < INPUTS; j++)
            ds.pixels[i * INPUTS + j] =
                (uint8_t)((j % 3 == i % 3) ? 50 + 13 * j : 0);
    }
    const size_t sizes[] = {INPUTS, 4, 3};
    sn_net net;
    sn_error err;
    if (sn_net_create(&net, sizes, 3, &err) != 0)
        abort();
    sn_net_init_uniform(&net, 1);
    /* Adam with the cosine schedule: two state arrays, and every
     * optimizer field is read. */
    sn_train_config cfg = sn_train_config_default();
    sn_train_config_optimizer(&cfg, SN_OPT_ADAM);
    cfg.schedule = SN_SCHEDULE_COSINE;
    cfg.epochs = 3;
    cfg.batch = BATCH;
    cfg.threads = 1;
    sn_trainer *t;
    if (sn_trainer_create(&t, &net, &cfg, &err) != 0)
        abort();
    const size_t nb = sn_batches_per_epoch(COUNT, BATCH);
    float costs[16];
    if (sn_train_epoch(t, &ds, 0, costs, NULL, &err) != 0 ||
        sn_train_batch(t, &ds, 0, BATCH, &costs[nb], &err) != 0 ||
        sn_train_batch(t, &ds, BATCH, BATCH, &costs[nb + 1], &err) != 0)
        abort();
    char dir[] = "/tmp/fuzz-ck.XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char path[64];
    snprintf(path, sizeof path, "%s/good.ck", dir);
    sn_run_state run = {
        .seed = 1, .epochs = 3, .epoch = 1, .batches_done = 2,
        .data_count = COUNT, .data_inputs = INPUTS,
        .data_crc = sn_dataset_crc(&ds), .costs = costs, .ncosts = nb + 2,
    };
    if (sn_checkpoint_save(t, &run, path, &err) != 0)
        abort();
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    good = malloc(4096);
    good_len = fread(good, 1, 4096, f);
    fclose(f);
    remove(path);
    remove(dir);
    if (good_len < H + 176 + 4 || good_len == 4096)
        abort();
    sn_trainer_free(t);
    sn_net_free(&net);
}

/* Resumes ck on the data and trains its epoch to the end. */
static void run_loaded(sn_checkpoint *ck)
{
    sn_error err;
    sn_train_config cfg = ck->cfg;
    cfg.threads = 1; /* may differ from the checkpoint's */
    sn_trainer *t;
    if (sn_trainer_create(&t, &ck->net, &cfg, &err) != 0) {
        if (err.msg[0] == '\0')
            abort();
        return;
    }
    if (sn_checkpoint_resume(ck, t, &ds, &err) != 0) {
        if (err.msg[0] == '\0')
            abort();
    } else if (ck->run.epoch < ck->run.epochs) {
        const size_t nb = sn_batches_per_epoch(ds.count, ck->cfg.batch);
        float *costs = calloc(nb, sizeof *costs);
        size_t done = 0;
        if (!costs)
            abort();
        if (sn_train_epoch_from(t, &ds, ck->run.epoch, ck->run.batches_done,
                                costs, NULL, &done, &err) == 0 && done != nb)
            abort();
        free(costs);
    }
    sn_trainer_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!good)
        make_good();
    unsigned char bytes[4096];
    memcpy(bytes, good, good_len);
    for (size_t r = 0; r + 9 <= size; r += 9) {
        const field *f = &fields[(data[r] & 0x7f) % NFIELDS];
        uint64_t v = 0;
        if (data[r] & 0x80) {
            v = edges[data[r + 1] % NEDGES];
        } else {
            for (int i = 0; i < 8; i++)
                v |= (uint64_t)data[r + 1 + i] << (8 * i);
        }
        for (size_t i = 0; i < f->width; i++)
            bytes[f->off + i] = (unsigned char)(v >> (8 * i));
    }
    const uint32_t crc = (uint32_t)crc32_z(0, bytes, good_len - 4);
    for (int i = 0; i < 4; i++)
        bytes[good_len - 4 + i] = (unsigned char)(crc >> (8 * i));

    fuzz_file f;
    fuzz_file_open(&f, bytes, good_len, 0);
    sn_checkpoint ck;
    sn_error err;
    if (sn_checkpoint_load(&ck, f.path, &err) == 0) {
        run_loaded(&ck);
        sn_checkpoint_free(&ck);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    fuzz_file_close(&f);
    return 0;
}
