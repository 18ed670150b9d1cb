/* bench_output.c - what `simdnet bench` shows: the table and the JSON
 * document (bench.h). */
#include <time.h>

#include "bench.h"
#include "cli.h"
#include "json_out.h"

/* The CPU, its caches and the data: the top of every bench header. */
void bench_print_machine(FILE *out, const bench_data *d)
{
    const sn_topology *t = sn_topology_get();
    char l1[32], l2[32], l3[32];
    cli_format_bytes(t->l1d, l1, sizeof l1);
    cli_format_bytes(t->l2, l2, sizeof l2);
    cli_format_bytes(t->l3, l3, sizeof l3);
    fprintf(out, "cpu       %s\n", sn_cpu_model());
    fprintf(out, "features  %s\n", sn_cpu_features());
    if (t->from_hwloc)
        fprintf(out, "cores     %d physical (%d hardware threads); L1d %s, "
                     "L2 %s, L3 %s (hwloc)\n", t->cores, t->pus, l1, l2, l3);
    else
        fprintf(out, "cores     %d (topology unknown: %s)\n", t->cores,
                t->note);
    fprintf(out, "data      %s\n", d->source);
}

void bench_print_network(FILE *out, const bench_data *d, const sn_net *net,
                         const bench_flops *f)
{
    char layers[160], kind[200];
    sn_format_layers(net, layers, sizeof layers);
    cli_describe_kind(net, kind, sizeof kind);
    fprintf(out, "network   %s, %zu parameters, %s, %.0f FLOP per sample "
                 "dense (GFLOP/s count them for every engine), %.0f "
                 "effective with %.1f%% nonzero pixels (%%peak counts "
                 "these where the engine skips zeros)\n", layers,
            net->nparams, kind, f->dense, f->sparse, 100.0 * d->nonzero);
}

void bench_print_method(FILE *out, const bench_args *a)
{
    char opt[160];
    cli_describe_optimizer(&a->cfg, opt, sizeof opt);
    fprintf(out, "method    batch %ld, %s, %ld warm-up + %ld timed "
                 "batches, median of %ld run%s, threads %s, subnormals %s\n",
            a->batch, opt, a->warmup, a->batches, a->repeats,
            a->repeats == 1 ? "" : "s",
            a->bind ? "bound one per core" : "not bound",
            a->cfg.keep_subnormals ? "kept" : "flushed to zero");
}

void bench_print_columns(FILE *out)
{
    fprintf(out, "%-13s %-8s %7s %10s %21s %9s %8s %8s %6s\n", "engine",
            "isa", "threads", "samples/s", "(slowest..fastest)", "s/epoch",
            "GFLOP/s", "peak", "%peak");
}

void bench_print_header(FILE *out, const bench_args *a, const bench_data *d,
                        const sn_net *net, const bench_flops *f,
                        const bench_roofs *roofs)
{
    bench_print_machine(out, d);
    bench_print_network(out, d, net, f);
    bench_print_method(out, a);
    bench_print_roofs(out, roofs);
    fputc('\n', out);
    bench_print_columns(out);
    fflush(out);
}

void bench_print_row(FILE *out, const bench_result *r, const bench_flops *f,
                     size_t epoch)
{
    char med[16], lo[16], hi[16], range[40];
    cli_format_si(r->rate[0], med, sizeof med);
    cli_format_si(r->rate[1], lo, sizeof lo);
    cli_format_si(r->rate[2], hi, sizeof hi);
    snprintf(range, sizeof range, "(%s..%s)", lo, hi);
    const double gflops = r->rate[0] * f->dense * 1e-9;
    const double eff = r->rate[0] * bench_effective_flops(f, r->c.engine);
    fprintf(out, "%-13s %-8s %7d %10s %21s %9.4f %8.1f %8.1f %6.1f\n",
            r->c.engine->name, sn_isa_name(r->c.isa), r->c.threads, med,
            range, (double)epoch / r->rate[0], gflops, r->peak * 1e-9,
            r->peak > 0.0 ? 100.0 * eff / r->peak : 0.0);
    fflush(out);
}

/* {"median": m, "min": lo, "max": hi} of v[3] = median, lowest, highest. */
void bench_json_spread(cJSON *obj, const char *key, const double v[3],
                       double scale)
{
    cJSON *s = cJSON_AddObjectToObject(obj, key);
    cJSON_AddNumberToObject(s, "median", v[0] * scale);
    cJSON_AddNumberToObject(s, "min", v[1] * scale);
    cJSON_AddNumberToObject(s, "max", v[2] * scale);
}

/* The document `simdnet report --bench` and tools/compare-bench.py read:
 * its keys are a format, keep them. */
cJSON *bench_results_json(const bench_args *a, const bench_data *d,
                          const sn_net *net, const bench_flops *f,
                          const bench_roofs *roofs, const bench_result *res,
                          size_t n)
{
    const double flops = f->dense;
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "simdnet", SN_VERSION_STRING);
    cJSON_AddStringToObject(doc, "date", when);
    cli_json_add_machine(doc, "machine");
    cJSON *data = cJSON_AddObjectToObject(doc, "data");
    cJSON_AddBoolToObject(data, "synthetic", d->synthetic);
    cJSON_AddNumberToObject(data, "samples", (double)d->ds.count);
    cJSON_AddStringToObject(data, "source", d->source);
    cJSON *nw = cJSON_AddObjectToObject(doc, "network");
    cli_json_add_sizes(nw, "layers", net->sizes, net->nlayers + 1);
    cJSON_AddNumberToObject(nw, "parameters", (double)net->nparams);
    cJSON_AddNumberToObject(nw, "flop_per_sample", flops);
    cJSON_AddNumberToObject(nw, "flop_per_sample_sparse", f->sparse);
    cJSON_AddNumberToObject(data, "nonzero_fraction", d->nonzero);
    cJSON *method = cJSON_AddObjectToObject(doc, "method");
    cJSON_AddNumberToObject(method, "batch", (double)a->batch);
    cli_recipe_json(method, net, &a->cfg,
                    a->rc.init_file ? a->rc.init_file
                                    : sn_init_name(a->rc.init));
    cJSON_AddNumberToObject(method, "warmup_batches", (double)a->warmup);
    cJSON_AddNumberToObject(method, "timed_batches", (double)a->batches);
    cJSON_AddNumberToObject(method, "repeats", (double)a->repeats);
    cJSON_AddBoolToObject(method, "bind", a->bind);
    cJSON_AddStringToObject(method, "subnormals",
                            a->cfg.keep_subnormals ? "kept" : "flushed");
    cli_json_add_u64(method, "seed", a->seed);
    bench_roofs_json(doc, roofs);
    cJSON *results = cJSON_AddArrayToObject(doc, "results");
    for (size_t i = 0; results && i < n; i++) {
        const bench_result *r = &res[i];
        const double epoch[3] = {(double)d->ds.count / r->rate[0],
                                 (double)d->ds.count / r->rate[2],
                                 (double)d->ds.count / r->rate[1]};
        const double pct = r->peak > 0.0 ? 100.0 * flops / r->peak : 0.0;
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToArray(results, row);
        cJSON_AddStringToObject(row, "engine", r->c.engine->name);
        cJSON_AddStringToObject(row, "isa", sn_isa_name(r->c.isa));
        cJSON_AddNumberToObject(row, "threads", r->c.threads);
        cJSON_AddStringToObject(row, "binding", r->binding);
        bench_json_spread(row, "samples_per_s", r->rate, 1.0);
        bench_json_spread(row, "s_per_epoch", epoch, 1.0);
        bench_json_spread(row, "gflops", r->rate, flops * 1e-9);
        bench_json_spread(row, "pct_peak", r->rate, pct);
        const double eff = bench_effective_flops(f, r->c.engine);
        cJSON_AddNumberToObject(row, "flop_per_sample_dense", flops);
        cJSON_AddNumberToObject(row, "flop_per_sample_effective", eff);
        bench_json_spread(row, "gflops_effective", r->rate, eff * 1e-9);
        bench_json_spread(row, "pct_peak_effective", r->rate,
                          r->peak > 0.0 ? 100.0 * eff / r->peak : 0.0);
        cJSON_AddNumberToObject(row, "peak_gflops", r->peak * 1e-9);
        cJSON *secs = cJSON_AddArrayToObject(row, "run_seconds");
        for (long j = 0; secs && j < a->repeats; j++)
            cJSON_AddItemToArray(secs, cJSON_CreateNumber(r->secs[j]));
    }
    return doc;
}
