/* delta_onehot, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(delta_onehot)(size_t n, const float *a, unsigned label, float scale, float *delta)
{
    sn_delta_onehot_scalar(n, a, label, scale, delta);
}
