/* bench_sweep.c - the named sets of `simdnet bench --sweep` and their
 * table and JSON rows: one row per network, batch, ISA and thread count,
 * with samples/s and %peak of the dense and the effective FLOPs. */
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "json_out.h"

static const char *const full_layers[] = {
    "784,32,10",   "784,32,32,10",   "784,64,10",   "784,64,64,10",
    "784,128,10",  "784,128,128,10", "784,256,10",  "784,256,256,10",
    "784,512,10",  "784,512,512,10", "784,1024,10", "784,1024,1024,10",
    NULL};
static const long full_batches[] = {10, 100, 1000, 0};

/* The README's table: the shapes (100 beside 128) at batch 100. */
static const char *const readme_layers[] = {
    "784,32,10",   "784,32,32,10",   "784,100,10",  "784,100,100,10",
    "784,256,10",  "784,256,256,10", "784,512,10",  "784,512,512,10",
    "784,1024,10", "784,1024,1024,10", NULL};
static const long readme_batches[] = {100, 0};

/* A minute or less on a busy 2-core machine, for tests. */
static const char *const quick_layers[] = {"784,32,10", "784,32,32,10",
                                           "784,128,10", NULL};
static const long quick_batches[] = {10, 100, 0};

static const bench_sweep_set sets[] = {
    {"full", full_layers, full_batches, 30000, 5, 30},
    {"readme", readme_layers, readme_batches, 20000, 5, 20},
    {"quick", quick_layers, quick_batches, 2000, 2, 5},
};

const bench_sweep_set *bench_sweep_find(const char *name)
{
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        if (!strcmp(sets[i].name, name))
            return &sets[i];
    return NULL;
}

const char *bench_sweep_names(void) { return "full, readme or quick"; }

void bench_sweep_header(FILE *out)
{
    fprintf(out, "\n%-17s %5s %-13s %-6s %3s %10s %21s %8s %8s %8s %6s\n",
            "network", "batch", "engine", "isa", "thr", "samples/s",
            "(slowest..fastest)", "GFLOP/s", "eff GF/s", "peak", "%peak");
    fflush(out);
}

/* %peak is of the effective FLOPs: work done, never above 100% of a
 * peak measured fairly. */
void bench_sweep_row(FILE *out, const char *layers, long batch,
                     const bench_result *r, const bench_flops *f)
{
    char med[16], lo[16], hi[16], range[40];
    cli_format_si(r->rate[0], med, sizeof med);
    cli_format_si(r->rate[1], lo, sizeof lo);
    cli_format_si(r->rate[2], hi, sizeof hi);
    snprintf(range, sizeof range, "(%s..%s)", lo, hi);
    const double eff = r->rate[0] * bench_effective_flops(f, r->c.engine);
    fprintf(out, "%-17s %5ld %-13s %-6s %3d %10s %21s %8.1f %8.1f %8.1f "
                 "%6.1f\n",
            layers, batch, r->c.engine->name, sn_isa_name(r->c.isa),
            r->c.threads, med, range, r->rate[0] * f->dense * 1e-9,
            eff * 1e-9, r->peak * 1e-9,
            r->peak > 0.0 ? 100.0 * eff / r->peak : 0.0);
    fflush(out);
}

/* A row of "results" with the keys of a plain bench row (engine, isa,
 * threads, samples_per_s, ...) and the network and batch it measured. */
cJSON *bench_sweep_row_json(const sn_net *net, long batch,
                            const bench_result *r, const bench_flops *f,
                            long repeats)
{
    const double eff = bench_effective_flops(f, r->c.engine);
    const double peak = r->peak > 0.0 ? 100.0 / r->peak : 0.0;
    cJSON *row = cJSON_CreateObject();
    cli_json_add_sizes(row, "layers", net->sizes, net->nlayers + 1);
    cJSON_AddNumberToObject(row, "batch", (double)batch);
    cJSON_AddStringToObject(row, "engine", r->c.engine->name);
    cJSON_AddStringToObject(row, "isa", sn_isa_name(r->c.isa));
    cJSON_AddNumberToObject(row, "threads", r->c.threads);
    cJSON_AddStringToObject(row, "binding", r->binding);
    cJSON_AddNumberToObject(row, "flop_per_sample_dense", f->dense);
    cJSON_AddNumberToObject(row, "flop_per_sample_effective", eff);
    bench_json_spread(row, "samples_per_s", r->rate, 1.0);
    bench_json_spread(row, "gflops", r->rate, f->dense * 1e-9);
    bench_json_spread(row, "gflops_effective", r->rate, eff * 1e-9);
    bench_json_spread(row, "pct_peak", r->rate, f->dense * peak);
    bench_json_spread(row, "pct_peak_effective", r->rate, eff * peak);
    cJSON_AddNumberToObject(row, "peak_gflops", r->peak * 1e-9);
    cJSON *secs = cJSON_AddArrayToObject(row, "run_seconds");
    for (long j = 0; secs && j < repeats; j++)
        cJSON_AddItemToArray(secs, cJSON_CreateNumber(r->secs[j]));
    return row;
}
