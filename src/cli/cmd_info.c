/* cmd_info.c - `simdnet info`: what this machine offers and what would run. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *const CMD = "info";

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"isa", required_argument, 0, 'i'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *isa = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'i': isa = optarg; break;
        case 'h':
            puts("usage: simdnet info [--isa NAME]\n\n"
                 "Shows the CPU, its SIMD features, the kernel sets built into\n"
                 "this binary, which one would be selected, and the threads.");
            return 0;
        default:
            cli_bad_option(CMD, c, argv);
            return EXIT_USAGE;
        }
    }
    if (cli_no_operands(CMD, argc, argv) != 0)
        return EXIT_USAGE;
    printf("simdnet   %s\n", SN_VERSION_STRING);
    printf("cpu       %s\n", sn_cpu_model());
    printf("features  %s\n", sn_cpu_features());
    printf("kernels   ");
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        const sn_isa k = (sn_isa)i;
        printf("%s%s (%s)", i ? ", " : "", sn_isa_name(k),
               !sn_isa_built(k) ? "not built"
               : sn_isa_supported(k) ? "available" : "built, CPU lacks it");
    }
    printf("\n");
    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, isa, &kernels) != 0)
        return EXIT_USAGE;
    const char *env = isa ? NULL : getenv("SIMDNET_ISA");
    printf("selected  %s (%s)\n", sn_isa_name(sn_kernels_isa(kernels)),
           isa ? "--isa" : env && *env ? "SIMDNET_ISA" : "best available");

    /* The topology (hwloc) behind the default thread count and --bind. */
    const sn_topology *topo = sn_topology_get();
    const int threads = cli_default_threads();
    if (topo->from_hwloc) {
        char l1[32], l2[32], l3[32];
        cli_format_bytes(topo->l1d, l1, sizeof l1);
        cli_format_bytes(topo->l2, l2, sizeof l2);
        cli_format_bytes(topo->l3, l3, sizeof l3);
        printf("cores     %d physical (%d hardware thread%s) available to "
               "this process (hwloc)\n", topo->cores, topo->pus,
               topo->pus == 1 ? "" : "s");
        printf("caches    L1d %s, L2 %s, L3 %s (one instance of each)\n", l1,
               l2, l3);
    } else {
        printf("cores     unknown: %s\n", topo->note);
    }
    printf("threads   %d (default: %s; --threads overrides)\n", threads,
           topo->from_hwloc ? "one per physical core" : "OpenMP's");
    char binding[512];
    sn_bind_describe(threads, binding, sizeof binding);
    if (topo->from_hwloc)
        printf("binding   off unless --bind; --bind would put %s\n", binding);
    else
        printf("binding   unavailable: the topology is unknown\n");
    return 0;
}
