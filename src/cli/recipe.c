/* recipe.c - the network and optimizer flags of train and bench, the
 * preset under them, and how they are described (recipe.h). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "recipe.h"

/* --hidden relu or --hidden relu,tanh: hidden layers only. */
static int parse_hidden(const char *text, void *dest, sn_error *err)
{
    cli_recipe *r = dest;
    r->nhidden = 0;
    for (const char *p = text;; p++) {
        char name[32];
        const size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof name)
            return cli_reason(err, "expected sigmoid, relu or tanh, or a "
                                   "comma list of them (one per hidden "
                                   "layer), got '%s'", text);
        if (r->nhidden == SN_MAX_LAYERS)
            return cli_reason(err, "at most %d activations", SN_MAX_LAYERS);
        memcpy(name, p, len);
        name[len] = '\0';
        sn_activation act;
        if (sn_activation_parse(name, &act, err) != 0)
            return -1;
        if (act == SN_ACT_SOFTMAX)
            return cli_reason(err, "softmax is an output activation (--output "
                                   "softmax); hidden layers take sigmoid, "
                                   "relu or tanh");
        r->hidden[r->nhidden++] = act;
        p += len;
        if (!*p)
            return 0;
    }
}

static int parse_output(const char *text, void *dest, sn_error *err)
{
    sn_activation act;
    if (sn_activation_parse(text, &act, err) != 0)
        return -1;
    if (act != SN_ACT_SIGMOID && act != SN_ACT_SOFTMAX)
        return cli_reason(err, "the output layer takes sigmoid or softmax, "
                               "not %s", text);
    *(sn_activation *)dest = act;
    return 0;
}

static int parse_loss(const char *text, void *dest, sn_error *err)
{
    return sn_loss_parse(text, dest, err);
}

static int parse_schedule(const char *text, void *dest, sn_error *err)
{
    return sn_schedule_parse(text, dest, err);
}

/* Adam's betas and RMSprop's alpha: in [0, 1), as torch requires. */
static int parse_beta(const char *text, void *dest, sn_error *err)
{
    char *end;
    const double v = strtod(text, &end);
    if (!*text || *end || !(v >= 0.0 && v < 1.0))
        return cli_reason(err, "expected a number from 0 to below 1, got "
                               "'%s'", text);
    *(float *)dest = (float)v;
    return 0;
}

size_t cli_recipe_options(cli_recipe *r, cli_option *out)
{
    static char preset_help[320];
    snprintf(preset_help, sizeof preset_help,
             "a whole recipe: %s; the flags given win\n"
             "wherever they are (list: show each preset's settings)",
             cli_preset_names());
    const cli_option options[CLI_RECIPE_OPTIONS] = {
        {.name = "preset", .kind = CLI_STRING, .dest = &r->preset,
         .value = "NAME", .given = GIVEN_PRESET, .help = preset_help},
        {.name = "hidden", .kind = CLI_LIST, .dest = r, .value = "LIST",
         .parse = parse_hidden, .given = GIVEN_HIDDEN,
         .help = "hidden activation: sigmoid (default), relu or tanh;\n"
                 "one for every hidden layer, or a comma list, one each"},
        {.name = "output", .kind = CLI_LIST, .dest = &r->output,
         .value = "NAME", .parse = parse_output, .given = GIVEN_OUTPUT,
         .help = "output activation: sigmoid (default) or softmax"},
        {.name = "loss", .kind = CLI_LIST, .dest = &r->loss, .value = "NAME",
         .parse = parse_loss, .given = GIVEN_LOSS,
         .help = "cost: l2 (default, the tutorial's summed L2) or ce\n"
                 "(cross-entropy: categorical with softmax, binary\n"
                 "per output with sigmoid)"},
        {.name = "init", .kind = CLI_STRING, .dest = &r->init_arg,
         .value = "SCHEME|FILE", .given = GIVEN_INIT,
         .help = "initial weights: uniform (default, U(-1,1)), he or\n"
                 "xavier, drawn with --seed; any other value is a saved\n"
                 "model to start from (./he for a file named he)"},
        {.name = "optimizer", .kind = CLI_LIST, .dest = &r->optimizer,
         .value = "NAME", .parse = cli_parse_optimizer, .given = GIVEN_OPT,
         .help = "adagrad (default), sgd, momentum, nesterov, rmsprop,\n"
                 "adam or adamw (docs/training.md)"},
        {.name = "lr", .kind = CLI_FLOAT, .dest = &r->lr, .value = "X",
         .min = 1e-30, .max = 1e6, .given = GIVEN_LR,
         .help = "learning rate (default: the optimizer's: 0.1; rmsprop\n"
                 "0.01; adam, adamw 0.001)"},
        {.name = "momentum", .kind = CLI_FLOAT, .dest = &r->momentum,
         .value = "X", .min = 0, .max = 1, .given = GIVEN_MOMENTUM,
         .help = "momentum, nesterov: the momentum (default 0.9)"},
        {.name = "beta1", .kind = CLI_LIST, .dest = &r->beta1, .value = "X",
         .parse = parse_beta, .given = GIVEN_BETA1,
         .help = "adam, adamw: beta1 (default 0.9)"},
        {.name = "beta2", .kind = CLI_LIST, .dest = &r->beta2, .value = "X",
         .parse = parse_beta, .given = GIVEN_BETA2,
         .help = "adam, adamw: beta2 (default 0.999); rmsprop: alpha\n"
                 "(default 0.99)"},
        {.name = "eps", .kind = CLI_FLOAT, .dest = &r->eps, .value = "X",
         .min = 1e-30, .max = 1, .given = GIVEN_EPS,
         .help = "epsilon of adagrad (inside the root), rmsprop, adam\n"
                 "and adamw (default 1e-8)"},
        {.name = "weight-decay", .kind = CLI_FLOAT, .dest = &r->weight_decay,
         .value = "X", .min = 0, .max = 1e3, .given = GIVEN_WD,
         .help = "L2 weight decay (decoupled for adamw; default 0,\n"
                 "adamw 0.01); adagrad takes none"},
        {.name = "schedule", .kind = CLI_LIST, .dest = &r->schedule,
         .value = "NAME", .parse = parse_schedule, .given = GIVEN_SCHEDULE,
         .help = "learning rate per batch: constant (default), cosine\n"
                 "(to 0 over the run) or step (see --step-epochs)"},
        {.name = "step-epochs", .kind = CLI_INT, .dest = &r->step_epochs,
         .value = "N", .min = 1, .max = 1000000, .given = GIVEN_STEP_EPOCHS,
         .help = "step schedule: every N epochs (default 1) ..."},
        {.name = "gamma", .kind = CLI_FLOAT, .dest = &r->gamma, .value = "X",
         .min = 1e-30, .max = 1e6, .given = GIVEN_GAMMA,
         .help = "... multiply the learning rate by X (default 0.1)"},
    };
    memcpy(out, options, sizeof options);
    return CLI_RECIPE_OPTIONS;
}

/* ------------------------------------------------------------ parsing */

/* The hyperparameters, in the recipe and in the library's configuration. */
static const struct hyper {
    unsigned bit;
    const char *flag, *label;
    size_t in_recipe, in_config;
} hypers[] = {
    {GIVEN_LR, "lr", "lr", offsetof(cli_recipe, lr),
     offsetof(sn_train_config, lr)},
    {GIVEN_MOMENTUM, "momentum", "momentum", offsetof(cli_recipe, momentum),
     offsetof(sn_train_config, momentum)},
    {GIVEN_BETA1, "beta1", "beta1", offsetof(cli_recipe, beta1),
     offsetof(sn_train_config, beta1)},
    {GIVEN_BETA2, "beta2", "beta2", offsetof(cli_recipe, beta2),
     offsetof(sn_train_config, beta2)},
    {GIVEN_EPS, "eps", "eps", offsetof(cli_recipe, eps),
     offsetof(sn_train_config, eps)},
    {GIVEN_WD, "weight-decay", "weight-decay",
     offsetof(cli_recipe, weight_decay),
     offsetof(sn_train_config, weight_decay)},
};
enum { NHYPERS = sizeof hypers / sizeof hypers[0] };

#define FIELD(base, off) ((float *)((char *)(base) + (off)))

/* The hyperparameters each optimizer reads (docs/training.md). */
static unsigned uses(sn_optimizer opt)
{
    switch (opt) {
    case SN_OPT_ADAGRAD: return GIVEN_LR | GIVEN_EPS;
    case SN_OPT_SGD: return GIVEN_LR | GIVEN_WD;
    case SN_OPT_MOMENTUM:
    case SN_OPT_NESTEROV: return GIVEN_LR | GIVEN_MOMENTUM | GIVEN_WD;
    case SN_OPT_RMSPROP: return GIVEN_LR | GIVEN_BETA2 | GIVEN_EPS | GIVEN_WD;
    default: return GIVEN_LR | GIVEN_BETA1 | GIVEN_BETA2 | GIVEN_EPS | GIVEN_WD;
    }
}

/* The preset's flags that spec's command has, as an argv. */
static int preset_argv(const cli_command_spec *spec, const cli_preset *p,
                       char **argv, int max)
{
    int n = 0;
    argv[n++] = (char *)spec->name;
    for (const cli_setting *s = p->settings; s->flag && n + 2 < max; s++) {
        for (size_t i = 0; i < spec->noptions; i++) {
            if (strcmp(spec->options[i].name, s->flag))
                continue;
            static char words[64][48];
            /* "--flag": kept for the parse, which stores pointers to the
             * values only. */
            snprintf(words[n], sizeof words[n], "--%s", s->flag);
            argv[n] = words[n];
            n++;
            if (s->value)
                argv[n++] = (char *)s->value;
        }
    }
    argv[n] = NULL;
    return n;
}

static void set_defaults(cli_recipe *r)
{
    const sn_train_config d = sn_train_config_default();
    *r = (cli_recipe){.nhidden = 1, .hidden = {SN_ACT_SIGMOID},
                      .output = SN_ACT_SIGMOID, .loss = SN_LOSS_L2,
                      .init = SN_INIT_UNIFORM, .optimizer = d.optimizer,
                      .schedule = d.schedule,
                      .step_epochs = (long)d.step_epochs, .gamma = d.gamma};
    for (size_t i = 0; i < NHYPERS; i++)
        *FIELD(r, hypers[i].in_recipe) = *FIELD(&d, hypers[i].in_config);
}

/* The settings nobody gave take the optimizer's defaults; a preset's
 * hyperparameters stay unless the command line named another optimizer. */
static void take_defaults(cli_recipe *r, sn_optimizer preset_optimizer)
{
    sn_train_config d = sn_train_config_default();
    sn_train_config_optimizer(&d, r->optimizer);
    const int keep_preset = !(r->preset_given & GIVEN_OPT) ||
                            r->optimizer == preset_optimizer;
    for (size_t i = 0; i < NHYPERS; i++) {
        const unsigned bit = hypers[i].bit;
        if (!(r->given & bit) && !(keep_preset && (r->preset_given & bit)))
            *FIELD(r, hypers[i].in_recipe) = *FIELD(&d, hypers[i].in_config);
    }
}

int cli_recipe_parse(const cli_command_spec *spec, int argc, char **argv,
                     cli_recipe *r, unsigned *given, const char *const *json)
{
    set_defaults(r);
    int parsed = cli_parse_options(spec, argc, argv, given, NULL);
    if (parsed != CLI_PARSED)
        return parsed;
    sn_optimizer preset_optimizer = r->optimizer;
    if (r->preset) {
        if (!strcmp(r->preset, "list")) {
            const int rc = cli_preset_list(spec->name, json ? *json : NULL);
            return rc == 0 ? CLI_HELP : CLI_BAD;
        }
        const cli_preset *p = cli_preset_find(r->preset);
        if (!p) {
            cli_error(spec->name, "--preset: unknown preset '%s' (expected "
                                  "%s, or list)", r->preset,
                      cli_preset_names());
            return CLI_BAD;
        }
        /* The preset first, then the command line again over it: the
         * flags given win wherever they stand. */
        char *words[64];
        const int n = preset_argv(spec, p, words, 64);
        const char *name = r->preset;
        set_defaults(r);
        if (cli_parse_options(spec, n, words, &r->preset_given, NULL) !=
            CLI_PARSED)
            return CLI_BAD; /* a preset its own table refuses: a bug */
        preset_optimizer = r->optimizer;
        if (cli_parse_options(spec, argc, argv, given, NULL) != CLI_PARSED)
            return CLI_BAD;
        r->preset = name;
    }
    r->given = *given;
    r->init_file = NULL;
    if (r->init_arg) {
        sn_error err;
        if (sn_init_parse(r->init_arg, &r->init, &err) != 0)
            r->init_file = r->init_arg; /* not a scheme: a model */
    }
    take_defaults(r, preset_optimizer);
    return CLI_PARSED;
}

int cli_recipe_check(const char *cmd, const cli_recipe *r)
{
    const unsigned unused = r->given & ~uses(r->optimizer) &
                            (GIVEN_LR | GIVEN_MOMENTUM | GIVEN_BETA1 |
                             GIVEN_BETA2 | GIVEN_EPS | GIVEN_WD);
    for (size_t i = 0; i < NHYPERS; i++) {
        if (!(unused & hypers[i].bit))
            continue;
        char takes[128] = "";
        for (size_t k = 0, used = 0; k < NHYPERS; k++)
            if (uses(r->optimizer) & hypers[k].bit)
                used += (size_t)snprintf(takes + used, sizeof takes - used,
                                         "%s--%s", used ? " " : "",
                                         hypers[k].flag);
        cli_error(cmd, "--%s: %s does not use it (it takes %s)",
                  hypers[i].flag, sn_optimizer_name(r->optimizer), takes);
        return EXIT_USAGE;
    }
    if (r->schedule != SN_SCHEDULE_STEP &&
        (r->given & (GIVEN_STEP_EPOCHS | GIVEN_GAMMA))) {
        cli_error(cmd, "--%s: only --schedule step uses it (this run's "
                       "schedule is %s)",
                  r->given & GIVEN_STEP_EPOCHS ? "step-epochs" : "gamma",
                  sn_schedule_name(r->schedule));
        return EXIT_USAGE;
    }
    return 0;
}

void cli_recipe_config(const cli_recipe *r, long epochs, sn_train_config *cfg)
{
    cfg->optimizer = r->optimizer;
    for (size_t i = 0; i < NHYPERS; i++)
        *FIELD(cfg, hypers[i].in_config) = *FIELD(r, hypers[i].in_recipe);
    cfg->schedule = r->schedule;
    cfg->step_epochs = (size_t)r->step_epochs;
    cfg->gamma = r->gamma;
    cfg->epochs = (size_t)epochs;
}

void cli_recipe_from_checkpoint(cli_recipe *r, const sn_train_config *cfg)
{
    if (!(r->given & GIVEN_OPT))
        r->optimizer = cfg->optimizer;
    for (size_t i = 0; i < NHYPERS; i++)
        if (!(r->given & hypers[i].bit))
            *FIELD(r, hypers[i].in_recipe) = *FIELD(cfg, hypers[i].in_config);
    if (!(r->given & GIVEN_SCHEDULE))
        r->schedule = cfg->schedule;
    if (!(r->given & GIVEN_STEP_EPOCHS))
        r->step_epochs = (long)cfg->step_epochs;
    if (!(r->given & GIVEN_GAMMA))
        r->gamma = cfg->gamma;
}

/* ------------------------------------------------------------ networks */

int cli_recipe_make_net(const char *cmd, const cli_recipe *r, sn_net *net,
                        unsigned long long seed)
{
    const size_t nh = net->nlayers - 1;
    if (r->nhidden != 1 && r->nhidden != nh) {
        cli_error(cmd, "--hidden: %zu activations for %zu hidden layer%s "
                       "(give one for every hidden layer, or one each)",
                  r->nhidden, nh, nh == 1 ? "" : "s");
        return EXIT_USAGE;
    }
    sn_error err;
    if (sn_net_set_kind(net, r->hidden, r->nhidden, r->output, r->loss,
                        &err) != 0) {
        cli_error(cmd, "%s", err.msg);
        return EXIT_USAGE;
    }
    sn_net_init(net, r->init, seed);
    return 0;
}

/* "relu" or "relu,tanh": a network's hidden activations, into buf. */
static void hidden_names(const sn_net *net, char *buf, size_t len)
{
    size_t used = 0;
    int same = 1;
    buf[0] = '\0';
    for (size_t l = 1; l + 1 < net->nlayers; l++)
        same = same && net->act[l] == net->act[0];
    for (size_t l = 0; l + 1 < net->nlayers && used < len; l++) {
        used += (size_t)snprintf(buf + used, len - used, "%s%s", l ? "," : "",
                                 sn_activation_name(net->act[l]));
        if (same)
            break;
    }
}

/* The kind a recipe's flags ask for, against the network's. */
int cli_recipe_check_kind(const char *cmd, const cli_recipe *r,
                          const sn_net *net, const char *what)
{
    char have[160];
    hidden_names(net, have, sizeof have);
    const size_t nh = net->nlayers - 1;
    int same = r->nhidden == 1 || r->nhidden == nh;
    for (size_t l = 0; same && l < nh; l++)
        same = net->act[l] == r->hidden[r->nhidden == 1 ? 0 : l];
    if ((r->given & GIVEN_HIDDEN) && !same) {
        char want[160] = "";
        for (size_t i = 0, used = 0; i < r->nhidden && used < sizeof want; i++)
            used += (size_t)snprintf(want + used, sizeof want - used, "%s%s",
                                     i ? "," : "",
                                     sn_activation_name(r->hidden[i]));
        cli_error(cmd, "--hidden %s: %s has %s hidden layers", want, what,
                  nh ? have : "no");
        return EXIT_USAGE;
    }
    const sn_activation out = net->act[net->nlayers - 1];
    if ((r->given & GIVEN_OUTPUT) && r->output != out) {
        cli_error(cmd, "--output %s: %s has a %s output", sn_activation_name(
                  r->output), what, sn_activation_name(out));
        return EXIT_USAGE;
    }
    if ((r->given & GIVEN_LOSS) && r->loss != net->loss) {
        cli_error(cmd, "--loss %s: %s has the %s loss",
                  sn_loss_name(r->loss), what, sn_loss_name(net->loss));
        return EXIT_USAGE;
    }
    return 0;
}

/* ------------------------------------------------------------ describing */

void cli_describe_kind(const sn_net *net, char *buf, size_t len)
{
    char hidden[160];
    hidden_names(net, hidden, sizeof hidden);
    snprintf(buf, len, "%s%s%s output, %s cost", hidden,
             net->nlayers > 1 ? " hidden, " : "",
             sn_activation_name(net->act[net->nlayers - 1]),
             net->loss == SN_LOSS_CE ? "cross-entropy" : "L2");
}

void cli_describe_optimizer(const sn_train_config *cfg, char *buf, size_t len)
{
    const unsigned u = uses(cfg->optimizer);
    size_t used = (size_t)snprintf(buf, len, "%s",
                                   sn_optimizer_name(cfg->optimizer));
    for (size_t i = 0; i < NHYPERS && used < len; i++) {
        const float v = *FIELD(cfg, hypers[i].in_config);
        if (!(u & hypers[i].bit) || (hypers[i].bit == GIVEN_WD && v == 0.0f))
            continue;
        const char *label = hypers[i].bit == GIVEN_BETA2 &&
                                    cfg->optimizer == SN_OPT_RMSPROP
                                ? "alpha" : hypers[i].label;
        used += (size_t)snprintf(buf + used, len - used, " %s %g", label,
                                 (double)v);
    }
}

void cli_describe_schedule(const sn_train_config *cfg, char *buf, size_t len)
{
    switch (cfg->schedule) {
    case SN_SCHEDULE_COSINE:
        snprintf(buf, len, "cosine schedule");
        break;
    case SN_SCHEDULE_STEP:
        snprintf(buf, len, "step schedule (x%g every %zu epoch%s)",
                 (double)cfg->gamma, cfg->step_epochs,
                 cfg->step_epochs == 1 ? "" : "s");
        break;
    default:
        snprintf(buf, len, "constant lr");
    }
}

/* A float as the decimal it was written as (0.001, not 0.0010000000475). */
static void add_float(cJSON *rec, const char *key, float v)
{
    char text[32];
    snprintf(text, sizeof text, "%.9g", (double)v);
    for (int digits = 1; digits <= 9; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, (double)v);
        if ((float)strtod(text, NULL) == v)
            break;
    }
    cJSON_AddNumberToObject(rec, key, strtod(text, NULL));
}

void cli_recipe_json(cJSON *rec, const sn_net *net, const sn_train_config *cfg,
                     const char *init)
{
    cJSON *h = cJSON_AddArrayToObject(rec, "hidden");
    for (size_t l = 0; h && l + 1 < net->nlayers; l++)
        cJSON_AddItemToArray(h, cJSON_CreateString(
                                    sn_activation_name(net->act[l])));
    cJSON_AddStringToObject(rec, "output",
                            sn_activation_name(net->act[net->nlayers - 1]));
    cJSON_AddStringToObject(rec, "loss", sn_loss_name(net->loss));
    cJSON_AddStringToObject(rec, "init", init);
    cJSON_AddStringToObject(rec, "optimizer",
                            sn_optimizer_name(cfg->optimizer));
    add_float(rec, "lr", cfg->lr);
    add_float(rec, "momentum", cfg->momentum);
    add_float(rec, "beta1", cfg->beta1);
    add_float(rec, "beta2", cfg->beta2);
    add_float(rec, "eps", cfg->eps);
    add_float(rec, "weight_decay", cfg->weight_decay);
    cJSON_AddStringToObject(rec, "schedule", sn_schedule_name(cfg->schedule));
    cJSON_AddNumberToObject(rec, "step_epochs", (double)cfg->step_epochs);
    add_float(rec, "gamma", cfg->gamma);
}

int cli_recipe_new_net(const char *cmd, const cli_recipe *r,
                       const char *layers, unsigned long long seed,
                       sn_net *net)
{
    sn_error err;
    size_t sizes[SN_MAX_LAYERS], nsizes;
    size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS], nparams;
    if (sn_parse_layers(layers ? layers : SN_DEFAULT_LAYERS, sizes, &nsizes,
                        &err) != 0 ||
        sn_net_shape(sizes, nsizes, w_off, b_off, &nparams, &err) != 0) {
        cli_error(cmd, "--layers: %s", err.msg);
        return EXIT_USAGE;
    }
    if (sn_net_create(net, sizes, nsizes, &err) != 0) {
        cli_error(cmd, "%s", err.msg);
        return EXIT_FAIL;
    }
    return cli_recipe_make_net(cmd, r, net, seed);
}
