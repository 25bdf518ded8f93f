/*
 * alert_json.c: what the control API shows of the alerts (shelter.h): an
 * alert with its escalation state, who it reached, who claimed it and
 * which phones are locked out, the latest alerts, and whether one is open.
 */
#include <stdint.h>
#include <stdlib.h>

#include "recur.h"
#include "shelter_int.h"
#include "store.h"
#include "util.h"

/* The people whose phone sent too many wrong codes to alert id. */
static json_t *
alert_locked_json(struct shelters *s, int64_t id)
{
	static const char *const sql = "SELECT person_id FROM alert_recipients"
	    " WHERE alert_id = ? AND bad_tries >= ? ORDER BY person_id";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	int64_t		*ids;
	size_t		 n, i;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, ALERT_MAX_BAD_TRIES);
	n = store_ids(st, &ids);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, shelter_person(s, ids[i]));
	free(ids);
	return arr;
}

/* The people alert id reached, by level then id: [{"id", "name"}, ...]. */
static json_t *
alert_alerted_json(struct shelters *s, int64_t id)
{
	static const char *const sql = "SELECT person_id FROM alert_recipients"
	    " WHERE alert_id = ? ORDER BY level, person_id";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	int64_t		*ids;
	size_t		 n, i;

	sqlite3_bind_int64(st, 1, id);
	n = store_ids(st, &ids);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, shelter_person(s, ids[i]));
	free(ids);
	return arr;
}

/* Column col of st: null, or its time as shelter_local() writes it. */
static json_t *
alert_col_time(struct shelters *s, sqlite3_stmt *st, int col)
{
	char	 buf[RECUR_FMT_LEN];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_string(shelter_local(s, sqlite3_column_int64(st, col),
	    buf, sizeof buf));
}

/* Column col of st: null, or its text. */
static json_t *
alert_col_text(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(st, col));
}

json_t *
alert_json(struct shelters *s, int64_t id)
{
	static const char *const sql = "SELECT shelter, code, status, opened,"
	    " level, repeats, next_at, exhausted, claimed_by, claimed_at, via,"
	    " closed_at, (SELECT count(*) FROM alert_recipients r"
	    "  WHERE r.alert_id = a.id) FROM alerts a WHERE id = ?";
	enum { COL_SHELTER, COL_CODE, COL_STATUS, COL_OPENED, COL_LEVEL,
	    COL_REPEATS, COL_NEXT, COL_EXHAUSTED, COL_CLAIMED_BY,
	    COL_CLAIMED_AT, COL_VIA, COL_CLOSED, COL_NOTIFIED };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*o;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return json_null();
	}
	o = json_pack("{sI so so so so si sI so sb sI so so so so}",
	    "id", (json_int_t)id,
	    "shelter", alert_col_text(st, COL_SHELTER),
	    "code", alert_col_text(st, COL_CODE),
	    "status", alert_col_text(st, COL_STATUS),
	    "opened", alert_col_time(s, st, COL_OPENED),
	    "level", sqlite3_column_int(st, COL_LEVEL),
	    "repeats", (json_int_t)sqlite3_column_int64(st, COL_REPEATS),
	    "next", alert_col_time(s, st, COL_NEXT),
	    "exhausted", sqlite3_column_int(st, COL_EXHAUSTED),
	    "notified", (json_int_t)sqlite3_column_int64(st, COL_NOTIFIED),
	    "claimed_by", sqlite3_column_type(st, COL_CLAIMED_BY) ==
	    SQLITE_NULL ? json_null() : shelter_person(s,
	    sqlite3_column_int64(st, COL_CLAIMED_BY)),
	    "claimed_at", alert_col_time(s, st, COL_CLAIMED_AT),
	    "via", alert_col_text(st, COL_VIA),
	    "closed", alert_col_time(s, st, COL_CLOSED));
	sqlite3_reset(st);
	json_object_set_new(o, "alerted", alert_alerted_json(s, id));
	json_object_set_new(o, "locked", alert_locked_json(s, id));
	return o;
}

int
alert_is_open(struct shelters *s, int64_t id, char *code, size_t len)
{
	static const char *const sql = "SELECT code, status = '" ALERT_OPEN
	    "' FROM alerts WHERE id = ?";
	enum { COL_CODE, COL_OPEN };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int		 open = 0;

	*code = '\0';
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		util_strlcpy(code, (const char *)sqlite3_column_text(st,
		    COL_CODE), len);
		open = sqlite3_column_int(st, COL_OPEN);
	}
	sqlite3_reset(st);
	return open;
}

json_t *
alert_list(struct shelters *s, int64_t limit)
{
	static const char *const sql =
	    "SELECT id FROM alerts ORDER BY opened DESC, id DESC LIMIT ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	int64_t		*ids;
	size_t		 n, i;

	/* the ids first: alert_json() runs statements of its own */
	sqlite3_bind_int64(st, 1, limit);
	n = store_ids(st, &ids);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, alert_json(s, ids[i]));
	free(ids);
	return arr;
}
