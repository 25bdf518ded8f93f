/*
 * calendar.c: events in the store.
 *
 * Adding and editing write a definition that calendar_fields.c validated:
 * the events row, then its reminders, exclusions and audience rows.  Reading
 * gives an event back as the JSON object a request carries, with its next
 * occurrence, so that `events show` can be edited and sent back as is.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar_int.h"
#include "chan.h"
#include "duration.h"
#include "recur.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

#define CAL_TIME_LEN	32	/* bytes of a UTC time as the store writes it */
#define CAL_CHANNELS_LEN	32	/* bytes of "email,sms" */

void
calendar_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

/* The channels mask as the store keeps it, "email,sms", into buf. */
static const char *
cal_channels_text(unsigned ch, char *buf, size_t len)
{
	int	 c;

	buf[0] = '\0';
	for (c = 0; c < CHAN_COUNT; c++) {
		if (!(ch & CHAN_BIT(c)))
			continue;
		if (buf[0] != '\0')
			util_strlcat(buf, ",", len);
		util_strlcat(buf, chan_name(c), len);
	}
	return buf;
}

/* The parameters of the child rows' inserts: the event, then the value(s). */
enum { CP_EVENT = 1, CP_VALUE, CP_VALUE2 };

/* Delete the reminders, exdates and audience rows of event id. */
static int
cal_children_clear(struct store *st, int64_t id, char **cause)
{
	static const char *const del[] = {
		"DELETE FROM event_reminders WHERE event_id = ?1",
		"DELETE FROM event_exdates WHERE event_id = ?1",
		"DELETE FROM event_audience WHERE event_id = ?1",
	};
	sqlite3_stmt	*stmt;
	size_t		 i;

	for (i = 0; i < sizeof del / sizeof del[0]; i++) {
		stmt = store_stmt(st, del[i]);
		sqlite3_bind_int64(stmt, CP_EVENT, id);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	return 0;
}

static int
cal_insert_reminders(struct store *st, int64_t id, const struct cal_evdef *d,
    char **cause)
{
	static const char *const ins = "INSERT INTO event_reminders"
	    " (event_id, offset) VALUES (?1, ?2)";
	sqlite3_stmt	*stmt;
	size_t		 i;

	for (i = 0; i < d->noffsets; i++) {
		stmt = store_stmt(st, ins);
		sqlite3_bind_int64(stmt, CP_EVENT, id);
		sqlite3_bind_int64(stmt, CP_VALUE, d->offsets[i]);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	return 0;
}

static int
cal_insert_exdates(struct store *st, int64_t id, const struct cal_evdef *d,
    char **cause)
{
	static const char *const ins = "INSERT INTO event_exdates"
	    " (event_id, local) VALUES (?1, ?2)";
	sqlite3_stmt	*stmt;
	size_t		 i;

	for (i = 0; i < d->nexdates; i++) {
		stmt = store_stmt(st, ins);
		sqlite3_bind_int64(stmt, CP_EVENT, id);
		sqlite3_bind_text(stmt, CP_VALUE, d->exdates[i], -1,
		    SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	return 0;
}

/* The audience rows: "role:R" is kind role, value R. */
static int
cal_insert_audience(struct store *st, int64_t id, const struct cal_evdef *d,
    char **cause)
{
	static const char *const ins = "INSERT INTO event_audience"
	    " (event_id, kind, value) VALUES (?1, ?2, ?3)";
	sqlite3_stmt	*stmt;
	const char	*item, *colon;
	size_t		 i;

	for (i = 0; i < d->naudience; i++) {
		item = d->audience[i];
		colon = strchr(item, ':');
		stmt = store_stmt(st, ins);
		sqlite3_bind_int64(stmt, CP_EVENT, id);
		sqlite3_bind_text(stmt, CP_VALUE, item, (int)(colon - item),
		    SQLITE_STATIC);
		sqlite3_bind_text(stmt, CP_VALUE2, colon + 1, -1,
		    SQLITE_STATIC);
		if (store_exec_stmt(st, stmt, cause) == -1)
			return -1;
	}
	return 0;
}

/* Replace the reminders, exdates and audience rows of event id. */
static int
cal_write_children(struct store *st, int64_t id, const struct cal_evdef *d,
    char **cause)
{
	if (cal_children_clear(st, id, cause) == -1 ||
	    cal_insert_reminders(st, id, d, cause) == -1 ||
	    cal_insert_exdates(st, id, d, cause) == -1 ||
	    cal_insert_audience(st, id, d, cause) == -1)
		return -1;
	return 0;
}

/* The parameters of sql_insert and sql_update, ?1 to ?16. */
enum {
	EP_ID = 1, EP_UID, EP_TITLE, EP_KIND, EP_DTSTART, EP_TZ, EP_RRULE,
	EP_DURATION, EP_LOCATION, EP_COMMUNE, EP_DESCRIPTION, EP_SKIP,
	EP_CHANNELS, EP_NOW, EP_PLANNED, EP_PHONE_TITLE
};

static const char *const sql_insert = "INSERT INTO events (id, uid, title,"
    " kind, dtstart, tz, rrule, duration, location, commune,"
    " description, skip_holidays, channels, created, updated,"
    " planned_until, phone_title) VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    " ?9, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16)";
static const char *const sql_update = "UPDATE events SET uid = ?2,"
    " title = ?3, kind = ?4, dtstart = ?5, tz = ?6, rrule = ?7,"
    " duration = ?8, location = ?9, commune = ?10, description = ?11,"
    " skip_holidays = ?12, channels = ?13, updated = ?14,"
    " phone_title = ?16 WHERE id = ?1";

/* Bind the definition's parameters EP_UID to EP_NOW, and EP_PHONE_TITLE. */
static void
cal_bind_def(sqlite3_stmt *stmt, const struct cal_evdef *d, const char *now)
{
	char	 ch[CAL_CHANNELS_LEN];

	calendar_bind_text(stmt, EP_UID, d->uid);
	calendar_bind_text(stmt, EP_TITLE, d->title);
	calendar_bind_text(stmt, EP_KIND, d->kind);
	calendar_bind_text(stmt, EP_DTSTART, d->dtstart);
	calendar_bind_text(stmt, EP_TZ, d->tz);
	calendar_bind_text(stmt, EP_RRULE, d->rrule);
	sqlite3_bind_int64(stmt, EP_DURATION, d->duration);
	/* sealed once the row has its id: calendar_seal_write */
	sqlite3_bind_null(stmt, EP_LOCATION);
	calendar_bind_text(stmt, EP_COMMUNE, d->commune);
	sqlite3_bind_null(stmt, EP_DESCRIPTION);
	calendar_bind_text(stmt, EP_SKIP, d->skip);
	calendar_bind_text(stmt, EP_PHONE_TITLE, d->phone_title);
	sqlite3_bind_text(stmt, EP_CHANNELS, cal_channels_text(d->channels,
	    ch, sizeof ch), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, EP_NOW, now, -1, SQLITE_TRANSIENT);
}

/* Insert (id 0) or update event id from d. */
static int
cal_write(struct calendar *cal, int64_t *id, const struct cal_evdef *d,
    struct error *err)
{
	sqlite3_stmt	*stmt;
	char		 now[CAL_TIME_LEN], *cause = NULL;

	stmt = store_stmt(cal->store, *id == 0 ? sql_insert : sql_update);
	if (*id != 0)
		sqlite3_bind_int64(stmt, EP_ID, *id);
	else
		sqlite3_bind_int64(stmt, EP_PLANNED, util_now());
	cal_bind_def(stmt, d, util_utc_now(now, sizeof now));
	if (store_exec_stmt(cal->store, stmt, &cause) == -1)
		goto fail;
	if (*id == 0)
		*id = store_last_id(cal->store);
	if (calendar_seal_write(cal, *id, d->location, d->description,
	    &cause) == 0 && cal_write_children(cal->store, *id, d, &cause) == 0)
		return 0;
fail:
	if (strstr(cause, "UNIQUE") == NULL)
		return error_take(err, ERR_INTERNAL, NULL, cause);
	error_set(err, ERR_CONFLICT, "uid", "un autre événement a "
	    "déjà l'identifiant « %s »", UTF8_CUT(d->uid, 64));
	free(cause);
	return -1;
}

int
calendar_add(struct calendar *cal, json_t *req, int64_t *id,
    struct error *err)
{
	struct cal_evdef	 d;
	int			 rc = -1;

	*id = 0;
	cal->check_future = !cal->importing;
	if (calendar_evdef_parse(cal, req, &d, err) == 0)
		rc = cal_write(cal, id, &d, err);
	calendar_evdef_free(&d);
	return rc;
}

int
calendar_edit(struct calendar *cal, int64_t id, json_t *req,
    struct error *err)
{
	struct cal_evdef	 d;
	json_t			*cur;
	int			 rc = -1;

	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "la requête doit être "
		    "un objet JSON");
		return -1;
	}
	if ((cur = calendar_get(cal, id, err)) == NULL)
		return -1;
	/* A finished event can still be edited, unless its dates change. */
	cal->check_future = !cal->importing &&
	    (json_object_get(req, "rrule") != NULL ||
	    json_object_get(req, "dtstart") != NULL ||
	    json_object_get(req, "tz") != NULL);
	json_object_update(cur, req);
	if (calendar_evdef_parse(cal, cur, &d, err) == 0)
		rc = cal_write(cal, &id, &d, err);
	calendar_evdef_free(&d);
	json_decref(cur);
	return rc;
}

int
calendar_remove(struct calendar *cal, int64_t id, struct error *err)
{
	static const char *const del = "DELETE FROM events WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(cal->store, del);
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (store_exec_stmt(cal->store, stmt, &cause) == -1)
		goto fail;
	if (store_changes(cal->store) == 0) {
		error_set(err, ERR_NOT_FOUND, "id", "aucun événement n'a le "
		    "numéro %lld", (long long)id);
		return -1;
	}
	return 0;
fail:
	return error_take(err, ERR_INTERNAL, NULL, cause);
}

#define SQL_EVENT \
    "SELECT id, uid, title, kind, dtstart, tz, rrule, duration, location," \
    " commune, description, skip_holidays, channels, created, updated," \
    " planned_until, phone_title," \
    " (SELECT group_concat(offset) FROM (SELECT offset FROM event_reminders" \
    "   WHERE event_id = e.id ORDER BY offset DESC))," \
    " (SELECT group_concat(local) FROM (SELECT local FROM event_exdates" \
    "   WHERE event_id = e.id ORDER BY local))," \
    " (SELECT group_concat(kind || ':' || value) FROM (SELECT kind, value" \
    "   FROM event_audience WHERE event_id = e.id ORDER BY kind DESC," \
    "   CAST(value AS INTEGER), value))" \
    " FROM events e"
static const char *const sql_event = SQL_EVENT " WHERE id = ?";
static const char *const sql_events = SQL_EVENT " ORDER BY id";

/* The columns of SQL_EVENT. */
enum { EC_ID, EC_UID, EC_TITLE, EC_KIND, EC_DTSTART, EC_TZ, EC_RRULE,
    EC_DURATION, EC_LOCATION, EC_COMMUNE, EC_DESCRIPTION, EC_SKIP,
    EC_CHANNELS, EC_CREATED, EC_UPDATED, EC_PLANNED, EC_PHONE_TITLE,
    EC_OFFSETS, EC_EXDATES, EC_AUDIENCE };

/* A text column as a JSON string or null. */
static json_t *
cal_text_col(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(stmt, col));
}

/* A "a,b,c" column as a JSON array of strings (offsets as durations). */
static json_t *
cal_list_col(sqlite3_stmt *stmt, int col, int durations)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);
	json_t		*arr = json_array();
	char		*copy, *tok, *save = NULL, buf[32];
	int64_t		 v;

	if (s == NULL)
		return arr;
	copy = xstrdup(s);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (durations && util_parse_int(tok, 0, INT64_MAX, &v) == 0)
			json_array_append_new(arr, json_string(duration_format(v,
			    buf, sizeof buf)));
		else
			json_array_append_new(arr, json_string(tok));
	}
	free(copy);
	return arr;
}

/* The next occurrence of event id from now, exclusions applied, or null. */
static json_t *
cal_next(struct calendar *cal, int64_t id)
{
	struct cal_event	*ev;
	struct recur_iter	*it;
	struct recur_occ	 occ;
	char			 buf[RECUR_FMT_LEN], *cause = NULL;
	json_t			*v = json_null();

	if ((ev = calendar_event_load(cal, id, &cause)) == NULL) {
		free(cause);
		return v;
	}
	it = calendar_event_iter(ev);
	recur_iter_seek(it, util_now());
	if (recur_iter_next(it, &occ) == 1)
		v = json_string(recur_format(&occ, buf, sizeof buf));
	recur_iter_free(it);
	calendar_event_free(ev);
	return v;
}

/* Sealed column col of the current row as a JSON string or null. */
static json_t *
cal_sealed_col(struct calendar *cal, sqlite3_stmt *stmt, int col,
    const char *column)
{
	char	*s = calendar_seal_read(cal, stmt, col,
	    sqlite3_column_int64(stmt, EC_ID), column);
	json_t	*v = s != NULL ? json_string(s) : json_null();

	free(s);
	return v;
}

/* The fields of the current row that every event has (cal_row). */
static json_t *
cal_row_pack(struct calendar *cal, sqlite3_stmt *stmt)
{
	char	 buf[32];
	json_t	*skip = cal_text_col(stmt, EC_SKIP);

	return json_pack("{sI ss ss ss ss ss so ss so so so so so so so so ss "
	    "ss so}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, EC_ID),
	    "uid", (const char *)sqlite3_column_text(stmt, EC_UID),
	    "title", (const char *)sqlite3_column_text(stmt, EC_TITLE),
	    "kind", (const char *)sqlite3_column_text(stmt, EC_KIND),
	    "dtstart", (const char *)sqlite3_column_text(stmt, EC_DTSTART),
	    "tz", (const char *)sqlite3_column_text(stmt, EC_TZ),
	    "rrule", cal_text_col(stmt, EC_RRULE),
	    "duration", duration_format(sqlite3_column_int64(stmt,
	    EC_DURATION), buf, sizeof buf),
	    "location", cal_sealed_col(cal, stmt, EC_LOCATION, "location"),
	    "commune", cal_text_col(stmt, EC_COMMUNE),
	    "description", cal_sealed_col(cal, stmt, EC_DESCRIPTION,
	    "description"),
	    "remind", cal_list_col(stmt, EC_OFFSETS, 1),
	    "audience", cal_list_col(stmt, EC_AUDIENCE, 0),
	    "channels", cal_list_col(stmt, EC_CHANNELS, 0),
	    "skip_holidays", skip,
	    "exdates", cal_list_col(stmt, EC_EXDATES, 0),
	    "created", (const char *)sqlite3_column_text(stmt, EC_CREATED),
	    "updated", (const char *)sqlite3_column_text(stmt, EC_UPDATED),
	    "next", cal_next(cal, sqlite3_column_int64(stmt, EC_ID)));
}

/*
 * The JSON object of the current row of sql_event(s), with "phone_title"
 * when the event has one.  It is judged as the row is read, with the
 * current word list and [calendar] phone_title, as messages are
 * (dispatch.c): after a reload that changes either, the API and the feeds
 * show what phones now get, not what the column kept from the last write.
 * Its texts were validated on the way in (jansson only hands out valid
 * UTF-8), so the pack cannot fail on them; NULL only if the row was
 * written by something else.
 */
static json_t *
cal_row(struct calendar *cal, sqlite3_stmt *stmt)
{
	json_t		*o = cal_row_pack(cal, stmt);
	const char	*title, *phone;

	if (o != NULL &&
	    (title = json_string_value(json_object_get(o, "title"))) != NULL &&
	    (phone = calendar_phone_title(cal, title)) != NULL)
		json_object_set_new(o, "phone_title", json_string(phone));
	return o;
}

json_t *
calendar_get(struct calendar *cal, int64_t id, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql_event);
	json_t		*o = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		error_set(err, ERR_NOT_FOUND, "id", "aucun événement n'a le "
		    "numéro %lld", (long long)id);
	else if ((o = cal_row(cal, stmt)) == NULL)
		error_set(err, ERR_INTERNAL, NULL, "événement %lld "
		    "illisible dans la base", (long long)id);
	sqlite3_reset(stmt);
	return o;
}

json_t *
calendar_list(struct calendar *cal, struct error *err)
{
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql_events);
	json_t		*arr = json_array(), *o;

	while (arr != NULL && sqlite3_step(stmt) == SQLITE_ROW) {
		if ((o = cal_row(cal, stmt)) == NULL) {
			error_set(err, ERR_INTERNAL, NULL, "événement %lld "
			    "illisible dans la base",
			    (long long)sqlite3_column_int64(stmt, EC_ID));
			json_decref(arr);
			arr = NULL;
		} else
			json_array_append_new(arr, o);
	}
	sqlite3_reset(stmt);
	return arr;
}

int64_t
calendar_find_uid(struct calendar *cal, const char *uid)
{
	static const char *const sql = "SELECT id FROM events WHERE uid = ?";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	int64_t		 id = 0;
	int		 rc;

	sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(stmt);
	return id;
}

int64_t
calendar_count(struct calendar *cal)
{
	static const char *const sql = "SELECT count(*) FROM events";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	int64_t		 n = 0;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}
