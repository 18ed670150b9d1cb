/* adam, x86: torch's Adam, or AdamW with h->decoupled, on g, the sum of
 * the gradient buffers in buffer order: AdamW p *= 1 - lr wd, or Adam
 * g += wd p (when wd != 0; the two never together, so g is taken before
 * AdamW's decay, as the oracle's value); m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g g; p -= step_size m / (sqrt(v) * inv_bc2_sqrt + eps),
 * with the exact vector sqrt and divisions and every operation in the
 * oracle's order without fusing: bit-identical to it. */

typedef struct adam_consts {
    vfloat decay, b1, one_minus_b1, b2, one_minus_b2, step_size, inv_bc2_sqrt, eps;
    int decoupled;
} adam_consts;

/* s[0] is m, s[1] is v. */
VEC_INLINE vfloat adam_step(vfloat p, vfloat s[2], vfloat g, const void *kv)
{
    const adam_consts *k = kv;
    if (k->decoupled)
        p = vmul(p, k->decay);
    s[0] = vadd(vmul(k->b1, s[0]), vmul(k->one_minus_b1, g));
    s[1] = vadd(vmul(k->b2, s[1]), vmul(vmul(k->one_minus_b2, g), g));
    const vfloat denom = vadd(vmul(vsqrt(s[1]), k->inv_bc2_sqrt), k->eps);
    return vsub(p, vdiv(vmul(k->step_size, s[0]), denom));
}

void SN_X86_FN(adam)(size_t n, float *p, float *m, float *v, size_t nbuf,
                     const float *const *gsum, float gscale,
                     const sn_step_hyper *h)
{
    const float wd = h->weight_decay;
    const vgrad grad = vgrad_make(gscale, h->decoupled ? 0.0f : wd);
    const adam_consts k = {vset1(sn_step_decay(h)), vset1(h->beta1),
                           vset1(1.0f - h->beta1),  vset1(h->beta2),
                           vset1(1.0f - h->beta2),  vset1(h->step_size),
                           vset1(h->inv_bc2_sqrt),     vset1(h->eps),
                           h->decoupled && wd != 0.0f};
    vstep_loop(n, p, m, v, nbuf, gsum, &grad, adam_step, &k);
}
