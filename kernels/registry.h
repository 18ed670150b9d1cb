/* registry.h - the library's view of the kernel sets (see registry.c). */
#ifndef SN_REGISTRY_H
#define SN_REGISTRY_H

#include "kernels.h"
#include "simdnet.h"
#include "error.h"

/* The kernel set of isa if it was built, whether or not this CPU can run it
 * (tests use it to report unsupported sets as skipped). */
const sn_kernels *sn_kernels_get_built(sn_isa isa);

#endif
