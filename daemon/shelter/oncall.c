/*
 * oncall.c: the on-call rota over the oncall table.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "oncall.h"
#include "people.h"
#include "recur.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define ONCALL_SPAN_MAX	(366 * 86400)	/* a slot of a year at most */

int
oncall_local(const struct tz *zone, const char *field, const char *local,
    int64_t *utc, struct error *err)
{
	struct recur_civil	 c;
	char			*cause = NULL;

	if (local == NULL) {
		error_set(err, ERR_INVALID, field, "obligatoire "
		    "(heure locale AAAA-MM-JJTHH:MM)");
		return -1;
	}
	if (recur_civil_parse(local, &c, &cause) == -1) {
		error_set(err, ERR_INVALID, field, "%s, heure locale",
		    cause);
		free(cause);
		return -1;
	}
	*utc = tz_resolve(zone, recur_civil_secs(&c), NULL);
	return 0;
}

/* The "from" and "to" of req, checked: a slot of a year at most.  0 or
 * -1 with err naming the field. */
static int
oncall_span(const struct tz *zone, json_t *req, int64_t *from, int64_t *to,
    struct error *err)
{
	if (oncall_local(zone, "from", json_string_value(json_object_get(req,
	    "from")), from, err) == -1 || oncall_local(zone, "to",
	    json_string_value(json_object_get(req, "to")), to, err) == -1)
		return -1;
	if (*to <= *from || *to - *from > ONCALL_SPAN_MAX) {
		error_set(err, ERR_INVALID, "to", *to <= *from ?
		    "la fin doit suivre le début" : "une garde dure un an au "
		    "plus : découpez-la");
		return -1;
	}
	return 0;
}

int
oncall_add(struct store *st, const struct tz *zone, json_t *req,
    int64_t *id, struct error *err)
{
	static const char *const ins = "INSERT INTO oncall (person_id, start,"
	    " end, created) VALUES (?, ?, ?, ?)";
	json_t		*person = json_object_get(req, "person");
	sqlite3_stmt	*stmt;
	int64_t		 from, to;
	char		 now[32], *cause = NULL;

	if (!json_is_integer(person) || !people_exists(st,
	    json_integer_value(person))) {
		error_set(err, ERR_INVALID, "person", "numéro d'une "
		    "personne de l'annuaire attendu");
		return -1;
	}
	if (oncall_span(zone, req, &from, &to, err) == -1)
		return -1;
	stmt = store_stmt(st, ins);
	sqlite3_bind_int64(stmt, 1, json_integer_value(person));
	sqlite3_bind_int64(stmt, 2, from);
	sqlite3_bind_int64(stmt, 3, to);
	sqlite3_bind_text(stmt, 4, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, &cause) == -1) {
		return error_take(err, ERR_INTERNAL, NULL, cause);
	}
	*id = store_last_id(st);
	return 0;
}

int
oncall_remove(struct store *st, int64_t id, struct error *err)
{
	static const char *const sql = "DELETE FROM oncall WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (store_exec_stmt(st, stmt, &cause) == -1) {
		return error_take(err, ERR_INTERNAL, NULL, cause);
	}
	if (store_changes(st) == 0) {
		error_set(err, ERR_NOT_FOUND, "id", "aucune garde n'a le "
		    "numéro %lld", (long long)id);
		return -1;
	}
	return 0;
}

/* The slots overlapping [?1, ?2), and their columns: those covering
 * instant t are those overlapping [t, t + 1). */
static const char *const oncall_at_sql = "SELECT o.id, o.person_id,"
    " o.start, o.end FROM oncall o JOIN people p ON p.id = o.person_id"
    " WHERE o.start < ?2 AND o.end > ?1 AND p.removed IS NULL"
    " ORDER BY o.start, o.id";
enum { AT_ID, AT_PERSON, AT_START, AT_END };

/* Append the slot of a row of oncall_at_sql to arr, with its
 * person's name; -1 with err when that cannot be read. */
static int
oncall_slot(struct store *st, const struct crypt_key *master,
    const struct tz *zone, sqlite3_stmt *stmt, json_t *arr,
    struct error *err)
{
	json_t		*p;
	char		 from[RECUR_FMT_LEN], to[RECUR_FMT_LEN];
	int64_t		 person = sqlite3_column_int64(stmt, AT_PERSON);

	if ((p = people_get(st, master, person, err)) == NULL)
		return -1;
	json_array_append_new(arr, json_pack("{sI sI sO ss ss}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, AT_ID),
	    "person", (json_int_t)person,
	    "name", json_object_get(p, "name"),
	    "from", calendar_instant(zone, sqlite3_column_int64(stmt,
	    AT_START), from, sizeof from),
	    "to", calendar_instant(zone, sqlite3_column_int64(stmt, AT_END),
	    to, sizeof to)));
	json_decref(p);
	return 0;
}

json_t *
oncall_at(struct store *st, const struct crypt_key *master,
    const struct tz *zone, int64_t t, struct error *err)
{
	return oncall_range(st, master, zone, t, t + 1, err);
}

json_t *
oncall_range(struct store *st, const struct crypt_key *master,
    const struct tz *zone, int64_t from, int64_t to, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(st, oncall_at_sql);
	json_t		*arr = json_array();

	sqlite3_bind_int64(stmt, 1, from);
	sqlite3_bind_int64(stmt, 2, to);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		if (oncall_slot(st, master, zone, stmt, arr, err) == -1) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	sqlite3_reset(stmt);
	return arr;
}

size_t
oncall_people(struct store *st, int64_t t, int64_t **ids)
{
	static const char *const sql = "SELECT DISTINCT o.person_id FROM"
	    " oncall o JOIN people p ON p.id = o.person_id"
	    " WHERE o.start <= ?1 AND o.end > ?1 AND p.removed IS NULL"
	    " ORDER BY o.person_id";
	sqlite3_stmt	*stmt = store_stmt(st, sql);

	sqlite3_bind_int64(stmt, 1, t);
	return store_ids(stmt, ids);
}
