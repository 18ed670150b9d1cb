/* svg.c - the text buffer, XML escaping, base64, colours and axis ticks. */
#include "report/svg.h"
#include "report/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sn_buf_free(sn_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int sn_buf_failed(const sn_buf *b)
{
    return b->failed;
}

/* Room for n more bytes and a NUL. */
static int reserve(sn_buf *b, size_t n)
{
    if (b->failed)
        return -1;
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) {
        if (cap > (size_t)-1 / 2) {
            b->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void sn_buf_put(sn_buf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sn_buf_puts(sn_buf *b, const char *s)
{
    sn_buf_put(b, s, strlen(s));
}

void sn_buf_vprintf(sn_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    char small[256];
    const int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        b->failed = 1;
    } else if ((size_t)n < sizeof small) {
        sn_buf_put(b, small, (size_t)n);
    } else if (reserve(b, (size_t)n) == 0) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void sn_buf_printf(sn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sn_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sn_buf_put_xml(sn_buf *b, const char *s)
{
    const size_t n = strlen(s);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        const size_t k = sn_utf8_next(s + i, n - i, &cp);
        if (k == 0) { /* not UTF-8: the replacement character */
            sn_buf_puts(b, "\xef\xbf\xbd");
            i++;
            continue;
        }
        switch (cp) {
        case '&': sn_buf_puts(b, "&amp;"); break;
        case '<': sn_buf_puts(b, "&lt;"); break;
        case '>': sn_buf_puts(b, "&gt;"); break;
        case '"': sn_buf_puts(b, "&quot;"); break;
        case '\'': sn_buf_puts(b, "&#39;"); break;
        default:
            /* XML 1.0 allows no control characters but tab, LF and CR, and
             * not U+FFFE or U+FFFF. */
            if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
                cp == 0xfffe || cp == 0xffff)
                sn_buf_put(b, "?", 1);
            else
                sn_buf_put(b, s + i, k);
        }
        i += k;
    }
}

void sn_buf_put_xml_cut(sn_buf *b, const char *s, size_t max_chars)
{
    const size_t n = strlen(s), keep = sn_utf8_prefix(s, n, max_chars);
    if (keep == n) {
        sn_buf_put_xml(b, s);
        return;
    }
    char *head = malloc(keep + 1);
    if (!head) {
        b->failed = 1;
        return;
    }
    memcpy(head, s, keep);
    head[keep] = '\0';
    sn_buf_put_xml(b, head);
    sn_buf_puts(b, "\xe2\x80\xa6"); /* an ellipsis */
    free(head);
}

void sn_buf_put_base64(sn_buf *b, const uint8_t *data, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (reserve(b, (n + 2) / 3 * 4) != 0)
        return;
    char *out = b->data + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const uint32_t v = (uint32_t)data[i] << 16 |
                           (uint32_t)data[i + 1] << 8 | data[i + 2];
        *out++ = digits[v >> 18];
        *out++ = digits[v >> 12 & 63];
        *out++ = digits[v >> 6 & 63];
        *out++ = digits[v & 63];
    }
    if (i < n) {
        const uint32_t v = (uint32_t)data[i] << 16 |
                           (i + 1 < n ? (uint32_t)data[i + 1] << 8 : 0);
        *out++ = digits[v >> 18];
        *out++ = digits[v >> 12 & 63];
        *out++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    b->len = (size_t)(out - b->data);
    b->data[b->len] = '\0';
}

void svg_begin(sn_buf *b, double w, double h, const char *title)
{
    sn_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                  "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n<title>",
                  w, h, w, h);
    sn_buf_put_xml(b, title);
    sn_buf_puts(b, "</title>\n"
                   "<style>\n"
                   "text { font-family: 'DejaVu Sans', Helvetica, Arial, "
                   "sans-serif; font-size: 12px; fill: #222; }\n"
                   ".title { font-size: 15px; font-weight: bold; }\n"
                   ".small { font-size: 10px; fill: #555; }\n"
                   ".axis { stroke: #444; stroke-width: 1; fill: none; }\n"
                   ".grid { stroke: #e4e4e4; stroke-width: 1; }\n"
                   "image { image-rendering: pixelated; }\n"
                   "</style>\n"
                   "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
}

void svg_end(sn_buf *b)
{
    sn_buf_puts(b, "</svg>\n");
}

void svg_text(sn_buf *b, double x, double y, svg_anchor anchor,
              const char *cls, const char *fmt, ...)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    sn_buf text = {0};
    va_list ap;
    va_start(ap, fmt);
    sn_buf_vprintf(&text, fmt, ap);
    va_end(ap);
    const char *t = text.data ? text.data : "";
    sn_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor != SVG_START)
        sn_buf_printf(b, " text-anchor=\"%s\"", anchors[anchor]);
    if (cls && *cls)
        sn_buf_printf(b, " class=\"%s\"", cls);
    sn_buf_puts(b, ">");
    sn_buf_put_xml_cut(b, t, SVG_TEXT_MAX);
    sn_buf_puts(b, "</text>\n");
    if (sn_buf_failed(&text))
        b->failed = 1;
    sn_buf_free(&text);
}

int svg_image(sn_buf *b, const sn_image *img, double x, double y, double w,
              double h, const char *cls, sn_error *err)
{
    uint8_t *png;
    size_t len;
    if (sn_png_encode(img, &png, &len, err) != 0)
        return -1;
    sn_buf_printf(b, "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\" preserveAspectRatio=\"none\"",
                  x, y, w, h);
    if (cls && *cls)
        sn_buf_printf(b, " class=\"%s\"", cls);
    sn_buf_puts(b, " href=\"data:image/png;base64,");
    sn_buf_put_base64(b, png, len);
    sn_buf_puts(b, "\"/>\n");
    free(png);
    return 0;
}

void svg_colour(uint32_t rgb, char out[8])
{
    snprintf(out, 8, "#%06x", (unsigned)(rgb & 0xffffffu));
}

static uint32_t mix(uint32_t a, uint32_t b, double t)
{
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    uint32_t out = 0;
    for (int shift = 0; shift <= 16; shift += 8) {
        const double ca = (double)(a >> shift & 255), cb = (double)(b >> shift & 255);
        out |= (uint32_t)lround(ca + (cb - ca) * t) << shift;
    }
    return out;
}

uint32_t svg_diverging(double t)
{
    /* Through white, so that a weight near zero fades into the page. */
    if (isnan(t))
        return 0xffffffu;
    return t >= 0.0 ? mix(0xffffffu, SVG_RED, t) : mix(0xffffffu, SVG_BLUE, -t);
}

uint32_t svg_sequential(double t)
{
    if (isnan(t))
        return 0xffffffu;
    return t < 0.5 ? mix(0xffffffu, 0x6baed6u, 2.0 * t)
                   : mix(0x6baed6u, 0x08306bu, 2.0 * t - 1.0);
}

uint32_t svg_series_colour(size_t i)
{
    /* Tableau 10: distinguishable, and the usual look of such charts. */
    static const uint32_t palette[10] = {
        0x4e79a7u, 0xf28e2bu, 0x59a14fu, 0xe15759u, 0x76b7b2u,
        0xedc948u, 0xb07aa1u, 0xff9da7u, 0x9c755fu, 0xbab0acu,
    };
    return palette[i % 10];
}

void svg_ticks(double *lo, double *hi, size_t max_ticks, double *first,
               double *step, size_t *n)
{
    if (!(*hi > *lo)) { /* a flat or empty range: open it around the value */
        const double v = isfinite(*lo) ? *lo : 0.0;
        const double pad = v != 0.0 ? fabs(v) * 0.1 : 1.0;
        *lo = v - pad;
        *hi = v + pad;
    }
    if (max_ticks < 2)
        max_ticks = 2;
    const double raw = (*hi - *lo) / (double)(max_ticks - 1);
    const double mag = pow(10.0, floor(log10(raw)));
    const double r = raw / mag;
    *step = (r <= 1.0 ? 1.0 : r <= 2.0 ? 2.0 : r <= 2.5 ? 2.5 : r <= 5.0 ? 5.0 : 10.0) * mag;
    *first = floor(*lo / *step + 1e-9) * *step;
    const double last = ceil(*hi / *step - 1e-9) * *step;
    *lo = *first;
    *hi = last;
    *n = (size_t)lround((last - *first) / *step) + 1;
}

void svg_format_tick(double v, double step, char *out, size_t len)
{
    int decimals = 0;
    while (decimals < 6 && fabs(step * pow(10.0, decimals) -
                                round(step * pow(10.0, decimals))) > 1e-6)
        decimals++;
    if (fabs(v) < step * 1e-9)
        v = 0.0; /* no "-0" */
    snprintf(out, len, "%.*f", decimals, v);
}
