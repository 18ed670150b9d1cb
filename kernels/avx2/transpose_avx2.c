/* transpose, AVX2 + FMA: the body is kernels/x86/transpose_x86.h, one text for both x86
 * sets (see kernels/x86/vec_x86.h). */
#include "vec_avx2.h"
#include "x86/transpose_x86.h"
