/* momentum, x86: torch's SGD with momentum on g, the sum of the gradient
 * buffers in buffer order: g += wd p (when wd != 0); buf = mu buf + g;
 * d = nesterov ? g + mu buf : buf; p -= lr d, every operation in the
 * oracle's order without fusing: bit-identical to it. */

typedef struct momentum_consts {
    vfloat gscale, wd, mu, lr;
    int decay, nesterov;
} momentum_consts;

VEC_INLINE vfloat momentum_step(vfloat p, vfloat *buf, vfloat *unused,
                                vfloat gsum, const void *kv)
{
    const momentum_consts *k = kv;
    (void)unused;
    vfloat g = vmul(gsum, k->gscale);
    if (k->decay)
        g = vadd(g, vmul(k->wd, p));
    const vfloat b = vadd(vmul(k->mu, *buf), g);
    *buf = b;
    const vfloat d = k->nesterov ? vadd(g, vmul(k->mu, b)) : b;
    return vsub(p, vmul(k->lr, d));
}

void SN_X86_FN(momentum)(size_t n, float *p, float *buf, size_t nbuf,
                         const float *const *gsum, float gscale,
                         const sn_step_hyper *h)
{
    const momentum_consts k = {vset1(gscale), vset1(h->weight_decay),
                               vset1(h->momentum), vset1(h->lr),
                               h->weight_decay != 0.0f, h->nesterov};
    vstep_loop(n, p, buf, NULL, nbuf, gsum, momentum_step, &k);
}
