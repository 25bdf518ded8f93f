/*
 * people.c: the directory.
 *
 * A request is validated whole first (people_field.c).  Adding a person is
 * one insert of the clear columns, a new data key wrapped by the master key,
 * then the sealed columns bound to the new row id.  Reading one opens the
 * sealed columns with that key; erasing one deletes it.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audience.h"
#include "chan.h"
#include "crypt.h"
#include "log.h"
#include "people.h"
#include "people_int.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

/* A person's row, in the order of enum person_col. */
#define SQL_PERSON \
    "SELECT p.id, p.name, p.email, p.phone, p.commune, p.org, p.lang," \
    " p.pubkey, p.created, p.updated, p.removed, k.wrapped," \
    " (SELECT group_concat(role) FROM person_roles r" \
    "  WHERE r.person_id = p.id), p.quiet_hours," \
    " p.mail_key_kind, p.mail_key_expires, p.mail_key_fpr" \
    " FROM people p LEFT JOIN person_keys k ON k.person_id = p.id"
enum person_col {
	PCOL_ID, PCOL_NAME, PCOL_EMAIL, PCOL_PHONE, PCOL_COMMUNE, PCOL_ORG,
	PCOL_LANG, PCOL_PUBKEY, PCOL_CREATED, PCOL_UPDATED, PCOL_REMOVED,
	PCOL_WRAPPED, PCOL_ROLES, PCOL_QUIET, PCOL_MK_KIND, PCOL_MK_EXPIRES,
	PCOL_MK_FPR
};

static const char *const sql_by_id = SQL_PERSON " WHERE p.id = ?";
static const char *const sql_list = SQL_PERSON " WHERE p.removed IS NULL"
    " AND (?1 IS NULL OR EXISTS (SELECT 1 FROM person_roles r"
    " WHERE r.person_id = p.id AND r.role = ?1)) ORDER BY p.id";

/* Write field i of person id: sealed under dk when it is a sealed field. */
static int
people_write_field(struct store *st, const struct crypt_key *dk, int64_t id,
    size_t i, const char *value, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(st, people_fields[i].update);
	uint8_t		*ct = NULL;
	size_t		 ctlen;
	char		*cause = NULL;
	int		 rc;

	sqlite3_bind_int64(stmt, 1, id);
	if (value != NULL && people_fields[i].sealed) {
		crypt_seal(dk, "people", people_fields[i].name, id, value,
		    strlen(value), &ct, &ctlen);
		sqlite3_bind_blob(stmt, 2, ct, (int)ctlen, SQLITE_TRANSIENT);
	} else if (value != NULL)
		sqlite3_bind_text(stmt, 2, value, -1, SQLITE_TRANSIENT);
	rc = store_exec_stmt(st, stmt, &cause);
	free(ct);
	if (rc == -1)
		error_take(err, ERR_INTERNAL, NULL, cause);
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
	return error_take(err, ERR_INTERNAL, NULL, cause);
}

/* Write every present field of pv to person id, then its updated time. */
static int
people_write(struct store *st, const struct crypt_key *dk, int64_t id,
    const struct people_vals *pv, struct error *err)
{
	static const char *const touch =
	    "UPDATE people SET updated = ?2 WHERE id = ?1";
	sqlite3_stmt	*stmt;
	char		 now[32], *cause = NULL;
	size_t		 i;

	for (i = 0; i < NPFIELDS; i++) {
		if (!pv->present[i])
			continue;
		if (people_fields[i].type == PF_ROLES) {
			if (people_write_roles(st, id, pv->roles, err) == -1)
				return -1;
		} else if (people_write_field(st, dk, id, i, pv->value[i],
		    err) == -1)
			return -1;
	}
	/* after the address: the key is checked against the new one */
	if (people_mk_update(st, dk, id, pv, err) == -1)
		return -1;
	stmt = store_stmt(st, touch);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		return error_take(err, ERR_INTERNAL, NULL, cause);
	return 0;
}

/*
 * Give new person id a data key, wrapped by the master key, into *dk (the
 * caller frees it).  0 or -1 with *cause.
 */
static int
people_new_key(struct store *st, const struct crypt_key *master, int64_t id,
    struct crypt_key **dk, char **cause)
{
	static const char *const sql =
	    "INSERT INTO person_keys (person_id, wrapped) VALUES (?, ?)";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	uint8_t		*wrapped;
	size_t		 wlen;
	int		 rc;

	*dk = crypt_key_random();
	crypt_key_wrap(master, id, *dk, &wrapped, &wlen);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_blob(stmt, 2, wrapped, (int)wlen, SQLITE_STATIC);
	rc = store_exec_stmt(st, stmt, cause);
	free(wrapped);
	return rc;
}

int
people_add(struct store *st, const struct crypt_key *master, json_t *req,
    const char *default_lang, int64_t *id, struct error *err)
{
	static const char *const ins = "INSERT INTO people (lang, created,"
	    " updated) VALUES (?1, ?2, ?2)";
	struct people_vals	 pv;
	struct crypt_key *dk = NULL;
	sqlite3_stmt	*stmt;
	char		 now[32], *cause = NULL;
	int		 rc = -1;

	if (people_parse(req, 1, &pv, err) == -1)
		goto out;
	stmt = store_stmt(st, ins);
	sqlite3_bind_text(stmt, 1, default_lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		goto dberr;
	*id = store_last_id(st);
	if (people_new_key(st, master, *id, &dk, &cause) == -1)
		goto dberr;
	rc = people_write(st, dk, *id, &pv, err);
	goto out;
dberr:
	error_take(err, ERR_INTERNAL, NULL, cause);
out:
	crypt_key_free(dk);
	people_vals_free(&pv);
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
	/* commune and org of a row from before they were sealed */
	if (sqlite3_column_type(stmt, col) == SQLITE_TEXT)
		return json_string((const char *)sqlite3_column_text(stmt, col));
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
	unsigned	 mask = 0;
	int		 i, bad = 0;

	if (list != NULL)
		mask = people_role_bits(list, ",", &bad);
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
	json_t			*o, *name, *email, *phone, *commune, *org;
	int64_t			 id = sqlite3_column_int64(stmt, PCOL_ID);

	if ((dk = people_dk(stmt, PCOL_WRAPPED, master, id, err)) == NULL)
		return NULL;
	name = people_open_col(stmt, PCOL_NAME, dk, id, "name", err);
	email = people_open_col(stmt, PCOL_EMAIL, dk, id, "email", err);
	phone = people_open_col(stmt, PCOL_PHONE, dk, id, "phone", err);
	commune = people_open_col(stmt, PCOL_COMMUNE, dk, id, "commune", err);
	org = people_open_col(stmt, PCOL_ORG, dk, id, "org", err);
	crypt_key_free(dk);
	if (name == NULL || email == NULL || phone == NULL ||
	    commune == NULL || org == NULL) {
		json_decref(name);
		json_decref(email);
		json_decref(phone);
		json_decref(commune);
		json_decref(org);
		return NULL;
	}
	o = json_pack("{sI so so so so so so so so so ss ss}",
	    "id", (json_int_t)id, "name", name,
	    "quiet_hours", people_text_col(stmt, PCOL_QUIET),
	    "roles", people_roles_col(stmt, PCOL_ROLES),
	    "commune", commune, "org", org,
	    "email", email, "phone", phone,
	    "lang", people_text_col(stmt, PCOL_LANG),
	    "pubkey", people_text_col(stmt, PCOL_PUBKEY),
	    "created", (const char *)sqlite3_column_text(stmt, PCOL_CREATED),
	    "updated", (const char *)sqlite3_column_text(stmt, PCOL_UPDATED));
	/* texts were valid UTF-8 when written (jansson checked them) */
	if (o != NULL)
		json_object_set_new(o, "mail_key", people_mk_json(stmt,
		    PCOL_MK_KIND, PCOL_MK_EXPIRES, PCOL_MK_FPR, util_now()));
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
	if (sqlite3_column_type(stmt, PCOL_REMOVED) != SQLITE_NULL) {
		/* removed is a UTC time the daemon wrote: ASCII digits */
		error_set(err, ERR_NOT_FOUND, "id", "la personne %lld a "
		    "été effacée le %.10s", (long long)id,
		    (const char *)sqlite3_column_text(stmt, PCOL_REMOVED));
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
	struct people_vals		 pv;
	struct crypt_key	*dk = NULL;
	sqlite3_stmt		*stmt;
	int			 rc = -1;

	if (people_parse(req, 0, &pv, err) == -1)
		goto out;
	stmt = store_stmt(st, sql_by_id);
	if (people_find(st, stmt, id, err) == 0)
		dk = people_dk(stmt, PCOL_WRAPPED, master, id, err);
	sqlite3_reset(stmt);
	if (dk != NULL)
		rc = people_write(st, dk, id, &pv, err);
out:
	crypt_key_free(dk);
	people_vals_free(&pv);
	return rc;
}

/* Whether person id is there and not erased yet: 0, or -1 with err. */
static int
people_erasable(struct store *st, int64_t id, struct error *err)
{
	static const char *const sql =
	    "SELECT removed FROM people WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int		 rc, found;

	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	found = rc == SQLITE_ROW;
	if (found && sqlite3_column_type(stmt, 0) == SQLITE_NULL)
		rc = 0;
	else {
		error_set(err, ERR_NOT_FOUND, "id", found ?
		    "la personne %lld est déjà effacée" :
		    "aucune personne n'a le numéro %lld", (long long)id);
		rc = -1;
	}
	sqlite3_reset(stmt);
	return rc;
}

/* The erasure hook (people_set_erase_hook), or NULL. */
static people_erase_fn	 people_erase_cb;
static void		*people_erase_arg;

void
people_set_erase_hook(people_erase_fn fn, void *arg)
{
	people_erase_cb = fn;
	people_erase_arg = arg;
}

int
people_remove(struct store *st, int64_t id, struct error *err)
{
	static const char *const delkey =
	    "DELETE FROM person_keys WHERE person_id = ?";
	static const char *const delroles =
	    "DELETE FROM person_roles WHERE person_id = ?";
	static const char *const delfeed =	/* its address opens nothing */
	    "DELETE FROM person_feeds WHERE person_id = ?";
	static const char *const erase = "UPDATE people SET name = NULL,"
	    " email = NULL, phone = NULL, pubkey = NULL, org = NULL,"
	    " commune = NULL, mail_key = NULL, mail_key_kind = NULL,"
	    " mail_key_expires = NULL, mail_key_fpr = NULL,"
	    " removed = ?2, updated = ?2 WHERE id = ?1";
	const char *const steps[] = { delkey, delroles, delfeed, erase };
	sqlite3_stmt	*stmt;
	char		 now[32], *cause = NULL;
	size_t		 i;

	if (people_erasable(st, id, err) == -1)
		return -1;
	util_utc_now(now, sizeof now);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		stmt = store_stmt(st, steps[i]);
		sqlite3_bind_int64(stmt, 1, id);
		if (steps[i] == erase)
			sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, &cause) == -1)
			return error_take(err, ERR_INTERNAL, NULL, cause);
	}
	if (people_erase_cb != NULL &&
	    people_erase_cb(people_erase_arg, id, &cause) == -1)
		return error_take(err, ERR_INTERNAL, NULL, cause);
	return 0;
}

json_t *
people_list(struct store *st, const struct crypt_key *master,
    const char *role, struct error *err)
{
	sqlite3_stmt	*stmt;
	json_t		*arr, *o;

	if (role != NULL && audience_role(role) == -1) {
		error_set(err, ERR_INVALID, "role", "rôle inconnu « %s » : %s",
		    UTF8_CUT(role, 32), audience_role_list());
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

/* people_contact's query: its columns in the order of enum contact_col. */
static const char *const contact_sql = "SELECT p.email, p.phone, p.name,"
    " p.lang, p.quiet_hours, k.wrapped, p.mail_key_kind, p.mail_key"
    " FROM people p JOIN person_keys k ON k.person_id = p.id"
    " WHERE p.id = ? AND p.removed IS NULL";
enum contact_col {
	CCOL_EMAIL, CCOL_PHONE, CCOL_NAME, CCOL_LANG, CCOL_QUIET, CCOL_WRAPPED,
	CCOL_MK_KIND, CCOL_MK
};

/* The column of each channel's address (the field chan_address() names). */
static const int contact_addr_col[CHAN_COUNT] = {
	[CHAN_EMAIL] = CCOL_EMAIL,
	[CHAN_SMS] = CCOL_PHONE,
};

/* The mail key of stmt's row, opened into pc, when the person has one. */
static int
people_contact_mk(sqlite3_stmt *stmt, int64_t id, struct people_contact *pc,
    char **cause)
{
	const char	*kind = (const char *)sqlite3_column_text(stmt,
			    CCOL_MK_KIND);

	if (kind == NULL || sqlite3_column_type(stmt, CCOL_MK) != SQLITE_BLOB)
		return 0;
	if (crypt_open(pc->dk, "people", "mail_key", id,
	    sqlite3_column_blob(stmt, CCOL_MK), (size_t)sqlite3_column_bytes(
	    stmt, CCOL_MK), &pc->key, &pc->keylen, cause) == -1)
		return -1;
	pc->key_kind = strcmp(kind, "smime") == 0 ? MAILCRYPT_SMIME :
	    MAILCRYPT_PGP;
	return 0;
}

/* Fill *pc for channel c from stmt's row of person id. */
static int
people_contact_row(sqlite3_stmt *stmt, const struct crypt_key *master,
    int64_t id, enum chan c, struct people_contact *pc, char **cause)
{
	const char	*v;

	if ((pc->dk = crypt_key_unwrap(master, id, sqlite3_column_blob(stmt,
	    CCOL_WRAPPED), (size_t)sqlite3_column_bytes(stmt, CCOL_WRAPPED),
	    cause)) == NULL)
		return -1;
	/* email: the address and the display name; sms: the phone only */
	if (people_contact_col(stmt, contact_addr_col[c], pc->dk, id,
	    chan_address(c), &pc->addr, cause) == -1 || (c == CHAN_EMAIL &&
	    people_contact_col(stmt, CCOL_NAME, pc->dk, id, "name", &pc->name,
	    cause) == -1))
		return -1;
	if (c == CHAN_EMAIL && people_contact_mk(stmt, id, pc, cause) == -1)
		return -1;
	if ((v = (const char *)sqlite3_column_text(stmt, CCOL_LANG)) != NULL)
		util_strlcpy(pc->lang, v, sizeof pc->lang);
	if ((v = (const char *)sqlite3_column_text(stmt, CCOL_QUIET)) != NULL)
		pc->quiet = xstrdup(v);
	return 0;
}

int
people_contact(struct store *st, const struct crypt_key *master, int64_t id,
    const char *channel, struct people_contact *pc, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 c = chan_parse(channel), rc = -1;

	memset(pc, 0, sizeof *pc);
	if (c == -1) {
		util_cause(cause, "unknown channel");
		return -1;
	}
	stmt = store_stmt(st, contact_sql);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		util_cause(cause, "recipient %lld was erased", (long long)id);
	else
		rc = people_contact_row(stmt, master, id, c, pc, cause);
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
	if (pc->key != NULL)
		sodium_memzero(pc->key, pc->keylen);
	free(pc->key);
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

unsigned
people_channels(struct store *st, int64_t id)
{
	/* column c: whether channel c reaches the person */
	static const char *const sql = "SELECT email IS NOT NULL,"
	    " phone IS NOT NULL FROM people WHERE id = ? AND removed IS NULL";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	unsigned	 reach = 0;
	int		 c;

	_Static_assert(CHAN_EMAIL == 0 && CHAN_SMS == 1 && CHAN_COUNT == 2,
	    "the columns of people_channels() follow enum chan");
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		for (c = 0; c < CHAN_COUNT; c++)
			if (sqlite3_column_int(stmt, c))
				reach |= CHAN_BIT(c);
	sqlite3_reset(stmt);
	return reach;
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

/* Seal person id's commune and org, read clear, under their data key. */
static int
people_seal_one(struct store *st, const struct crypt_key *master,
    int64_t id, char **cause)
{
	static const char *const sql = "SELECT commune, org FROM people"
	    " WHERE id = ?";
	static const size_t	 fields[] = { PF_COMMUNE, PF_ORG };
	sqlite3_stmt		*stmt;
	struct crypt_key	*dk;
	struct error		 err = { ERR_NONE, NULL, NULL };
	char			*v[2] = { NULL, NULL };
	size_t			 i;
	int			 rc = 0;

	if ((dk = people_data_key(st, master, id, cause)) == NULL)
		return -1;
	stmt = store_stmt(st, sql);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		for (i = 0; i < 2; i++)
			if (sqlite3_column_type(stmt, (int)i) == SQLITE_TEXT)
				v[i] = xstrdup((const char *)
				    sqlite3_column_text(stmt, (int)i));
	sqlite3_reset(stmt);
	for (i = 0; i < 2 && rc == 0; i++)
		if (v[i] != NULL)
			rc = people_write_field(st, dk, id, fields[i], v[i],
			    &err);
	for (i = 0; i < 2; i++)
		free(v[i]);
	crypt_key_free(dk);
	if (rc == -1) {
		*cause = err.message;
		err.message = NULL;
	}
	error_clear(&err);
	return rc;
}

int
people_seal_old(struct store *st, const struct crypt_key *master,
    char **cause)
{
	static const char *const sql = "SELECT id FROM people"
	    " WHERE removed IS NULL AND (typeof(commune) = 'text'"
	    " OR typeof(org) = 'text')";
	int64_t		*ids;
	size_t		 n, i;
	int		 rc = 0;

	if ((n = store_ids(store_stmt(st, sql), &ids)) == 0)
		return 0;
	if (store_begin(st, cause) == -1) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = people_seal_one(st, master, ids[i], cause);
	free(ids);
	if (rc == -1 || store_commit(st, cause) == -1) {
		store_rollback(st);
		return -1;
	}
	log_info("people sealed persons=%zu fields=commune,org", n);
	return 0;
}
