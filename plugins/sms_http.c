/*
 * sms_http.c: the sms_http channel, SMS through an HTTP gateway (Kannel's
 * sendsms, or a provider's API).
 *
 * The request is built from templates: the URL (key url, or the first line
 * of url_file), optionally a POST body and extra headers.  The placeholders
 * {to}, {text} and {from} are replaced by the recipient, the text and the
 * sender id, each encoded for where it lands: percent-encoded in the URL
 * and in a form body, JSON-escaped in a json body, as is in a text body,
 * control characters blanked in a header.  {dlr_url} is where the gateway
 * reports what became of the SMS on the handset (the host's dlr_url, "%d"
 * for Kannel's report type; empty when the host wants no report).  Any
 * other {name} is a configuration error.
 *
 * Delivery reports: unless delivery_reports = no, the channel tells the
 * host it passes dlr_url on (reports()).  When no template holds
 * {dlr_url}, it goes as Kannel's sendsms wants it, appended to the URL's
 * query: "&dlr-mask=27&dlr-url=..." (27 = 1 delivered | 2 undelivered |
 * 8 accepted by the SMSC | 16 rejected by the SMSC).  A provider's API
 * places {dlr_url} where it takes a callback URL, or turns reports off.
 *
 * Keys of [channel.NAME]:
 *
 *	url		the URL template (required, or url_file: its first line;
 *			the INI reader limits lines to ~198 characters)
 *	method		GET (default) or POST
 *	body		POST: the body template
 *	body_type	form (default, percent-encoded values), json (JSON
 *			string escapes) or text (as is: Kannel's POST takes the
 *			text as a text/plain body); sets Content-Type unless
 *			headers does
 *	headers		"Name: value|Name: value", placeholders allowed
 *	from		the sender id for {from}
 *	auth_file	a file holding user:password for basic auth, not
 *			readable by others
 *	success		substrings, |-separated, one of which a 2xx answer must
 *			hold (default: any 2xx is success)
 *	timeout		seconds for one request (default 15)
 *	delivery_reports yes (default) or no: pass dlr_url on to the gateway
 *	max_connections	transfers in flight (default 8)
 *
 * One easy handle per connection slot (max_connections), created on first
 * use and reused (keep-alive), one transfer in flight on each; send()
 * returns -1 when every slot is busy.  The outcome:
 *
 *	2xx and the success pattern (or no pattern)	SV_SENT
 *	2xx without the pattern				SV_FAILED
 *	429, 5xx, connection errors, timeouts		SV_RETRY
 *	any other status				SV_FAILED
 *
 * with the first line of the answer as the reply.  The text is sent as
 * given: splitting a long SMS is the gateway's job.  Nothing here logs a
 * number or a text: messages are named by their id.  An SMS cannot be
 * encrypted: a message marked encrypt (ABI 2; the daemon never marks an
 * SMS) fails rather than go in clear.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "policy.h"
#include "stoppvif_plugin.h"

#define SMSH_FILE_MAX	4096		/* url_file, auth_file: bytes read */
#define SMSH_ANSWER_MAX	65536		/* answer bytes kept for the pattern */
#define SMSH_REPLY_MAX	200		/* bytes of the answer's first line */
#define SMSH_TIMEOUT	15
#define SMSH_TIMEOUT_MAX 600
#define SMSH_CONNS	8
#define SMSH_CONNS_MAX	256
#define SMSH_DLR_MASK	"27"		/* 1 | 2 | 8 | 16: every report */
/* A report URL as the host makes them, to check the templates with. */
#define SMSH_DLR_SAMPLE	"http://127.0.0.1:8481/sms/dlr?id=1&mac=0&type=%d"

enum smsh_field {
	SMSH_LIT,
	SMSH_TO,
	SMSH_TEXT,
	SMSH_FROM,
	SMSH_DLR,
};

/* How a value is written into a template. */
enum smsh_enc {
	SMSH_ENC_URL,		/* percent-encoding, all but unreserved */
	SMSH_ENC_JSON,		/* inside a JSON string */
	SMSH_ENC_RAW,		/* as is */
	SMSH_ENC_HEADER,	/* as is, control characters blanked */
};

struct smsh_part {
	enum smsh_field	 field;
	const char	*lit;		/* SMSH_LIT: points into src */
	size_t		 len;
};

struct smsh_tmpl {
	char		*src;
	struct smsh_part *parts;
	size_t		 nparts;
	int		 uses_from;
	int		 uses_dlr;
};

struct smsh_buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

struct smsh;

/* A connection slot: one easy handle, at most one message in flight. */
struct smsh_conn {
	struct smsh		*ctx;
	CURL			*easy;
	const struct sv_message	*msg;		/* NULL: idle */
	struct smsh_buf		 url;
	struct smsh_buf		 body;
	struct curl_slist	*hdrs;
	struct smsh_buf		 answer;
	char			 err[CURL_ERROR_SIZE];
};

struct smsh {
	struct sv_host		*host;
	int			 errors;	/* config problems reported */
	struct smsh_tmpl	 url;
	int			 post;
	struct smsh_tmpl	 body;
	enum smsh_enc		 body_enc;
	struct smsh_tmpl	*hdrs;
	size_t			 nhdrs;
	int			 has_ctype;	/* headers set Content-Type */
	int			 reports;	/* delivery_reports = yes */
	int			 dlr_placed;	/* a template has {dlr_url} */
	char			*from;
	char			*userpwd;	/* "user:password" or NULL */
	char			*success;
	long			 timeout;
	int			 nconns;
	struct smsh_conn	*conns;
};

static const struct sv_host_api *api;

const struct sv_channel_ops *stoppvif_plugin_entry(const struct sv_host_api *);

static void *
smsh_alloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n)) == NULL)
		abort();
	return p;
}

static char *
smsh_strdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		abort();
	return p;
}

static void
buf_add(struct smsh_buf *b, const void *p, size_t n)
{
	size_t	 cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_addc(struct smsh_buf *b, char c)
{
	buf_add(b, &c, 1);
}

static void
buf_reset(struct smsh_buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static void
buf_free(struct smsh_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* Report a problem with key and count it: any fails init(). */
static void __attribute__((format(printf, 3, 4)))
smsh_error(struct smsh *ctx, const char *key, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	api->conf_error(ctx->host, key, "%s", msg);
	ctx->errors++;
}

/*
 * Split src into literal parts and placeholders; an unknown {name} is
 * reported against key.  Returns 0 or -1.
 */
static int
tmpl_parse(struct smsh *ctx, const char *key, const char *src,
    struct smsh_tmpl *t)
{
	static const struct {
		const char	*name;
		enum smsh_field	 field;
	} names[] = {
		{ "to", SMSH_TO }, { "text", SMSH_TEXT }, { "from", SMSH_FROM },
		{ "dlr_url", SMSH_DLR },
	};
	const char	*s, *lit, *end;
	size_t		 n, i;
	int		 bad = 0;

	t->src = smsh_strdup(src);
	t->parts = smsh_alloc((strlen(src) + 1) * sizeof *t->parts);
	t->nparts = 0;
	lit = s = t->src;
	while (*s != '\0') {
		for (end = s + 1; *end == '_' || (*end >= 'a' && *end <= 'z') ||
		    (*end >= 'A' && *end <= 'Z') || (*end >= '0' && *end <= '9');
		    end++)
			;
		if (*s != '{' || end == s + 1 || *end != '}') {
			s++;
			continue;
		}
		n = (size_t)(end - s - 1);
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strlen(names[i].name) == n &&
			    strncmp(names[i].name, s + 1, n) == 0)
				break;
		if (i == sizeof names / sizeof names[0]) {
			smsh_error(ctx, key, "unknown placeholder {%.*s} "
			    "(known: {to}, {text}, {from}, {dlr_url})", (int)n,
			    s + 1);
			bad = 1;
			s = end + 1;
			continue;
		}
		if (s > lit)
			t->parts[t->nparts++] = (struct smsh_part){ SMSH_LIT,
			    lit, (size_t)(s - lit) };
		t->parts[t->nparts++] = (struct smsh_part){ names[i].field,
		    NULL, 0 };
		if (names[i].field == SMSH_FROM)
			t->uses_from = 1;
		if (names[i].field == SMSH_DLR)
			t->uses_dlr = 1;
		lit = s = end + 1;
	}
	if (s > lit)
		t->parts[t->nparts++] = (struct smsh_part){ SMSH_LIT, lit,
		    (size_t)(s - lit) };
	return bad ? -1 : 0;
}

static void
tmpl_free(struct smsh_tmpl *t)
{
	free(t->src);
	free(t->parts);
	memset(t, 0, sizeof *t);
}

/* Append value to b, encoded as enc says. */
static void
enc_add(struct smsh_buf *b, const char *value, enum smsh_enc enc)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s;
	char			 esc[8];

	for (s = (const unsigned char *)value; *s != '\0'; s++) {
		switch (enc) {
		case SMSH_ENC_URL:
			if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' &&
			    *s <= 'z') || (*s >= '0' && *s <= '9') ||
			    *s == '-' || *s == '.' || *s == '_' || *s == '~') {
				buf_addc(b, (char)*s);
				break;
			}
			esc[0] = '%';
			esc[1] = hex[*s >> 4];
			esc[2] = hex[*s & 15];
			buf_add(b, esc, 3);
			break;
		case SMSH_ENC_JSON:
			if (*s == '"' || *s == '\\') {
				esc[0] = '\\';
				esc[1] = (char)*s;
				buf_add(b, esc, 2);
			} else if (*s == '\n')
				buf_add(b, "\\n", 2);
			else if (*s == '\r')
				buf_add(b, "\\r", 2);
			else if (*s == '\t')
				buf_add(b, "\\t", 2);
			else if (*s == '\b')
				buf_add(b, "\\b", 2);
			else if (*s == '\f')
				buf_add(b, "\\f", 2);
			else if (*s < 0x20 || *s == 0x7f) {
				snprintf(esc, sizeof esc, "\\u%04x", *s);
				buf_add(b, esc, 6);
			} else
				buf_addc(b, (char)*s);
			break;
		case SMSH_ENC_HEADER:
			buf_addc(b, *s < 0x20 || *s == 0x7f ? ' ' : (char)*s);
			break;
		case SMSH_ENC_RAW:
			buf_addc(b, (char)*s);
			break;
		}
	}
}

/* Fill b with template t for msg (b is reset first); dlr may be NULL. */
static void
tmpl_expand(const struct smsh *ctx, const struct smsh_tmpl *t,
    enum smsh_enc enc, const char *to, const char *text, const char *dlr,
    struct smsh_buf *b)
{
	size_t	 i;

	buf_reset(b);
	buf_add(b, "", 0);
	for (i = 0; i < t->nparts; i++) {
		switch (t->parts[i].field) {
		case SMSH_LIT:
			buf_add(b, t->parts[i].lit, t->parts[i].len);
			break;
		case SMSH_TO:
			enc_add(b, to, enc);
			break;
		case SMSH_TEXT:
			enc_add(b, text, enc);
			break;
		case SMSH_FROM:
			enc_add(b, ctx->from ? ctx->from : "", enc);
			break;
		case SMSH_DLR:
			enc_add(b, dlr != NULL ? dlr : "", enc);
			break;
		}
	}
}

/*
 * The first line of a small file (url_file, auth_file), without its line
 * end; NULL after reporting the problem against key.  With secret, the
 * file may not be readable by others.
 */
static char *
smsh_read_line(struct smsh *ctx, const char *key, const char *value,
    int secret)
{
	struct stat	 st;
	char		*path, buf[SMSH_FILE_MAX + 1], *line = NULL;
	ssize_t		 n;
	int		 fd;

	path = api->path(ctx->host, value);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		smsh_error(ctx, key, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		smsh_error(ctx, key, "%s: not a regular file", path);
		goto out;
	}
	if (secret && policy_secret_mode(st.st_mode) != NULL) {
		smsh_error(ctx, key, "%s (mode %04o) %s", path,
		    (unsigned)(st.st_mode & 07777),
		    policy_secret_mode(st.st_mode));
		goto out;
	}
	if ((n = read(fd, buf, SMSH_FILE_MAX)) == -1) {
		smsh_error(ctx, key, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0')
		smsh_error(ctx, key, "%s: empty first line", path);
	else
		line = smsh_strdup(buf);
	explicit_bzero(buf, sizeof buf);
out:
	if (fd != -1)
		close(fd);
	free(path);
	return line;
}

/* An integer key in [min, max], or def when absent. */
static long
smsh_conf_long(struct smsh *ctx, const char *key, long def, long min,
    long max)
{
	const char	*v = api->conf(ctx->host, key);
	char		*end;
	long		 n;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
		smsh_error(ctx, key, "\"%s\": expected an integer from %ld "
		    "to %ld", v, min, max);
		return def;
	}
	return n;
}

/* The URL template: from url or url_file, exactly one; an http(s) URL. */
static void
smsh_conf_url(struct smsh *ctx)
{
	const char	*url = api->conf(ctx->host, "url");
	const char	*file = api->conf(ctx->host, "url_file");
	const char	*key = url ? "url" : "url_file";
	struct smsh_buf	 b = { NULL, 0, 0 };
	char		*line = NULL, *scheme = NULL;
	CURLU		*u;

	if (url != NULL && file != NULL) {
		smsh_error(ctx, "url_file", "give url or url_file, not both");
		return;
	}
	if (url == NULL && file == NULL) {
		smsh_error(ctx, NULL, "url (or url_file) is required");
		return;
	}
	/* the URL of a gateway holds its account: a secret */
	if (url == NULL && (url = line = smsh_read_line(ctx, "url_file",
	    file, 1)) == NULL)
		return;
	if (tmpl_parse(ctx, key, url, &ctx->url) == -1)
		goto out;
	tmpl_expand(ctx, &ctx->url, SMSH_ENC_URL, "+32470000000", "x",
	    SMSH_DLR_SAMPLE, &b);
	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, b.p, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		smsh_error(ctx, key, "not a valid URL");
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		smsh_error(ctx, key, "not an http:// or https:// URL");
	curl_free(scheme);
	curl_url_cleanup(u);
out:
	buf_free(&b);
	free(line);
}

/* method, body and body_type. */
static void
smsh_conf_body(struct smsh *ctx)
{
	const char	*method = api->conf(ctx->host, "method");
	const char	*body = api->conf(ctx->host, "body");
	const char	*type = api->conf(ctx->host, "body_type");

	if (method == NULL || strcasecmp(method, "GET") == 0)
		ctx->post = 0;
	else if (strcasecmp(method, "POST") == 0)
		ctx->post = 1;
	else {
		smsh_error(ctx, "method", "\"%s\": expected GET or POST",
		    method);
		return;
	}
	if (!ctx->post && body != NULL)
		smsh_error(ctx, "body", "only with method = POST");
	if (!ctx->post && type != NULL)
		smsh_error(ctx, "body_type", "only with method = POST");
	if (type == NULL || strcmp(type, "form") == 0)
		ctx->body_enc = SMSH_ENC_URL;
	else if (strcmp(type, "json") == 0)
		ctx->body_enc = SMSH_ENC_JSON;
	else if (strcmp(type, "text") == 0)
		ctx->body_enc = SMSH_ENC_RAW;
	else
		smsh_error(ctx, "body_type", "\"%s\": expected form, json or "
		    "text", type);
	tmpl_parse(ctx, "body", body ? body : "", &ctx->body);
}

/* headers: "Name: value|Name: value", values may hold placeholders. */
static void
smsh_conf_headers(struct smsh *ctx)
{
	const char	*v = api->conf(ctx->host, "headers");
	const char	*s, *end, *colon, *p;
	char		*h;
	size_t		 n;

	if (v == NULL)
		return;
	ctx->hdrs = smsh_alloc((strlen(v) / 2 + 1) * sizeof *ctx->hdrs);
	for (s = v; *s != '\0'; s = *end ? end + 1 : end) {
		end = s + strcspn(s, "|");
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		n = (size_t)(end - s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		colon = memchr(s, ':', n);
		for (p = s; colon != NULL && p < colon; p++)
			if (*p <= ' ' || *p >= 0x7f || strchr("\"(),/;<=>?@[\\]{}",
			    *p) != NULL)
				break;
		if (colon == NULL || colon == s || p < colon) {
			smsh_error(ctx, "headers", "\"%.*s\": expected "
			    "\"Name: value\"", (int)n, s);
			continue;
		}
		for (p = s; p < s + n; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				break;
		if (p < s + n) {
			smsh_error(ctx, "headers", "control character in a "
			    "header");
			continue;
		}
		if ((size_t)(colon - s) == strlen("Content-Type") &&
		    strncasecmp(s, "Content-Type", (size_t)(colon - s)) == 0)
			ctx->has_ctype = 1;
		if ((h = strndup(s, n)) == NULL)
			abort();
		tmpl_parse(ctx, "headers", h, &ctx->hdrs[ctx->nhdrs++]);
		free(h);
	}
}

/* from, auth_file, success. */
static void
smsh_conf_misc(struct smsh *ctx)
{
	const char	*from = api->conf(ctx->host, "from");
	const char	*auth = api->conf(ctx->host, "auth_file");
	const char	*success = api->conf(ctx->host, "success");
	size_t		 i;
	int		 uses_from = ctx->url.uses_from || ctx->body.uses_from;

	for (i = 0; i < ctx->nhdrs; i++)
		uses_from |= ctx->hdrs[i].uses_from;
	if (from != NULL && from[0] == '\0')
		smsh_error(ctx, "from", "empty");
	else if (from != NULL)
		ctx->from = smsh_strdup(from);
	else if (uses_from)
		smsh_error(ctx, "from", "required: a template uses {from}");
	if (auth != NULL && (ctx->userpwd = smsh_read_line(ctx, "auth_file",
	    auth, 1)) != NULL && strchr(ctx->userpwd, ':') == NULL)
		smsh_error(ctx, "auth_file", "expected user:password on the "
		    "first line");
	if (success != NULL && strspn(success, "| ") == strlen(success))
		smsh_error(ctx, "success", "empty");
	else if (success != NULL)
		ctx->success = smsh_strdup(success);
}

/*
 * delivery_reports: yes (the default) has the gateway report to the host's
 * dlr_url, where a template places {dlr_url} or else as Kannel's sendsms
 * wants it; no sends none, and then {dlr_url} makes no sense.
 */
static void
smsh_conf_reports(struct smsh *ctx)
{
	const char	*v = api->conf(ctx->host, "delivery_reports");
	size_t		 i;

	ctx->dlr_placed = ctx->url.uses_dlr || ctx->body.uses_dlr;
	for (i = 0; i < ctx->nhdrs; i++)
		ctx->dlr_placed |= ctx->hdrs[i].uses_dlr;
	if (v == NULL || strcmp(v, "yes") == 0)
		ctx->reports = 1;
	else if (strcmp(v, "no") != 0)
		smsh_error(ctx, "delivery_reports", "\"%s\": expected yes or "
		    "no", v);
	else if (ctx->dlr_placed)
		smsh_error(ctx, "delivery_reports", "no, but a template places "
		    "{dlr_url}: remove it, or say yes");
}

/*
 * Whether the literal text of template t names a credential, case aside;
 * the word found goes to *word.
 */
static int
smsh_tmpl_credential(const struct smsh_tmpl *t, const char *from,
    const char **word)
{
	static const char *const words[] = { "user", "login", "pass", "pwd",
	    "secret", "token", "key", "auth", "sign", "account", NULL };
	const char	*s;
	size_t		 i;

	if (t->src == NULL || (s = from != NULL ? strstr(t->src, from) :
	    t->src) == NULL)
		return 0;
	for (i = 0; words[i] != NULL; i++)
		if (strcasestr(s, words[i]) != NULL) {
			*word = words[i];
			return 1;
		}
	return 0;
}

/*
 * Where the request carries the gateway's credentials (into why, of len
 * bytes), or 0: a user or password in the URL, auth_file, or a query
 * parameter, a body field or a header that names one (password=, api_key,
 * Authorization:...).
 */
static int
smsh_credential(const struct smsh *ctx, const char *url, char *why,
    size_t len)
{
	const char	*word = NULL;
	char		*part = NULL;
	CURLU		*u;
	size_t		 i;
	int		 userinfo = 0;

	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK)
		userinfo = 1;
	curl_free(part);
	curl_url_cleanup(u);
	if (userinfo)
		snprintf(why, len, "un utilisateur dans l'URL");
	else if (ctx->userpwd != NULL)
		snprintf(why, len, "auth_file");
	else if (smsh_tmpl_credential(&ctx->url, "?", &word))
		snprintf(why, len, "« %s » dans l'URL", word);
	else if (smsh_tmpl_credential(&ctx->body, NULL, &word))
		snprintf(why, len, "« %s » dans body", word);
	else {
		for (i = 0; i < ctx->nhdrs && word == NULL; i++)
			smsh_tmpl_credential(&ctx->hdrs[i], NULL, &word);
		if (word == NULL)
			return 0;
		snprintf(why, len, "« %s » dans headers", word);
	}
	return 1;
}

/*
 * An http:// gateway on another machine may not get the account's
 * credentials (nor the texts) in clear, unless allow_plaintext says so.
 */
static void
smsh_conf_plain(struct smsh *ctx, int check_only)
{
	const char	*key = api->conf(ctx->host, "url") ? "url" : "url_file";
	struct smsh_buf	 b = { NULL, 0, 0 };
	char		 why[96], what[192];
	int		 allow = policy_allow_plaintext(api, ctx->host);

	if (allow == -1)
		ctx->errors++;
	if (allow == -1 || ctx->url.src == NULL)
		return;
	tmpl_expand(ctx, &ctx->url, SMSH_ENC_URL, "+32470000000", "x",
	    SMSH_DLR_SAMPLE, &b);
	if (strncasecmp(b.p, "http://", 7) == 0 &&
	    smsh_credential(ctx, b.p, why, sizeof why)) {
		snprintf(what, sizeof what, "les identifiants de la passerelle "
		    "(%s) et les textes des SMS", why);
		if (policy_plaintext(api, ctx->host, key, b.p, allow,
		    check_only, what, "utilisez https://") == -1)
			ctx->errors++;
	}
	buf_free(&b);
}

/* Whether the answer holds one of the |-separated success patterns. */
static int
smsh_success(const struct smsh *ctx, const struct smsh_buf *answer)
{
	const char	*s, *end;
	size_t		 n;

	if (ctx->success == NULL)
		return 1;
	for (s = ctx->success; *s != '\0'; s = *end ? end + 1 : end) {
		end = s + strcspn(s, "|");
		while (s < end && *s == ' ')
			s++;
		n = (size_t)(end - s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n > 0 && answer->len > 0 && memmem(answer->p, answer->len,
		    s, n) != NULL)
			return 1;
	}
	return 0;
}

static void
smsh_conn_clear(struct smsh_conn *c)
{
	c->msg = NULL;
	buf_reset(&c->url);
	buf_reset(&c->body);
	buf_reset(&c->answer);
	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	c->err[0] = '\0';
}

static void
smsh_free(struct smsh *ctx)
{
	struct smsh_conn	*c;
	size_t			 i;
	int			 j;

	for (j = 0; ctx->conns != NULL && j < ctx->nconns; j++) {
		c = &ctx->conns[j];
		if (c->easy != NULL)		/* the host took it off */
			curl_easy_cleanup(c->easy);
		smsh_conn_clear(c);
		buf_free(&c->url);
		buf_free(&c->body);
		buf_free(&c->answer);
	}
	free(ctx->conns);
	tmpl_free(&ctx->url);
	tmpl_free(&ctx->body);
	for (i = 0; i < ctx->nhdrs; i++)
		tmpl_free(&ctx->hdrs[i]);
	free(ctx->hdrs);
	free(ctx->from);
	if (ctx->userpwd != NULL) {
		explicit_bzero(ctx->userpwd, strlen(ctx->userpwd));
		free(ctx->userpwd);
	}
	free(ctx->success);
	free(ctx);
}

static void *
smsh_init(struct sv_host *host, int check_only)
{
	struct smsh	*ctx;

	ctx = smsh_alloc(sizeof *ctx);
	ctx->host = host;
	smsh_conf_url(ctx);
	smsh_conf_body(ctx);
	smsh_conf_headers(ctx);
	smsh_conf_misc(ctx);
	smsh_conf_reports(ctx);
	smsh_conf_plain(ctx, check_only);
	ctx->timeout = smsh_conf_long(ctx, "timeout", SMSH_TIMEOUT, 1,
	    SMSH_TIMEOUT_MAX);
	ctx->nconns = (int)smsh_conf_long(ctx, "max_connections", SMSH_CONNS,
	    1, SMSH_CONNS_MAX);
	if (ctx->errors > 0) {
		smsh_free(ctx);
		return NULL;
	}
	ctx->conns = smsh_alloc((size_t)ctx->nconns * sizeof *ctx->conns);
	/* reports is NULL in an older host: it awaits no report */
	if (ctx->reports && api->reports != NULL)
		api->reports(host);
	return ctx;
}

/* libcurl's write callback: keep the start of the answer. */
static size_t
smsh_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct smsh_conn	*c = arg;
	size_t			 n = size * nmemb, room;

	room = SMSH_ANSWER_MAX - c->answer.len;
	buf_add(&c->answer, data, n < room ? n : room);
	return n;
}

/* A new easy handle with the options every message shares. */
static CURL *
smsh_easy(struct smsh *ctx, struct smsh_conn *c)
{
	CURL	*e;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, ctx->timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, ctx->timeout < 10 ?
	    ctx->timeout : 10L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "stoppvif-sms_http/1");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, smsh_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->err);
	if (ctx->userpwd != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERPWD, ctx->userpwd);
	}
	if (ctx->post)
		curl_easy_setopt(e, CURLOPT_POST, 1L);
	else
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	return e;
}

/* An idle connection slot with its easy handle, or NULL when all are busy. */
static struct smsh_conn *
smsh_conn_get(struct smsh *ctx)
{
	struct smsh_conn	*c;
	int			 i;

	for (i = 0; i < ctx->nconns; i++) {
		c = &ctx->conns[i];
		if (c->easy != NULL && c->msg == NULL)
			return c;
	}
	for (i = 0; i < ctx->nconns; i++) {
		c = &ctx->conns[i];
		if (c->easy == NULL) {
			c->ctx = ctx;
			if ((c->easy = smsh_easy(ctx, c)) == NULL)
				return NULL;
			return c;
		}
	}
	return NULL;
}

/*
 * Ask Kannel's sendsms for every report to dlr: its dlr-mask and dlr-url
 * appended to the query of url (it puts the report's type for "%d").
 */
static void
smsh_kannel_dlr(struct smsh_buf *url, const char *dlr)
{
	const char	*q = strchr(url->p, '?');

	if (q == NULL)
		buf_addc(url, '?');
	else if (q[1] != '\0' && url->p[url->len - 1] != '&')
		buf_addc(url, '&');
	buf_add(url, "dlr-mask=" SMSH_DLR_MASK "&dlr-url=",
	    strlen("dlr-mask=" SMSH_DLR_MASK "&dlr-url="));
	enc_add(url, dlr, SMSH_ENC_URL);
}

/* Build the request for msg on c: URL, headers, body. */
static void
smsh_request(struct smsh *ctx, struct smsh_conn *c,
    const struct sv_message *msg)
{
	struct smsh_buf	 h = { NULL, 0, 0 };
	const char	*dlr = ctx->reports ? msg->dlr_url : NULL;
	size_t		 i;

	tmpl_expand(ctx, &ctx->url, SMSH_ENC_URL, msg->to, msg->body, dlr,
	    &c->url);
	if (dlr != NULL && *dlr != '\0' && !ctx->dlr_placed)
		smsh_kannel_dlr(&c->url, dlr);
	for (i = 0; i < ctx->nhdrs; i++) {
		tmpl_expand(ctx, &ctx->hdrs[i], SMSH_ENC_HEADER, msg->to,
		    msg->body, dlr, &h);
		c->hdrs = curl_slist_append(c->hdrs, h.p);
	}
	buf_free(&h);
	if (ctx->post) {
		if (!ctx->has_ctype && ctx->body_enc == SMSH_ENC_JSON)
			c->hdrs = curl_slist_append(c->hdrs,
			    "Content-Type: application/json");
		else if (!ctx->has_ctype && ctx->body_enc == SMSH_ENC_RAW)
			c->hdrs = curl_slist_append(c->hdrs,
			    "Content-Type: text/plain; charset=utf-8");
		/* No "100-continue" round trip: gateways answer at once. */
		c->hdrs = curl_slist_append(c->hdrs, "Expect:");
		tmpl_expand(ctx, &ctx->body, ctx->body_enc, msg->to,
		    msg->body, dlr, &c->body);
		curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, c->body.p);
		curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)c->body.len);
	}
	curl_easy_setopt(c->easy, CURLOPT_URL, c->url.p);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->hdrs);
}

/*
 * The answer's first line, at most SMSH_REPLY_MAX bytes cut on a character,
 * control characters and malformed UTF-8 replaced: it is kept in the outbox.
 */
static void
smsh_first_line(const struct smsh_buf *b, char *out, size_t outlen)
{
	const unsigned char	*s = (const unsigned char *)(b->p ? b->p : "");
	size_t			 end, i, j = 0, k, n;

	end = b->len ? strcspn((const char *)s, "\r\n") : 0;
	for (i = 0; i < end && j + 5 < outlen && j < SMSH_REPLY_MAX; ) {
		n = s[i] < 0x80 ? 1 : (s[i] >> 5) == 6 ? 2 :
		    (s[i] >> 4) == 14 ? 3 : (s[i] >> 3) == 30 ? 4 : 0;
		for (k = 1; n > 1 && k < n; k++)
			if (i + k >= end || (s[i + k] & 0xc0) != 0x80)
				n = 0;
		/* what jansson refuses too: overlong forms, surrogates,
		 * code points past U+10FFFF */
		if ((n == 2 && s[i] < 0xc2) ||
		    (n == 3 && s[i] == 0xe0 && s[i + 1] < 0xa0) ||
		    (n == 3 && s[i] == 0xed && s[i + 1] >= 0xa0) ||
		    (n == 4 && s[i] == 0xf0 && s[i + 1] < 0x90) ||
		    (n == 4 && (s[i] > 0xf4 ||
		    (s[i] == 0xf4 && s[i + 1] >= 0x90))))
			n = 0;
		if (n == 0 || (n == 1 && (s[i] < 0x20 || s[i] == 0x7f))) {
			out[j++] = n == 0 ? '?' : ' ';
			i++;
			continue;
		}
		if (j + n >= SMSH_REPLY_MAX)
			break;
		memcpy(out + j, s + i, n);
		i += n;
		j += n;
	}
	out[j] = '\0';
}

/* The transfer of c ended: map it to an outcome, free the slot, report. */
static void
smsh_done(void *arg, CURL *easy, CURLcode rc)
{
	static const char *const names[] = { "sent", "retry", "failed" };
	struct smsh_conn	*c = arg;
	struct smsh		*ctx = c->ctx;
	const struct sv_message	*msg = c->msg;
	enum sv_outcome		 o;
	char			 line[SMSH_REPLY_MAX + 8], reply[256];
	long			 code = 0;

	if (rc != CURLE_OK) {
		o = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ?
		    SV_FAILED : SV_RETRY;
		snprintf(reply, sizeof reply, "%s", c->err[0] ? c->err :
		    curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
		smsh_first_line(&c->answer, line, sizeof line);
		if (code >= 200 && code <= 299) {
			o = smsh_success(ctx, &c->answer) ? SV_SENT : SV_FAILED;
			if (line[0] != '\0')
				snprintf(reply, sizeof reply, "%s", line);
			else
				snprintf(reply, sizeof reply, "HTTP %ld", code);
		} else {
			o = code == 429 || (code >= 500 && code <= 599) ?
			    SV_RETRY : SV_FAILED;
			snprintf(reply, sizeof reply, "HTTP %ld%s%s", code,
			    line[0] ? ": " : "", line);
		}
	}
	api->log(ctx->host, SV_LOG_DEBUG, "done id=%lld status=%ld "
	    "outcome=%s", (long long)msg->id, code, names[o]);
	smsh_conn_clear(c);
	api->complete(ctx->host, msg, o, reply);
}

static int
smsh_send(void *arg, const struct sv_message *msg)
{
	struct smsh		*ctx = arg;
	struct smsh_conn	*c;

	if (msg->to == NULL || msg->to[0] == '\0' || msg->body == NULL) {
		api->complete(ctx->host, msg, SV_FAILED, msg->body == NULL ?
		    "no text" : "no recipient");
		return 0;
	}
	if (msg->encrypt) {
		/* an SMS cannot be encrypted: never send it in clear instead */
		api->complete(ctx->host, msg, SV_FAILED, "an SMS cannot be "
		    "encrypted");
		return 0;
	}
	if ((c = smsh_conn_get(ctx)) == NULL)
		return -1;
	smsh_request(ctx, c, msg);
	c->msg = msg;
	if (api->curl_add(ctx->host, c->easy, smsh_done, c) == -1) {
		smsh_conn_clear(c);
		return -1;
	}
	api->log(ctx->host, SV_LOG_DEBUG, "send id=%lld",
	    (long long)msg->id);
	return 0;
}

static void
smsh_shutdown(void *arg)
{
	if (arg != NULL)
		smsh_free(arg);
}

static const struct sv_channel_ops smsh_ops = {
	SV_PLUGIN_ABI, "sms_http", smsh_init, smsh_send, smsh_shutdown,
};

const struct sv_channel_ops *
stoppvif_plugin_entry(const struct sv_host_api *host)
{
	if (host == NULL || host->abi != SV_PLUGIN_ABI)
		return NULL;
	api = host;
	return &smsh_ops;
}
