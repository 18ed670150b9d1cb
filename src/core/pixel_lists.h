/*
 * pixel_lists.h - every sample's nonzero pixels, listed once for a whole
 * data set (sn_trainer_keep_pixel_lists), so that the sparse engine reads
 * a sample's list back at each visit instead of listing its bytes again
 * with nonzero_u8 (17% of a 784-32-32-10 epoch on one core, where the
 * read-back is a few percent: docs/engines.md, "Pixel lists").
 *
 * A list is kept as nonzero_u8 writes it (4-byte indices, 4-byte values,
 * 8 bytes a nonzero pixel: 72 MB for MNIST's 47 MB of training images,
 * and 6 MB of bitmaps),
 * so that the engine reads it where it lies, with a bitmap of the
 * sample's nonzero pixels for the update's touched rows: the values are
 * nonzero_u8's, bit for bit. (Packed as a 16-bit index and the byte, 3
 * bytes a pixel, the conversion back in plain C cost 640 instructions a
 * sample against nonzero_u8's 880: it saved too little.)
 *
 * Listed twice through nonzero_u8, in parallel: the counts and bitmaps,
 * then the lists in their exact room (about two epochs' listing, spread
 * over the threads: the lists pay from the third epoch), on 4 KiB pages
 * (alloc.h, sn_alloc_array_small_pages).
 */
#ifndef SN_PIXEL_LISTS_H
#define SN_PIXEL_LISTS_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "simdnet.h"

typedef struct sn_pixel_lists {
    const uint8_t *pixels; /* the data set's images, as they were listed */
    size_t count;          /* samples */
    size_t n0;             /* pixels per sample */
    size_t words;          /* 64-pixel words of a sample's bitmap */
    uint64_t *start;       /* sample i's entries begin at start[i] */
    uint32_t *len;         /* and are len[i] */
    uint32_t *idx;         /* its nonzero pixels, increasing */
    float *val;            /* their values, scaled as nonzero_u8 scales */
    uint64_t *bits;        /* `words` per sample: a bit per nonzero pixel */
} sn_pixel_lists;

/* Lists every sample of ds with k's nonzero_u8 and scale, on `threads`
 * threads. Fails, with a message, when memory is short. Free with
 * sn_pixel_lists_free. */
int sn_pixel_lists_build(sn_pixel_lists **out, const sn_dataset *ds,
                         const sn_kernels *k, float scale, int threads,
                         sn_error *err);
void sn_pixel_lists_free(sn_pixel_lists *pl);

/* Whether ds's samples are all samples of pl: ds's images a window of
 * whole samples of the images pl listed, of the same size (a bench's or a
 * rank's share of the set). *first is then ds's sample 0 in pl. */
int sn_pixel_lists_cover(const sn_pixel_lists *pl, const sn_dataset *ds,
                         size_t *first);

/* Sample i's list where it lies: *idx and *val as nonzero_u8 wrote them,
 * and its bits ORed into seen (unless NULL). Returns the count. */
static inline size_t sn_pixel_lists_get(const sn_pixel_lists *pl, size_t i,
                                        const uint32_t **idx,
                                        const float **val, uint64_t *seen)
{
    *idx = pl->idx + pl->start[i];
    *val = pl->val + pl->start[i];
    if (seen) {
        const uint64_t *bits = pl->bits + i * pl->words;
        for (size_t w = 0; w < pl->words; w++)
            seen[w] |= bits[w];
    }
    return pl->len[i];
}

/* Asks for sample i's list ahead of its use. */
void sn_pixel_lists_prefetch(const sn_pixel_lists *pl, size_t i);

#endif /* SN_PIXEL_LISTS_H */
