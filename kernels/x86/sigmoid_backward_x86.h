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
    vmap2(n, dcda, a, delta, sigmoid_backward_step);
}
