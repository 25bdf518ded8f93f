/*
 * smtp.c: the email channel plugin.
 *
 * Each message is one SMTP transaction run by libcurl on the daemon's multi
 * handle (host->curl_add).  The plugin keeps max_connections slots, each
 * with one easy handle reused message after message so that its connection
 * stays open; send() answers -1 while every slot is busy.  A message is a
 * curl_mime: our headers (From and To with RFC 2047 display names, Subject
 * in encoded-words, Date in UTC, a Message-ID derived from the outbox key,
 * Auto-Submitted) and one text/plain UTF-8 part in quoted-printable.
 *
 * The outcome comes from the last SMTP reply, captured with
 * CURLOPT_DEBUGFUNCTION together with the last command sent: a 5xx answer
 * to MAIL, RCPT or DATA fails the message; any other failure (4xx, 421,
 * connection, timeout, TLS, a 5xx to EHLO or AUTH) is retried.
 *
 * Logs name messages by id and replies by code: never an address, a subject
 * or a body.  Server replies handed to the host have their addresses
 * blanked.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "stoppvif_plugin.h"

#define SMTP_TIMEOUT_DEFAULT	30
#define SMTP_TIMEOUT_MAX	3600
#define SMTP_CONN_DEFAULT	8
#define SMTP_CONN_MAX		256
#define SMTP_PASSWORD_MAX	1024
#define SMTP_REPLY_MAX		256	/* kept of the server's last line */
#define SMTP_WORD_MAX		75	/* an RFC 2047 encoded-word */
#define SMTP_LINE_MAX		76	/* a line holding encoded-words */
#define SMTP_MSGID_MAX		200	/* of the encoded key, then hashed */

/* One transfer slot: an easy handle and the message it carries. */
struct smtp_slot {
	struct smtp		*sp;
	CURL			*easy;		/* made at first use, then kept */
	curl_mime		*mime;		/* of the message in flight */
	struct curl_slist	*headers;
	struct curl_slist	*rcpt;
	const struct sv_message	*msg;		/* in flight; NULL: idle */
	int			 txn;		/* last command MAIL/RCPT/DATA */
	int			 quit;		/* last command QUIT */
	char			 reply[SMTP_REPLY_MAX];	/* last reply line */
};

struct smtp {
	struct sv_host		*host;
	char			*url;		/* the EHLO name as its path */
	char			*from_addr;	/* MAIL FROM */
	char			*from_header;	/* "From: ..." */
	const char		*domain;	/* of from_addr: Message-IDs */
	char			*ca_file;
	char			*username;
	char			*password;
	long			 use_ssl;
	long			 timeout;
	int			 nslots;
	struct smtp_slot	*slots;
};

/* A growing string. */
struct smtp_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static const struct sv_host_api *smtp_api;

const struct sv_channel_ops *stoppvif_plugin_entry(const struct sv_host_api *);

/* -- strings ------------------------------------------------------------ */

static void *
smtp_xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		abort();
	return p;
}

static char *
smtp_xstrndup(const char *s, size_t n)
{
	char	*d;

	d = smtp_xrealloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static void
smtp_buf_add(struct smtp_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = smtp_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
smtp_buf_str(struct smtp_buf *b, const char *s)
{
	smtp_buf_add(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
smtp_buf_fmt(struct smtp_buf *b, const char *fmt, ...)
{
	char	 tmp[128];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		abort();	/* only short, fixed formats come here */
	smtp_buf_add(b, tmp, (size_t)n);
}

/* The column the next character lands on, counting from 0. */
static size_t
smtp_buf_col(const struct smtp_buf *b)
{
	size_t	 i;

	for (i = b->len; i > 0; i--)
		if (b->s[i - 1] == '\n')
			return b->len - i;
	return b->len;
}

static int
smtp_is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext. */
static int
smtp_is_atext(unsigned char c)
{
	return smtp_is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
	    c) != NULL);
}

/* Only printable ASCII, no control character, no 8-bit byte. */
static int
smtp_is_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* -- addresses ---------------------------------------------------------- */

/* A dot-atom local part (RFC 5321 without quoted strings), ASCII. */
static int
smtp_local_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !smtp_is_atext(s[i]))
			return 0;
	}
	return 1;
}

/* A host name of LDH labels, or an address literal "[...]". */
static int
smtp_domain_ok(const char *s, size_t n)
{
	size_t	 i, label = 0;

	if (n == 0 || n > 253)
		return 0;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return 0;
		for (i = 1; i < n - 1; i++)
			if (!smtp_is_alnum(s[i]) && s[i] != '.' && s[i] != ':')
				return 0;
		return 1;
	}
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if (smtp_is_alnum(s[i]) || (s[i] == '-' && label > 0))
			label++;
		else
			return 0;
	}
	return 1;
}

/* Whether addr is a plain local@domain address we can send to. */
static int
smtp_addr_ok(const char *addr)
{
	const char	*at;
	size_t		 n = strlen(addr);

	if (n > 254 || (at = strrchr(addr, '@')) == NULL)
		return 0;
	return smtp_local_ok(addr, (size_t)(at - addr)) &&
	    smtp_domain_ok(at + 1, n - (size_t)(at - addr) - 1);
}

/*
 * Split "Name <addr>", "\"Name\" <addr>", "<addr>" or "addr" into a display
 * name (NULL when none) and an address, both new strings.  Returns 0, or -1
 * when value is not one valid mailbox.
 */
static int
smtp_mailbox_parse(const char *value, char **name, char **addr)
{
	const char	*s = value, *e, *lt;
	size_t		 i, j, n;

	*name = *addr = NULL;
	for (e = value; *e != '\0'; e++)
		if ((unsigned char)*e < 0x20 || *e == 0x7f)
			return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e > s && e[-1] == '>') {
		for (lt = e - 1; lt > s && *lt != '<'; lt--)
			;
		if (*lt != '<')
			return -1;
		*addr = smtp_xstrndup(lt + 1, (size_t)(e - lt - 2));
		for (e = lt; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		n = (size_t)(e - s);
		if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
			*name = smtp_xstrndup(s + 1, n - 2);
			for (i = j = 0; (*name)[i] != '\0'; i++, j++) {
				if ((*name)[i] == '\\' && (*name)[i + 1] != '\0')
					i++;
				(*name)[j] = (*name)[i];
			}
			(*name)[j] = '\0';
		} else if (n > 0)
			*name = smtp_xstrndup(s, n);
	} else
		*addr = smtp_xstrndup(s, (size_t)(e - s));
	if (!smtp_addr_ok(*addr) || (*name != NULL && **name == '\0')) {
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
smtp_utf8_len(const unsigned char *p)
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

/*
 * Append text as RFC 2047 "Q" encoded-words in UTF-8, folded with CRLF SP
 * so that no word exceeds 75 characters nor a line 76, and no UTF-8
 * sequence is cut between two words.  Only letters, digits and "!*+-/" are
 * left as they are, which makes the words valid in a phrase too (RFC 2047
 * 5(3)); a space is "_".
 */
static void
smtp_encode_words(struct smtp_buf *b, const char *text)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)text;
	char			 chunk[16];
	size_t			 room, word, clen, n, i;

	if (smtp_buf_col(b) + 24 > SMTP_LINE_MAX)
		smtp_buf_str(b, "\r\n ");
	room = SMTP_LINE_MAX - smtp_buf_col(b);
	if (room > SMTP_WORD_MAX)
		room = SMTP_WORD_MAX;
	smtp_buf_str(b, "=?UTF-8?Q?");
	word = 10;
	while (*p != '\0') {
		clen = smtp_utf8_len(p);
		for (i = n = 0; i < clen; i++) {
			if (smtp_is_alnum(p[i]) || strchr("!*+-/", p[i]))
				chunk[n++] = (char)p[i];
			else if (p[i] == ' ')
				chunk[n++] = '_';
			else {
				chunk[n++] = '=';
				chunk[n++] = hex[p[i] >> 4];
				chunk[n++] = hex[p[i] & 0xf];
			}
		}
		if (word + n + 2 > room) {
			smtp_buf_str(b, "?=\r\n =?UTF-8?Q?");
			room = SMTP_WORD_MAX;
			word = 10;
		}
		smtp_buf_add(b, chunk, n);
		word += n;
		p += clen;
	}
	smtp_buf_str(b, "?=");
}

/* Append a display name: an atom phrase, a quoted string or encoded-words. */
static void
smtp_phrase(struct smtp_buf *b, const char *name)
{
	const char	*p;
	int		 atoms = 1;

	if (!smtp_is_printable(name) || strstr(name, "=?") != NULL ||
	    strlen(name) > 900) {
		smtp_encode_words(b, name);
		return;
	}
	for (p = name; *p != '\0'; p++)
		if (!smtp_is_atext(*p) && *p != ' ')
			atoms = 0;
	if (atoms && name[0] != ' ' && p[-1] != ' ') {
		smtp_buf_str(b, name);
		return;
	}
	smtp_buf_str(b, "\"");
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			smtp_buf_str(b, "\\");
		smtp_buf_add(b, p, 1);
	}
	smtp_buf_str(b, "\"");
}

/* Append "Name <addr>", or the bare address without a name. */
static void
smtp_mailbox(struct smtp_buf *b, const char *name, const char *addr)
{
	if (name == NULL || *name == '\0') {
		smtp_buf_str(b, addr);
		return;
	}
	smtp_phrase(b, name);
	if (smtp_buf_col(b) + strlen(addr) + 3 > 78)
		smtp_buf_str(b, "\r\n");
	smtp_buf_str(b, " <");
	smtp_buf_str(b, addr);
	smtp_buf_str(b, ">");
}

/* Append an RFC 5322 date in UTC, locale-free. */
static void
smtp_date(struct smtp_buf *b, int64_t created)
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
	smtp_buf_fmt(b, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* FNV-1a, 64 bits, from a given basis: for over-long keys only. */
static uint64_t
smtp_fnv(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * Append the Message-ID's left part, a dot-atom that is a function of the
 * key alone, one-to-one: letters, digits, '-' and '_' stay, a '/' becomes
 * '.' (when that keeps a valid dot-atom), every other byte is %XX.  Over
 * SMTP_MSGID_MAX characters, the tail is replaced by two 64-bit hashes.
 */
static void
smtp_msgid_key(struct smtp_buf *b, const char *key)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*k = (const unsigned char *)key;
	size_t			 start = b->len, i;

	for (i = 0; k[i] != '\0'; i++) {
		if (smtp_is_alnum(k[i]) || k[i] == '-' || k[i] == '_')
			smtp_buf_add(b, (const char *)&k[i], 1);
		else if (k[i] == '/' && i > 0 && k[i - 1] != '/' &&
		    k[i + 1] != '\0')
			smtp_buf_str(b, ".");
		else
			smtp_buf_fmt(b, "%%%c%c", hex[k[i] >> 4],
			    hex[k[i] & 0xf]);
	}
	if (b->len - start <= SMTP_MSGID_MAX)
		return;
	b->len = start + SMTP_MSGID_MAX - 40;
	if (b->s[b->len - 1] == '%')
		b->len -= 1;
	else if (b->s[b->len - 2] == '%')
		b->len -= 2;
	while (b->s[b->len - 1] == '.')
		b->len--;
	b->s[b->len] = '\0';
	smtp_buf_fmt(b, ".%016llx%016llx",
	    (unsigned long long)smtp_fnv(key, 0xcbf29ce484222325ULL),
	    (unsigned long long)smtp_fnv(key, 0x84222325cbf29ce4ULL));
}

static struct curl_slist *
smtp_slist_add(struct curl_slist *l, const char *s)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(l, s)) == NULL)
		abort();
	return n;
}

/* The message's header lines, for CURLOPT_HTTPHEADER. */
static struct curl_slist *
smtp_headers(struct smtp *sp, const struct sv_message *msg)
{
	struct curl_slist	*l;
	struct smtp_buf		 b = { NULL, 0, 0 };
	const char		*subject = msg->subject;

	l = smtp_slist_add(NULL, sp->from_header);
	smtp_buf_str(&b, "To: ");
	smtp_mailbox(&b, msg->to_name, msg->to);
	l = smtp_slist_add(l, b.s);
	if (subject != NULL) {
		b.len = 0;
		smtp_buf_str(&b, "Subject: ");
		if (smtp_is_printable(subject) && strstr(subject, "=?") ==
		    NULL && b.len + strlen(subject) <= 78)
			smtp_buf_str(&b, subject);
		else if (*subject != '\0')
			smtp_encode_words(&b, subject);
		l = smtp_slist_add(l, b.s);
	}
	b.len = 0;
	smtp_buf_str(&b, "Date: ");
	smtp_date(&b, msg->created);
	l = smtp_slist_add(l, b.s);
	b.len = 0;
	smtp_buf_str(&b, "Message-ID: <");
	if (msg->key != NULL && *msg->key != '\0')
		smtp_msgid_key(&b, msg->key);
	else
		smtp_buf_fmt(&b, "id.%lld", (long long)msg->id);
	smtp_buf_str(&b, "@");
	smtp_buf_str(&b, sp->domain);
	smtp_buf_str(&b, ">");
	l = smtp_slist_add(l, b.s);
	l = smtp_slist_add(l, "MIME-Version: 1.0");
	l = smtp_slist_add(l, "Auto-Submitted: auto-generated");
	free(b.s);
	return l;
}

/* The body with every line ending made CRLF, so that QP keeps the lines. */
static char *
smtp_body(const char *body)
{
	struct smtp_buf	 b = { NULL, 0, 0 };
	const char	*p;

	smtp_buf_add(&b, "", 0);
	for (p = body != NULL ? body : ""; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\r' || *p == '\n')
			smtp_buf_str(&b, "\r\n");
		else
			smtp_buf_add(&b, p, 1);
	}
	return b.s;
}

/* -- transfers ---------------------------------------------------------- */

/*
 * curl's protocol trace: keep the server's last reply line and whether the
 * last command sent belongs to the mail transaction.  The QUIT that closes
 * a connection after a failure is not the answer we want: replies to it
 * are skipped.  Only the verb of a command is looked at (AUTH lines carry
 * credentials).
 */
static int
smtp_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct smtp_slot	*slot = arg;
	size_t			 n;

	if (type == CURLINFO_HEADER_IN && !slot->quit) {
		while (size > 0 && (data[size - 1] == '\n' ||
		    data[size - 1] == '\r'))
			size--;
		n = size < sizeof slot->reply ? size : sizeof slot->reply - 1;
		memcpy(slot->reply, data, n);
		slot->reply[n] = '\0';
	} else if (type == CURLINFO_HEADER_OUT && size >= 4) {
		slot->quit = strncmp(data, "QUIT", 4) == 0;
		if (!slot->quit)
			slot->txn = size >= 5 && (strncmp(data, "MAIL ", 5) == 0 ||
			    strncmp(data, "RCPT ", 5) == 0 ||
			    strncmp(data, "DATA\r", 5) == 0 ||
			    strncmp(data, "DATA\n", 5) == 0);
	}
	return 0;
}

/* An easy handle with everything that does not change between messages. */
static CURL *
smtp_easy_new(struct smtp *sp, struct smtp_slot *slot)
{
	CURL		*e;
	CURLcode	 rc = CURLE_OK;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
#define SET(opt, val) do {						\
	if (rc == CURLE_OK)						\
		rc = curl_easy_setopt(e, opt, val);			\
} while (0)
	SET(CURLOPT_URL, sp->url);
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_MAIL_FROM, sp->from_addr);
	SET(CURLOPT_USE_SSL, sp->use_ssl);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (sp->ca_file != NULL)
		SET(CURLOPT_CAINFO, sp->ca_file);
	if (sp->username != NULL) {
		SET(CURLOPT_USERNAME, sp->username);
		SET(CURLOPT_PASSWORD, sp->password);
		SET(CURLOPT_SASL_IR, 1L);	/* AUTH PLAIN in one round */
	}
	SET(CURLOPT_TIMEOUT, sp->timeout);
	SET(CURLOPT_CONNECTTIMEOUT, sp->timeout);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_DEBUGFUNCTION, smtp_debug);
	SET(CURLOPT_DEBUGDATA, slot);
	SET(CURLOPT_VERBOSE, 1L);
#undef SET
	if (rc != CURLE_OK) {
		smtp_api->log(sp->host, SV_LOG_WARN, "smtp setup curl=%d "
		    "error=\"%s\"", (int)rc, curl_easy_strerror(rc));
		curl_easy_cleanup(e);
		return NULL;
	}
	return e;
}

/* Drop what belongs to the message of a slot; the slot is idle after. */
static void
smtp_slot_clear(struct smtp_slot *slot)
{
	if (slot->easy != NULL) {
		curl_easy_setopt(slot->easy, CURLOPT_MIMEPOST, NULL);
		curl_easy_setopt(slot->easy, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(slot->easy, CURLOPT_MAIL_RCPT, NULL);
	}
	curl_mime_free(slot->mime);
	curl_slist_free_all(slot->headers);
	curl_slist_free_all(slot->rcpt);
	slot->mime = NULL;
	slot->headers = slot->rcpt = NULL;
	slot->msg = NULL;
}

/* Set the slot's easy handle up for msg.  Returns 0 or -1. */
static int
smtp_prepare(struct smtp_slot *slot, const struct sv_message *msg)
{
	curl_mimepart	*part;
	CURLcode	 rc;
	char		*body;

	slot->headers = smtp_headers(slot->sp, msg);
	slot->rcpt = smtp_slist_add(NULL, msg->to);
	if ((slot->mime = curl_mime_init(slot->easy)) == NULL ||
	    (part = curl_mime_addpart(slot->mime)) == NULL)
		return -1;
	body = smtp_body(msg->body);
	rc = curl_mime_data(part, body, CURL_ZERO_TERMINATED);
	free(body);
	if (rc == CURLE_OK)
		rc = curl_mime_type(part, "text/plain; charset=UTF-8");
	if (rc == CURLE_OK)
		rc = curl_mime_encoder(part, "quoted-printable");
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_MAIL_RCPT, slot->rcpt);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_HTTPHEADER,
		    slot->headers);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_MIMEPOST, slot->mime);
	slot->txn = slot->quit = 0;
	slot->reply[0] = '\0';
	return rc == CURLE_OK ? 0 : -1;
}

/* The code of a reply line, 0 when it does not start with one. */
static long
smtp_reply_code(const char *line)
{
	if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9' ||
	    (line[3] != ' ' && line[3] != '-' && line[3] != '\0'))
		return 0;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

/*
 * What became of a message.  Permanent only when the server refused the
 * transaction itself with a 5xx (MAIL, RCPT or DATA); a 5xx at the greeting,
 * EHLO, STARTTLS or AUTH, and 530/535 (authentication), are the
 * configuration's or the server's fault: retried.
 */
static enum sv_outcome
smtp_outcome(CURLcode result, long code, int txn)
{
	if (result == CURLE_OK)
		return SV_SENT;
	if (code >= 500 && code <= 599 && txn && code != 530 && code != 535)
		return SV_FAILED;
	return SV_RETRY;
}

/*
 * The reply for the outbox: the server's line when it tells the outcome
 * (tokens holding an '@' blanked, other than printable ASCII replaced),
 * else curl's description of the error.
 */
static void
smtp_reply_text(char *out, size_t size, const char *line, CURLcode result,
    long code)
{
	const char	*p, *tok;
	size_t		 n = 0, len;

	if (line[0] == '\0' || (result != CURLE_OK && code < 400)) {
		if (result == CURLE_OK)
			snprintf(out, size, "250");
		else
			snprintf(out, size, "curl: %s",
			    curl_easy_strerror(result));
		return;
	}
	for (p = line; *p != '\0' && n + 1 < size; ) {
		tok = p;
		while (*p != '\0' && *p != ' ')
			p++;
		len = (size_t)(p - tok);
		if (memchr(tok, '@', len) != NULL) {
			tok = tok[len - 1] == ':' ? "<address>:" : "<address>";
			len = strlen(tok);
		}
		for (; len > 0 && n + 1 < size; len--, tok++)
			out[n++] = (*tok >= 0x20 && *tok < 0x7f) ? *tok : '?';
		if (*p == ' ' && n + 1 < size)
			out[n++] = *p++;
	}
	out[n] = '\0';
}

/* A transfer ended: tell the host, the slot free again. */
static void
smtp_done(void *arg, CURL *easy, CURLcode result)
{
	struct smtp_slot	*slot = arg;
	struct smtp		*sp = slot->sp;
	const struct sv_message	*msg = slot->msg;
	enum sv_outcome		 outcome;
	char			 reply[SMTP_REPLY_MAX];
	long			 code;

	if ((code = smtp_reply_code(slot->reply)) == 0)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	outcome = smtp_outcome(result, code, slot->txn);
	smtp_reply_text(reply, sizeof reply, slot->reply, result, code);
	smtp_slot_clear(slot);
	if (outcome == SV_SENT)
		smtp_api->log(sp->host, SV_LOG_DEBUG, "smtp sent msg=%lld "
		    "code=%ld", (long long)msg->id, code);
	else
		smtp_api->log(sp->host, outcome == SV_FAILED ? SV_LOG_WARN :
		    SV_LOG_INFO, "smtp %s msg=%lld code=%ld curl=%d "
		    "error=\"%s\"", outcome == SV_FAILED ? "failed" : "retry",
		    (long long)msg->id, code, (int)result,
		    curl_easy_strerror(result));
	smtp_api->complete(sp->host, msg, outcome, reply);
}

/* -- channel operations ------------------------------------------------- */

/*
 * Take msg into an idle slot and start its transfer.  A recipient that is
 * no address fails at once (complete() from here); -1 while every slot is
 * busy or curl cannot take the transfer.
 */
static int
smtp_send(void *ctx, const struct sv_message *msg)
{
	struct smtp		*sp = ctx;
	struct smtp_slot	*slot = NULL;
	int			 i;

	if (msg->to == NULL || !smtp_addr_ok(msg->to)) {
		smtp_api->log(sp->host, SV_LOG_WARN, "smtp failed msg=%lld "
		    "reason=bad_address", (long long)msg->id);
		smtp_api->complete(sp->host, msg, SV_FAILED,
		    "invalid recipient address");
		return 0;
	}
	for (i = 0; i < sp->nslots && slot == NULL; i++)
		if (sp->slots[i].msg == NULL)
			slot = &sp->slots[i];
	if (slot == NULL)
		return -1;
	if (slot->easy == NULL && (slot->easy = smtp_easy_new(sp, slot)) ==
	    NULL)
		return -1;
	if (smtp_prepare(slot, msg) == -1) {
		smtp_slot_clear(slot);
		smtp_api->log(sp->host, SV_LOG_WARN, "smtp setup msg=%lld "
		    "error=mime", (long long)msg->id);
		return -1;
	}
	slot->msg = msg;
	if (smtp_api->curl_add(sp->host, slot->easy, smtp_done, slot) == -1) {
		smtp_slot_clear(slot);
		return -1;
	}
	smtp_api->log(sp->host, SV_LOG_DEBUG, "smtp start msg=%lld slot=%d",
	    (long long)msg->id, (int)(slot - sp->slots));
	return 0;
}

/* Free the context; transfers in flight are aborted, not completed. */
static void
smtp_free(struct smtp *sp)
{
	int	 i;

	for (i = 0; i < sp->nslots; i++) {
		/* Takes an easy handle still in flight off the multi handle. */
		if (sp->slots[i].easy != NULL)
			curl_easy_cleanup(sp->slots[i].easy);
		sp->slots[i].easy = NULL;
		smtp_slot_clear(&sp->slots[i]);
	}
	free(sp->slots);
	if (sp->password != NULL)
		explicit_bzero(sp->password, strlen(sp->password));
	free(sp->password);
	free(sp->username);
	free(sp->ca_file);
	free(sp->from_addr);
	free(sp->from_header);
	free(sp->url);
	free(sp);
}

static void
smtp_shutdown(void *ctx)
{
	if (ctx != NULL)
		smtp_free(ctx);
}

/* -- configuration ------------------------------------------------------ */

/* A decimal integer in [min, max], or def when absent.  Returns 0 or -1. */
static int
smtp_conf_long(struct smtp *sp, const char *key, const char *value,
    long def, long min, long max, long *out)
{
	char	*end;
	long	 v;

	*out = def;
	if (value == NULL)
		return 0;
	errno = 0;
	v = strtol(value, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		smtp_api->conf_error(sp->host, key, "must be a whole number "
		    "from %ld to %ld", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* A host name fit for EHLO: LDH labels or an address literal. */
static int
smtp_helo_ok(const char *s)
{
	return smtp_domain_ok(s, strlen(s));
}

/* Whether the URL has that part (for the path: other than "/"). */
static int
smtp_url_has(CURLU *u, CURLUPart what)
{
	char	*part = NULL;
	int	 has;

	has = curl_url_get(u, what, &part, 0) == CURLUE_OK && *part != '\0' &&
	    (what != CURLUPART_PATH || strcmp(part, "/") != 0);
	curl_free(part);
	return has;
}

/* What is wrong with a parsed url, or NULL; *smtps tells the scheme. */
static const char *
smtp_url_check(CURLU *u, int *smtps)
{
	char	*scheme = NULL;
	int	 known;

	known = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "smtp") == 0 || strcmp(scheme, "smtps") == 0);
	*smtps = known && strcmp(scheme, "smtps") == 0;
	curl_free(scheme);
	if (!known)
		return "the scheme must be smtp:// or smtps://";
	if (!smtp_url_has(u, CURLUPART_HOST))
		return "no host";
	if (smtp_url_has(u, CURLUPART_USER) ||
	    smtp_url_has(u, CURLUPART_PASSWORD))
		return "no credentials in the URL: use username and "
		    "password_file";
	if (smtp_url_has(u, CURLUPART_QUERY) ||
	    smtp_url_has(u, CURLUPART_FRAGMENT))
		return "no query or fragment";
	if (smtp_url_has(u, CURLUPART_PATH))
		return "no path: the EHLO name is set with helo";
	return NULL;
}

/*
 * Check url (smtp:// or smtps://, a host and a port, nothing else) and keep
 * it with the EHLO name as its path: helo, else this host's name when it is
 * a valid one.  *smtps tells the scheme.  Returns 0 or -1.
 */
static int
smtp_conf_url(struct smtp *sp, const char *value, const char *helo,
    int *smtps)
{
	CURLU		*u;
	char		*url = NULL, *path, name[256];
	const char	*why;

	*smtps = 0;
	if (value == NULL) {
		smtp_api->conf_error(sp->host, "url", "missing: "
		    "smtp://HOST:PORT or smtps://HOST:PORT");
		return -1;
	}
	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, value, 0) != CURLUE_OK)
		why = "not a URL: smtp://HOST:PORT or smtps://HOST:PORT";
	else
		why = smtp_url_check(u, smtps);
	if (why != NULL) {
		smtp_api->conf_error(sp->host, "url", "%s", why);
		curl_url_cleanup(u);
		return -1;
	}
	if (helo == NULL && gethostname(name, sizeof name) == 0 &&
	    memchr(name, '\0', sizeof name) != NULL && smtp_helo_ok(name))
		helo = name;
	if (helo != NULL) {
		if (asprintf(&path, "/%s", helo) == -1)
			abort();
		curl_url_set(u, CURLUPART_PATH, path, 0);
		free(path);
	}
	if (curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		abort();
	sp->url = smtp_xstrndup(url, strlen(url));
	curl_free(url);
	curl_url_cleanup(u);
	return 0;
}

/* Check from and keep the address and the From header line. */
static int
smtp_conf_from(struct smtp *sp, const char *value)
{
	struct smtp_buf	 b = { NULL, 0, 0 };
	char		*name;

	if (value == NULL) {
		smtp_api->conf_error(sp->host, "from", "missing: "
		    "\"Name <address>\" or an address");
		return -1;
	}
	if (smtp_mailbox_parse(value, &name, &sp->from_addr) == -1) {
		smtp_api->conf_error(sp->host, "from", "not a valid address: "
		    "\"Name <local@domain>\" or local@domain");
		return -1;
	}
	sp->domain = strrchr(sp->from_addr, '@') + 1;
	smtp_buf_str(&b, "From: ");
	smtp_mailbox(&b, name, sp->from_addr);
	sp->from_header = b.s;
	free(name);
	return 0;
}

/* tls against the scheme: the CURLOPT_USE_SSL value.  Returns 0 or -1. */
static int
smtp_conf_tls(struct smtp *sp, const char *value, int smtps)
{
	if (value == NULL || strcmp(value, "required") == 0)
		sp->use_ssl = CURLUSESSL_ALL;
	else if (strcmp(value, "opportunistic") == 0)
		sp->use_ssl = smtps ? CURLUSESSL_ALL : CURLUSESSL_TRY;
	else if (strcmp(value, "none") == 0) {
		if (smtps) {
			smtp_api->conf_error(sp->host, "tls", "none contradicts "
			    "an smtps:// url (TLS from the first byte)");
			return -1;
		}
		sp->use_ssl = CURLUSESSL_NONE;
	} else {
		smtp_api->conf_error(sp->host, "tls", "must be required, "
		    "opportunistic or none");
		return -1;
	}
	return 0;
}

/*
 * Open a file named by key for reading through host->path; a regular file.
 * Returns the descriptor and *st, or -1 after reporting.
 */
static int
smtp_conf_open(struct smtp *sp, const char *key, const char *value,
    char **path, struct stat *st)
{
	int	 fd;

	*path = smtp_api->path(sp->host, value);
	if (*path == NULL)
		abort();
	if ((fd = open(*path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		smtp_api->conf_error(sp->host, key, "%s: %s", *path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		smtp_api->conf_error(sp->host, key, "%s: not a regular file",
		    *path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Read the password: one line, private to its owner and group. */
static int
smtp_conf_password(struct smtp *sp, const char *value)
{
	struct stat	 st;
	char		 buf[SMTP_PASSWORD_MAX + 2], *path;
	const char	*why = NULL;
	ssize_t		 r;
	size_t		 n = 0;
	int		 fd;

	if ((fd = smtp_conf_open(sp, "password_file", value, &path,
	    &st)) == -1) {
		free(path);
		return -1;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH))
		why = "readable or writable by others: chmod o-rw";
	while (why == NULL && n < sizeof buf &&
	    (r = read(fd, buf + n, sizeof buf - n)) != 0) {
		if (r == -1 && errno != EINTR)
			why = strerror(errno);
		else if (r > 0)
			n += (size_t)r;
	}
	close(fd);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (why == NULL && n > SMTP_PASSWORD_MAX)
		why = "too long";
	else if (why == NULL && n == 0)
		why = "empty";
	else if (why == NULL && (memchr(buf, '\0', n) != NULL ||
	    memchr(buf, '\n', n) != NULL || memchr(buf, '\r', n) != NULL))
		why = "must hold the password alone on one line";
	if (why == NULL)
		sp->password = smtp_xstrndup(buf, n);
	else
		smtp_api->conf_error(sp->host, "password_file", "%s: %s",
		    path, why);
	explicit_bzero(buf, sizeof buf);
	free(path);
	return why == NULL ? 0 : -1;
}

/* username and password_file: both or neither, over TLS only. */
static int
smtp_conf_auth(struct smtp *sp, const char *user, const char *pwfile,
    int tls_ok)
{
	if (user == NULL && pwfile == NULL)
		return 0;
	if (user == NULL) {
		smtp_api->conf_error(sp->host, "password_file", "set without "
		    "username");
		return -1;
	}
	if (pwfile == NULL) {
		smtp_api->conf_error(sp->host, "username", "set without "
		    "password_file (the password is never in this file)");
		return -1;
	}
	if (*user == '\0' || !smtp_is_printable(user)) {
		smtp_api->conf_error(sp->host, "username", "empty or with "
		    "control characters");
		return -1;
	}
	if (smtp_conf_password(sp, pwfile) == -1)
		return -1;
	if (!tls_ok) {
		smtp_api->conf_error(sp->host, "tls", "must be required with "
		    "username: the password would cross the network in clear");
		return -1;
	}
	sp->username = smtp_xstrndup(user, strlen(user));
	return 0;
}

/* The CA bundle: readable.  Returns 0 or -1. */
static int
smtp_conf_ca(struct smtp *sp, const char *value)
{
	struct stat	 st;
	char		*path;
	int		 fd;

	if (value == NULL)
		return 0;
	if ((fd = smtp_conf_open(sp, "ca_file", value, &path, &st)) == -1) {
		free(path);
		return -1;
	}
	close(fd);
	sp->ca_file = path;
	return 0;
}

/*
 * Read and check the section, reporting every problem found (not only the
 * first).  Opens no connection either way: easy handles are made by the
 * first send() of each slot.
 */
static void *
smtp_init(struct sv_host *host, int check_only)
{
	struct smtp	*sp;
	const char	*url, *from, *tls, *ca, *user, *pwfile, *tmo, *maxc,
			*helo;
	long		 nslots;
	int		 bad = 0, smtps = 0;

	/* Ask for every key first, so that none is reported unknown. */
	url = smtp_api->conf(host, "url");
	from = smtp_api->conf(host, "from");
	tls = smtp_api->conf(host, "tls");
	ca = smtp_api->conf(host, "ca_file");
	user = smtp_api->conf(host, "username");
	pwfile = smtp_api->conf(host, "password_file");
	tmo = smtp_api->conf(host, "timeout");
	maxc = smtp_api->conf(host, "max_connections");
	helo = smtp_api->conf(host, "helo");

	sp = smtp_xrealloc(NULL, sizeof *sp);
	memset(sp, 0, sizeof *sp);
	sp->host = host;
	if (helo != NULL && !smtp_helo_ok(helo)) {
		smtp_api->conf_error(host, "helo", "not a host name");
		bad = 1;
		helo = NULL;
	}
	bad |= smtp_conf_url(sp, url, helo, &smtps) == -1;
	bad |= smtp_conf_from(sp, from) == -1;
	bad |= smtp_conf_tls(sp, tls, smtps) == -1;
	bad |= smtp_conf_ca(sp, ca) == -1;
	bad |= smtp_conf_auth(sp, user, pwfile,
	    smtps || sp->use_ssl == CURLUSESSL_ALL) == -1;
	bad |= smtp_conf_long(sp, "timeout", tmo, SMTP_TIMEOUT_DEFAULT, 1,
	    SMTP_TIMEOUT_MAX, &sp->timeout) == -1;
	bad |= smtp_conf_long(sp, "max_connections", maxc, SMTP_CONN_DEFAULT,
	    1, SMTP_CONN_MAX, &nslots) == -1;
	if (bad) {
		smtp_free(sp);
		return NULL;
	}
	sp->nslots = (int)nslots;
	sp->slots = smtp_xrealloc(NULL, (size_t)nslots * sizeof *sp->slots);
	memset(sp->slots, 0, (size_t)nslots * sizeof *sp->slots);
	for (nslots = 0; nslots < sp->nslots; nslots++)
		sp->slots[nslots].sp = sp;
	if (!check_only)
		smtp_api->log(host, SV_LOG_DEBUG, "smtp ready slots=%d "
		    "timeout=%ld", sp->nslots, sp->timeout);
	return sp;
}

static const struct sv_channel_ops smtp_ops = {
	SV_PLUGIN_ABI, "smtp", smtp_init, smtp_send, smtp_shutdown,
};

const struct sv_channel_ops *
stoppvif_plugin_entry(const struct sv_host_api *host)
{
	if (host == NULL || host->abi != SV_PLUGIN_ABI)
		return NULL;
	smtp_api = host;
	return &smtp_ops;
}
