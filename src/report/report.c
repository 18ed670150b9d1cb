/*
 * report.c - the whole report: checks the inputs, evaluates the test set,
 * draws every picture into memory, then writes the files (index.html last).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/report.h"

enum { MAX_FILES = 256 };

typedef struct report {
    const sn_report_input *in;
    sn_report_file files[MAX_FILES]; /* drawn, not written yet */
    size_t nfiles;
    sn_chart_set charts;
    size_t *chart_file;    /* the file of each chart, an index into files */
    /* test set evaluation */
    int evaluated;
    sn_eval_result eval;
    size_t *mistakes;      /* test indices of the first misclassified ones */
    int *mistake_pred;
    size_t nmistakes;
    size_t rows, cols;     /* the input's image shape */
} report;

static const sn_report_file *find_file(const report *r, const char *name)
{
    for (size_t i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i].name, name))
            return &r->files[i];
    return NULL;
}

/* A new file of the report named name, or, if a file has that name
 * already (two charts whose names hash alike), "stem-2.ext", "stem-3.ext"
 * and so on: no picture overwrites another. */
static sn_buf *new_file(report *r, const char *name, sn_error *err)
{
    if (r->nfiles == MAX_FILES) {
        sn_set_error(err, "more than %d files in one report", MAX_FILES);
        return NULL;
    }
    const size_t stem = strcspn(name, ".");
    sn_buf unique = {0};
    sn_buf_puts(&unique, name);
    for (unsigned k = 2; !sn_buf_failed(&unique) && find_file(r, unique.data);
         k++) {
        unique.len = 0;
        sn_buf_printf(&unique, "%.*s-%u%s", (int)stem, name, k, name + stem);
    }
    if (sn_buf_failed(&unique)) {
        sn_buf_free(&unique);
        sn_set_error(err, "out of memory");
        return NULL;
    }
    sn_report_file *f = &r->files[r->nfiles++];
    f->name = unique.data;
    return &f->text;
}

static int check_data(const sn_net *net, const sn_dataset *ds,
                      const char *which, sn_error *err)
{
    if (!ds)
        return 0;
    if (ds->input_size != net->sizes[0])
        return sn_set_error(err, "the %s set has %zu inputs per sample, the "
                                 "network's first layer %zu", which,
                            ds->input_size, net->sizes[0]);
    if (ds->count == 0)
        return sn_set_error(err, "the %s set is empty", which);
    return 0;
}

/* Accuracy and confusion from sn_evaluate; the first mistakes, in test set
 * order, from sn_predict. */
static int evaluate(report *r, sn_error *err)
{
    const sn_report_input *in = r->in;
    const sn_dataset *ds = in->test;
    if (sn_evaluate(in->net, in->kernels, ds, in->threads, &r->eval, err) != 0)
        return -1;
    r->evaluated = 1;
    const size_t want = in->max_mistakes ? in->max_mistakes : 60;
    const size_t nout = in->net->sizes[in->net->nlayers];
    r->mistakes = malloc(want * sizeof *r->mistakes);
    r->mistake_pred = malloc(want * sizeof *r->mistake_pred);
    float *out = malloc(nout * sizeof *out);
    if (!r->mistakes || !r->mistake_pred || !out) {
        free(out);
        return sn_set_error(err, "out of memory");
    }
    for (size_t i = 0; i < ds->count && r->nmistakes < want; i++) {
        if (sn_predict(in->net, in->kernels, ds->pixels + i * ds->input_size,
                       out, err) != 0) {
            free(out);
            return -1;
        }
        size_t best = 0;
        for (size_t j = 1; j < nout; j++)
            if (out[j] > out[best])
                best = j;
        if (best != ds->labels[i]) {
            r->mistakes[r->nmistakes] = i;
            r->mistake_pred[r->nmistakes++] = (int)best;
        }
    }
    free(out);
    return 0;
}

/* The training samples of the grid: distinct, picked by the seed. */
static int pick_samples(const sn_dataset *ds, uint64_t seed, size_t n,
                        size_t *out)
{
    size_t *all = malloc(ds->count * sizeof *all);
    if (!all)
        return -1;
    for (size_t i = 0; i < ds->count; i++)
        all[i] = i;
    sn_rng rng;
    sn_rng_seed(&rng, seed);
    /* The first n steps of a Fisher-Yates shuffle. */
    for (size_t i = 0; i < n; i++) {
        const size_t j = i + sn_rng_below(&rng, (uint32_t)(ds->count - i));
        const size_t t = all[i];
        all[i] = all[j];
        all[j] = t;
        out[i] = all[i];
    }
    free(all);
    return 0;
}

static int draw_pictures(report *r, sn_error *err)
{
    const sn_report_input *in = r->in;
    const sn_net *net = in->net;
    sn_buf *b;

    if (in->costs) {
        if (!(b = new_file(r, "cost.svg", err)) ||
            sn_svg_cost_curve(b, in->costs, in->epochs, in->nbatches,
                              in->accuracy, net->loss, err) != 0)
            return -1;
    }

    /* The network, for a test sample if there is a test set. */
    const sn_dataset *ds = in->test ? in->test : in->train;
    const size_t sample = ds && in->sample < ds->count ? in->sample : 0;
    uint8_t *blank = NULL;
    const uint8_t *pixels;
    if (ds) {
        pixels = ds->pixels + sample * ds->input_size;
    } else {
        blank = calloc(net->sizes[0], 1);
        if (!blank)
            return sn_set_error(err, "out of memory");
        pixels = blank;
    }
    int rc = (b = new_file(r, "network.svg", err)) ? 0 : -1;
    if (rc == 0)
        rc = sn_svg_network(b, net, in->kernels, pixels, r->rows, r->cols,
                            ds ? ds->labels[sample] : -1, sample, err);
    free(blank);
    if (rc != 0)
        return -1;

    if (!(b = new_file(r, "weights.svg", err)) ||
        sn_svg_weights(b, net, r->rows, r->cols, err) != 0)
        return -1;

    if (in->train) {
        const size_t rows = in->grid_rows ? in->grid_rows : 6;
        const size_t cols = in->grid_cols ? in->grid_cols : 15;
        size_t n = rows * cols < in->train->count ? rows * cols
                                                  : in->train->count;
        size_t *pick = malloc(n * sizeof *pick);
        if (!pick || pick_samples(in->train, in->seed, n, pick) != 0) {
            free(pick);
            return sn_set_error(err, "out of memory");
        }
        char title[128];
        snprintf(title, sizeof title, "%zu training samples (seed %llu) and "
                 "their labels", n, (unsigned long long)in->seed);
        rc = (b = new_file(r, "samples.svg", err)) ? 0 : -1;
        if (rc == 0)
            rc = sn_svg_digit_grid(b, title, in->train, pick, NULL, n, cols,
                                   err);
        free(pick);
        if (rc != 0)
            return -1;
    }

    if (r->evaluated) {
        if (!(b = new_file(r, "confusion.svg", err)) ||
            sn_svg_confusion(b, r->eval.confusion, r->eval.classes, err) != 0)
            return -1;
        const size_t wrong = r->eval.count - r->eval.correct;
        char title[160];
        if (wrong > r->nmistakes)
            snprintf(title, sizeof title, "The first %zu of %zu misclassified "
                     "test images: true \xe2\x86\x92 predicted", r->nmistakes,
                     wrong);
        else
            snprintf(title, sizeof title, "All %zu misclassified test images: "
                     "true \xe2\x86\x92 predicted", wrong);
        if (!(b = new_file(r, "mistakes.svg", err)) ||
            sn_svg_digit_grid(b, title, in->test, r->mistakes, r->mistake_pred,
                              r->nmistakes, 15, err) != 0)
            return -1;
    }

    r->chart_file = malloc((r->charts.n + 1) * sizeof *r->chart_file);
    if (!r->chart_file)
        return sn_set_error(err, "out of memory");
    for (size_t i = 0; i < r->charts.n; i++) {
        sn_buf name = {0};
        sn_buf_printf(&name, "%s.svg", r->charts.charts[i].slug);
        b = sn_buf_failed(&name) ? NULL : new_file(r, name.data, err);
        sn_buf_free(&name);
        if (!b)
            return sn_set_error(err, "out of memory");
        r->chart_file[i] = r->nfiles - 1;
        if (sn_svg_chart(b, &r->charts.charts[i], err) != 0)
            return -1;
    }
    return 0;
}

/* costs.csv and accuracy.csv: the numbers behind the cost curve, in the
 * formats sn_costs_read and sn_accuracy_read take back. */
static int write_data(report *r, sn_error *err)
{
    const sn_report_input *in = r->in;
    sn_buf *b;
    if (in->costs) {
        if (!(b = new_file(r, "costs.csv", err)))
            return -1;
        sn_buf_puts(b, "epoch,batch,cost\n");
        for (size_t e = 0; e < in->epochs; e++)
            for (size_t i = 0; i < in->nbatches; i++)
                sn_buf_printf(b, "%zu,%zu,%.9g\n", e + 1, i + 1,
                              (double)in->costs[e * in->nbatches + i]);
    }
    int all = in->accuracy && in->epochs > 0;
    for (size_t e = 0; all && e < in->epochs; e++)
        all = isfinite(in->accuracy[e]);
    if (all) {
        if (!(b = new_file(r, "accuracy.csv", err)))
            return -1;
        sn_buf_puts(b, "epoch,test_accuracy_percent\n");
        for (size_t e = 0; e < in->epochs; e++)
            sn_buf_printf(b, "%zu,%.4f\n", e + 1, 100.0 * in->accuracy[e]);
    }
    return 0;
}

/* ------------------------------------------------------------ index.html */

static void kv_row(sn_buf *b, const char *key, const char *value)
{
    sn_buf_puts(b, "<tr><th>");
    sn_buf_put_xml(b, key);
    sn_buf_puts(b, "</th><td>");
    sn_buf_put_xml(b, value);
    sn_buf_puts(b, "</td></tr>\n");
}

/* A figure if its file was drawn, else a line saying how to get it. */
static void figure(sn_buf *b, const report *r, const char *file,
                   const char *heading, const char *note, const char *missing)
{
    /* The section's id is the file's stem: index.html#weights links it. */
    sn_buf_puts(b, "<section id=\"");
    sn_buf_put(b, file, strcspn(file, "."));
    sn_buf_puts(b, "\">\n<h2>");
    sn_buf_put_xml(b, heading);
    sn_buf_puts(b, "</h2>\n");
    if (!find_file(r, file)) {
        sn_buf_puts(b, "<p class=\"missing\">");
        sn_buf_put_xml(b, missing);
        sn_buf_puts(b, "</p>\n</section>\n");
        return;
    }
    if (note && *note) {
        sn_buf_puts(b, "<p>");
        sn_buf_put_xml(b, note);
        sn_buf_puts(b, "</p>\n");
    }
    sn_buf_puts(b, "<a href=\"");
    sn_buf_put_xml(b, file);
    sn_buf_puts(b, "\"><img src=\"");
    sn_buf_put_xml(b, file);
    sn_buf_puts(b, "\" alt=\"");
    sn_buf_put_xml(b, heading);
    sn_buf_puts(b, "\"/></a>\n</section>\n");
}

static void write_index(report *r, sn_buf *b)
{
    const sn_report_input *in = r->in;
    const char *title = in->title ? in->title : "simdnet report";
    sn_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                   "<meta charset=\"utf-8\"/>\n<title>");
    sn_buf_put_xml(b, title);
    sn_buf_puts(b,
        "</title>\n<style>\n"
        "body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; "
        "color: #222; max-width: 1180px; margin: 0 auto; padding: 16px 24px; "
        "background: #fafafa; }\n"
        "h1 { margin-bottom: 2px; } h2 { margin: 0 0 6px; font-size: 19px; }\n"
        ".sub { color: #666; margin-top: 0; }\n"
        "section { background: #fff; border: 1px solid #e2e2e2; "
        "border-radius: 6px; padding: 14px 16px; margin: 14px 0; }\n"
        "img { max-width: 100%; height: auto; display: block; }\n"
        "table { border-collapse: collapse; margin: 4px 0 8px; }\n"
        "th, td { text-align: left; padding: 3px 14px 3px 0; "
        "vertical-align: top; }\n"
        "th { color: #555; font-weight: normal; }\n"
        "table.epochs th { font-weight: bold; color: #222; }\n"
        "table.epochs td { text-align: right; }\n"
        ".tables { display: flex; flex-wrap: wrap; gap: 12px 48px; }\n"
        ".missing { color: #888; font-style: italic; }\n"
        "p { margin: 4px 0 10px; }\n"
        "</style>\n</head>\n<body>\n<h1>");
    sn_buf_put_xml(b, title);
    char layers[160];
    sn_format_layers(in->net, layers, sizeof layers);
    /* The hidden activations ("relu", or "relu, tanh" layer by layer),
     * the output's and the loss. */
    const sn_net *net = in->net;
    int same = 1;
    for (size_t l = 1; l + 1 < net->nlayers; l++)
        same = same && net->act[l] == net->act[0];
    sn_buf_printf(b, "</h1>\n<p class=\"sub\">simdnet %s: network %s, %zu "
                     "parameters, ", SN_VERSION_STRING, layers, net->nparams);
    for (size_t l = 0; l + 1 < net->nlayers && (l == 0 || !same); l++)
        sn_buf_printf(b, "%s%s", l ? ", " : "", sn_activation_name(net->act[l]));
    sn_buf_printf(b, "%s%s output, %s</p>\n", net->nlayers > 1 ? " hidden, " : "",
                  sn_activation_name(net->act[net->nlayers - 1]),
                  sn_report_cost_name(net->loss));

    /* Results and configuration side by side. */
    sn_buf_puts(b, "<section>\n<div class=\"tables\">\n<div>\n<h2>Results</h2>"
                   "\n<table class=\"results\">\n");
    for (size_t i = 0; i < in->nresults; i++)
        kv_row(b, in->results[i].key, in->results[i].value);
    if (r->evaluated) {
        char v[128];
        snprintf(v, sizeof v, "%.2f%% (%zu of %zu)", 100.0 * r->eval.accuracy,
                 r->eval.correct, r->eval.count);
        kv_row(b, "test accuracy", v);
        snprintf(v, sizeof v, "%.4f", r->eval.mean_cost);
        char key[64];
        snprintf(key, sizeof key, "test cost (mean %s)",
                 sn_report_cost_name(in->net->loss));
        kv_row(b, key, v);
        snprintf(v, sizeof v, "%zu", r->eval.count - r->eval.correct);
        kv_row(b, "misclassified", v);
    } else if (in->nresults == 0) {
        kv_row(b, "test set", "not given: no accuracy");
    }
    sn_buf_puts(b, "</table>\n</div>\n<div>\n<h2>Run</h2>\n<table class=\"run\">"
                   "\n");
    kv_row(b, "network", layers);
    for (size_t i = 0; i < in->nconfig; i++)
        kv_row(b, in->config[i].key, in->config[i].value);
    sn_buf_puts(b, "</table>\n</div>\n");

    /* Per-epoch numbers: the mean of each epoch's batch costs, and the
     * test accuracy after it. */
    if (in->costs || in->accuracy) {
        sn_buf_puts(b, "<div>\n<h2>Epochs</h2>\n<table class=\"epochs\">\n"
                       "<tr><th>epoch</th><th>mean batch cost</th>"
                       "<th>test accuracy</th></tr>\n");
        for (size_t e = 0; e < in->epochs; e++) {
            sn_buf_printf(b, "<tr><td>%zu</td>", e + 1);
            if (in->costs) {
                double sum = 0.0;
                for (size_t i = 0; i < in->nbatches; i++)
                    sum += in->costs[e * in->nbatches + i];
                sn_buf_printf(b, "<td>%.4f</td>", sum / (double)in->nbatches);
            } else {
                sn_buf_puts(b, "<td></td>");
            }
            if (in->accuracy && isfinite(in->accuracy[e]))
                sn_buf_printf(b, "<td>%.2f%%</td></tr>\n",
                              100.0 * in->accuracy[e]);
            else
                sn_buf_puts(b, "<td></td></tr>\n");
        }
        sn_buf_puts(b, "</table>\n</div>\n");
    }
    sn_buf_puts(b, "</div>\n</section>\n");

    char cost_note[200];
    snprintf(cost_note, sizeof cost_note, "The mean %s of every batch over "
             "the whole run; dashed lines mark the epochs, red points the "
             "test accuracy after each.", sn_report_cost_name(in->net->loss));
    figure(b, r, "cost.svg", "Training cost", cost_note,
           "No cost curve: pass --costs FILE (written by simdnet train "
           "--costs), or use simdnet train --report.");
    char note[256];
    const sn_dataset *ds = in->test ? in->test : in->train;
    if (ds)
        snprintf(note, sizeof note, "The activations of every layer for %s "
                 "sample %zu. Hover over a neuron or a connection (open the "
                 "picture by itself) for its value.",
                 in->test ? "test" : "training",
                 in->sample < ds->count ? in->sample : 0);
    else
        snprintf(note, sizeof note, "No data set was given: the activations "
                 "are those of a blank input.");
    figure(b, r, "network.svg", "The network", note, "");
    figure(b, r, "samples.svg", "Training samples",
           "A grid of training images picked at random by the seed, with "
           "their labels.",
           "No training samples: no data set was given (--data DIR).");
    figure(b, r, "weights.svg", "First-layer weights",
           "Each hidden neuron of the first layer weighs every input pixel: "
           "red pixels excite it, blue ones inhibit it.", "");
    figure(b, r, "confusion.svg", "Confusion matrix",
           "Rows are the true classes, columns the predicted ones; the "
           "diagonal holds the correct answers.",
           "No confusion matrix: no test set was given (--data DIR).");
    figure(b, r, "mistakes.svg", "Misclassified test images",
           "In test set order, with the true and the predicted class.",
           "No misclassified images: no test set was given (--data DIR).");
    if (r->evaluated && r->nmistakes == 0)
        sn_buf_puts(b, "<p>Every test image was classified correctly.</p>\n");

    if (r->charts.n == 0) {
        sn_buf_puts(b, "<section>\n<h2>Benchmarks</h2>\n<p class=\"missing\">"
                       "No benchmarks: pass --bench FILE (Google Benchmark "
                       "JSON of bench_kernels, or simdnet bench --json "
                       "output).</p>\n</section>\n");
    }
    for (size_t i = 0; i < r->charts.n; i++)
        figure(b, r, r->files[r->chart_file[i]].name,
               r->charts.charts[i].title, r->charts.charts[i].subtitle, "");

    /* The data files beside the pictures. */
    const int csv = find_file(r, "costs.csv") || find_file(r, "accuracy.csv");
    if (csv || in->nlinks) {
        sn_buf_puts(b, "<section>\n<h2>Files</h2>\n<p>");
        const char *names[2] = {"costs.csv", "accuracy.csv"};
        int first = 1;
        for (size_t i = 0; i < 2 + in->nlinks; i++) {
            const char *name = i < 2 ? names[i] : in->links[i - 2];
            if (i < 2 && !find_file(r, name))
                continue;
            sn_buf_puts(b, first ? "<a href=\"" : " &#183; <a href=\"");
            sn_buf_put_xml(b, name);
            sn_buf_puts(b, "\">");
            sn_buf_put_xml(b, name);
            sn_buf_puts(b, "</a>");
            first = 0;
        }
        sn_buf_puts(b, "</p>\n</section>\n");
    }
    sn_buf_puts(b, "</body>\n</html>\n");
    sn_report_list_files(b, r->files, r->nfiles);
}

static void report_free(report *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].name);
        sn_buf_free(&r->files[i].text);
    }
    free(r->chart_file);
    sn_chart_set_free(&r->charts);
    sn_eval_free(&r->eval);
    free(r->mistakes);
    free(r->mistake_pred);
}

int sn_report_write(const sn_report_input *in, const char *dir,
                    size_t *files, sn_error *err)
{
    if (files)
        *files = 0;
    if (!in->net || !in->net->params)
        return sn_set_error(err, "report: no network");
    if (check_data(in->net, in->train, "training", err) != 0 ||
        check_data(in->net, in->test, "test", err) != 0)
        return -1;
    if (in->costs && (in->epochs == 0 || in->nbatches == 0))
        return sn_set_error(err, "report: costs of %zu epochs of %zu batches",
                            in->epochs, in->nbatches);
    const sn_dataset *sample_set = in->test ? in->test : in->train;
    if (sample_set && in->sample >= sample_set->count)
        return sn_set_error(err, "sample %zu: the %s set has %zu samples",
                            in->sample, in->test ? "test" : "training",
                            sample_set->count);

    report *r = calloc(1, sizeof *r);
    if (!r)
        return sn_set_error(err, "out of memory");
    r->in = in;
    /* The picture shape of an input: the data set's, else a square. */
    const sn_dataset *ds = in->train ? in->train : in->test;
    if (ds && ds->rows * ds->cols == in->net->sizes[0]) {
        r->rows = ds->rows;
        r->cols = ds->cols;
    } else {
        sn_image_shape(in->net->sizes[0], &r->rows, &r->cols);
    }

    int rc = -1;
    for (size_t i = 0; i < in->nbench; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "bench%zu", i + 1);
        if (sn_bench_read(in->bench[i], prefix, &r->charts, err) != 0)
            goto out;
    }
    if (in->test && evaluate(r, err) != 0)
        goto out;
    if (draw_pictures(r, err) != 0 || write_data(r, err) != 0)
        goto out;
    sn_buf *index = new_file(r, "index.html", err);
    if (!index)
        goto out;
    write_index(r, index);
    for (size_t i = 0; i < r->nfiles; i++)
        if (sn_buf_failed(&r->files[i].text)) {
            sn_set_error(err, "out of memory drawing %s", r->files[i].name);
            goto out;
        }

    /* Everything is drawn: now the files, index.html last. */
    if (sn_report_write_files(dir, r->files, r->nfiles, files, err) != 0)
        goto out;
    rc = 0;
out:
    report_free(r);
    free(r);
    return rc;
}
