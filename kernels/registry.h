/* registry.h - the library's view of the kernel sets built into it (see
 * registry.c); the choice among them is src/machine/dispatch.c. */
#ifndef SN_REGISTRY_H
#define SN_REGISTRY_H

#include "kernels.h"
#include "simdnet.h"

/* The kernel set of isa if it was built, whether or not this CPU can run it
 * (dispatch checks that; tests use it to report unsupported sets as
 * skipped). NULL if it was not built. */
const sn_kernels *sn_kernels_get_built(sn_isa isa);

#endif
