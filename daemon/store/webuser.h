/*
 * webuser.h: the web console's accounts (migration 14).
 *
 * An account has a name (the login: 1 to 32 characters of a-z, 0-9, '.',
 * '_' and '-', case-folded to lower case), a role, optionally the person of
 * the directory it is (required for oncall: a claim from the console is
 * that person's), a preferred language, and its password hashed with
 * libsodium's crypto_pwhash_str (Argon2id, the interactive limits).  The
 * password itself is never stored nor logged.
 *
 * Roles, lowest first: viewer (the agenda, the apartment's state, the
 * reports: what [api] viewers see), oncall (also the open alert, and
 * claiming it as their person), coordinator (also the directory, the
 * calendar, the rota, the apartment's moves: what [api] coordinators do).
 *
 * The control API's shapes (admins only):
 *	GET    /v1/web/users		[account, ...]
 *	POST   /v1/web/users {"name", "role", "password", "person"?, "lang"?,
 *		"replace"?: bool}	{"id": n}, 201
 *	DELETE /v1/web/users/{name}	{"name", "removed": true}
 *	account	{"id", "name", "role", "person": id|null, "lang",
 *		 "created", "last_login": T|null}
 */
#ifndef STOPPVIF_WEBUSER_H
#define STOPPVIF_WEBUSER_H

#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct store;

#define WEBUSER_NAME_MAX	32	/* bytes of an account name */
#define WEBUSER_PASS_MIN	10	/* characters of a password, at least */
#define WEBUSER_PASS_MAX	256	/* bytes of a password, at most */
#define WEBUSER_STAMP_LEN	16	/* bytes of struct webuser's stamp */

enum web_role {
	WEB_ROLE_NONE,
	WEB_ROLE_VIEWER,
	WEB_ROLE_ONCALL,
	WEB_ROLE_COORDINATOR,
};

/* One account, as a session keeps it. */
struct webuser {
	int64_t		 id;
	char		 name[WEBUSER_NAME_MAX + 1];
	enum web_role	 role;
	int64_t		 person;	/* 0: none */
	char		 lang[3];	/* "fr", "nl", "de", "en" */
	/* A digest of the stored hash: it changes whenever a password is
	 * set, so a session begun before ends (webuser_get, webuser_check;
	 * zero from webuser_list's callers). */
	unsigned char	 stamp[WEBUSER_STAMP_LEN];
};

/* "viewer", "oncall", "coordinator" ("none"), and back (-1: unknown). */
const char	*webuser_role_name(enum web_role);
int		 webuser_role_parse(const char *);

/*
 * Add an account from the POST body above (or, with "replace": true, give
 * an existing one a new password, role, person and language), in the
 * caller's transaction.  A new password ends the account's sessions (its
 * stamp changes); the same password again keeps them.  0 with *id, or -1
 * with err naming the field ("name", "role", "password", "person",
 * "lang").
 */
int		 webuser_add(struct store *, json_t *req, int64_t *id,
		    struct error *err);
/* Remove the account name; -1 with err (ERR_NOT_FOUND). */
int		 webuser_remove(struct store *, const char *name,
		    struct error *err);
/* Every account, by name (a new reference; NULL with err). */
json_t		*webuser_list(struct store *, struct error *err);

/*
 * Check name and password: 1 with *u filled (and last_login set, in a
 * transaction of its own) when they match, 0 when not.  An unknown name
 * costs the same hash as a wrong password, so timing does not tell which
 * names exist.  -1 with *cause when the database fails.
 */
int		 webuser_check(struct store *, const char *name,
		    const char *password, struct webuser *u, char **cause);
/* The account id as it is now (a session re-reads it on each request):
 * 1 with *u, 0 when it no longer exists, -1 with *cause. */
int		 webuser_get(struct store *, int64_t id, struct webuser *u,
		    char **cause);

#endif
