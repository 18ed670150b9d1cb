/*
 * svg.h - a growing text buffer and the few SVG/XML pieces the report's
 * pictures are made of: elements with escaped text, colours, axis ticks.
 *
 * Writers append without checking each call: the buffer remembers that it
 * ran out of memory and sn_buf_failed() says so once, at the end.
 */
#ifndef SN_REPORT_SVG_H
#define SN_REPORT_SVG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "simdnet.h"

#if defined(__GNUC__)
#define SN_BUF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SN_BUF_PRINTF(a, b)
#endif

typedef struct sn_buf {
    char *data;  /* NUL-terminated while len > 0 */
    size_t len, cap;
    int failed;  /* an allocation failed: the contents are incomplete */
} sn_buf;

void sn_buf_free(sn_buf *b);
int sn_buf_failed(const sn_buf *b);
void sn_buf_put(sn_buf *b, const char *s, size_t n);
void sn_buf_puts(sn_buf *b, const char *s);
void sn_buf_printf(sn_buf *b, const char *fmt, ...) SN_BUF_PRINTF(2, 3);
void sn_buf_vprintf(sn_buf *b, const char *fmt, va_list ap);
/* s with &, <, >, " and ' escaped, for XML text and attribute values;
 * characters XML 1.0 forbids (control characters, U+FFFE, U+FFFF) become
 * '?', bytes that are not UTF-8 U+FFFD: the result is well-formed XML text
 * whatever s holds (inputs are checked for UTF-8 when read; paths and
 * titles from the command line may still hold any bytes). */
void sn_buf_put_xml(sn_buf *b, const char *s);
/* The same, cut to at most max_chars characters on a character boundary,
 * an ellipsis marking the cut: the one way text is shortened. */
void sn_buf_put_xml_cut(sn_buf *b, const char *s, size_t max_chars);
/* Base64 (RFC 4648) of n bytes. */
void sn_buf_put_base64(sn_buf *b, const uint8_t *data, size_t n);

/* ------------------------------------------------------------ SVG pieces */

/* The XML declaration and <svg> root of a w x h picture, its <title>, and
 * the shared style (fonts). */
void svg_begin(sn_buf *b, double w, double h, const char *title);
void svg_end(sn_buf *b);

typedef enum svg_anchor { SVG_START, SVG_MIDDLE, SVG_END } svg_anchor;

/* <text> at (x, y) with escaped, printf-formatted content, cut to
 * SVG_TEXT_MAX characters on a character boundary (an ellipsis marks the
 * cut). cls names a style class of svg_begin's sheet ("" for the
 * default). */
#define SVG_TEXT_MAX 160
void svg_text(sn_buf *b, double x, double y, svg_anchor anchor,
              const char *cls, const char *fmt, ...) SN_BUF_PRINTF(6, 7);

/* An <image> of a gray, RGB or RGBA picture, embedded as a PNG data URI and
 * drawn w x h with sharp pixels. Returns -1 (err filled) if encoding fails. */
int svg_image(sn_buf *b, const sn_image *img, double x, double y, double w,
              double h, const char *cls, sn_error *err);

/* "#rrggbb" of a packed 0xRRGGBB colour, into out[8]. */
void svg_colour(uint32_t rgb, char out[8]);

/* Diverging colour map for t in [-1, 1]: blue (-1), white (0), red (+1).
 * The same red and blue mark positive and negative weights everywhere. */
uint32_t svg_diverging(double t);
/* Sequential map for t in [0, 1]: white to dark blue. */
uint32_t svg_sequential(double t);
/* A qualitative colour for series i of a chart (ten, then repeating). */
uint32_t svg_series_colour(size_t i);

#define SVG_RED 0xd62728u
#define SVG_BLUE 0x1f77b4u

/* Round axis ticks covering [lo, hi]: first tick, step, count (2..~8).
 * Widens lo and hi to the first and last tick. */
void svg_ticks(double *lo, double *hi, size_t max_ticks, double *first,
               double *step, size_t *n);
/* A tick label: as few decimals as the step needs. */
void svg_format_tick(double v, double step, char *out, size_t len);

#endif
