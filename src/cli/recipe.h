/*
 * recipe.h - what a network is and how it learns, as train and bench take
 * it from the command line: --hidden, --output, --loss, --init, the
 * optimizer and its hyperparameters, the schedule, and --preset (a whole
 * recipe, from presets.c). The values are the library's: names through its
 * *_parse functions, per-optimizer defaults from sn_train_config_optimizer.
 *
 * Precedence, lowest first: the optimizer's defaults, a preset's settings
 * (wherever --preset appears on the line), the flags given. A preset's
 * hyperparameters belong to its optimizer: a flag naming another optimizer
 * takes that optimizer's defaults instead.
 */
#ifndef SN_CLI_RECIPE_H
#define SN_CLI_RECIPE_H

#include <stdio.h>

#include "options.h"

/* The given bits of the recipe's options (options.h's cli_option.given);
 * the commands keep bits below 1 << 8 for their own options. */
enum {
    GIVEN_HIDDEN = 1u << 8, GIVEN_OUTPUT = 1u << 9, GIVEN_LOSS = 1u << 10,
    GIVEN_INIT = 1u << 11, GIVEN_OPT = 1u << 12, GIVEN_LR = 1u << 13,
    GIVEN_MOMENTUM = 1u << 14, GIVEN_BETA1 = 1u << 15,
    GIVEN_BETA2 = 1u << 16, GIVEN_EPS = 1u << 17, GIVEN_WD = 1u << 18,
    GIVEN_SCHEDULE = 1u << 19, GIVEN_STEP_EPOCHS = 1u << 20,
    GIVEN_GAMMA = 1u << 21, GIVEN_PRESET = 1u << 22,
};
#define GIVEN_KIND (GIVEN_HIDDEN | GIVEN_OUTPUT | GIVEN_LOSS)

typedef struct cli_recipe {
    const char *preset;          /* --preset NAME, or NULL */
    sn_activation hidden[SN_MAX_LAYERS]; /* --hidden: one, or one per layer */
    size_t nhidden;
    sn_activation output;
    sn_loss loss;
    const char *init_arg;        /* --init as given */
    sn_init init;                /* the scheme, when init_file is NULL */
    const char *init_file;       /* --init FILE: a model to start from */
    sn_optimizer optimizer;
    float lr, momentum, beta1, beta2, eps, weight_decay, gamma;
    sn_schedule schedule;
    long step_epochs;
    unsigned given;              /* GIVEN_* named on the command line */
    unsigned preset_given;       /* GIVEN_* the preset set */
} cli_recipe;

/* The recipe's options, for a command's table: fills out[] (room for
 * CLI_RECIPE_OPTIONS entries) and returns how many. */
enum { CLI_RECIPE_OPTIONS = 15 };
size_t cli_recipe_options(cli_recipe *r, cli_option *out);

/* Parses argv against spec (whose table holds the recipe's options, dest
 * r) with the preset applied first: the same as cli_parse_options, with
 * *given the bits the command line named. `--preset list` prints the
 * presets (as JSON when json names a file or "-") and returns CLI_HELP.
 * Then the settings nobody gave take the optimizer's defaults, and the
 * combinations that cannot work are refused (CLI_BAD, said on stderr). */
int cli_recipe_parse(const cli_command_spec *spec, int argc, char **argv,
                     cli_recipe *r, unsigned *given, const char *const *json);

/* Refuses a hyperparameter given that the optimizer does not use
 * (adagrad's --weight-decay), and --step-epochs or --gamma without the
 * step schedule: prints why and returns EXIT_USAGE, else 0. Call it once
 * the recipe is whole (after cli_recipe_from_checkpoint on --resume). */
int cli_recipe_check(const char *cmd, const cli_recipe *r);

/* The training configuration's recipe fields: optimizer, lr and
 * hyperparameters, schedule; epochs is the run's planned length. */
void cli_recipe_config(const cli_recipe *r, long epochs, sn_train_config *cfg);

/* A fresh network's kind and weights: the activations and loss, then the
 * --init scheme drawn with seed. Prints the error (flag named) and returns
 * the exit status. */
int cli_recipe_make_net(const char *cmd, const cli_recipe *r, sn_net *net,
                        unsigned long long seed);

/* A fresh network of the layer list (SN_DEFAULT_LAYERS when NULL), then
 * cli_recipe_make_net. A refused shape is a usage error naming --layers;
 * memory short is not. Returns the exit status. */
int cli_recipe_new_net(const char *cmd, const cli_recipe *r,
                       const char *layers, unsigned long long seed,
                       sn_net *net);

/* A network that came from a file (--init FILE, --resume): the kind flags
 * that were given must agree with it. what: "--init m.model", or "the run in
 * c.ck". Prints which flag disagrees, naming both, and returns
 * EXIT_USAGE; 0 if all agree. */
int cli_recipe_check_kind(const char *cmd, const cli_recipe *r,
                          const sn_net *net, const char *what);

/* On --resume: the checkpoint's recipe is the default of every flag not
 * given (the library refuses the ones that disagree). */
void cli_recipe_from_checkpoint(cli_recipe *r, const sn_train_config *cfg);

/* "relu hidden, softmax output, cross-entropy cost" into buf. */
void cli_describe_kind(const sn_net *net, char *buf, size_t len);
/* "adam lr 0.001 beta1 0.9 beta2 0.999 eps 1e-08" and the schedule,
 * "constant lr", "cosine schedule", "step schedule (x0.1 every 2 epochs)",
 * into buf. */
void cli_describe_optimizer(const sn_train_config *cfg, char *buf,
                            size_t len);
void cli_describe_schedule(const sn_train_config *cfg, char *buf, size_t len);
/* The recipe as JSON fields of rec: hidden (array), output, loss, init,
 * optimizer, lr, momentum, beta1, beta2, eps, weight_decay, schedule,
 * step_epochs, gamma. */
struct cJSON;
void cli_recipe_json(struct cJSON *rec, const sn_net *net,
                     const sn_train_config *cfg, const char *init);

/* presets.c: the presets, by name. */
typedef struct cli_setting {
    const char *flag;   /* without "--" */
    const char *value;  /* NULL for a flag without a value */
} cli_setting;

typedef struct cli_preset {
    const char *name;
    const char *about;
    const cli_setting *settings; /* ends with {NULL, NULL} */
} cli_preset;

const cli_preset *cli_preset_find(const char *name);
/* "tutorial (the default), relu-adam" for --help. */
const char *cli_preset_names(void);
/* `--preset list`: every preset and its settings, as text or JSON. */
int cli_preset_list(const char *cmd, const char *json);

#endif
