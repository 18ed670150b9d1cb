/* sigmoid_backward, x86: delta = dcda * a * (1 - a), multiplied in the
 * oracle's order without fusing, so the result is bit-identical to it.
 * delta may equal dcda. */

VEC_INLINE vfloat sigmoid_backward_step(vfloat dcda, vfloat a)
{
    return vmul(vmul(dcda, a), vsub(vset1(1.0f), a));
}

void SN_X86_FN(sigmoid_backward)(size_t n, const float *dcda, const float *a,
                                 float *delta)
{
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(delta + i, sigmoid_backward_step(vload(dcda + i), vload(a + i)));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(delta + i, m,
                    sigmoid_backward_step(vload_mask(dcda + i, m),
                                          vload_mask(a + i, m)));
    }
}
