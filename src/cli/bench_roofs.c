/* bench_roofs.c - the memory roofs in `simdnet bench`: streaming read
 * bandwidth at L1, L2, L3 and DRAM (sn_bandwidth_roofs), one set per ISA
 * and thread count of the run, so that a memory-bound case can be read
 * against its roof as a compute-bound one is read against the FMA peak;
 * with 2 threads or more also the core-to-core bandwidth, which bounds how
 * fast the threads' gradients are reduced (docs/engines.md). */
#include "bench.h"
#include "cli.h"

void bench_measure_roofs(const bench_args *a, double seconds, bench_roofs *r)
{
    r->n = 0;
    for (size_t i = 0; i < a->nisas; i++)
        for (size_t t = 0; t < a->nthreads && r->n < MAX_LIST; t++) {
            r->isa[r->n] = a->isas[i];
            r->threads[r->n] = a->threads[t];
            sn_bandwidth_roofs(a->isas[i], a->threads[t], seconds,
                               r->roof[r->n]);
            sn_bandwidth_roof *c2c = &r->core_to_core[r->n];
            c2c->bytes = 0;
            c2c->bytes_per_s = 0.0;
            if (a->threads[t] >= 2) {
                c2c->bytes = sn_bandwidth_working_set(SN_MEM_L2, 1);
                c2c->bytes_per_s =
                    sn_bandwidth_core_to_core(a->isas[i], c2c->bytes, seconds);
            }
            r->n++;
        }
}

void bench_print_roofs(FILE *out, const bench_roofs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        fprintf(out, "%s%s, %d thread%s:", i ? "          " : "roofs     ",
                sn_isa_name(r->isa[i]), r->threads[i],
                r->threads[i] == 1 ? "" : "s");
        for (int l = 0; l < SN_MEM_LEVELS; l++)
            fprintf(out, " %s %.1f GB/s", sn_mem_level_name((sn_mem_level)l),
                    r->roof[i][l].bytes_per_s * 1e-9);
        if (r->core_to_core[i].bytes)
            fprintf(out, " core-to-core %.1f GB/s",
                    r->core_to_core[i].bytes_per_s * 1e-9);
        fprintf(out, "%s\n", i + 1 < r->n ? ""
                             : r->core_to_core[i].bytes
                                 ? " (streaming reads; core-to-core: one "
                                   "core writes, the other reads)"
                                 : " (streaming reads)");
    }
}

/* "bandwidth_roofs": [{"isa", "threads", "L1": {"bytes", "gb_per_s"}, ...,
 * "core_to_core": {"bytes", "gb_per_s"} with 2 threads or more}] */
void bench_roofs_json(cJSON *doc, const bench_roofs *r)
{
    cJSON *arr = cJSON_AddArrayToObject(doc, "bandwidth_roofs");
    for (size_t i = 0; arr && i < r->n; i++) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, row);
        cJSON_AddStringToObject(row, "isa", sn_isa_name(r->isa[i]));
        cJSON_AddNumberToObject(row, "threads", r->threads[i]);
        for (int l = 0; l < SN_MEM_LEVELS; l++) {
            cJSON *lv = cJSON_AddObjectToObject(
                row, sn_mem_level_name((sn_mem_level)l));
            cJSON_AddNumberToObject(lv, "bytes", (double)r->roof[i][l].bytes);
            cJSON_AddNumberToObject(lv, "gb_per_s",
                                    r->roof[i][l].bytes_per_s * 1e-9);
        }
        if (r->core_to_core[i].bytes) {
            cJSON *cc = cJSON_AddObjectToObject(row, "core_to_core");
            cJSON_AddNumberToObject(cc, "bytes",
                                    (double)r->core_to_core[i].bytes);
            cJSON_AddNumberToObject(cc, "gb_per_s",
                                    r->core_to_core[i].bytes_per_s * 1e-9);
        }
    }
}
