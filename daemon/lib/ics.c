/*
 * ics.c: iCalendar (RFC 5545) import of events; the export is
 * ics_export.c.
 *
 * Import reads the text into a tree of content lines (ics_read.c), so that
 * every error names its line and values reach the event as written: an
 * RRULE is kept verbatim, an empty value is an empty value (libical's
 * parser drops empty properties as errors, and Google writes "LOCATION:"
 * for every event), X-STOPPVIF lists keep their escaped commas.  libical
 * checks the RRULEs; instants move between zones through tz.h, the
 * daemon's own reading of the system tzdata (ics_zone.c).  Every VEVENT
 * becomes an event object (ics_event.c) or an error, or, in a lenient
 * import, an item of the report that says why it was skipped; whatever is
 * not carried over is named in the report; what import does with each
 * property, and the kinds of event, are the tables of ics_names.c.  A
 * VEVENT with a RECURRENCE-ID is applied to its series once every series
 * is read: a cancelled occurrence becomes an EXDATE, a moved one an EXDATE
 * and an event of its own.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "duration.h"
#include "ics.h"
#include "ics_int.h"
#include "utf8.h"
#include "util.h"

/*
 * A new item of the per-component report, for component c of e:
 * {"line", "uid", "title", "outcome", "notes"}; it becomes imp->cur.
 */
static void
ics_item_open(struct ics_import *imp, const struct ics_ev *e)
{
	json_t	*it = json_object();

	json_object_set_new(it, "line", json_integer(e->comp->line));
	json_object_set_new(it, "component", json_string(e->comp->name));
	json_object_set_new(it, "uid", e->uid ? json_string(e->uid) :
	    json_null());
	json_object_set_new(it, "title", e->title ? json_string(e->title) :
	    json_null());
	json_object_set_new(it, "outcome", json_string("skipped"));
	json_object_set_new(it, "notes", json_array());
	json_array_append_new(imp->items, it);
	imp->cur = it;
}

/* Record that the current item gave event object obj. */
static void
ics_item_event(struct ics_import *imp, json_t *obj)
{
	json_array_append_new(imp->events, obj);
	if (imp->cur == NULL)
		return;
	json_object_set_new(imp->cur, "outcome", json_string(
	    json_array_size(json_object_get(imp->cur, "notes")) > 0 ?
	    "adapted" : "imported"));
	json_object_set_new(imp->cur, "index", json_integer(
	    (json_int_t)json_array_size(imp->events) - 1));
}

/*
 * Read e into an event object.  In a lenient import an event that cannot
 * be read is skipped, the reason in its item; else -1 with the cause.
 */
static int
ics_import_read(struct ics_import *imp, struct ics_ev *e)
{
	char	**cause = imp->cause, *why = NULL;
	json_t	*obj;

	if (imp->lenient)
		imp->cause = &why;
	obj = ics_ev_object(e);
	imp->cause = cause;
	if (obj != NULL) {
		ics_item_event(imp, obj);
		return 0;
	}
	if (!imp->lenient)
		return -1;
	ics_note(imp, e->label, "événement ignoré : %s", why ? why : "?");
	free(why);
	return 0;
}

/* Keep VEVENT comp (with a RECURRENCE-ID) for ics_import_overrides. */
static void
ics_override_keep(struct ics_import *imp, const struct ics_comp *cal,
    const struct ics_comp *comp)
{
	if (imp->novr == imp->ovrcap) {
		imp->ovrcap = imp->ovrcap ? imp->ovrcap * 2 : 8;
		imp->ovr = xreallocarray(imp->ovr, imp->ovrcap,
		    sizeof *imp->ovr);
	}
	imp->ovr[imp->novr].cal = cal;
	imp->ovr[imp->novr].comp = comp;
	imp->ovr[imp->novr++].item = imp->cur;
}

/* Whether STATUS of comp says it is cancelled. */
static int
ics_cancelled(const struct ics_comp *comp)
{
	static const char	 cancelled[] = "CANCELLED";
	const struct ics_prop	*p = ics_prop(comp, "STATUS");

	return p != NULL && strncasecmp(p->value, cancelled,
	    sizeof cancelled - 1) == 0;
}

/* Import one VEVENT of cal: an event, a report, or -1 with the cause. */
static int
ics_import_event(struct ics_import *imp, const struct ics_comp *cal,
    const struct ics_comp *comp)
{
	struct ics_ev		 e;
	int			 rc = 0;

	ics_ev_init(&e, imp, cal, comp);
	if (imp->items != NULL)
		ics_item_open(imp, &e);
	if (ics_prop(comp, "RECURRENCE-ID") != NULL)
		ics_override_keep(imp, cal, comp);
	else if (ics_cancelled(comp))
		ics_note(imp, e.label, "événement annulé (STATUS:CANCELLED) "
		    "ignoré : rien à rappeler");
	else if (e.title == NULL) {
		if (imp->lenient)
			ics_note(imp, e.label, "événement ignoré : SUMMARY "
			    "manquant, chaque événement a besoin d'un titre");
		else
			rc = ics_fail(&e, NULL, "SUMMARY manquant : chaque "
			    "événement a besoin d'un titre");
	} else
		rc = ics_import_read(imp, &e);
	imp->cur = NULL;
	ics_ev_free(&e);
	return rc;
}

/* Import the VEVENTs of one VCALENDAR; report its other components. */
static int
ics_import_calendar(struct ics_import *imp, const struct ics_comp *cal)
{
	const struct ics_prop	*v;
	const struct ics_comp	*c;
	struct ics_ev		 e;
	char			 q[ICS_QUOTE_LEN];
	size_t			 i;

	if ((v = ics_prop(cal, "VERSION")) != NULL &&
	    strcmp(v->value, "2.0") != 0) {
		ics_quote(q, sizeof q, v->value);
		util_cause(imp->cause, "ligne %d : VERSION:%s non prise en "
		    "charge (iCalendar 2.0 attendu)", v->line, q);
		return -1;
	}
	for (i = 0; i < cal->ncomps; i++) {
		c = cal->comps[i];
		if (strcmp(c->name, "VEVENT") == 0) {
			if (ics_import_event(imp, cal, c) == -1)
				return -1;
		} else if (strcmp(c->name, "VTIMEZONE") != 0) {
			ics_ev_init(&e, imp, cal, c);
			if (imp->items != NULL)
				ics_item_open(imp, &e);
			ics_note(imp, e.label, "%s ignoré", c->name);
			imp->cur = NULL;
			ics_ev_free(&e);
		}
	}
	return 0;
}

/* The series event object of imp with this UID (it has an RRULE), or NULL. */
static json_t *
ics_series_find(struct ics_import *imp, const char *uid)
{
	json_t		*obj;
	const char	*u;
	size_t		 i;

	if (uid == NULL)
		return NULL;
	json_array_foreach(imp->events, i, obj) {
		u = json_string_value(json_object_get(obj, "uid"));
		if (u != NULL && strcmp(u, uid) == 0 &&
		    json_is_string(json_object_get(obj, "rrule")))
			return obj;
	}
	return NULL;
}

/*
 * The RECURRENCE-ID of override e as a wall-clock time in zone tz of the
 * series starting at dtstart ("YYYY-MM-DDTHH:MM:SS"), into iso.  0 or -1
 * with the cause set.
 */
static int
ics_override_when(struct ics_ev *e, const char *tz, const char *dtstart,
    char *iso, size_t len)
{
	const struct ics_prop	*p = ics_prop(e->comp, "RECURRENCE-ID");
	struct ics_time		 start;
	struct ics_when		 w;

	if (ics_when_read(e, p, p->value, &w) == -1)
		return -1;
	if (w.t.date && dtstart != NULL &&
	    ics_local_parse(dtstart, &start) == 0) {
		w.t.hour = start.hour;
		w.t.min = start.min;
		w.t.sec = start.sec;
	}
	if (w.floating)
		util_strlcpy(w.zone, tz, sizeof w.zone);
	if (ics_convert(&e->imp->zones, &w.t, w.zone, tz) == -1)
		return ics_fail(e, p, "RECURRENCE-ID hors des années 1 à 9999");
	ics_time_iso(&w.t, iso, len);
	return 0;
}

/* Exclude iso from series obj, once. */
static void
ics_series_exclude(json_t *obj, const char *iso)
{
	json_t	*ex = json_object_get(obj, "exdates"), *v;
	size_t	 i;

	json_array_foreach(ex, i, v)
		if (strcmp(json_string_value(v), iso) == 0)
			return;
	json_array_append_new(ex, json_string(iso));
}

/*
 * Whether series (may be NULL) can have two occurrences in a day: its
 * moved occurrences are then named by date and time, not date alone.
 */
static int
ics_rule_subdaily(json_t *series)
{
	static const char *const parts[] = { "BYHOUR=", "BYMINUTE=",
	    "BYSECOND=", "FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY",
	    NULL };
	const char	*rule;
	size_t		 i;

	if (series == NULL || (rule = json_string_value(json_object_get(
	    series, "rrule"))) == NULL)
		return 0;
	for (i = 0; parts[i] != NULL; i++)
		if (strcasestr(rule, parts[i]) != NULL)
			return 1;
	return 0;
}

/* Give moved occurrence obj what its series says and it does not. */
static void
ics_override_inherit(json_t *obj, json_t *series, const char *uid,
    const char *iso)
{
	static const char *const keys[] = { "audience", "channels", "commune",
	    "location", "description", NULL };
	json_t	*v;
	char	*u;
	size_t	 i;


	for (i = 0; series != NULL && keys[i] != NULL; i++) {
		v = json_object_get(obj, keys[i]);
		if ((v == NULL || json_is_null(v)) &&
		    (v = json_object_get(series, keys[i])) != NULL)
			json_object_set(obj, keys[i], v);
	}
	if (series != NULL && json_array_size(json_object_get(obj,
	    "remind")) == 0)
		json_object_set(obj, "remind", json_object_get(series,
		    "remind"));
	if (series != NULL && strcmp(json_string_value(json_object_get(obj,
	    "kind")), "other") == 0)
		json_object_set(obj, "kind", json_object_get(series, "kind"));
	if (ics_rule_subdaily(series))
		xasprintf(&u, "%s-%.4s%.2s%.2sT%.2s%.2s%.2s", uid != NULL ?
		    uid : "occurrence", iso, iso + 5, iso + 8, iso + 11,
		    iso + 14, iso + 17);
	else
		xasprintf(&u, "%s-%.4s%.2s%.2s", uid != NULL ? uid :
		    "occurrence", iso, iso + 5, iso + 8);
	json_object_set_new(obj, "uid", json_string(u));
	free(u);
}

/*
 * A moved occurrence (override e of series, which may be NULL) becomes an
 * event of its own, with the series' audience, channels and reminders.
 */
static int
ics_override_moved(struct ics_ev *e, json_t *series, const char *iso)
{
	const char	*t;
	json_t		*obj;

	if (e->title == NULL && series != NULL &&
	    (t = json_string_value(json_object_get(series, "title"))) != NULL)
		e->title = xstrdup(t);
	if (e->title == NULL)
		return ics_fail(e, NULL, "SUMMARY manquant");
	if ((obj = ics_ev_object(e)) == NULL)
		return -1;
	json_object_set_new(obj, "rrule", json_null());
	ics_override_inherit(obj, series, e->uid, iso);
	ics_note(e->imp, e->label, "occurrence du %s déplacée : importée "
	    "comme événement à part (UID %s), ses rappels avec elle", iso,
	    json_string_value(json_object_get(obj, "uid")));
	ics_item_event(e->imp, obj);
	return 0;
}

/* Apply override e: cancel or move one occurrence of its series. */
static int
ics_override_apply(struct ics_ev *e)
{
	json_t		*series = ics_series_find(e->imp, e->uid);
	const char	*tz = series ? json_string_value(json_object_get(series,
	    "tz")) : e->imp->default_tz;
	char		 iso[32];

	if (ics_override_when(e, tz, series ? json_string_value(
	    json_object_get(series, "dtstart")) : NULL, iso, sizeof iso) == -1)
		return -1;
	if (series != NULL)
		ics_series_exclude(series, iso);
	if (ics_cancelled(e->comp)) {
		ics_note(e->imp, e->label, series != NULL ? "occurrence du %s "
		    "annulée : retirée de la série, pas de rappel" :
		    "occurrence annulée du %s d'une série absente : ignorée",
		    iso);
		if (series != NULL)
			json_object_set_new(e->imp->cur, "outcome",
			    json_string("adapted"));
		return 0;
	}
	return ics_override_moved(e, series, iso);
}

/* Apply the RECURRENCE-ID overrides once every series is read. */
static int
ics_import_overrides(struct ics_import *imp)
{
	struct ics_ev	 e;
	char		**cause = imp->cause, *why = NULL;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < imp->novr && rc == 0; i++) {
		ics_ev_init(&e, imp, imp->ovr[i].cal, imp->ovr[i].comp);
		imp->cur = imp->ovr[i].item;
		if (imp->lenient)
			imp->cause = &why;
		rc = ics_override_apply(&e);
		imp->cause = cause;
		if (rc == -1 && imp->lenient) {
			ics_note(imp, e.label, "occurrence ignorée : %s",
			    why ? why : "?");
			free(why);
			why = NULL;
			rc = 0;
		}
		imp->cur = NULL;
		ics_ev_free(&e);
	}
	return rc;
}

/*
 * Hand the report over to *report (NULL: drop it), closed by the count of
 * the notes left out past ICS_NOTES_MAX.
 */
static void
ics_import_report(struct ics_import *imp, json_t **report)
{
	char	*msg;

	if (imp->notes > 0) {
		xasprintf(&msg, "… et %zu autres remarques", imp->notes);
		json_array_append_new(imp->report, json_string(msg));
		free(msg);
	}
	if (report != NULL)
		*report = imp->report;
	else
		json_decref(imp->report);
}

/* Read the calendars of root; 0, or -1 with the cause set. */
static int
ics_import_root(struct ics_import *imp, const struct ics_comp *root)
{
	size_t	 i;

	for (i = 0; i < root->ncomps; i++)
		if (ics_import_calendar(imp, root->comps[i]) == -1)
			return -1;
	return ics_import_overrides(imp);
}

/* ics_import and ics_import_items: lenient, with items, or neither. */
static json_t *
ics_import_run(struct ics_import *imp, const char *text, size_t len,
    json_t **report)
{
	struct ics_comp	*root = NULL;
	json_t		*events = NULL;

	if (ics_zone_get(&imp->zones, imp->default_tz) == NULL) {
		util_cause(imp->cause, "fuseau par défaut « %s » inconnu",
		    UTF8_CUT(imp->default_tz, ICS_ZONE_SHOWN));
		goto done;
	}
	if ((root = ics_read(text != NULL ? text : "", text != NULL ? len : 0,
	    imp->cause)) == NULL)
		goto done;
	imp->events = json_array();
	imp->report = json_array();
	if (ics_import_root(imp, root) == -1) {
		json_decref(imp->events);
		json_decref(imp->report);
		goto done;
	}
	events = imp->events;
	ics_import_report(imp, report);
done:
	free(imp->ovr);
	ics_zones_free(&imp->zones);
	ics_comp_free(root);
	return events;
}

json_t *
ics_import(const char *text, size_t len, const char *default_tz,
    json_t **report, char **cause)
{
	struct ics_import	 imp;

	if (report != NULL)
		*report = NULL;
	memset(&imp, 0, sizeof imp);
	imp.cause = cause;
	imp.default_tz = default_tz != NULL ? default_tz : "UTC";
	return ics_import_run(&imp, text, len, report);
}

json_t *
ics_import_items(const char *text, size_t len, const char *default_tz,
    json_t **report, json_t **items, char **cause)
{
	struct ics_import	 imp;
	json_t			*events;

	*items = NULL;
	if (report != NULL)
		*report = NULL;
	memset(&imp, 0, sizeof imp);
	imp.cause = cause;
	imp.default_tz = default_tz != NULL ? default_tz : "UTC";
	imp.lenient = 1;
	imp.items = json_array();
	if ((events = ics_import_run(&imp, text, len, report)) != NULL)
		*items = imp.items;
	else
		json_decref(imp.items);
	return events;
}
