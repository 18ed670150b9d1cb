/* cmd_eval.c - `simdnet eval`: accuracy, cost and confusion of a model. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "options.h"
#include "outputs.h"
#include "report/report.h"

static const char *const CMD = "eval";

typedef struct eval_args {
    const char *model, *data, *isa, *json;
    sn_split split;
    long threads;
} eval_args;

static int parse_split(const char *value, void *split, sn_error *err)
{
    if (!strcmp(value, "test"))
        *(sn_split *)split = SN_SPLIT_TEST;
    else if (!strcmp(value, "train"))
        *(sn_split *)split = SN_SPLIT_TRAIN;
    else
        return cli_reason(err, "expected test or train, got '%s'", value);
    return 0;
}

static int parse_args(int argc, char **argv, eval_args *a)
{
    *a = (eval_args){.split = SN_SPLIT_TEST};
    const cli_option options[] = {
        cli_opt(CLI_OPT_MODEL, &a->model, NULL),
        cli_opt(CLI_OPT_DATA, &a->data, NULL),
        {.name = "split", .kind = CLI_LIST, .dest = &a->split, .value = "NAME",
         .parse = parse_split,
         .help = "test (default) or train"},
        cli_opt(CLI_OPT_THREADS, &a->threads, NULL),
        cli_opt(CLI_OPT_ISA, &a->isa, NULL),
        cli_opt(CLI_OPT_JSON, &a->json, NULL),
    };
    const cli_command_spec spec = {
        CMD, "eval --model FILE [options]",
        "Evaluates a saved model of any kind: accuracy, mean cost (the model's\n"
        "own loss), confusion matrix.\n",
        NULL, options, sizeof options / sizeof *options, 0};
    const int parsed = cli_parse_options(&spec, argc, argv, NULL, NULL);
    if (parsed != CLI_PARSED)
        return parsed;
    if (!a->model) {
        cli_error(CMD, "--model FILE is required");
        return CLI_BAD;
    }
    return CLI_PARSED;
}

static void print_confusion(FILE *out, const sn_eval_result *r)
{
    fprintf(out, "confusion matrix (rows: true class, columns: predicted)\n"
                 "      ");
    for (size_t p = 0; p < r->classes; p++)
        fprintf(out, " %6zu", p);
    fputc('\n', out);
    for (size_t t = 0; t < r->classes; t++) {
        fprintf(out, "%6zu", t);
        for (size_t p = 0; p < r->classes; p++)
            fprintf(out, " %6zu", r->confusion[t * r->classes + p]);
        fputc('\n', out);
    }
}

/* The JSON document: what the text shows, in fields. */
static cJSON *eval_json(const eval_args *a, const char *dir, const sn_net *net,
                        const sn_eval_result *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "model", a->model);
    cli_json_add_sizes(doc, "layers", net->sizes, net->nlayers + 1);
    cJSON_AddStringToObject(doc, "data", dir);
    cJSON_AddStringToObject(doc, "split",
                            a->split == SN_SPLIT_TEST ? "test" : "train");
    cJSON_AddNumberToObject(doc, "samples", (double)r->count);
    cJSON_AddNumberToObject(doc, "correct", (double)r->correct);
    cJSON_AddNumberToObject(doc, "accuracy", r->accuracy);
    cJSON_AddNumberToObject(doc, "mean_cost", r->mean_cost);
    cJSON *rows = cJSON_AddArrayToObject(doc, "confusion");
    for (size_t t = 0; rows && t < r->classes; t++) {
        cJSON *row = cJSON_CreateArray();
        for (size_t p = 0; row && p < r->classes; p++)
            cJSON_AddItemToArray(row, cJSON_CreateNumber(
                (double)r->confusion[t * r->classes + p]));
        cJSON_AddItemToArray(rows, row);
    }
    return doc;
}

int cmd_eval(int argc, char **argv)
{
    eval_args a;
    const int parsed = parse_args(argc, argv, &a);
    if (parsed != CLI_PARSED)
        return cli_options_exit(parsed);
    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, a.isa, &kernels) != 0)
        return EXIT_USAGE;
    cli_json json;
    if (cli_json_open(CMD, &json, a.json) != 0)
        return EXIT_FAIL;
    FILE *out = cli_json_text(&json);

    sn_error err;
    sn_net net = {0};
    const char *dir = cli_data_dir(a.data);
    sn_dataset ds = {0};
    sn_eval_result res = {0};
    int rc = EXIT_FAIL;
    if (cli_input_check(CMD, "--model", a.model) != 0)
        goto out;
    if (sn_model_load(&net, a.model, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    if (cli_load_split(CMD, dir, a.split, (unsigned)net.sizes[net.nlayers],
                       &ds) != 0)
        goto out;
    if (sn_evaluate(&net, kernels, &ds, (int)a.threads, &res, &err) != 0) {
        cli_error(CMD, "%s", err.msg);
        goto out;
    }
    char layers[160];
    sn_format_layers(&net, layers, sizeof layers);
    fprintf(out, "model     %s (%s)\n", a.model, layers);
    fprintf(out, "data      %s, %s split, %zu samples\n", dir,
            a.split == SN_SPLIT_TEST ? "test" : "train", ds.count);
    fprintf(out, "accuracy  %.2f%% (%zu of %zu)\n", 100.0 * res.accuracy,
            res.correct, res.count);
    fprintf(out, "cost      %.4f (mean %s per sample)\n", res.mean_cost,
            sn_report_cost_name(net.loss));
    print_confusion(out, &res);
    if (cli_json_put(&json, eval_json(&a, dir, &net, &res), 0) == 0 &&
        cli_json_close(CMD, &json) == 0)
        rc = 0;
out:
    cli_json_abort(&json);
    sn_eval_free(&res);
    sn_dataset_free(&ds);
    sn_net_free(&net);
    return rc;
}
