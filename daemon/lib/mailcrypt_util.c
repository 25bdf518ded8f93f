/*
 * mailcrypt_util.c: the small things both kinds of mailcrypt need
 * (mailcrypt_int.h): a growing buffer that can be wiped, address
 * comparison, quoting of text read from a key file, dates, randomness.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "mailcrypt.h"
#include "mailcrypt_int.h"
#include "utf8.h"
#include "util.h"

#define MAILCRYPT_BUF_MIN	256

void
mailcrypt_buf_add(struct mailcrypt_buf *b, const void *p, size_t n)
{
	size_t	 cap;
	char	*s;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap < MAILCRYPT_BUF_MIN ? MAILCRYPT_BUF_MIN : b->cap;
		while (cap < b->len + n + 1)
			cap *= 2;
		/* not realloc: the old bytes may be plaintext, wipe them */
		s = xmalloc(cap);
		if (b->len > 0)
			memcpy(s, b->s, b->len);
		if (b->s != NULL)
			OPENSSL_clear_free(b->s, b->cap);
		b->s = s;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
mailcrypt_buf_str(struct mailcrypt_buf *b, const char *s)
{
	mailcrypt_buf_add(b, s, strlen(s));
}

void
mailcrypt_buf_crlf(struct mailcrypt_buf *b, const char *s, size_t n)
{
	size_t	 i, start = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\r' && s[i] != '\n')
			continue;
		mailcrypt_buf_add(b, s + start, i - start);
		mailcrypt_buf_add(b, "\r\n", 2);
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	mailcrypt_buf_add(b, s + start, n - start);
}

void
mailcrypt_buf_wipe(struct mailcrypt_buf *b)
{
	if (b->s != NULL)
		OPENSSL_clear_free(b->s, b->cap);
	b->s = NULL;
	b->len = b->cap = 0;
}

static int
mailcrypt_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
mailcrypt_addr_eq(const char *s, size_t n, const char *addr)
{
	size_t	 i;

	if (strlen(addr) != n || n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (mailcrypt_lower((unsigned char)s[i]) !=
		    mailcrypt_lower((unsigned char)addr[i]))
			return 0;
	return 1;
}

int
mailcrypt_uid_has(const char *s, const char *addr)
{
	const char	*lt, *gt;

	if (mailcrypt_addr_eq(s, strlen(s), addr))
		return 1;
	for (lt = strchr(s, '<'); lt != NULL; lt = strchr(lt + 1, '<')) {
		if ((gt = strchr(lt, '>')) == NULL)
			break;
		if (mailcrypt_addr_eq(lt + 1, (size_t)(gt - lt - 1), addr))
			return 1;
	}
	return 0;
}

/* Whether a person would not see cp, or it would break the line: controls,
 * line separators, direction marks and overrides. */
static int
mailcrypt_hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x61c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == UTF8_BAD;
}

char *
mailcrypt_quote(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*clean, *out;
	size_t			 i, k, o = 0;
	uint32_t		 cp;

	clean = xmalloc(3 * n + 1);
	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &cp);
		if (mailcrypt_hidden(cp))
			o += utf8_encode(0xfffd, clean + o);
		else {
			memcpy(clean + o, s + i, k);
			o += k;
		}
	}
	clean[o] = '\0';
	out = xstrdup(UTF8_CUT(clean, MAILCRYPT_QUOTE_MAX));
	free(clean);
	return out;
}

const char *
mailcrypt_date(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		util_strlcpy(buf, "?", len);
	else
		strftime(buf, len, "%d/%m/%Y", &tm);
	return buf;
}

int
mailcrypt_random_hex(char *out, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[64];
	size_t			 i;

	if (n > sizeof r || RAND_bytes(r, (int)n) != 1)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[r[i] >> 4];
		out[2 * i + 1] = hex[r[i] & 0xf];
	}
	out[2 * n] = '\0';
	return 0;
}
