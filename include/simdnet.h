/*
 * simdnet.h - the public C API of libsimdnet.
 *
 * simdnet trains fully connected networks (sigmoid, relu or tanh hidden
 * layers; a sigmoid or softmax output with an L2 or cross-entropy cost; by
 * default the tutorial's 784-32-32-10 sigmoid network with an L2 cost and
 * AdaGrad), on SIMD kernels picked at run time. "The tutorial" below is the algorithm this follows, that of "How to program a
 * neural network" (Callum Bruce, 2023): sigmoid on every layer, the summed
 * L2 cost C = sum (a - y)^2, AdaGrad with epsilon inside the square root,
 * batches of 100 in file order, weights uniform in [-1, 1) and biases 0.
 *
 * Conventions
 *  - Every function that can fail returns 0 on success and -1 on failure,
 *    and fills the sn_error it was given (which may be NULL) with a message
 *    that names what went wrong. The library never prints and never exits.
 *  - Objects are plain structs owned by the caller; *_free() releases what the
 *    library allocated inside them and leaves them zeroed. Freeing a zeroed
 *    struct is a no-op.
 *  - Parameters live in one flat float32 buffer: for each layer l, its weights
 *    W(l) row-major [n_l][n_(l-1)] (row = output neuron), then its biases b(l).
 */
#ifndef SIMDNET_H
#define SIMDNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; sn_version() gives the library's, which may
 * differ when a program runs against another build of the shared library. */
#define SN_VERSION_MAJOR 0
#define SN_VERSION_MINOR 2
#define SN_VERSION_PATCH 0
#define SN_VERSION_STRING "0.2.0"
/* One number that compares: 0x00MMmmpp. */
#define SN_VERSION_NUMBER                                                      \
    ((SN_VERSION_MAJOR << 16) | (SN_VERSION_MINOR << 8) | SN_VERSION_PATCH)

/* Every public function is marked SN_API: the shared library is built with
 * hidden visibility, so only these (all named sn_*) are exported. */
#if defined(_WIN32)
#define SN_API
#elif defined(__GNUC__) && __GNUC__ >= 4
#define SN_API __attribute__((visibility("default")))
#else
#define SN_API
#endif

/* The library's version string, e.g. "0.2.0", and SN_VERSION_NUMBER's
 * counterpart for the library actually linked. */
SN_API const char *sn_version(void);
SN_API unsigned sn_version_number(void);

/* Largest number of layer sizes (input layer included) a network may have. */
#define SN_MAX_LAYERS 16
/* Largest width of a single layer. */
#define SN_MAX_WIDTH (1u << 20)
/* Largest total number of parameters (weights + biases): 1 GiB of float32. */
#define SN_MAX_PARAMS ((size_t)1 << 28)

/* The limits of a training run: the command line's flags enforce them, and
 * the checkpoint reader holds a file's fields to them. */
#define SN_MAX_EPOCHS 1000000         /* epochs of a run */
#define SN_MAX_BATCH 1000000          /* samples per batch */
#define SN_MAX_THREADS 1024           /* threads of a trainer */
#define SN_MAX_SAMPLES 0xffffffffull  /* samples of a data set (IDX's limit) */

/* ------------------------------------------------------------------ errors */

typedef struct sn_error {
    char msg[512];
} sn_error;

/* ------------------------------------------------------------------ data */

/* A labelled image set, pixels kept as uint8 (scaled by 1/255 where used).
 * The loaders below check every label against max_label. A data set built
 * by hand must hold every label below the network's output size: the
 * trainer checks that once per data set (the first time it sees these
 * labels, not every epoch, so do not change them in between), and
 * sn_evaluate refuses a label out of range as it meets it. */
typedef struct sn_dataset {
    size_t count;        /* number of samples */
    size_t rows, cols;   /* image shape (28 x 28 for MNIST) */
    size_t input_size;   /* rows * cols */
    uint8_t *pixels;     /* count * input_size bytes, sample-major */
    uint8_t *labels;     /* count bytes */
} sn_dataset;

typedef enum sn_split { SN_SPLIT_TRAIN = 0, SN_SPLIT_TEST = 1 } sn_split;

/* Reads one IDX images file and one IDX labels file, each raw or gzip
 * compressed (detected from the content, not the name). Checks magic
 * numbers, dimensions, exact sizes, count agreement, and that every label is
 * below max_label (pass 10 for MNIST; 0 means no check). */
SN_API int sn_dataset_read_idx(sn_dataset *ds, const char *images_path,
                        const char *labels_path, unsigned max_label,
                        sn_error *err);

/* Finds the standard MNIST file names for a split in dir, preferring
 * "<name>.gz" and falling back to the raw "<name>", and reads them. */
SN_API int sn_dataset_load(sn_dataset *ds, const char *dir, sn_split split,
                    unsigned max_label, sn_error *err);

SN_API void sn_dataset_free(sn_dataset *ds);

/* ------------------------------------------------------------------ kernels */

/* A kernel set (one per ISA). Its layout is private to the library; see
 * kernels/kernels.h for the table itself. */
typedef struct sn_kernels sn_kernels;

typedef enum sn_isa {
    SN_ISA_SCALAR = 0,
    SN_ISA_AVX2 = 1,   /* AVX2 + FMA */
    SN_ISA_AVX512 = 2, /* AVX-512 F, VL, DQ, BW */
    SN_ISA_NEON = 3,   /* AArch64 Advanced SIMD */
    SN_ISA_COUNT
} sn_isa;

SN_API const char *sn_isa_name(sn_isa isa);
/* Parses "scalar", "avx2", "avx512" or "neon"; -1 with a message if unknown. */
SN_API int sn_isa_parse(const char *name, sn_isa *isa, sn_error *err);
/* Whether this binary contains the kernels of isa. */
SN_API int sn_isa_built(sn_isa isa);
/* Whether this CPU (and its OS) can run isa. Detected once, then cached. */
SN_API int sn_isa_supported(sn_isa isa);
/* The best ISA that is both built and supported. */
SN_API sn_isa sn_isa_best(void);

/* Selects the kernel set for a run: the ISA named by `name` if not NULL,
 * else the one named by the environment variable SIMDNET_ISA if set, else
 * the best. Naming an ISA that was not built or that this CPU cannot run is
 * an error, never a silent fallback. */
SN_API int sn_kernels_select(const char *name, const sn_kernels **kernels,
                      sn_error *err);
SN_API const sn_kernels *sn_kernels_for(sn_isa isa); /* NULL if not usable */
SN_API sn_isa sn_kernels_isa(const sn_kernels *kernels);

/* A short description of the CPU's SIMD features, e.g. "sse2 avx2 fma avx512f". */
SN_API const char *sn_cpu_features(void);
/* The CPU model name, or "unknown". */
SN_API const char *sn_cpu_model(void);

/* ------------------------------------------------------------------ network */

/* A layer's activation (docs/training.md gives every formula). Hidden
 * layers take sigmoid, relu or tanh; the output layer sigmoid or softmax. */
typedef enum sn_activation {
    SN_ACT_SIGMOID = 0, SN_ACT_RELU = 1, SN_ACT_TANH = 2,
    SN_ACT_SOFTMAX = 3,            /* output layer only */
} sn_activation;

/* The cost of one sample, summed over the outputs: l2 is the tutorial's
 * sum (a - y)^2; ce is the categorical cross-entropy -log p[label] with a
 * softmax output, the binary cross-entropy per output with a sigmoid one. */
typedef enum sn_loss { SN_LOSS_L2 = 0, SN_LOSS_CE = 1 } sn_loss;

/* How sn_net_init draws the weights (biases are always 0). */
typedef enum sn_init { SN_INIT_UNIFORM = 0, SN_INIT_HE = 1, SN_INIT_XAVIER = 2 } sn_init;

typedef struct sn_net {
    size_t nlayers;                    /* weight layers (sizes has nlayers+1) */
    size_t sizes[SN_MAX_LAYERS];       /* neurons per layer, input first */
    size_t w_off[SN_MAX_LAYERS];       /* offset of W(l+1) in params */
    size_t b_off[SN_MAX_LAYERS];       /* offset of b(l+1) in params */
    size_t nparams;                    /* weights + biases */
    float *params;                     /* 64-byte aligned, nparams floats */
    /* The network's kind; all zero (sigmoid everywhere, l2) is the
     * tutorial's network, so a zeroed or version-1 net is that one. */
    sn_activation act[SN_MAX_LAYERS];  /* per weight layer; act[nlayers-1] is the output's */
    sn_loss loss;                      /* the cost the network is trained and evaluated on */
} sn_net;

/* The tutorial's network, spelled as sn_parse_layers and --layers take it. */
#define SN_DEFAULT_LAYERS "784,32,32,10"

/* Checks a list of layer sizes (at least 2, each 1..SN_MAX_WIDTH, total
 * parameters at most SN_MAX_PARAMS) and allocates a zeroed network. */
SN_API int sn_net_create(sn_net *net, const size_t *sizes, size_t nsizes,
                  sn_error *err);
SN_API void sn_net_free(sn_net *net);

/* Checks sizes as sn_net_create does and computes the layer offsets and the
 * parameter count, without allocating. */
SN_API int sn_net_shape(const size_t *sizes, size_t nsizes, size_t *w_off,
                 size_t *b_off, size_t *nparams, sn_error *err);

/* The tutorial's initialisation: every weight uniform in [-1, 1) from the
 * PRNG seeded with seed, every bias 0. Same seed, same weights, everywhere. */
SN_API void sn_net_init_uniform(sn_net *net, uint64_t seed);

/* Sets the network's kind: hidden holds one activation for every hidden
 * layer (nhidden 1) or one per hidden layer (nhidden nlayers - 1; nhidden
 * may be 0 when there is none), each sigmoid, relu or tanh; output is
 * sigmoid or softmax; any loss goes with either output. -1 with a message
 * naming the bad item, the net unchanged. */
SN_API int sn_net_set_kind(sn_net *net, const sn_activation *hidden,
                           size_t nhidden, sn_activation output, sn_loss loss,
                           sn_error *err);

/* Draws the weights layer by layer, each W row-major, from one PRNG seeded
 * once with seed; biases 0. SN_INIT_UNIFORM is sn_net_init_uniform. With
 * fan_in = n_(l-1), fan_out = n_l, in double and rounded once to float:
 *  SN_INIT_HE:     w = z * sqrt(2 / fan_in), z a standard normal;
 *  SN_INIT_XAVIER: w = sqrt(6 / (fan_in + fan_out)) * u, u = sn_rng_uniform_pm1.
 * A normal takes two draws (Box-Muller, the cosine half):
 * u1 = ((u32 >> 8) + 1) * 2^-24 in (0, 1], then u2 = (u32 >> 8) * 2^-24 in
 * [0, 1), z = sqrt(-2 ln u1) * cos(2 pi u2), with C's log, cos and sqrt;
 * tools/reference.py (init_he, init_xavier) gives the same bits. An init
 * out of range draws nothing and returns -1. */
SN_API int sn_net_init(sn_net *net, sn_init init, uint64_t seed);

/* Parses "784,32,32,10" into sizes; -1 with a message naming the bad item. */
SN_API int sn_parse_layers(const char *text, size_t *sizes, size_t *nsizes,
                    sn_error *err);

/* Formats sizes as "784-32-32-10" into buf. */
SN_API void sn_format_layers(const sn_net *net, char *buf, size_t len);

/* ------------------------------------------------------------------ PRNG */

/* PCG32 (O'Neill, pcg-random.org: XSH RR 64/32 with the default
 * multiplier and increment 1442695040888963407), seeded by running the seed
 * through one step of splitmix64. Small, fast, documented, and easy to
 * reproduce in any language; tools/reference.py implements the same. */
typedef struct sn_rng {
    uint64_t state;
} sn_rng;

SN_API void sn_rng_seed(sn_rng *rng, uint64_t seed);
SN_API uint32_t sn_rng_u32(sn_rng *rng);
/* Uniform in [-1, 1): (u32 >> 8) * 2^-23 - 1, exact in float32. */
SN_API float sn_rng_uniform_pm1(sn_rng *rng);
/* Uniform integer in [0, n) without modulo bias (n >= 1). */
SN_API uint32_t sn_rng_below(sn_rng *rng, uint32_t n);

/* ------------------------------------------------------------------ training */

/* How the batch gradient g moves a parameter (docs/training.md gives each
 * formula): torch.optim's definitions, except AdaGrad, which is the
 * tutorial's (epsilon inside the square root). */
typedef enum sn_optimizer {
    SN_OPT_ADAGRAD = 0,  /* G += g^2; p -= lr g / sqrt(G + eps) */
    SN_OPT_SGD = 1,      /* p -= lr g (with weight decay: torch's SGD) */
    SN_OPT_MOMENTUM = 2, /* torch's SGD(momentum, dampening 0) */
    SN_OPT_NESTEROV = 3, /* torch's SGD(momentum, nesterov=True) */
    SN_OPT_RMSPROP = 4,  /* torch's RMSprop(alpha = beta2), not centered */
    SN_OPT_ADAM = 5,     /* torch's Adam (coupled weight decay) */
    SN_OPT_ADAMW = 6,    /* torch's AdamW (decoupled weight decay) */
} sn_optimizer;

/* The learning rate of each batch, from the configured lr (s: batches
 * applied before it in the whole run, from 0; S: epochs * batches per
 * epoch; e: its epoch, from 0), computed in double and rounded to float:
 *   constant: lr;  cosine: lr * 0.5 * (1 + cos(pi * s / S));
 *   step: lr * gamma^floor(e / step_epochs). */
typedef enum sn_schedule {
    SN_SCHEDULE_CONSTANT = 0,
    SN_SCHEDULE_COSINE = 1,
    SN_SCHEDULE_STEP = 2,
} sn_schedule;

/* Most per-parameter state arrays an optimizer keeps (Adam: m and v). */
#define SN_MAX_STATES 2

/* How a batch is computed; both give the same results up to float rounding.
 *  SN_ENGINE_SPARSE: the first layer runs over each sample's nonzero pixels
 *    only, with its weights kept transposed (the fast default).
 *  SN_ENGINE_PER_SAMPLE: dense per-sample gemv and outer products through
 *    the kernel table, the reference path. */
typedef enum sn_engine_kind {
    SN_ENGINE_PER_SAMPLE = 0,
    SN_ENGINE_SPARSE = 1,
} sn_engine_kind;

/* How the sparse engine computes the first layer (forward and gradient):
 *  SN_FIRST_LAYER_AUTO: by the layer's width (docs/engines.md): grouped
 *    from 64 wide, else rows;
 *  SN_FIRST_LAYER_ROWS: sample after sample, each sample's nonzero pixels
 *    through W1^T and into their gradient rows (the tutorial's order of
 *    sums);
 *  SN_FIRST_LAYER_GROUPED: a tile of 64 samples at once: the forward pass
 *    through W1^T a block of rows at a time, the gradient grouped by pixel,
 *    each pixel's sum over the tile taken first and added once (other
 *    rounding: other bits, the same algorithm). */
typedef enum sn_first_layer {
    SN_FIRST_LAYER_AUTO = 0,
    SN_FIRST_LAYER_ROWS = 1,
    SN_FIRST_LAYER_GROUPED = 2,
} sn_first_layer;

/* How the sparse engine's threads share a batch's first layer:
 *  SN_THREAD_SPLIT_AUTO: by columns where the first layer is grouped, the
 *    run is one process of 2 threads or more and each thread gets at least
 *    64 of its columns (docs/engines.md), else by samples;
 *  SN_THREAD_SPLIT_SAMPLES: each thread takes a slice of the batch through
 *    the whole network into its own gradient buffer, summed in the update;
 *  SN_THREAD_SPLIT_COLUMNS: each thread takes a block of W1's outputs for
 *    the whole batch and keeps their weights, gradient and optimizer state
 *    to itself; layers 2..L still by samples. W1's arithmetic is then one
 *    thread's, bit for bit. Needs the grouped first layer and one process
 *    (no collective): elsewhere it is SAMPLES. */
typedef enum sn_thread_split {
    SN_THREAD_SPLIT_AUTO = 0,
    SN_THREAD_SPLIT_SAMPLES = 1,
    SN_THREAD_SPLIT_COLUMNS = 2,
} sn_thread_split;

/* Progress of an epoch, reported after each batch from the thread that
 * called sn_train_epoch, while the other threads wait: keep it short. Both
 * counts are from 1, as a person counts: `epoch` is the epoch argument of
 * sn_train_epoch plus 1, and batch b of nbatches has just been applied
 * (b = nbatches at the epoch's end; a resumed epoch starts at b =
 * first_batch + 1). Return non-zero to stop training after that batch
 * (sn_train_epoch then fails with "interrupted"). */
typedef int (*sn_progress_fn)(void *user, size_t epoch, size_t batch,
                              size_t nbatches, float batch_cost);

/* How the processes of one data-parallel run (one per machine, say, over
 * MPI: src/dist) share a batch. A run of `ranks` processes of T threads
 * each is, to the arithmetic, one process of ranks*T workers: rank r's
 * threads are workers r*T .. r*T+T-1 and take their samples and gradient
 * buffers; `allgather` only moves bytes, so the model is bit-identical to
 * one process of ranks*T threads that splits them by samples
 * (SN_THREAD_SPLIT_SAMPLES: ranks always do; one process may split a wide
 * first layer by columns). Every rank must pass the same threads.
 * allgather fills every rank's part of buf (count bytes per rank, rank r's
 * at r*count, this rank's already in place) from every rank, and returns 0,
 * or -1 when the exchange failed. It is called by one thread of each rank
 * between a batch's samples and its update, a few times per batch, on
 * every rank in the same order. */
typedef struct sn_collective {
    int ranks, rank;
    int (*allgather)(void *user, void *buf, size_t count);
    void *user;
} sn_collective;

typedef struct sn_train_config {
    size_t batch;             /* samples per batch (default 100) */
    float lr;                 /* learning rate (default 0.1) */
    float eps;                /* epsilon (1e-8; > 0): AdaGrad's inside the
                                 sqrt, RMSprop's and Adam's outside */
    sn_optimizer optimizer;   /* default AdaGrad */
    /* The optimizer's other settings (sn_train_config_optimizer sets
     * torch's defaults), each used only by the optimizers named: */
    float momentum;           /* momentum, nesterov: mu (>= 0; nesterov > 0) */
    float beta1, beta2;       /* adam(w): betas; rmsprop: alpha = beta2;
                                 each in [0, 1) */
    float weight_decay;       /* >= 0; coupled (g += wd p) except adamw's;
                                 adagrad takes none */
    sn_schedule schedule;     /* default constant */
    size_t step_epochs;       /* step schedule: every N epochs (1 to
                                 SN_MAX_EPOCHS; default 1) ... */
    float gamma;              /* ... multiply the learning rate by gamma
                                 (finite, > 0; default 0.1) */
    size_t epochs;            /* the run's planned length, 1 to
                                 SN_MAX_EPOCHS (cosine needs it; default 5) */
    int threads;              /* 0: OpenMP's default */
    int shuffle;              /* 0: file order (the tutorial) */
    uint64_t shuffle_seed;    /* seed of the per-epoch shuffle */
    const sn_kernels *kernels;/* NULL: sn_kernels_select(NULL, ...) */
    sn_engine_kind engine;    /* default SN_ENGINE_SPARSE */
    int dense_input;          /* sparse engine: visit zero pixels too (to
                                 measure what skipping them buys) */
    sn_first_layer first_layer; /* sparse engine's first-layer path
                                   (default SN_FIRST_LAYER_AUTO) */
    sn_thread_split thread_split; /* sparse engine: how threads share the
                                     first layer (default AUTO) */
    int relu_zeros;           /* sparse engine, the exact zeros of ReLU
                                 layers in layers 2..L's products: 0 (the
                                 default) skipped where that pays
                                 (docs/engines.md), 1 always skipped, -1
                                 never (to measure what skipping buys);
                                 the same model either way */
    int keep_subnormals;      /* 0 (the default): the training threads
                                 flush floats below FLT_MIN to zero
                                 (docs/engines.md, "Subnormals"), as fast
                                 on every CPU; 1: IEEE gradual underflow,
                                 as numpy computes (slow on Intel cores
                                 where a network saturates) */
    sn_progress_fn progress;  /* may be NULL */
    void *progress_user;
    /* NULL: one process. Else one rank of a data-parallel run; a stop
     * asked by any rank's progress callback stops every rank after the
     * same batch (the earliest asked). */
    const sn_collective *collective;
} sn_train_config;

/* Names as the command line, files and JSON spell them. Each *_name gives
 * "unknown" for a value out of range; each *_parse fails with a message
 * that lists the valid names. */
SN_API const char *sn_optimizer_name(sn_optimizer opt);
SN_API int sn_optimizer_parse(const char *name, sn_optimizer *opt,
                              sn_error *err);
SN_API const char *sn_activation_name(sn_activation act);
SN_API int sn_activation_parse(const char *name, sn_activation *act,
                               sn_error *err);
SN_API const char *sn_loss_name(sn_loss loss);
SN_API int sn_loss_parse(const char *name, sn_loss *loss, sn_error *err);
SN_API const char *sn_init_name(sn_init init);
SN_API int sn_init_parse(const char *name, sn_init *init, sn_error *err);
SN_API const char *sn_schedule_name(sn_schedule schedule);
SN_API int sn_schedule_parse(const char *name, sn_schedule *schedule,
                             sn_error *err);
SN_API const char *sn_engine_name(sn_engine_kind engine);
SN_API int sn_engine_parse(const char *name, sn_engine_kind *engine,
                           sn_error *err);
SN_API const char *sn_first_layer_name(sn_first_layer path);
SN_API int sn_first_layer_parse(const char *name, sn_first_layer *path,
                                sn_error *err);
SN_API const char *sn_thread_split_name(sn_thread_split split);
SN_API int sn_thread_split_parse(const char *name, sn_thread_split *split,
                                 sn_error *err);

/* The tutorial's settings: batch 100, lr 0.1, eps 1e-8, AdaGrad, no
 * shuffle; constant schedule (step_epochs 1, gamma 0.1), epochs 5. */
SN_API sn_train_config sn_train_config_default(void);

/* Sets cfg's optimizer with torch's defaults (docs/training.md): first
 * momentum 0, beta1 0.9, beta2 0.999, weight decay 0, then
 *   adagrad lr 0.1, eps 1e-8 (the tutorial);
 *   sgd lr 0.1; momentum and nesterov lr 0.1, momentum 0.9;
 *   rmsprop lr 0.01, beta2 (alpha) 0.99, eps 1e-8;
 *   adam lr 0.001, eps 1e-8; adamw the same with weight decay 0.01.
 * The other fields are left as they are. */
SN_API void sn_train_config_optimizer(sn_train_config *cfg, sn_optimizer opt);

/* The learning rate cfg gives the batch after `step` applied ones of a run
 * of `planned` batches (cfg->epochs * batches per epoch), in epoch `epoch`
 * (from 0): the closed forms of sn_schedule, in double, rounded to float. */
SN_API float sn_schedule_lr(const sn_train_config *cfg, uint64_t step,
                            uint64_t planned, size_t epoch);

/* Training state: the optimizer's state, per-thread gradient buffers and
 * activations. Opaque; create it once per network and run epochs on it. */
typedef struct sn_trainer sn_trainer;

/* Checks cfg and fails with a message naming the field: batch >= 1; lr
 * and eps finite and > 0; a known optimizer, schedule and engine; momentum
 * and weight decay finite and >= 0; beta1 and beta2 in [0, 1); adagrad
 * with weight decay 0; nesterov with momentum > 0; step_epochs and epochs
 * 1 to SN_MAX_EPOCHS; gamma finite and > 0; threads 0 to SN_MAX_THREADS. */
SN_API int sn_trainer_create(sn_trainer **trainer, sn_net *net,
                      const sn_train_config *cfg, sn_error *err);
SN_API void sn_trainer_free(sn_trainer *trainer);
/* Threads the trainer really uses. */
SN_API int sn_trainer_threads(const sn_trainer *trainer);
/* The configuration the trainer runs: the one it was created with, with
 * kernels set to the kernel set actually used. */
SN_API const sn_train_config *sn_trainer_config(const sn_trainer *trainer);
/* The engine's name, sn_engine_name of its kind: "sparse" or "per-sample". */
SN_API const char *sn_trainer_engine(const sn_trainer *trainer);
/* The first-layer gradient the sparse engine chose (never AUTO); ROWS for
 * the per-sample engine, whose per-sample order is the same. */
SN_API sn_first_layer sn_trainer_first_layer(const sn_trainer *trainer);
/* How the threads share the first layer (never AUTO): SAMPLES for the
 * per-sample engine and wherever COLUMNS does not apply. */
SN_API sn_thread_split sn_trainer_thread_split(const sn_trainer *trainer);
/* The optimizer's state: sn_trainer_state_count arrays (0 to
 * SN_MAX_STATES) of net->nparams floats each, in the layout of
 * net->params, all 0 at creation: adagrad G (the running sums of g^2);
 * momentum and nesterov buf; sgd none, or buf with weight decay; rmsprop
 * sq; adam and adamw m, then v. For checkpoints. get_state with k past the
 * count writes zeros; set_state with such a k does nothing. */
SN_API size_t sn_trainer_state_count(const sn_trainer *trainer);
SN_API void sn_trainer_get_state(const sn_trainer *trainer, size_t k,
                                 float *dst);
SN_API void sn_trainer_set_state(sn_trainer *trainer, size_t k,
                                 const float *src);
/* State 0 (AdaGrad's accumulators), as before issue 12. */
SN_API void sn_trainer_get_accum(const sn_trainer *trainer, float *dst);
SN_API void sn_trainer_set_accum(sn_trainer *trainer, const float *src);
/* The optimizer's step count: batches applied by this trainer since its
 * creation (or since the count was set). Adam's t is it + 1 for the batch
 * being applied, and it is the schedule's s. */
SN_API uint64_t sn_trainer_step(const sn_trainer *trainer);
SN_API void sn_trainer_set_step(sn_trainer *trainer, uint64_t step);

/* Lists every sample's nonzero pixels of ds once, so that the epochs after
 * read them back instead of listing each sample's bytes at every visit
 * (about a sixth of an epoch at 784-32-32-10): 8 bytes a nonzero pixel and
 * a bit per pixel, 78 MB for MNIST's 47 MB of training images. Listing
 * them costs about what two epochs' listing does (the counts, then the
 * lists), spread over the trainer's threads: it pays from a third epoch.
 * Training on ds, or on a window of whole samples of its images (a data
 * set whose pixels point inside ds's), then uses them; the models are the
 * same bytes as without. The lists are of ds's pixels as they are now:
 * after changing them, call again; with ds NULL the lists are dropped.
 * Nothing is kept (and 0 is returned) for the per-sample engine and
 * dense_input, which do not list pixels. Fails, with a message, for an
 * input size other than the network's or short memory, keeping none. */
SN_API int sn_trainer_keep_pixel_lists(sn_trainer *trainer,
                                       const sn_dataset *ds, sn_error *err);

typedef struct sn_epoch_stats {
    double mean_cost;   /* mean over the epoch's samples of the net's cost C */
    size_t samples;
    size_t batches;
} sn_epoch_stats;

/* Trains one epoch (epoch counts from 0; it seeds the shuffle). If costs is
 * not NULL it receives the mean cost of every batch (ceil(count/batch)
 * values). The data set's input size must match the first layer and every
 * label must be below the output size (see sn_dataset). */
SN_API int sn_train_epoch(sn_trainer *trainer, const sn_dataset *train, size_t epoch,
                   float *costs, sn_epoch_stats *stats, sn_error *err);

/* Trains on samples [first, first+n) of ds as one batch (file order), for
 * tests and tools that step batch by batch. */
SN_API int sn_train_batch(sn_trainer *trainer, const sn_dataset *ds, size_t first,
                   size_t n, float *cost, sn_error *err);

/* ------------------------------------------------------------------ evaluation */

typedef struct sn_eval_result {
    size_t count;
    size_t correct;
    double accuracy;      /* correct / count, 0..1 */
    double mean_cost;     /* mean of the net's cost C (its loss) */
    size_t classes;       /* output size; confusion is classes x classes */
    size_t *confusion;    /* [true][predicted], caller frees with sn_eval_free */
} sn_eval_result;

/* Predicted class = argmax of the output layer, first index on ties. */
SN_API int sn_evaluate(const sn_net *net, const sn_kernels *kernels,
                const sn_dataset *ds, int threads, sn_eval_result *res,
                sn_error *err);
SN_API void sn_eval_free(sn_eval_result *res);

/* Runs one sample forward; out receives the output layer's activations
 * (sizes[nlayers]: the sigmoids, or the softmax's probabilities). */
SN_API int sn_predict(const sn_net *net, const sn_kernels *kernels,
               const uint8_t *pixels, float *out, sn_error *err);
/* The same forward pass, keeping every layer: acts receives the
 * activations of layers 1 .. nlayers one after the other, sizes[1] +
 * ... + sizes[nlayers] floats, the last sizes[nlayers] of them what
 * sn_predict gives. kernels NULL: the best kernel set of this CPU. */
SN_API int sn_predict_layers(const sn_net *net, const sn_kernels *kernels,
                             const uint8_t *pixels, float *acts,
                             sn_error *err);

/* ------------------------------------------------------------------ models */

/* Saves net in the format of docs/model-format.md, atomically: a temporary
 * file in the same folder, flushed, then renamed over path. The tutorial's
 * network (sigmoid everywhere, l2) is written as version 1, any other kind
 * as version 2 (which records every layer's activation and the loss). */
SN_API int sn_model_save(const sn_net *net, const char *path, sn_error *err);
/* Loads a model of version 1 (the tutorial's network) or 2, refusing a bad
 * magic, version, size, activation, loss or checksum. */
SN_API int sn_model_load(sn_net *net, const char *path, sn_error *err);

/* ------------------------------------------------------------------ machine */

/* The cores and caches this process may use, read once with hwloc: cores
 * are physical cores with at least one hardware thread in the process's
 * CPU set (its affinity mask), so hyperthreads are not counted twice. */
typedef struct sn_topology {
    int from_hwloc;     /* 1 if hwloc read the topology; 0: see note */
    int cores;          /* physical cores available to the process */
    int pus;            /* hardware threads (PUs) available to the process */
    size_t l1d, l2, l3; /* bytes, one instance of each level; 0 if unknown */
    char note[256];     /* why hwloc failed and what is used instead, or "" */
} sn_topology;

/* The topology, read on the first call (thread-safe) and then cached. Never
 * NULL: when hwloc fails, from_hwloc is 0, cores and pus are OpenMP's
 * default thread count and note says so, for the caller to show once. */
SN_API const sn_topology *sn_topology_get(void);

/* The default thread count: one per physical core, or OpenMP's default
 * when the topology is unknown. */
SN_API int sn_default_threads(void);

/* Binds the threads of an OpenMP parallel region of `threads` threads one
 * per physical core (thread i on core i mod cores), by running such a region
 * now. OpenMP keeps the same threads for later regions of the same size, so
 * call it with the trainer's thread count before training. It binds the
 * calling thread too (it is thread 0). Fails, with the reason, when the
 * topology is unknown or the OS refuses. */
SN_API int sn_bind_threads(int threads, sn_error *err);

/* Writes where sn_bind_threads(threads) would put each thread, e.g.
 * "thread 0 -> core 0 (PU 0), thread 1 -> core 1 (PU 1)". */
SN_API void sn_bind_describe(int threads, char *buf, size_t len);

/* The fp32 peak of isa on this machine, measured: each of `threads`
 * threads runs a register-only loop of independent fused multiply-adds for
 * about `seconds`, best of a few tries. For scalar, the ceiling of the
 * scalar kernels as the compiler vectorises them: the baseline ISA's
 * 128-bit vectors, a multiply then an add. Returns FLOP/s, or 0 if this
 * CPU cannot run isa. */
SN_API double sn_peak_flops(sn_isa isa, int threads, double seconds);

/* The loop behind sn_peak_flops: `rounds` rounds on the calling thread.
 * Returns the floating-point operations done (0 if this CPU cannot run
 * isa); for benchmarks that time it themselves. */
SN_API double sn_peak_loop(sn_isa isa, uint64_t rounds);

/* The memory roofs: streaming read bandwidth at a working set that sits in
 * one level of the memory hierarchy (src/machine/bandwidth.c gives the
 * method). */
typedef enum sn_mem_level {
    SN_MEM_L1 = 0,
    SN_MEM_L2 = 1,
    SN_MEM_L3 = 2,
    SN_MEM_DRAM = 3,
    SN_MEM_LEVELS
} sn_mem_level;

/* "L1", "L2", "L3", "DRAM". */
SN_API const char *sn_mem_level_name(sn_mem_level level);

/* The bytes each of `threads` threads reads to measure level: from the
 * cache sizes of sn_topology_get() (fixed sizes of 32 KiB, 1 MiB and
 * 32 MiB where hwloc does not know one): half of L1d; half of L2 (at least
 * twice L1d); half of L3 shared between the threads (at least twice L2);
 * twice L3 for DRAM. A multiple of sn_bandwidth_step for every ISA. */
SN_API size_t sn_bandwidth_working_set(sn_mem_level level, int threads);

/* Read bandwidth, measured: each of `threads` threads reads every byte of
 * its own buffer of `bytes` (rounded down to a multiple of
 * sn_bandwidth_step), over and over for about `seconds` in all, with the
 * loads of isa, best of a few tries. Returns bytes/s of all threads
 * together, or 0 if this CPU cannot run isa, bytes is under one step or
 * memory is short. */
SN_API double sn_bandwidth_read(sn_isa isa, size_t bytes, int threads,
                                double seconds);

/* One level's roof: the working set per thread and the bytes/s measured. */
typedef struct sn_bandwidth_roof {
    size_t bytes;
    double bytes_per_s;
} sn_bandwidth_roof;

/* All four roofs for isa and `threads` threads, each measured for about
 * `seconds` at sn_bandwidth_working_set(level, threads). */
SN_API void sn_bandwidth_roofs(sn_isa isa, int threads, double seconds,
                               sn_bandwidth_roof roofs[SN_MEM_LEVELS]);

/* Core-to-core bandwidth, measured: two threads take rounds, each writing
 * every cache line of its own buffer of `bytes` (rounded down to a
 * multiple of sn_bandwidth_step) and then, after a barrier, reading the
 * buffer the other has just written with the loads of isa, for about
 * `seconds` in all, best of a few tries. That is the traffic of a
 * reduction of per-thread gradients: each line is read from the other
 * core's cache, and each write first takes back the line the other core
 * read the round before. Returns the bytes/s both threads read together,
 * the writes' time included (a round reads 2 `bytes`), or 0 if this CPU
 * cannot run isa, bytes is under one step, OpenMP gives fewer than 2
 * threads or memory is short. */
SN_API double sn_bandwidth_core_to_core(sn_isa isa, size_t bytes,
                                        double seconds);

/* The loop behind sn_bandwidth_read, on the calling thread: reads the
 * first bytes / sn_bandwidth_step(isa) steps of buf (aligned to 64 bytes)
 * once and returns the sum of what it read as 64-bit words (0 if this CPU
 * cannot run isa); for benchmarks that time it themselves. */
SN_API uint64_t sn_bandwidth_loop(sn_isa isa, const void *buf, size_t bytes);

/* The bytes one step of isa's loop reads (8 vectors), 0 if this CPU cannot
 * run isa. */
SN_API size_t sn_bandwidth_step(sn_isa isa);

/* ------------------------------------------------------------------ checkpoints */

/* Trains epoch `epoch` from its batch first_batch on, the batches before it
 * having been applied by an earlier run (resuming from a checkpoint); with
 * first_batch 0 it is sn_train_epoch. costs, if not NULL, is the whole
 * epoch's array (ceil(count/batch) values), written from first_batch on.
 * *done, if not NULL, receives how many of the epoch's batches have been
 * applied when it returns, failures included: after an interruption by the
 * progress callback or a non-finite cost, the weights and accumulators are
 * exactly those after batch *done. stats cover the batches run. */
SN_API int sn_train_epoch_from(sn_trainer *trainer, const sn_dataset *train,
                        size_t epoch, size_t first_batch, float *costs,
                        sn_epoch_stats *stats, size_t *done, sn_error *err);

/* Where a training run stands, besides the trainer's own state. */
typedef struct sn_run_state {
    uint64_t seed;         /* initialisation seed, for the record */
    size_t epochs;         /* epochs the run was asked for */
    size_t epoch;          /* the epoch to go on with, from 0 */
    size_t batches_done;   /* batches of that epoch already applied */
    size_t data_count;     /* the training set: samples, */
    size_t data_inputs;    /*   inputs per sample, */
    uint32_t data_crc;     /*   and sn_dataset_crc */
    float *costs;          /* mean cost of every batch applied, epoch-major
                              (epoch * batches per epoch + batches_done
                              values), or NULL (ncosts 0) if not kept */
    size_t ncosts;
} sn_run_state;

/* A whole training state read back from a checkpoint file. */
typedef struct sn_checkpoint {
    sn_net net;            /* layer sizes, kinds (act, loss), parameters */
    size_t nstates;        /* the optimizer's state arrays: */
    float *state[SN_MAX_STATES]; /* as sn_trainer_get_state gives them */
    uint64_t step;         /* sn_trainer_step of the run */
    sn_train_config cfg;   /* batch, lr, eps, optimizer and its settings,
                              schedule, step_epochs, gamma, epochs,
                              shuffle, shuffle_seed, threads, engine,
                              first_layer, thread_split and
                              keep_subnormals as they ran (from a file
                              older than version 3: AUTO paths, subnormals
                              flushed); kernels and progress NULL (see
                              isa) */
    sn_isa isa;            /* the kernel set that ran */
    sn_run_state run;      /* run.costs is owned by the checkpoint */
} sn_checkpoint;

/* Batches in an epoch of count samples: ceil(count / batch), computed
 * without overflow; 0 if batch is 0. */
SN_API size_t sn_batches_per_epoch(size_t count, size_t batch);

/* Checks a run position for batches of `batch` samples: data_count 1 to
 * SN_MAX_SAMPLES; batch 1 to the training samples (and SN_MAX_BATCH);
 * epochs 1 to SN_MAX_EPOCHS; epoch at most epochs, batches_done below the
 * batches of an epoch (0 when epoch == epochs); ncosts 0 or exactly the
 * batches applied (epoch * batches per epoch + batches_done), with costs
 * not NULL when ncosts is not 0. A resumed run that asks for other epochs can
 * check itself with its epochs put in a copy. -1 with a message if not. */
SN_API int sn_run_state_check(const sn_run_state *run, size_t batch,
                              sn_error *err);

/* CRC-32 of a data set's labels followed by its pixels: a fingerprint that
 * lets a resumed run refuse other training data. */
SN_API uint32_t sn_dataset_crc(const sn_dataset *ds);

/* Saves the trainer's network, accumulators and configuration with `run`
 * in the format of docs/checkpoint-format.md, atomically (temporary file,
 * fsync, rename, fsync of the folder): path holds the previous checkpoint
 * or the new one, never a mixture. Call it between sn_train_* calls. */
SN_API int sn_checkpoint_save(const sn_trainer *trainer, const sn_run_state *run,
                       const char *path, sn_error *err);

/* Loads a checkpoint (version 2, or version 1: AdaGrad or SGD on a
 * sigmoid/L2 network, constant schedule), refusing a bad magic, version,
 * length or checksum, and any field outside what a run can have (the
 * limits above, sn_run_state_check, a known optimizer, engine, kernel set
 * and network kind, the settings sn_trainer_create accepts, a step count
 * of at most SN_MAX_EPOCHS * SN_MAX_SAMPLES, finite parameters and
 * states, sums of squares >= 0), allocating no more than the file's
 * length justifies. */
SN_API int sn_checkpoint_load(sn_checkpoint *ck, const char *path, sn_error *err);
SN_API void sn_checkpoint_free(sn_checkpoint *ck);

/* Makes a trainer created on ck->net go on with the checkpointed run:
 * checks ck->run again (sn_run_state_check: batch within the training
 * set, epochs in range, costs consistent), refuses a configuration or
 * training set that differs from the checkpoint's in what decides the
 * result (layer sizes, activations and loss, batch, optimizer and every
 * setting it uses, schedule with its step_epochs and gamma (step) or
 * epochs (cosine), shuffle and its seed, the data's CRC), then restores
 * the optimizer's state and step count. The thread count, kernels and
 * engine may differ; the run then differs from an uninterrupted one in
 * float rounding only. */
SN_API int sn_checkpoint_resume(const sn_checkpoint *ck, sn_trainer *trainer,
                         const sn_dataset *train, sn_error *err);

#ifdef __cplusplus
}
#endif

#endif /* SIMDNET_H */
