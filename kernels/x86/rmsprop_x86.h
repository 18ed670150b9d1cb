/* rmsprop, x86: torch's RMSprop on g, the sum of the gradient buffers in
 * buffer order: g += wd p (when wd != 0); sq = alpha sq + (1 - alpha) g g;
 * p -= lr g / (sqrt(sq) + eps), with the exact vector sqrt and division
 * (no estimate) and every operation in the oracle's order without fusing:
 * bit-identical to it. */

typedef struct rmsprop_consts {
    vfloat alpha, one_minus_alpha, lr, eps;
} rmsprop_consts;

VEC_INLINE vfloat rmsprop_step(vfloat p, vfloat sq[2], vfloat g,
                               const void *kv)
{
    const rmsprop_consts *k = kv;
    sq[0] = vadd(vmul(k->alpha, sq[0]), vmul(vmul(k->one_minus_alpha, g), g));
    return vsub(p, vdiv(vmul(k->lr, g), vadd(vsqrt(sq[0]), k->eps)));
}

void SN_X86_FN(rmsprop)(size_t n, float *p, float *sq, size_t nbuf,
                        const float *const *gsum, float gscale,
                        const sn_step_hyper *h)
{
    const vgrad grad = vgrad_make(gscale, h->weight_decay);
    const rmsprop_consts k = {vset1(h->beta2), vset1(1.0f - h->beta2),
                              vset1(h->lr), vset1(h->eps)};
    vstep_loop(n, p, sq, NULL, nbuf, gsum, &grad, rmsprop_step, &k);
}
