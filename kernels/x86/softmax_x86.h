/* softmax, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

float SN_X86_FN(softmax)(size_t n, const float *x, float *y)
{
    return sn_softmax_scalar(n, x, y);
}
