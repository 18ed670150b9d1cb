/* adam, x86: torch's Adam, or AdamW with h->decoupled, on g, the sum of
 * the gradient buffers in buffer order: AdamW p *= 1 - lr wd, or Adam
 * g += wd p (when wd != 0); m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
 * p -= step_size m / (sqrt(v) / bc2_sqrt + eps), with the exact vector
 * sqrt and divisions and every operation in the oracle's order without
 * fusing: bit-identical to it. */

typedef struct adam_consts {
    vfloat gscale, wd, decay, b1, one_minus_b1, b2, one_minus_b2;
    vfloat step_size, bc2_sqrt, eps;
    int coupled, decoupled;
} adam_consts;

VEC_INLINE vfloat adam_step(vfloat p, vfloat *m, vfloat *v, vfloat gsum,
                            const void *kv)
{
    const adam_consts *k = kv;
    vfloat g = vmul(gsum, k->gscale);
    if (k->decoupled)
        p = vmul(p, k->decay);
    if (k->coupled)
        g = vadd(g, vmul(k->wd, p));
    const vfloat mi = vadd(vmul(k->b1, *m), vmul(k->one_minus_b1, g));
    const vfloat vi = vadd(vmul(k->b2, *v), vmul(vmul(k->one_minus_b2, g), g));
    *m = mi;
    *v = vi;
    const vfloat denom = vadd(vdiv(vsqrt(vi), k->bc2_sqrt), k->eps);
    return vsub(p, vdiv(vmul(k->step_size, mi), denom));
}

void SN_X86_FN(adam)(size_t n, float *p, float *m, float *v, size_t nbuf,
                     const float *const *gsum, float gscale,
                     const sn_step_hyper *h)
{
    const float wd = h->weight_decay;
    const adam_consts k = {
        vset1(gscale),        vset1(wd),
        vset1(sn_step_decay(h)), vset1(h->beta1),
        vset1(1.0f - h->beta1), vset1(h->beta2),
        vset1(1.0f - h->beta2), vset1(h->step_size),
        vset1(h->bc2_sqrt),   vset1(h->eps),
        !h->decoupled && wd != 0.0f, h->decoupled && wd != 0.0f};
    vstep_loop(n, p, m, v, nbuf, gsum, adam_step, &k);
}
