/* adam, x86: PROVISIONAL, the scalar oracle until the vector body lands. */

void SN_X86_FN(adam)(size_t n, float *p, float *m, float *v, size_t nbuf, const float *const *gsum, float gscale, const sn_step_hyper *h)
{
    sn_adam_scalar(n, p, m, v, nbuf, gsum, gscale, h);
}
