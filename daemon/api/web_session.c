/*
 * web_session.c: the console's sessions and its login (web_session.h).
 *
 * The login form is protected by a double submit: GET /login sets a
 * pre-login cookie (sv_pre, SameSite=Strict) whose value is also the form's
 * hidden csrf field, and POST /login refuses a form whose field differs
 * from the cookie.  Then the rate limit (throttle.h): failures are counted
 * by account name and by client address; a locked key is answered 429
 * without computing a hash, so a flood of guesses costs the daemon
 * nothing.  A success always opens a new session with new tokens: a token
 * sent before the login never becomes the session's (fixation).
 *
 * The log names the account by id and the client by address; never the
 * name typed, which may be a password typed in the wrong field.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "audit.h"
#include "config.h"
#include "html.h"
#include "httpd.h"
#include "log.h"
#include "store.h"
#include "throttle.h"
#include "utf8.h"
#include "util.h"
#include "web_int.h"
#include "web_page.h"
#include "web_session.h"
#include "webuser.h"

struct web_sessions {
	struct web_session	*s;
	size_t			 max;
};

struct web_sessions *
web_sessions_new(size_t max)
{
	struct web_sessions	*t = xcalloc(1, sizeof *t);

	t->max = max > 0 ? max : 1;
	t->s = xcalloc(t->max, sizeof *t->s);
	return t;
}

void
web_session_close(struct web_sessions *t, struct web_session *s)
{
	(void)t;
	free(s->flash);
	sodium_memzero(s, sizeof *s);
}

void
web_sessions_free(struct web_sessions *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->max; i++)
		if (t->s[i].used)
			web_session_close(t, &t->s[i]);
	free(t->s);
	free(t);
}

/* Fill buf (WEB_TOKEN_LEN + 1 bytes) with a new random token. */
static void
web_token(char *buf)
{
	unsigned char	 bin[32];

	randombytes_buf(bin, sizeof bin);
	sodium_bin2base64(buf, WEB_TOKEN_LEN + 1, bin, sizeof bin,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof bin);
}

int
web_token_equal(const char *a, const char *tok)
{
	return a != NULL && strlen(a) == WEB_TOKEN_LEN &&
	    strlen(tok) == WEB_TOKEN_LEN &&
	    sodium_memcmp(a, tok, WEB_TOKEN_LEN) == 0;
}

struct web_session *
web_session_find(struct web_sessions *t, const char *token, int64_t now,
    int64_t idle, int64_t max)
{
	struct web_session	*found = NULL, *s;
	size_t			 i;

	for (i = 0; i < t->max; i++) {
		s = &t->s[i];
		if (!s->used)
			continue;
		if (now - s->seen > idle || now - s->created > max) {
			web_session_close(t, s);
			continue;
		}
		/* every slot compared: the time does not tell which */
		if (web_token_equal(token, s->token))
			found = s;
	}
	if (found != NULL)
		found->seen = now;
	return found;
}

struct web_session *
web_session_open(struct web_sessions *t, int64_t account, int64_t now)
{
	struct web_session	*s = NULL;
	size_t			 i;

	for (i = 0; i < t->max; i++) {
		if (!t->s[i].used) {
			s = &t->s[i];
			break;
		}
		if (s == NULL || t->s[i].seen < s->seen)
			s = &t->s[i];
	}
	if (s->used) {
		log_info("web session_evicted account_id=%lld",
		    (long long)s->account);
		web_session_close(t, s);
	}
	s->used = 1;
	web_token(s->token);
	web_token(s->csrf);
	s->account = account;
	s->created = s->seen = now;
	return s;
}

/* ---- the login ---- */

/* The login page, with an error box when msg is not NULL. */
static void
web_login_page(struct web_ctx *ctx, const char *pre, const char *msg)
{
	const char	*next = web_param(ctx, "next");
	const char	*name = web_param(ctx, "name");

	ctx->title = W(ctx, "Connexion", "Aanmelden", "Anmelden", "Log in");
	html_tpl(ctx->body, "<div class=\"card login\"><h1>{t}</h1>",
	    "t", ctx->title, (char *)NULL);
	if (msg != NULL)
		html_tpl(ctx->body, "<div class=\"error-box\" role=\"alert\">"
		    "<p>{m}</p></div>", "m", msg, (char *)NULL);
	html_tpl(ctx->body, "<form method=\"post\" action=\"/login\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"{c}\">"
	    "<input type=\"hidden\" name=\"next\" value=\"{n}\">"
	    "<div class=\"field\"><label for=\"f-name\">{ln}</label>"
	    "<input id=\"f-name\" name=\"name\" value=\"{v}\" required "
	    "autocomplete=\"username\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" maxlength=\"32\"></div>"
	    "<div class=\"field\"><label for=\"f-password\">{lp}</label>"
	    "<input type=\"password\" id=\"f-password\" name=\"password\" "
	    "required autocomplete=\"current-password\"></div>"
	    "<div class=\"actions\"><button class=\"btn primary\" "
	    "type=\"submit\">{b}</button></div></form></div>",
	    "c", pre, "n", web_local_path(next) ? next : "",
	    "v", name != NULL && utf8_len(name) <= WEBUSER_NAME_MAX ? name : "",
	    "ln", W(ctx, "Nom", "Naam", "Name", "Name"),
	    "lp", W(ctx, "Mot de passe", "Wachtwoord", "Passwort", "Password"),
	    "b", W(ctx, "Se connecter", "Aanmelden", "Anmelden", "Log in"),
	    (char *)NULL);
}

/* The pre-login token: the cookie's when it is one, else a new one set. */
static void
web_pre_token(struct web_ctx *ctx, char *pre, int fresh)
{
	char	 buf[WEB_TOKEN_LEN + 2];

	if (!fresh && web_cookie(ctx, "sv_pre", buf, sizeof buf) != NULL &&
	    strlen(buf) == WEB_TOKEN_LEN && strspn(buf, "ABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
	    WEB_TOKEN_LEN) {
		memcpy(pre, buf, WEB_TOKEN_LEN + 1);
		return;
	}
	web_token(pre);
	web_set_cookie(ctx, "sv_pre", pre, 0);
}

void
web_login_form(struct web_ctx *ctx)
{
	char	 pre[WEB_TOKEN_LEN + 1];

	web_pre_token(ctx, pre, 0);
	web_login_page(ctx, pre, NULL);
}

/* The throttle's keys of this attempt: "u:name" and "a:address". */
static void
web_login_keys(struct web_ctx *ctx, const char *name, char *ukey,
    size_t ulen, char *akey, size_t alen, char *addr, size_t addrlen)
{
	char	 cut[4 * 48 + 8];
	size_t	 i;

	utf8_cut(cut, sizeof cut, name, 48);
	for (i = 0; cut[i] != '\0'; i++)
		cut[i] = (char)tolower((unsigned char)cut[i]);
	snprintf(ukey, ulen, "u:%s", cut);
	web_client_addr(ctx, addr, addrlen);
	snprintf(akey, alen, "a:%s", addr);
}

/* Answer 429: the keys are locked for wait seconds more. */
static void
web_login_locked(struct web_ctx *ctx, int64_t wait, const char *addr)
{
	char	 pre[WEB_TOKEN_LEN + 1], secs[24], msg[200];
	int64_t	 min = (wait + 59) / 60;

	log_info("web login_failed reason=locked addr=%s", addr);
	snprintf(secs, sizeof secs, "%lld", (long long)wait);
	web_add_header(ctx, "Retry-After", secs);
	switch (ctx->lang) {
	case LANG_NL:
		snprintf(msg, sizeof msg, "Te veel pogingen voor deze account: "
		    "probeer opnieuw over %lld %s.", (long long)min, min > 1 ?
		    "minuten" : "minuut");
		break;
	case LANG_DE:
		snprintf(msg, sizeof msg, "Zu viele Versuche für dieses Konto: "
		    "versuchen Sie es in %lld %s erneut.", (long long)min,
		    min > 1 ? "Minuten" : "Minute");
		break;
	case LANG_EN:
		snprintf(msg, sizeof msg, "Too many attempts for this account: "
		    "try again in %lld %s.", (long long)min, min > 1 ?
		    "minutes" : "minute");
		break;
	default:
		snprintf(msg, sizeof msg, "Trop d'essais pour ce compte : "
		    "réessayez dans %lld %s.", (long long)min, min > 1 ?
		    "minutes" : "minute");
		break;
	}
	web_pre_token(ctx, pre, 0);
	web_login_page(ctx, pre, msg);
	ctx->status = 429;
}

/* Record the login in the audit log, in a transaction of its own. */
static void
web_login_audit(struct web_ctx *ctx, const struct webuser *u)
{
	struct store	*st = ctx->env->store;
	char		 actor[8 + WEBUSER_NAME_MAX];
	char		*cause = NULL;

	snprintf(actor, sizeof actor, "web:%s", u->name);
	if (store_begin(st, &cause) == 0 && audit_record_as(st, actor,
	    "web.login", "webuser", u->id, &cause) == 0 &&
	    store_commit(st, &cause) == 0)
		return;
	if (store_in_txn(st))
		store_rollback(st);
	log_warnx("web login_audit_failed account_id=%lld error=\"%s\"",
	    (long long)u->id, LOG_QUOTE(cause));
	free(cause);
}

/* The account is right: a new session, its cookie, and off to next. */
static void
web_login_ok(struct web_ctx *ctx, const struct webuser *u,
    const char *ukey)
{
	struct web_session	*old;
	char			 buf[WEB_TOKEN_LEN + 2];
	const char		*next = web_param(ctx, "next");

	throttle_clear(ctx->web->throttle, ukey);
	/* a session sent with the login ends: never reused */
	if (web_cookie(ctx, "sv_session", buf, sizeof buf) != NULL &&
	    (old = web_session_find(ctx->web->sessions, buf, ctx->now,
	    INT64_MAX / 4, INT64_MAX / 4)) != NULL)
		web_session_close(ctx->web->sessions, old);
	old = web_session_open(ctx->web->sessions, u->id, ctx->now);
	memcpy(old->stamp, u->stamp, sizeof old->stamp);
	web_set_cookie(ctx, "sv_session", old->token, 0);
	web_set_cookie(ctx, "sv_pre", NULL, 0);
	web_login_audit(ctx, u);
	log_info("web login_ok account_id=%lld", (long long)u->id);
	web_redirect(ctx, web_local_path(next) ? next : "/");
}

/* Answer 403 to a login form that is not the one this browser was given,
 * with a fresh form. */
static void
web_login_expired(struct web_ctx *ctx)
{
	char	 pre[WEB_TOKEN_LEN + 1];

	log_info("web csrf_refused path=/login");
	web_pre_token(ctx, pre, 1);
	web_login_page(ctx, pre, W(ctx, "Le formulaire a expiré : rechargez "
	    "la page et recommencez.", "Het formulier is verlopen: herlaad "
	    "de pagina en begin opnieuw.", "Das Formular ist abgelaufen: "
	    "Laden Sie die Seite neu und beginnen Sie von vorn.",
	    "The form has expired: reload the page and start again."));
	ctx->status = 403;
}

void
web_login(struct web_ctx *ctx)
{
	const struct config	*conf = *ctx->env->conf;
	struct webuser		 u;
	char			 pre[WEB_TOKEN_LEN + 1], ukey[256];
	char			 akey[80], addr[64], buf[WEB_TOKEN_LEN + 2];
	char			*cause = NULL;
	const char		*name = web_param(ctx, "name");
	const char		*pass = web_param(ctx, "password");
	const char		*csrf = web_param(ctx, "csrf");
	int64_t			 wait, await;
	int64_t			 limit = conf->web_login_failures;
	int64_t			 window = conf->web_login_lockout;
	int			 rc;

	if (web_cookie(ctx, "sv_pre", buf, sizeof buf) == NULL ||
	    !web_token_equal(csrf, buf)) {
		web_login_expired(ctx);
		return;
	}
	web_login_keys(ctx, name != NULL ? name : "", ukey, sizeof ukey,
	    akey, sizeof akey, addr, sizeof addr);
	wait = throttle_wait(ctx->web->throttle, ukey, ctx->now);
	await = throttle_wait(ctx->web->throttle, akey, ctx->now);
	if (wait > 0 || await > 0) {
		/* each attempt while locked counts against the address */
		await = throttle_fail(ctx->web->throttle, akey, ctx->now,
		    4 * limit, window);
		web_login_locked(ctx, wait > await ? wait : await, addr);
		return;
	}
	rc = name != NULL && pass != NULL ? webuser_check(ctx->env->store,
	    name, pass, &u, &cause) : 0;
	if (rc == -1) {
		log_warnx("web login_error error=\"%s\"", LOG_QUOTE(cause));
		free(cause);
		web_fail(ctx, 500, W(ctx, "La connexion n'a pas pu être "
		    "vérifiée : réessayez dans un instant.", "De aanmelding kon "
		    "niet worden gecontroleerd: probeer zo dadelijk opnieuw.",
		    "Die Anmeldung konnte nicht geprüft werden: versuchen Sie "
		    "es gleich noch einmal.", "The login could not be checked: "
		    "try again in a moment."));
		return;
	}
	if (rc == 1) {
		web_login_ok(ctx, &u, ukey);
		return;
	}
	log_info("web login_failed reason=password addr=%s", addr);
	(void)throttle_fail(ctx->web->throttle, ukey, ctx->now, limit,
	    window);
	(void)throttle_fail(ctx->web->throttle, akey, ctx->now, 4 * limit,
	    window);
	web_pre_token(ctx, pre, 0);
	web_login_page(ctx, pre, W(ctx, "Nom ou mot de passe incorrect.",
	    "Naam of wachtwoord onjuist.", "Name oder Passwort falsch.",
	    "Wrong name or password."));
	ctx->status = 401;
}

void
web_logout_page(struct web_ctx *ctx)
{
	ctx->title = W(ctx, "Se déconnecter", "Afmelden", "Abmelden",
	    "Log out");
	html_tpl(ctx->body, "<h1>{t}</h1><p>{p}</p>"
	    "<form method=\"post\" action=\"/logout\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"{c}\">"
	    "<button class=\"btn primary\" type=\"submit\">{t}</button>"
	    "</form>", "t", ctx->title, "p", W(ctx, "Votre session se ferme "
	    "sur cet appareil ; il faudra le mot de passe pour revenir.",
	    "Uw sessie op dit toestel wordt gesloten; om terug te komen is "
	    "het wachtwoord nodig.", "Ihre Sitzung auf diesem Gerät wird "
	    "beendet; zum Zurückkehren brauchen Sie das Passwort.", "Your "
	    "session on this device ends; you will need the password to come "
	    "back."), "c", ctx->csrf, (char *)NULL);
}

void
web_logout(struct web_ctx *ctx, struct web_session *s)
{
	log_info("web logout account_id=%lld", (long long)s->account);
	web_session_close(ctx->web->sessions, s);
	web_set_cookie(ctx, "sv_session", NULL, 0);
	web_redirect(ctx, "/login");
}
