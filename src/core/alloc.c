/* alloc.c - aligned, zeroed allocations with overflow-checked sizes. */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE, MADV_POPULATE_WRITE) */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Buffers this large (the data set's pixels) go on 2 MiB boundaries and ask
 * for transparent huge pages before they are first touched: 25x fewer page
 * faults while loading, and fewer TLB misses while training reads the
 * pixels. Measured on MNIST's .gz files: 0.159 s -> 0.133 s to load. */
#define SN_HUGE_THRESHOLD ((size_t)4 << 20)
#define SN_HUGE_PAGE ((size_t)2 << 20)

/* The bytes an array of n elements of size takes once rounded up to its
 * alignment (SN_ALIGN, or a huge page for large ones); 0 on overflow. */
static size_t array_bytes(size_t n, size_t size, size_t *align)
{
    if (size != 0 && n > (SIZE_MAX - SN_HUGE_PAGE) / size)
        return 0;
    size_t bytes = n * size;
    *align = bytes >= SN_HUGE_THRESHOLD ? SN_HUGE_PAGE : SN_ALIGN;
    bytes = (bytes + *align - 1) / *align * *align;
    return bytes == 0 ? SN_ALIGN : bytes;
}

static void *alloc_aligned(size_t n, size_t size, int huge)
{
    size_t align;
    const size_t bytes = array_bytes(n, size, &align);
    if (bytes == 0)
        return NULL;
    void *p = aligned_alloc(align, bytes);
    if (!p)
        return NULL;
#ifdef MADV_HUGEPAGE
    if (huge && align == SN_HUGE_PAGE)
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint; failure is fine */
#else
    (void)huge;
#endif
    return p;
}

void *sn_alloc_array_uninit(size_t n, size_t size)
{
    return alloc_aligned(n, size, 1);
}

void *sn_alloc_array_small_pages(size_t n, size_t size)
{
    return alloc_aligned(n, size, 0);
}

void *sn_alloc_array(size_t n, size_t size)
{
    size_t align;
    void *p = sn_alloc_array_uninit(n, size);
    if (p)
        memset(p, 0, array_bytes(n, size, &align));
    return p;
}

void sn_prefault(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    const long size = sysconf(_SC_PAGESIZE); /* 4 KiB, 16 or 64 on arm64 */
    if (size <= 0)
        return;
    const uintptr_t page = (uintptr_t)size;
    const uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
    const uintptr_t hi = ((uintptr_t)p + bytes) & ~(page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)bytes;
#endif
}

void sn_free(void *p)
{
    free(p);
}
