/*
 * web.c: the console's server (web.h): the listener, the routes of
 * web_int.h, the checks made before a page runs, and the assets.
 *
 * A request goes through, in order: the assets, /login and /lang (no
 * session needed); the session (none: a redirect to the login page, for
 * every path, known or not, so that routes are not revealed); the route
 * (unknown: 404); the route's role (below it: 403); on a POST its origin
 * and its CSRF token (wrong: 403, the page does not run); then the page,
 * sent in the layout by web_page.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "api.h"
#include "config.h"
#include "html.h"
#include "httpd.h"
#include "log.h"
#include "throttle.h"
#include "util.h"
#include "web.h"
#include "web_int.h"
#include "web_page.h"
#include "web_session.h"

#define WEB_ASSET_MAX	(1024 * 1024)	/* bytes of one asset */
#define WEB_LANG_AGE	(365 * 86400)	/* the language cookie's life */
#define WEB_THROTTLE_KEYS 4096

/* A few dozen browsers, a dozen connections from one (or the proxy). */
static const struct httpd_limits web_limits = {
	48, 12, 30, 30, WEB_MAX_BODY
};

/* The pages: method, path pattern, lowest role, handler. */
static const struct web_route {
	enum httpd_method	 method;
	const char		*pattern;
	enum web_role		 role;
	void			(*fn)(struct web_ctx *);
} web_routes[] = {
	{ HTTPD_GET,  "/",			WEB_ROLE_VIEWER, web_dash },
	{ HTTPD_GET,  "/people",		WEB_ROLE_COORDINATOR,
	    web_people_list },
	{ HTTPD_GET,  "/people/new",		WEB_ROLE_COORDINATOR,
	    web_people_new },
	{ HTTPD_POST, "/people/new",		WEB_ROLE_COORDINATOR,
	    web_people_add },
	{ HTTPD_GET,  "/people/{id}",		WEB_ROLE_COORDINATOR,
	    web_people_show },
	{ HTTPD_POST, "/people/{id}",		WEB_ROLE_COORDINATOR,
	    web_people_edit },
	{ HTTPD_POST, "/people/{id}/key",	WEB_ROLE_COORDINATOR,
	    web_people_key },
	{ HTTPD_GET,  "/calendar",		WEB_ROLE_VIEWER,
	    web_cal_month },
	{ HTTPD_GET,  "/calendar/new",		WEB_ROLE_COORDINATOR,
	    web_cal_new },
	{ HTTPD_POST, "/calendar/new",		WEB_ROLE_COORDINATOR,
	    web_cal_add },
	{ HTTPD_GET,  "/calendar/{id}",		WEB_ROLE_VIEWER,
	    web_cal_show },
	{ HTTPD_POST, "/calendar/{id}",		WEB_ROLE_COORDINATOR,
	    web_cal_edit },
	{ HTTPD_GET,  "/rota",			WEB_ROLE_COORDINATOR,
	    web_rota_week },
	{ HTTPD_POST, "/rota",			WEB_ROLE_COORDINATOR,
	    web_rota_assign },
	{ HTTPD_POST, "/rota/{id}/remove",	WEB_ROLE_COORDINATOR,
	    web_rota_remove },
	{ HTTPD_GET,  "/shelters",		WEB_ROLE_VIEWER,
	    web_shelter_list },
	{ HTTPD_GET,  "/shelters/{name}",	WEB_ROLE_VIEWER,
	    web_shelter_show },
	{ HTTPD_GET,  "/shelters/{name}/act",	WEB_ROLE_COORDINATOR,
	    web_shelter_confirm },
	{ HTTPD_POST, "/shelters/{name}/act",	WEB_ROLE_COORDINATOR,
	    web_shelter_act },
	{ HTTPD_GET,  "/alerts/{id}",		WEB_ROLE_ONCALL,
	    web_alert_show },
	{ HTTPD_POST, "/alerts/{id}/claim",	WEB_ROLE_ONCALL,
	    web_alert_claim },
	{ HTTPD_GET,  "/reports",		WEB_ROLE_VIEWER, web_report },
};
#define WEB_NROUTES	(sizeof web_routes / sizeof web_routes[0])

/* The assets' content types, by extension. */
static const struct {
	const char	*ext;
	const char	*type;
} web_types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml; charset=utf-8" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
};

/* ---- routing ---- */

/*
 * Whether the path segment of n bytes at s matches the pattern's segment
 * pat ("{id}", "{name}" or a word), the id or name kept in ctx.
 */
static int
web_segment(const char *pat, size_t plen, const char *s, size_t n,
    struct web_ctx *ctx)
{
	char	 num[20];
	int64_t	 id;

	if (plen == 4 && strncmp(pat, "{id}", 4) == 0) {
		if (n == 0 || n >= sizeof num || strspn(s, "0123456789") < n)
			return 0;
		memcpy(num, s, n);
		num[n] = '\0';
		if (util_parse_int(num, 1, INT64_MAX, &id) == -1)
			return 0;
		ctx->id = id;
		return 1;
	}
	if (plen == 6 && strncmp(pat, "{name}", 6) == 0) {
		if (n == 0 || n >= sizeof ctx->name || strspn(s,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_-") < n)
			return 0;
		memcpy(ctx->name, s, n);
		ctx->name[n] = '\0';
		return 1;
	}
	return plen == n && strncmp(pat, s, n) == 0;
}

/* Whether path matches pattern, segment by segment. */
static int
web_match(const char *pattern, const char *path, struct web_ctx *ctx)
{
	const char	*p = pattern, *s = path, *pe, *se;

	if (strcmp(pattern, "/") == 0)
		return strcmp(path, "/") == 0;
	while (*p == '/' && *s == '/') {
		p++;
		s++;
		pe = p + strcspn(p, "/");
		se = s + strcspn(s, "/");
		if (!web_segment(p, (size_t)(pe - p), s, (size_t)(se - s), ctx))
			return 0;
		p = pe;
		s = se;
	}
	return *p == '\0' && *s == '\0';
}

/* The route of method and path, or NULL. */
static const struct web_route *
web_route(enum httpd_method method, const char *path, struct web_ctx *ctx)
{
	size_t	 i;

	for (i = 0; i < WEB_NROUTES; i++)
		if (web_routes[i].method == method &&
		    web_match(web_routes[i].pattern, path, ctx))
			return &web_routes[i];
	return NULL;
}

/* The role a GET of path takes (for the navigation); NONE: no such page. */
static enum web_role
web_role_of(const char *path)
{
	struct web_ctx	 ctx;
	const struct web_route *rt;

	memset(&ctx, 0, sizeof ctx);
	rt = web_route(HTTPD_GET, path, &ctx);
	return rt != NULL ? rt->role : WEB_ROLE_COORDINATOR + 1;
}

/* ---- the assets ---- */

/* The content type of asset name, or NULL when it may not be served. */
static const char *
web_asset_type(const char *name)
{
	const char	*dot;
	size_t		 i, n = strlen(name);

	if (n == 0 || n > 64 || !((name[0] >= 'a' && name[0] <= 'z') ||
	    (name[0] >= '0' && name[0] <= '9')) || strspn(name,
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") != n ||
	    strstr(name, "..") != NULL || (dot = strrchr(name, '.')) == NULL)
		return NULL;
	for (i = 0; i < sizeof web_types / sizeof web_types[0]; i++)
		if (strcmp(dot, web_types[i].ext) == 0)
			return web_types[i].type;
	return NULL;
}

/* A plain 404 for what is not a page (an asset, a stray method). */
static void
web_not_found(struct web_ctx *ctx)
{
	evbuffer_add_printf(ctx->resp->body, "%s\n", W(ctx,
	    "Page introuvable.", "Pagina niet gevonden.",
	    "Seite nicht gefunden.", "Page not found."));
	web_send_raw(ctx, 404, "text/plain; charset=utf-8", "no-store");
}

/* Read the regular file at fd of size n into the answer; -1 on error. */
static int
web_asset_read(struct web_ctx *ctx, int fd, size_t n)
{
	char	*buf = xmalloc(n > 0 ? n : 1);
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n && (r = read(fd, buf + got, n - got)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			break;
		got += (size_t)r;
	}
	if (got == n)
		evbuffer_add(ctx->resp->body, buf, n);
	free(buf);
	return got == n ? 0 : -1;
}

/* GET /assets/NAME: a file of the assets folder, cached a day. */
static void
web_asset(struct web_ctx *ctx, const char *name)
{
	const char	*type = web_asset_type(name), *inm;
	char		*path = NULL, etag[64];
	struct stat	 sb;
	int		 fd = -1;

	if (type == NULL || ctx->req->method != HTTPD_GET)
		goto missing;
	xasprintf(&path, "%s/%s", (*ctx->env->conf)->web_assets, name);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1 || fstat(fd, &sb) == -1 ||
	    !S_ISREG(sb.st_mode) || sb.st_size > WEB_ASSET_MAX)
		goto missing;
	snprintf(etag, sizeof etag, "\"%llx-%llx\"",
	    (unsigned long long)sb.st_size,
	    (unsigned long long)sb.st_mtime);
	web_add_header(ctx, "ETag", etag);
	if ((inm = httpd_header(ctx->req, "If-None-Match")) != NULL &&
	    strstr(inm, etag) != NULL) {
		web_send_raw(ctx, 304, type, "public, max-age=86400");
		goto done;
	}
	if (web_asset_read(ctx, fd, (size_t)sb.st_size) == -1) {
		log_warn("web asset_unreadable name=%s", name);
		goto missing;
	}
	web_send_raw(ctx, 200, type, "public, max-age=86400");
	goto done;
missing:
	evbuffer_drain(ctx->resp->body, evbuffer_get_length(ctx->resp->body));
	web_not_found(ctx);
done:
	if (fd != -1)
		close(fd);
	free(path);
}

/* GET /lang?set=nl&next=/path: remember the language a year. */
static void
web_lang(struct web_ctx *ctx)
{
	const char	*set = web_query(ctx, "set");
	const char	*next = web_query(ctx, "next");
	int		 l;

	if (set != NULL && (l = lang_parse(set)) >= 0 && l < LANG_COUNT)
		web_set_cookie(ctx, "sv_lang", lang_codes[l], WEB_LANG_AGE);
	web_redirect(ctx, web_local_path(next) ? next : "/");
}

/* ---- the checks before a page ---- */

/*
 * The host of "host[:port]" at s (an IPv6 address in brackets), *len its
 * length; -1 when s is not that.
 */
static int
web_host_part(const char *s, size_t *len)
{
	const char	*end;

	if (*s == '[')
		end = strchr(s, ']') != NULL ? strchr(s, ']') + 1 : NULL;
	else
		end = s + strcspn(s, ":");
	if (end == NULL || end == s || (*end != '\0' && (*end != ':' ||
	    end[1] == '\0' || strspn(end + 1, "0123456789") !=
	    strlen(end + 1))))
		return -1;
	*len = (size_t)(end - s);
	return 0;
}

/*
 * Whether a POST comes from this site: not a cross-site fetch, and its
 * Origin, when sent, naming the host the request was sent to (the port
 * aside: a proxy may pass the host without it).
 */
static int
web_same_origin(const struct web_ctx *ctx)
{
	const char	*site = httpd_header(ctx->req, "Sec-Fetch-Site");
	const char	*origin = httpd_header(ctx->req, "Origin");
	const char	*host = httpd_header(ctx->req, "Host");
	const char	*p;
	size_t		 olen, hlen;

	if (site != NULL && strcasecmp(site, "cross-site") == 0)
		return 0;
	if (origin == NULL)
		return 1;
	if ((p = strstr(origin, "://")) == NULL || host == NULL ||
	    web_host_part(p + 3, &olen) == -1 ||
	    web_host_part(host, &hlen) == -1)
		return 0;
	return olen == hlen && strncasecmp(p + 3, host, olen) == 0;
}

/* Whether the POST's csrf field is the session's, logged when not. */
static int
web_csrf_ok(struct web_ctx *ctx, const char *route)
{
	if (web_same_origin(ctx) && web_token_equal(web_param(ctx, "csrf"),
	    ctx->csrf))
		return 1;
	log_info("web csrf_refused path=%s", route);
	return 0;
}

/* Answer 403 for a form that is not this session's. */
static void
web_csrf_refuse(struct web_ctx *ctx)
{
	web_fail(ctx, 403, W(ctx, "Le formulaire a expiré : rechargez la page "
	    "et recommencez.", "Het formulier is verlopen: herlaad de pagina "
	    "en begin opnieuw.", "Das Formular ist abgelaufen: Laden Sie die "
	    "Seite neu und beginnen Sie von vorn.", "The form has expired: "
	    "reload the page and start again."));
}

/*
 * The session of the request and its account as it is now: NULL when
 * there is none, it expired, or the account was removed or given a new
 * password since (the session then ends).  -1 in *err when the account
 * could not be read.
 */
static struct web_session *
web_session_of(struct web_ctx *ctx, struct webuser *u, int *err)
{
	const struct config	*conf = *ctx->env->conf;
	struct web_session	*s;
	char			 tok[WEB_TOKEN_LEN + 2], *cause = NULL;
	int			 rc;

	*err = 0;
	if (web_cookie(ctx, "sv_session", tok, sizeof tok) == NULL ||
	    (s = web_session_find(ctx->web->sessions, tok, ctx->now,
	    conf->web_session_idle, conf->web_session_max)) == NULL)
		return NULL;
	if ((rc = webuser_get(ctx->env->store, s->account, u, &cause)) == 1) {
		if (sodium_memcmp(s->stamp, u->stamp, sizeof s->stamp) == 0)
			return s;
		/* stoppvifctl web user passwd: every session of the
		 * account ends, as after a password reset anywhere */
		log_info("web session_ended reason=password_changed "
		    "account_id=%lld", (long long)s->account);
		web_session_close(ctx->web->sessions, s);
		return NULL;
	}
	if (rc == -1) {
		log_warnx("web account_unreadable account_id=%lld error=\"%s\"",
		    (long long)s->account, LOG_QUOTE(cause));
		free(cause);
		*err = 1;
		return NULL;
	}
	log_info("web session_ended reason=account_removed account_id=%lld",
	    (long long)s->account);
	web_session_close(ctx->web->sessions, s);
	return NULL;
}

/* No session: to the login page, coming back here after (on a GET). */
static void
web_to_login(struct web_ctx *ctx)
{
	const char	*target = ctx->req->target;
	char		*next, *loc = NULL;

	if (ctx->req->method != HTTPD_GET || !web_local_path(target) ||
	    strcmp(target, "/") == 0 || strcmp(ctx->req->path, "/logout") ==
	    0 || strlen(target) > 300) {
		web_redirect(ctx, "/login");
		return;
	}
	next = html_urlencode(target);
	xasprintf(&loc, "/login?next=%s", next);
	web_redirect(ctx, loc);
	free(loc);
	free(next);
}

/* Run the page of the request for the account u of session s. */
static void
web_run(struct web_ctx *ctx, struct web_session *s)
{
	struct web_priv		*pv = ctx->priv;
	const struct web_route	*rt;
	const char		*path = ctx->req->path;

	ctx->csrf = s->csrf;
	if (ctx->req->method == HTTPD_POST && strcmp(path, "/logout") == 0) {
		pv->route = "/logout";
		if (web_csrf_ok(ctx, pv->route))
			web_logout(ctx, s);
		else
			web_csrf_refuse(ctx);
		return;
	}
	if (strcmp(path, "/logout") == 0) {
		pv->route = "/logout";
		web_logout_page(ctx);
		return;
	}
	if ((rt = web_route(ctx->req->method, path, ctx)) == NULL) {
		web_fail(ctx, 404, W(ctx, "Cette page n'existe pas. Revenez au "
		    "tableau de bord.", "Deze pagina bestaat niet. Ga terug "
		    "naar het overzicht.", "Diese Seite gibt es nicht. Gehen "
		    "Sie zurück zur Übersicht.", "This page does not exist. Go "
		    "back to the dashboard."));
		return;
	}
	pv->route = rt->pattern;
	if (ctx->user->role < rt->role) {
		web_fail(ctx, 403, rt->role == WEB_ROLE_COORDINATOR ?
		    W(ctx, "Cette page est réservée aux coordinateurs.",
		    "Deze pagina is voorbehouden aan coördinatoren.",
		    "Diese Seite ist den Koordinatoren vorbehalten.",
		    "This page is for coordinators only.") :
		    W(ctx, "Cette page est réservée aux personnes de garde et "
		    "aux coordinateurs.", "Deze pagina is voorbehouden aan wie "
		    "van wacht is en aan coördinatoren.", "Diese Seite ist dem "
		    "Bereitschaftsdienst und den Koordinatoren vorbehalten.",
		    "This page is for on-call staff and coordinators only."));
		return;
	}
	if (ctx->req->method == HTTPD_POST && !web_csrf_ok(ctx, rt->pattern)) {
		web_csrf_refuse(ctx);
		return;
	}
	rt->fn(ctx);
	if (!ctx->answered && ctx->status == 0)
		ctx->status = 200;
}

/* Answer the request: the pages without a session, else those of its
 * session, set in *sp with its account in *u. */
static void
web_dispatch(struct web_ctx *ctx, struct webuser *u, struct web_session **sp)
{
	const struct httpd_req	*req = ctx->req;
	struct web_priv		*pv = ctx->priv;
	int			 err = 0;

	if (strcmp(req->path, "/lang") == 0 && req->method == HTTPD_GET)
		web_lang(ctx);
	else if (strcmp(req->path, "/login") == 0) {
		pv->route = "/login";
		if (req->method == HTTPD_GET)
			web_login_form(ctx);
		else if (web_same_origin(ctx))
			web_login(ctx);
		else {
			log_info("web csrf_refused path=/login");
			web_csrf_refuse(ctx);
		}
	} else if ((*sp = web_session_of(ctx, u, &err)) == NULL && err)
		web_fail(ctx, 500, W(ctx, "Le compte n'a pas pu être lu : "
		    "réessayez dans un instant.", "De account kon niet worden "
		    "gelezen: probeer zo dadelijk opnieuw.", "Das Konto konnte "
		    "nicht gelesen werden: versuchen Sie es gleich noch "
		    "einmal.", "The account could not be read: try again in a "
		    "moment."));
	else if (*sp == NULL)
		web_to_login(ctx);
	else {
		ctx->user = u;
		web_form_lang(ctx);
		web_run(ctx, *sp);
	}
}

/*
 * The flash message: the page's goes to the session s (when it still
 * lives: a logout ends it), and the session's is shown by a page that is
 * not a redirect.
 */
static void
web_flash_take(struct web_ctx *ctx, struct web_session *s)
{
	struct web_priv	*pv = ctx->priv;

	if (s == NULL || !s->used || ctx->user == NULL)
		return;
	if (pv->flash != NULL) {
		free(s->flash);
		s->flash = pv->flash;
		pv->flash = NULL;
	}
	if (pv->location == NULL && s->flash != NULL)
		pv->flash_shown = s->flash;
}

/* The answer to one request of the listener. */
static void
web_handle(const struct httpd_req *req, struct httpd_resp *resp, void *arg)
{
	struct web		*w = arg;
	struct web_ctx		 ctx;
	struct web_priv		 pv;
	struct webuser		 u;
	struct web_session	*s = NULL;

	memset(&ctx, 0, sizeof ctx);
	memset(&pv, 0, sizeof pv);
	ctx.web = w;
	ctx.env = w->env;
	ctx.req = req;
	ctx.resp = resp;
	ctx.priv = &pv;
	ctx.now = util_now();
	ctx.body = html_new();
	web_form_lang(&ctx);
	if (strncmp(req->path, "/assets/", 8) == 0)
		web_asset(&ctx, req->path + 8);
	else {
		web_dispatch(&ctx, &u, &s);
		web_flash_take(&ctx, s);
		web_page_send(&ctx, web_role_of);
		if (pv.flash_shown != NULL) {
			free(s->flash);
			s->flash = NULL;
		}
	}
	html_free(ctx.body);
	web_form_clear(&ctx);
	free(pv.location);
	free(pv.flash);
	free(pv.fail);
}

struct web *
web_new(struct event_base *base, struct api_env *env, char **cause)
{
	struct web		*w = xcalloc(1, sizeof *w);
	const struct config	*conf = *env->conf;
	struct stat		 sb;

	w->base = base;
	w->env = env;
	if (conf->web_listen == NULL || *conf->web_listen == '\0')
		return w;
	if (sodium_init() < 0) {
		util_cause(cause, "libsodium cannot start");
		free(w);
		return NULL;
	}
	if (stat(conf->web_assets, &sb) == -1 || !S_ISDIR(sb.st_mode))
		log_warnx("web assets_missing path=\"%s\" hint=\"the pages will "
		    "have no style: set [web] assets to the folder of "
		    "style.css\"", LOG_QUOTE(conf->web_assets));
	w->sessions = web_sessions_new(WEB_SESSIONS_MAX);
	w->throttle = throttle_new(WEB_THROTTLE_KEYS);
	if ((w->httpd = httpd_new(base, "web", conf->web_listen, &web_limits,
	    web_handle, w, cause)) == NULL) {
		web_free(w);
		return NULL;
	}
	return w;
}

void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	httpd_free(w->httpd);
	web_sessions_free(w->sessions);
	free(w->headers);
	if (w->throttle != NULL)
		throttle_free(w->throttle);
	free(w);
}
