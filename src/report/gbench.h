/*
 * gbench.h - a run of a Google Benchmark JSON file as the readers see it
 * (bench_json.c picks the runs; roofline.c draws one kind of chart of
 * them).
 */
#ifndef SN_REPORT_GBENCH_H
#define SN_REPORT_GBENCH_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "report/report.h"

/* A run named "op/isa/shape..." (the shape keeps any further slashes), as
 * lengths into its name in the JSON tree. */
typedef struct sn_gb_run {
    const char *name;
    size_t op_len, isa_off, isa_len, shape_off;
    double gflops, items, bytes, gb_per_s, ns; /* NAN where absent */
} sn_gb_run;

/* The charts of a Google Benchmark JSON file (root): a bar chart per op,
 * then the rooflines (sn_roofline_read), pushed onto set (gbench_json.c). */
int sn_gb_read(const cJSON *root, const char *prefix, sn_chart_set *set,
               sn_error *err);

/* A roofline chart per kernel set of runs[0..n) that has a run with both
 * GFLOP/s and bytes_per_second, with that set's bandwidth/<isa>/<level>
 * runs as memory roofs and ctx's "simdnet_peak_<isa>_1core" as the
 * compute roof. No chart for a set without such a run; a value out of
 * range, a malformed peak or a chart past the limits is refused, naming
 * the run or field. */
int sn_roofline_read(const sn_gb_run *runs, size_t n, const cJSON *ctx,
                     const char *prefix, const char *subtitle,
                     sn_chart_set *set, sn_error *err);

#endif
