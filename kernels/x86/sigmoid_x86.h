/* sigmoid, x86: the libm-free sigmoid of exp_x86.h a vector at a time; the
 * tail is one masked load and store. y may equal x. */
#include "x86/exp_x86.h"

void SN_X86_FN(sigmoid)(size_t n, const float *x, float *y)
{
    vmap1(n, x, y, vsigmoid);
}
