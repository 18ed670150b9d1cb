/* tanh_backward, x86: delta = dcda * (1 - a * a), in the oracle's order
 * without fusing, so bit-identical to it. delta may equal dcda. */

VEC_INLINE vfloat tanh_backward_step(vfloat dcda, vfloat a)
{
    return vmul(dcda, vsub(vset1(1.0f), vmul(a, a)));
}

void SN_X86_FN(tanh_backward)(size_t n, const float *dcda, const float *a,
                              float *delta)
{
    vmap2(n, dcda, a, delta, tanh_backward_step);
}
