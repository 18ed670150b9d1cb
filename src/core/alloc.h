/* alloc.h - aligned, zeroed allocations with overflow-checked sizes. */
#ifndef SN_ALLOC_H
#define SN_ALLOC_H

#include <stddef.h>

/* Cache line and widest vector: every buffer starts on a 64-byte line, so
 * per-thread buffers never share a line and AVX-512 loads never split one. */
#define SN_ALIGN 64

/* Zeroed, SN_ALIGN-aligned array of n elements of size bytes; NULL if the
 * size overflows or memory is short. Free with sn_free. */
void *sn_alloc_array(size_t n, size_t size);
/* The same, not zeroed: for buffers about to be overwritten (a growing
 * read), whose pages then become resident only as data arrives. */
void *sn_alloc_array_uninit(size_t n, size_t size);
/* sn_alloc_array_uninit without the hint for huge pages: for the pixel
 * lists, where finding 2 MiB pages (the kernel compacting memory) cost
 * 0.2-0.45 s of system time in 2 runs of 8 of a 0.5 s `simdnet train`,
 * and 4 KiB pages none of that. */
void *sn_alloc_array_small_pages(size_t n, size_t size);
/* Makes the whole pages inside [p, p + bytes) resident and writable in one
 * call (Linux's MADV_POPULATE_WRITE), before a loop writes them: the
 * kernel maps them without a fault each. A hint: where it is not
 * available, the pages fault in as they are written, as without it. */
void sn_prefault(void *p, size_t bytes);
void sn_free(void *p);

/* n rounded up to a whole number of cache lines' worth of floats. */
static inline size_t sn_pad_floats(size_t n)
{
    const size_t per_line = SN_ALIGN / sizeof(float);
    return (n + per_line - 1) / per_line * per_line;
}

#endif
