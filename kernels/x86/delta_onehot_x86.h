/* delta_onehot, x86: delta = scale * a a vector at a time (the oracle's
 * scale * (a - 0): a - 0 is a, bit for bit, -0 and NaN included), then the
 * one marked element as the oracle computes it, scale * (a - 1), from a
 * copy taken first (delta may equal a). Bit-identical to the oracle. */

void SN_X86_FN(delta_onehot)(size_t n, const float *a, unsigned label,
                             float scale, float *delta)
{
    const float hot = label < n ? a[label] : 0.0f;
    const vfloat vscale = vset1(scale);
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(delta + i, vmul(vscale, vload(a + i)));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(delta + i, m, vmul(vscale, vload_mask(a + i, m)));
    }
    if (label < n)
        delta[label] = scale * (hot - 1.0f);
}
