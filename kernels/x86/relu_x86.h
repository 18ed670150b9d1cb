/* relu, x86: y = x < 0 ? 0 : x as a compare and a blend, the oracle's
 * selection (NaN and -0 pass through), so bit-identical to it. y may equal
 * x. */

VEC_INLINE vfloat relu_step(vfloat x)
{
    return vblend(vlt(x, vzero()), x, vzero());
}

void SN_X86_FN(relu)(size_t n, const float *x, float *y)
{
    vmap1(n, x, y, relu_step);
}
