/*
 * web_page.h: what the console's server files share among themselves and
 * not with the pages: the server's state, the private part of a request
 * (its parsed parameters, what the handler answered), and the answer
 * itself: the layout around a page, the security headers, the cookies.
 *
 * web.c (the listener and the routes) is on top; web_session.c (sessions,
 * login, logout) under it; web_page.c (the answer) and web_form.c (the
 * parameters, the forms) at the bottom, used by every page file too.
 */
#ifndef STOPPVIF_WEB_PAGE_H
#define STOPPVIF_WEB_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "webuser.h"

struct api_env;
struct html;
struct httpd;
struct throttle;
struct web_ctx;
struct web_sessions;

#define WEB_MAX_BODY	(64 * 1024)	/* a pasted OpenPGP key fits */
#define WEB_MAX_PARAMS	512		/* form fields read, at most */

struct web {
	struct event_base	*base;
	struct api_env		*env;
	struct httpd		*httpd;		/* NULL: the console is off */
	struct web_sessions	*sessions;
	struct throttle		*throttle;	/* of the logins */
	char			*headers;	/* of the answer being made */
};

/* One decoded parameter of the query or of the form. */
struct web_param {
	char		*name;
	char		*value;
	size_t		 len;		/* bytes of value (wiped when freed) */
	int		 valid;		/* UTF-8 without NUL */
};

/* The part of a request only the server's files see (web_ctx.priv). */
struct web_priv {
	struct web_param	*query;		/* NULL: not parsed yet */
	size_t			 nquery;
	struct web_param	*form;
	size_t			 nform;
	int			 parsed_query;
	int			 parsed_form;
	char			*location;	/* web_redirect() */
	char			*flash;		/* web_flash() */
	char			*fail;		/* web_fail()'s message */
	const char		*flash_shown;	/* the session's, to show */
	char			 cookies[640];	/* Set-Cookie lines */
	char			 extra[256];	/* more header lines */
	const char		*route;		/* its pattern, for the log */
};

/* ---- web_form.c ---- */

/* Forget the parameters parsed for ctx (at the end of the request). */
void		 web_form_clear(struct web_ctx *);
/* The value of cookie name in the request, copied into buf (NULL when
 * absent, longer than buf, or not of printable ASCII). */
const char	*web_cookie(const struct web_ctx *, const char *name,
		    char *buf, size_t len);
/* The page's language: the sv_lang cookie, else the account's, else
 * French; sets ctx->lang and ctx->lcode. */
void		 web_form_lang(struct web_ctx *);

/* ---- web_page.c ---- */

/*
 * Add a Set-Cookie line for name=value (value NULL: clear it) with the
 * flags of the console's cookies: Path=/, HttpOnly, SameSite=Strict, and
 * Secure when the configuration or the proxy says https.  max_age 0: a
 * session cookie.
 */
void		 web_set_cookie(struct web_ctx *, const char *name,
		    const char *value, int64_t max_age);
/* Add a header line ("Retry-After: 60") to the answer. */
void		 web_add_header(struct web_ctx *, const char *name,
		    const char *value);
/*
 * Send what the handler made: its redirect, its error page, or its body
 * in the layout (or a 500 when its HTML failed).  The layout shows the
 * navigation of ctx->user's role when there is one; role_of tells which
 * role a path of the navigation takes (web.c's table).
 */
void		 web_page_send(struct web_ctx *,
		    enum web_role (*role_of)(const char *path));
/* Send a body that is not a page (an asset, a 304) with type and the
 * security headers; cache says how it may be kept ("no-store"). */
void		 web_send_raw(struct web_ctx *, int status, const char *type,
		    const char *cache);
/* Whether a redirect target is a path of this site ("/x", not "//x"). */
int		 web_local_path(const char *path);
/* The address of the request's client: the peer, or behind a proxy on
 * this machine the last X-Forwarded-For entry.  Never NULL. */
const char	*web_client_addr(const struct web_ctx *, char *buf,
		    size_t len);

#endif
