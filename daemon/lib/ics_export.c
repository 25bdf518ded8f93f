/*
 * ics_export.c: iCalendar (RFC 5545) export of events.
 *
 * Each event object is checked whole (the JSON type of every field, then
 * its values) before anything of it is written, then written as a VEVENT
 * after one VTIMEZONE per zone used (ics_zone.c).  Times are always written
 * with their TZID, UTC included ("DTSTART;TZID=UTC:..." and a VTIMEZONE of
 * offset 0): a "Z" time of a single event would come back in the default
 * zone.  The output is a function of the events only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "duration.h"
#include "ics.h"
#include "ics_int.h"
#include "utf8.h"
#include "util.h"

#define ICS_SHOWN	32	/* characters of a refused value quoted */

/* An event object's "created" and "updated", "2025-12-02T11:30:00Z". */
#define ICS_STAMP_LEN	20
#define ICS_STAMP_Z	(ICS_STAMP_LEN - 1)	/* where the 'Z' is */

/* The fields of an exported event object and their JSON types. */
enum ics_ftype {
	ICS_F_STR,	/* a string */
	ICS_F_NSTR,	/* a string or null */
	ICS_F_STRS,	/* an array of strings */
};

static const struct ics_field {
	const char	*key;
	enum ics_ftype	 type;
	int		 required;
} ics_fields[] = {
	{ "title", ICS_F_STR, 1 },
	{ "dtstart", ICS_F_STR, 1 },
	{ "tz", ICS_F_STR, 1 },
	{ "duration", ICS_F_STR, 1 },
	{ "uid", ICS_F_NSTR, 0 },
	{ "kind", ICS_F_NSTR, 0 },
	{ "rrule", ICS_F_NSTR, 0 },
	{ "location", ICS_F_NSTR, 0 },
	{ "description", ICS_F_NSTR, 0 },
	{ "commune", ICS_F_NSTR, 0 },
	{ "skip_holidays", ICS_F_NSTR, 0 },
	{ "created", ICS_F_NSTR, 0 },
	{ "updated", ICS_F_NSTR, 0 },
	{ "remind", ICS_F_STRS, 0 },
	{ "audience", ICS_F_STRS, 0 },
	{ "channels", ICS_F_STRS, 0 },
	{ "exdates", ICS_F_STRS, 0 },
};
#define ICS_NFIELDS	(sizeof ics_fields / sizeof ics_fields[0])

/* An event object checked and read for export. */
struct ics_xev {
	const char	*tz, *kind, *rrule;	/* kind, rrule may be NULL */
	struct ics_time	 start;
	int64_t		 secs;
	struct ics_buf	 exdates;		/* "20260401T140000,..." */
};

/*
 * Checking an event object.
 */

/* Whether v, the value of a field, has the field's JSON type. */
static int
ics_field_ok(const struct ics_field *f, json_t *v)
{
	json_t	*it;
	size_t	 j = 0;

	if (f->type != ICS_F_STRS)
		return json_is_string(v) || (f->type == ICS_F_NSTR &&
		    json_is_null(v));
	if (!json_is_array(v))
		return 0;
	json_array_foreach(v, j, it)
		if (!json_is_string(it))
			break;
	return j == json_array_size(v);
}

/* Check the JSON types of event n against ics_fields. */
static int
ics_export_check(json_t *ev, size_t n, char **cause)
{
	const struct ics_field	*f;
	json_t			*v;
	size_t			 i;

	if (!json_is_object(ev)) {
		util_cause(cause, "événement n°%zu : un objet est attendu", n);
		return -1;
	}
	for (i = 0; i < ICS_NFIELDS; i++) {
		f = &ics_fields[i];
		if ((v = json_object_get(ev, f->key)) == NULL) {
			if (!f->required)
				continue;
			util_cause(cause, "événement n°%zu : « %s » manquant",
			    n, f->key);
			return -1;
		}
		if (ics_field_ok(f, v))
			continue;
		util_cause(cause, "événement n°%zu : « %s » doit être %s", n,
		    f->key, f->type == ICS_F_STRS ? "une liste de textes" :
		    f->type == ICS_F_NSTR ? "un texte ou null" : "un texte");
		return -1;
	}
	return 0;
}

/*
 * The UTC time of key ("2025-12-02T11:30:00Z", as `events show` writes
 * "created" and "updated") in iCalendar form into buf; -1 when there is
 * none.
 */
static int
ics_stamp(json_t *ev, const char *key, char *buf, size_t len)
{
	const char	*s = json_string_value(json_object_get(ev, key));
	struct ics_time	 t;
	char		 local[ICS_STAMP_LEN];

	if (s == NULL || strlen(s) != ICS_STAMP_LEN || s[ICS_STAMP_Z] != 'Z')
		return -1;
	memcpy(local, s, ICS_STAMP_Z);
	local[ICS_STAMP_Z] = '\0';
	if (ics_local_parse(local, &t) == -1)
		return -1;
	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02dZ", t.year, t.month,
	    t.day, t.hour, t.min, t.sec);
	return 0;
}

/* The text of key in ev, or NULL when absent, null or empty. */
static const char *
ics_str(json_t *ev, const char *key)
{
	const char	*s = json_string_value(json_object_get(ev, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

/* Check x->rrule and x->kind, when given.  -1 with *cause set. */
static int
ics_export_rule_kind(struct ics_xev *x, char **cause)
{
	if (x->rrule != NULL && ics_rrule_check(x->rrule) == -1) {
		util_cause(cause, "RRULE « %s » illisible",
		    UTF8_CUT(x->rrule, ICS_QUOTE_MAX));
		return -1;
	}
	if (x->kind != NULL && ics_kind_find(x->kind, strcmp) == -1) {
		util_cause(cause, "kind « %s » inconnu",
		    UTF8_CUT(x->kind, ICS_SHOWN));
		return -1;
	}
	return 0;
}

/*
 * Check the reminders of ev and read its exdates into x->exdates, in the
 * basic form.  -1 with *cause set.
 */
static int
ics_export_lists(json_t *ev, struct ics_xev *x, char **cause)
{
	struct ics_time	 t;
	char		 basic[32];
	json_t		*it;
	int64_t		 secs;
	size_t		 i;

	json_array_foreach(json_object_get(ev, "remind"), i, it)
		if (duration_parse(json_string_value(it), &secs, cause) == -1)
			return -1;
	json_array_foreach(json_object_get(ev, "exdates"), i, it) {
		if (ics_local_parse(json_string_value(it), &t) == -1) {
			util_cause(cause, "exdate « %s » : "
			    "AAAA-MM-JJTHH:MM:SS attendu",
			    UTF8_CUT(json_string_value(it), ICS_SHOWN));
			return -1;
		}
		ics_time_basic(&t, basic, sizeof basic);
		ics_buf_printf(&x->exdates, "%s%s", i > 0 ? "," : "", basic);
	}
	return 0;
}

/*
 * Check and read the values of event ev into *x, adding its zone to the
 * set zones.  -1 with *cause set (without the event's name).
 */
static int
ics_export_values(json_t *ev, struct ics_xev *x, json_t *zones, char **cause)
{
	const char	*s;

	x->tz = json_string_value(json_object_get(ev, "tz"));
	if (json_object_get(zones, x->tz) == NULL) {
		if (ics_zone_check(x->tz, cause) == -1)
			return -1;
		json_object_set_new(zones, x->tz, json_true());
	}
	s = json_string_value(json_object_get(ev, "dtstart"));
	if (ics_local_parse(s, &x->start) == -1) {
		util_cause(cause, "dtstart « %s » : AAAA-MM-JJTHH:MM:SS "
		    "attendu", UTF8_CUT(s, ICS_SHOWN));
		return -1;
	}
	s = json_string_value(json_object_get(ev, "duration"));
	if (duration_parse(s, &x->secs, cause) == -1)
		return -1;
	x->rrule = ics_str(ev, "rrule");
	x->kind = ics_str(ev, "kind");
	if (ics_export_rule_kind(x, cause) == -1)
		return -1;
	return ics_export_lists(ev, x, cause);
}

/*
 * Writing an event.
 */

/* UID, DTSTAMP (the "updated" time), CREATED and LAST-MODIFIED. */
static void
ics_out_ids(struct ics_buf *o, json_t *ev)
{
	const char	*s;
	json_t		*id;
	char		 val[32], *uid;

	if ((s = ics_str(ev, "uid")) != NULL)
		ics_out_text(o, "UID", s);
	else if (json_is_integer(id = json_object_get(ev, "id"))) {
		xasprintf(&uid, "event-%lld@stoppvif",
		    (long long)json_integer_value(id));
		ics_out_text(o, "UID", uid);
		free(uid);
	}
	if (ics_stamp(ev, "updated", val, sizeof val) == -1 &&
	    ics_stamp(ev, "created", val, sizeof val) == -1)
		util_strlcpy(val, "19700101T000000Z", sizeof val);
	ics_out_line(o, "DTSTAMP", val);
	if (ics_stamp(ev, "created", val, sizeof val) == 0)
		ics_out_line(o, "CREATED", val);
	if (ics_stamp(ev, "updated", val, sizeof val) == 0)
		ics_out_line(o, "LAST-MODIFIED", val);
}

/* The X-STOPPVIF properties of the fields ev has (null: empty value). */
static void
ics_out_extras(struct ics_buf *o, json_t *ev, const char *kind)
{
	json_t	*v;

	if (kind != NULL)
		ics_out_text(o, "X-STOPPVIF-KIND", kind);
	if ((v = json_object_get(ev, "audience")) != NULL)
		ics_out_list(o, "X-STOPPVIF-AUDIENCE", v);
	if ((v = json_object_get(ev, "channels")) != NULL)
		ics_out_list(o, "X-STOPPVIF-CHANNELS", v);
	if ((v = json_object_get(ev, "commune")) != NULL)
		ics_out_text(o, "X-STOPPVIF-COMMUNE", json_is_string(v) ?
		    json_string_value(v) : "");
	if ((v = json_object_get(ev, "skip_holidays")) != NULL)
		ics_out_text(o, "X-STOPPVIF-SKIP-HOLIDAYS", json_is_string(v) ?
		    json_string_value(v) : "");
}

/* A VALARM for each reminder of ev, checked already. */
static void
ics_out_alarms(struct ics_buf *o, json_t *ev)
{
	json_t	*it;
	int64_t	 secs;
	size_t	 i;
	char	 val[64];

	json_array_foreach(json_object_get(ev, "remind"), i, it) {
		duration_parse(json_string_value(it), &secs, NULL);
		ics_dur_format(-secs, val, sizeof val);
		ics_out_line(o, "BEGIN", "VALARM");
		ics_out_line(o, "ACTION", "DISPLAY");
		ics_out_line(o, "DESCRIPTION", "Rappel");
		ics_out_line(o, "TRIGGER", val);
		ics_out_line(o, "END", "VALARM");
	}
}

/*
 * "DTSTART;TZID=Europe/Brussels": the name of a zone by rules (tz.h) has
 * commas and colons, which a parameter value carries in quotes.
 */
static void
ics_tzid_head(char *head, size_t len, const char *prop, const char *tz)
{
	snprintf(head, len, strpbrk(tz, ",;:") != NULL ? "%s;TZID=\"%s\"" :
	    "%s;TZID=%s", prop, tz);
}

/* Write the VEVENT of ev, read into x. */
static void
ics_out_event(struct ics_buf *o, json_t *ev, const struct ics_xev *x)
{
	const char	*s;
	char		 head[ICS_ZONE_MAX + 32], val[64];

	ics_out_line(o, "BEGIN", "VEVENT");
	ics_out_ids(o, ev);
	ics_time_basic(&x->start, val, sizeof val);
	ics_tzid_head(head, sizeof head, "DTSTART", x->tz);
	ics_out_line(o, head, val);
	ics_dur_format(x->secs, val, sizeof val);
	ics_out_line(o, "DURATION", val);
	ics_out_text(o, "SUMMARY", json_string_value(json_object_get(ev,
	    "title")));
	if ((s = ics_str(ev, "location")) != NULL)
		ics_out_text(o, "LOCATION", s);
	if ((s = ics_str(ev, "description")) != NULL)
		ics_out_text(o, "DESCRIPTION", s);
	if (x->kind != NULL)
		ics_out_text(o, "CATEGORIES", x->kind);
	if (x->rrule != NULL)
		ics_out_line(o, "RRULE", x->rrule);
	if (x->exdates.len > 0) {
		ics_tzid_head(head, sizeof head, "EXDATE", x->tz);
		ics_out_line(o, head, x->exdates.s);
	}
	ics_out_extras(o, ev, x->kind);
	ics_out_alarms(o, ev);
	ics_out_line(o, "END", "VEVENT");
}

/*
 * Write event n as a VEVENT into o, adding its zone to the set zones.
 * Every field is checked first; -1 with *cause set.
 */
static int
ics_export_event(struct ics_buf *o, json_t *ev, size_t n, json_t *zones,
    char **cause)
{
	struct ics_xev	 x;
	char		*why;

	memset(&x, 0, sizeof x);
	if (ics_export_check(ev, n, cause) == -1)
		return -1;
	if (ics_export_values(ev, &x, zones, cause) == -1) {
		free(x.exdates.s);
		if (cause != NULL) {
			why = *cause;
			*cause = NULL;
			util_cause(cause, "événement n°%zu « %s » : %s", n,
			    UTF8_CUT(json_string_value(json_object_get(ev,
			    "title")), ICS_QUOTE_MAX), why);
			free(why);
		}
		return -1;
	}
	ics_out_event(o, ev, &x);
	free(x.exdates.s);
	return 0;
}

/* Compare two zone names for qsort. */
static int
ics_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Write the head of the VCALENDAR and a VTIMEZONE for each of zones. */
static void
ics_out_head(struct ics_buf *o, json_t *zones)
{
	json_t		*v;
	const char	*name, **names;
	size_t		 i, n;

	ics_out_line(o, "BEGIN", "VCALENDAR");
	ics_out_line(o, "VERSION", "2.0");
	ics_out_line(o, "PRODID", "-//Stopp Vif//stoppvif//FR");
	ics_out_line(o, "CALSCALE", "GREGORIAN");
	n = json_object_size(zones);
	names = xcalloc(n + 1, sizeof *names);
	i = 0;
	json_object_foreach(zones, name, v)
		names[i++] = name;
	qsort(names, n, sizeof *names, ics_name_cmp);
	for (i = 0; i < n; i++)
		ics_out_vtimezone(o, names[i]);
	free(names);
}

char *
ics_export(json_t *events, char **cause)
{
	struct ics_buf	 head = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	json_t		*zones, *ev;
	size_t		 i;

	if (!json_is_array(events)) {
		util_cause(cause, "export : une liste d'événements est "
		    "attendue");
		return NULL;
	}
	zones = json_object();
	ics_buf_str(&body, "");
	json_array_foreach(events, i, ev) {
		if (ics_export_event(&body, ev, i + 1, zones, cause) == -1) {
			json_decref(zones);
			free(body.s);
			return NULL;
		}
	}
	ics_out_head(&head, zones);
	json_decref(zones);
	ics_buf_add(&head, body.s, body.len);
	ics_out_line(&head, "END", "VCALENDAR");
	free(body.s);
	return head.s;
}
