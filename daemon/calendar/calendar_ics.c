/*
 * calendar_ics.c: the calendar as iCalendar text.
 *
 * An import adds each VEVENT through calendar_add, or edits the event with
 * the same UID through calendar_edit, so that imported events are validated
 * like any other; it keeps the creation and change times the text carries.
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
cal_import_one(struct calendar *cal, json_t *ev, size_t n, int64_t *id,
    int *updated, struct error *err)
{
	const char	*uid = json_string_value(json_object_get(ev, "uid"));
	const char	*title = json_string_value(json_object_get(ev, "title"));
	int64_t		 found = uid ? calendar_find_uid(cal, uid) : 0;
	int		 rc;
	char		*why, *field;

	*updated = found > 0;
	if (found > 0) {
		*id = found;
		rc = calendar_edit(cal, found, ev, err);
	} else
		rc = calendar_add(cal, ev, id, err);
	if (rc == 0)
		rc = cal_import_times(cal, *id, ev, err);
	if (rc == -1) {
		/* name the event, its title cut on a character */
		why = err->message;
		field = err->field;
		err->message = err->field = NULL;
		error_set(err, err->kind ? err->kind : ERR_INTERNAL,
		    field, "événement %zu « %s » : %s", n + 1, title ?
		    UTF8_CUT(title, 60) : "?", why ? why : "erreur interne");
		free(why);
		free(field);
	}
	return rc;
}

/*
 * Calendar applications export alarms but not who to remind: an event with
 * reminders and no audience keeps no reminders, and the report says so.
 */
static void
cal_import_alarms(json_t *ev, json_t *report)
{
	json_t		*rem = json_object_get(ev, "remind");
	json_t		*aud = json_object_get(ev, "audience");
	const char	*title = json_string_value(json_object_get(ev, "title"));
	const char	*uid = json_string_value(json_object_get(ev, "uid"));
	char		*msg;

	if (json_array_size(rem) == 0 || json_array_size(aud) > 0 ||
	    (json_is_string(aud) && *json_string_value(aud) != '\0'))
		return;
	json_object_del(ev, "remind");
	xasprintf(&msg, "« %s » (UID %s) : rappels ignorés, faute de "
	    "public (X-STOPPVIF-AUDIENCE) ; ajoutez-le avec events edit "
	    "--audience … --remind …", title ? UTF8_CUT(title, 60) : "?",
	    uid ? UTF8_CUT(uid, 64) : "-");
	json_array_append_new(report, json_string(msg));
	free(msg);
}

int
calendar_import(struct calendar *cal, const char *ics, json_t **result,
    int64_t **ids, size_t *nids, struct error *err)
{
	json_t	*events, *report = NULL, *ev;
	char	*cause = NULL;
	size_t	 i, added = 0, updated = 0;
	int	 upd;

	*ids = NULL;
	*nids = 0;
	events = ics_import(ics, strlen(ics), cal->default_tz, &report, &cause);
	if (events == NULL) {
		error_set(err, ERR_INVALID, "ics", "%s", cause);
		free(cause);
		return -1;
	}
	*ids = xcalloc(json_array_size(events) + 1, sizeof **ids);
	if (report == NULL)
		report = json_array();
	json_array_foreach(events, i, ev) {
		cal_import_alarms(ev, report);
		if (cal_import_one(cal, ev, i, &(*ids)[i], &upd, err) == -1) {
			json_decref(events);
			json_decref(report);
			free(*ids);
			*ids = NULL;
			return -1;
		}
		upd ? updated++ : added++;
	}
	*nids = json_array_size(events);
	*result = json_pack("{sI sI so}", "added", (json_int_t)added,
	    "updated", (json_int_t)updated, "ignored", report);
	json_decref(events);
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
