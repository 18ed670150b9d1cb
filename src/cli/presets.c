/* presets.c - the recipes `--preset NAME` names (recipe.h). A preset is a
 * list of flags with their values, parsed through the command's own table
 * before the command line: adding one is adding a row. A command that lacks
 * one of a preset's flags (bench has no --epochs) skips it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "recipe.h"

/* The tutorial's recipe, exactly today's defaults: its runs keep their
 * bits. */
static const cli_setting tutorial[] = {
    {"layers", SN_DEFAULT_LAYERS}, {"hidden", "sigmoid"},
    {"output", "sigmoid"},         {"loss", "l2"},
    {"init", "uniform"},           {"optimizer", "adagrad"},
    {"lr", "0.1"},                 {"eps", "1e-8"},
    {"schedule", "constant"},      {"batch", "100"},
    {"epochs", "5"},               {NULL, NULL},
};

/* Issue 12's modern recipe (PyTorch, same configuration: 95.09-96.27% for
 * seeds 0-4, docs/training.md). */
static const cli_setting relu_adam[] = {
    {"layers", SN_DEFAULT_LAYERS}, {"hidden", "relu"},
    {"output", "softmax"},         {"loss", "ce"},
    {"init", "he"},                {"optimizer", "adam"},
    {"lr", "0.001"},               {"schedule", "constant"},
    {"batch", "100"},              {"epochs", "5"},
    {NULL, NULL},
};

/* Issue 13's fast98: 98.0% final test accuracy soonest end to end: half
 * the epochs of the constant-rate recipe, with a cosine schedule from a
 * higher rate (docs/fast98.md has the runs that chose it). */
static const cli_setting fast98[] = {
    {"layers", "784,256,10"}, {"hidden", "relu"},    {"output", "softmax"},
    {"loss", "ce"},           {"init", "he"},        {"optimizer", "adam"},
    {"lr", "0.005"},          {"schedule", "cosine"}, {"batch", "100"},
    {"epochs", "3"},          {"shuffle", NULL},     {"threads", "2"},
    {NULL, NULL},
};

static const cli_preset presets[] = {
    {"tutorial", "the tutorial's network and AdaGrad (the default)",
     tutorial},
    {"relu-adam", "ReLU hidden layers, softmax and cross-entropy, Adam",
     relu_adam},
    {"fast98", "98% on MNIST soonest: 784-256-10 ReLU, Adam, shuffled",
     fast98},
};
enum { NPRESETS = sizeof presets / sizeof presets[0] };

const cli_preset *cli_preset_find(const char *name)
{
    for (size_t i = 0; i < NPRESETS; i++)
        if (!strcmp(presets[i].name, name))
            return &presets[i];
    return NULL;
}

const char *cli_preset_names(void)
{
    static char names[256];
    if (!names[0])
        for (size_t i = 0, used = 0; i < NPRESETS && used < sizeof names; i++)
            used += (size_t)snprintf(names + used, sizeof names - used,
                                     "%s%s", i ? ", " : "", presets[i].name);
    return names;
}

/* A value that is a number in JSON too ("0.001", "5"); lists are text. */
static cJSON *json_value(const char *v)
{
    if (!v)
        return cJSON_CreateTrue();
    char *end;
    const double x = strtod(v, &end);
    return *v && !*end ? cJSON_CreateNumber(x) : cJSON_CreateString(v);
}

int cli_preset_list(const char *cmd, const char *json)
{
    if (json) {
        cli_json out = {0};
        if (cli_json_open(cmd, &out, json) != 0)
            return EXIT_FAIL;
        cJSON *doc = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(doc, "presets");
        for (size_t i = 0; i < NPRESETS; i++) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "name", presets[i].name);
            cJSON_AddStringToObject(p, "about", presets[i].about);
            cJSON *s = cJSON_AddObjectToObject(p, "settings");
            for (const cli_setting *f = presets[i].settings; f->flag; f++)
                cJSON_AddItemToObject(s, f->flag, json_value(f->value));
            cJSON_AddItemToArray(list, p);
        }
        cli_json_put(&out, doc, 0);
        const int rc = cli_json_close(cmd, &out) == 0 ? 0 : EXIT_FAIL;
        cli_json_abort(&out);
        return rc;
    }
    for (size_t i = 0; i < NPRESETS; i++) {
        printf("%-10s %s\n          ", presets[i].name, presets[i].about);
        for (const cli_setting *f = presets[i].settings; f->flag; f++)
            printf(" --%s%s%s", f->flag, f->value ? " " : "",
                   f->value ? f->value : "");
        putchar('\n');
    }
    return 0;
}
