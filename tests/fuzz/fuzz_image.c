/*
 * fuzz_image.c - libFuzzer harness for the image path of `simdnet
 * predict`: the bytes as a file (a memfd, or a pipe) through sn_image_read
 * (PNG through libspng or PGM, told apart by the first byte, streamed),
 * and as a buffer through sn_png_decode or sn_pgm_decode; then a decoded
 * image through the digit preparation predict runs (gray, inversion,
 * resize or MNIST's fit) to 28x28.
 *
 * Input: byte 0 bit 0 picks the pipe, bit 1 --fit, bits 2-3 the inversion
 * (auto, never, always); the rest is the image file.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a reader promises: an image within the limits, or a message. */
static void check(int rc, const sn_image *img, const sn_error *err,
                  size_t channels)
{
    if (rc != 0) {
        if (err->msg[0] == '\0' || img->data)
            abort();
        return;
    }
    if (!img->data || img->width == 0 || img->height == 0 ||
        img->width > SN_IMAGE_MAX_SIDE || img->height > SN_IMAGE_MAX_SIDE ||
        img->width * img->height > SN_IMAGE_MAX_PIXELS ||
        img->channels != channels)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t flags = data[0];
    const uint8_t *file = data + 1;
    const size_t len = size - 1;

    /* The buffer decoders, as the tests and embedders call them. */
    sn_image img;
    sn_error err = {{0}};
    int rc = sn_png_decode(file, len, &img, &err);
    check(rc, &img, &err, 4);
    sn_image_free(&img);
    err.msg[0] = '\0';
    rc = sn_pgm_decode(file, len, &img, &err);
    check(rc, &img, &err, 1);
    sn_image_free(&img);

    /* The file reader predict calls, then the preparation. */
    fuzz_file f;
    fuzz_file_open(&f, file, len, flags & 1);
    err.msg[0] = '\0';
    rc = sn_image_read(f.path, &img, &err);
    fuzz_file_close(&f);
    if (rc != 0) {
        if (err.msg[0] == '\0' || img.data)
            abort();
        return 0;
    }
    check(rc, &img, &err, img.channels == 1 ? 1 : 4);
    const sn_digit_options opt = {(sn_invert)((flags >> 2) % 3),
                                  (flags >> 1) & 1};
    sn_image digit;
    int inverted = -1;
    if (sn_image_prepare_digit(&img, 28, 28, &opt, &digit, &inverted,
                               &err) == 0) {
        if (digit.width != 28 || digit.height != 28 || digit.channels != 1 ||
            (inverted != 0 && inverted != 1))
            abort();
        unsigned sum = 0;
        for (size_t i = 0; i < 28 * 28; i++)
            sum += digit.data[i];
        (void)sum;
        sn_image_free(&digit);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    sn_image_free(&img);
    return 0;
}
