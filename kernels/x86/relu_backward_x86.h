/* relu_backward, x86: delta = a > 0 ? dcda : 0 as a compare and a blend,
 * bit-identical to the oracle: where a ReLU gave 0 the delta is an exact
 * +0 whatever dcda holds. delta may equal dcda. */

VEC_INLINE vfloat relu_backward_step(vfloat dcda, vfloat a)
{
    return vblend(vlt(vzero(), a), vzero(), dcda);
}

void SN_X86_FN(relu_backward)(size_t n, const float *dcda, const float *a,
                              float *delta)
{
    vmap2(n, dcda, a, delta, relu_backward_step);
}
