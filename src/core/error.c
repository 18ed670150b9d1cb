/* error.c - filling an sn_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sn_set_error(sn_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int sn_prefix_error(sn_error *err, const char *fmt, ...)
{
    if (err) {
        char prefix[sizeof err->msg];
        char old[sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof old);
        old[sizeof old - 1] = '\0';
        /* prefix, then as much of the old message as still fits */
        size_t n = strlen(prefix);
        memcpy(err->msg, prefix, n + 1);
        strncat(err->msg, old, sizeof err->msg - 1 - n);
    }
    return -1;
}
