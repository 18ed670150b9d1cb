/*
 * fuzz_bench_json.c - libFuzzer harness for the JSON path of `simdnet
 * report --bench`: the bytes as a file (a memfd, or a pipe) through
 * sn_bench_read (cJSON, then the Google Benchmark or simdnet bench
 * reader), and every chart it makes drawn as an SVG.
 *
 * Input: byte 0 bit 0 picks the pipe; the rest is the JSON file.
 * Promises checked: charts (bar charts and rooflines) within their limits
 * with slugs of [a-z0-9-],
 * and SVG that is valid UTF-8 whatever the names (issue 11, defect 5).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "report/report.h"
#include "report/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_chart(const sn_bar_chart *c)
{
    const sn_roofline *rl = c->roofline;
    if (!c->slug || !c->title ||
        (rl ? rl->npoints == 0 || rl->npoints > SN_ROOFLINE_MAX_POINTS ||
                  rl->nroofs > SN_ROOFLINE_MAX_ROOFS || !c->subtitle
            : c->ngroups > SN_CHART_MAX_GROUPS ||
                  c->nseries > SN_CHART_MAX_SERIES || !c->value))
        abort();
    for (const char *p = c->slug; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            abort();
    sn_buf b = {0};
    sn_error err;
    if (sn_svg_chart(&b, c, &err) == 0 &&
        sn_utf8_invalid(b.data, b.len) != b.len)
        abort();
    sn_buf_free(&b);
}

/* Charts within their limits, each drawn; a refusal leaves none. */
static int read_bench(const char *path, size_t file_size, sn_error *err)
{
    (void)file_size;
    sn_chart_set set = {0};
    const int rc = sn_bench_read(path, "fuzz", &set, err);
    if (rc == 0 && (set.n == 0 || set.n > SN_CHART_MAX_CHARTS))
        abort();
    if (rc != 0 && set.n != 0)
        abort();
    for (size_t i = 0; i < set.n; i++)
        check_chart(&set.charts[i]);
    sn_chart_set_free(&set);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_read_one_file(data, size, read_bench);
}
