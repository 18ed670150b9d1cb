/* json.c - cJSON with line and column in its errors, and the non-numbers
 * of benchmark tools tolerated (json.h). */
#include "report/json.h"

#include <math.h>
#include <string.h>

#include "error.h"
#include "report/utf8.h"

/* Overwrites each bare NaN, Infinity, -Infinity, nan, -nan, inf, -inf
 * (outside strings) with an empty string padded with spaces: the same
 * length, valid JSON, and not a number wherever a number is read. */
static void blank_non_numbers(char *s, size_t len)
{
    static const char *const words[] = {"-Infinity", "Infinity", "-nan",
                                        "NaN", "nan", "-inf", "inf"};
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_string = 0;
            continue;
        }
        if (s[i] == '"') {
            in_string = 1;
            continue;
        }
        for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
            const size_t n = strlen(words[w]);
            if (n <= len - i && !memcmp(s + i, words[w], n)) {
                memset(s + i, ' ', n);
                s[i] = s[i + 1] = '"';
                i += n - 1;
                break;
            }
        }
    }
}

/* An error at text + at, named by its line and column. */
static cJSON *fail_at(const char *text, size_t at, const char *what,
                      sn_error *err)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
            col++; /* columns count characters, not bytes */
        }
    }
    sn_set_error(err, "JSON line %zu, column %zu: %s", line, col, what);
    return NULL;
}

cJSON *sn_json_parse(char *text, size_t len, sn_error *err)
{
    /* JSON text is UTF-8 (RFC 8259, 8.1); cJSON does not check. */
    const size_t bad = sn_utf8_invalid(text, len);
    if (bad < len)
        return fail_at(text, bad, "not UTF-8 text (JSON must be UTF-8)", err);
    blank_non_numbers(text, len);
    const char *end = NULL;
    /* With require_null_terminated, cJSON wants the NUL inside the length:
     * that is how it refuses text after the document. */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    if (root)
        return root;
    if (!end || end < text || end > text + len)
        end = text + len;
    /* cJSON points at the end when a value is cut short there. */
    return fail_at(text, (size_t)(end - text),
                   end == text + len ? "the text ends inside a value "
                                       "(truncated?)"
                                     : "not valid JSON here", err);
}

const char *sn_json_string(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double sn_json_number(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}
