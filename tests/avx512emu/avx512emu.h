/* avx512emu.h - TEST ONLY: the shared x86 kernel bodies at the AVX-512
 * width, emulated with AVX2 (kernels_avx512emu.c). Needs a CPU with
 * AVX2 + FMA. */
#ifndef SN_AVX512EMU_H
#define SN_AVX512EMU_H

#include "kernels.h"
#include "simdnet.h"

extern const sn_kernels sn_kernels_avx512emu;

#endif
