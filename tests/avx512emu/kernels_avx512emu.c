/*
 * kernels_avx512emu.c - TEST ONLY: every shared x86 kernel body compiled at
 * the AVX-512 width with the AVX2-built primitives of vec_avx512emu.h, as
 * the kernel set "avx512emu" (tests/meson.build builds it with the AVX2
 * flags; test_kernels and kernel_check run it where AVX2 runs). What it
 * proves about the real AVX-512 set: the bodies' logic at 16 lanes (the
 * chunk, tail and row-group arithmetic, the partial-sum counts); what it
 * cannot: vec_avx512.h's own intrinsics, which stay compile-checked only on
 * a machine without AVX-512.
 */
#include "avx512emu.h"
#include "vec_avx512emu.h"

#include "x86/sigmoid_x86.h"
#include "x86/gemv_x86.h"
#include "x86/gemv_u8_x86.h"
#include "x86/gemv_t_x86.h"
#include "x86/ger_x86.h"
#include "x86/ger_u8_x86.h"
#include "x86/nonzero_u8_x86.h"
#include "x86/gemv_sparse_x86.h"
#include "x86/ger_sparse_x86.h"
#include "x86/gemm_x86.h"
#include "x86/gemm_tn_x86.h"
#include "x86/sigmoid_backward_x86.h"
#include "x86/vadd_x86.h"
#include "x86/adagrad_x86.h"
#include "x86/sgd_x86.h"
#include "x86/relu_x86.h"
#include "x86/relu_backward_x86.h"
#include "x86/tanh_x86.h"
#include "x86/tanh_backward_x86.h"
#include "x86/softmax_x86.h"
#include "x86/delta_onehot_x86.h"
#include "x86/momentum_x86.h"
#include "x86/rmsprop_x86.h"
#include "x86/adam_x86.h"
#include "x86/gemm_tn_sparse_x86.h"
#include "x86/gemm_sparse_x86.h"
#include "x86/gemm_zskip_x86.h"
#include "x86/gemm_tn_zskip_x86.h"
#include "x86/transpose_x86.h"

const sn_kernels sn_kernels_avx512emu = SN_KERNEL_TABLE(avx512emu, SN_ISA_AVX512);
