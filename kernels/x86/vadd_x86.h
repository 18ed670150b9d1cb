/* vadd, x86: y += x (as y + x), a vector at a time, masked tail. */

void SN_X86_FN(vadd)(size_t n, const float *x, float *y)
{
    vmap2(n, y, x, y, vadd);
}
