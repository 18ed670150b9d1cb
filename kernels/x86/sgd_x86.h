/* sgd, x86: p -= lr * (gscale * the sum of the gradient buffers), in the
 * oracle's order without fusing: bit-identical to it. */

VEC_INLINE vfloat sgd_step(vfloat p, vfloat gsum, vfloat gscale, vfloat lr)
{
    return vsub(p, vmul(lr, vmul(gsum, gscale)));
}

void SN_X86_FN(sgd)(size_t n, float *p, size_t nbuf, const float *const *gsum,
                    float gscale, float lr)
{
    const vfloat vscale = vset1(gscale), vlr = vset1(lr);
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(p + i, sgd_step(vload(p + i), vsum_buffers(nbuf, gsum, i),
                               vscale, vlr));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(p + i, m,
                    sgd_step(vload_mask(p + i, m),
                             vsum_buffers_tail(nbuf, gsum, i, m), vscale, vlr));
    }
}
