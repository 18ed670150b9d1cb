/*
 * dispatch.c - which kernel set a run uses: the ISA's name, what this CPU
 * can run (cpu.c) among the sets built in (kernels/registry.c), and the
 * choice by --isa, SIMDNET_ISA or the best available. Kernels stay leaves:
 * they are listed in kernels/ and chosen here.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "registry.h"

static const char *const isa_names[SN_ISA_COUNT] = {
    [SN_ISA_SCALAR] = "scalar",
    [SN_ISA_AVX2] = "avx2",
    [SN_ISA_AVX512] = "avx512",
    [SN_ISA_NEON] = "neon",
};

const char *sn_isa_name(sn_isa isa)
{
    return (unsigned)isa < SN_ISA_COUNT ? isa_names[isa] : "unknown";
}

int sn_isa_parse(const char *name, sn_isa *isa, sn_error *err)
{
    for (int i = 0; i < SN_ISA_COUNT; i++) {
        if (strcmp(name, isa_names[i]) == 0) {
            *isa = (sn_isa)i;
            return 0;
        }
    }
    sn_set_error(err, "unknown ISA '%s' (expected scalar, avx2, avx512 or neon)",
                 name);
    return -1;
}

const sn_kernels *sn_kernels_for(sn_isa isa)
{
    if (!sn_isa_built(isa) || !sn_isa_supported(isa))
        return NULL;
    return sn_kernels_get_built(isa);
}

sn_isa sn_isa_best(void)
{
    for (int i = SN_ISA_COUNT - 1; i > 0; i--) {
        if (sn_kernels_for((sn_isa)i))
            return (sn_isa)i;
    }
    return SN_ISA_SCALAR;
}

int sn_kernels_select(const char *name, const sn_kernels **kernels,
                      sn_error *err)
{
    const char *source = "--isa";
    if (name != NULL && *name == '\0')
        return sn_set_error(err, "--isa: empty kernel set name (expected "
                                 "scalar, avx2, avx512 or neon)");
    if (name == NULL) {
        /* An empty SIMDNET_ISA is the same as an unset one. */
        name = getenv("SIMDNET_ISA");
        source = "SIMDNET_ISA";
    }
    if (name == NULL || *name == '\0') {
        *kernels = sn_kernels_get_built(sn_isa_best());
        return 0;
    }
    sn_isa isa;
    if (sn_isa_parse(name, &isa, err) != 0) {
        sn_prefix_error(err, "%s: ", source);
        return -1;
    }
    if (!sn_isa_built(isa)) {
        sn_set_error(err, "%s=%s: this simdnet was built without %s kernels",
                     source, name, name);
        return -1;
    }
    if (!sn_isa_supported(isa)) {
        sn_set_error(err, "%s=%s: this CPU cannot run %s kernels (it has: %s)",
                     source, name, name, sn_cpu_features());
        return -1;
    }
    *kernels = sn_kernels_get_built(isa);
    return 0;
}
