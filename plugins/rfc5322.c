/*
 * rfc5322.c: the email message writer of the smtp plugin (rfc5322.h).
 *
 * Addresses are checked as RFC 5321 dot-atoms at a host name; display
 * names are written as an atom phrase, a quoted string or RFC 2047 "Q"
 * encoded-words in UTF-8, and so is a subject that is not plain ASCII;
 * lines are folded before 78 columns where a field allows it.  The Date
 * is UTC and locale-free; the Message-ID is a function of the outbox key
 * alone, so that a message sent twice carries the same one.  The body is
 * one text/plain UTF-8 part, its line ends made CRLF for quoted-printable.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rfc5322.h"

#define RFC5322_LOCAL_MAX	64	/* octets of a local part */
#define RFC5322_DOMAIN_MAX	253	/* of a domain */
#define RFC5322_LABEL_MAX	63	/* of one of its labels */
#define RFC5322_ADDR_MAX	254	/* of a whole address */
#define RFC5322_LINE		78	/* columns a line should keep to */
#define RFC5322_WORD_MAX	75	/* an RFC 2047 encoded-word */
#define RFC5322_WORD_LINE	76	/* a line holding encoded-words */
#define RFC5322_WORD_ROOM	24	/* columns to start one on a line */
#define RFC5322_PHRASE_MAX	900	/* a longer name is encoded */
#define RFC5322_MSGID_MAX	200	/* of the encoded key, then hashed */
#define RFC5322_MSGID_HASH	40	/* room kept for the two hashes */

/* FNV-1a, 64 bits: the prime, and the two bases hashed from. */
#define RFC5322_FNV_PRIME	0x100000001b3ULL
#define RFC5322_FNV_BASIS	0xcbf29ce484222325ULL
#define RFC5322_FNV_BASIS2	0x84222325cbf29ce4ULL

/* An encoded-word opens and closes with these. */
static const char	 rfc5322_word_open[] = "=?UTF-8?Q?";
#define RFC5322_OPEN_LEN	(sizeof rfc5322_word_open - 1)
static const char	 rfc5322_word_close[] = "?=";
#define RFC5322_CLOSE_LEN	(sizeof rfc5322_word_close - 1)

static const char	 rfc5322_hex[] = "0123456789ABCDEF";

/* A growing string. */
struct rfc5322_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* -- strings ------------------------------------------------------------ */

void *
rfc5322_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		abort();
	return p;
}

char *
rfc5322_xstrndup(const char *s, size_t n)
{
	char	*d;

	d = rfc5322_xrealloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void
rfc5322_buf_add(struct rfc5322_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = rfc5322_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
rfc5322_buf_str(struct rfc5322_buf *b, const char *s)
{
	rfc5322_buf_add(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
rfc5322_buf_fmt(struct rfc5322_buf *b, const char *fmt, ...)
{
	char	 tmp[128];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		abort();	/* only short, fixed formats come here */
	rfc5322_buf_add(b, tmp, (size_t)n);
}

/* The column the next character lands on, counting from 0. */
static size_t
rfc5322_buf_col(const struct rfc5322_buf *b)
{
	size_t	 i;

	for (i = b->len; i > 0; i--)
		if (b->s[i - 1] == '\n')
			return b->len - i;
	return b->len;
}

static int
rfc5322_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext. */
static int
rfc5322_is_atext(unsigned char c)
{
	return rfc5322_is_alnum(c) || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

int
rfc5322_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* -- addresses ---------------------------------------------------------- */

/* A dot-atom local part (RFC 5321 without quoted strings), ASCII. */
static int
rfc5322_local_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > RFC5322_LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !rfc5322_is_atext(s[i]))
			return 0;
	}
	return 1;
}

/* An address literal "[...]": letters, digits, dots and colons. */
static int
rfc5322_literal_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n < 3 || s[n - 1] != ']')
		return 0;
	for (i = 1; i < n - 1; i++)
		if (!rfc5322_is_alnum(s[i]) && s[i] != '.' && s[i] != ':')
			return 0;
	return 1;
}

int
rfc5322_domain_ok(const char *s, size_t n)
{
	size_t	 i, label = 0;

	if (n == 0 || n > RFC5322_DOMAIN_MAX)
		return 0;
	if (s[0] == '[')
		return rfc5322_literal_ok(s, n);
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > RFC5322_LABEL_MAX ||
			    s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (rfc5322_is_alnum(s[i]) || (s[i] == '-' && label > 0))
			label++;
		else
			return 0;
	}
	return 1;
}

int
rfc5322_addr_ok(const char *addr)
{
	const char	*at;
	size_t		 n = strlen(addr);

	if (n > RFC5322_ADDR_MAX || (at = strrchr(addr, '@')) == NULL)
		return 0;
	return rfc5322_local_ok(addr, (size_t)(at - addr)) &&
	    rfc5322_domain_ok(at + 1, n - (size_t)(at - addr) - 1);
}

/* The quoted string of n bytes at s, its quotes and escapes removed (new
 * string). */
static char *
rfc5322_unquote(const char *s, size_t n)
{
	char	*name = rfc5322_xstrndup(s + 1, n - 2);
	size_t	 i, j;

	for (i = j = 0; name[i] != '\0'; i++, j++) {
		if (name[i] == '\\' && name[i + 1] != '\0')
			i++;
		name[j] = name[i];
	}
	name[j] = '\0';
	return name;
}

/*
 * Split the mailbox [s, e), blanks trimmed and ending with '>', into its
 * display name (NULL when none) and the address between the angle
 * brackets.  -1 when there is no '<'.
 */
static int
rfc5322_angle_split(const char *s, const char *e, char **name, char **addr)
{
	const char	*lt;
	size_t		 n;

	for (lt = e - 1; lt > s && *lt != '<'; lt--)
		;
	if (*lt != '<')
		return -1;
	*addr = rfc5322_xstrndup(lt + 1, (size_t)(e - lt - 2));
	for (e = lt; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	n = (size_t)(e - s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		*name = rfc5322_unquote(s, n);
	else if (n > 0)
		*name = rfc5322_xstrndup(s, n);
	return 0;
}

int
rfc5322_mailbox_parse(const char *value, char **name, char **addr)
{
	const char	*s = value, *e;

	*name = *addr = NULL;
	for (e = value; *e != '\0'; e++)
		if ((unsigned char)*e < 0x20 || *e == 0x7f)
			return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e > s && e[-1] == '>') {
		if (rfc5322_angle_split(s, e, name, addr) == -1)
			return -1;
	} else
		*addr = rfc5322_xstrndup(s, (size_t)(e - s));
	if (!rfc5322_addr_ok(*addr) || (*name != NULL && **name == '\0')) {
		free(*name);
		free(*addr);
		*name = *addr = NULL;
		return -1;
	}
	return 0;
}

/* -- header encoding ---------------------------------------------------- */

/* The length of the UTF-8 sequence at p; 1 for a byte that starts none. */
static size_t
rfc5322_utf8_len(const unsigned char *p)
{
	size_t	 n, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 1;
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* The character of clen bytes at p in "Q" encoding, into chunk (at least
 * 3 bytes each); returns the bytes written. */
static size_t
rfc5322_q_char(const unsigned char *p, size_t clen, char *chunk)
{
	size_t	 i, n = 0;

	for (i = 0; i < clen; i++) {
		if (rfc5322_is_alnum(p[i]) || strchr("!*+-/", p[i]))
			chunk[n++] = (char)p[i];
		else if (p[i] == ' ')
			chunk[n++] = '_';
		else {
			chunk[n++] = '=';
			chunk[n++] = rfc5322_hex[p[i] >> 4];
			chunk[n++] = rfc5322_hex[p[i] & 0xf];
		}
	}
	return n;
}

/*
 * Append text as RFC 2047 "Q" encoded-words in UTF-8, folded with CRLF SP
 * so that no word exceeds 75 characters nor a line 76, and no UTF-8
 * sequence is cut between two words.  Only letters, digits and "!*+-/" are
 * left as they are, which makes the words valid in a phrase too (RFC 2047
 * 5(3)); a space is "_".
 */
static void
rfc5322_encode_words(struct rfc5322_buf *b, const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;
	char			 chunk[16];
	size_t			 room, word, clen, n;

	if (rfc5322_buf_col(b) + RFC5322_WORD_ROOM > RFC5322_WORD_LINE)
		rfc5322_buf_str(b, "\r\n ");
	room = RFC5322_WORD_LINE - rfc5322_buf_col(b);
	if (room > RFC5322_WORD_MAX)
		room = RFC5322_WORD_MAX;
	rfc5322_buf_str(b, rfc5322_word_open);
	word = RFC5322_OPEN_LEN;
	while (*p != '\0') {
		clen = rfc5322_utf8_len(p);
		n = rfc5322_q_char(p, clen, chunk);
		if (word + n + RFC5322_CLOSE_LEN > room) {
			rfc5322_buf_str(b, rfc5322_word_close);
			rfc5322_buf_str(b, "\r\n ");
			rfc5322_buf_str(b, rfc5322_word_open);
			room = RFC5322_WORD_MAX;
			word = RFC5322_OPEN_LEN;
		}
		rfc5322_buf_add(b, chunk, n);
		word += n;
		p += clen;
	}
	rfc5322_buf_str(b, rfc5322_word_close);
}

/* Append a display name: an atom phrase, a quoted string or encoded-words. */
static void
rfc5322_phrase(struct rfc5322_buf *b, const char *name)
{
	const char	*p;
	int		 atoms = 1;

	if (!rfc5322_printable(name) || strstr(name, "=?") != NULL ||
	    strlen(name) > RFC5322_PHRASE_MAX) {
		rfc5322_encode_words(b, name);
		return;
	}
	for (p = name; *p != '\0'; p++)
		if (!rfc5322_is_atext(*p) && *p != ' ')
			atoms = 0;
	if (atoms && name[0] != ' ' && p[-1] != ' ') {
		rfc5322_buf_str(b, name);
		return;
	}
	rfc5322_buf_str(b, "\"");
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			rfc5322_buf_str(b, "\\");
		rfc5322_buf_add(b, p, 1);
	}
	rfc5322_buf_str(b, "\"");
}

/* Append "Name <addr>", or the bare address without a name. */
static void
rfc5322_mailbox(struct rfc5322_buf *b, const char *name, const char *addr)
{
	if (name == NULL || *name == '\0') {
		rfc5322_buf_str(b, addr);
		return;
	}
	rfc5322_phrase(b, name);
	if (rfc5322_buf_col(b) + strlen(" <>") + strlen(addr) > RFC5322_LINE)
		rfc5322_buf_str(b, "\r\n");
	rfc5322_buf_str(b, " <");
	rfc5322_buf_str(b, addr);
	rfc5322_buf_str(b, ">");
}

/* Append the subject: as it is when plain ASCII that fits, else encoded. */
static void
rfc5322_subject(struct rfc5322_buf *b, const char *subject)
{
	if (rfc5322_printable(subject) && strstr(subject, "=?") == NULL &&
	    b->len + strlen(subject) <= RFC5322_LINE)
		rfc5322_buf_str(b, subject);
	else if (*subject != '\0')
		rfc5322_encode_words(b, subject);
}

/* Append an RFC 5322 date in UTC, locale-free. */
static void
rfc5322_date(struct rfc5322_buf *b, int64_t created)
{
	static const char	 days[7][4] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char	 months[12][4] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		 tm;
	time_t			 t = created > 0 ? (time_t)created : time(NULL);

	if (gmtime_r(&t, &tm) == NULL) {
		t = time(NULL);
		gmtime_r(&t, &tm);
	}
	rfc5322_buf_fmt(b, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* FNV-1a, 64 bits, from a given basis: for over-long keys only. */
static uint64_t
rfc5322_fnv(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= RFC5322_FNV_PRIME;
	}
	return h;
}

/*
 * Cut the Message-ID's left part, begun at start, and end it with two
 * 64-bit hashes of the whole key: never inside a %XX, never on a dot.
 */
static void
rfc5322_msgid_hash(struct rfc5322_buf *b, size_t start, const char *key)
{
	b->len = start + RFC5322_MSGID_MAX - RFC5322_MSGID_HASH;
	if (b->s[b->len - 1] == '%')
		b->len -= 1;
	else if (b->s[b->len - 2] == '%')
		b->len -= 2;
	while (b->s[b->len - 1] == '.')
		b->len--;
	b->s[b->len] = '\0';
	rfc5322_buf_fmt(b, ".%016llx%016llx",
	    (unsigned long long)rfc5322_fnv(key, RFC5322_FNV_BASIS),
	    (unsigned long long)rfc5322_fnv(key, RFC5322_FNV_BASIS2));
}

/*
 * Append the Message-ID's left part, a dot-atom that is a function of the
 * key alone, one-to-one: letters, digits, '-' and '_' stay, a '/' becomes
 * '.' (when that keeps a valid dot-atom), every other byte is %XX.  Over
 * RFC5322_MSGID_MAX characters, the tail is replaced by two 64-bit hashes.
 */
static void
rfc5322_msgid_key(struct rfc5322_buf *b, const char *key)
{
	const unsigned char	*k = (const unsigned char *)key;
	size_t			 start = b->len, i;

	for (i = 0; k[i] != '\0'; i++) {
		if (rfc5322_is_alnum(k[i]) || k[i] == '-' || k[i] == '_')
			rfc5322_buf_add(b, (const char *)&k[i], 1);
		else if (k[i] == '/' && i > 0 && k[i - 1] != '/' &&
		    k[i + 1] != '\0')
			rfc5322_buf_str(b, ".");
		else
			rfc5322_buf_fmt(b, "%%%c%c", rfc5322_hex[k[i] >> 4],
			    rfc5322_hex[k[i] & 0xf]);
	}
	if (b->len - start > RFC5322_MSGID_MAX)
		rfc5322_msgid_hash(b, start, key);
}

/* Append the Message-ID, "<left@domain>", at the domain of from_addr. */
static void
rfc5322_msgid(struct rfc5322_buf *b, const struct rfc5322_msg *msg)
{
	rfc5322_buf_str(b, "<");
	if (msg->key != NULL && *msg->key != '\0')
		rfc5322_msgid_key(b, msg->key);
	else
		rfc5322_buf_fmt(b, "id.%lld", (long long)msg->id);
	rfc5322_buf_str(b, "@");
	rfc5322_buf_str(b, strrchr(msg->from_addr, '@') + 1);
	rfc5322_buf_str(b, ">");
}

/* Start field name in b, empty. */
static void
rfc5322_field(struct rfc5322_buf *b, const char *name)
{
	memset(b, 0, sizeof *b);
	rfc5322_buf_str(b, name);
	rfc5322_buf_str(b, ": ");
}

size_t
rfc5322_header(const struct rfc5322_msg *msg,
    char *fields[RFC5322_FIELDS_MAX])
{
	struct rfc5322_buf	 b;
	size_t			 n = 0;

	rfc5322_field(&b, "From");
	rfc5322_mailbox(&b, msg->from_name, msg->from_addr);
	fields[n++] = b.s;
	rfc5322_field(&b, "To");
	rfc5322_mailbox(&b, msg->to_name, msg->to_addr);
	fields[n++] = b.s;
	if (msg->subject != NULL) {
		rfc5322_field(&b, "Subject");
		rfc5322_subject(&b, msg->subject);
		fields[n++] = b.s;
	}
	rfc5322_field(&b, "Date");
	rfc5322_date(&b, msg->date);
	fields[n++] = b.s;
	rfc5322_field(&b, "Message-ID");
	rfc5322_msgid(&b, msg);
	fields[n++] = b.s;
	rfc5322_field(&b, "MIME-Version");
	rfc5322_buf_str(&b, "1.0");
	fields[n++] = b.s;
	rfc5322_field(&b, "Auto-Submitted");
	rfc5322_buf_str(&b, "auto-generated");
	fields[n++] = b.s;
	return n;
}

char *
rfc5322_body(const char *body)
{
	struct rfc5322_buf	 b = { NULL, 0, 0 };
	const char		*p;

	rfc5322_buf_add(&b, "", 0);
	for (p = body != NULL ? body : ""; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\r' || *p == '\n')
			rfc5322_buf_str(&b, "\r\n");
		else
			rfc5322_buf_add(&b, p, 1);
	}
	return b.s;
}
