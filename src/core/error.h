/* error.h - filling an sn_error. */
#ifndef SN_ERROR_H
#define SN_ERROR_H

#include "simdnet.h"

#if defined(__GNUC__)
#define SN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SN_PRINTF(a, b)
#endif

/* Sets err->msg (err may be NULL). Always returns -1, so that
 * `return sn_set_error(err, ...)` reads as a failure. */
int sn_set_error(sn_error *err, const char *fmt, ...) SN_PRINTF(2, 3);
/* Puts a prefix (e.g. the file name) in front of err->msg. */
int sn_prefix_error(sn_error *err, const char *fmt, ...) SN_PRINTF(2, 3);

#endif
