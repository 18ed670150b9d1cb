/* tanh_backward, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(tanh_backward)(size_t n, const float *dcda, const float *a, float *delta)
{
    sn_tanh_backward_scalar(n, dcda, a, delta);
}
