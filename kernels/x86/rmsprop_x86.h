/* rmsprop, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(rmsprop)(size_t n, float *p, float *sq, size_t nbuf, const float *const *gsum, float gscale, const sn_step_hyper *h)
{
    sn_rmsprop_scalar(n, p, sq, nbuf, gsum, gscale, h);
}
