/*
 * checkpoint.c - a training run's whole state in one file, so that a run
 * stopped at any batch boundary (a signal, a crash after the last save, a
 * full disk) goes on to exactly the weights an uninterrupted run ends with.
 * The format is docs/checkpoint-format.md.
 *
 * What the state is: the parameters and AdaGrad's accumulators, the
 * configuration that decides the result, and the position (epoch, batches
 * of it done). The only randomness after initialisation is the shuffle,
 * whose order is a function of the seed and the epoch number alone
 * (train.c), so the seed and the position are the whole PRNG state.
 *
 * Reading follows the rules of the other readers: every field is checked
 * before it is believed, and nothing is allocated that the file's length
 * does not justify (a pipe's buffer grows only as data arrives).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "atomic_file.h"
#include "bytes.h"
#include "checked.h"
#include "optimizer.h"
#include "error.h"
#include "read_file.h"
#include "run_state.h"
#include "simdnet.h"
#include "trainer_access.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint.c assumes a little-endian host (float32 written as stored)"
#endif

static const char ck_magic[8] = {'S', 'I', 'M', 'D', 'N', 'E', 'T', 'C'};
enum { CK_VERSION = 3 };

/* Bytes of the fields after the layer sizes (and, from version 2, the
 * network's kinds): version 1's, then version 2's and version 3's additions
 * (docs/checkpoint-format.md). */
enum {
    FIELDS_V1_BYTES = 112,
    FIELDS_V2_BYTES = FIELDS_V1_BYTES + 52,
    FIELDS_V3_BYTES = FIELDS_V2_BYTES + 12,
};

/* The fields after the layer sizes as the file holds them, in file order,
 * before any is believed. Version 1 has up to ncosts. */
typedef struct ck_fields {
    uint64_t nparams, batch;
    float lr, eps;
    uint32_t optimizer, shuffle;
    uint64_t shuffle_seed;
    uint32_t engine, isa, threads, data_crc;
    uint64_t seed, epochs, epoch, batches_done, data_count, data_inputs;
    uint64_t ncosts;
    /* version 2 */
    float momentum, beta1, beta2, weight_decay, gamma;
    uint32_t schedule, nstates;
    uint64_t step_epochs, planned_epochs, step;
    /* version 3: the first-layer path and thread split that ran, and
     * whether subnormals were kept */
    uint32_t first_layer, thread_split, subnormals;
} ck_fields;

static void put_fields(sn_put_cursor *c, const ck_fields *v)
{
    sn_put_next_u64(c, v->nparams);
    sn_put_next_u64(c, v->batch);
    sn_put_next_f32(c, v->lr);
    sn_put_next_f32(c, v->eps);
    sn_put_next_u32(c, v->optimizer);
    sn_put_next_u32(c, v->shuffle);
    sn_put_next_u64(c, v->shuffle_seed);
    sn_put_next_u32(c, v->engine);
    sn_put_next_u32(c, v->isa);
    sn_put_next_u32(c, v->threads);
    sn_put_next_u32(c, v->data_crc);
    sn_put_next_u64(c, v->seed);
    sn_put_next_u64(c, v->epochs);
    sn_put_next_u64(c, v->epoch);
    sn_put_next_u64(c, v->batches_done);
    sn_put_next_u64(c, v->data_count);
    sn_put_next_u64(c, v->data_inputs);
    sn_put_next_u64(c, v->ncosts);
    sn_put_next_f32(c, v->momentum);
    sn_put_next_f32(c, v->beta1);
    sn_put_next_f32(c, v->beta2);
    sn_put_next_f32(c, v->weight_decay);
    sn_put_next_f32(c, v->gamma);
    sn_put_next_u32(c, v->schedule);
    sn_put_next_u32(c, v->nstates);
    sn_put_next_u64(c, v->step_epochs);
    sn_put_next_u64(c, v->planned_epochs);
    sn_put_next_u64(c, v->step);
    sn_put_next_u32(c, v->first_layer);
    sn_put_next_u32(c, v->thread_split);
    sn_put_next_u32(c, v->subnormals);
}

/* The fields of a file of this version (1 to CK_VERSION). */
static ck_fields get_fields(sn_get_cursor *c, uint32_t version)
{
    ck_fields v = {0};
    v.nparams = sn_get_next_u64(c);
    v.batch = sn_get_next_u64(c);
    v.lr = sn_get_next_f32(c);
    v.eps = sn_get_next_f32(c);
    v.optimizer = sn_get_next_u32(c);
    v.shuffle = sn_get_next_u32(c);
    v.shuffle_seed = sn_get_next_u64(c);
    v.engine = sn_get_next_u32(c);
    v.isa = sn_get_next_u32(c);
    v.threads = sn_get_next_u32(c);
    v.data_crc = sn_get_next_u32(c);
    v.seed = sn_get_next_u64(c);
    v.epochs = sn_get_next_u64(c);
    v.epoch = sn_get_next_u64(c);
    v.batches_done = sn_get_next_u64(c);
    v.data_count = sn_get_next_u64(c);
    v.data_inputs = sn_get_next_u64(c);
    v.ncosts = sn_get_next_u64(c);
    if (version < 2)
        return v;
    v.momentum = sn_get_next_f32(c);
    v.beta1 = sn_get_next_f32(c);
    v.beta2 = sn_get_next_f32(c);
    v.weight_decay = sn_get_next_f32(c);
    v.gamma = sn_get_next_f32(c);
    v.schedule = sn_get_next_u32(c);
    v.nstates = sn_get_next_u32(c);
    v.step_epochs = sn_get_next_u64(c);
    v.planned_epochs = sn_get_next_u64(c);
    v.step = sn_get_next_u64(c);
    if (version < 3)
        return v;
    v.first_layer = sn_get_next_u32(c);
    v.thread_split = sn_get_next_u32(c);
    v.subnormals = sn_get_next_u32(c);
    return v;
}

/* Largest header: magic, version, nsizes, the sizes, act[] and loss, the
 * fields. */
#define CK_MAX_HEADER (16 + 8 * SN_MAX_LAYERS + FIELDS_V3_BYTES)

/* The header's length for a version and layer count. */
static size_t header_bytes(uint32_t version, size_t nsizes)
{
    return version == 1   ? 16 + 4 * nsizes + FIELDS_V1_BYTES
           : version == 2 ? 16 + 8 * nsizes + FIELDS_V2_BYTES
                          : 16 + 8 * nsizes + FIELDS_V3_BYTES;
}

/* ------------------------------------------------------------------ writing */

/* Appends the CRC of everything written and commits the file. */
static int commit_with_crc(sn_atomic_file *af, sn_error *err)
{
    unsigned char tail[4];
    sn_put_u32(tail, (uint32_t)af->crc);
    sn_atomic_write(af, tail, 4);
    return sn_atomic_commit(af, err);
}

int sn_checkpoint_save(const sn_trainer *t, const sn_run_state *run,
                       const char *path, sn_error *err)
{
    const sn_net *net = sn_trainer_net(t);
    const sn_train_config *cfg = sn_trainer_config(t);
    const size_t nsizes = net->nlayers + 1;
    const size_t nstates = sn_trainer_state_count(t);
    if (sn_run_state_check(run, cfg->batch, err) != 0)
        return sn_prefix_error(err, "%s: cannot checkpoint this run: ", path);

    const ck_fields fields = {
        .nparams = net->nparams,
        .batch = cfg->batch,
        .lr = cfg->lr,
        .eps = cfg->eps,
        .optimizer = (uint32_t)cfg->optimizer,
        .shuffle = cfg->shuffle != 0,
        .shuffle_seed = cfg->shuffle_seed,
        .engine = (uint32_t)cfg->engine,
        .isa = (uint32_t)sn_kernels_isa(cfg->kernels),
        .threads = (uint32_t)sn_trainer_workers(t),
        .data_crc = run->data_crc,
        .seed = run->seed,
        .epochs = run->epochs,
        .epoch = run->epoch,
        .batches_done = run->batches_done,
        .data_count = run->data_count,
        .data_inputs = run->data_inputs,
        .ncosts = run->ncosts,
        .momentum = cfg->momentum,
        .beta1 = cfg->beta1,
        .beta2 = cfg->beta2,
        .weight_decay = cfg->weight_decay,
        .gamma = cfg->gamma,
        .schedule = (uint32_t)cfg->schedule,
        .nstates = (uint32_t)nstates,
        .step_epochs = cfg->step_epochs,
        .planned_epochs = cfg->epochs,
        .step = sn_trainer_step(t),
        .first_layer = (uint32_t)sn_trainer_first_layer(t),
        .thread_split = (uint32_t)sn_trainer_thread_split(t),
        .subnormals = cfg->keep_subnormals != 0,
    };
    unsigned char head[CK_MAX_HEADER];
    sn_put_cursor c = sn_put_begin(head, sizeof head);
    sn_put_bytes(&c, ck_magic, 8);
    sn_put_next_u32(&c, CK_VERSION);
    sn_put_next_u32(&c, (uint32_t)nsizes);
    for (size_t i = 0; i < nsizes; i++)
        sn_put_next_u32(&c, (uint32_t)net->sizes[i]);
    for (size_t l = 0; l < net->nlayers; l++)
        sn_put_next_u32(&c, (uint32_t)net->act[l]);
    sn_put_next_u32(&c, (uint32_t)net->loss);
    put_fields(&c, &fields);
    if (c.failed)
        return sn_set_error(err, "%s: %zu layer sizes do not fit a "
                                 "checkpoint header", path, nsizes);
    const size_t head_len = c.pos;

    /* The state arrays in the parameters' layout (the sparse engine keeps
     * its first layer's transposed). */
    float *state = sn_alloc_array(net->nparams, sizeof(float));
    if (!state)
        return sn_set_error(err, "%s: out of memory for %zu optimizer "
                                 "states", path, net->nparams);

    sn_atomic_file af;
    int rc = sn_atomic_open(&af, path, err);
    if (rc == 0) {
        sn_atomic_write(&af, head, head_len);
        sn_atomic_write(&af, net->params, net->nparams * sizeof(float));
        for (size_t k = 0; k < nstates; k++) {
            sn_trainer_get_state(t, k, state);
            sn_atomic_write(&af, state, net->nparams * sizeof(float));
        }
        sn_atomic_write(&af, run->costs, run->ncosts * sizeof(float));
        rc = commit_with_crc(&af, err);
    }
    sn_free(state);
    return rc;
}

/* ------------------------------------------------------------------ reading */

static int corrupt(sn_error *err, const char *path, const char *what)
{
    return sn_set_error(err, "%s: corrupt checkpoint: %s", path, what);
}

/* The network's kinds as a file holds them (kinds[l] for weight layer l,
 * then the loss), checked as sn_net_set_kind checks them, into net. */
static int parse_kinds(sn_net *net, const uint32_t *kinds, size_t nlayers,
                       const char *path, sn_error *err)
{
    for (size_t l = 0; l < nlayers; l++) {
        const uint32_t a = kinds[l];
        const int ok = l + 1 < nlayers ? a <= SN_ACT_TANH
                                       : a == SN_ACT_SIGMOID ||
                                             a == SN_ACT_SOFTMAX;
        if (!ok)
            return sn_set_error(err, "%s: corrupt checkpoint: activation %u "
                                     "for %s layer %zu", path, a,
                                l + 1 < nlayers ? "hidden" : "output",
                                l + 1);
        net->act[l] = (sn_activation)a;
    }
    if (kinds[nlayers] > SN_LOSS_CE)
        return sn_set_error(err, "%s: corrupt checkpoint: unknown loss %u",
                            path, kinds[nlayers]);
    net->loss = (sn_loss)kinds[nlayers];
    return 0;
}

/* Version 3's record of how the run computed: the sparse engine's paths
 * (what ran: never AUTO), held to what a trainer can choose (the columns
 * split needs the grouped first layer, and the per-sample engine has rows
 * and samples: sn_trainer_first_layer, sn_trainer_thread_split), and the
 * subnormals flag, into cfg. Older files leave cfg's AUTO paths (the
 * resumed run chooses again) and flush subnormals, the default. */
static int parse_computing(sn_train_config *cfg, const ck_fields *v,
                           const char *path, sn_error *err)
{
    const uint32_t first_layer = v->first_layer;
    const uint32_t thread_split = v->thread_split;
    if (v->subnormals > 1)
        return sn_set_error(err, "%s: corrupt checkpoint: subnormals %u "
                                 "(expected 0 flushed or 1 kept)", path,
                            v->subnormals);
    if (first_layer != SN_FIRST_LAYER_ROWS &&
        first_layer != SN_FIRST_LAYER_GROUPED)
        return sn_set_error(err, "%s: corrupt checkpoint: first_layer %u "
                                 "(expected %d rows or %d grouped)", path,
                            first_layer, SN_FIRST_LAYER_ROWS,
                            SN_FIRST_LAYER_GROUPED);
    if (thread_split != SN_THREAD_SPLIT_SAMPLES &&
        thread_split != SN_THREAD_SPLIT_COLUMNS)
        return sn_set_error(err, "%s: corrupt checkpoint: thread_split %u "
                                 "(expected %d samples or %d columns)", path,
                            thread_split, SN_THREAD_SPLIT_SAMPLES,
                            SN_THREAD_SPLIT_COLUMNS);
    if (thread_split == SN_THREAD_SPLIT_COLUMNS &&
        first_layer != SN_FIRST_LAYER_GROUPED)
        return sn_set_error(err, "%s: corrupt checkpoint: thread_split "
                                 "columns with the rows first layer (the "
                                 "columns split needs the grouped one)", path);
    if (cfg->engine == SN_ENGINE_PER_SAMPLE &&
        (first_layer != SN_FIRST_LAYER_ROWS ||
         thread_split != SN_THREAD_SPLIT_SAMPLES))
        return sn_set_error(err, "%s: corrupt checkpoint: first_layer %s, "
                                 "thread_split %s for the per-sample engine "
                                 "(it has rows and samples)", path,
                            sn_first_layer_name((sn_first_layer)first_layer),
                            sn_thread_split_name(
                                (sn_thread_split)thread_split));
    cfg->first_layer = (sn_first_layer)first_layer;
    cfg->thread_split = (sn_thread_split)thread_split;
    cfg->keep_subnormals = (int)v->subnormals;
    return 0;
}

/* Checks the fields of a header (every one held to what a run can have),
 * fills ck (but allocates nothing) and returns the total file length they
 * promise and the state arrays the file holds. A version 1 file is an
 * AdaGrad or SGD run with a constant schedule and one accumulator array
 * (zeros for SGD); its step count is the batches it applied. */
static int parse_fields(sn_checkpoint *ck, const ck_fields *v,
                        uint32_t version, const size_t *sizes, size_t nsizes,
                        const char *path, uint64_t *total,
                        size_t *file_states, sn_error *err)
{
    size_t need;
    size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS];
    if (sn_net_shape(sizes, nsizes, w_off, b_off, &need, err) != 0)
        return sn_prefix_error(err, "%s: corrupt checkpoint: ", path);
    if (v->nparams != need)
        return sn_set_error(err, "%s: corrupt checkpoint: it declares %llu "
                                 "parameters, its layer sizes need %zu", path,
                            (unsigned long long)v->nparams, need);
    const uint32_t max_opt = version == 1 ? SN_OPT_SGD : SN_OPT_ADAMW;
    if (v->optimizer > max_opt)
        return sn_set_error(err, "%s: corrupt checkpoint: unknown optimizer "
                                 "%u", path, v->optimizer);
    if (v->shuffle > 1)
        return corrupt(err, path, "shuffle flag not 0 or 1");
    if (v->engine > SN_ENGINE_SPARSE)
        return sn_set_error(err, "%s: corrupt checkpoint: unknown engine %u",
                            path, v->engine);
    if (v->isa >= SN_ISA_COUNT)
        return sn_set_error(err, "%s: corrupt checkpoint: unknown kernel set "
                                 "%u", path, v->isa);
    if (v->threads < 1 || v->threads > SN_MAX_THREADS)
        return sn_set_error(err, "%s: corrupt checkpoint: %u threads "
                                 "(expected 1 to %d)", path, v->threads,
                            SN_MAX_THREADS);
    if (v->data_inputs != sizes[0])
        return sn_set_error(err, "%s: corrupt checkpoint: samples of %llu "
                                 "inputs for a first layer of %zu", path,
                            (unsigned long long)v->data_inputs, sizes[0]);
    char prefix[64 + 4096];
    snprintf(prefix, sizeof prefix, "%s: corrupt checkpoint: ", path);
    if (sn_check_position(v->data_count, v->batch, v->epochs, v->epoch,
                          v->batches_done, v->ncosts, prefix, err) != 0)
        return -1;

    sn_train_config cfg = sn_train_config_default();
    sn_train_config_optimizer(&cfg, (sn_optimizer)v->optimizer);
    cfg.batch = (size_t)v->batch;
    cfg.lr = v->lr;
    cfg.eps = v->eps;
    cfg.shuffle = (int)v->shuffle;
    cfg.shuffle_seed = v->shuffle_seed;
    cfg.engine = (sn_engine_kind)v->engine;
    cfg.threads = (int)v->threads;
    cfg.epochs = (size_t)v->epochs;
    /* v1: the batches applied (sn_check_position: no overflow). */
    uint64_t step = v->epoch * sn_batches_per_epoch((size_t)v->data_count,
                                                    (size_t)v->batch) +
                    v->batches_done;
    if (version >= 2) {
        /* Held to the limits before they are narrowed to size_t. */
        if (v->step_epochs > SN_MAX_EPOCHS)
            return sn_set_error(err, "%s: corrupt checkpoint: step_epochs "
                                     "%llu (expected 1 to %d)", path,
                                (unsigned long long)v->step_epochs,
                                SN_MAX_EPOCHS);
        if (v->planned_epochs > SN_MAX_EPOCHS)
            return sn_set_error(err, "%s: corrupt checkpoint: %llu planned "
                                     "epochs (expected 1 to %d)", path,
                                (unsigned long long)v->planned_epochs,
                                SN_MAX_EPOCHS);
        if (v->schedule > SN_SCHEDULE_STEP)
            return sn_set_error(err, "%s: corrupt checkpoint: unknown "
                                     "schedule %u", path, v->schedule);
        cfg.momentum = v->momentum;
        cfg.beta1 = v->beta1;
        cfg.beta2 = v->beta2;
        cfg.weight_decay = v->weight_decay;
        cfg.gamma = v->gamma;
        cfg.schedule = (sn_schedule)v->schedule;
        cfg.step_epochs = (size_t)v->step_epochs;
        cfg.epochs = (size_t)v->planned_epochs;
        step = v->step;
    }
    /* The settings sn_trainer_create accepts, each named. */
    if (sn_optimizer_check(&cfg, err) != 0)
        return sn_prefix_error(err, "%s", prefix);
    if (step > SN_MAX_STEP)
        return sn_set_error(err, "%s: corrupt checkpoint: step count %llu "
                                 "(at most %llu)", path,
                            (unsigned long long)step,
                            (unsigned long long)SN_MAX_STEP);
    const size_t nstates = sn_optimizer_state_count(&cfg);
    if (version >= 2 && v->nstates != nstates)
        return sn_set_error(err, "%s: corrupt checkpoint: %u state arrays, "
                                 "%s keeps %zu", path, v->nstates,
                            sn_optimizer_name(cfg.optimizer), nstates);
    *file_states = version == 1 ? 1 : nstates;
    if (version >= 3 && parse_computing(&cfg, v, path, err) != 0)
        return -1;

    /* header + parameters and states + costs + CRC, checked. */
    uint64_t len = header_bytes(version, nsizes) + 4;
    if (sn_mul_add_overflow(4 * (1 + (uint64_t)*file_states), need, len,
                            &len) ||
        sn_mul_add_overflow(4, v->ncosts, len, &len))
        return corrupt(err, path, "too large");

    ck->cfg = cfg;
    ck->isa = (sn_isa)v->isa;
    ck->nstates = nstates;
    ck->step = step;
    ck->run.seed = v->seed;
    ck->run.epochs = (size_t)v->epochs;
    ck->run.epoch = (size_t)v->epoch;
    ck->run.batches_done = (size_t)v->batches_done;
    ck->run.data_count = (size_t)v->data_count;
    ck->run.data_inputs = (size_t)v->data_inputs;
    ck->run.data_crc = v->data_crc;
    ck->run.ncosts = (size_t)v->ncosts;
    *total = len;
    return 0;
}

/* A state array of a file (n floats at src, named `what`): finite, and
 * >= 0 for a sum of squares. No run writes anything else: such a value
 * would only come back as a NaN cost blamed on the learning rate. */
static int check_state(const float *src, size_t n, int square,
                       const char *what, const char *path, sn_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(src[i]) || (square && src[i] < 0.0f))
            return sn_set_error(err, "%s: corrupt checkpoint: %s[%zu] is %s",
                                path, what, i,
                                isfinite(src[i]) ? "negative"
                                                 : "not a finite number");
    }
    return 0;
}

/* Reads the `len` bytes after the header. A regular file's length has
 * been checked (`known`): one allocation; for other files (pipes) the
 * buffer grows only as data arrives. */
static int read_rest(FILE *f, const char *path, size_t len, int known,
                     unsigned char **out, sn_error *err)
{
    sn_stdio_source src = {f, path};
    size_t got = 0;
    if (sn_read_growing(sn_stdio_read, &src, len,
                        known ? len : SN_GROW_START_BYTES, path,
                        "the checkpoint's body", out, &got, err) != 0)
        return -1;
    if (got < len) {
        sn_free(*out);
        *out = NULL;
        return sn_set_error(err, "%s: truncated checkpoint: %zu of the %zu "
                                 "bytes after the header", path, got, len);
    }
    return 0;
}

int sn_checkpoint_load(sn_checkpoint *ck, const char *path, sn_error *err)
{
    memset(ck, 0, sizeof *ck);
    if (path == NULL || *path == '\0')
        return sn_set_error(err, "no checkpoint file name given");
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s: cannot open the checkpoint: %s", path,
                            strerror(errno));
    int rc = -1;
    unsigned char head[CK_MAX_HEADER];
    unsigned char *body = NULL;
    sn_checkpoint tmp = {0};
    sn_stdio_source src = {f, path};
    size_t got;
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        sn_set_error(err, "%s: cannot stat: %s", path, strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        sn_set_error(err, "%s: is a directory, not a checkpoint", path);
        goto out;
    }
    if (sn_stdio_read(&src, head, 16, &got, err) != 0)
        goto out;
    if (got < 16 || memcmp(head, ck_magic, 8) != 0) {
        sn_set_error(err, "%s: not a simdnet checkpoint (%s)", path,
                     got < 8 ? "shorter than its header" : "bad magic");
        goto out;
    }
    sn_get_cursor c = sn_get_begin(head + 8, 8);
    const uint32_t version = sn_get_next_u32(&c);
    if (version < 1 || version > CK_VERSION) {
        sn_set_error(err, "%s: checkpoint version %u, this simdnet reads "
                          "versions 1 to %d", path, version, CK_VERSION);
        goto out;
    }
    const uint32_t nsizes = sn_get_next_u32(&c);
    if (nsizes < 2 || nsizes > SN_MAX_LAYERS) {
        sn_set_error(err, "%s: corrupt checkpoint: %u layer sizes (expected "
                          "2 to %d)", path, nsizes, SN_MAX_LAYERS);
        goto out;
    }
    const size_t head_len = header_bytes(version, nsizes);
    if (sn_stdio_read(&src, head + 16, head_len - 16, &got, err) != 0)
        goto out;
    if (got < head_len - 16) {
        sn_set_error(err, "%s: truncated checkpoint (header cut short)", path);
        goto out;
    }
    c = sn_get_begin(head + 16, head_len - 16);
    size_t sizes[SN_MAX_LAYERS];
    uint32_t kinds[SN_MAX_LAYERS] = {0}; /* v1: the tutorial's network */
    for (uint32_t i = 0; i < nsizes; i++)
        sizes[i] = sn_get_next_u32(&c);
    for (uint32_t i = 0; version >= 2 && i < nsizes; i++)
        kinds[i] = sn_get_next_u32(&c);
    const ck_fields fields = get_fields(&c, version);
    uint64_t total = 0;
    size_t file_states = 0;
    if (parse_fields(&tmp, &fields, version, sizes, nsizes, path, &total,
                     &file_states, err) != 0 ||
        parse_kinds(&tmp.net, kinds, nsizes - 1, path, err) != 0)
        goto out;
    /* The header's promise against the file's length, before allocating. */
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size != total) {
        sn_set_error(err, "%s: %s checkpoint: %lld bytes, its header needs "
                          "%llu", path,
                     (uint64_t)st.st_size < total ? "truncated" : "corrupt",
                     (long long)st.st_size, (unsigned long long)total);
        goto out;
    }
    if (!sn_fits_size(total - head_len)) {
        sn_set_error(err, "%s: checkpoint too large for this machine", path);
        goto out;
    }
    const size_t rest = (size_t)(total - head_len);
    if (read_rest(f, path, rest, S_ISREG(st.st_mode), &body, err) != 0)
        goto out;
    unsigned char extra;
    if (fread(&extra, 1, 1, f) != 0) {
        sn_set_error(err, "%s: corrupt checkpoint: bytes after the checksum",
                     path);
        goto out;
    }
    const uint32_t crc = sn_crc32(sn_crc32(0, head, head_len), body,
                                  rest - 4);
    if (!sn_crc_trailer_ok(crc, body + rest - 4)) {
        sn_set_error(err, "%s: corrupt checkpoint: checksum mismatch", path);
        goto out;
    }

    const sn_net kinds_of = tmp.net; /* act[] and loss, parsed above */
    if (sn_net_create(&tmp.net, sizes, nsizes, err) != 0) {
        sn_prefix_error(err, "%s: ", path);
        goto out;
    }
    memcpy(tmp.net.act, kinds_of.act, sizeof tmp.net.act);
    tmp.net.loss = kinds_of.loss;
    const size_t n = tmp.net.nparams;
    const size_t pbytes = n * sizeof(float);
    memcpy(tmp.net.params, body, pbytes);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(tmp.net.params[i])) {
            sn_set_error(err, "%s: corrupt checkpoint: parameter %zu is not "
                              "a finite number", path, i);
            goto out;
        }
    }
    /* A v1 SGD file's accumulators (zeros) are checked, then dropped. */
    const sn_optimizer opt = tmp.cfg.optimizer;
    for (size_t k = 0; k < file_states; k++) {
        char what[64];
        snprintf(what, sizeof what, "%s's state %s", sn_optimizer_name(opt),
                 sn_optimizer_state_name(opt, k));
        float *arr = sn_alloc_array(n, sizeof(float));
        if (!arr) {
            sn_set_error(err, "%s: out of memory", path);
            goto out;
        }
        memcpy(arr, body + (1 + k) * pbytes, pbytes);
        const int bad =
            version == 1
                ? check_state(arr, n, 1, "accumulator", path, err)
                : check_state(arr, n, sn_optimizer_state_is_square(opt, k),
                              what, path, err);
        if (k < tmp.nstates)
            tmp.state[k] = arr;
        else
            sn_free(arr);
        if (bad)
            goto out;
    }
    if (tmp.run.ncosts) {
        tmp.run.costs = sn_alloc_array(tmp.run.ncosts, sizeof(float));
        if (!tmp.run.costs) {
            sn_set_error(err, "%s: out of memory", path);
            goto out;
        }
        memcpy(tmp.run.costs, body + (1 + file_states) * pbytes,
               tmp.run.ncosts * sizeof(float));
    }
    *ck = tmp;
    memset(&tmp, 0, sizeof tmp);
    rc = 0;
out:
    sn_checkpoint_free(&tmp);
    sn_free(body);
    fclose(f);
    return rc;
}

void sn_checkpoint_free(sn_checkpoint *ck)
{
    if (!ck)
        return;
    sn_net_free(&ck->net);
    for (size_t k = 0; k < SN_MAX_STATES; k++)
        sn_free(ck->state[k]);
    sn_free(ck->run.costs);
    memset(ck, 0, sizeof *ck);
}
