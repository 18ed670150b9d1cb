/* rmsprop, x86: torch's RMSprop on g, the sum of the gradient buffers in
 * buffer order: g += wd p (when wd != 0); sq = alpha sq + (1 - alpha) g g;
 * p -= lr g / (sqrt(sq) + eps), with the exact vector sqrt and division
 * (no estimate) and every operation in the oracle's order without fusing:
 * bit-identical to it. */

typedef struct rmsprop_consts {
    vfloat gscale, wd, alpha, one_minus_alpha, lr, eps;
    int decay;
} rmsprop_consts;

VEC_INLINE vfloat rmsprop_step(vfloat p, vfloat *sq, vfloat *unused,
                               vfloat gsum, const void *kv)
{
    const rmsprop_consts *k = kv;
    (void)unused;
    vfloat g = vmul(gsum, k->gscale);
    if (k->decay)
        g = vadd(g, vmul(k->wd, p));
    const vfloat s = vadd(vmul(k->alpha, *sq), vmul(vmul(k->one_minus_alpha, g), g));
    *sq = s;
    return vsub(p, vdiv(vmul(k->lr, g), vadd(vsqrt(s), k->eps)));
}

void SN_X86_FN(rmsprop)(size_t n, float *p, float *sq, size_t nbuf,
                        const float *const *gsum, float gscale,
                        const sn_step_hyper *h)
{
    const rmsprop_consts k = {vset1(gscale), vset1(h->weight_decay),
                              vset1(h->beta2), vset1(1.0f - h->beta2),
                              vset1(h->lr), vset1(h->eps),
                              h->weight_decay != 0.0f};
    vstep_loop(n, p, sq, NULL, nbuf, gsum, rmsprop_step, &k);
}
