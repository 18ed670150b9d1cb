/* json.c - a recursive-descent JSON parser with a depth limit. */
#include "report/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

enum { MAX_DEPTH = 64 };

typedef struct parser {
    const char *s, *p, *end;
    sn_error *err;
} parser;

static int fail(parser *ps, const char *what)
{
    size_t line = 1, col = 1;
    for (const char *q = ps->s; q < ps->p; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return sn_set_error(ps->err, "JSON line %zu, column %zu: %s", line, col,
                        what);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int starts(const parser *ps, const char *word)
{
    const size_t n = strlen(word);
    return (size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, word, n);
}

static int parse_value(parser *ps, sn_json *v, int depth);

static void put_utf8(char **out, unsigned cp)
{
    char *o = *out;
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3f));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    *out = o;
}

static int hex4(parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        const char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return fail(ps, "bad hex digit in a \\u escape");
    }
    *out = v;
    return 0;
}

/* A string at ps->p (the opening quote); the result is malloc'd. An escape
 * never makes the text longer, so the raw length bounds the buffer. */
static int parse_string(parser *ps, char **out)
{
    ps->p++;
    const char *q = ps->p;
    while (q < ps->end && *q != '"')
        q += *q == '\\' && q + 1 < ps->end ? 2 : 1;
    if (q >= ps->end)
        return fail(ps, "unterminated string");
    char *buf = malloc((size_t)(q - ps->p) + 1), *o = buf;
    if (!buf)
        return fail(ps, "out of memory");
    while (*ps->p != '"') {
        const unsigned char c = (unsigned char)*ps->p++;
        if (c < 0x20) {
            free(buf);
            return fail(ps, "control character in a string");
        }
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        const char e = *ps->p++;
        unsigned cp;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u':
            if (hex4(ps, &cp) != 0) {
                free(buf);
                return -1;
            }
            if (cp >= 0xd800 && cp < 0xdc00 && starts(ps, "\\u")) {
                unsigned lo;
                ps->p += 2;
                if (hex4(ps, &lo) != 0) {
                    free(buf);
                    return -1;
                }
                if (lo >= 0xdc00 && lo < 0xe000)
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                else
                    cp = 0xfffd;
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd; /* a lone surrogate */
            }
            put_utf8(&o, cp);
            break;
        default:
            free(buf);
            ps->p--;
            return fail(ps, "unknown escape in a string");
        }
    }
    ps->p++;
    *o = '\0';
    *out = buf;
    return 0;
}

static int parse_number(parser *ps, sn_json *v)
{
    static const struct { const char *word; double value; } specials[] = {
        {"NaN", NAN}, {"nan", NAN}, {"-nan", NAN}, {"Infinity", INFINITY},
        {"-Infinity", -INFINITY}, {"inf", INFINITY}, {"-inf", -INFINITY},
    };
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++)
        if (starts(ps, specials[i].word)) {
            ps->p += strlen(specials[i].word);
            v->type = SN_JSON_NUMBER;
            v->number = specials[i].value;
            return 0;
        }
    /* The JSON number grammar, checked before strtod reads it. */
    const char *q = ps->p;
    if (q < ps->end && *q == '-')
        q++;
    const char *digits = q;
    while (q < ps->end && *q >= '0' && *q <= '9')
        q++;
    if (q == digits)
        return fail(ps, "expected a value");
    if (q < ps->end && *q == '.') {
        const char *frac = ++q;
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
        if (q == frac)
            return fail(ps, "expected digits after the decimal point");
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        const char *exp = q;
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
        if (q == exp)
            return fail(ps, "expected digits in the exponent");
    }
    char tmp[64];
    const size_t n = (size_t)(q - ps->p);
    if (n >= sizeof tmp)
        return fail(ps, "number too long");
    memcpy(tmp, ps->p, n);
    tmp[n] = '\0';
    v->type = SN_JSON_NUMBER;
    v->number = strtod(tmp, NULL);
    ps->p = q;
    return 0;
}

/* Appends one slot to an array or object being built. */
static int grow(parser *ps, sn_json *v, size_t *cap, int with_keys)
{
    if (v->n < *cap)
        return 0;
    const size_t ncap = *cap ? *cap * 2 : 8;
    sn_json *items = realloc(v->items, ncap * sizeof *items);
    if (!items)
        return fail(ps, "out of memory");
    v->items = items;
    if (with_keys) {
        char **keys = realloc(v->keys, ncap * sizeof *keys);
        if (!keys)
            return fail(ps, "out of memory");
        v->keys = keys;
    }
    *cap = ncap;
    return 0;
}

static int parse_container(parser *ps, sn_json *v, int depth, int object)
{
    const char close = object ? '}' : ']';
    v->type = object ? SN_JSON_OBJECT : SN_JSON_ARRAY;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    size_t cap = 0;
    for (;;) {
        if (grow(ps, v, &cap, object) != 0)
            return -1;
        sn_json *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        if (object) {
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a member name in quotes");
            if (parse_string(ps, &v->keys[v->n]) != 0)
                return -1;
            v->n++; /* owned now, freed with v even if the value fails */
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, "expected ':' after a member name");
            ps->p++;
        } else {
            v->n++;
        }
        if (parse_value(ps, item, depth + 1) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return 0;
        }
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(parser *ps, sn_json *v, int depth)
{
    if (depth > MAX_DEPTH)
        return fail(ps, "nested too deeply");
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of the file");
    switch (*ps->p) {
    case '{': return parse_container(ps, v, depth, 1);
    case '[': return parse_container(ps, v, depth, 0);
    case '"':
        v->type = SN_JSON_STRING;
        return parse_string(ps, &v->string);
    case 't':
    case 'f':
        if (starts(ps, "true") || starts(ps, "false")) {
            v->type = SN_JSON_BOOL;
            v->boolean = *ps->p == 't';
            ps->p += v->boolean ? 4 : 5;
            return 0;
        }
        return fail(ps, "expected a value");
    case 'n':
        if (starts(ps, "null")) {
            v->type = SN_JSON_NULL;
            ps->p += 4;
            return 0;
        }
        return parse_number(ps, v); /* nan */
    default: return parse_number(ps, v);
    }
}

int sn_json_parse(const char *text, size_t len, sn_json *out, sn_error *err)
{
    memset(out, 0, sizeof *out);
    parser ps = {text, text, text + len, err};
    if (parse_value(&ps, out, 0) != 0) {
        sn_json_free(out);
        return -1;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        sn_json_free(out);
        return fail(&ps, "unexpected text after the document");
    }
    return 0;
}

void sn_json_free(sn_json *v)
{
    for (size_t i = 0; i < v->n; i++) {
        sn_json_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof *v);
}

const sn_json *sn_json_get(const sn_json *obj, const char *key)
{
    if (!obj || obj->type != SN_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

const char *sn_json_get_string(const sn_json *obj, const char *key)
{
    const sn_json *v = sn_json_get(obj, key);
    return v && v->type == SN_JSON_STRING ? v->string : NULL;
}

double sn_json_get_number(const sn_json *obj, const char *key)
{
    const sn_json *v = sn_json_get(obj, key);
    return v && v->type == SN_JSON_NUMBER ? v->number : NAN;
}
