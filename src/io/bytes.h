/*
 * bytes.h - the binary files' fields: little-endian integers and float32
 * put into a buffer, and read back through a cursor that stops cleanly at
 * the buffer's end; and the CRC-32 trailer that ends models and
 * checkpoints (docs/model-format.md, docs/checkpoint-format.md).
 */
#ifndef SN_BYTES_H
#define SN_BYTES_H

#include <stddef.h>
#include <stdint.h>

void sn_put_u32(unsigned char *p, uint32_t v);
void sn_put_u64(unsigned char *p, uint64_t v);
void sn_put_f32(unsigned char *p, float v);
uint32_t sn_get_u32(const unsigned char *p);
uint64_t sn_get_u64(const unsigned char *p);
float sn_get_f32(const unsigned char *p);

/* Writing fields one after the other into a buffer of known size. A field
 * that would not fit is not written and marks the cursor failed (a bug in
 * the writer's size, which its caller checks). */
typedef struct sn_put_cursor {
    unsigned char *p;
    size_t len, pos;
    int failed;
} sn_put_cursor;

sn_put_cursor sn_put_begin(unsigned char *p, size_t len);
void sn_put_bytes(sn_put_cursor *c, const void *src, size_t n);
void sn_put_next_u32(sn_put_cursor *c, uint32_t v);
void sn_put_next_u64(sn_put_cursor *c, uint64_t v);
void sn_put_next_f32(sn_put_cursor *c, float v);

/* Reading fields one after the other from len bytes. A read past the end
 * gives 0 (or NULL) and marks the cursor failed, so that a reader checks
 * once after a group of fields. */
typedef struct sn_get_cursor {
    const unsigned char *p;
    size_t len, pos;
    int failed;
} sn_get_cursor;

sn_get_cursor sn_get_begin(const void *p, size_t len);
/* The next n bytes, or NULL if fewer are left. */
const unsigned char *sn_get_bytes(sn_get_cursor *c, size_t n);
uint32_t sn_get_next_u32(sn_get_cursor *c);
uint64_t sn_get_next_u64(sn_get_cursor *c);
float sn_get_next_f32(sn_get_cursor *c);

/* CRC-32 (zlib's) of n bytes, continuing crc (0 to start). */
uint32_t sn_crc32(uint32_t crc, const void *p, size_t n);

/* Whether the 4 bytes at trailer are crc, little-endian: the check that
 * ends every model and checkpoint. */
int sn_crc_trailer_ok(uint32_t crc, const unsigned char *trailer);

#endif
