/* cmd_info.c - `simdnet info`: what this machine offers and what would run. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "options.h"

static const char *const CMD = "info";

static cJSON *info_json(const sn_kernels *kernels, const char *chosen_by,
                        int threads, const char *binding)
{
    const sn_topology *topo = sn_topology_get();
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "simdnet", SN_VERSION_STRING);
    cJSON *machine = cli_json_add_machine(doc, "machine");
    cJSON_AddStringToObject(machine, "topology_note", topo->note);
    cJSON *sets = cJSON_AddArrayToObject(doc, "kernels");
    for (int i = 0; sets && i < SN_ISA_COUNT; i++) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "isa", sn_isa_name((sn_isa)i));
        cJSON_AddBoolToObject(k, "built", sn_isa_built((sn_isa)i));
        cJSON_AddBoolToObject(k, "supported", sn_isa_supported((sn_isa)i));
        cJSON_AddItemToArray(sets, k);
    }
    cJSON_AddStringToObject(doc, "selected", sn_isa_name(sn_kernels_isa(kernels)));
    cJSON_AddStringToObject(doc, "selected_by", chosen_by);
    cJSON_AddNumberToObject(doc, "threads", threads);
    cJSON_AddBoolToObject(doc, "mpi", SN_HAVE_MPI);
    if (topo->from_hwloc)
        cJSON_AddStringToObject(doc, "binding", binding);
    else
        cJSON_AddNullToObject(doc, "binding");
    return doc;
}

int cmd_info(int argc, char **argv)
{
    const char *isa = NULL, *json_path = NULL;
    const cli_option options[] = {
        cli_opt(CLI_OPT_ISA, &isa,
                "the kernel set to select: scalar, avx2, avx512, neon"),
        cli_opt(CLI_OPT_JSON, &json_path,
                "also write it as JSON (-: standard output, the text\n"
                "then goes to stderr)"),
    };
    const cli_command_spec spec = {
        CMD, "info [options]",
        "Shows the CPU, its SIMD features, the kernel sets built into\n"
        "this binary, which one would be selected, and the threads.\n",
        NULL, options, sizeof options / sizeof *options, 0};
    const int parsed = cli_parse_options(&spec, argc, argv, NULL, NULL);
    if (parsed != CLI_PARSED)
        return cli_options_exit(parsed);
    cli_json json;
    if (cli_json_open(CMD, &json, json_path) != 0)
        return EXIT_FAIL;
    FILE *out = cli_json_text(&json);

    fprintf(out, "simdnet   %s\n", SN_VERSION_STRING);
    fprintf(out, "cpu       %s\n", sn_cpu_model());
    fprintf(out, "features  %s\n", sn_cpu_features());
    fprintf(out, "kernels   ");
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa k = (sn_isa)i;
        fprintf(out, "%s%s (%s)", i ? ", " : "", sn_isa_name(k),
                !sn_isa_built(k) ? "not built"
                : sn_isa_supported(k) ? "available" : "built, CPU lacks it");
    }
    fputc('\n', out);
    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, isa, &kernels) != 0) {
        cli_json_abort(&json);
        return EXIT_USAGE;
    }
    const char *env = isa ? NULL : getenv("SIMDNET_ISA");
    const char *chosen_by = isa ? "--isa"
                            : env && *env ? "SIMDNET_ISA" : "best available";
    fprintf(out, "selected  %s (%s)\n", sn_isa_name(sn_kernels_isa(kernels)),
            chosen_by);

    /* The topology (hwloc) behind the default thread count and --bind. */
    const sn_topology *topo = sn_topology_get();
    cli_topology_note();
    const int threads = sn_default_threads();
    if (topo->from_hwloc) {
        char l1[32], l2[32], l3[32];
        cli_format_bytes(topo->l1d, l1, sizeof l1);
        cli_format_bytes(topo->l2, l2, sizeof l2);
        cli_format_bytes(topo->l3, l3, sizeof l3);
        fprintf(out, "cores     %d physical (%d hardware thread%s) available "
                     "to this process (hwloc)\n", topo->cores, topo->pus,
                topo->pus == 1 ? "" : "s");
        fprintf(out, "caches    L1d %s, L2 %s, L3 %s (one instance of "
                     "each)\n", l1, l2, l3);
    } else {
        fprintf(out, "cores     unknown: %s\n", topo->note);
    }
    fprintf(out, "threads   %d (default: %s; --threads overrides)\n", threads,
            topo->from_hwloc ? "one per physical core" : "OpenMP's");
    fprintf(out, "mpi       %s\n", SN_HAVE_MPI
                ? "built: mpirun -np N simdnet train (docs/mpi.md)"
                : "not built (meson setup -Dmpi=enabled; docs/mpi.md)");
    char binding[512];
    sn_bind_describe(threads, binding, sizeof binding);
    if (topo->from_hwloc)
        fprintf(out, "binding   off unless --bind; --bind would put %s\n",
                binding);
    else
        fprintf(out, "binding   unavailable: the topology is unknown\n");
    if (cli_json_put(&json, info_json(kernels, chosen_by, threads, binding),
                     0) != 0) {
        cli_json_abort(&json);
        return EXIT_FAIL;
    }
    return cli_json_close(CMD, &json) == 0 ? 0 : EXIT_FAIL;
}
