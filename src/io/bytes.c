/* bytes.c - little-endian fields, cursors and the CRC-32 trailer (bytes.h). */
#include "bytes.h"

#include <string.h>
#include <zlib.h>

void sn_put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void sn_put_u64(unsigned char *p, uint64_t v)
{
    sn_put_u32(p, (uint32_t)v);
    sn_put_u32(p + 4, (uint32_t)(v >> 32));
}

void sn_put_f32(unsigned char *p, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    sn_put_u32(p, u);
}

uint32_t sn_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t sn_get_u64(const unsigned char *p)
{
    return (uint64_t)sn_get_u32(p) | (uint64_t)sn_get_u32(p + 4) << 32;
}

float sn_get_f32(const unsigned char *p)
{
    const uint32_t u = sn_get_u32(p);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

/* Whether n more bytes fit after *pos in len: if so *pos moves past them,
 * if not the cursor is marked failed for good. */
static int take(size_t len, size_t *pos, int *failed, size_t n)
{
    if (*failed || n > len - *pos) {
        *failed = 1;
        return 0;
    }
    *pos += n;
    return 1;
}

/* ------------------------------------------------------------------ writing */

sn_put_cursor sn_put_begin(unsigned char *p, size_t len)
{
    return (sn_put_cursor){.p = p, .len = len};
}

/* Room for n more bytes: the place to write them, or NULL. */
static unsigned char *put_room(sn_put_cursor *c, size_t n)
{
    unsigned char *at = c->p + c->pos;
    return take(c->len, &c->pos, &c->failed, n) ? at : NULL;
}

void sn_put_bytes(sn_put_cursor *c, const void *src, size_t n)
{
    unsigned char *at = put_room(c, n);
    if (at)
        memcpy(at, src, n);
}

void sn_put_next_u32(sn_put_cursor *c, uint32_t v)
{
    unsigned char *at = put_room(c, 4);
    if (at)
        sn_put_u32(at, v);
}

void sn_put_next_u64(sn_put_cursor *c, uint64_t v)
{
    unsigned char *at = put_room(c, 8);
    if (at)
        sn_put_u64(at, v);
}

void sn_put_next_f32(sn_put_cursor *c, float v)
{
    unsigned char *at = put_room(c, 4);
    if (at)
        sn_put_f32(at, v);
}

/* ------------------------------------------------------------------ reading */

sn_get_cursor sn_get_begin(const void *p, size_t len)
{
    return (sn_get_cursor){.p = p, .len = len};
}

const unsigned char *sn_get_bytes(sn_get_cursor *c, size_t n)
{
    const unsigned char *at = c->p + c->pos;
    return take(c->len, &c->pos, &c->failed, n) ? at : NULL;
}

uint32_t sn_get_next_u32(sn_get_cursor *c)
{
    const unsigned char *at = sn_get_bytes(c, 4);
    return at ? sn_get_u32(at) : 0;
}

uint64_t sn_get_next_u64(sn_get_cursor *c)
{
    const unsigned char *at = sn_get_bytes(c, 8);
    return at ? sn_get_u64(at) : 0;
}

float sn_get_next_f32(sn_get_cursor *c)
{
    const unsigned char *at = sn_get_bytes(c, 4);
    return at ? sn_get_f32(at) : 0.0f;
}

/* ------------------------------------------------------------------ CRC */

uint32_t sn_crc32(uint32_t crc, const void *p, size_t n)
{
    return (uint32_t)crc32_z(crc, p, n);
}

int sn_crc_trailer_ok(uint32_t crc, const unsigned char *trailer)
{
    return sn_get_u32(trailer) == crc;
}
