/*
 * utf8.h - UTF-8 checked and cut on character boundaries: the one place
 * where the report's text is validated or shortened, so that every SVG is
 * well-formed XML whatever a user's file or command line holds.
 */
#ifndef SN_REPORT_UTF8_H
#define SN_REPORT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1-4) of the UTF-8 character at s[0..n), its code point in
 * *cp; 0 if the bytes there are not one (a stray continuation byte, an
 * overlong form, a surrogate, past U+10FFFF, or cut short by n). */
size_t sn_utf8_next(const char *s, size_t n, uint32_t *cp);

/* The offset of the first byte of s[0..n) that does not start a valid
 * UTF-8 character, or n if all of it is valid. */
size_t sn_utf8_invalid(const char *s, size_t n);

/* The byte length of the longest prefix of s[0..n) of at most max_chars
 * characters: a cut on a character boundary (invalid bytes count as one
 * character each). */
size_t sn_utf8_prefix(const char *s, size_t n, size_t max_chars);

#endif
