/* error.c - filling an sn_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message longer than sn_error.msg keeps its start (what it is about: the
 * path's first folders) and its end (the file name and the reason), joined
 * by "...": the reason comes last in every library message, so a long path
 * never pushes it out. */
#define SN_MSG_HEAD 160
#define SN_MSG_FULL 8192

/* Bytes of s[0..n) that end on a UTF-8 character boundary. */
static size_t utf8_floor(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--; /* back over continuation bytes to the lead byte */
    if (i == 0)
        return n;
    const unsigned char lead = (unsigned char)s[i - 1];
    const size_t len = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3
                     : lead >= 0xC0 ? 2 : 1;
    return (n - (i - 1) >= len) ? n : i - 1;
}

/* Offset of the first character boundary at or after s + n. */
static size_t utf8_ceil(const char *s, size_t n)
{
    while (s[n] != '\0' && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* Copies full (NUL-terminated) into msg[size], cut in the middle if need be. */
static void put_message(char *msg, size_t size, const char *full)
{
    const size_t len = strlen(full);
    if (len < size) {
        memcpy(msg, full, len + 1);
        return;
    }
    static const char gap[] = "...";
    const size_t head = utf8_floor(full, SN_MSG_HEAD);
    const size_t tail_room = size - 1 - head - (sizeof gap - 1);
    const size_t tail = utf8_ceil(full, len - tail_room);
    memcpy(msg, full, head);
    memcpy(msg + head, gap, sizeof gap - 1);
    memcpy(msg + head + sizeof gap - 1, full + tail, len - tail + 1);
}

int sn_set_error(sn_error *err, const char *fmt, ...)
{
    if (err) {
        char full[SN_MSG_FULL];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(full, sizeof full, fmt, ap);
        va_end(ap);
        full[utf8_floor(full, strlen(full))] = '\0';
        put_message(err->msg, sizeof err->msg, full);
    }
    return -1;
}

int sn_prefix_error(sn_error *err, const char *fmt, ...)
{
    if (err) {
        char full[SN_MSG_FULL];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(full, sizeof full, fmt, ap);
        va_end(ap);
        size_t used = n < 0 ? 0 : (size_t)n < sizeof full ? (size_t)n
                                                           : sizeof full - 1;
        /* prefix, then the old message (itself at most 511 bytes) */
        snprintf(full + used, sizeof full - used, "%.*s",
                 (int)(sizeof err->msg - 1), err->msg);
        full[utf8_floor(full, strlen(full))] = '\0';
        put_message(err->msg, sizeof err->msg, full);
    }
    return -1;
}
