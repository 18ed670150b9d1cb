/* vadd, x86: y += x, a vector at a time, masked tail. */

void SN_X86_FN(vadd)(size_t n, const float *x, float *y)
{
    size_t i = 0;
    for (; i + VEC_WIDTH <= n; i += VEC_WIDTH)
        vstore(y + i, vadd(vload(y + i), vload(x + i)));
    if (i < n) {
        const vmask m = vmask_first(n - i);
        vstore_mask(y + i, m, vadd(vload_mask(y + i, m), vload_mask(x + i, m)));
    }
}
