/*
 * smtp.c: the email channel plugin, the SMTP transport.
 *
 * Each message is one SMTP transaction run by libcurl on the daemon's multi
 * handle (host->curl_add).  The plugin keeps max_connections slots, each
 * with one easy handle reused message after message so that its connection
 * stays open; send() answers -1 while every slot is busy.  A message is a
 * curl_mime of the header and the body that rfc5322.c writes (From and To
 * with RFC 2047 display names, Subject in encoded-words, Date in UTC, a
 * Message-ID derived from the outbox key, Auto-Submitted; one text/plain
 * UTF-8 part in quoted-printable).  An email the host wants encrypted
 * (msg->encrypt) is built whole instead, its part in 8bit, handed to the
 * host's encrypt() and the answer uploaded as it is (libcurl dot-stuffs
 * it): only the neutral header of the wrapped message travels in clear.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "policy.h"
#include "rfc5322.h"
#include "stoppvif_plugin.h"

#define SMTP_TIMEOUT_DEFAULT	30
#define SMTP_TIMEOUT_MAX	3600
#define SMTP_CONN_DEFAULT	8
#define SMTP_CONN_MAX		256
#define SMTP_PASSWORD_MAX	1024
#define SMTP_REPLY_MAX		256	/* kept of the server's last line */
#define SMTP_HOST_MAX		256	/* this host's name, for EHLO */

/* Replies: a code of three digits, then ' ', '-' or the end. */
#define SMTP_CODE_LEN		3
#define SMTP_VERB_LEN		4	/* of a command: MAIL, QUIT... */
#define SMTP_AUTH_REQUIRED	530
#define SMTP_AUTH_FAILED	535

/* One transfer slot: an easy handle and the message it carries. */
struct smtp_slot {
	struct smtp		*sp;
	CURL			*easy;		/* made at first use, then kept */
	curl_mime		*mime;		/* of the message in flight */
	char			*data;		/* or its encrypted bytes */
	size_t			 len, off;
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
	char			*from_name;	/* its display name, or NULL */
	char			*ca_file;
	char			*username;
	char			*password;
	long			 use_ssl;
	long			 timeout;
	int			 nslots;
	struct smtp_slot	*slots;
};

static const struct sv_host_api *smtp_api;

const struct sv_channel_ops *stoppvif_plugin_entry(const struct sv_host_api *);

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
	struct rfc5322_msg	 m;
	struct curl_slist	*l = NULL;
	char			*fields[RFC5322_FIELDS_MAX];
	size_t			 i, n;

	memset(&m, 0, sizeof m);
	m.from_name = sp->from_name;
	m.from_addr = sp->from_addr;
	m.to_name = msg->to_name;
	m.to_addr = msg->to;
	m.subject = msg->subject;
	m.date = msg->created;
	m.key = msg->key;
	m.id = msg->id;
	n = rfc5322_header(&m, fields);
	for (i = 0; i < n; i++) {
		l = smtp_slist_add(l, fields[i]);
		free(fields[i]);
	}
	return l;
}

/* Append n bytes at p to the string *s of *len bytes (NUL-terminated). */
static void
smtp_cat(char **s, size_t *len, const char *p, size_t n)
{
	*s = rfc5322_xrealloc(*s, *len + n + 1);
	memcpy(*s + *len, p, n);
	*len += n;
	(*s)[*len] = '\0';
}

/*
 * The complete message of msg in clear, for the host to encrypt: the
 * header fields of rfc5322.c and one text/plain part in 8bit (it travels
 * inside the ciphertext, which is 7-bit).  A new string of *len bytes.
 */
static char *
smtp_plain(struct smtp *sp, const struct sv_message *msg, size_t *len)
{
	static const char	 part[] = "Content-Type: " RFC5322_BODY_TYPE
	    "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
	struct curl_slist	*l = smtp_headers(sp, msg), *f;
	char			*s = NULL, *body;

	*len = 0;
	for (f = l; f != NULL; f = f->next) {
		smtp_cat(&s, len, f->data, strlen(f->data));
		smtp_cat(&s, len, "\r\n", 2);
	}
	curl_slist_free_all(l);
	smtp_cat(&s, len, part, sizeof part - 1);
	body = rfc5322_body(msg->body);
	smtp_cat(&s, len, body, strlen(body));
	if (*len < 2 || memcmp(s + *len - 2, "\r\n", 2) != 0)
		smtp_cat(&s, len, "\r\n", 2);
	explicit_bzero(body, strlen(body));
	free(body);
	return s;
}

/* curl reads the encrypted message of a slot from here. */
static size_t
smtp_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_slot	*slot = arg;
	size_t			 n = size * nitems;

	if (n > slot->len - slot->off)
		n = slot->len - slot->off;
	memcpy(buf, slot->data + slot->off, n);
	slot->off += n;
	return n;
}

/* -- transfers ---------------------------------------------------------- */

/* Whether the command of size bytes at data begins with verb. */
static int
smtp_verb(const char *data, size_t size, const char *verb)
{
	size_t	 n = strlen(verb);

	return size >= n && strncmp(data, verb, n) == 0;
}

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
	} else if (type == CURLINFO_HEADER_OUT && size >= SMTP_VERB_LEN) {
		slot->quit = smtp_verb(data, size, "QUIT");
		if (!slot->quit)
			slot->txn = smtp_verb(data, size, "MAIL ") ||
			    smtp_verb(data, size, "RCPT ") ||
			    smtp_verb(data, size, "DATA\r") ||
			    smtp_verb(data, size, "DATA\n");
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
		smtp_api->log(sp->host, SV_LOG_WARN, "setup_failed curl=%d "
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
		curl_easy_setopt(slot->easy, CURLOPT_UPLOAD, 0L);
		curl_easy_setopt(slot->easy, CURLOPT_READDATA, NULL);
	}
	curl_mime_free(slot->mime);
	free(slot->data);
	slot->data = NULL;
	slot->len = slot->off = 0;
	curl_slist_free_all(slot->headers);
	curl_slist_free_all(slot->rcpt);
	slot->mime = NULL;
	slot->headers = slot->rcpt = NULL;
	slot->msg = NULL;
}

/*
 * Set the slot's easy handle up to upload the encrypted form of msg.
 * Returns 0, -1 when curl refuses, or -2 when the host could not encrypt
 * (it has logged why).
 */
static int
smtp_prepare_encrypted(struct smtp_slot *slot, const struct sv_message *msg)
{
	CURLcode	 rc;
	char		*plain;
	size_t		 len;
	int		 e;

	plain = smtp_plain(slot->sp, msg, &len);
	e = smtp_api->encrypt(slot->sp->host, msg, plain, len, &slot->data,
	    &slot->len);
	explicit_bzero(plain, len);
	free(plain);
	if (e == -1)
		return -2;
	slot->off = 0;
	slot->rcpt = smtp_slist_add(NULL, msg->to);
	rc = curl_easy_setopt(slot->easy, CURLOPT_MAIL_RCPT, slot->rcpt);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_READFUNCTION,
		    smtp_read);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_READDATA, slot);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)slot->len);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(slot->easy, CURLOPT_UPLOAD, 1L);
	slot->txn = slot->quit = 0;
	slot->reply[0] = '\0';
	return rc == CURLE_OK ? 0 : -1;
}

/* Set the slot's easy handle up for msg.  Returns 0, -1 or -2 (above). */
static int
smtp_prepare(struct smtp_slot *slot, const struct sv_message *msg)
{
	curl_mimepart	*part;
	CURLcode	 rc;
	char		*body;

	if (msg->encrypt)
		return smtp_prepare_encrypted(slot, msg);
	slot->headers = smtp_headers(slot->sp, msg);
	slot->rcpt = smtp_slist_add(NULL, msg->to);
	if ((slot->mime = curl_mime_init(slot->easy)) == NULL ||
	    (part = curl_mime_addpart(slot->mime)) == NULL)
		return -1;
	body = rfc5322_body(msg->body);
	rc = curl_mime_data(part, body, CURL_ZERO_TERMINATED);
	free(body);
	if (rc == CURLE_OK)
		rc = curl_mime_type(part, RFC5322_BODY_TYPE);
	if (rc == CURLE_OK)
		rc = curl_mime_encoder(part, RFC5322_BODY_ENCODING);
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
	long	 code = 0;
	int	 i;

	if (line[0] < '2' || line[0] > '5')
		return 0;
	for (i = 0; i < SMTP_CODE_LEN; i++) {
		if (line[i] < '0' || line[i] > '9')
			return 0;
		code = code * 10 + (line[i] - '0');
	}
	if (line[i] != ' ' && line[i] != '-' && line[i] != '\0')
		return 0;
	return code;
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
	if (code >= 500 && code <= 599 && txn && code != SMTP_AUTH_REQUIRED &&
	    code != SMTP_AUTH_FAILED)
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
		smtp_api->log(sp->host, SV_LOG_DEBUG, "sent msg=%lld "
		    "code=%ld", (long long)msg->id, code);
	else
		smtp_api->log(sp->host, outcome == SV_FAILED ? SV_LOG_WARN :
		    SV_LOG_INFO, "%s msg=%lld code=%ld curl=%d "
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
	int			 i, rc;

	if (msg->to == NULL || !rfc5322_addr_ok(msg->to)) {
		smtp_api->log(sp->host, SV_LOG_WARN, "failed msg=%lld "
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
	if ((rc = smtp_prepare(slot, msg)) == -2) {
		smtp_slot_clear(slot);
		smtp_api->complete(sp->host, msg, SV_FAILED, "encryption "
		    "failed");
		return 0;
	}
	if (rc == -1) {
		smtp_slot_clear(slot);
		smtp_api->log(sp->host, SV_LOG_WARN, "setup_failed msg=%lld "
		    "error=mime", (long long)msg->id);
		return -1;
	}
	slot->msg = msg;
	if (smtp_api->curl_add(sp->host, slot->easy, smtp_done, slot) == -1) {
		smtp_slot_clear(slot);
		return -1;
	}
	smtp_api->log(sp->host, SV_LOG_DEBUG, "start msg=%lld slot=%d",
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
	free(sp->from_name);
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
	return rfc5322_domain_ok(s, strlen(s));
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
	char		*url = NULL, *path, name[SMTP_HOST_MAX];
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
	sp->url = rfc5322_xstrndup(url, strlen(url));
	curl_free(url);
	curl_url_cleanup(u);
	return 0;
}

/* Check from and keep its address and display name. */
static int
smtp_conf_from(struct smtp *sp, const char *value)
{
	if (value == NULL) {
		smtp_api->conf_error(sp->host, "from", "missing: "
		    "\"Name <address>\" or an address");
		return -1;
	}
	if (rfc5322_mailbox_parse(value, &sp->from_name, &sp->from_addr) ==
	    -1) {
		smtp_api->conf_error(sp->host, "from", "not a valid address: "
		    "\"Name <local@domain>\" or local@domain");
		return -1;
	}
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

/* Read fd into buf, at most size bytes, *n of them; NULL, or why not. */
static const char *
smtp_read_all(int fd, char *buf, size_t size, size_t *n)
{
	ssize_t	 r;

	*n = 0;
	while (*n < size && (r = read(fd, buf + *n, size - *n)) != 0) {
		if (r == -1 && errno != EINTR)
			return strerror(errno);
		if (r > 0)
			*n += (size_t)r;
	}
	return NULL;
}

/*
 * What is wrong with the password read, the *n bytes at buf, or NULL; its
 * line end is dropped from *n.
 */
static const char *
smtp_password_check(const char *buf, size_t *n)
{
	if (*n > 0 && buf[*n - 1] == '\n')
		(*n)--;
	if (*n > 0 && buf[*n - 1] == '\r')
		(*n)--;
	if (*n > SMTP_PASSWORD_MAX)
		return "too long";
	if (*n == 0)
		return "empty";
	if (memchr(buf, '\0', *n) != NULL || memchr(buf, '\n', *n) != NULL ||
	    memchr(buf, '\r', *n) != NULL)
		return "must hold the password alone on one line";
	return NULL;
}

/* Read the password: one line, private to its owner and group. */
static int
smtp_conf_password(struct smtp *sp, const char *value)
{
	struct stat	 st;
	char		 buf[SMTP_PASSWORD_MAX + 2], *path;
	const char	*why;
	size_t		 n = 0;
	int		 fd;

	if ((fd = smtp_conf_open(sp, "password_file", value, &path,
	    &st)) == -1) {
		free(path);
		return -1;
	}
	if ((why = policy_secret_mode(st.st_mode)) == NULL)
		why = smtp_read_all(fd, buf, sizeof buf, &n);
	close(fd);
	if (why == NULL)
		why = smtp_password_check(buf, &n);
	if (why == NULL)
		sp->password = rfc5322_xstrndup(buf, n);
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
	if (*user == '\0' || !rfc5322_printable(user)) {
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
	sp->username = rfc5322_xstrndup(user, strlen(user));
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
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		/* whoever can add a CA can pose as the relay */
		smtp_api->conf_error(sp->host, "ca_file", "%s est modifiable "
		    "par le groupe ou par tous : qui le change peut se faire "
		    "passer pour le relais ; corrigez avec chmod go-w", path);
		free(path);
		return -1;
	}
	sp->ca_file = path;
	return 0;
}

/*
 * tls = none or opportunistic (to an smtp:// url, whose tls checked fine)
 * sends mail in clear: only to this machine, or with allow_plaintext.
 */
static int
smtp_conf_plain(struct smtp *sp, int smtps, int tls_ok, int check_only)
{
	int	 allow = policy_allow_plaintext(smtp_api, sp->host);

	if (allow == -1)
		return -1;
	if (smtps || !tls_ok || sp->url == NULL ||
	    sp->use_ssl == CURLUSESSL_ALL)
		return 0;
	return policy_plaintext(smtp_api, sp->host, "tls", sp->url, allow,
	    check_only, "les courriels (noms, dates, codes et liens)",
	    sp->use_ssl == CURLUSESSL_NONE ? "mettez tls = required" :
	    "tls = opportunistic renonce à TLS dès que le serveur, ou "
	    "quiconque est sur le chemin, ne le propose pas ; mettez "
	    "tls = required");
}

/* The keys of the section, as the host gives them (NULL: absent). */
struct smtp_keys {
	const char	*url, *from, *tls, *ca, *user, *pwfile, *timeout,
			*maxc, *helo;
};

/* Ask for every key first, so that none is reported unknown. */
static void
smtp_conf_keys(struct sv_host *host, struct smtp_keys *k)
{
	k->url = smtp_api->conf(host, "url");
	k->from = smtp_api->conf(host, "from");
	k->tls = smtp_api->conf(host, "tls");
	k->ca = smtp_api->conf(host, "ca_file");
	k->user = smtp_api->conf(host, "username");
	k->pwfile = smtp_api->conf(host, "password_file");
	k->timeout = smtp_api->conf(host, "timeout");
	k->maxc = smtp_api->conf(host, "max_connections");
	k->helo = smtp_api->conf(host, "helo");
}

/*
 * Check every key into sp and *nslots, reporting each problem found (not
 * only the first).  Returns 0 or -1.
 */
static int
smtp_conf_check(struct smtp *sp, const struct smtp_keys *k, long *nslots,
    int check_only)
{
	const char	*helo = k->helo;
	int		 bad = 0, smtps = 0, tls_ok;

	if (helo != NULL && !smtp_helo_ok(helo)) {
		smtp_api->conf_error(sp->host, "helo", "not a host name");
		bad = 1;
		helo = NULL;
	}
	bad |= smtp_conf_url(sp, k->url, helo, &smtps) == -1;
	bad |= smtp_conf_from(sp, k->from) == -1;
	tls_ok = smtp_conf_tls(sp, k->tls, smtps) == 0;
	bad |= !tls_ok;
	bad |= smtp_conf_plain(sp, smtps, tls_ok, check_only) == -1;
	bad |= smtp_conf_ca(sp, k->ca) == -1;
	bad |= smtp_conf_auth(sp, k->user, k->pwfile,
	    smtps || sp->use_ssl == CURLUSESSL_ALL) == -1;
	bad |= smtp_conf_long(sp, "timeout", k->timeout, SMTP_TIMEOUT_DEFAULT,
	    1, SMTP_TIMEOUT_MAX, &sp->timeout) == -1;
	bad |= smtp_conf_long(sp, "max_connections", k->maxc,
	    SMTP_CONN_DEFAULT, 1, SMTP_CONN_MAX, nslots) == -1;
	return bad ? -1 : 0;
}

/*
 * Read and check the section.  Opens no connection either way: easy
 * handles are made by the first send() of each slot.
 */
static void *
smtp_init(struct sv_host *host, int check_only)
{
	struct smtp_keys	 k;
	struct smtp		*sp;
	long			 nslots;
	int			 i;

	smtp_conf_keys(host, &k);
	sp = rfc5322_xrealloc(NULL, sizeof *sp);
	memset(sp, 0, sizeof *sp);
	sp->host = host;
	if (smtp_conf_check(sp, &k, &nslots, check_only) == -1) {
		smtp_free(sp);
		return NULL;
	}
	sp->nslots = (int)nslots;
	sp->slots = rfc5322_xrealloc(NULL, (size_t)nslots * sizeof *sp->slots);
	memset(sp->slots, 0, (size_t)nslots * sizeof *sp->slots);
	for (i = 0; i < sp->nslots; i++)
		sp->slots[i].sp = sp;
	if (!check_only)
		smtp_api->log(host, SV_LOG_DEBUG, "ready slots=%d "
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
