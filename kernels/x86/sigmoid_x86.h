/* sigmoid, x86: the libm-free sigmoid of exp_x86.h a vector at a time; the
 * tail is one masked load and store. y may equal x. */
#include "x86/exp_x86.h"

void SN_X86_FN(sigmoid)(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(y + i, vsigmoid(vload(x + i)));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(y + i, m, vsigmoid(vload_mask(x + i, m)));
    }
}
