/*
 * inbound.c: the listeners for what comes from outside the machine's users
 * (inbound.h): the SMS gateway on its own authenticated listener, and the
 * pages of signed links and the calendar feeds on the public one.
 *
 * Both run on httpd.c, with caps on connections and a deadline per request.
 * Nothing here logs a phone number, a text, a code or a token: the shelters
 * log what they decided, by alert id, and a feed by person id.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "calendar.h"
#include "calendar_feed.h"
#include "config.h"
#include "crypt.h"
#include "dlr.h"
#include "httpd.h"
#include "inbound.h"
#include "log.h"
#include "shelter.h"
#include "shelter_int.h"
#include "util.h"

#define INBOUND_TOKEN_MAX	128	/* characters of a link token */
#define INBOUND_FEED_PATH	"/cal/"	/* then the token and ".ics" */
#define INBOUND_FEED_EXT	".ics"

/* The public pages: many people, often through one reverse proxy. */
static const struct httpd_limits inbound_public_limits = { 128, 32, 10, 5, 0 };
/* The SMS gateway: one client on this machine, a few connections. */
static const struct httpd_limits inbound_sms_limits = { 32, 16, 10, 5, 0 };

struct inbound {
	struct httpd		*pub;		/* NULL when not listening */
	struct httpd		*sms;
	struct crypt_key	*secret;	/* of the SMS gateway */
	struct shelters		*shelters;
	struct dlr		*dlr;		/* NULL: no report route */
	time_t			 refused_logged;
	unsigned		 refused;	/* since then */
	time_t			 dlr_logged;	/* the same, for reports */
	unsigned		 dlr_refused;
	char			 feed_headers[512];	/* of the answer
							   being made */
};

/* The words of the pages, in each language. */
static const struct {
	const char	*lang;
	const char	*title;
	const char	*offer;		/* %s: the code */
	const char	*button;
	const char	*won;		/* %s: code, %s: until */
	const char	*taken;		/* %s: the code */
	const char	*refused;
	const char	*error;
} pages[] = {
	{ "fr", "Logement disponible",
	  "Un logement est disponible (code %s). Le premier qui le réserve "
	  "l'obtient ; les autres en sont avertis.",
	  "Je le réserve",
	  "C'est noté : le logement (code %s) vous est réservé jusqu'au %s.",
	  "Trop tard : le logement du code %s est déjà pris.",
	  "Ce lien n'est pas valable ou a expiré.",
	  "La réservation n'a pas pu être enregistrée. Répondez par SMS ou "
	  "appelez la coordination." },
	{ "nl", "Woning beschikbaar",
	  "Er is een woning vrij (code %s). Wie ze eerst reserveert, krijgt "
	  "ze; de anderen worden verwittigd.",
	  "Ik reserveer ze",
	  "Genoteerd: de woning (code %s) is voor u gereserveerd tot %s.",
	  "Te laat: de woning met code %s is al genomen.",
	  "Deze link is niet geldig of verlopen.",
	  "De reservering kon niet worden opgeslagen. Antwoord per sms of "
	  "bel de coördinatie." },
	{ "de", "Unterkunft frei",
	  "Eine Unterkunft ist frei (Code %s). Wer sie zuerst reserviert, "
	  "bekommt sie; die anderen werden benachrichtigt.",
	  "Ich reserviere sie",
	  "Notiert: Die Unterkunft (Code %s) ist für Sie reserviert bis %s.",
	  "Zu spät: Die Unterkunft mit dem Code %s ist schon vergeben.",
	  "Dieser Link ist ungültig oder abgelaufen.",
	  "Die Reservierung konnte nicht gespeichert werden. Antworten Sie "
	  "per SMS oder rufen Sie die Koordination an." },
	{ "en", "Lodging available",
	  "A lodging is available (code %s). The first to reserve it gets "
	  "it; the others are told.",
	  "I reserve it",
	  "Done: the lodging (code %s) is reserved for you until %s.",
	  "Too late: the lodging of code %s is already taken.",
	  "This link is not valid or has expired.",
	  "The reservation could not be recorded. Reply by SMS or call the "
	  "coordination." },
};
#define NPAGES	(sizeof pages / sizeof pages[0])

/* The headers of every answer: kept out of caches, indexes and frames. */
static void
inbound_headers(struct httpd_resp *r, int status, const char *type)
{
	r->status = status;
	r->type = type;
	r->headers = "Cache-Control: no-store\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "X-Robots-Tag: noindex\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "style-src 'unsafe-inline'; form-action 'self'; "
	    "frame-ancestors 'none'\r\n";
}

/* Append text with its "%s" replaced by a, then b (digits and words
 * made here: nothing to escape). */
static void
inbound_words(struct evbuffer *buf, const char *text, const char *a,
    const char *b)
{
	const char	*p;

	while ((p = strstr(text, "%s")) != NULL) {
		evbuffer_add(buf, text, (size_t)(p - text));
		evbuffer_add(buf, a, strlen(a));
		a = b != NULL ? b : "";
		b = NULL;
		text = p + 2;
	}
	evbuffer_add(buf, text, strlen(text));
}

/* The words of the pages in lang (French when unknown). */
static size_t
inbound_lang(const char *lang)
{
	size_t	 l;

	for (l = 0; l < NPAGES; l++)
		if (strcmp(pages[l].lang, lang) == 0)
			return l;
	return 0;
}

/* What page p says, in the words of language l; its HTTP status. */
static int
inbound_page_text(struct evbuffer *b, size_t l, const struct shelter_page *p)
{
	switch (p->what) {
	case PAGE_OFFER:
		inbound_words(b, pages[l].offer, p->code, NULL);
		evbuffer_add_printf(b, "</p>\n<form method=\"post\"><button "
		    "type=\"submit\">%s</button></form>\n", pages[l].button);
		break;
	case PAGE_WON:
		inbound_words(b, pages[l].won, p->code, p->until);
		evbuffer_add(b, "</p>\n", 5);
		break;
	case PAGE_TAKEN:
		inbound_words(b, pages[l].taken, p->code, NULL);
		evbuffer_add(b, "</p>\n", 5);
		break;
	case PAGE_REFUSED:
		evbuffer_add_printf(b, "%s</p>\n", pages[l].refused);
		return 403;
	case PAGE_ERROR:
		evbuffer_add_printf(b, "%s</p>\n", pages[l].error);
		return 500;
	}
	return 200;
}

/* The page of p, in its language. */
static void
inbound_page(struct httpd_resp *r, const struct shelter_page *p)
{
	struct evbuffer	*b = r->body;
	size_t		 l = inbound_lang(p->lang);
	int		 status;

	evbuffer_add_printf(b, "<!doctype html>\n<html lang=\"%s\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\""
	    "width=device-width\"><title>%s</title></head>\n<body style=\""
	    "font-family:sans-serif;max-width:32em;margin:2em auto\">\n<p>",
	    pages[l].lang, pages[l].title);
	status = inbound_page_text(b, l, p);
	evbuffer_add_printf(b, "</body></html>\n");
	inbound_headers(r, status, "text/html; charset=utf-8");
}

/* A short plain answer. */
static void
inbound_plain(struct httpd_resp *r, int status, const char *text)
{
	inbound_headers(r, status, "text/plain; charset=utf-8");
	evbuffer_add(r->body, text, strlen(text));
}

/* Whether token looks like one of ours: base64url, not too long. */
static int
inbound_token_ok(const char *token)
{
	size_t	 n = strlen(token);

	return n > 0 && n <= INBOUND_TOKEN_MAX && strspn(token,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

/*
 * The token of a feed's path, "/cal/TOKEN.ics", into token (len bytes);
 * 0 when the path is not one.
 */
static int
inbound_feed_token(const char *path, char *token, size_t len)
{
	size_t	 n, pre = strlen(INBOUND_FEED_PATH);
	size_t	 ext = strlen(INBOUND_FEED_EXT);

	n = strlen(path);
	if (n <= pre + ext || n - pre - ext >= len ||
	    strcmp(path + n - ext, INBOUND_FEED_EXT) != 0)
		return 0;
	memcpy(token, path + pre, n - pre - ext);
	token[n - pre - ext] = '\0';
	return inbound_token_ok(token);
}

/*
 * Whether If-None-Match's list names etag (RFC 9110 13.1.2: entity tags
 * separated by commas, weak ones compared as strong, "*" for any).
 */
static int
inbound_etag_match(const char *list, const char *etag)
{
	size_t	 len, n = strlen(etag);

	for (;;) {
		list += strspn(list, " \t,");
		if (*list == '\0')
			return 0;
		if (strncmp(list, "W/", 2) == 0)
			list += 2;
		len = strcspn(list, " \t,");
		if ((len == 1 && *list == '*') || (len == n &&
		    memcmp(list, etag, n) == 0))
			return 1;
		list += len;
	}
}

/* The answer of feed f: 304 when the client has it (If-None-Match). */
static void
inbound_feed_answer(struct inbound *in, const struct httpd_req *req,
    struct httpd_resp *r, const struct calendar_feed *f)
{
	const char	*inm = httpd_header(req, "If-None-Match");

	r->type = "text/calendar; charset=utf-8";
	/* a subscription reads it again and again: cached by the client
	 * only, asked again each time, and never indexed */
	snprintf(in->feed_headers, sizeof in->feed_headers, "ETag: %s\r\n"
	    "Cache-Control: private, no-cache\r\n"
	    "Referrer-Policy: no-referrer\r\nX-Robots-Tag: noindex\r\n"
	    "X-Content-Type-Options: nosniff\r\n", f->etag);
	r->headers = in->feed_headers;
	if (inm != NULL && inbound_etag_match(inm, f->etag))
		r->status = 304;
	else {
		r->status = 200;
		evbuffer_add(r->body, f->text, f->len);
	}
}

/*
 * GET /cal/TOKEN.ics: the calendar feed of the person whose token it is;
 * 404 for any token that opens none, so that nothing tells a reset token
 * from one never made.
 */
static void
inbound_feed(struct inbound *in, const struct httpd_req *req,
    struct httpd_resp *r)
{
	struct shelters		*s = in->shelters;
	struct calendar		 cal;
	struct calendar_feed	 f;
	char			 token[INBOUND_TOKEN_MAX + 1], *cause = NULL;
	int			 rc;

	if (req->method != HTTPD_GET) {
		inbound_plain(r, 405, "GET only\n");
		return;
	}
	if (!inbound_feed_token(req->path, token, sizeof token)) {
		inbound_plain(r, 404, "not found\n");
		return;
	}
	memset(&cal, 0, sizeof cal);
	cal.store = s->store;
	cal.master = s->master;
	cal.default_tz = (*s->conf)->timezone;
	cal.phone_title = (*s->conf)->phone_title;
	if ((rc = calendar_feed(&cal, s->master, token, &f, &cause)) == 1) {
		inbound_feed_answer(in, req, r, &f);
		log_debug("inbound feed_served person=%lld events=%zu "
		    "status=%d", (long long)f.person, f.nevents, r->status);
	} else if (rc == 0)
		inbound_plain(r, 404, "not found\n");
	else {
		log_warnx("inbound feed_failed person=%lld error=\"%s\"",
		    (long long)f.person, LOG_QUOTE(cause));
		inbound_plain(r, 500, "error\n");
	}
	calendar_feed_clear(&f);
	free(cause);
}

void
inbound_public(const struct httpd_req *req, struct httpd_resp *r, void *arg)
{
	struct inbound		*in = arg;
	struct shelter_page	 page;

	if (strncmp(req->path, INBOUND_FEED_PATH,
	    strlen(INBOUND_FEED_PATH)) == 0) {
		inbound_feed(in, req, r);
		return;
	}
	if (strncmp(req->path, "/a/", 3) != 0 || !inbound_token_ok(req->path +
	    3)) {
		inbound_plain(r, 404, "not found\n");
		return;
	}
	shelter_link(in->shelters, req->path + 3, req->method == HTTPD_POST,
	    &page);
	inbound_page(r, &page);
}

/* Say (at most once a second) that requests without the secret came. */
static void
inbound_log_refused(struct inbound *in, const char *why, const char *peer)
{
	time_t	 now = time(NULL);

	in->refused++;
	if (now == in->refused_logged)
		return;
	log_warnx("inbound sms_refused reason=%s peer=%s count=%u hint=\"the "
	    "SMS gateway must send the secret of [inbound] sms_secret_file\"",
	    why, peer, in->refused);
	in->refused_logged = now;
	in->refused = 0;
}

/*
 * The raw value of parameter name in query into out (len bytes), not
 * decoded: the URL the daemon made needs no escape, so an escape ("%00")
 * stays as it came and is refused by the checks.  0 when the parameter is
 * missing, given twice or too long.
 */
static int
inbound_param(const char *query, const char *name, char *out, size_t len)
{
	const char	*s, *end;
	size_t		 n = strlen(name), vlen;
	int		 found = 0;

	for (s = query; *s != '\0'; s = *end != '\0' ? end + 1 : end) {
		end = s + strcspn(s, "&");
		if ((size_t)(end - s) <= n || strncmp(s, name, n) != 0 ||
		    s[n] != '=')
			continue;
		vlen = (size_t)(end - s) - n - 1;
		if (found++ || vlen >= len)
			return 0;
		memcpy(out, s + n + 1, vlen);
		out[vlen] = '\0';
	}
	return found;
}

/*
 * GET /sms/dlr?id=ID&mac=MAC&type=T: a delivery report (dlr.h), the URL
 * the daemon gave the gateway.  Its MAC authenticates it: no secret.  403
 * for a missing or forged id or MAC, logged (at most once a second, never
 * the query), 400 for an unknown type, else 200 and an empty body.
 */
static void
inbound_dlr(struct inbound *in, const struct httpd_req *req,
    struct httpd_resp *r)
{
	const char	*q = req->query != NULL ? req->query : "";
	char		 id[32], mac[80], type[16];
	enum dlr_verdict v;

	if (!inbound_param(q, "id", id, sizeof id) ||
	    !inbound_param(q, "mac", mac, sizeof mac))
		v = DLR_FORBIDDEN;
	else
		v = dlr_report(in->dlr, id, mac, inbound_param(q, "type",
		    type, sizeof type) ? type : NULL);
	if (v == DLR_FORBIDDEN) {
		in->dlr_refused++;
		if (time(NULL) != in->dlr_logged) {
			log_warnx("inbound dlr_refused reason=bad_mac peer=%s "
			    "count=%u hint=\"a report URL not made by this "
			    "daemon, or its master key changed\"", req->peer,
			    in->dlr_refused);
			in->dlr_logged = time(NULL);
			in->dlr_refused = 0;
		}
		inbound_plain(r, 403, "forbidden\n");
	} else if (v == DLR_BAD)
		inbound_plain(r, 400, "unknown report type\n");
	else
		inbound_headers(r, 200, "text/plain");
}

/*
 * The SMS gateway's request: its secret first (the X-Stoppvif-Secret
 * header, or secret= in the query), compared in constant time.  Without
 * it, 403 and nothing read; with it, the reply goes to the shelters.  The
 * answer is always empty: a reply is never sent back through the gateway's
 * HTTP answer.
 */
void
inbound_sms(const struct httpd_req *req, struct httpd_resp *r, void *arg)
{
	struct inbound		*in = arg;
	struct evkeyvalq	 args;
	const char		*secret;

	if (strcmp(req->path, "/sms/inbound") != 0 && (in->dlr == NULL ||
	    strcmp(req->path, "/sms/dlr") != 0)) {
		inbound_plain(r, 404, "not found\n");
		return;
	}
	if (req->method != HTTPD_GET) {
		inbound_plain(r, 405, "GET only\n");
		return;
	}
	if (strcmp(req->path, "/sms/dlr") == 0) {
		inbound_dlr(in, req, r);
		return;
	}
	TAILQ_INIT(&args);
	if (req->query == NULL || evhttp_parse_query_str(req->query,
	    &args) != 0) {
		evhttp_clear_headers(&args);
		inbound_log_refused(in, "bad_request", req->peer);
		inbound_plain(r, 400, "bad request\n");
		return;
	}
	if ((secret = httpd_header(req, "X-Stoppvif-Secret")) == NULL)
		secret = evhttp_find_header(&args, "secret");
	if (secret == NULL || crypt_secret_match(in->secret, secret,
	    strlen(secret)) == -1) {
		inbound_log_refused(in, secret == NULL ? "no_secret" :
		    "bad_secret", req->peer);
		inbound_plain(r, 403, "forbidden\n");
	} else {
		shelter_sms(in->shelters, evhttp_find_header(&args, "from"),
		    evhttp_find_header(&args, "text"));
		inbound_headers(r, 200, "text/plain");
	}
	evhttp_clear_headers(&args);
}

struct inbound *
inbound_new(struct event_base *base, const struct config *c,
    struct shelters *s, struct dlr *dlr, char **cause)
{
	struct inbound		*in = xcalloc(1, sizeof *in);
	int			 created = 0;

	in->shelters = s;
	in->dlr = dlr;
	if (*c->sms_listen != '\0') {
		if ((in->secret = crypt_secret_load(c->sms_secret_file, 1,
		    &created, cause)) == NULL)
			goto fail;
		if (created)
			log_info("inbound sms_secret_created file=%s "
			    "hint=\"give it to the SMS gateway: see "
			    "stoppvif.ini(5)\"",
			    c->sms_secret_file);
		if ((in->sms = httpd_new(base, "sms", c->sms_listen,
		    &inbound_sms_limits, inbound_sms, in, cause)) == NULL)
			goto fail;
	}
	if (*c->inbound_listen != '\0' && (in->pub = httpd_new(base,
	    "public", c->inbound_listen, &inbound_public_limits,
	    inbound_public, in, cause)) == NULL)
		goto fail;
	return in;
fail:
	inbound_free(in);
	return NULL;
}

void
inbound_free(struct inbound *in)
{
	if (in == NULL)
		return;
	httpd_free(in->pub);
	httpd_free(in->sms);
	crypt_key_free(in->secret);
	free(in);
}
