/*
 * registry.c - the kernel sets built into this binary, one table per ISA
 * (kernels.h). Kernels are leaves: this file only lists them. Choosing a
 * set for this CPU (sn_kernels_select, sn_kernels_for, sn_isa_best) is the
 * core's dispatch, next to CPU detection: src/machine/dispatch.c.
 */
#include "registry.h"

static const struct sn_kernels sets[SN_ISA_COUNT] = {
    [SN_ISA_SCALAR] = SN_KERNEL_TABLE(scalar, SN_ISA_SCALAR),
#if SN_BUILT_AVX2
    [SN_ISA_AVX2] = SN_KERNEL_TABLE(avx2, SN_ISA_AVX2),
#endif
#if SN_BUILT_AVX512
    [SN_ISA_AVX512] = SN_KERNEL_TABLE(avx512, SN_ISA_AVX512),
#endif
#if SN_BUILT_NEON
    [SN_ISA_NEON] = SN_KERNEL_TABLE(neon, SN_ISA_NEON),
#endif
};

int sn_isa_built(sn_isa isa)
{
    return (unsigned)isa < SN_ISA_COUNT && sets[isa].isa_name != NULL;
}

const sn_kernels *sn_kernels_get_built(sn_isa isa)
{
    return sn_isa_built(isa) ? &sets[isa] : NULL;
}

sn_isa sn_kernels_isa(const sn_kernels *kernels)
{
    return (sn_isa)kernels->isa;
}
