/*
 * html.c: the web console's HTML builder (html.h).  A growing buffer, a
 * template reader that escapes every "{name}" and writes "{!name}" as it
 * is, and the escaping itself: one character at a time, so that a value is
 * always valid UTF-8 and can never open a tag or close an attribute.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "utf8.h"
#include "util.h"

/* The longest name between braces. */
#define HTML_NAME_MAX	32
/* Pairs html_tpl() keeps on the stack; more go to the heap. */
#define HTML_PAIRS	16
/* The longest escaped form of one character ("&quot;"). */
#define HTML_ESC_MAX	8

struct html {
	char	*buf;		/* always NUL-terminated */
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

struct html *
html_new(void)
{
	struct html	*h = xcalloc(1, sizeof *h);

	h->cap = 256;
	h->buf = xmalloc(h->cap);
	h->buf[0] = '\0';
	return h;
}

void
html_free(struct html *h)
{
	if (h == NULL)
		return;
	free(h->buf);
	free(h);
}

void
html_reset(struct html *h)
{
	h->len = 0;
	h->buf[0] = '\0';
	h->failed = 0;
}

/* Append n bytes of s, growing the buffer by doubling. */
static void
html_put(struct html *h, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (n >= h->cap - h->len) {
		while (n >= h->cap - h->len)
			h->cap = h->cap <= SIZE_MAX / 2 ? h->cap * 2 :
			    h->len + n + 1;
		h->buf = xreallocarray(h->buf, h->cap, 1);
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

/*
 * The escaped form of the character at s (n > 0 bytes left) into out (of
 * HTML_ESC_MAX bytes): its length in out, and in *used the bytes of s it
 * took.  A byte that starts no valid character becomes U+FFFD; control
 * characters (C0 but tab, newline and carriage return; DEL; C1) give
 * nothing.
 */
static size_t
html_esc_char(const char *s, size_t n, char *out, size_t *used)
{
	const char	*ent = NULL;
	uint32_t	 c;
	size_t		 k;

	k = utf8_decode((const unsigned char *)s, n, &c);
	*used = k;
	if (c == UTF8_BAD)
		return utf8_encode(0xfffd, out);
	switch (c) {
	case '&':
		ent = "&amp;";
		break;
	case '<':
		ent = "&lt;";
		break;
	case '>':
		ent = "&gt;";
		break;
	case '"':
		ent = "&quot;";
		break;
	case '\'':
		ent = "&#39;";
		break;
	case '\t':
	case '\n':
	case '\r':
		break;
	default:
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			return 0;
		break;
	}
	if (ent != NULL) {
		k = strlen(ent);
		memcpy(out, ent, k);
		return k;
	}
	memcpy(out, s, k);
	return k;
}

/* Append text escaped. */
static void
html_put_escaped(struct html *h, const char *text)
{
	char	 out[HTML_ESC_MAX];
	size_t	 n = strlen(text), i, k, used;

	for (i = 0; i < n; i += used) {
		k = html_esc_char(text + i, n - i, out, &used);
		html_put(h, out, k);
	}
}

/* Whether c may be in a name: [a-z0-9_]. */
static int
html_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The value given for the n bytes of name: the first pair that names it.
 * Returns 0 and sets *value (maybe NULL), or -1 when no pair names it. */
static int
html_lookup(const char *name, size_t n, const char *const *names,
    const char *const *values, size_t count, const char **value)
{
	size_t	 i;

	for (i = 0; i < count; i++) {
		if (names[i] != NULL && strncmp(names[i], name, n) == 0 &&
		    names[i][n] == '\0') {
			*value = values[i];
			return 0;
		}
	}
	return -1;
}

/*
 * Write the "{...}" at tpl (tpl[0] == '{', not "{{"): the value of its
 * name, escaped or raw.  A malformed one is skipped to its "}" (or to the
 * end) and marks h failed.  Returns the bytes of tpl it took.
 */
static size_t
html_subst(struct html *h, const char *tpl, const char *const *names,
    const char *const *values, size_t count)
{
	const char	*name, *value;
	size_t		 i = 1, n;
	int		 raw = 0;

	if (tpl[i] == '!') {
		raw = 1;
		i++;
	}
	name = tpl + i;
	for (n = 0; n <= HTML_NAME_MAX && html_namechar(name[n]); n++)
		;
	if (n == 0 || n > HTML_NAME_MAX || name[n] != '}' ||
	    html_lookup(name, n, names, values, count, &value) == -1) {
		h->failed = 1;
		for (i = 1; tpl[i] != '\0' && tpl[i] != '}'; i++)
			;
		return tpl[i] == '}' ? i + 1 : i;
	}
	if (value != NULL) {
		if (raw)
			html_put(h, value, strlen(value));
		else
			html_put_escaped(h, value);
	}
	return i + n + 1;
}

void
html_tplv(struct html *h, const char *tpl, const char *const *names,
    const char *const *values, size_t n)
{
	size_t	 i = 0, start;

	if (tpl == NULL) {
		h->failed = 1;
		return;
	}
	while (tpl[i] != '\0') {
		start = i;
		while (tpl[i] != '\0' && tpl[i] != '{' && tpl[i] != '}')
			i++;
		html_put(h, tpl + start, i - start);
		if (tpl[i] == '\0')
			break;
		if (tpl[i] == tpl[i + 1]) {	/* "{{" or "}}" */
			html_put(h, tpl + i, 1);
			i += 2;
		} else if (tpl[i] == '}') {	/* a stray "}" */
			h->failed = 1;
			i++;
		} else
			i += html_subst(h, tpl + i, names, values, n);
	}
}

void
html_tpl(struct html *h, const char *tpl, ...)
{
	const char	 *snames[HTML_PAIRS], *svalues[HTML_PAIRS];
	const char	**names = snames, **values = svalues, *name;
	va_list		  ap;
	size_t		  n = 0, i;

	va_start(ap, tpl);
	while ((name = va_arg(ap, const char *)) != NULL) {
		(void)va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
	if (n > HTML_PAIRS) {
		names = xreallocarray(NULL, n, sizeof *names);
		values = xreallocarray(NULL, n, sizeof *values);
	}
	va_start(ap, tpl);
	for (i = 0; i < n; i++) {
		names[i] = va_arg(ap, const char *);
		values[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	html_tplv(h, tpl, names, values, n);
	if (names != snames) {
		free(names);
		free(values);
	}
}

void
html_text(struct html *h, const char *text)
{
	if (text != NULL)
		html_put_escaped(h, text);
}

void
html_raw(struct html *h, const char *s)
{
	if (s != NULL)
		html_put(h, s, strlen(s));
}

void
html_int(struct html *h, int64_t v)
{
	char	 buf[32];
	int	 n;

	n = snprintf(buf, sizeof buf, "%" PRId64, v);
	html_put(h, buf, (size_t)n);
}

const char *
html_data(const struct html *h, size_t *len)
{
	if (len != NULL)
		*len = h->len;
	return h->buf;
}

int
html_failed(const struct html *h)
{
	return h->failed;
}

const char *
html_escape(char *buf, size_t len, const char *text)
{
	char	 out[HTML_ESC_MAX];
	size_t	 n, i, k, o = 0, used;

	if (len == 0)
		return buf;
	n = text != NULL ? strlen(text) : 0;
	for (i = 0; i < n; i += used) {
		k = html_esc_char(text + i, n - i, out, &used);
		if (k >= len - o)
			break;
		memcpy(buf + o, out, k);
		o += k;
	}
	buf[o] = '\0';
	return buf;
}

char *
html_urlencode(const char *text)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 n, i, o = 0;
	char			*out;

	if (text == NULL)
		text = "";
	p = (const unsigned char *)text;
	n = strlen(text);
	out = xmalloc(3 * n + 1);

	for (i = 0; i < n; i++) {
		if ((p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' ||
		    p[i] == '.' || p[i] == '_' || p[i] == '~')
			out[o++] = (char)p[i];
		else {
			out[o++] = '%';
			out[o++] = hex[p[i] >> 4];
			out[o++] = hex[p[i] & 0xf];
		}
	}
	out[o] = '\0';
	return out;
}
