/*
 * web_int.h: what the console's page files share with its server (web.c):
 * the request being answered, its parameters, its account, the layout
 * helpers and the call into the control API.  Not a contract for callers
 * outside daemon/api: see web.h.
 *
 * A page handler reads ctx (its parameters, its account), calls the API
 * through web_api() and writes the page's main content into ctx->body
 * with html.h (every value escaped), setting ctx->title.  web.c wraps that
 * content in the layout (head, navigation, language links, the flash
 * message) and sends it with the security headers.  A handler may instead
 * answer a redirect (web_redirect) or an error page (web_fail).
 *
 * Before a handler runs, web.c has checked the session (no session: a
 * redirect to /login), the route's role (below it: 403), and on a POST the
 * CSRF token (missing or wrong: 403, and the handler does not run).
 *
 * Texts are in the account's language: W(ctx, fr, nl, de, en) picks one of
 * four literals.  French is the default and the fallback.
 */
#ifndef STOPPVIF_WEB_INT_H
#define STOPPVIF_WEB_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api_role.h"
#include "lang.h"
#include "webuser.h"

struct api_env;
struct html;
struct httpd_req;
struct httpd_resp;
struct web;

/* The request being answered. */
struct web_ctx {
	struct web		*web;
	struct api_env		*env;
	const struct httpd_req	*req;
	struct httpd_resp	*resp;
	const struct webuser	*user;		/* the account logged in */
	enum lang		 lang;		/* the page's language */
	const char		*lcode;		/* its code: "fr" */
	const char		*csrf;		/* the session's token */
	int64_t			 id;		/* the {id} path segment */
	char			 name[64];	/* the {name} path segment */
	int64_t			 now;		/* time(NULL) at the request */
	/* written by the handler */
	struct html		*body;		/* the main content */
	const char		*title;		/* the page's title (a literal) */
	int			 status;	/* 200 unless set */
	int			 answered;	/* a redirect or an error was set */
	/* private to web.c */
	void			*priv;
};

/* One of four literals by the page's language: W(ctx, "Personnes",
 * "Personen", "Personen", "People"). */
const char	*web_w(const struct web_ctx *, const char *fr, const char *nl,
		    const char *de, const char *en);
#define W(ctx, fr, nl, de, en)	web_w((ctx), (fr), (nl), (de), (en))

/*
 * A parameter of the request: on a GET the query's, on a POST the form
 * body's (application/x-www-form-urlencoded), percent-decoded.  NULL when
 * absent, or when its value is not valid UTF-8 or holds a NUL.  The i-th
 * of a repeated name (checkboxes) with web_param_n, i from 0.  The strings
 * live until the handler returns.
 */
const char	*web_param(struct web_ctx *, const char *name);
const char	*web_param_n(struct web_ctx *, const char *name, size_t i);
/* Whether the request has a parameter name at all, text or not: tells a
 * field left out (unchanged) from one that is not text (an error). */
int		 web_param_sent(struct web_ctx *, const char *name);
/* A query parameter even on a POST (the page's ?month=, ?week=). */
const char	*web_query(struct web_ctx *, const char *name);

/*
 * Call the control API as the account: method is one of "GET", "POST",
 * "PATCH", "DELETE"; path with its query ("/v1/agenda?limit=10"); body a
 * JSON object (borrowed) or NULL.  The account's role is its API role
 * (coordinator: coordinator; oncall and viewer: viewer) and its changes are
 * audited as "web:NAME", each in the API's one transaction.  Returns the
 * HTTP status the API would answer, with *reply a new reference (the
 * result, or {"error", "field"}).
 */
int		 web_api(struct web_ctx *, const char *method,
		    const char *path, json_t *body, json_t **reply);
/*
 * The same with role instead of the account's: only for the one move a
 * route of the console allows above the account's API role (an oncall
 * account claiming an alert for its own person).  Still audited as the
 * account.
 */
int		 web_api_as(struct web_ctx *, enum api_role role,
		    const char *method, const char *path, json_t *body,
		    json_t **reply);

/* The string member key of an API reply's object o, or NULL (not a
 * string, no such member, o not an object). */
const char	*web_str(const json_t *o, const char *key);

/* Answer 303 to location (a path of the console, "/people/12"). */
void		 web_redirect(struct web_ctx *, const char *location);
/* A message shown once, on the session's next page ("Personne ajoutée"). */
void		 web_flash(struct web_ctx *, const char *message);
/* Answer an error page with status and message (in the page's language). */
void		 web_fail(struct web_ctx *, int status, const char *message);

/*
 * Forms.  web_form_begin writes <form method="post" action="ACTION"> and
 * the hidden CSRF field; every POST form of the console starts with it.
 * web_input writes one labelled field; when err (an API reply, or NULL)
 * is an error whose "field" is in->name, its message is written under the
 * field and the field marked invalid (aria-invalid, aria-describedby).
 */
struct web_input {
	const char	*name;		/* the parameter's name */
	const char	*label;		/* what the user reads */
	const char	*type;		/* text, email, tel, date, time,
					 * datetime-local, number, password,
					 * textarea; NULL: text */
	const char	*value;		/* NULL: empty */
	const char	*hint;		/* a line under the label, or NULL */
	int		 required;
};
void		 web_form_begin(struct web_ctx *, const char *action);
void		 web_form_end(struct web_ctx *);
void		 web_input(struct web_ctx *, const struct web_input *,
		    const json_t *err);
/* An API error reply not about a field of the form (or about a field the
 * form does not show): a box with its message; nothing when err is not
 * an error. */
void		 web_error_box(struct web_ctx *, const json_t *err);

/*
 * A date and time of the API ("2026-12-07T14:00:00+01:00", or
 * "2026-12-07") written as people write it, in the page's language
 * (datefmt.h): "lundi 7 décembre 2026 à 14h00".  Returns buf; the text as
 * it is when it cannot be read.
 */
const char	*web_date(const struct web_ctx *, const char *api_time,
		    int style, char *buf, size_t len);

/*
 * The pages (web_*.c), routed by web.c.  The role is the lowest account
 * role a route takes.
 *	GET  /				web_dash		viewer
 *	GET  /people			web_people_list		coordinator
 *	GET  /people/new		web_people_new		coordinator
 *	POST /people/new		web_people_add		coordinator
 *	GET  /people/{id}		web_people_show		coordinator
 *	POST /people/{id}		web_people_edit		coordinator
 *	POST /people/{id}/key		web_people_key		coordinator
 *	GET  /calendar			web_cal_month		viewer
 *	GET  /calendar/new		web_cal_new		coordinator
 *	POST /calendar/new		web_cal_add		coordinator
 *	GET  /calendar/{id}		web_cal_show		viewer
 *	POST /calendar/{id}		web_cal_edit		coordinator
 *	GET  /rota			web_rota_week		coordinator
 *	POST /rota			web_rota_assign		coordinator
 *	POST /rota/{id}/remove		web_rota_remove		coordinator
 *	GET  /shelters			web_shelter_list	viewer
 *	GET  /shelters/{name}		web_shelter_show	viewer
 *	GET  /shelters/{name}/act	web_shelter_confirm	coordinator
 *	POST /shelters/{name}/act	web_shelter_act		coordinator
 *	GET  /alerts/{id}		web_alert_show		oncall
 *	POST /alerts/{id}/claim		web_alert_claim		oncall
 *	GET  /reports			web_report		viewer
 * web.c itself answers /login, /logout, /lang and /assets/.
 */
void	web_dash(struct web_ctx *);
void	web_people_list(struct web_ctx *);
void	web_people_new(struct web_ctx *);
void	web_people_add(struct web_ctx *);
void	web_people_show(struct web_ctx *);
void	web_people_edit(struct web_ctx *);
void	web_people_key(struct web_ctx *);
void	web_cal_month(struct web_ctx *);
void	web_cal_new(struct web_ctx *);
void	web_cal_add(struct web_ctx *);
void	web_cal_show(struct web_ctx *);
void	web_cal_edit(struct web_ctx *);
void	web_rota_week(struct web_ctx *);
void	web_rota_assign(struct web_ctx *);
void	web_rota_remove(struct web_ctx *);
void	web_shelter_list(struct web_ctx *);
void	web_shelter_show(struct web_ctx *);
void	web_shelter_confirm(struct web_ctx *);
void	web_shelter_act(struct web_ctx *);
void	web_alert_show(struct web_ctx *);
void	web_alert_claim(struct web_ctx *);
void	web_report(struct web_ctx *);

#endif
