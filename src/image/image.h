/*
 * image.h - small raster images: PNG and PGM files in, PNG out, and the
 * preparation of a user's picture of a digit for the network.
 *
 * PNG goes through libspng; PGM is read here (it is small and checked
 * field by field). Everything here is 8 bits per sample. An image is gray (1 channel), RGB
 * (3) or RGBA (4), rows top to bottom, no padding. Like the rest of
 * libsimdnet, these functions never print: they return 0, or -1 with a
 * message in err that names what is wrong with the file.
 */
#ifndef SN_IMAGE_H
#define SN_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "simdnet.h"

/* The limits of the image readers (docs/robustness.md), checked before
 * anything the size of the image is allocated. 2^24 pixels (4096 x 4096,
 * more than a 12-megapixel photo) bound an image to 64 MiB of RGBA; a
 * 65 KB PNG cannot claim more. Reading and preparing a digit holds about
 * 5 bytes per pixel at its peak (RGBA and gray: the resize reads rows). */
#define SN_IMAGE_MAX_SIDE 32768u
#define SN_IMAGE_MAX_PIXELS ((size_t)1 << 24)
/* Bytes read from one image file (256 MiB): more than the largest image
 * allowed needs in any encoding (16-bit RGBA stored uncompressed is 128 MiB,
 * plain-text PGM at most 6 bytes a pixel), so only a hostile file or an
 * endless stream reaches it. Readers stream: they hold the image, not the
 * file, and stop at the first wrong byte. */
#define SN_IMAGE_MAX_FILE ((size_t)1 << 28)
/* What libspng may keep of a PNG's ancillary chunks (text, ICC profiles):
 * 4 MiB in all, and at most 1 MiB inflated from one compressed chunk
 * (zTXt, iTXt, iCCP: a small chunk cannot inflate to gigabytes). Image
 * data (IDAT) is streamed, not kept. */
#define SN_PNG_MAX_CHUNK ((size_t)1 << 20)
#define SN_PNG_MAX_CHUNKS ((size_t)1 << 22)

typedef struct sn_image {
    size_t width, height;
    size_t channels;   /* 1 gray, 3 RGB, 4 RGBA */
    uint8_t *data;     /* width * height * channels bytes, malloc'd */
} sn_image;

/* Allocates a zeroed image; channels must be 1, 3 or 4. */
int sn_image_alloc(sn_image *img, size_t width, size_t height,
                   size_t channels, sn_error *err);
void sn_image_free(sn_image *img);

/* Decodes a PNG through libspng: any standard colour type (gray, gray +
 * alpha, RGB, RGBA, palette), bit depth (16-bit samples keep their high
 * byte) and interlacing, into RGBA; a tRNS colour key becomes alpha 0.
 * libspng checks every chunk's CRC and the image data; the file must go on
 * to its IEND chunk. sn_png_read takes the PNG from a stream, reading at
 * most SN_IMAGE_MAX_FILE bytes of it. */
int sn_png_decode(const uint8_t *png, size_t len, sn_image *rgba,
                  sn_error *err);
int sn_png_read(FILE *f, sn_image *rgba, sn_error *err);

/* Encodes a gray, RGB or RGBA image as a PNG into *out (malloc'd). */
int sn_png_encode(const sn_image *img, uint8_t **out, size_t *out_len,
                  sn_error *err);

/* Decodes a PGM, binary (P5) or plain text (P2), with any maxval up to
 * 65535, into a gray image scaled to 0..255; sn_pgm_read from a stream, at
 * most SN_IMAGE_MAX_FILE bytes of it. Bytes after the last pixel are not
 * read. */
int sn_pgm_decode(const uint8_t *pgm, size_t len, sn_image *gray,
                  sn_error *err);
int sn_pgm_read(FILE *f, sn_image *gray, sn_error *err);

/* Reads a PNG or PGM file (or pipe), told apart by its first byte, not its
 * name: anything else is refused after one byte. The result is RGBA for a
 * PNG, gray for a PGM. Messages start with path. */
int sn_image_read(const char *path, sn_image *img, sn_error *err);

/* Converts to gray (Rec. 601 luma); transparent pixels are composited over
 * white, as a browser shows them. */
int sn_image_to_gray(const sn_image *in, sn_image *gray, sn_error *err);

/* Resamples a gray image to width x height by area averaging: each output
 * pixel is the mean of the input area it covers, fractional pixels weighted
 * by their coverage. Shrinking by a whole factor is exact (the mean of each
 * block, rounded); enlarging repeats pixels. */
int sn_image_resize_area(const sn_image *gray, size_t width, size_t height,
                         sn_image *out, sn_error *err);

typedef enum sn_invert {
    SN_INVERT_AUTO = 0, /* invert if the border is light (dark ink on paper) */
    SN_INVERT_NEVER,
    SN_INVERT_ALWAYS,
} sn_invert;

typedef struct sn_digit_options {
    sn_invert invert;
    /* 0: scale the whole picture to the target size. 1: MNIST's own
     * preparation: crop to the ink, scale it to fit a box of 20/28 of the
     * target keeping its aspect ratio, and centre its centre of mass. */
    int fit;
} sn_digit_options;

/* Turns any picture into the network's input: gray, light ink on a dark
 * background like MNIST (inverted if needed), width x height pixels.
 * *inverted (may be NULL) tells whether the picture was inverted. */
int sn_image_prepare_digit(const sn_image *img, size_t width, size_t height,
                           const sn_digit_options *opt, sn_image *out,
                           int *inverted, sn_error *err);

#endif
