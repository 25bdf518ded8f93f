/*
 * webuser.c: the web console's accounts in the store (webuser.h).
 *
 * The request of an account is checked field by field (name, role,
 * password, person, lang, replace), the password hashed with Argon2id and
 * the row written in the caller's transaction.  Checking a login hashes
 * exactly once whether or not the name exists: an unknown name is checked
 * against a dummy hash made once, with the same cost.  The password never
 * reaches a message, a log line or the database.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "error.h"
#include "lang.h"
#include "log.h"
#include "people.h"
#include "store.h"
#include "utf8.h"
#include "util.h"
#include "webuser.h"

#define WEBUSER_COLS "id, name, role, person, lang"

/* The roles by enum web_role: the one list of their names. */
static const char *const webuser_roles[] = {
	"none", "viewer", "oncall", "coordinator",
};

#define WEBUSER_ROLE_LIST	"coordinator, oncall ou viewer"
#define WEBUSER_NAME_RULE \
	"nom de compte : lettres a-z, chiffres, . _ - (32 au plus), sans " \
	"espace ni accent, commençant par une lettre ou un chiffre"

/* The fields an account request may carry. */
static const char *const webuser_fields[] = {
	"name", "role", "password", "person", "lang", "replace",
};

/* One account request, checked. */
struct webuser_req {
	char		 name[WEBUSER_NAME_MAX + 1];
	enum web_role	 role;
	const char	*password;	/* in the request: not a copy */
	size_t		 passlen;
	int64_t		 person;	/* 0: none */
	const char	*lang;
	int		 replace;
};

const char *
webuser_role_name(enum web_role role)
{
	if ((unsigned)role >= sizeof webuser_roles / sizeof webuser_roles[0])
		return "none";
	return webuser_roles[role];
}

int
webuser_role_parse(const char *s)
{
	int	 r;

	for (r = WEB_ROLE_VIEWER; r <= WEB_ROLE_COORDINATOR; r++)
		if (strcmp(s, webuser_roles[r]) == 0)
			return r;
	return -1;
}

/*
 * Fold s (len bytes) into out as an account name: 0, or -1 when it is not
 * one (empty, too long, a byte outside a-z 0-9 . _ -, or a first byte that
 * is not a letter or a digit).
 */
static int
webuser_name_fold(const char *s, size_t len, char *out)
{
	size_t	 i;
	int	 c;

	if (len == 0 || len > WEBUSER_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    (i == 0 || (c != '.' && c != '_' && c != '-')))
			return -1;
		out[i] = (char)c;
	}
	out[len] = '\0';
	return 0;
}

/* A string member of req (NULL when absent or null); -1 with err when
 * it is another type or holds a NUL. */
static int
webuser_str(json_t *req, const char *key, const char **out, size_t *len,
    struct error *err)
{
	json_t	*v = json_object_get(req, key);

	*out = NULL;
	*len = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		error_set(err, ERR_INVALID, key, "%s : texte attendu", key);
		return -1;
	}
	*out = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

/* Refuse a member of req that is not an account field. */
static int
webuser_unknown_fields(json_t *req, struct error *err)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	json_object_foreach(req, key, v) {
		for (i = 0; i < sizeof webuser_fields /
		    sizeof webuser_fields[0]; i++)
			if (strcmp(key, webuser_fields[i]) == 0)
				break;
		if (i == sizeof webuser_fields / sizeof webuser_fields[0]) {
			error_set(err, ERR_INVALID, key, "champ inconnu « %s »",
			    UTF8_CUT(key, 32));
			return -1;
		}
	}
	return 0;
}

/* The name and the role of req into q; -1 with err. */
static int
webuser_req_who(json_t *req, struct webuser_req *q, struct error *err)
{
	json_t		*v;
	const char	*s;
	size_t		 len;
	int		 role;

	v = json_object_get(req, "name");
	if (v == NULL || json_is_null(v)) {
		error_set(err, ERR_INVALID, "name", "nom de compte manquant");
		return -1;
	}
	/* a NUL inside is a byte outside the rule: the fold refuses it */
	if (!json_is_string(v) || webuser_name_fold(json_string_value(v),
	    json_string_length(v), q->name) == -1) {
		error_set(err, ERR_INVALID, "name", WEBUSER_NAME_RULE);
		return -1;
	}
	if (webuser_str(req, "role", &s, &len, err) == -1)
		return -1;
	if (s == NULL) {
		error_set(err, ERR_INVALID, "role", "rôle manquant : "
		    WEBUSER_ROLE_LIST);
		return -1;
	}
	if ((role = webuser_role_parse(s)) == -1) {
		error_set(err, ERR_INVALID, "role", "rôle inconnu « %s » : "
		    WEBUSER_ROLE_LIST, utf8_valid(s, len) ? UTF8_CUT(s, 32) :
		    "?");
		return -1;
	}
	q->role = role;
	return 0;
}

/* The password of req into q (pointing into req); -1 with err. */
static int
webuser_req_password(json_t *req, struct webuser_req *q, struct error *err)
{
	if (webuser_str(req, "password", &q->password, &q->passlen, err) == -1)
		return -1;
	if (q->password == NULL || q->passlen == 0) {
		error_set(err, ERR_INVALID, "password", "mot de passe "
		    "manquant");
		return -1;
	}
	if (q->passlen > WEBUSER_PASS_MAX) {
		error_set(err, ERR_INVALID, "password", "mot de passe trop "
		    "long : %d octets au plus", WEBUSER_PASS_MAX);
		return -1;
	}
	if (!utf8_valid(q->password, q->passlen)) {
		error_set(err, ERR_INVALID, "password", "le mot de passe n'est "
		    "pas du texte UTF-8 valide");
		return -1;
	}
	if (utf8_len(q->password) < WEBUSER_PASS_MIN) {
		error_set(err, ERR_INVALID, "password", "mot de passe trop "
		    "court : %d caractères au moins", WEBUSER_PASS_MIN);
		return -1;
	}
	if (strcasecmp(q->password, q->name) == 0) {
		error_set(err, ERR_INVALID, "password", "le mot de passe ne "
		    "peut pas être le nom du compte");
		return -1;
	}
	return 0;
}

/* The person, the language and replace of req into q; -1 with err. */
static int
webuser_req_rest(struct store *st, json_t *req, struct webuser_req *q,
    struct error *err)
{
	json_t		*v = json_object_get(req, "person");
	size_t		 len;

	q->person = 0;
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			error_set(err, ERR_INVALID, "person", "numéro de "
			    "personne attendu (stoppvifctl people list)");
			return -1;
		}
		q->person = json_integer_value(v);
		if (!people_exists(st, q->person)) {
			error_set(err, ERR_NOT_FOUND, "person", "aucune personne "
			    "n'a le numéro %lld", (long long)q->person);
			return -1;
		}
	}
	if (q->role == WEB_ROLE_ONCALL && q->person == 0) {
		error_set(err, ERR_INVALID, "person", "un compte oncall doit "
		    "nommer sa personne de l'annuaire : --person ID "
		    "(stoppvifctl people list)");
		return -1;
	}
	if (webuser_str(req, "lang", &q->lang, &len, err) == -1)
		return -1;
	if (q->lang == NULL)
		q->lang = "fr";
	else if (lang_parse(q->lang) < 0) {
		error_set(err, ERR_INVALID, "lang", "langue inconnue « %s » : "
		    "%s", utf8_valid(q->lang, len) ? UTF8_CUT(q->lang, 16) :
		    "?", lang_list());
		return -1;
	}
	v = json_object_get(req, "replace");
	if (v != NULL && !json_is_boolean(v)) {
		error_set(err, ERR_INVALID, "replace", "true ou false attendu");
		return -1;
	}
	q->replace = json_is_true(v);
	return 0;
}

/* The id of the account name: >0, 0 when there is none. */
static int64_t
webuser_id_of(struct store *st, const char *name)
{
	static const char *const sql =
	    "SELECT id FROM web_users WHERE name = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 id = 0;

	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return id;
}

/* Write the account of q with hash: a new row, or account id's (id > 0)
 * changed.  0 with *out, or -1 with err. */
static int
webuser_write(struct store *st, const struct webuser_req *q, int64_t id,
    const char *hash, int64_t *out, struct error *err)
{
	static const char *const ins = "INSERT INTO web_users (name, role,"
	    " person, lang, hash, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char *const upd = "UPDATE web_users SET role = ?2,"
	    " person = ?3, lang = ?4, hash = ?5 WHERE id = ?7";
	sqlite3_stmt	*stmt = store_stmt(st, id > 0 ? upd : ins);
	char		 now[32], *cause = NULL;

	util_utc_now(now, sizeof now);
	if (id == 0)
		sqlite3_bind_text(stmt, 1, q->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, webuser_role_name(q->role), -1,
	    SQLITE_STATIC);
	if (q->person > 0)
		sqlite3_bind_int64(stmt, 3, q->person);
	else
		sqlite3_bind_null(stmt, 3);
	sqlite3_bind_text(stmt, 4, q->lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, hash, -1, SQLITE_STATIC);
	if (id == 0)
		sqlite3_bind_text(stmt, 6, now, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 7, id);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		return error_take(err, ERR_INTERNAL, NULL, cause);
	*out = id > 0 ? id : store_last_id(st);
	return 0;
}

/*
 * Into hash, account id's stored hash when password still matches it (a
 * role or language changed with the same password: the account's
 * sessions go on); 1 then, else 0.
 */
static int
webuser_same_password(struct store *st, int64_t id, const char *password,
    size_t passlen, char *hash, size_t size)
{
	static const char *const sql = "SELECT hash FROM web_users"
	    " WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	const char	*h;
	int		 same = 0;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    (h = (const char *)sqlite3_column_text(stmt, 0)) != NULL &&
	    util_strlcpy(hash, h, size) < size)
		same = crypto_pwhash_str_verify(hash, password, passlen) == 0 &&
		    crypto_pwhash_str_needs_rehash(hash,
		    crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
	sqlite3_reset(stmt);
	return same;
}

int
webuser_add(struct store *st, json_t *req, int64_t *id, struct error *err)
{
	struct webuser_req	 q;
	char			 hash[crypto_pwhash_STRBYTES];
	int64_t			 have;
	int			 rc;

	memset(&q, 0, sizeof q);
	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "objet JSON attendu");
		return -1;
	}
	if (webuser_unknown_fields(req, err) == -1 ||
	    webuser_req_who(req, &q, err) == -1 ||
	    webuser_req_password(req, &q, err) == -1 ||
	    webuser_req_rest(st, req, &q, err) == -1)
		return -1;
	have = webuser_id_of(st, q.name);
	if (have > 0 && !q.replace) {
		error_set(err, ERR_CONFLICT, "name", "le compte %s existe "
		    "déjà : stoppvifctl web user passwd %s pour changer son "
		    "mot de passe", q.name, q.name);
		return -1;
	}
	if (have == 0 && q.replace) {
		error_set(err, ERR_NOT_FOUND, "name", "aucun compte ne "
		    "s'appelle %s (stoppvifctl web user list)", q.name);
		return -1;
	}
	if (sodium_init() < 0 || (!(have > 0 && webuser_same_password(st,
	    have, q.password, q.passlen, hash, sizeof hash)) &&
	    crypto_pwhash_str(hash, q.password, q.passlen,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)) {
		error_set(err, ERR_INTERNAL, NULL, "mémoire insuffisante pour "
		    "chiffrer le mot de passe");
		return -1;
	}
	rc = webuser_write(st, &q, have, hash, id, err);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int
webuser_remove(struct store *st, const char *name, struct error *err)
{
	static const char *const sql = "DELETE FROM web_users WHERE id = ?";
	sqlite3_stmt	*stmt;
	char		 folded[WEBUSER_NAME_MAX + 1], *cause = NULL;
	int64_t		 id = 0;

	if (webuser_name_fold(name, strlen(name), folded) == 0)
		id = webuser_id_of(st, folded);
	if (id == 0) {
		error_set(err, ERR_NOT_FOUND, "name", "aucun compte ne "
		    "s'appelle « %s » (stoppvifctl web user list)",
		    utf8_valid(name, strlen(name)) ? UTF8_CUT(name, 32) : "?");
		return -1;
	}
	stmt = store_stmt(st, sql);
	sqlite3_bind_int64(stmt, 1, id);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		return error_take(err, ERR_INTERNAL, NULL, cause);
	return 0;
}

/* Column col of stmt as a JSON string, or null. */
static json_t *
webuser_text(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(stmt, col));
}

json_t *
webuser_list(struct store *st, struct error *err)
{
	static const char *const sql = "SELECT " WEBUSER_COLS ", created,"
	    " last_login FROM web_users ORDER BY name";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	json_t		*arr = json_array(), *o;
	int		 rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		o = json_object();
		json_object_set_new(o, "id",
		    json_integer(sqlite3_column_int64(stmt, 0)));
		json_object_set_new(o, "name", webuser_text(stmt, 1));
		json_object_set_new(o, "role", webuser_text(stmt, 2));
		json_object_set_new(o, "person", sqlite3_column_type(stmt, 3) ==
		    SQLITE_NULL ? json_null() :
		    json_integer(sqlite3_column_int64(stmt, 3)));
		json_object_set_new(o, "lang", webuser_text(stmt, 4));
		json_object_set_new(o, "created", webuser_text(stmt, 5));
		json_object_set_new(o, "last_login", webuser_text(stmt, 6));
		json_array_append_new(arr, o);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		error_set(err, ERR_INTERNAL, NULL, "lecture des comptes "
		    "impossible : %s", store_errmsg(st));
		return NULL;
	}
	return arr;
}

/* The stamp of the stored hash h (NULL: none) into u. */
static void
webuser_stamp(struct webuser *u, const char *h)
{
	memset(u->stamp, 0, sizeof u->stamp);
	if (h != NULL && sodium_init() >= 0)
		crypto_generichash(u->stamp, sizeof u->stamp,
		    (const unsigned char *)h, strlen(h), NULL, 0);
}

/* The account of a row of WEBUSER_COLS into u. */
static void
webuser_row(sqlite3_stmt *stmt, struct webuser *u)
{
	const char	*s;
	int		 role;

	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(stmt, 0);
	if ((s = (const char *)sqlite3_column_text(stmt, 1)) != NULL)
		util_strlcpy(u->name, s, sizeof u->name);
	s = (const char *)sqlite3_column_text(stmt, 2);
	role = s != NULL ? webuser_role_parse(s) : -1;
	u->role = role == -1 ? WEB_ROLE_NONE : (enum web_role)role;
	u->person = sqlite3_column_int64(stmt, 3);	/* NULL reads 0 */
	s = (const char *)sqlite3_column_text(stmt, 4);
	util_strlcpy(u->lang, s != NULL && lang_parse(s) >= 0 ? s : "fr",
	    sizeof u->lang);
}

int
webuser_get(struct store *st, int64_t id, struct webuser *u, char **cause)
{
	static const char *const sql = "SELECT " WEBUSER_COLS ", hash"
	    " FROM web_users WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int		 rc;

	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		webuser_row(stmt, u);
		webuser_stamp(u, (const char *)sqlite3_column_text(stmt, 5));
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_cause(st, "webuser_get", cause);
	return -1;
}

/*
 * The hash an unknown name is checked against, made once from random
 * bytes with the same limits as every account's: NULL when it cannot be.
 */
static const char *
webuser_dummy_hash(void)
{
	static char	 dummy[crypto_pwhash_STRBYTES];
	unsigned char	 pw[16];

	if (dummy[0] != '\0')
		return dummy;
	if (sodium_init() < 0)
		return NULL;
	randombytes_buf(pw, sizeof pw);
	if (crypto_pwhash_str(dummy, (const char *)pw, sizeof pw,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy[0] = '\0';
	sodium_memzero(pw, sizeof pw);
	return dummy[0] != '\0' ? dummy : NULL;
}

/* Set the last login of account id to now, in a transaction of its own
 * unless one is open: 0, or -1 with *cause. */
static int
webuser_touch(struct store *st, int64_t id, char **cause)
{
	static const char *const sql =
	    "UPDATE web_users SET last_login = ? WHERE id = ?";
	sqlite3_stmt	*stmt;
	char		 now[32];
	int		 own = !store_in_txn(st);

	if (own && store_begin(st, cause) == -1)
		return -1;
	stmt = store_stmt(st, sql);
	sqlite3_bind_text(stmt, 1, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, id);
	if (store_exec_stmt(st, stmt, cause) == -1) {
		if (own)
			store_rollback(st);
		return -1;
	}
	if (own && store_commit(st, cause) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
webuser_check(struct store *st, const char *name, const char *password,
    struct webuser *u, char **cause)
{
	static const char *const sql = "SELECT " WEBUSER_COLS ", hash"
	    " FROM web_users WHERE name = ?";
	sqlite3_stmt	*stmt;
	char		 folded[WEBUSER_NAME_MAX + 1];
	char		 hash[crypto_pwhash_STRBYTES];
	const char	*h, *dummy;
	size_t		 passlen = strlen(password);
	int		 rc, found = 0, ok;

	if (passlen > WEBUSER_PASS_MAX || !utf8_valid(password, passlen) ||
	    webuser_name_fold(name, strlen(name), folded) == -1)
		return 0;
	hash[0] = '\0';
	stmt = store_stmt(st, sql);
	sqlite3_bind_text(stmt, 1, folded, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		webuser_row(stmt, u);
		if ((h = (const char *)sqlite3_column_text(stmt, 5)) != NULL)
			found = util_strlcpy(hash, h, sizeof hash) <
			    sizeof hash;
		webuser_stamp(u, h);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_cause(st, "webuser_check", cause);
		return -1;
	}
	if (!found) {
		/* the same work as a real check, and a refusal */
		if ((dummy = webuser_dummy_hash()) != NULL &&
		    crypto_pwhash_str_verify(dummy, password, passlen) == 0)
			log_warnx("webuser check dummy=matched");
		memset(u, 0, sizeof *u);
		return 0;
	}
	ok = crypto_pwhash_str_verify(hash, password, passlen) == 0;
	sodium_memzero(hash, sizeof hash);
	if (!ok) {
		memset(u, 0, sizeof *u);
		return 0;
	}
	if (webuser_touch(st, u->id, cause) == -1)
		return -1;
	return 1;
}
