/* run_state.h - the one check of a run's position and sizes (run_state.c). */
#ifndef SN_RUN_STATE_H
#define SN_RUN_STATE_H

#include <stdint.h>

#include "simdnet.h"

/* A run's position and sizes, held to the limits of a run, on 64-bit values
 * so that a file's fields are checked before they are narrowed. Messages
 * start with `prefix`. */
int sn_check_position(uint64_t count, uint64_t batch, uint64_t epochs,
                      uint64_t epoch, uint64_t done, uint64_t ncosts,
                      const char *prefix, sn_error *err);

#endif
