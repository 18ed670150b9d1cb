/* alloc.c - aligned, zeroed allocations with overflow-checked sizes. */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *sn_alloc_array(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - SN_ALIGN) / size)
        return NULL;
    size_t bytes = n * size;
    bytes = (bytes + SN_ALIGN - 1) / SN_ALIGN * SN_ALIGN;
    if (bytes == 0)
        bytes = SN_ALIGN;
    void *p = aligned_alloc(SN_ALIGN, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void sn_free(void *p)
{
    free(p);
}
