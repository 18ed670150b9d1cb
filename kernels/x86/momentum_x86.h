/* momentum, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(momentum)(size_t n, float *p, float *buf, size_t nbuf, const float *const *gsum, float gscale, const sn_step_hyper *h)
{
    sn_momentum_scalar(n, p, buf, nbuf, gsum, gscale, h);
}
