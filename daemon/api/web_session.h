/*
 * web_session.h: the console's sessions, in the daemon's memory (a restart
 * logs everyone out), and the pages that make and end them: the login
 * (with its rate limit) and the logout.
 *
 * A session is named by a token of 32 random bytes (base64url, the
 * sv_session cookie) and carries its own CSRF token, the account's id, when
 * it began and when it was last used, and a message to show once.  The
 * table is bounded: when full, the session used longest ago goes.  Tokens
 * are compared in constant time and wiped when a session ends.
 */
#ifndef STOPPVIF_WEB_SESSION_H
#define STOPPVIF_WEB_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "webuser.h"

struct web_ctx;
struct web_sessions;

#define WEB_TOKEN_LEN		43	/* characters: 32 bytes in base64url */
#define WEB_SESSIONS_MAX	512

struct web_session {
	int		 used;
	char		 token[WEB_TOKEN_LEN + 1];
	char		 csrf[WEB_TOKEN_LEN + 1];
	int64_t		 account;	/* webuser id */
	unsigned char	 stamp[WEBUSER_STAMP_LEN];	/* its password's */
	int64_t		 created;
	int64_t		 seen;
	char		*flash;		/* to show once, or NULL */
};

/* A table of at most max sessions; never NULL. */
struct web_sessions	*web_sessions_new(size_t max);
/* End every session (the tokens wiped). */
void			 web_sessions_free(struct web_sessions *);

/*
 * The live session named by token at now, its last use set to now; NULL
 * when there is none, or when it was unused for idle seconds or began max
 * seconds ago (then it ends).
 */
struct web_session	*web_session_find(struct web_sessions *,
			    const char *token, int64_t now, int64_t idle,
			    int64_t max);
/* A new session of account at now, with fresh tokens, in a free slot or
 * in that of the session used longest ago; never NULL. */
struct web_session	*web_session_open(struct web_sessions *,
			    int64_t account, int64_t now);
/* End a session: its tokens wiped, its slot free. */
void			 web_session_close(struct web_sessions *,
			    struct web_session *);

/* Whether a, as sent, equals the token tok (constant time). */
int			 web_token_equal(const char *a, const char *tok);

/*
 * The pages of web.c that need no session: GET /login (the form, and the
 * pre-login cookie its CSRF field is checked against), POST /login, and
 * POST /logout of the session s (its CSRF token already checked).
 */
void			 web_login_form(struct web_ctx *);
void			 web_login(struct web_ctx *);
void			 web_logout(struct web_ctx *, struct web_session *s);
/* GET /logout, typed in the address bar: a page whose button logs out
 * (a GET never does: a link on another site could). */
void			 web_logout_page(struct web_ctx *);

#endif
