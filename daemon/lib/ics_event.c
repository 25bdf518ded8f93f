/*
 * ics_event.c: one VEVENT read into an event object: its title and UID,
 * DTSTART and RRULE, the length, EXDATEs, VALARMs as reminders, the kind
 * from X-STOPPVIF-KIND or CATEGORIES, the X-STOPPVIF fields, and the report
 * of each property that is not carried over.  ics.c walks the file and
 * decides what becomes of each component.
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
#include "ics_int.h"
#include "utf8.h"
#include "util.h"

/* Fill e for VEVENT (or other component) comp: title, UID and label. */
void
ics_ev_init(struct ics_ev *e, struct ics_import *imp,
    const struct ics_comp *cal, const struct ics_comp *comp)
{
	const struct ics_prop	*p;
	char			 qt[ICS_QUOTE_LEN], qu[ICS_QUOTE_LEN];
	char			*uid;

	memset(e, 0, sizeof *e);
	e->imp = imp;
	e->cal = cal;
	e->comp = comp;
	if ((p = ics_prop(comp, "SUMMARY")) != NULL && p->value[0] != '\0')
		e->title = ics_text(p->value);
	if ((p = ics_prop(comp, "UID")) != NULL && p->value[0] != '\0')
		e->uid = ics_text(p->value);
	if (e->uid != NULL) {
		ics_quote(qu, sizeof qu, e->uid);
		xasprintf(&uid, " (UID %s)", qu);
	} else
		uid = xstrdup("");
	if (e->title != NULL) {
		ics_quote(qt, sizeof qt, e->title);
		xasprintf(&e->label, "« %s »%s", qt, uid);
	} else
		xasprintf(&e->label, "%s de la ligne %d%s", comp->name,
		    comp->line, uid);
	free(uid);
}

/* Free what ics_ev_init made. */
void
ics_ev_free(struct ics_ev *e)
{
	free(e->title);
	free(e->uid);
	free(e->label);
}

/*
 * Add "label: message" to the report; past ICS_NOTES_MAX lines, only
 * count them (ics_import says how many).
 */
void
ics_note(struct ics_import *imp, const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (imp->cur != NULL)
		json_array_append_new(json_object_get(imp->cur, "notes"),
		    json_string(msg));
	if (json_array_size(imp->report) >= ICS_NOTES_MAX)
		imp->notes++;
	else {
		xasprintf(&s, "%s: %s", label, msg);
		json_array_append_new(imp->report, json_string(s));
		free(s);
	}
	free(msg);
}

/* Set the import's cause, naming the event and p's line; returns -1. */
int
ics_fail(struct ics_ev *e, const struct ics_prop *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (p != NULL && e->imp->lenient)	/* the item names the event */
		util_cause(e->imp->cause, "ligne %d : %s", p->line, msg);
	else if (e->imp->lenient)
		util_cause(e->imp->cause, "%s", msg);
	else if (p != NULL)
		util_cause(e->imp->cause, "%s, ligne %d: %s", e->label,
		    p->line, msg);
	else
		util_cause(e->imp->cause, "%s: %s", e->label, msg);
	free(msg);
	return -1;
}

/*
 * The zone of the calendar's floating times: its X-WR-TIMEZONE (Apple,
 * Google) when that names a usable zone, else the import's default zone.
 */
static const char *
ics_floating_zone(struct ics_ev *e)
{
	const struct ics_prop	*p = ics_prop(e->cal, "X-WR-TIMEZONE");

	if (p != NULL && ics_zone_get(&e->imp->zones, p->value) != NULL)
		return p->value;
	return e->imp->default_tz;
}

/*
 * Read value (of property p, whose TZID and VALUE apply) as a time and
 * the zone it is in: "UTC" for a "Z" time, the resolved TZID, else the
 * calendar's floating zone (w->t.date or floating: the caller may read it
 * in another).  A TZID that cannot be resolved refuses the event only.
 */
int
ics_when_read(struct ics_ev *e, const struct ics_prop *p, const char *value,
    struct ics_when *w)
{
	const char	*vt = ics_param(p, "VALUE"), *tzid, *why;
	char		 q[ICS_QUOTE_LEN];

	ics_quote(q, sizeof q, value);
	if (ics_time_parse(value, &w->t) == -1 || (vt != NULL &&
	    ((strcasecmp(vt, "DATE") == 0 && !w->t.date) ||
	    (strcasecmp(vt, "DATE-TIME") == 0 && w->t.date))))
		return ics_fail(e, p, "%s « %s » illisible (attendu AAAAMMJJ "
		    "ou AAAAMMJJTHHMMSS)", p->name, q);
	w->floating = 0;
	if (w->t.utc)
		util_strlcpy(w->zone, "UTC", sizeof w->zone);
	else if (!w->t.date && (tzid = ics_param(p, "TZID")) != NULL) {
		if (ics_zone_resolve(&e->imp->zones, e->cal, tzid, w->zone,
		    sizeof w->zone, &why) == -1) {
			ics_quote(q, sizeof q, tzid);
			return ics_fail(e, p, "fuseau « %s » inconnu : %s ; "
			    "événement refusé", q, why != NULL ? why :
			    "nom trop long");
		}
		/* a zone by the calendar's own rules: said once, at DTSTART */
		if (why != NULL && strcmp(p->name, "DTSTART") == 0) {
			ics_quote(q, sizeof q, tzid);
			ics_note(e->imp, e->label, "fuseau « %s » : %s", q,
			    why);
		}
	} else {
		util_strlcpy(w->zone, ics_floating_zone(e), sizeof w->zone);
		w->floating = 1;
	}
	return 0;
}

/* DTSTART and RRULE of the event. */
static int
ics_ev_start(struct ics_ev *e)
{
	const struct ics_prop	*p;
	char			 q[ICS_QUOTE_LEN];

	if ((p = ics_prop(e->comp, "DTSTART")) == NULL)
		return ics_fail(e, NULL, "DTSTART manquant");
	if (ics_when_read(e, p, p->value, &e->start) == -1)
		return -1;
	if ((p = ics_prop(e->comp, "RRULE")) != NULL) {
		if (ics_rrule_check(p->value) == -1) {
			ics_quote(q, sizeof q, p->value);
			return ics_fail(e, p, "RRULE « %s » illisible", q);
		}
		e->rrule = p->value;
	}
	return 0;
}

/*
 * The length of the event: DURATION, else DTEND - DTSTART (on the wall
 * clock of DTSTART's zone), else 1 day for a date and 1 hour for a time.
 */
static int
ics_ev_duration(struct ics_ev *e, int64_t *secs)
{
	const struct ics_prop	*dur, *end;
	struct ics_when		 w;
	char			 q[ICS_QUOTE_LEN];

	dur = ics_prop(e->comp, "DURATION");
	end = ics_prop(e->comp, "DTEND");
	if (dur != NULL) {
		ics_quote(q, sizeof q, dur->value);
		if (ics_dur_parse(dur->value, secs) == -1)
			return ics_fail(e, dur, "DURATION « %s » illisible", q);
		if (*secs < 0)
			return ics_fail(e, dur, "DURATION « %s » négative", q);
		if (end != NULL)
			ics_note(e->imp, e->label, "DTEND ignoré (DURATION "
			    "présent)");
		return 0;
	}
	if (end == NULL) {
		*secs = e->start.t.date ? ICS_DAY : ICS_HOUR;
		return 0;
	}
	if (ics_when_read(e, end, end->value, &w) == -1)
		return -1;
	if (w.floating)
		util_strlcpy(w.zone, e->start.zone, sizeof w.zone);
	if (ics_convert(&e->imp->zones, &w.t, w.zone, e->start.zone) == -1)
		return ics_fail(e, end, "DTEND hors des années 1 à 9999");
	*secs = ics_time_secs(&w.t) - ics_time_secs(&e->start.t);
	if (*secs < 0)
		return ics_fail(e, end, "DTEND avant DTSTART");
	return 0;
}

/*
 * One date of EXDATE property p, read as a wall-clock time in the event's
 * zone and appended to out unless it is in the set seen.  A date excludes
 * the occurrence of that day; a floating time is read in the event's zone.
 */
static int
ics_ev_exdate(struct ics_ev *e, const struct ics_prop *p, const char *item,
    json_t *seen, json_t *out)
{
	struct ics_when	 w;
	char		 iso[32];

	if (ics_when_read(e, p, item, &w) == -1)
		return -1;
	if (w.t.date) {
		w.t.hour = e->start.t.hour;
		w.t.min = e->start.t.min;
		w.t.sec = e->start.t.sec;
	}
	if (w.floating)
		util_strlcpy(w.zone, e->tz, sizeof w.zone);
	if (ics_convert(&e->imp->zones, &w.t, w.zone, e->tz) == -1)
		return ics_fail(e, p, "EXDATE hors des années 1 à 9999");
	ics_time_iso(&w.t, iso, sizeof iso);
	/* a set, not a search: the list may be long */
	if (json_object_get(seen, iso) == NULL) {
		json_object_set_new(seen, iso, json_true());
		json_array_append_new(out, json_string(iso));
	}
	return 0;
}

/* The dates of EXDATE property p, a comma list, through ics_ev_exdate. */
static int
ics_ev_exdate_list(struct ics_ev *e, const struct ics_prop *p, json_t *seen,
    json_t *out)
{
	char	*list = xstrdup(p->value), *item, *save = NULL;
	int	 rc = 0;

	for (item = strtok_r(list, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item += strspn(item, " ");
		item[strcspn(item, " ")] = '\0';
		if (*item == '\0')
			continue;
		if ((rc = ics_ev_exdate(e, p, item, seen, out)) == -1)
			break;
	}
	free(list);
	return rc;
}

/*
 * EXDATEs as wall-clock times in the event's zone, in file order without
 * repeats.  Without an RRULE they are reported, once.
 */
static int
ics_ev_exdates(struct ics_ev *e, json_t *out)
{
	const struct ics_prop	*p;
	json_t			*seen = json_object();
	size_t			 i;
	int			 noted = 0, rc = 0;

	for (i = 0; i < e->comp->nprops && rc == 0; i++) {
		p = &e->comp->props[i];
		if (strcmp(p->name, "EXDATE") != 0)
			continue;
		if (e->rrule != NULL)
			rc = ics_ev_exdate_list(e, p, seen, out);
		else if (!noted++)
			ics_note(e->imp, e->label, "EXDATE sans RRULE ignoré");
	}
	json_decref(seen);
	return rc;
}

static int
ics_offset_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * How long before the start VALARM c rings, into *before: 1, or 0 when the
 * alarm is not imported (reported: not a duration before the start), -1
 * with the cause set when its TRIGGER cannot be read.
 */
static int
ics_ev_alarm(struct ics_ev *e, const struct ics_comp *c, int64_t *before)
{
	const struct ics_prop	*trig;
	const char		*vt, *rel;
	char			 q[ICS_QUOTE_LEN];
	int64_t			 secs;

	if (ics_prop(c, "REPEAT") != NULL)
		ics_note(e->imp, e->label, "répétition du rappel ignorée");
	if ((trig = ics_prop(c, "TRIGGER")) == NULL) {
		ics_note(e->imp, e->label, "rappel sans TRIGGER ignoré");
		return 0;
	}
	vt = ics_param(trig, "VALUE");
	rel = ics_param(trig, "RELATED");
	if ((vt != NULL && strcasecmp(vt, "DATE-TIME") == 0) ||
	    isdigit((unsigned char)trig->value[0])) {
		ics_note(e->imp, e->label, "rappel à date fixe ignoré");
		return 0;
	}
	if (rel != NULL && strcasecmp(rel, "END") == 0) {
		ics_note(e->imp, e->label, "rappel relatif à la fin ignoré");
		return 0;
	}
	if (ics_dur_parse(trig->value, &secs) == -1) {
		ics_quote(q, sizeof q, trig->value);
		return ics_fail(e, trig, "TRIGGER « %s » illisible", q);
	}
	if (secs > 0) {
		ics_note(e->imp, e->label, "rappel après le début ignoré");
		return 0;
	}
	*before = -secs;
	return 1;
}

/*
 * The reminders: VALARMs whose TRIGGER is a duration before the start,
 * largest first, without repeats.  Other triggers are reported.
 */
static int
ics_ev_alarms(struct ics_ev *e, json_t *out)
{
	const struct ics_comp	*c;
	int64_t			*offs;
	size_t			 n = 0, i;
	char			 buf[32];
	int			 rc;

	offs = xcalloc(e->comp->ncomps + 1, sizeof *offs);
	for (i = 0; i < e->comp->ncomps; i++) {
		c = e->comp->comps[i];
		if (strcmp(c->name, "VALARM") != 0) {
			ics_note(e->imp, e->label, "composant %s ignoré",
			    c->name);
			continue;
		}
		if ((rc = ics_ev_alarm(e, c, &offs[n])) == -1) {
			free(offs);
			return -1;
		}
		n += (size_t)rc;
	}
	/* sorted, then each once: an event may hold very many alarms */
	qsort(offs, n, sizeof *offs, ics_offset_cmp);
	for (i = 0; i < n; i++)
		if (i == 0 || offs[i] != offs[i - 1])
			json_array_append_new(out, json_string(duration_format(
			    offs[i], buf, sizeof buf)));
	free(offs);
	return 0;
}

/*
 * The kind: X-STOPPVIF-KIND when it is one, else the first category that
 * names one, else "other".  Categories that say something else are
 * reported.
 */
static const char *
ics_ev_kind(struct ics_ev *e)
{
	const struct ics_prop	*p;
	json_t			*cats, *v;
	char			*x, q[ICS_QUOTE_LEN];
	size_t			 i, j;
	int			 kind = -1, k;

	if ((p = ics_prop(e->comp, "X-STOPPVIF-KIND")) != NULL) {
		x = ics_text(p->value);
		if ((kind = ics_kind_find(x, strcasecmp)) == -1) {
			ics_quote(q, sizeof q, x);
			ics_note(e->imp, e->label, "X-STOPPVIF-KIND « %s » "
			    "inconnu ignoré", q);
		}
		free(x);
	}
	for (i = 0; i < e->comp->nprops; i++) {
		p = &e->comp->props[i];
		if (strcmp(p->name, "CATEGORIES") != 0)
			continue;
		cats = ics_text_list(p->value);
		json_array_foreach(cats, j, v) {
			k = ics_kind_of(json_string_value(v));
			if (kind == -1 && k != -1)
				kind = k;
			else if (k != kind || k == -1) {
				ics_quote(q, sizeof q, json_string_value(v));
				ics_note(e->imp, e->label, "catégorie « %s » "
				    "ignorée", q);
			}
		}
		json_decref(cats);
	}
	return ics_kind_name(kind);
}

/*
 * Set key from X-STOPPVIF property name when the event has it: a list for
 * audience and channels, a text (empty: null) otherwise.
 */
static void
ics_ev_extra(struct ics_ev *e, json_t *obj, const char *key, const char *name,
    int list)
{
	const struct ics_prop	*p;
	char			*s;

	if ((p = ics_prop(e->comp, name)) == NULL)
		return;
	if (list) {
		json_object_set_new(obj, key, ics_text_list(p->value));
		return;
	}
	s = ics_text(p->value);
	json_object_set_new(obj, key, *s == '\0' ? json_null() :
	    json_string(s));
	free(s);
}

/*
 * Report the properties of the event that are not imported.  The names
 * seen are kept in a set: an event may carry very many properties.
 */
static void
ics_ev_ignored(struct ics_ev *e)
{
	const char	*name;
	json_t		*seen = json_object();
	size_t		 i;
	enum ics_use	 use;
	int		 people = 0, again;

	for (i = 0; i < e->comp->nprops; i++) {
		name = e->comp->props[i].name;
		if (!(again = json_object_get(seen, name) != NULL))
			json_object_set_new(seen, name, json_true());
		use = ics_prop_use(name);
		if (use == ICS_UNKNOWN) {
			if (!again)
				ics_note(e->imp, e->label, "%s ignoré", name);
		} else if (use == ICS_ONCE && again) {
			if (strcmp(name, "RRULE") == 0)
				ics_note(e->imp, e->label, "RRULE "
				    "supplémentaire ignorée");
			else
				ics_note(e->imp, e->label, "%s en double "
				    "ignoré", name);
		} else if (use == ICS_PEOPLE && !people++)
			ics_note(e->imp, e->label, "participants ignorés");
	}
	json_decref(seen);
}

/* Set key to the UTC time of property name, when it has one. */
static void
ics_ev_stamp(struct ics_ev *e, json_t *obj, const char *key,
    const char *name)
{
	const struct ics_prop	*p;
	struct ics_time		 t;
	char			 iso[32];

	if ((p = ics_prop(e->comp, name)) == NULL ||
	    ics_time_parse(p->value, &t) == -1 || !t.utc)
		return;
	ics_time_iso(&t, iso, sizeof iso);
	util_strlcat(iso, "Z", sizeof iso);
	json_object_set_new(obj, key, json_string(iso));
}

/*
 * DTSTART, RRULE and the length of the event, and the zone it is kept in:
 * DTSTART's, but the default zone for a single event at a UTC time.
 */
static int
ics_ev_when(struct ics_ev *e, int64_t *secs)
{
	if (ics_ev_start(e) == -1 || ics_ev_duration(e, secs) == -1)
		return -1;
	util_strlcpy(e->tz, e->start.zone, sizeof e->tz);
	if (!e->start.t.utc || e->rrule != NULL)
		return 0;
	util_strlcpy(e->tz, e->imp->default_tz, sizeof e->tz);
	if (ics_convert(&e->imp->zones, &e->start.t, "UTC", e->tz) == -1)
		return ics_fail(e, ics_prop(e->comp, "DTSTART"), "DTSTART "
		    "hors des années 1 à 9999");
	return 0;
}

/* Set key to the TEXT of property name, null when absent or empty. */
static void
ics_ev_text(struct ics_ev *e, json_t *obj, const char *key, const char *name)
{
	const struct ics_prop	*p = ics_prop(e->comp, name);
	char			*s;

	s = p != NULL && p->value[0] != '\0' ? ics_text(p->value) : NULL;
	json_object_set_new(obj, key, s ? json_string(s) : json_null());
	free(s);
}

/* The event object of e, lasting secs, with its remind and exdates. */
static json_t *
ics_ev_fields(struct ics_ev *e, int64_t secs, json_t *remind, json_t *exdates)
{
	json_t	*obj = json_object();
	char	 iso[32], dur[32];

	if (e->uid != NULL)
		json_object_set_new(obj, "uid", json_string(e->uid));
	json_object_set_new(obj, "title", json_string(e->title));
	json_object_set_new(obj, "kind", json_string(e->kind));
	ics_time_iso(&e->start.t, iso, sizeof iso);
	json_object_set_new(obj, "dtstart", json_string(iso));
	json_object_set_new(obj, "tz", json_string(e->tz));
	json_object_set_new(obj, "rrule", e->rrule != NULL ?
	    json_string(e->rrule) : json_null());
	json_object_set_new(obj, "duration", json_string(duration_format(secs,
	    dur, sizeof dur)));
	ics_ev_text(e, obj, "location", "LOCATION");
	ics_ev_extra(e, obj, "commune", "X-STOPPVIF-COMMUNE", 0);
	ics_ev_text(e, obj, "description", "DESCRIPTION");
	json_object_set_new(obj, "remind", remind);
	ics_ev_extra(e, obj, "audience", "X-STOPPVIF-AUDIENCE", 1);
	ics_ev_extra(e, obj, "channels", "X-STOPPVIF-CHANNELS", 1);
	ics_ev_extra(e, obj, "skip_holidays", "X-STOPPVIF-SKIP-HOLIDAYS", 0);
	json_object_set_new(obj, "exdates", exdates);
	ics_ev_stamp(e, obj, "created", "CREATED");
	ics_ev_stamp(e, obj, "updated", "LAST-MODIFIED");
	return obj;
}

/*
 * The event object of e, or NULL with the cause set.  CREATED and
 * LAST-MODIFIED come back as the read-only "created" and "updated", so
 * that export, import and export again give the same text.
 */
json_t *
ics_ev_object(struct ics_ev *e)
{
	json_t	*remind, *exdates;
	int64_t	 secs;

	if (ics_ev_when(e, &secs) == -1)
		return NULL;
	ics_ev_ignored(e);
	e->kind = ics_ev_kind(e);
	remind = json_array();
	exdates = json_array();
	if (ics_ev_alarms(e, remind) == -1 ||
	    ics_ev_exdates(e, exdates) == -1) {
		json_decref(remind);
		json_decref(exdates);
		return NULL;
	}
	return ics_ev_fields(e, secs, remind, exdates);
}
