/*
 * utf8.c: decode, check and cut UTF-8 (utf8.h).  Pure code, shared by the
 * daemon and the client.
 */
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	 c = s[0], min;
	size_t		 len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else
		goto bad;
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = UTF8_BAD;
	return 1;
}

size_t
utf8_encode(uint32_t c, char *e)
{
	if (c < 0x80) {
		e[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		e[0] = (char)(0xc0 | c >> 6);
		e[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		e[0] = (char)(0xe0 | c >> 12);
		e[1] = (char)(0x80 | (c >> 6 & 0x3f));
		e[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	e[0] = (char)(0xf0 | c >> 18);
	e[1] = (char)(0x80 | (c >> 12 & 0x3f));
	e[2] = (char)(0x80 | (c >> 6 & 0x3f));
	e[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k;
	uint32_t		 c;

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD || c == 0)
			return 0;
	}
	return 1;
}

size_t
utf8_len(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i, count = 0;
	uint32_t		 c;

	for (i = 0; i < n; count++)
		i += utf8_decode(p + i, n - i, &c);
	return count;
}

const char *
utf8_cut(char *buf, size_t len, const char *s, size_t max)
{
	static const char	 ellipsis[] = "\xe2\x80\xa6";	/* … */
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0, o = 0, k, count;
	uint32_t		 c;

	for (count = 0; i < n; count++, i += k) {
		k = utf8_decode(p + i, n - i, &c);
		/* room for this character, then "…" and the NUL */
		if (count == max || o + (c == UTF8_BAD ? 1 : k) +
		    sizeof ellipsis > len)
			break;
		if (c == UTF8_BAD)
			buf[o++] = '?';
		else {
			memcpy(buf + o, s + i, k);
			o += k;
		}
	}
	if (i < n) {
		memcpy(buf + o, ellipsis, sizeof ellipsis - 1);
		o += sizeof ellipsis - 1;
	}
	buf[o] = '\0';
	return buf;
}

char *
utf8_sanitize(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i, k, o = 0;
	uint32_t		 c;
	char			*out = xmalloc(3 * n + 1);

	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD)
			o += utf8_encode(0xfffd, out + o);
		else {
			memcpy(out + o, s + i, k);
			o += k;
		}
	}
	out[o] = '\0';
	return out;
}
