/*
 * json.h - a small JSON reader (RFC 8259) for the benchmark files.
 *
 * Parses a whole document into a tree. Tolerant where benchmark tools are
 * known to stray: NaN, Infinity, -Infinity, nan, inf and -inf are read as
 * numbers (Google Benchmark writes some of them).
 */
#ifndef SN_REPORT_JSON_H
#define SN_REPORT_JSON_H

#include <stddef.h>

#include "simdnet.h"

typedef enum sn_json_type {
    SN_JSON_NULL,
    SN_JSON_BOOL,
    SN_JSON_NUMBER,
    SN_JSON_STRING,
    SN_JSON_ARRAY,
    SN_JSON_OBJECT,
} sn_json_type;

typedef struct sn_json {
    sn_json_type type;
    int boolean;
    double number;
    char *string;          /* UTF-8, NUL-terminated (a string value) */
    size_t n;              /* items of an array or object */
    struct sn_json *items; /* n values */
    char **keys;           /* n keys of an object */
} sn_json;

/* Parses text[0..len); errors name the line and column. */
int sn_json_parse(const char *text, size_t len, sn_json *out, sn_error *err);
void sn_json_free(sn_json *v);

/* The member `key` of an object (the first, if repeated), or NULL. */
const sn_json *sn_json_get(const sn_json *obj, const char *key);
/* The string of a string member, or NULL. */
const char *sn_json_get_string(const sn_json *obj, const char *key);
/* The number of a number member, or NAN. */
double sn_json_get_number(const sn_json *obj, const char *key);

#endif
