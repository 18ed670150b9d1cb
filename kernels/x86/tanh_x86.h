/* tanh, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(tanh)(size_t n, const float *x, float *y)
{
    sn_tanh_scalar(n, x, y);
}
