/* utf8.c - UTF-8 validation and cuts on character boundaries (utf8.h). */
#include "report/utf8.h"

size_t sn_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    /* Lead byte: the length, its payload bits, the smallest code point
     * that needs this length (anything below is an overlong form). */
    size_t len;
    uint32_t v, min;
    if ((u[0] & 0xe0) == 0xc0) {
        len = 2, v = u[0] & 0x1fu, min = 0x80;
    } else if ((u[0] & 0xf0) == 0xe0) {
        len = 3, v = u[0] & 0x0fu, min = 0x800;
    } else if ((u[0] & 0xf8) == 0xf0) {
        len = 4, v = u[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (u[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
        return 0;
    *cp = v;
    return len;
}

size_t sn_utf8_invalid(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        const size_t k = sn_utf8_next(s + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

size_t sn_utf8_prefix(const char *s, size_t n, size_t max_chars)
{
    size_t i = 0;
    uint32_t cp;
    for (size_t chars = 0; i < n && chars < max_chars; chars++) {
        const size_t k = sn_utf8_next(s + i, n - i, &cp);
        i += k ? k : 1;
    }
    return i;
}
