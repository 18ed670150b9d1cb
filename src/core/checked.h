/* checked.h - arithmetic on sizes that come from files: each returns 1 if
 * the exact result does not fit (and then *out is not to be used), 0 if it
 * does. */
#ifndef SN_CHECKED_H
#define SN_CHECKED_H

#include <stddef.h>
#include <stdint.h>

static inline int sn_add_overflow(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_add_overflow(a, b, out);
}

static inline int sn_mul_overflow(uint64_t a, uint64_t b, uint64_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

/* a * b + c. */
static inline int sn_mul_add_overflow(uint64_t a, uint64_t b, uint64_t c,
                                      uint64_t *out)
{
    uint64_t ab;
    return sn_mul_overflow(a, b, &ab) || sn_add_overflow(ab, c, out);
}

/* Whether v fits in a size_t (32-bit hosts). */
static inline int sn_fits_size(uint64_t v)
{
    return (uint64_t)(size_t)v == v;
}

#endif
