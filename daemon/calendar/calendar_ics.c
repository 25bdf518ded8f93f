/*
 * calendar_ics.c: the calendar as iCalendar text.
 *
 * An import adds each VEVENT through calendar_add, or edits the event with
 * the same UID through calendar_edit, so that imported events are validated
 * like any other, but for the future: a finished series is kept for the
 * reports and the agenda, and never reminded.  An event the calendar
 * refuses is skipped and the report says why; only a text that is not
 * iCalendar is refused whole.  It keeps the creation and change times the
 * text carries.  An event whose title gets a neutral phone title is
 * reported as adapted.
 * An export is the list of events handed to ics_export.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar_int.h"
#include "ics.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

#define CAL_UTC_LEN	20	/* "2026-01-07T13:00:00Z" */

/* Whether s is a UTC time as the store writes them, "…T…Z". */
static int
cal_utc_text(const char *s)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof tm);
	return s != NULL && strlen(s) == CAL_UTC_LEN &&
	    (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0';
}

/* The parameters of cal_import_times' statement. */
enum { TP_ID = 1, TP_CREATED, TP_UPDATED };

/*
 * Keep the creation and change times an imported event carries (CREATED,
 * LAST-MODIFIED): they belong to the event, wherever it was made, and so an
 * export of what was imported gives back the same text.
 */
static int
cal_import_times(struct calendar *cal, int64_t id, json_t *ev,
    struct error *err)
{
	static const char *const sql = "UPDATE events SET"
	    " created = coalesce(?2, created), updated = coalesce(?3, updated)"
	    " WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	const char	*c = json_string_value(json_object_get(ev, "created"));
	const char	*u = json_string_value(json_object_get(ev, "updated"));
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, TP_ID, id);
	calendar_bind_text(stmt, TP_CREATED, cal_utc_text(c) ? c : NULL);
	calendar_bind_text(stmt, TP_UPDATED, cal_utc_text(u) ? u : NULL);
	if (store_exec_stmt(cal->store, stmt, &cause) == 0)
		return 0;
	return error_take(err, ERR_INTERNAL, NULL, cause);
}

/* Add or update (same UID) the event of one imported object. */
static int
cal_import_one(struct calendar *cal, json_t *ev, int64_t *id, int *updated,
    struct error *err)
{
	const char	*uid = json_string_value(json_object_get(ev, "uid"));
	int64_t		 found = uid ? calendar_find_uid(cal, uid) : 0;
	int		 rc;

	*updated = found > 0;
	if (found > 0) {
		*id = found;
		rc = calendar_edit(cal, found, ev, err);
	} else
		rc = calendar_add(cal, ev, id, err);
	if (rc == 0)
		rc = cal_import_times(cal, *id, ev, err);
	return rc;
}

/* Add note (a new string) to the report item it and to the flat report. */
static void
cal_import_note(json_t *it, json_t *report, char *note)
{
	const char	*title = json_string_value(json_object_get(it, "title"));
	const char	*uid = json_string_value(json_object_get(it, "uid"));
	char		*msg;

	json_array_append_new(json_object_get(it, "notes"), json_string(note));
	xasprintf(&msg, "« %s » (UID %s), ligne %lld : %s", title ?
	    UTF8_CUT(title, 60) : "?", uid ? UTF8_CUT(uid, 64) : "-",
	    (long long)json_integer_value(json_object_get(it, "line")), note);
	json_array_append_new(report, json_string(msg));
	free(msg);
	free(note);
}

/* A title on several lines is put on one: it goes into SMS and subjects. */
static void
cal_import_title(json_t *ev, json_t *it, json_t *report)
{
	const char	*t = json_string_value(json_object_get(ev, "title"));
	char		*flat, *p;

	if (t == NULL || strpbrk(t, "\r\n") == NULL)
		return;
	flat = xstrdup(t);
	for (p = flat; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	json_object_set_new(ev, "title", json_string(flat));
	free(flat);
	json_object_set_new(it, "outcome", json_string("adapted"));
	cal_import_note(it, report, xstrdup("titre sur plusieurs lignes mis "
	    "sur une ligne"));
}

/*
 * Calendar applications export alarms but not who to remind: an event with
 * reminders and no audience keeps no reminders, and the report says so.
 */
static void
cal_import_alarms(json_t *ev, json_t *it, json_t *report)
{
	json_t		*rem = json_object_get(ev, "remind");
	json_t		*aud = json_object_get(ev, "audience");

	if (json_array_size(rem) == 0 || json_array_size(aud) > 0 ||
	    (json_is_string(aud) && *json_string_value(aud) != '\0'))
		return;
	json_object_del(ev, "remind");
	json_object_set_new(it, "outcome", json_string("adapted"));
	cal_import_note(it, report, xstrdup("rappels ignorés, faute de public "
	    "(X-STOPPVIF-AUDIENCE) ; ajoutez-le avec events edit --audience "
	    "… --remind …"));
}

/* A title kept whole that phones get as a neutral one: say which. */
static void
cal_import_phone(struct calendar *cal, json_t *ev, json_t *it,
    json_t *report)
{
	const char	*t = json_string_value(json_object_get(ev, "title"));
	const char	*phone;
	char		*note;

	if (t == NULL || (phone = calendar_phone_title(cal, t)) == NULL)
		return;
	json_object_set_new(it, "outcome", json_string("adapted"));
	xasprintf(&note, "titre remplacé sur les téléphones par « %s »",
	    phone);
	cal_import_note(it, report, note);
}

/* What one import did so far. */
struct cal_import_run {
	json_t		*events, *report;
	int64_t		*ids;
	size_t		 nids, added, updated, skipped;
};

/*
 * Write the event of report item it, if it has one.  An event the calendar
 * refuses is skipped, the reason in its item; 0, or -1 with err set when
 * the store fails.
 */
static int
cal_import_item(struct calendar *cal, struct cal_import_run *run, json_t *it,
    struct error *err)
{
	json_t	*ix = json_object_get(it, "index"), *ev;
	int64_t	 id;
	int	 upd;
	char	*why;

	if (!json_is_integer(ix)) {
		run->skipped += strcmp(json_string_value(json_object_get(it,
		    "outcome")), "skipped") == 0;
		return 0;
	}
	ev = json_array_get(run->events, (size_t)json_integer_value(ix));
	json_object_del(it, "index");
	cal_import_title(ev, it, run->report);
	cal_import_alarms(ev, it, run->report);
	if (cal_import_one(cal, ev, &id, &upd, err) == 0) {
		cal_import_phone(cal, ev, it, run->report);
		run->ids[run->nids++] = id;
		upd ? run->updated++ : run->added++;
		return 0;
	}
	if (err->kind != ERR_INVALID && err->kind != ERR_CONFLICT)
		return -1;
	xasprintf(&why, "événement ignoré : %s%s%s", err->field ?
	    err->field : "", err->field ? " : " : "", err->message ?
	    err->message : "refusé");
	error_clear(err);
	json_object_set_new(it, "outcome", json_string("skipped"));
	cal_import_note(it, run->report, why);
	run->skipped++;
	return 0;
}

int
calendar_import(struct calendar *cal, const char *ics, json_t **result,
    int64_t **ids, size_t *nids, struct error *err)
{
	struct cal_import_run	 run;
	json_t			*items = NULL, *it;
	char			*cause = NULL;
	size_t			 i;
	int			 rc = 0;

	memset(&run, 0, sizeof run);
	*ids = NULL;
	*nids = 0;
	run.events = ics_import_items(ics, strlen(ics), cal->default_tz,
	    &run.report, &items, &cause);
	if (run.events == NULL) {
		error_set(err, ERR_INVALID, "ics", "%s", cause);
		free(cause);
		return -1;
	}
	run.ids = xcalloc(json_array_size(run.events) + 1, sizeof *run.ids);
	cal->importing = 1;
	json_array_foreach(items, i, it)
		if ((rc = cal_import_item(cal, &run, it, err)) == -1)
			break;
	cal->importing = 0;
	json_decref(run.events);
	if (rc == -1) {
		json_decref(run.report);
		json_decref(items);
		free(run.ids);
		return -1;
	}
	*ids = run.ids;
	*nids = run.nids;
	*result = json_pack("{sI sI sI so so}", "added", (json_int_t)run.added,
	    "updated", (json_int_t)run.updated, "skipped",
	    (json_int_t)run.skipped, "ignored", run.report, "events", items);
	return 0;
}

char *
calendar_export(struct calendar *cal, struct error *err)
{
	json_t	*events = calendar_list(cal, err);
	char	*text, *cause = NULL;

	if (events == NULL)
		return NULL;
	if ((text = ics_export(events, &cause)) == NULL) {
		error_set(err, ERR_INTERNAL, NULL, "export : %s", cause);
		free(cause);
	}
	json_decref(events);
	return text;
}
