/*
 * fuzz_html.c: the HTML builder on arbitrary templates and values.
 *
 * Input: one byte of options (the size of html_escape()'s buffer), then
 * NUL-separated pieces: the template, then up to eight pairs of name and
 * value.  Whatever the input, no crash and:
 *  - the output is exactly what a second, plainly written renderer below
 *    gives (the same bytes, the same failed flag): values made valid UTF-8
 *    first, then escaped byte by byte;
 *  - without "{!" in the template, no < > " ' of the output comes from a
 *    value, and a valid template gives valid UTF-8 whatever the values;
 *  - html_escape() gives a prefix of the escaped value, cut at a boundary;
 *  - html_urlencode() keeps only unreserved characters and decodes back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "utf8.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NPAIRS	8

/* A growing string for the reference renderer. */
struct ref {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

static void
ref_add(struct ref *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		r->cap = 2 * (r->len + n + 1);
		r->s = xreallocarray(r->s, r->cap, 1);
	}
	memcpy(r->s + r->len, s, n);
	r->len += n;
	r->s[r->len] = '\0';
}

/* Escaping as specified: sanitize, then look at each byte. */
static void
ref_escape(struct ref *r, const char *value)
{
	char	*v = utf8_sanitize(value);
	size_t	 i;

	for (i = 0; v[i] != '\0'; i++) {
		unsigned char	 c = (unsigned char)v[i];

		if (c == '&')
			ref_add(r, "&amp;", 5);
		else if (c == '<')
			ref_add(r, "&lt;", 4);
		else if (c == '>')
			ref_add(r, "&gt;", 4);
		else if (c == '"')
			ref_add(r, "&quot;", 6);
		else if (c == '\'')
			ref_add(r, "&#39;", 5);
		else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    c == 0x7f)
			continue;
		else if (c == 0xc2 && (unsigned char)v[i + 1] >= 0x80 &&
		    (unsigned char)v[i + 1] <= 0x9f)
			i++;		/* a C1 control: both bytes */
		else
			ref_add(r, v + i, 1);
	}
	free(v);
}

/* The template rendered as html.h says, written independently. */
static void
ref_render(struct ref *r, const char *tpl, char *const *names,
    char *const *values, size_t n)
{
	static const char	 namechars[] =
	    "abcdefghijklmnopqrstuvwxyz0123456789_";
	const char		*p = tpl, *q, *end;
	size_t			 k, i;
	int			 raw;

	while (*p != '\0') {
		k = strcspn(p, "{}");
		ref_add(r, p, k);
		p += k;
		if (*p == '\0')
			break;
		if (p[1] == p[0]) {
			ref_add(r, p, 1);
			p += 2;
			continue;
		}
		if (*p == '}') {
			r->failed = 1;
			p++;
			continue;
		}
		raw = p[1] == '!';
		q = p + 1 + raw;
		k = strspn(q, namechars);
		end = strchr(p, '}');
		if (k < 1 || k > 32 || q[k] != '}') {
			r->failed = 1;
			p = end != NULL ? end + 1 : p + strlen(p);
			continue;
		}
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == k &&
			    memcmp(names[i], q, k) == 0)
				break;
		if (i == n)
			r->failed = 1;
		else if (raw)
			ref_add(r, values[i], strlen(values[i]));
		else
			ref_escape(r, values[i]);
		p = q + k + 1;
	}
}

static size_t
count_of(const char *s, size_t n, char c)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* html_escape() into a buffer of len: a prefix of the whole, valid. */
static void
check_escape(const char *value, size_t len)
{
	struct html	*h = html_new();
	const char	*whole;
	char		*buf = xmalloc(len + 1);
	size_t		 n;

	html_text(h, value);
	whole = html_data(h, NULL);
	html_escape(buf, len, value);
	n = strlen(buf);
	if (n >= len || strncmp(buf, whole, n) != 0 || !utf8_valid(buf, n))
		abort();
	/* a cut only where the next escaped character would not fit */
	if (whole[n] != '\0' && n + 6 < len)
		abort();
	free(buf);
	html_free(h);
}

/* html_urlencode(): unreserved bytes and %XX only, and back again. */
static void
check_urlencode(const char *value)
{
	char	*e = html_urlencode(value), *d, hex[3] = { 0 };
	size_t	 i, o = 0;

	d = xmalloc(strlen(e) + 1);
	for (i = 0; e[i] != '\0'; i++) {
		if (e[i] == '%') {
			if (!strchr("0123456789ABCDEF", e[i + 1]) ||
			    e[i + 1] == '\0' || e[i + 2] == '\0' ||
			    !strchr("0123456789ABCDEF", e[i + 2]))
				abort();
			hex[0] = e[i + 1];
			hex[1] = e[i + 2];
			d[o++] = (char)strtoul(hex, NULL, 16);
			i += 2;
		} else if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789-._~", e[i]) != NULL)
			d[o++] = e[i];
		else
			abort();
	}
	d[o] = '\0';
	if (strcmp(d, value) != 0)
		abort();
	free(d);
	free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html	*h;
	struct ref	 r = { NULL, 0, 0, 0 };
	char		*input, *tpl, *names[NPAIRS], *values[NPAIRS], *p, *end;
	const char	*out;
	size_t		 n = 0, len, i, esclen;
	const char	 special[] = "<>\"'";

	/* a longer input only makes a bigger page (every "{a}" of the
	 * template writes all of a's value) */
	if (size < 1 || size > 4096)
		return 0;
	esclen = data[0];
	input = xmalloc(size);
	memcpy(input, data + 1, size - 1);
	input[size - 1] = '\0';
	end = input + size - 1;
	tpl = input;
	p = tpl + strlen(tpl);
	while (n < NPAIRS && p < end) {
		names[n] = p + 1;
		p = names[n] + strlen(names[n]);
		if (p >= end)
			break;
		values[n] = p + 1;
		p = values[n] + strlen(values[n]);
		n++;
	}

	h = html_new();
	html_tplv(h, tpl, (const char *const *)names,
	    (const char *const *)values, n);
	out = html_data(h, &len);
	if (strlen(out) != len)
		abort();

	ref_add(&r, "", 0);
	ref_render(&r, tpl, names, values, n);
	if (r.len != len || memcmp(r.s, out, len) != 0 ||
	    r.failed != html_failed(h))
		abort();

	if (strstr(tpl, "{!") == NULL) {
		for (i = 0; special[i] != '\0'; i++)
			if (count_of(out, len, special[i]) >
			    count_of(tpl, strlen(tpl), special[i]))
				abort();
		if (utf8_valid(tpl, strlen(tpl)) && !utf8_valid(out, len))
			abort();
	}

	/* html_reset() forgets all */
	html_reset(h);
	if (html_failed(h) || html_data(h, &len)[0] != '\0' || len != 0)
		abort();

	for (i = 0; i < n; i++) {
		check_escape(values[i], esclen + 1);
		check_urlencode(values[i]);
	}
	check_escape(tpl, esclen + 1);
	check_urlencode(tpl);

	html_free(h);
	free(r.s);
	free(input);
	return 0;
}
