/*
 * json.h - the benchmark files' JSON, parsed by cJSON (Debian libcjson-dev).
 *
 * What this adds to cJSON: errors that name the line and column, and the
 * tolerance benchmark tools need: Google Benchmark writes NaN, Infinity and
 * -Infinity (and some tools nan, inf, -inf) where a value is undefined,
 * which JSON does not allow; they read as no number.
 */
#ifndef SN_REPORT_JSON_H
#define SN_REPORT_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "simdnet.h"

/* Parses text[0..len) (NUL-terminated at len; the tolerated non-numbers
 * are overwritten in place). Returns the tree (cJSON_Delete it), or NULL
 * with a message naming the line and column where the text stops being
 * JSON. */
cJSON *sn_json_parse(char *text, size_t len, sn_error *err);

/* The string of a string member of obj, or NULL (obj may be NULL). */
const char *sn_json_string(const cJSON *obj, const char *key);
/* The number of a number member of obj, or NAN. */
double sn_json_number(const cJSON *obj, const char *key);

#endif
