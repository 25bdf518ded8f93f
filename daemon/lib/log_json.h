/*
 * log_json.h: a log line "module event key=value ..." as one JSON object,
 * for log shippers (stoppvifd --log-format json).
 *
 * The line's module and event become "module" and "event"; each key=value a
 * member, a bare integer a JSON number, everything else a string with the
 * escapes of log_escape() (\xNN, \", \\) undone: bytes that make valid UTF-8
 * are written as text, any other byte as a \u00NN escape (the byte read as
 * Latin-1, which is what such bytes in an old gateway's reply usually are),
 * and control characters escaped.  A line that does not follow the form is
 * kept whole under "msg".  A key met twice (or one of ts, level, prog,
 * module, event, msg, error) gets a '_' appended, so no member hides another.
 */
#ifndef STOPPVIF_LOG_JSON_H
#define STOPPVIF_LOG_JSON_H

#include <stddef.h>
#include <stdint.h>

/* The smallest buffer log_json() accepts, and the largest one it fills. */
#define LOG_JSON_MIN	128
#define LOG_JSON_MAX	65536

/*
 * Write msg as a JSON object into out (of size len, LOG_JSON_MIN to
 * LOG_JSON_MAX) with ts, level and prog first, and err (or NULL: none) as
 * "error" last.  What does not fit is cut at a character boundary, the cut
 * string ending with "...", and the object gets "truncated":true.  Returns
 * the length written, always a complete object, NUL-terminated, no newline.
 */
size_t	log_json(char *out, size_t len, const char *ts, const char *level,
	    const char *prog, const char *msg, const char *err);

/*
 * The length of the valid UTF-8 character at b (n > 0 bytes), its code
 * point in *cp; 0 when b starts none (overlong forms and surrogates
 * included).  utf8_decode() says the same, but utf8.c uses util.c, which
 * logs: log.c would call it in a circle.
 */
size_t	log_u8char(const unsigned char *b, size_t n, uint32_t *cp);

#endif
