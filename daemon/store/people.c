/*
 * people.c: the directory.
 *
 * Each request field is described once, in pfields[]: its JSON name, how it
 * is validated, whether it is required and whether it is sealed.  Adding a
 * person is one insert of the clear columns, a new data key wrapped by the
 * master key, then the sealed columns bound to the new row id.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audience.h"
#include "config.h"
#include "contact.h"
#include "crypt.h"
#include "guard.h"
#include "people.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

static const char *const people_langs[] = { "fr", "nl", "de", "en", NULL };

enum pf_type {
	PF_TEXT,
	PF_ROLES,
	PF_EMAIL,
	PF_PHONE,
	PF_LANG,
	PF_PUBKEY,
	PF_QUIET,
};

struct pfield {
	const char	*name;		/* JSON field and column */
	enum pf_type	 type;
	int		 required;	/* on add */
	int		 clearable;	/* "" or null empties it */
	int		 sealed;
	size_t		 max;		/* PF_TEXT: characters */
	const char	*update;	/* UPDATE for this column */
};

enum { PF_NAME, PF_ROLES_IDX, PF_COMMUNE, PF_ORG, PF_EMAIL_IDX, PF_PHONE_IDX,
    PF_LANG_IDX, PF_PUBKEY_IDX, PF_QUIET_IDX, NPFIELDS };

static const struct pfield pfields[NPFIELDS] = {
	{ "name", PF_TEXT, 1, 0, 1, 100,
	    "UPDATE people SET name = ?2 WHERE id = ?1" },
	{ "roles", PF_ROLES, 1, 0, 0, 0, NULL },
	{ "commune", PF_TEXT, 0, 1, 0, 64,
	    "UPDATE people SET commune = ?2 WHERE id = ?1" },
	{ "org", PF_TEXT, 0, 1, 0, 100,
	    "UPDATE people SET org = ?2 WHERE id = ?1" },
	{ "email", PF_EMAIL, 0, 1, 1, 0,
	    "UPDATE people SET email = ?2 WHERE id = ?1" },
	{ "phone", PF_PHONE, 0, 1, 1, 0,
	    "UPDATE people SET phone = ?2 WHERE id = ?1" },
	{ "lang", PF_LANG, 0, 0, 0, 0,
	    "UPDATE people SET lang = ?2 WHERE id = ?1" },
	{ "pubkey", PF_PUBKEY, 0, 1, 0, 0,
	    "UPDATE people SET pubkey = ?2 WHERE id = ?1" },
	{ "quiet_hours", PF_QUIET, 0, 1, 0, 0,
	    "UPDATE people SET quiet_hours = ?2 WHERE id = ?1" },
};

/* Validated values of one request: NULL value with present set clears. */
struct pvals {
	int		 present[NPFIELDS];
	char		*value[NPFIELDS];
	unsigned	 roles;		/* bit i: audience_roles[i] */
};

#define SQL_PERSON \
    "SELECT p.id, p.name, p.email, p.phone, p.commune, p.org, p.lang," \
    " p.pubkey, p.created, p.updated, p.removed, k.wrapped," \
    " (SELECT group_concat(role) FROM person_roles r" \
    "  WHERE r.person_id = p.id), p.quiet_hours" \
    " FROM people p LEFT JOIN person_keys k ON k.person_id = p.id"
static const char *const sql_by_id = SQL_PERSON " WHERE p.id = ?";
static const char *const sql_list = SQL_PERSON " WHERE p.removed IS NULL"
    " AND (?1 IS NULL OR EXISTS (SELECT 1 FROM person_roles r"
    " WHERE r.person_id = p.id AND r.role = ?1)) ORDER BY p.id";

static void
pvals_free(struct pvals *pv)
{
	size_t	 i;

	for (i = 0; i < NPFIELDS; i++) {
		if (pv->value[i] != NULL && pfields[i].sealed)
			sodium_memzero(pv->value[i], strlen(pv->value[i]));
		free(pv->value[i]);
	}
}

/* Parse roles: an array of names or one comma-separated string. */
static int
pv_roles(json_t *v, unsigned *mask, struct error *err)
{
	char		*copy, *tok, *save = NULL;
	json_t		*item;
	size_t		 i;
	int		 bit, rc = 0;

	*mask = 0;
	if (json_is_string(v)) {
		copy = xstrdup(json_string_value(v));
		for (tok = strtok_r(copy, ", ", &save); tok != NULL && rc == 0;
		    tok = strtok_r(NULL, ", ", &save)) {
			if ((bit = audience_role(tok)) == -1)
				rc = -1;
			else
				*mask |= 1u << bit;
		}
		free(copy);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (!json_is_string(item) || (bit =
			    audience_role(json_string_value(item))) == -1) {
				rc = -1;
				break;
			}
			*mask |= 1u << bit;
		}
	} else
		rc = -1;
	if (rc == -1 || *mask == 0) {
		error_set(err, ERR_INVALID, "roles", "rôle inconnu ou "
		    "absent : choisissez parmi referent, platform, oncall, "
		    "coordinator, animator, partner");
		return -1;
	}
	return 0;
}

/* Check free text: nothing invisible, no control characters, length
 * within bounds. */
static int
pv_text(const struct pfield *f, const char *s, struct error *err)
{
	char	*cause = NULL;

	if (guard_input_check(s, 0, &cause) == -1) {
		error_set(err, ERR_INVALID, f->name, "%s", cause);
		free(cause);
		return -1;
	}
	if (utf8_len(s) > f->max) {
		error_set(err, ERR_INVALID, f->name, "trop long : "
		    "%zu caractères au plus", f->max);
		return -1;
	}
	if (!f->clearable && *s == '\0') {
		error_set(err, ERR_INVALID, f->name, "ne peut pas "
		    "être vide");
		return -1;
	}
	return 0;
}

/*
 * A person's quiet hours, "HH:MM-HH:MM" (an en dash or spaces around the
 * dash allowed) or "none" (no quiet hours for them, whatever the daemon's),
 * normalised into buf.  0 or -1.
 */
static int
people_quiet(const char *s, char *buf, size_t len)
{
	const char	*dash;
	char		 a[8], b[8];
	int		 from, to;

	if (strcmp(s, "none") == 0) {
		util_strlcpy(buf, s, len);
		return 0;
	}
	if ((dash = strstr(s, "\xe2\x80\x93")) == NULL &&	/* en dash */
	    (dash = strchr(s, '-')) == NULL)
		return -1;
	if (sscanf(s, " %7[0-9:]", a) != 1 || sscanf(dash + (*dash == '-' ?
	    1 : 3), " %7[0-9:] ", b) != 1)
		return -1;
	snprintf(buf, len, "%s-%s", a, b);
	if (config_quiet_parse(buf, &from, &to) == -1)
		return -1;
	snprintf(buf, len, "%02d:%02d-%02d:%02d", from / 60, from % 60,
	    to / 60, to % 60);
	return 0;
}

/* Validate one string field; *out is the normalised value. */
static int
pv_string(const struct pfield *f, const char *s, char **out,
    struct error *err)
{
	char		 buf[CONTACT_EMAIL_MAX + 1], *cause = NULL;
	unsigned char	 pk[crypto_box_PUBLICKEYBYTES];
	size_t		 pklen, i;
	int		 rc = 0;

	switch (f->type) {
	case PF_TEXT:
		if (pv_text(f, s, err) == -1)
			return -1;
		*out = xstrdup(s);
		return 0;
	case PF_EMAIL:
		rc = contact_email_normalize(s, buf, sizeof buf, &cause);
		break;
	case PF_PHONE:
		rc = contact_phone_normalize(s, buf, sizeof buf, &cause);
		break;
	case PF_LANG:
		for (i = 0; people_langs[i] != NULL; i++)
			if (strcmp(people_langs[i], s) == 0)
				break;
		if (people_langs[i] == NULL) {
			error_set(err, ERR_INVALID, f->name, "langue "
			    "inconnue « %s » : fr, nl, de ou en",
			    UTF8_CUT(s, 16));
			return -1;
		}
		util_strlcpy(buf, s, sizeof buf);
		break;
	case PF_PUBKEY:
		if (sodium_base642bin(pk, sizeof pk, s, strlen(s), NULL, &pklen,
		    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    pklen != sizeof pk) {
			error_set(err, ERR_INVALID, f->name, "clé "
			    "publique invalide : 32 octets en base64 attendus "
			    "(44 caractères finissant par =)");
			return -1;
		}
		util_strlcpy(buf, s, sizeof buf);
		break;
	case PF_QUIET:
		if (people_quiet(s, buf, sizeof buf) == -1) {
			error_set(err, ERR_INVALID, f->name, "heures "
			    "calmes « %s » : HH:MM-HH:MM attendu (par "
			    "exemple 21:00-08:00), ou none pour aucune",
			    UTF8_CUT(s, 32));
			return -1;
		}
		break;
	case PF_ROLES:
		/* pvals_parse reads roles itself: never here */
		error_set(err, ERR_INTERNAL, f->name, "champ mal décrit");
		return -1;
	}
	if (rc == -1) {
		error_set(err, ERR_INVALID, f->name, "%s", cause);
		free(cause);
		return -1;
	}
	*out = xstrdup(buf);
	sodium_memzero(buf, sizeof buf);
	return 0;
}

/* Validate a whole request; on add, required fields must be present. */
static int
pvals_parse(json_t *req, int adding, struct pvals *pv, struct error *err)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	memset(pv, 0, sizeof *pv);
	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "la requête doit être "
		    "un objet JSON");
		return -1;
	}
	json_object_foreach(req, key, v) {
		for (i = 0; i < NPFIELDS; i++)
			if (strcmp(pfields[i].name, key) == 0)
				break;
		if (i == NPFIELDS) {
			error_set(err, ERR_INVALID, UTF8_CUT(key, 32),
			    "champ inconnu « %s »", UTF8_CUT(key, 32));
			return -1;
		}
		pv->present[i] = 1;
		if (pfields[i].type == PF_ROLES) {
			if (pv_roles(v, &pv->roles, err) == -1)
				return -1;
			continue;
		}
		if (pfields[i].clearable && (json_is_null(v) ||
		    (json_is_string(v) && *json_string_value(v) == '\0')))
			continue;	/* clears the field */
		if (!json_is_string(v)) {
			error_set(err, ERR_INVALID, pfields[i].name,
			    "doit être une chaîne de caractères");
			return -1;
		}
		if (pv_string(&pfields[i], json_string_value(v),
		    &pv->value[i], err) == -1)
			return -1;
	}
	for (i = 0; i < NPFIELDS; i++) {
		if (!pfields[i].required || (!adding && !pv->present[i]))
			continue;
		if (!pv->present[i] || (pfields[i].type != PF_ROLES &&
		    pv->value[i] == NULL)) {
			error_set(err, ERR_INVALID, pfields[i].name,
			    "obligatoire");
			return -1;
		}
	}
	return 0;
}

/* Write field i of person id: sealed under dk when it is a sealed field. */
static int
people_write_field(struct store *st, const struct crypt_key *dk, int64_t id,
    size_t i, const char *value, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(st, pfields[i].update);
	uint8_t		*ct = NULL;
	size_t		 ctlen;
	char		*cause = NULL;
	int		 rc;

	sqlite3_bind_int64(stmt, 1, id);
	if (value != NULL && pfields[i].sealed) {
		crypt_seal(dk, "people", pfields[i].name, id, value,
		    strlen(value), &ct, &ctlen);
		sqlite3_bind_blob(stmt, 2, ct, (int)ctlen, SQLITE_TRANSIENT);
	} else if (value != NULL)
		sqlite3_bind_text(stmt, 2, value, -1, SQLITE_TRANSIENT);
	rc = store_exec_stmt(st, stmt, &cause);
	free(ct);
	if (rc == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", cause);
		free(cause);
	}
	return rc;
}

/* Replace the roles of person id with mask. */
static int
people_write_roles(struct store *st, int64_t id, unsigned mask,
    struct error *err)
{
	static const char *const del =
	    "DELETE FROM person_roles WHERE person_id = ?";
	static const char *const ins =
	    "INSERT INTO person_roles (person_id, role) VALUES (?, ?)";
	sqlite3_stmt	*stmt;
	char		*cause = NULL;
	int		 i;

	stmt = store_stmt(st, del);
	sqlite3_bind_int64(stmt, 1, id);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		goto fail;
	for (i = 0; audience_roles[i] != NULL; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		stmt = store_stmt(st, ins);
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, audience_roles[i], -1, SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, &cause) == -1)
			goto fail;
	}
	return 0;
fail:
	error_set(err, ERR_INTERNAL, NULL, "%s", cause);
	free(cause);
	return -1;
}

/* Write every present field of pv to person id, then its updated time. */
static int
people_write(struct store *st, const struct crypt_key *dk, int64_t id,
    const struct pvals *pv, struct error *err)
{
	static const char *const touch =
	    "UPDATE people SET updated = ?2 WHERE id = ?1";
	sqlite3_stmt	*stmt;
	char		 now[32], *cause = NULL;
	size_t		 i;

	for (i = 0; i < NPFIELDS; i++) {
		if (!pv->present[i])
			continue;
		if (pfields[i].type == PF_ROLES) {
			if (people_write_roles(st, id, pv->roles, err) == -1)
				return -1;
		} else if (people_write_field(st, dk, id, i, pv->value[i],
		    err) == -1)
			return -1;
	}
	stmt = store_stmt(st, touch);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, &cause) == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

int
people_add(struct store *st, const struct crypt_key *master, json_t *req,
    const char *default_lang, int64_t *id, struct error *err)
{
	static const char *const ins = "INSERT INTO people (lang, created,"
	    " updated) VALUES (?1, ?2, ?2)";
	static const char *const inskey =
	    "INSERT INTO person_keys (person_id, wrapped) VALUES (?, ?)";
	struct pvals	 pv;
	struct crypt_key *dk = NULL;
	sqlite3_stmt	*stmt;
	uint8_t		*wrapped = NULL;
	size_t		 wlen;
	char		 now[32], *cause = NULL;
	int		 rc = -1;

	if (pvals_parse(req, 1, &pv, err) == -1)
		goto out;
	stmt = store_stmt(st, ins);
	sqlite3_bind_text(stmt, 1, default_lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		goto dberr;
	*id = store_last_id(st);

	dk = crypt_key_random();
	crypt_key_wrap(master, *id, dk, &wrapped, &wlen);
	stmt = store_stmt(st, inskey);
	sqlite3_bind_int64(stmt, 1, *id);
	sqlite3_bind_blob(stmt, 2, wrapped, (int)wlen, SQLITE_STATIC);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		goto dberr;
	rc = people_write(st, dk, *id, &pv, err);
	goto out;
dberr:
	error_set(err, ERR_INTERNAL, NULL, "%s", cause);
	free(cause);
out:
	free(wrapped);
	crypt_key_free(dk);
	pvals_free(&pv);
	return rc;
}

/* Unwrap the data key in column col of stmt's row for person id. */
static struct crypt_key *
people_dk(sqlite3_stmt *stmt, int col, const struct crypt_key *master,
    int64_t id, struct error *err)
{
	struct crypt_key	*dk;
	char			*cause = NULL;

	dk = crypt_key_unwrap(master, id, sqlite3_column_blob(stmt, col),
	    (size_t)sqlite3_column_bytes(stmt, col), &cause);
	if (dk == NULL) {
		error_set(err, ERR_INTERNAL, NULL, "personne %lld : clé de "
		    "données illisible (%s)", (long long)id, cause);
		free(cause);
	}
	return dk;
}

/* Open sealed column col of the row as a JSON string (null when empty). */
static json_t *
people_open_col(sqlite3_stmt *stmt, int col, const struct crypt_key *dk,
    int64_t id, const char *column, struct error *err)
{
	uint8_t	*pt;
	size_t	 ptlen;
	char	*cause = NULL;
	json_t	*v;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	if (crypt_open(dk, "people", column, id, sqlite3_column_blob(stmt, col),
	    (size_t)sqlite3_column_bytes(stmt, col), &pt, &ptlen, &cause) ==
	    -1) {
		error_set(err, ERR_INTERNAL, column, "personne %lld : %s",
		    (long long)id, cause);
		free(cause);
		return NULL;
	}
	v = json_stringn((const char *)pt, ptlen);
	sodium_memzero(pt, ptlen);
	free(pt);
	return v;
}

/* A clear text column as a JSON string or null. */
static json_t *
people_text_col(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(stmt, col));
}

/* The roles column ("a,b") as a JSON array in the fixed role order. */
static json_t *
people_roles_col(sqlite3_stmt *stmt, int col)
{
	const char	*list = (const char *)sqlite3_column_text(stmt, col);
	json_t		*arr = json_array();
	char		*copy, *tok, *save = NULL;
	unsigned	 mask = 0;
	int		 i, bit;

	if (list != NULL) {
		copy = xstrdup(list);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save))
			if ((bit = audience_role(tok)) != -1)
				mask |= 1u << bit;
		free(copy);
	}
	for (i = 0; audience_roles[i] != NULL; i++)
		if (mask & (1u << i))
			json_array_append_new(arr, json_string(audience_roles[i]));
	return arr;
}

/* Build the JSON object of the current row of a sql_person query. */
static json_t *
people_row(sqlite3_stmt *stmt, const struct crypt_key *master,
    struct error *err)
{
	struct crypt_key	*dk;
	json_t			*o, *name, *email, *phone;
	int64_t			 id = sqlite3_column_int64(stmt, 0);

	if ((dk = people_dk(stmt, 11, master, id, err)) == NULL)
		return NULL;
	name = people_open_col(stmt, 1, dk, id, "name", err);
	email = people_open_col(stmt, 2, dk, id, "email", err);
	phone = people_open_col(stmt, 3, dk, id, "phone", err);
	crypt_key_free(dk);
	if (name == NULL || email == NULL || phone == NULL) {
		json_decref(name);
		json_decref(email);
		json_decref(phone);
		return NULL;
	}
	o = json_pack("{sI so so so so so so so so so ss ss}",
	    "id", (json_int_t)id, "name", name,
	    "quiet_hours", people_text_col(stmt, 13),
	    "roles", people_roles_col(stmt, 12),
	    "commune", people_text_col(stmt, 4),
	    "org", people_text_col(stmt, 5),
	    "email", email, "phone", phone,
	    "lang", people_text_col(stmt, 6),
	    "pubkey", people_text_col(stmt, 7),
	    "created", (const char *)sqlite3_column_text(stmt, 8),
	    "updated", (const char *)sqlite3_column_text(stmt, 9));
	/* texts were valid UTF-8 when written (jansson checked them) */
	if (o == NULL)
		error_set(err, ERR_INTERNAL, NULL, "personne %lld illisible "
		    "dans la base", (long long)id);
	return o;
}

/* Position stmt (sql_person by id) on person id; err when missing. */
static int
people_find(struct store *st, sqlite3_stmt *stmt, int64_t id,
    struct error *err)
{
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		error_set(err, ERR_NOT_FOUND, "id", "aucune personne "
		    "n'a le numéro %lld", (long long)id);
		return -1;
	}
	if (sqlite3_column_type(stmt, 10) != SQLITE_NULL) {
		/* removed is a UTC time the daemon wrote: ASCII digits */
		error_set(err, ERR_NOT_FOUND, "id", "la personne %lld a "
		    "été effacée le %.10s", (long long)id,
		    (const char *)sqlite3_column_text(stmt, 10));
		return -1;
	}
	return 0;
}

json_t *
people_get(struct store *st, const struct crypt_key *master, int64_t id,
    struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql_by_id);
	json_t		*o = NULL;

	if (people_find(st, stmt, id, err) == 0)
		o = people_row(stmt, master, err);
	sqlite3_reset(stmt);
	return o;
}

int
people_edit(struct store *st, const struct crypt_key *master, int64_t id,
    json_t *req, struct error *err)
{
	struct pvals		 pv;
	struct crypt_key	*dk = NULL;
	sqlite3_stmt		*stmt;
	int			 rc = -1;

	if (pvals_parse(req, 0, &pv, err) == -1)
		goto out;
	stmt = store_stmt(st, sql_by_id);
	if (people_find(st, stmt, id, err) == 0)
		dk = people_dk(stmt, 11, master, id, err);
	sqlite3_reset(stmt);
	if (dk != NULL)
		rc = people_write(st, dk, id, &pv, err);
out:
	crypt_key_free(dk);
	pvals_free(&pv);
	return rc;
}

int
people_remove(struct store *st, int64_t id, struct error *err)
{
	static const char *const find =
	    "SELECT removed FROM people WHERE id = ?";
	static const char *const delkey =
	    "DELETE FROM person_keys WHERE person_id = ?";
	static const char *const delroles =
	    "DELETE FROM person_roles WHERE person_id = ?";
	static const char *const erase = "UPDATE people SET name = NULL,"
	    " email = NULL, phone = NULL, pubkey = NULL, org = NULL,"
	    " commune = NULL, removed = ?2, updated = ?2 WHERE id = ?1";
	const char *const steps[] = { delkey, delroles, erase };
	sqlite3_stmt	*stmt;
	char		 now[32], *cause = NULL;
	size_t		 i;
	int		 rc;

	stmt = store_stmt(st, find);
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW || sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		sqlite3_reset(stmt);
		error_set(err, ERR_NOT_FOUND, "id", rc == SQLITE_ROW ?
		    "la personne %lld est déjà effacée" :
		    "aucune personne n'a le numéro %lld", (long long)id);
		return -1;
	}
	sqlite3_reset(stmt);
	util_utc_now(now, sizeof now);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		stmt = store_stmt(st, steps[i]);
		sqlite3_bind_int64(stmt, 1, id);
		if (steps[i] == erase)
			sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, &cause) == -1) {
			error_set(err, ERR_INTERNAL, NULL, "%s", cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

json_t *
people_list(struct store *st, const struct crypt_key *master,
    const char *role, struct error *err)
{
	sqlite3_stmt	*stmt;
	json_t		*arr, *o;

	if (role != NULL && !(audience_role(role) >= 0)) {
		error_set(err, ERR_INVALID, "role", "rôle inconnu "
		    "« %s » : referent, platform, oncall, coordinator, "
		    "animator ou partner", UTF8_CUT(role, 32));
		return NULL;
	}
	stmt = store_stmt(st, sql_list);
	if (role != NULL)
		sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
	arr = json_array();
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		if ((o = people_row(stmt, master, err)) == NULL) {
			json_decref(arr);
			arr = NULL;
			break;
		}
		json_array_append_new(arr, o);
	}
	sqlite3_reset(stmt);
	return arr;
}

struct crypt_key *
people_data_key(struct store *st, const struct crypt_key *master, int64_t id,
    char **cause)
{
	static const char *const sql = "SELECT k.wrapped FROM person_keys k"
	    " JOIN people p ON p.id = k.person_id"
	    " WHERE k.person_id = ? AND p.removed IS NULL";
	sqlite3_stmt		*stmt = store_stmt(st, sql);
	struct crypt_key	*dk = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		dk = crypt_key_unwrap(master, id, sqlite3_column_blob(stmt, 0),
		    (size_t)sqlite3_column_bytes(stmt, 0), cause);
	else
		util_cause(cause, "person %lld has no data key (removed?)",
		    (long long)id);
	sqlite3_reset(stmt);
	return dk;
}

/* Open sealed column col of stmt's row into *out (left NULL when empty). */
static int
people_contact_col(sqlite3_stmt *stmt, int col, const struct crypt_key *dk,
    int64_t id, const char *column, char **out, char **cause)
{
	uint8_t	*pt;
	size_t	 ptlen;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return 0;
	if (crypt_open(dk, "people", column, id, sqlite3_column_blob(stmt,
	    col), (size_t)sqlite3_column_bytes(stmt, col), &pt, &ptlen,
	    cause) == -1)
		return -1;
	*out = (char *)pt;
	return 0;
}

int
people_contact(struct store *st, const struct crypt_key *master, int64_t id,
    const char *channel, struct people_contact *pc, char **cause)
{
	static const char *const sql = "SELECT p.email, p.phone, p.name,"
	    " p.lang, p.quiet_hours, k.wrapped FROM people p"
	    " JOIN person_keys k ON k.person_id = p.id"
	    " WHERE p.id = ? AND p.removed IS NULL";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int		 email = strcmp(channel, "email") == 0, rc = -1;
	const char	*v;

	memset(pc, 0, sizeof *pc);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		util_cause(cause, "recipient %lld was erased", (long long)id);
		goto out;
	}
	if ((pc->dk = crypt_key_unwrap(master, id, sqlite3_column_blob(stmt,
	    5), (size_t)sqlite3_column_bytes(stmt, 5), cause)) == NULL)
		goto out;
	/* email: the address and the display name; sms: the phone only */
	if (people_contact_col(stmt, email ? 0 : 1, pc->dk, id, email ?
	    "email" : "phone", &pc->addr, cause) == -1 || (email &&
	    people_contact_col(stmt, 2, pc->dk, id, "name", &pc->name,
	    cause) == -1))
		goto out;
	if ((v = (const char *)sqlite3_column_text(stmt, 3)) != NULL)
		util_strlcpy(pc->lang, v, sizeof pc->lang);
	if ((v = (const char *)sqlite3_column_text(stmt, 4)) != NULL)
		pc->quiet = xstrdup(v);
	rc = 0;
out:
	sqlite3_reset(stmt);
	if (rc == -1)
		people_contact_clear(pc);
	return rc;
}

void
people_contact_clear(struct people_contact *pc)
{
	crypt_key_free(pc->dk);
	if (pc->addr != NULL)
		sodium_memzero(pc->addr, strlen(pc->addr));
	free(pc->addr);
	if (pc->name != NULL)
		sodium_memzero(pc->name, strlen(pc->name));
	free(pc->name);
	free(pc->quiet);
	memset(pc, 0, sizeof *pc);
}

int
people_exists(struct store *st, int64_t id)
{
	static const char *const sql =
	    "SELECT 1 FROM people WHERE id = ? AND removed IS NULL";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int		 found;

	sqlite3_bind_int64(stmt, 1, id);
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

void
people_lang(struct store *st, int64_t id, char *lang, size_t len)
{
	static const char *const sql = "SELECT lang FROM people WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);

	util_strlcpy(lang, "fr", len);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) == SQLITE_TEXT)
		util_strlcpy(lang, (const char *)sqlite3_column_text(stmt, 0),
		    len);
	sqlite3_reset(stmt);
}

int64_t
people_count(struct store *st)
{
	static const char *const sql =
	    "SELECT count(*) FROM people WHERE removed IS NULL";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 n = 0;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}
