/*
 * report.h - simdnet's pictures: SVG files and one index.html that shows a
 * run (cost curve, network, samples, first-layer weights, confusion matrix,
 * mistakes, benchmarks), written by simdnet itself with no plotting stack.
 *
 * This is a library of its own (libsnreport) beside libsimdnet: the engine
 * stays free of file formats it does not need, and a program that only
 * trains does not link any of this. It follows libsimdnet's rules: it never
 * prints and never exits; every function that can fail returns -1 with a
 * message in its sn_error.
 *
 * Each sn_svg_* function appends one complete SVG document to a buffer.
 * sn_report_write reads and checks every input, draws every picture in
 * memory, and only then writes the files, each through a temporary file and
 * a rename, index.html removed first and written last, the previous
 * report's other files removed after it: a failed report never leaves a
 * half-written file nor an index.html, and a finished index.html means
 * every picture it shows is there and from this report.
 */
#ifndef SN_REPORT_H
#define SN_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "report/svg.h"
#include "simdnet.h"

/* ------------------------------------------------------------ charts */

/* A roofline (roofline.c, drawn by sn_svg_roofline): one kernel set's
 * kernels as points of arithmetic intensity (FLOP per byte) and GFLOP/s
 * under its compute roof and its memory roofs. */
typedef struct sn_roof {
    char *name;       /* the memory level: "L1", "DRAM" */
    double gb_per_s;  /* its streaming bandwidth */
} sn_roof;

typedef struct sn_roof_point {
    char *op, *shape; /* "gemv", "32x784" (shape may be "") */
    double intensity, gflops;
} sn_roof_point;

typedef struct sn_roofline {
    double peak;      /* the FMA peak in GFLOP/s; NAN: unknown */
    sn_roof *roofs;
    size_t nroofs;
    sn_roof_point *points;
    size_t npoints;
} sn_roofline;

/* A chart of the benchmarks: a grouped bar chart (groups along x, one bar
 * per series in each group), or a roofline where roofline is not NULL
 * (then only title, subtitle and slug are used). */
typedef struct sn_bar_chart {
    char *title;     /* "gemv: GFLOP/s per kernel set" */
    char *subtitle;  /* where the numbers come from (machine, date) */
    char *unit;      /* y axis label, e.g. "GFLOP/s" */
    char *slug;      /* file name part, [a-z0-9-] only: "kernels-gemv" */
    size_t ngroups, nseries;
    char **groups, **series;
    double *value;   /* [group * nseries + series]; NAN: no bar */
    double *lo, *hi; /* NULL, or an error bar's ends for every value */
    sn_roofline *roofline;
} sn_bar_chart;

typedef struct sn_chart_set {
    sn_bar_chart *charts;
    size_t n;
} sn_chart_set;

/* The limits of sn_bench_read (docs/robustness.md): the file's size, and
 * what one file may ask to draw. The text and cJSON's tree of it (about
 * 64 bytes a value and a copy of each key) peak at about ten times the
 * file's size, so 16 MiB bound it to about 170 MB; each chart holds at most
 * groups x series values. */
#define SN_BENCH_MAX_FILE ((size_t)16 << 20)
#define SN_CHART_MAX_GROUPS 256
#define SN_CHART_MAX_SERIES 32
#define SN_CHART_MAX_CHARTS 64
/* A roofline holds at most this many points (kernel runs) and roofs
 * (memory levels). */
#define SN_ROOFLINE_MAX_POINTS 256
#define SN_ROOFLINE_MAX_ROOFS 16

/* Reads a benchmark JSON file: Google Benchmark's output (bench_kernels
 * --benchmark_out=FILE --benchmark_format=json; one chart per kernel op,
 * groups = shapes, series = kernel sets, and a roofline per kernel set
 * whose runs count FLOPs and bytes), `simdnet bench --json FILE`
 * (samples/s per thread count, series = kernel set and engine, error bars
 * from the slowest to the fastest run; a sweep's by network and batch) or
 * tools/sweep.py --json (simdnet beside its peers). Charts are appended to
 * set; slugs start with prefix. Tolerant of fields it does not know; a
 * file that would need a chart past the limits above, or holds a value
 * that cannot be drawn, is refused, naming it, and adds no chart. */
int sn_bench_read(const char *path, const char *prefix, sn_chart_set *set,
                  sn_error *err);
void sn_chart_set_free(sn_chart_set *set);

/* ------------------------------------------------------------ run data */

/* The limits of the CSV readers (docs/robustness.md): a line of at most
 * 256 bytes (the files hold "epoch,batch,cost"), at most 2^26 costs (a
 * float each: 256 MiB) and 2^20 epochs of accuracy. */
#define SN_CSV_MAX_LINE 256
#define SN_COSTS_MAX ((size_t)1 << 26)
#define SN_ACCURACY_MAX ((size_t)1 << 20)

/* The per-batch costs CSV of `simdnet train --costs` (header
 * "epoch,batch,cost", epochs and batches numbered from 1, every epoch the
 * same number of batches) into costs[epoch * nbatches + batch]. */
int sn_costs_read(const char *path, float **costs, size_t *epochs,
                  size_t *nbatches, sn_error *err);

/* The per-epoch accuracy CSV a report writes (header
 * "epoch,test_accuracy_percent") into acc[epoch] as fractions (0..1). */
int sn_accuracy_read(const char *path, double **acc, size_t *epochs,
                     sn_error *err);

/* ------------------------------------------------------------ pictures */

/* What a loss is called in the pictures: "L2 cost", "cross-entropy". */
const char *sn_report_cost_name(sn_loss loss);

/* Mean cost per batch (one polyline point per batch, class "cost"), named
 * by the network's loss, epoch boundaries (class "epoch"), and the test
 * accuracy after each epoch on a second axis (class "acc"; NAN entries are
 * not drawn; accuracy may be NULL). */
int sn_svg_cost_curve(sn_buf *b, const float *costs, size_t epochs,
                      size_t nbatches, const double *accuracy, sn_loss loss,
                      sn_error *err);

/* The network as columns of neurons (class "neuron"), shaded by their
 * activation for `pixels` (sn_predict_layers on kernels, NULL: the
 * default) over the range of their layer's activation function (sigmoid,
 * softmax and the input [0, 1], tanh [-1, 1], relu [0, the layer's largest
 * value]); connections (class "conn pos" or "conn neg")
 * red for positive and blue for negative weights, width proportional to
 * |w| within each layer. Layers wider than 12 show their first 10 neurons,
 * an ellipsis and the last one. rows x cols is the input's image shape
 * (drawn beside the input layer), label its true class or -1. */
int sn_svg_network(sn_buf *b, const sn_net *net, const sn_kernels *kernels,
                   const uint8_t *pixels, size_t rows, size_t cols, int label,
                   size_t sample, sn_error *err);

/* The visible neurons of a layer of width n: indices into it, -1 for the
 * ellipsis. Returns how many entries (at most 12) were written. */
size_t sn_network_visible(size_t n, long out[12]);

/* A grid of the images ds[index[i]] (class "tile"), grid_cols per row, each
 * labelled with its class, or "true → predicted" when predicted is not
 * NULL. */
int sn_svg_digit_grid(sn_buf *b, const char *title, const sn_dataset *ds,
                      const size_t *index, const int *predicted, size_t n,
                      size_t grid_cols, sn_error *err);

/* Each first-layer neuron's input weights as a rows x cols image (class
 * "tile"), blue negative, white zero, red positive, on one scale for the
 * layer: the 99th percentile of |w| (larger weights saturate). rows * cols
 * may exceed the input size (padding). */
int sn_svg_weights(sn_buf *b, const sn_net *net, size_t rows, size_t cols,
                   sn_error *err);
/* The rows x cols image of neuron j's weights, as drawn by sn_svg_weights
 * (RGB); the image shape for an input of n values when none is known. */
int sn_weights_image(const sn_net *net, size_t j, size_t rows, size_t cols,
                     float scale, sn_image *rgb, sn_error *err);
void sn_image_shape(size_t n, size_t *rows, size_t *cols);

/* Heat map of confusion[true * classes + predicted] (class "cell", with the
 * count written in each cell), shaded by the share of its row. */
int sn_svg_confusion(sn_buf *b, const size_t *confusion, size_t classes,
                     sn_error *err);

/* A grouped bar chart (class "bar" per drawn value, "err" per error bar). */
int sn_svg_bar_chart(sn_buf *b, const sn_bar_chart *chart, sn_error *err);
/* A roofline, log-log: the compute roof (class "roof peak"), a diagonal per
 * memory level clipped at the peak (class "roof mem", labelled with its
 * GB/s, class "roof-label"), each kernel a numbered point (class "point")
 * with its number, op and shape in a key (class "key"). */
int sn_svg_roofline(sn_buf *b, const sn_bar_chart *chart, sn_error *err);
/* Either of the two, as chart->roofline says. */
int sn_svg_chart(sn_buf *b, const sn_bar_chart *chart, sn_error *err);

/* ------------------------------------------------------------ the report */

typedef struct sn_report_kv {
    const char *key, *value;
} sn_report_kv;

typedef struct sn_report_input {
    const char *title;          /* page heading; NULL: "simdnet report" */
    const sn_net *net;          /* required */
    const sn_kernels *kernels;  /* for evaluation; NULL: the default */
    int threads;                /* for evaluation; 0: OpenMP's default */

    const float *costs;         /* per batch, epochs * nbatches; or NULL */
    size_t epochs, nbatches;
    const double *accuracy;     /* per epoch (0..1, NAN: unknown); or NULL */

    const sn_dataset *train;    /* for the sample grid; or NULL */
    const sn_dataset *test;     /* confusion, mistakes, network; or NULL */
    size_t sample;              /* test sample drawn through the network */
    uint64_t seed;              /* which training samples the grid shows */
    size_t grid_rows, grid_cols; /* 0: 6 x 15 */
    size_t max_mistakes;        /* misclassified images shown; 0: 60 */

    const char *const *bench;   /* benchmark JSON files */
    size_t nbench;

    const sn_report_kv *config; /* "Run" table of index.html */
    size_t nconfig;
    const sn_report_kv *results; /* "Results" table, before the computed rows */
    size_t nresults;
    const char *const *links;   /* files beside index.html worth a link */
    size_t nlinks;
} sn_report_input;

/* Creates dir (and its parents) if needed and checks that files can be
 * created in it; for callers that want to know before a long training run. */
int sn_report_prepare_dir(const char *dir, sn_error *err);

/* Writes the report into dir (created if needed): the SVGs, costs.csv and
 * accuracy.csv when there are costs, and index.html. *files (may be NULL)
 * receives how many files were written. */
int sn_report_write(const sn_report_input *in, const char *dir,
                    size_t *files, sn_error *err);

/* The most of an old index.html read back for its list of files (1 MiB;
 * a longer one is replaced, its files left alone). */
#define SN_REPORT_MAX_INDEX ((size_t)1 << 20)

/* One file of a report, drawn in memory. */
typedef struct sn_report_file {
    char *name;   /* a plain name in the report's folder */
    sn_buf text;
} sn_report_file;

/* Writes a report's files into dir; the last of them is index.html. The
 * folder is never left showing a mix of two reports: the old index.html is
 * removed first, every file is written (each atomically), index.html last;
 * then the files the old index.html listed and this report did not write
 * (charts of an earlier run) are removed. A report that fails partway
 * leaves no index.html. *written (may be NULL) counts the files written. */
int sn_report_write_files(const char *dir, const sn_report_file *files,
                          size_t n, size_t *written, sn_error *err);
/* The list of a report's files (all but index.html) that
 * sn_report_write_files reads back from the index.html it replaces: one
 * "<!-- simdnet-report-file NAME -->" line each, appended to b. */
void sn_report_list_files(sn_buf *b, const sn_report_file *files, size_t n);

/* Writes data to dir/name through a temporary file in dir and a rename. */
int sn_report_write_file(const char *dir, const char *name, const char *data,
                         size_t len, sn_error *err);

#endif
