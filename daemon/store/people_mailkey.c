/*
 * people_mailkey.c: a person's mail key, the certificate or OpenPGP key the
 * daemon encrypts their emails with (mailcrypt.h).
 *
 * A request gives the file's bytes in base64, as "smime_cert" or
 * "openpgp_key"; mailcrypt_check() judges them against the person's address
 * as it stands after the request, and only the public material it answers
 * is kept, sealed under the person's data key (column mail_key).  Its kind,
 * expiry and fingerprint stay clear beside it, so that the expiry warning
 * (people_expiry.c) opens nothing.  One key per person: giving one replaces
 * the other kind.  The file may have been a private key given by mistake:
 * every copy of its bytes is wiped, and none reaches a log or an answer.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "mailcrypt.h"
#include "people.h"
#include "people_int.h"
#include "store.h"
#include "util.h"

#define MK_SPACE	" \t\r\n"	/* what base64 may be cut with */

/* The request fields and the kind each gives (0: mail_key, removal only). */
static const struct {
	const char	*field;
	int		 kind;
} mk_fields[] = {
	{ "smime_cert", MAILCRYPT_SMIME },
	{ "openpgp_key", MAILCRYPT_PGP },
	{ "mail_key", 0 },
};

/* The column value of a kind, and back. */
static const char *
mk_kind_name(int kind)
{
	return kind == MAILCRYPT_SMIME ? "smime" : "openpgp";
}

static int
mk_kind_parse(const char *s)
{
	if (s != NULL && strcmp(s, "smime") == 0)
		return MAILCRYPT_SMIME;
	if (s != NULL && strcmp(s, "openpgp") == 0)
		return MAILCRYPT_PGP;
	return 0;
}

int64_t
people_mk_days(int64_t expires, int64_t now)
{
	/* a key still usable has at least one day left, rounded up */
	if (expires > now)
		return (expires - now + 86399) / 86400;
	return -((now - expires) / 86400);
}

void
people_mk_wipe(json_t *req)
{
	json_t	*v;
	size_t	 i;

	/* jansson owns the strings and frees them with the request: the
	 * bytes go first, they may be a private key given by mistake */
	for (i = 0; i < sizeof mk_fields / sizeof mk_fields[0]; i++)
		if (json_is_string(v = json_object_get(req, mk_fields[i].field)))
			sodium_memzero((char *)(uintptr_t)json_string_value(v),
			    json_string_length(v));
}

/* Decode base64 s (spaces and line ends allowed) into mk. */
static int
mk_decode(struct people_mk *mk, const char *s, struct error *err)
{
	size_t	 n = 0, i, len = strlen(s);

	for (i = 0; i < len; i++)
		if (strchr(MK_SPACE, s[i]) == NULL)
			n++;
	if (n / 4 * 3 > MAILCRYPT_KEY_MAX + 2) {
		error_set(err, ERR_INVALID, mk->field, "fichier trop gros : "
		    "%d Kio au plus (un certificat ou une clé publique en "
		    "fait quelques-uns)", MAILCRYPT_KEY_MAX / 1024);
		return -1;
	}
	mk->data = xmalloc(n / 4 * 3 + 3);
	if (sodium_base642bin(mk->data, n / 4 * 3 + 3, s, len, MK_SPACE,
	    &mk->len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    mk->len == 0) {
		error_set(err, ERR_INVALID, mk->field, "base64 illisible : "
		    "le contenu du fichier encodé en base64 est attendu "
		    "(stoppvifctl le fait pour vous)");
		return -1;
	}
	return 0;
}

int
people_mk_parse(struct people_vals *pv, const char *key, json_t *v,
    struct error *err)
{
	struct people_mk	*mk = &pv->mk;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof mk_fields / sizeof mk_fields[0]; i++)
		if (strcmp(key, mk_fields[i].field) == 0)
			break;
	if (i == sizeof mk_fields / sizeof mk_fields[0])
		return 0;
	if (mk->present) {
		error_set(err, ERR_INVALID, key, "une seule clé de chiffrement "
		    "par personne : donnez smime_cert, openpgp_key ou "
		    "mail_key (null), un seul des trois");
		return -1;
	}
	mk->present = 1;
	mk->field = mk_fields[i].field;
	if (json_is_null(v) || (json_is_string(v) &&
	    json_string_length(v) == 0))
		return 1;	/* removes the key */
	if (mk_fields[i].kind == 0 || !json_is_string(v)) {
		error_set(err, ERR_INVALID, key, mk_fields[i].kind == 0 ?
		    "seul null est permis (retire la clé) ; pour donner une "
		    "clé : smime_cert ou openpgp_key" : "chaîne attendue : "
		    "le contenu du fichier en base64");
		return -1;
	}
	mk->kind = mk_fields[i].kind;
	rc = mk_decode(mk, json_string_value(v), err);
	return rc == -1 ? -1 : 1;
}

void
people_mk_free(struct people_mk *mk)
{
	if (mk->data != NULL)
		sodium_memzero(mk->data, mk->len);
	free(mk->data);
	memset(mk, 0, sizeof *mk);
}

/*
 * Open sealed column col of person id's row into *out, *len (left NULL
 * when empty).  0, or -1 with err.
 */
static int
mk_open(struct store *st, const struct crypt_key *dk, int64_t id,
    const char *col, uint8_t **out, size_t *len, struct error *err)
{
	static const char *const sql[] = {
		"SELECT email FROM people WHERE id = ?",
		"SELECT mail_key FROM people WHERE id = ?",
	};
	sqlite3_stmt	*stmt;
	char		*cause = NULL;
	int		 rc = 0;

	*out = NULL;
	*len = 0;
	stmt = store_stmt(st, sql[strcmp(col, "email") == 0 ? 0 : 1]);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) == SQLITE_BLOB &&
	    crypt_open(dk, "people", col, id, sqlite3_column_blob(stmt, 0),
	    (size_t)sqlite3_column_bytes(stmt, 0), out, len, &cause) == -1)
		rc = error_take(err, ERR_INTERNAL, col, cause);
	sqlite3_reset(stmt);
	return rc;
}

/* Write the key (NULL: none) and its clear columns to person id. */
static int
mk_write(struct store *st, const struct crypt_key *dk, int64_t id,
    const struct mailcrypt_key *key, struct error *err)
{
	static const char *const sql = "UPDATE people SET mail_key = ?2,"
	    " mail_key_kind = ?3, mail_key_expires = ?4, mail_key_fpr = ?5"
	    " WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	uint8_t		*ct = NULL;
	size_t		 ctlen;
	char		*cause = NULL;
	int		 rc;

	sqlite3_bind_int64(stmt, 1, id);
	if (key != NULL) {
		crypt_seal(dk, "people", "mail_key", id, key->data, key->len,
		    &ct, &ctlen);
		sqlite3_bind_blob(stmt, 2, ct, (int)ctlen, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 3, mk_kind_name(key->kind), -1,
		    SQLITE_STATIC);
		if (key->not_after != 0)
			sqlite3_bind_int64(stmt, 4, key->not_after);
		sqlite3_bind_text(stmt, 5, key->fingerprint, -1,
		    SQLITE_TRANSIENT);
	}
	rc = store_exec_stmt(st, stmt, &cause);
	free(ct);
	if (rc == -1)
		error_take(err, ERR_INTERNAL, NULL, cause);
	return rc;
}

/* The address person id has once pv is written, in *email (NULL: none). */
static int
mk_email(struct store *st, const struct crypt_key *dk, int64_t id,
    const struct people_vals *pv, char **email, struct error *err)
{
	size_t	 len;

	*email = NULL;
	if (pv->present[PF_EMAIL_IDX]) {
		if (pv->value[PF_EMAIL_IDX] != NULL)
			*email = xstrdup(pv->value[PF_EMAIL_IDX]);
		return 0;
	}
	return mk_open(st, dk, id, "email", (uint8_t **)email, &len, err);
}

/* Give person id the key of pv->mk, checked against email. */
static int
mk_give(struct store *st, const struct crypt_key *dk, int64_t id,
    const struct people_mk *mk, const char *email, struct error *err)
{
	struct mailcrypt_key	 key;
	char			*cause = NULL;
	int			 rc;

	if (email == NULL) {
		error_set(err, ERR_INVALID, mk->field, "cette personne n'a "
		    "pas d'adresse email : donnez-lui d'abord une adresse "
		    "(email), sa clé de chiffrement sert à chiffrer ses emails");
		return -1;
	}
	memset(&key, 0, sizeof key);
	if (mailcrypt_check(mk->kind, mk->data, mk->len, email, util_now(),
	    &key, &cause) == -1)
		return error_take(err, ERR_INVALID, mk->field, cause);
	rc = mk_write(st, dk, id, &key, err);
	mailcrypt_key_clear(&key);
	return rc;
}

/*
 * The address changed and no key came with it: the kept key must carry the
 * new one.  No address at all: the key must go too.
 */
static int
mk_follow(struct store *st, const struct crypt_key *dk, int64_t id,
    const char *email, struct error *err)
{
	static const char *const sql =
	    "SELECT mail_key_kind FROM people WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	uint8_t		*data;
	size_t		 len;
	char		*cause = NULL;
	int		 kind = 0, rc;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		kind = mk_kind_parse((const char *)sqlite3_column_text(stmt,
		    0));
	sqlite3_reset(stmt);
	if (kind == 0)
		return 0;
	if (email == NULL) {
		error_set(err, ERR_INVALID, "email", "cette personne a une clé "
		    "de chiffrement pour son adresse : retirez-la en même "
		    "temps (mail_key: null, --no-mail-key) pour effacer "
		    "l'adresse");
		return -1;
	}
	if (mk_open(st, dk, id, "mail_key", &data, &len, err) == -1)
		return -1;
	rc = mailcrypt_check(kind, data, len, email, util_now(), NULL, &cause);
	if (data != NULL)
		sodium_memzero(data, len);
	free(data);
	if (rc == 0)
		return 0;
	error_set(err, ERR_INVALID, "email", "la clé de chiffrement de cette "
	    "personne ne convient pas à la nouvelle adresse : donnez en même "
	    "temps une clé pour cette adresse (smime_cert ou openpgp_key, "
	    "--smime-cert ou --openpgp-key) ou retirez la clé (mail_key: "
	    "null, --no-mail-key).  Détail : %s", cause);
	free(cause);
	return -1;
}

int
people_mk_update(struct store *st, const struct crypt_key *dk, int64_t id,
    const struct people_vals *pv, struct error *err)
{
	char	*email;
	int	 rc;

	if (pv->mk.present && pv->mk.kind == 0)
		return mk_write(st, dk, id, NULL, err);
	if (!pv->mk.present && !pv->present[PF_EMAIL_IDX])
		return 0;
	if (mk_email(st, dk, id, pv, &email, err) == -1)
		return -1;
	if (pv->mk.present)
		rc = mk_give(st, dk, id, &pv->mk, email, err);
	else
		rc = mk_follow(st, dk, id, email, err);
	if (email != NULL)
		sodium_memzero(email, strlen(email));
	free(email);
	return rc;
}

json_t *
people_mk_json(sqlite3_stmt *stmt, int kcol, int ecol, int fcol, int64_t now)
{
	const char	*kind = (const char *)sqlite3_column_text(stmt, kcol);
	const char	*fpr = (const char *)sqlite3_column_text(stmt, fcol);
	char		 when[32];
	int64_t		 exp;

	if (mk_kind_parse(kind) == 0)
		return json_null();
	if (sqlite3_column_type(stmt, ecol) == SQLITE_NULL)
		return json_pack("{ss sn ss sn}", "kind", kind, "expires",
		    "fingerprint", fpr != NULL ? fpr : "", "days_left");
	exp = sqlite3_column_int64(stmt, ecol);
	return json_pack("{ss ss ss sI}", "kind", kind, "expires",
	    util_utc_format(exp, when, sizeof when), "fingerprint",
	    fpr != NULL ? fpr : "", "days_left",
	    (json_int_t)people_mk_days(exp, now));
}
