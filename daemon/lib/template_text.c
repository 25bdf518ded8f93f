/*
 * template_text.c: the text rules of the templates.  Values are cleaned
 * before they are inserted (a byte that starts no character becomes '?')
 * and subjects and SMS texts flattened to one line; SMS texts are counted
 * in GSM 03.38 segments, and spelled without their accents when that makes
 * them GSM-7.  The words that may not reach a phone are guard.c's.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "template_int.h"
#include "utf8.h"
#include "util.h"

/* SMS sizes (GSM 03.38, 3GPP TS 23.040): one message alone, and a part of
 * a concatenated one, in GSM-7 septets or in UCS-2 units. */
#define GSM7_SINGLE	160
#define GSM7_PART	153
#define UCS2_SINGLE	70
#define UCS2_PART	67

/* ---- growing strings ---- */

void
template_tbuf_add(struct tbuf *b, const char *p, size_t n)
{
	size_t	 cap;

	if (n == 0 && b->s != NULL)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap < 64 ? 64 : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* The string built so far, handed over (never NULL). */
char *
template_tbuf_take(struct tbuf *b)
{
	char	*s = b->s != NULL ? b->s : xstrdup("");

	memset(b, 0, sizeof *b);
	return s;
}

/* ---- values and one-line texts ---- */

static void
u8_add(struct tbuf *b, uint32_t c)
{
	char	 e[4];

	template_tbuf_add(b, e, utf8_encode(c, e));
}

/* Whether c separates words on one line (spaces, controls, separators). */
static int
u8_space(uint32_t c)
{
	return c <= 0x20 || c == 0x7f || (c >= 0x80 && c <= 0xa0) ||
	    c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Whether c is invisible and can be dropped (zero-width, BOM). */
static int
u8_invisible(uint32_t c)
{
	return (c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff;
}

/* A value from the params, made safe to insert (new string): invalid bytes
 * become '?', controls and line breaks spaces, the ends trimmed. */
char *
template_clean_value(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct tbuf		 b = { NULL, 0, 0 };
	size_t			 n = strlen(s), i, k;
	uint32_t		 c;
	char			*t;

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD)
			c = '?';
		else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0x2028 || c == 0x2029)
			c = ' ';
		u8_add(&b, c);
	}
	t = template_tbuf_take(&b);
	for (n = strlen(t); n > 0 && t[n - 1] == ' '; n--)
		;
	for (i = 0; i < n && t[i] == ' '; i++)
		;
	memmove(t, t + i, n - i);
	t[n - i] = '\0';
	return t;
}

/* s on one line (new string): every run of spaces, controls and line
 * breaks becomes one space, invisible characters go, the ends trimmed. */
char *
template_one_line(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct tbuf		 b = { NULL, 0, 0 };
	size_t			 n = strlen(s), i, k;
	uint32_t		 c;
	int			 space = 0;

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD)
			c = '?';
		if (u8_space(c)) {
			space = b.len > 0;
			continue;
		}
		if (u8_invisible(c))
			continue;
		if (space)
			template_tbuf_add(&b, " ", 1);
		space = 0;
		u8_add(&b, c);
	}
	return template_tbuf_take(&b);
}

/* ---- SMS: GSM 03.38 ---- */

/* Septets c takes in the GSM-7 default alphabet: 1, 2 (extension table),
 * or 0 when it is not there. */
static int
gsm_septets(uint32_t c)
{
	static const uint16_t	 basic[] = {
		0xa3, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0xd8, 0xf8,
		0xc5, 0xe5, 0x394, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8,
		0x3a3, 0x398, 0x39e, 0xc6, 0xe6, 0xdf, 0xc9, 0xa4, 0xa1, 0xc4,
		0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0,
	};
	size_t			 i;

	if (c == '\n' || c == '\r')
		return 1;
	if (c == '\f' || c == 0x20ac)
		return 2;
	if (c < 0x80) {
		if (c < 0x20 || c == 0x7f || c == '`')
			return 0;
		return strchr("^{}\\[~]|", (int)c) != NULL ? 2 : 1;
	}
	for (i = 0; i < sizeof basic / sizeof basic[0]; i++)
		if (basic[i] == c)
			return 1;
	return 0;
}

/* The UCS-2 units c takes: 2 beyond U+FFFF (a surrogate pair), else 1. */
static int
ucs2_units(uint32_t c)
{
	return c != UTF8_BAD && c > 0xffff ? 2 : 1;
}

/* Whether every character of text is in GSM-7. */
static int
gsm_only(const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 n = strlen(text), i, k;
	uint32_t		 c;

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD || gsm_septets(c) == 0)
			return 0;
	}
	return 1;
}

int
template_sms_segments(const char *text)
{
	const unsigned char	*p;
	size_t			 n, i, k, total = 0, used = 0;
	uint32_t		 c;
	int			 gsm, w, parts = 1;
	size_t			 single, part;

	if (text == NULL)
		text = "";
	p = (const unsigned char *)text;
	n = strlen(text);
	gsm = gsm_only(text);
	single = gsm ? GSM7_SINGLE : UCS2_SINGLE;
	part = gsm ? GSM7_PART : UCS2_PART;
	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		total += (size_t)(gsm ? gsm_septets(c) : ucs2_units(c));
	}
	if (total <= single)
		return 1;
	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		w = gsm ? gsm_septets(c) : ucs2_units(c);
		if (used + (size_t)w > part) {
			if (parts == INT_MAX)
				return INT_MAX;
			parts++;
			used = 0;
		}
		used += (size_t)w;
	}
	return parts;
}

/* The GSM-7 spelling of a character outside it (in one[2] or static), or
 * NULL. */
static const char *
gsm_translit(uint32_t c, char one[2])
{
	/* From LATIN1_FIRST to U+00FF; '.' is kept (in GSM-7, or no
	 * spelling). */
	enum { LATIN1_FIRST = 0xc0, LATIN1_LAST = 0xff };
	static const char	 latin1[] =
	    "AAAA....E.EEIIIID.OOOO.x.UUU.Y...aaa...c..eeiiiid..ooo....uu.y.y";
	static const struct {
		uint32_t	 c;
		const char	*to;
	} other[] = {
		{ '`', "'" }, { 0x152, "OE" }, { 0x153, "oe" }, { 0x178, "Y" },
		{ 0x2010, "-" }, { 0x2011, "-" }, { 0x2013, "-" },
		{ 0x2014, "-" }, { 0x2212, "-" }, { 0x2018, "'" },
		{ 0x2019, "'" }, { 0x201a, "'" }, { 0x2032, "'" },
		{ 0x201c, "\"" }, { 0x201d, "\"" }, { 0x201e, "\"" },
		{ 0xab, "\"" }, { 0xbb, "\"" }, { 0x2026, "..." },
	};
	size_t			 i;

	_Static_assert(sizeof latin1 == LATIN1_LAST - LATIN1_FIRST + 2,
	    "U+00C0..U+00FF");
	if (c >= LATIN1_FIRST && c <= LATIN1_LAST &&
	    latin1[c - LATIN1_FIRST] != '.') {
		one[0] = latin1[c - LATIN1_FIRST];
		one[1] = '\0';
		return one;
	}
	for (i = 0; i < sizeof other / sizeof other[0]; i++)
		if (other[i].c == c)
			return other[i].to;
	return NULL;
}

/* An SMS text in GSM-7 when spelling its accents plainly gets it there
 * (one 160-septet SMS instead of 70 UCS-2 characters); else as it is.
 * Takes s, returns a new string. */
char *
template_sms_gsm(char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct tbuf		 b = { NULL, 0, 0 };
	size_t			 n = strlen(s), i, k;
	uint32_t		 c;
	const char		*to;
	char			*t, one[2];

	if (gsm_only(s))
		return s;
	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c != UTF8_BAD && gsm_septets(c) == 0 &&
		    (to = gsm_translit(c, one)) != NULL)
			template_tbuf_add(&b, to, strlen(to));
		else
			template_tbuf_add(&b, s + i, k);
	}
	t = template_tbuf_take(&b);
	if (!gsm_only(t)) {
		free(t);
		return s;
	}
	free(s);
	return t;
}
