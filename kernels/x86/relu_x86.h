/* relu, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(relu)(size_t n, const float *x, float *y)
{
    sn_relu_scalar(n, x, y);
}
