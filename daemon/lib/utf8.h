/*
 * utf8.h: UTF-8 as text is handled everywhere else: decoded one character
 * at a time, checked, and cut only at a character boundary.
 *
 * The rule this module exists for: user text (a request's field, a calendar
 * file's title, an SMS) is never cut at a byte count.  A cut inside a
 * character makes invalid UTF-8, which jansson refuses to encode; an error
 * message quoting it would then fail to be sent.  Quote user text with
 * UTF8_CUT(s, n), never with "%.60s".
 */
#ifndef STOPPVIF_UTF8_H
#define STOPPVIF_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* What utf8_decode() gives for a byte that starts no valid character. */
#define UTF8_BAD	0xffffffffu

/*
 * Decode the character at s (n > 0 bytes left) into *cp and return its
 * length.  A byte that starts no valid sequence (overlong forms, surrogates
 * and code points past U+10FFFF included) gives 1 and UTF8_BAD.
 */
size_t		 utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Encode cp (< 0x110000) into out (>= 4 bytes); the length written. */
size_t		 utf8_encode(uint32_t cp, char *out);
/* Whether the n bytes of s are valid UTF-8 (NUL bytes count as invalid). */
int		 utf8_valid(const char *s, size_t n);
/* Characters in s, each invalid byte counting one. */
size_t		 utf8_len(const char *s);

/*
 * Copy at most max characters of s into buf (of size len >= 8), never
 * splitting one: a cut string ends with "…", an invalid byte becomes '?'.
 * Returns buf, always valid UTF-8 and NUL-terminated.
 */
const char	*utf8_cut(char *buf, size_t len, const char *s, size_t max);
/* utf8_cut into a buffer of the caller's block: for printf arguments. */
#define UTF8_CUT(s, max) \
	utf8_cut((char[4 * (max) + 8]){ 0 }, 4 * (max) + 8, (s), (max))

/* s made valid UTF-8 (new string): each invalid byte becomes U+FFFD. */
char		*utf8_sanitize(const char *s);

#endif
