/*
 * inbound.c: the TCP listener for SMS replies and signed links (inbound.h).
 *
 * evhttp on the event base, small limits: these requests come from a
 * gateway or a browser, never with much to say.  Nothing here logs a phone
 * number or a token: the shelters log what they decided, by alert id.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "inbound.h"
#include "log.h"
#include "shelter.h"
#include "util.h"

#define INBOUND_MAX_BODY	4096
#define INBOUND_MAX_HEADERS	8192
#define INBOUND_TIMEOUT		10	/* seconds */

struct inbound {
	struct evhttp		*http;
	struct shelters		*shelters;
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
	{ "fr", "Stopp Vif",
	  "Un logement est disponible (code %s). Le premier qui le réserve "
	  "l'obtient ; les autres en sont avertis.",
	  "Je le réserve",
	  "C'est noté : le logement (code %s) vous est réservé jusqu'au %s.",
	  "Trop tard : le logement du code %s est déjà pris.",
	  "Ce lien n'est pas valable ou a expiré.",
	  "La réservation n'a pas pu être enregistrée. Répondez par SMS ou "
	  "appelez la coordination." },
	{ "nl", "Stopp Vif",
	  "Er is een woning vrij (code %s). Wie ze eerst reserveert, krijgt "
	  "ze; de anderen worden verwittigd.",
	  "Ik reserveer ze",
	  "Genoteerd: de woning (code %s) is voor u gereserveerd tot %s.",
	  "Te laat: de woning met code %s is al genomen.",
	  "Deze link is niet geldig of verlopen.",
	  "De reservering kon niet worden opgeslagen. Antwoord per sms of "
	  "bel de coördinatie." },
	{ "de", "Stopp Vif",
	  "Eine Unterkunft ist frei (Code %s). Wer sie zuerst reserviert, "
	  "bekommt sie; die anderen werden benachrichtigt.",
	  "Ich reserviere sie",
	  "Notiert: Die Unterkunft (Code %s) ist für Sie reserviert bis %s.",
	  "Zu spät: Die Unterkunft mit dem Code %s ist schon vergeben.",
	  "Dieser Link ist ungültig oder abgelaufen.",
	  "Die Reservierung konnte nicht gespeichert werden. Antworten Sie "
	  "per SMS oder rufen Sie die Koordination an." },
	{ "en", "Stopp Vif",
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

/* Send a small response with headers that keep it out of caches. */
static void
inbound_send(struct evhttp_request *req, int status, const char *type,
    struct evbuffer *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Robots-Tag", "noindex");
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; form-action 'self'");
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Refused", body);
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

/* The page of p, in its language (French when unknown). */
static void
inbound_page(struct evhttp_request *req, const struct shelter_page *p)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 l;
	int		 status = 200;

	for (l = 0; l < NPAGES; l++)
		if (strcmp(pages[l].lang, p->lang) == 0)
			break;
	if (l == NPAGES)
		l = 0;
	evbuffer_add_printf(b, "<!doctype html>\n<html lang=\"%s\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\""
	    "width=device-width\"><title>%s</title></head>\n<body style=\""
	    "font-family:sans-serif;max-width:32em;margin:2em auto\">\n<p>",
	    pages[l].lang, pages[l].title);
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
		status = 403;
		break;
	case PAGE_ERROR:
		evbuffer_add_printf(b, "%s</p>\n", pages[l].error);
		status = 500;
		break;
	}
	evbuffer_add_printf(b, "</body></html>\n");
	inbound_send(req, status, "text/html; charset=utf-8", b);
	evbuffer_free(b);
}

/* GET /sms/inbound?from=...&text=...: a reply from a phone. */
static void
inbound_sms(struct inbound *in, struct evhttp_request *req)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*q = evhttp_uri_get_query(uri);
	struct evkeyvalq	 args;
	struct evbuffer		*b = evbuffer_new();

	TAILQ_INIT(&args);
	if (q == NULL || evhttp_parse_query_str(q, &args) != 0)
		log_info("inbound sms_ignored reason=bad_request");
	else
		shelter_sms(in->shelters, evhttp_find_header(&args, "from"),
		    evhttp_find_header(&args, "text"));
	evhttp_clear_headers(&args);
	inbound_send(req, 200, "text/plain", b);	/* empty: no reply */
	evbuffer_free(b);
}

static void
inbound_dispatch(struct evhttp_request *req, void *arg)
{
	struct inbound		*in = arg;
	const char		*path = evhttp_uri_get_path(
				    evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req);
	struct shelter_page	 page;
	struct evbuffer		*b;

	if (path != NULL && strcmp(path, "/sms/inbound") == 0 &&
	    m == EVHTTP_REQ_GET) {
		inbound_sms(in, req);
		return;
	}
	if (path != NULL && strncmp(path, "/a/", 3) == 0 &&
	    strchr(path + 3, '/') == NULL && (m == EVHTTP_REQ_GET ||
	    m == EVHTTP_REQ_POST)) {
		shelter_link(in->shelters, path + 3, m == EVHTTP_REQ_POST,
		    &page);
		inbound_page(req, &page);
		return;
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "not found\n");
	inbound_send(req, 404, "text/plain", b);
	evbuffer_free(b);
}

/* Split "host:port" or "[v6]:port" (checked by the configuration). */
static int
inbound_addr(const char *addr, char *host, size_t len, uint16_t *port)
{
	const char	*colon = strrchr(addr, ':');
	int64_t		 p;
	size_t		 n;

	if (colon == NULL || util_parse_int(colon + 1, 1, 65535, &p) == -1)
		return -1;
	n = (size_t)(colon - addr);
	if (addr[0] == '[' && n >= 2) {
		addr++;
		n -= 2;
	}
	if (n >= len)
		return -1;
	memcpy(host, addr, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	return 0;
}

struct inbound *
inbound_new(struct event_base *base, const char *addr, struct shelters *s,
    char **cause)
{
	struct inbound	*in;
	char		 host[64];
	uint16_t	 port;

	if (inbound_addr(addr, host, sizeof host, &port) == -1) {
		util_cause(cause, "inbound_listen %s: not address:port", addr);
		return NULL;
	}
	in = xcalloc(1, sizeof *in);
	in->shelters = s;
	if ((in->http = evhttp_new(base)) == NULL)
		fatalx("inbound: evhttp_new failed");
	evhttp_set_max_body_size(in->http, INBOUND_MAX_BODY);
	evhttp_set_max_headers_size(in->http, INBOUND_MAX_HEADERS);
	evhttp_set_timeout(in->http, INBOUND_TIMEOUT);
	evhttp_set_allowed_methods(in->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(in->http, inbound_dispatch, in);
	if (evhttp_bind_socket_with_handle(in->http, host, port) == NULL) {
		util_cause(cause, "inbound_listen %s: cannot listen (in use?)",
		    addr);
		inbound_free(in);
		return NULL;
	}
	log_info("inbound listening addr=%s", addr);
	return in;
}

void
inbound_free(struct inbound *in)
{
	if (in == NULL)
		return;
	evhttp_free(in->http);
	free(in);
}
