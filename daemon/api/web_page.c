/*
 * web_page.c: the console's answers (web_page.h) and what a page asks of
 * the server (web_int.h): the call into the control API as the account,
 * a redirect, a flash message, an error page; the layout around a page
 * (head, navigation by role, language links, logout form) and the headers
 * every answer carries (a strict CSP: no inline script or style, no other
 * origin, no frame).
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>

#include "api.h"
#include "config.h"
#include "html.h"
#include "httpd.h"
#include "log.h"
#include "util.h"
#include "web_int.h"
#include "web_page.h"

#define WEB_SECURITY_HEADERS \
	"Content-Security-Policy: default-src 'none'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' data:; form-action 'self'; " \
	"frame-ancestors 'none'; base-uri 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"X-Frame-Options: DENY\r\n" \
	"Referrer-Policy: same-origin\r\n"

/* ---- what a page asks ---- */

int
web_api_as(struct web_ctx *ctx, enum api_role role, const char *method,
    const char *path, json_t *body, json_t **reply)
{
	static const struct {
		const char	*name;
		int		 cmd;
	} methods[] = {
		{ "GET", EVHTTP_REQ_GET }, { "POST", EVHTTP_REQ_POST },
		{ "PATCH", EVHTTP_REQ_PATCH }, { "DELETE", EVHTTP_REQ_DELETE },
	};
	struct api_call		 call;
	struct api_caller	 who;
	char			 actor[8 + WEBUSER_NAME_MAX], *p, *q, *text;
	size_t			 i;
	int			 status;

	memset(&call, 0, sizeof call);
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(method, methods[i].name) == 0)
			break;
	if (i == sizeof methods / sizeof methods[0] || ctx->user == NULL) {
		log_warnx("web api_refused method=%s", LOG_QUOTE(method));
		*reply = json_pack("{ss}", "error", "erreur interne : appel "
		    "impossible");
		return 500;
	}
	call.method = methods[i].cmd;
	p = xstrdup(path);
	if ((q = strchr(p, '?')) != NULL)
		*q++ = '\0';
	call.path = p;
	call.query = q;
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	call.body = text;
	call.len = text != NULL ? strlen(text) : 0;
	memset(&who, 0, sizeof who);
	who.uid = (uid_t)-1;
	who.gid = (gid_t)-1;
	who.role = role;
	snprintf(actor, sizeof actor, "web:%s", ctx->user->name);
	who.actor = actor;
	status = api_handle(ctx->env, &call, &who, reply);
	free(text);
	free(p);
	return status;
}

int
web_api(struct web_ctx *ctx, const char *method, const char *path,
    json_t *body, json_t **reply)
{
	enum api_role	 role = API_ROLE_VIEWER;

	if (ctx->user != NULL && ctx->user->role == WEB_ROLE_COORDINATOR)
		role = API_ROLE_COORDINATOR;
	return web_api_as(ctx, role, method, path, body, reply);
}

int
web_local_path(const char *path)
{
	size_t	 i;

	if (path == NULL || path[0] != '/' || path[1] == '/' ||
	    path[1] == '\\')
		return 0;
	for (i = 0; path[i] != '\0'; i++)
		if ((unsigned char)path[i] <= 0x20 ||
		    (unsigned char)path[i] >= 0x7f || path[i] == '\\')
			return 0;
	return i < 1024;
}

void
web_redirect(struct web_ctx *ctx, const char *location)
{
	struct web_priv	*pv = ctx->priv;

	free(pv->location);
	pv->location = xstrdup(web_local_path(location) ? location : "/");
	ctx->status = 303;
	ctx->answered = 1;
}

void
web_flash(struct web_ctx *ctx, const char *message)
{
	struct web_priv	*pv = ctx->priv;

	free(pv->flash);
	pv->flash = message != NULL ? xstrdup(message) : NULL;
}

void
web_fail(struct web_ctx *ctx, int status, const char *message)
{
	struct web_priv	*pv = ctx->priv;

	free(pv->fail);
	free(pv->location);
	pv->location = NULL;
	pv->fail = xstrdup(message != NULL ? message : "");
	ctx->status = status >= 400 && status <= 599 ? status : 500;
	ctx->answered = 1;
}

/* ---- headers and cookies ---- */

/* Whether the answer goes out over https: always, or as the proxy says. */
static int
web_secure(const struct web_ctx *ctx)
{
	const char	*mode = (*ctx->env->conf)->web_secure_cookies;
	const char	*proto = httpd_header(ctx->req, "X-Forwarded-Proto");

	if (mode != NULL && strcmp(mode, "yes") == 0)
		return 1;
	return proto != NULL && strcasecmp(proto, "https") == 0;
}

void
web_set_cookie(struct web_ctx *ctx, const char *name, const char *value,
    int64_t max_age)
{
	struct web_priv	*pv = ctx->priv;
	size_t		 n = strlen(pv->cookies);
	char		 age[40] = "";

	if (value == NULL)
		snprintf(age, sizeof age, "; Max-Age=0");
	else if (max_age > 0)
		snprintf(age, sizeof age, "; Max-Age=%lld",
		    (long long)max_age);
	snprintf(pv->cookies + n, sizeof pv->cookies - n,
	    "Set-Cookie: %s=%s; Path=/; HttpOnly; SameSite=Strict%s%s\r\n",
	    name, value != NULL ? value : "", web_secure(ctx) ? "; Secure" :
	    "", age);
}

void
web_add_header(struct web_ctx *ctx, const char *name, const char *value)
{
	struct web_priv	*pv = ctx->priv;
	size_t		 n = strlen(pv->extra);

	snprintf(pv->extra + n, sizeof pv->extra - n, "%s: %s\r\n", name,
	    value);
}

/* Set the answer's status, type and headers (the body is written apart). */
static void
web_head(struct web_ctx *ctx, int status, const char *type,
    const char *cache)
{
	struct web_priv	*pv = ctx->priv;

	ctx->resp->status = status;
	ctx->resp->type = type;
	/* kept until the next answer: the server writes it after we return */
	free(ctx->web->headers);
	xasprintf(&ctx->web->headers, WEB_SECURITY_HEADERS
	    "Cache-Control: %s\r\n%s%s%s%s%s", cache, pv->extra, pv->cookies,
	    pv->location != NULL ? "Location: " : "",
	    pv->location != NULL ? pv->location : "",
	    pv->location != NULL ? "\r\n" : "");
	ctx->resp->headers = ctx->web->headers;
}

void
web_send_raw(struct web_ctx *ctx, int status, const char *type,
    const char *cache)
{
	web_head(ctx, status, type, cache);
}

const char *
web_client_addr(const struct web_ctx *ctx, char *buf, size_t len)
{
	const char	*peer = ctx->req->peer != NULL ? ctx->req->peer : "?";
	const char	*xff = httpd_header(ctx->req, "X-Forwarded-For");
	const char	*last;
	size_t		 n;

	util_strlcpy(buf, peer, len);
	if (xff == NULL || (strncmp(peer, "127.", 4) != 0 &&
	    strcmp(peer, "::1") != 0 && strcmp(peer, "::ffff:127.0.0.1") != 0 &&
	    strcmp(peer, "local") != 0))
		return buf;
	last = strrchr(xff, ',') != NULL ? strrchr(xff, ',') + 1 : xff;
	while (*last == ' ' || *last == '\t')
		last++;
	n = strspn(last, "0123456789abcdefABCDEF.:");
	if (n > 0 && n < len && n <= 45 && last[n] == '\0')
		util_strlcpy(buf, last, n + 1);
	return buf;
}

/* ---- the layout ---- */

/* The navigation: path and its words in the four languages. */
static const struct {
	const char	*path;
	const char	*words[4];
} web_nav[] = {
	{ "/", { "Tableau de bord", "Overzicht", "Übersicht",
	    "Dashboard" } },
	{ "/people", { "Personnes", "Personen", "Personen", "People" } },
	{ "/calendar", { "Calendrier", "Kalender", "Kalender", "Calendar" } },
	{ "/rota", { "Permanences", "Permanenties", "Bereitschaft",
	    "On-call rota" } },
	{ "/shelters", { "Logement", "Woning", "Unterkunft", "Lodging" } },
	{ "/reports", { "Rapports", "Rapporten", "Berichte", "Reports" } },
};

/* Whether the page at path is under the navigation item item. */
static int
web_nav_current(const char *path, const char *item)
{
	size_t	 n = strlen(item);

	if (strcmp(item, "/") == 0)
		return strcmp(path, "/") == 0;
	return strncmp(path, item, n) == 0 && (path[n] == '\0' ||
	    path[n] == '/');
}

/*
 * The console's name in the top bar and the titles: [daemon] sender_name,
 * what SMS and emails are signed with, else "Console".  Never the
 * network's name: on-call staff open these pages on a phone that others
 * may see, and the network's name says what it is about.
 */
static const char *
web_brand(const struct web_ctx *ctx)
{
	const char	*name = (*ctx->env->conf)->sender_name;

	return *name != '\0' ? name : W(ctx, "Console", "Console", "Konsole",
	    "Console");
}

/* The top bar: the name, the navigation, the account, the languages. */
static void
web_topbar(struct web_ctx *ctx, struct html *h,
    enum web_role (*role_of)(const char *))
{
	char		*next, link[2200];
	size_t		 i;
	int		 l;
	const char	*here = ctx->req->method == HTTPD_GET ?
			    ctx->req->target : ctx->req->path;

	html_tpl(h, "<header class=\"top\"><div class=\"bar\">"
	    "<a class=\"brand\" href=\"/\">{b}</a>", "b", web_brand(ctx),
	    (char *)NULL);
	if (ctx->user != NULL) {
		html_tpl(h, "<nav aria-label=\"{l}\"><ul>", "l", W(ctx,
		    "Navigation principale", "Hoofdnavigatie",
		    "Hauptnavigation", "Main navigation"), (char *)NULL);
		for (i = 0; i < sizeof web_nav / sizeof web_nav[0]; i++) {
			if (role_of(web_nav[i].path) > ctx->user->role)
				continue;
			html_tpl(h, "<li><a href=\"{p}\"{!cur}>{w}</a></li>",
			    "p", web_nav[i].path, "cur", web_nav_current(
			    ctx->req->path, web_nav[i].path) ?
			    " aria-current=\"page\"" : "",
			    "w", web_nav[i].words[ctx->lang], (char *)NULL);
		}
		html_tpl(h, "</ul></nav><div class=\"account\">"
		    "<span class=\"who\">{n}</span>"
		    "<form method=\"post\" action=\"/logout\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"{c}\">"
		    "<button class=\"btn\" type=\"submit\">{b}</button>"
		    "</form></div>", "n", ctx->user->name, "c", ctx->csrf,
		    "b", W(ctx, "Se déconnecter", "Afmelden", "Abmelden",
		    "Log out"), (char *)NULL);
	}
	html_raw(h, "<ul class=\"langs\">");
	next = html_urlencode(web_local_path(here) ? here : "/");
	for (l = 0; l < LANG_COUNT; l++) {
		snprintf(link, sizeof link, "/lang?set=%s&next=%s",
		    lang_codes[l], strlen(next) < 2048 ? next : "%2F");
		html_tpl(h, "<li><a href=\"{h}\" lang=\"{c}\"{!cur}>{up}</a>"
		    "</li>", "h", link, "c", lang_codes[l], "cur",
		    (int)ctx->lang == l ? " aria-current=\"true\"" : "",
		    "up", (const char *[]){ "FR", "NL", "DE", "EN" }[l],
		    (char *)NULL);
	}
	free(next);
	html_raw(h, "</ul></div></header>");
}

/* The error page's heading for status. */
static const char *
web_fail_title(const struct web_ctx *ctx, int status)
{
	switch (status) {
	case 400:
		return W(ctx, "Demande incorrecte", "Ongeldig verzoek",
		    "Ungültige Anfrage", "Bad request");
	case 401:
		return W(ctx, "Connexion refusée", "Aanmelding geweigerd",
		    "Anmeldung abgelehnt", "Login refused");
	case 403:
		return W(ctx, "Accès refusé", "Toegang geweigerd",
		    "Zugriff verweigert", "Access denied");
	case 404:
		return W(ctx, "Page introuvable", "Pagina niet gevonden",
		    "Seite nicht gefunden", "Page not found");
	case 409:
		return W(ctx, "Conflit", "Conflict", "Konflikt", "Conflict");
	case 429:
		return W(ctx, "Trop d'essais", "Te veel pogingen",
		    "Zu viele Versuche", "Too many attempts");
	default:
		return W(ctx, "Erreur", "Fout", "Fehler", "Error");
	}
}

/* The whole page: the layout around main (already escaped HTML). */
static void
web_layout(struct web_ctx *ctx, struct html *h, const char *title,
    const char *main, enum web_role (*role_of)(const char *))
{
	struct web_priv	*pv = ctx->priv;

	html_tpl(h, "<!doctype html>\n<html lang=\"{lang}\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    "<title>{t} · {b}</title>"
	    "<link rel=\"icon\" href=\"/assets/icon.svg\" "
	    "type=\"image/svg+xml\">"
	    "<link rel=\"stylesheet\" href=\"/assets/style.css\">"
	    "<script src=\"/assets/app.js\" defer></script>"
	    "</head><body>", "lang", ctx->lcode, "t", title, "b", web_brand(ctx),
	    (char *)NULL);
	web_topbar(ctx, h, role_of);
	html_raw(h, "<main id=\"main\">");
	if (pv->flash_shown != NULL)
		html_tpl(h, "<div class=\"flash\" role=\"status\">{f}</div>",
		    "f", pv->flash_shown, (char *)NULL);
	html_tpl(h, "{!m}</main></body></html>\n", "m", main, (char *)NULL);
}

/* Write h's bytes as the answer's body. */
static void
web_body(struct web_ctx *ctx, const struct html *h)
{
	size_t		 len;
	const char	*data = html_data(h, &len);

	evbuffer_add(ctx->resp->body, data, len);
}

void
web_page_send(struct web_ctx *ctx, enum web_role (*role_of)(const char *))
{
	struct web_priv	*pv = ctx->priv;
	struct html	*h = html_new(), *m = html_new();
	const char	*title = ctx->title;
	int		 status = ctx->status != 0 ? ctx->status : 200;

	if (ctx->answered && pv->location != NULL) {
		web_head(ctx, 303, "text/html; charset=utf-8", "no-store");
		goto done;
	}
	if (ctx->body != NULL && html_failed(ctx->body) && !ctx->answered) {
		log_warnx("web page_failed path=%s", pv->route != NULL ?
		    pv->route : "?");
		web_fail(ctx, 500, W(ctx, "La page n'a pas pu être faite. "
		    "Réessayez ; si cela se répète, prévenez l'administrateur.",
		    "De pagina kon niet worden gemaakt. Probeer opnieuw; "
		    "gebeurt het weer, verwittig de beheerder.",
		    "Die Seite konnte nicht erstellt werden. Versuchen Sie es "
		    "erneut; wenn es wieder passiert, benachrichtigen Sie den "
		    "Administrator.", "The page could not be made. Try again; "
		    "if it happens again, tell the administrator."));
		status = 500;
	}
	if (pv->fail != NULL) {
		status = ctx->status;
		title = web_fail_title(ctx, status);
		html_tpl(m, "<div class=\"card\"><h1>{t}</h1><p>{m}</p>", "t",
		    title, "m", pv->fail, (char *)NULL);
		if (ctx->user != NULL)
			html_tpl(m, "<p class=\"actions\"><a class=\"btn\" "
			    "href=\"/\">{b}</a></p>", "b", W(ctx,
			    "Retour au tableau de bord", "Terug naar het "
			    "overzicht", "Zurück zur Übersicht",
			    "Back to the dashboard"), (char *)NULL);
		html_raw(m, "</div>");
	} else if (ctx->body != NULL)
		html_raw(m, html_data(ctx->body, NULL));
	web_layout(ctx, h, title != NULL ? title : web_brand(ctx),
	    html_data(m, NULL), role_of);
	if (html_failed(h) || html_failed(m)) {
		/* a bug of the layout itself: a plain, fixed page */
		log_warnx("web layout_failed path=%s", pv->route != NULL ?
		    pv->route : "?");
		html_reset(h);
		html_raw(h, "<!doctype html>\n<html lang=\"fr\"><head>"
		    "<meta charset=\"utf-8\"><title>Erreur"
		    "</title></head><body><p>Erreur interne.</p></body>"
		    "</html>\n");
		status = 500;
	}
	web_head(ctx, status, "text/html; charset=utf-8", "no-store");
	web_body(ctx, h);
done:
	html_free(m);
	html_free(h);
}
