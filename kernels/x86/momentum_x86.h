/* momentum, x86: torch's SGD with momentum on g, the sum of the gradient
 * buffers in buffer order: g += wd p (when wd != 0); buf = mu buf + g;
 * d = nesterov ? g + mu buf : buf; p -= lr d, every operation in the
 * oracle's order without fusing: bit-identical to it. */

typedef struct momentum_consts {
    vfloat mu, lr;
    int nesterov;
} momentum_consts;

VEC_INLINE vfloat momentum_step(vfloat p, vfloat buf[2], vfloat g,
                                const void *kv)
{
    const momentum_consts *k = kv;
    buf[0] = vadd(vmul(k->mu, buf[0]), g);
    const vfloat d = k->nesterov ? vadd(g, vmul(k->mu, buf[0])) : buf[0];
    return vsub(p, vmul(k->lr, d));
}

void SN_X86_FN(momentum)(size_t n, float *p, float *buf, size_t nbuf,
                         const float *const *gsum, float gscale,
                         const sn_step_hyper *h)
{
    const vgrad grad = vgrad_make(gscale, h->weight_decay);
    const momentum_consts k = {vset1(h->momentum), vset1(h->lr), h->nesterov};
    vstep_loop(n, p, buf, NULL, nbuf, gsum, &grad, momentum_step, &k);
}
