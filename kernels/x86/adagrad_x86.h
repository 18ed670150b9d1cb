/* adagrad, x86: G += g*g; p -= lr * g / sqrt(G + eps) on g, the sum of the
 * gradient buffers in buffer order, with the exact vector sqrt and
 * division (no rsqrt estimate), eps inside the root, and every operation in
 * the oracle's order without fusing: bit-identical to it. */

typedef struct adagrad_consts {
    vfloat gscale, lr, eps;
} adagrad_consts;

/* One vector: updates *G in place and returns the new p. */
VEC_INLINE vfloat adagrad_step(vfloat p, vfloat *G, vfloat gsum,
                               const adagrad_consts *k)
{
    const vfloat g = vmul(gsum, k->gscale);
    const vfloat acc = vadd(*G, vmul(g, g));
    *G = acc;
    const vfloat root = vsqrt(vadd(acc, k->eps));
    return vsub(p, vdiv(vmul(k->lr, g), root));
}

void SN_X86_FN(adagrad)(size_t n, float *p, float *G, size_t nbuf,
                        const float *const *gsum, float gscale, float lr,
                        float eps)
{
    const adagrad_consts k = {vset1(gscale), vset1(lr), vset1(eps)};
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH) {
        vfloat g2 = vload(G + i);
        const vfloat pv = adagrad_step(vload(p + i), &g2,
                                       vsum_buffers(nbuf, gsum, i), &k);
        vstore(G + i, g2);
        vstore(p + i, pv);
    }
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vfloat g2 = vload_mask(G + i, m);
        const vfloat pv = adagrad_step(vload_mask(p + i, m), &g2,
                                       vsum_buffers_tail(nbuf, gsum, i, m), &k);
        vstore_mask(G + i, m, g2);
        vstore_mask(p + i, m, pv);
    }
}
