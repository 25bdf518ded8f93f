/*
 * log_json.c: a log line as one JSON object (see log_json.h).
 *
 * The logger calls this for every line, so it allocates nothing: the line
 * is checked against the form once, then walked again to write its members
 * straight into the caller's buffer.  It reads UTF-8 by itself rather than
 * through utf8.c, which uses util.c, which logs: the three objects would
 * call each other in a circle.
 */
#include <stdint.h>
#include <string.h>

#include "log_json.h"
#include "util.h"

/* Room kept at the end for ...", "truncated":true, } and the NUL. */
#define JW_RESERVE	32
/* The longest key the form admits. */
#define JW_KEY_MAX	48

/* How the bytes of a token are read back (tok_byte). */
enum tok_mode {
	TOK_RAW,	/* as they are: ts, level, prog, strerror */
	TOK_BARE,	/* \xNN undone: unquoted values */
	TOK_QUOTED,	/* \xNN, \" and \\ undone: quoted values */
	TOK_LINE,	/* as TOK_BARE, never a number: a line whole */
};

struct jw {
	char	*buf;
	size_t	 n;		/* bytes written */
	size_t	 stop;		/* members may not write past this */
	int	 members;	/* members written */
	int	 full;		/* something did not fit */
	int	 err;		/* "error" is kept for the errno text */
	int	 line;		/* writing the line's keys: "msg" is kept */
};

/* The next byte of a token read in mode m, advancing *pp; -1 at end. */
static int
tok_byte(const char **pp, const char *end, enum tok_mode m)
{
	const char	*p = *pp;
	int		 hi, lo;

	if (p >= end)
		return -1;
	if (m == TOK_RAW || *p != '\\' || end - p < 2) {
		*pp = p + 1;
		return (unsigned char)*p;
	}
	if (p[1] == 'x' && end - p >= 4 &&
	    (hi = util_hexdigit((unsigned char)p[2])) != -1 &&
	    (lo = util_hexdigit((unsigned char)p[3])) != -1) {
		*pp = p + 4;
		return hi << 4 | lo;
	}
	if (m == TOK_QUOTED) {
		*pp = p + 2;
		return (unsigned char)p[1];
	}
	*pp = p + 1;
	return '\\';
}

size_t
log_u8char(const unsigned char *b, size_t n, uint32_t *cp)
{
	size_t	 l, i;

	if (b[0] < 0x80) {
		*cp = b[0];
		return 1;
	}
	if (b[0] >= 0xc2 && b[0] <= 0xdf)
		l = 2, *cp = b[0] & 0x1f;
	else if (b[0] >= 0xe0 && b[0] <= 0xef)
		l = 3, *cp = b[0] & 0x0f;
	else if (b[0] >= 0xf0 && b[0] <= 0xf4)
		l = 4, *cp = b[0] & 0x07;
	else
		return 0;
	if (n < l)
		return 0;
	for (i = 1; i < l; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (b[i] & 0x3f);
	}
	if ((l == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
	    (l == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return l;
}

/* Append n bytes unless they would pass the stop; -1 (and full) if so. */
static int
jw_raw(struct jw *w, const void *s, size_t n)
{
	if (w->full || n > w->stop - w->n) {
		w->full = 1;
		return -1;
	}
	memcpy(w->buf + w->n, s, n);
	w->n += n;
	return 0;
}

/*
 * Append one character (l bytes at b, code point cp; l == 0: the invalid
 * byte b[0]) as JSON string text: controls, C1 controls, U+2028/9 and
 * invalid bytes as \u00NN, quote and backslash escaped.
 */
static int
jw_char(struct jw *w, const unsigned char *b, size_t l, uint32_t cp)
{
	static const char hex[] = "0123456789abcdef";
	char		  e[6];

	if (l == 0)
		cp = b[0];
	if (l == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0x2028 || cp == 0x2029) {
		e[0] = '\\';
		e[1] = 'u';
		e[2] = hex[cp >> 12 & 0xf];
		e[3] = hex[cp >> 8 & 0xf];
		e[4] = hex[cp >> 4 & 0xf];
		e[5] = hex[cp & 0xf];
		return jw_raw(w, e, 6);
	}
	if (cp == '"' || cp == '\\') {
		e[0] = '\\';
		e[1] = (char)cp;
		return jw_raw(w, e, 2);
	}
	return jw_raw(w, b, l);
}

/* Append the token p..end, read in mode m, as JSON string text. */
static int
jw_text(struct jw *w, const char *p, const char *end, enum tok_mode m)
{
	unsigned char	 b[4];
	const char	*pos[5];
	size_t		 k, l;
	uint32_t	 cp;
	int		 c;

	while (p < end) {
		pos[0] = p;
		for (k = 0; k < 4 && (c = tok_byte(&p, end, m)) != -1; k++) {
			b[k] = (unsigned char)c;
			pos[k + 1] = p;
		}
		l = log_u8char(b, k, &cp);
		if (jw_char(w, b, l, cp) == -1)
			return -1;
		p = pos[l == 0 ? 1 : l];
	}
	return 0;
}

/* Whether key (n bytes) is taken: written already, or kept for later. */
static int
jw_taken(const struct jw *w, const char *key, size_t n)
{
	char	 pat[JW_KEY_MAX + 16];

	if ((w->line && n == 3 && memcmp(key, "msg", 3) == 0) ||
	    (w->err && n == 5 && memcmp(key, "error", 5) == 0))
		return 1;
	pat[0] = ',';
	pat[1] = '"';
	memcpy(pat + 2, key, n);
	memcpy(pat + 2 + n, "\":", 2);
	if (memmem(w->buf, w->n, pat, n + 4) != NULL)
		return 1;
	pat[0] = '{';
	return memmem(w->buf, w->n, pat, n + 4) != NULL;
}

/* Append the name of a member, ',"key":', with '_' added while taken. */
static int
jw_key(struct jw *w, const char *key, size_t n)
{
	char	 name[JW_KEY_MAX + 8];

	if (n > JW_KEY_MAX) {		/* form_walk() admits none */
		w->full = 1;
		return -1;
	}
	memcpy(name, key, n);
	while (jw_taken(w, name, n) && n < sizeof name - 1)
		name[n++] = '_';
	if ((w->members > 0 && jw_raw(w, ",", 1) == -1) ||
	    jw_raw(w, "\"", 1) == -1 || jw_raw(w, name, n) == -1 ||
	    jw_raw(w, "\":", 2) == -1)
		return -1;
	return 0;
}

/* Whether v..end is an integer JSON and a double both read exactly. */
static int
is_int(const char *v, const char *end)
{
	const char	*p = v;

	if (p < end && *p == '-')
		p++;
	if (p == end || end - p > 15 || (*p == '0' && end - p > 1))
		return 0;
	for (; p < end; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/*
 * Append the member key: v..end, a number when bare and an integer, else a
 * string.  What does not fit is taken back whole, but a string that began is
 * cut and closed with "..." in the room kept for it.
 */
static void
jw_member(struct jw *w, const char *key, size_t kn, const char *v,
    const char *end, enum tok_mode m)
{
	size_t	 mark = w->n;

	if (w->full)
		return;
	if (jw_key(w, key, kn) == -1)
		goto undo;
	if (m == TOK_BARE && is_int(v, end)) {
		if (jw_raw(w, v, (size_t)(end - v)) == -1)
			goto undo;
		w->members++;
		return;
	}
	if (jw_raw(w, "\"", 1) == -1)
		goto undo;
	w->members++;
	if (jw_text(w, v, end, m) == -1) {
		memcpy(w->buf + w->n, "...\"", 4);
		w->n += 4;
	} else if (jw_raw(w, "\"", 1) == -1)
		w->buf[w->n++] = '"';
	return;
undo:
	w->n = mark;
	w->full = 1;
}

static int
is_module(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '.';
}

static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/*
 * Walk msg as "module event key=value key=\"quoted value\"...": with w,
 * append its members.  Returns 1 when msg follows the form, else 0.
 */
static int
form_walk(const char *msg, struct jw *w)
{
	const char	*p = msg, *s, *v;
	int		 quoted;

	for (s = p; is_module(*p); p++)
		;
	if (p == s || *p != ' ')
		return 0;
	if (w != NULL)
		jw_member(w, "module", 6, s, p, TOK_RAW);
	for (s = ++p; is_word(*p); p++)
		;
	if (p == s || (*p != ' ' && *p != '\0'))
		return 0;
	if (w != NULL)
		jw_member(w, "event", 5, s, p, TOK_RAW);
	while (*p == ' ') {
		for (s = ++p; is_word(*p); p++)
			;
		if (p == s || *p != '=' || p - s > JW_KEY_MAX)
			return 0;
		if ((quoted = *++p == '"')) {
			for (v = ++p; *p != '"'; p++)
				if (*p == '\0' || (*p == '\\' && *++p == '\0'))
					return 0;
		} else {
			for (v = p; (unsigned char)*p > ' ' && *p != 0x7f; p++)
				;
			if (p == v)
				return 0;
		}
		if (w != NULL)
			jw_member(w, s, (size_t)(v - s - 1 - quoted), v, p,
			    quoted ? TOK_QUOTED : TOK_BARE);
		if (quoted)
			p++;
		if (*p != ' ' && *p != '\0')
			return 0;
	}
	return *p == '\0';
}

/* Append a member of a C string read in mode m. */
static void
jw_string(struct jw *w, const char *key, const char *s, enum tok_mode m)
{
	jw_member(w, key, strlen(key), s, s + strlen(s), m);
}

size_t
log_json(char *out, size_t len, const char *ts, const char *level,
    const char *prog, const char *msg, const char *err)
{
	struct jw	 w;

	if (len < LOG_JSON_MIN) {
		if (len > 0)
			*out = '\0';
		return 0;
	}
	if (len > LOG_JSON_MAX)
		len = LOG_JSON_MAX;
	memset(&w, 0, sizeof w);
	w.buf = out;
	w.stop = len - JW_RESERVE;
	w.err = err != NULL;
	w.buf[w.n++] = '{';
	jw_string(&w, "ts", ts, TOK_RAW);
	jw_string(&w, "level", level, TOK_RAW);
	jw_string(&w, "prog", prog, TOK_RAW);
	if (form_walk(msg, NULL)) {
		w.line = 1;
		form_walk(msg, &w);
	} else
		jw_string(&w, "msg", msg, TOK_LINE);
	if (err != NULL) {
		w.err = 0;
		jw_string(&w, "error", err, TOK_RAW);
	}
	if (w.full) {
		if (w.members > 0)
			w.buf[w.n++] = ',';
		memcpy(w.buf + w.n, "\"truncated\":true", 16);
		w.n += 16;
	}
	w.buf[w.n++] = '}';
	w.buf[w.n] = '\0';
	return w.n;
}
