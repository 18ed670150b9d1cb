/*
 * bench_args.c - `simdnet bench`'s options: the thread, kernel set and
 * engine lists it takes, and its option table (cmd_bench.c runs them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "options.h"

static const char *const CMD = "bench";

/* bench's own given bit (recipe.h keeps those below 1 << 8 for it). */
enum { GIVEN_LAYERS = 1u << 0 };

/* The engine variants a case can run (bench.h). */
static const engine_variant engines[] = {
    {"per-sample", SN_ENGINE_PER_SAMPLE, 0, 0, SN_THREAD_SPLIT_AUTO},
    {"sparse-dense", SN_ENGINE_SPARSE, 1, 0, SN_THREAD_SPLIT_AUTO},
    {"sparse", SN_ENGINE_SPARSE, 0, 0, SN_THREAD_SPLIT_AUTO},
    {"sparse-skip", SN_ENGINE_SPARSE, 0, 1, SN_THREAD_SPLIT_AUTO},
    {"sparse-noskip", SN_ENGINE_SPARSE, 0, -1, SN_THREAD_SPLIT_AUTO},
    {"sparse-samples", SN_ENGINE_SPARSE, 0, 0, SN_THREAD_SPLIT_SAMPLES},
    {"sparse-columns", SN_ENGINE_SPARSE, 0, 0, SN_THREAD_SPLIT_COLUMNS},
};
_Static_assert(sizeof engines / sizeof engines[0] == NENGINES,
               "bench.h counts the engine variants");

/* --threads "1,2,4" or "1-4" (or a mix); every value in [1, 1024]. */
static int parse_threads(const char *text, void *args, sn_error *err)
{
    enum { MAX = 1024 };
    bench_args *a = args;
    a->nthreads = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long lo = strtol(p, &end, 10), hi = lo;
        if (end != p && *end == '-') {
            const char *q = end + 1;
            hi = strtol(q, &end, 10);
            if (end == q)
                end = (char *)q - 1; /* "1-" : reported below */
        }
        if (end == p || errno || (*end && *end != ',') ||
            (*end == ',' && end[1] == '\0') || lo < 1 || hi > MAX ||
            lo > hi || a->nthreads + (size_t)(hi - lo + 1) > MAX_LIST)
            return cli_reason(err, "expected a list like 1,2 or 1-4 of "
                                   "numbers from 1 to %d (at most %d), got "
                                   "'%s'", MAX, MAX_LIST, text);
        for (long v = lo; v <= hi; v++)
            a->threads[a->nthreads++] = (int)v;
        p = *end ? end + 1 : end;
    }
    if (a->nthreads == 0)
        return cli_reason(err, "the list is empty");
    return 0;
}

/* --isa "avx2,avx512": each must be built and runnable here. */
static int parse_isas(const char *text, void *args, sn_error *err)
{
    bench_args *a = args;
    a->nisas = 0;
    char buf[256];
    if (strlen(text) >= sizeof buf)
        return cli_reason(err, "list too long");
    strcpy(buf, text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        sn_isa isa;
        if (a->nisas == MAX_LIST)
            return cli_reason(err, "at most %d kernel sets", MAX_LIST);
        if (sn_isa_parse(tok, &isa, err) != 0)
            return -1;
        if (!sn_isa_built(isa))
            return cli_reason(err, "this simdnet was built without %s "
                                   "kernels", tok);
        if (!sn_isa_supported(isa))
            return cli_reason(err, "this CPU cannot run %s kernels (it has: "
                                   "%s)", tok, sn_cpu_features());
        a->isas[a->nisas++] = isa;
    }
    if (a->nisas == 0)
        return cli_reason(err, "the list is empty");
    return 0;
}

/* --engine "per-sample,sparse" or "all"; no name twice. */
static int parse_engines(const char *text, void *args, sn_error *err)
{
    bench_args *a = args;
    a->nengines = 0;
    if (!strcmp(text, "all")) {
        for (size_t i = 0; i < NENGINES; i++)
            a->engines[a->nengines++] = &engines[i];
        return 0;
    }
    const char *p = text;
    while (*p) {
        const size_t len = strcspn(p, ",");
        const engine_variant *v = NULL;
        for (size_t i = 0; i < NENGINES; i++)
            if (strlen(engines[i].name) == len &&
                !strncmp(engines[i].name, p, len))
                v = &engines[i];
        for (size_t i = 0; v && i < a->nengines; i++)
            if (a->engines[i] == v)
                v = NULL;
        if (!v)
            return cli_reason(err, "expected a list of per-sample, sparse, "
                                   "sparse-dense, sparse-skip, "
                                   "sparse-noskip, sparse-samples and "
                                   "sparse-columns, each once, or all; got "
                                   "'%s'", text);
        a->engines[a->nengines++] = v;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* The engine sn_train_config_default() picks. */
static const engine_variant *default_engine(void)
{
    const sn_train_config cfg = sn_train_config_default();
    for (size_t i = 0; i < NENGINES; i++)
        if (engines[i].engine == cfg.engine &&
            engines[i].dense_input == cfg.dense_input &&
            engines[i].relu_zeros == cfg.relu_zeros &&
            engines[i].thread_split == cfg.thread_split)
            return &engines[i];
    return &engines[0];
}

static int parse_one(int argc, char **argv, bench_args *a)
{
    /* warmup, batches and repeats: -1 until given, then --sweep's set's
     * or the defaults below. */
    *a = (bench_args){.batch = 100, .warmup = -1, .batches = -1,
                      .repeats = -1};
    const cli_option own[] = {
        cli_opt(CLI_OPT_DATA, &a->data,
                "MNIST folder (default $SIMDNET_DATA, else ./data/mnist);\n"
                "if the default has none, a synthetic set of the same\n"
                "shape is used and labelled SYNTHETIC"),
        {.name = "synthetic", .kind = CLI_FLAG, .dest = &a->synthetic,
         .help = "use the synthetic set even where MNIST is"},
        {.name = "layers", .kind = CLI_STRING, .dest = &a->layers,
         .value = "LIST", .given = GIVEN_LAYERS,
         .help = "layer sizes, input first (default " SN_DEFAULT_LAYERS ")"},
        {.name = "batch", .kind = CLI_INT, .dest = &a->batch, .value = "N",
         .min = 1, .max = 1000000,
         .help = "samples per batch (default 100)"},
        {.name = "isa", .kind = CLI_LIST, .dest = a, .value = "LIST",
         .parse = parse_isas,
         .help = "kernel sets, e.g. avx2,avx512 (default: every one\n"
                 "this binary has and this CPU runs)"},
        {.name = "threads", .kind = CLI_LIST, .dest = a, .value = "LIST",
         .parse = parse_threads,
         .help = "thread counts, e.g. 1,2 or 1-4 (default: 1 to the\n"
                 "number of physical cores)"},
        {.name = "engine", .kind = CLI_LIST, .dest = a, .value = "LIST",
         .parse = parse_engines,
         .help = "engines: per-sample, sparse, sparse-dense (the sparse\n"
                 "engine visiting zero pixels too), sparse-skip and\n"
                 "sparse-noskip (skipping ReLU's zeros always, never;\n"
                 "sparse: where that pays), sparse-samples and\n"
                 "sparse-columns (threads split by samples, by\n"
                 "columns: --thread-split), or all (default: the\n"
                 "library's default, sparse)"},
        {.name = "first-layer", .kind = CLI_LIST, .dest = &a->first_layer,
         .value = "PATH", .parse = cli_parse_first_layer,
         .help = "sparse engine's first layer: auto (default: by width,\n"
                 "docs/engines.md), rows or grouped"},
        {.name = "thread-split", .kind = CLI_LIST, .dest = &a->thread_split,
         .value = "HOW", .parse = cli_parse_thread_split,
         .help = "how threads share the first layer: auto (default:\n"
                 "by columns from 64 of them a thread where it is\n"
                 "grouped, docs/engines.md), samples or columns"},
        {.name = "warmup", .kind = CLI_INT, .dest = &a->warmup, .value = "N",
         .min = 0, .max = 1000000,
         .help = "untimed batches before the timed runs (default 30)"},
        {.name = "batches", .kind = CLI_INT, .dest = &a->batches, .value = "N",
         .min = 1, .max = 1000000,
         .help = "batches per timed run (default 300)"},
        {.name = "repeats", .kind = CLI_INT, .dest = &a->repeats, .value = "N",
         .min = 1, .max = MAX_REPEATS,
         .help = "timed runs per case (default 5)"},
        {.name = "seed", .kind = CLI_SIZE, .dest = &a->seed, .value = "N",
         .help = "weight initialisation seed (default 0)"},
        {.name = "bind", .kind = CLI_FLAG, .dest = &a->bind,
         .help = "bind threads one per physical core (hwloc)"},
        cli_opt(CLI_OPT_KEEP_SUBNORMALS, &a->keep_subnormals, NULL),
        {.name = "sweep", .kind = CLI_STRING, .dest = &a->sweep,
         .value = "SET",
         .help = "measure a set of networks and batches instead of\n"
                 "--layers and --batch: full (784-W-10 and 784-W-W-10,\n"
                 "W = 32..1024, batches 10, 100, 1000), readme (W = 32,\n"
                 "100, 256, 512, 1024 at batch 100) or quick (three\n"
                 "small networks, batches 10 and 100, for tests)"},
        cli_opt(CLI_OPT_JSON, &a->json,
                "also write the results as JSON (-: standard output,\n"
                "the table then goes to stderr)"),
    };
    /* The network and optimizer flags of train, then bench's own. */
    enum { NOWN = sizeof own / sizeof *own };
    cli_option options[NOWN + CLI_RECIPE_OPTIONS];
    memcpy(options, own, sizeof own);
    const size_t noptions = NOWN + cli_recipe_options(&a->rc, options + NOWN);
    const cli_command_spec spec = {
        CMD, "bench [options]",
        "Measures training throughput: trains the network for a fixed number\n"
        "of batches after a warm-up, for each kernel set and thread count, and\n"
        "reports samples/s, s/epoch, GFLOP/s (dense-equivalent) and the\n"
        "percentage of the FMA peak measured on this machine of the FLOPs\n"
        "the engine does (medians over the repeats, with the\n"
        "slowest and fastest run). The network and optimizer flags are\n"
        "train's (--preset too); the default is the tutorial's. The data\n"
        "set's nonzero pixels are listed once before the timing, as train\n"
        "does for three epochs or more.\n"
        "--preset A,B measures the presets side by side in one run: each\n"
        "round times every case once, in turn, and each preset is compared\n"
        "with the first by the ratio of their throughputs in each round.\n",
        NULL, options, noptions, 0};
    const int parsed = cli_recipe_parse(&spec, argc, argv, &a->rc, &a->given,
                                        &a->json);
    if (parsed != CLI_PARSED)
        return parsed;
    if (cli_recipe_check(CMD, &a->rc) != 0)
        return CLI_BAD;
    if (a->sweep && !bench_sweep_find(a->sweep)) {
        cli_error(CMD, "--sweep: expected %s, got '%s'", bench_sweep_names(),
                  a->sweep);
        return CLI_BAD;
    }
    /* A preset's --layers (not the line's) gives way to the set's. */
    if (a->sweep && ((a->given & GIVEN_LAYERS) || a->rc.init_file)) {
        cli_error(CMD, "--sweep names its own networks: give no --layers or "
                       "--init");
        return CLI_BAD;
    }
    const bench_sweep_set *set = a->sweep ? bench_sweep_find(a->sweep) : NULL;
    a->sweep_batches = a->batches;
    if (a->warmup < 0)
        a->warmup = set ? set->warmup : 30;
    if (a->batches < 0)
        a->batches = 300;
    if (a->repeats < 0)
        a->repeats = set ? set->repeats : 5;
    if (a->rc.init_file && a->layers) {
        cli_error(CMD, "--init %s: the model has its own layers, give no "
                       "--layers", a->rc.init_file);
        return CLI_BAD;
    }
    a->cfg = sn_train_config_default();
    cli_recipe_config(&a->rc, 5, &a->cfg);
    a->cfg.first_layer = a->first_layer;
    a->cfg.thread_split = a->thread_split;
    a->cfg.keep_subnormals = a->keep_subnormals;
    if (a->nisas == 0) {
        for (int i = 0; i < SN_ISA_COUNT; i++) {
            const sn_isa isa = (sn_isa)i;
            if (sn_kernels_for(isa))
                a->isas[a->nisas++] = isa;
            else if (sn_isa_built(isa))
                fprintf(stderr, "simdnet bench: skipping the %s kernels: "
                                "this CPU cannot run them (it has: %s)\n",
                        sn_isa_name(isa), sn_cpu_features());
        }
    }
    if (a->nengines == 0)
        a->engines[a->nengines++] = default_engine();
    if (a->nthreads == 0) {
        cli_topology_note();
        const int n = sn_default_threads();
        for (int t = 1; t <= n && a->nthreads < MAX_LIST; t++)
            a->threads[a->nthreads++] = t;
    }
    return 0;
}

/* --preset's value when it is a list (A,B), spelled --preset A,B or
 * --preset=A,B: *list points into argv[*at]; else 0. */
static int preset_list(int argc, char **argv, int *at, const char **list)
{
    static const char flag[] = "--preset";
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
        int v = -1; /* argv[v] holds the value, after skip characters */
        size_t skip = 0;
        if (!strcmp(argv[i], flag) && i + 1 < argc)
            v = i + 1;
        else if (!strncmp(argv[i], flag, sizeof flag - 1) &&
                 argv[i][sizeof flag - 1] == '=')
            v = i, skip = sizeof flag;
        if (v >= 0 && strchr(argv[v] + skip, ',')) {
            *at = v;
            *list = argv[v] + skip;
            return 1;
        }
        if (v == i + 1)
            i++; /* a value, not an option */
    }
    return 0;
}

int bench_parse_preset(int argc, char **argv, size_t k, bench_args *a)
{
    int at;
    const char *list;
    if (!preset_list(argc, argv, &at, &list))
        return parse_one(argc, argv, a);
    /* The names: at most MAX_RECIPES, none empty, none twice. */
    const char *name[MAX_RECIPES];
    size_t len[MAX_RECIPES], n = 0;
    for (const char *p = list;; p++) {
        const size_t l = strcspn(p, ",");
        int again = 0;
        for (size_t j = 0; j < n; j++)
            again |= len[j] == l && !strncmp(name[j], p, l);
        if (l == 0 || again || n == MAX_RECIPES || l >= 64) {
            cli_error(CMD, "--preset: expected a list of up to %d different "
                           "presets (%s), got '%s'", MAX_RECIPES,
                      cli_preset_names(), list);
            return CLI_BAD;
        }
        name[n] = p, len[n++] = l;
        p += l;
        if (!*p)
            break;
    }
    if (k >= n)
        return CLI_BAD;
    /* The same line with the k-th name where the list was. */
    char **words = malloc((size_t)argc * sizeof *words);
    char word[80];
    if (!words) {
        cli_error(CMD, "out of memory");
        return CLI_BAD;
    }
    memcpy(words, argv, (size_t)argc * sizeof *words);
    snprintf(word, sizeof word, "%s%.*s", argv[at] == list ? "" : "--preset=",
             (int)len[k], name[k]);
    words[at] = word;
    const int rc = parse_one(argc, words, a);
    free(words);
    if (rc != CLI_PARSED)
        return rc;
    if (a->sweep) {
        cli_error(CMD, "--sweep measures one recipe: give --preset one name");
        return CLI_BAD;
    }
    a->recipes = list;
    return CLI_PARSED;
}

int bench_parse_args(int argc, char **argv, bench_args *a)
{
    return bench_parse_preset(argc, argv, 0, a);
}
