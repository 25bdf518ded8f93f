/*
 * api_events.c: the control API's handlers for the calendar (shapes in
 * calendar.h): events, their iCalendar import and export, the agenda.
 *
 * A change to the calendar keeps the scheduler exact: the reminders due
 * right now are handled first, under the old definition, then the written
 * event is planned again (an edited one's pending reminders taken back from
 * the outbox first).  All of it runs in api.c's transaction, with the audit
 * entry, so a failure anywhere leaves nothing behind.
 */
#include <stdlib.h>

#include <jansson.h>

#include "api.h"
#include "api_events.h"
#include "api_req.h"
#include "calendar.h"
#include "log.h"
#include "outbox.h"
#include "sched.h"
#include "util.h"

/* How many dates a preview gives. */
#define API_PREVIEW_DATES	5

/* A scheduler failure inside a handler, as an internal error. */
static int
api_sched_error(struct api_req *r, char *cause)
{
	error_set(&r->err, ERR_INTERNAL, NULL, "planification : %s",
	    cause);
	free(cause);
	return -1;
}

/* Handle the reminders due right now before a change to the calendar. */
static int
api_sched_due(struct api_req *r)
{
	char	*cause = NULL;

	return sched_due(r->env->sched, &cause) == -1 ?
	    api_sched_error(r, cause) : 0;
}

/*
 * Plan event id after it was written.  An edited event's pending reminders
 * are taken back first, to be queued again from its new definition.
 */
static int
api_sched_plan(struct api_req *r, int64_t id, int edited)
{
	int64_t	 requeue = -1;
	char	*cause = NULL;

	if (edited && outbox_take_back(r->env->store, id, &requeue,
	    &cause) == -1)
		return api_sched_error(r, cause);
	return sched_plan(r->env->sched, id, requeue, &cause) == -1 ?
	    api_sched_error(r, cause) : 0;
}

int
api_events_list(struct api_req *r)
{
	r->result = calendar_list(r->env->cal, &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_events_add(struct api_req *r)
{
	int64_t	 id;

	if (api_sched_due(r) == -1 ||
	    calendar_add(r->env->cal, r->body, &id, &r->err) == -1 ||
	    api_sched_plan(r, id, 0) == -1 ||
	    api_audit_record(r, "events.add", "event", id) == -1)
		return -1;
	log_info("api events_add id=%lld uid=%u", (long long)id,
	    (unsigned)r->uid);
	api_req_created(r, id);
	return 0;
}

int
api_events_show(struct api_req *r)
{
	r->result = calendar_get(r->env->cal, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_events_edit(struct api_req *r)
{
	if (api_sched_due(r) == -1 ||
	    calendar_edit(r->env->cal, r->id, r->body, &r->err) == -1 ||
	    api_sched_plan(r, r->id, 1) == -1 ||
	    api_audit_record(r, "events.edit", "event", r->id) == -1)
		return -1;
	log_info("api events_edit id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = calendar_get(r->env->cal, r->id, &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_events_remove(struct api_req *r)
{
	char	*cause = NULL;

	if (api_sched_due(r) == -1 ||
	    calendar_remove(r->env->cal, r->id, &r->err) == -1)
		return -1;
	/* its reminders still pending go with it, in the same transaction */
	if (outbox_cancel_event(r->env->store, r->id, NULL, &cause) == -1) {
		return error_take(&r->err, ERR_INTERNAL, NULL, cause);
	}
	if (api_audit_record(r, "events.remove", "event", r->id) == -1)
		return -1;
	log_info("api events_remove id=%lld uid=%u", (long long)r->id,
	    (unsigned)r->uid);
	r->result = json_pack("{sI sb}", "id", (json_int_t)r->id,
	    "removed", 1);
	return 0;
}

/*
 * Import an iCalendar text ({"ics": "..."}): each event it adds or updates
 * is planned as an edited one.
 */
int
api_events_import(struct api_req *r)
{
	json_t	*ics = json_object_get(r->body, "ics");
	int64_t	*ids = NULL;
	size_t	 n = 0, i;
	int	 rc = -1;

	if (!json_is_string(ics)) {
		error_set(&r->err, ERR_INVALID, "ics", "texte "
		    "iCalendar attendu");
		return -1;
	}
	if (api_sched_due(r) == -1 || calendar_import(r->env->cal,
	    json_string_value(ics), &r->result, &ids, &n, &r->err) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (api_sched_plan(r, ids[i], 1) == -1)
			goto out;
	if (api_audit_record(r, "events.import", "calendar", 0) == 0)
		rc = 0;
	log_info("api events_import events=%zu uid=%u", n, (unsigned)r->uid);
out:
	free(ids);
	return rc;
}

/* The whole calendar, its sealed places and descriptions opened: audited
 * like a change, and not handed out when the entry cannot be written. */
int
api_events_export(struct api_req *r)
{
	char	*text = calendar_export(r->env->cal, &r->err);

	if (text == NULL)
		return -1;
	if (api_audit_record(r, "events.export", "calendar", 0) == -1) {
		free(text);
		return -1;
	}
	r->result = json_pack("{ss}", "ics", text);
	free(text);
	return 0;
}

/* The next dates of the event the body would add; nothing written. */
int
api_events_preview(struct api_req *r)
{
	r->result = calendar_preview(r->env->cal, r->body, API_PREVIEW_DATES,
	    &r->err);
	return r->result == NULL ? -1 : 0;
}

int
api_events_agenda(struct api_req *r)
{
	const char	*days = api_query(r, "days");
	int64_t		 n = 30;

	if (days != NULL && util_parse_int(days, 1, 732, &n) == -1) {
		error_set(&r->err, ERR_INVALID, "days", "nombre de "
		    "jours entre 1 et 732 attendu");
		return -1;
	}
	r->result = calendar_agenda(r->env->cal, api_query(r, "from"), n,
	    &r->err);
	return r->result == NULL ? -1 : 0;
}
