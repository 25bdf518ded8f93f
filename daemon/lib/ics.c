/*
 * ics.c: iCalendar (RFC 5545) import and export of events.
 *
 * Import reads the text into a tree of content lines (ics_read.c), so that
 * every error names its line and values reach the event as written: an
 * RRULE is kept verbatim, an empty value is an empty value (libical's
 * parser drops empty properties as errors, and Google writes "LOCATION:"
 * for every event), X-STOPPVIF lists keep their escaped commas.  libical
 * checks the RRULEs; instants move between zones through tz.h, the
 * daemon's own reading of the system tzdata (ics_zone.c).  Every VEVENT
 * becomes an event object or an error; whatever is not carried over is
 * named in the report.
 *
 * Export checks each event object and writes it as content lines, after
 * one VTIMEZONE per zone used (ics_zone.c).  Times are always written with
 * their TZID, UTC included ("DTSTART;TZID=UTC:..." and a VTIMEZONE of
 * offset 0): a "Z" time of a single event would come back in the default
 * zone.  The output is a function of the events only.
 */
#include <ctype.h>
#include <stdarg.h>
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

/* A time and the zone it is read in ("UTC", or an IANA name). */
struct ics_when {
	struct ics_time	 t;
	char		 zone[ICS_ZONE_MAX];
	int		 floating;	/* a date, or no TZID and no Z */
};

#define ICS_NOTES_MAX	500	/* report lines, then one that counts */

/* One import run. */
struct ics_import {
	const char		*default_tz;
	json_t			*events;
	json_t			*report;
	size_t			 notes;		/* report lines not kept */
	char			**cause;
	struct ics_zones	 zones;
};

/* The VEVENT being imported. */
struct ics_ev {
	struct ics_import	*imp;
	const struct ics_comp	*cal, *comp;
	char			*title, *uid;	/* unescaped, or NULL */
	char			*label;		/* « title » (UID uid) */
	struct ics_when		 start;
	char			 tz[ICS_ZONE_MAX];
	const char		*rrule;
	const char		*kind;
};

/* What import does with a property of a VEVENT. */
enum ics_use {
	ICS_ONCE,	/* read; a second one is reported */
	ICS_MANY,	/* read, every occurrence */
	ICS_QUIET,	/* bookkeeping: skipped without a word */
	ICS_PEOPLE,	/* ATTENDEE, ORGANIZER: reported once */
};

static const struct ics_prop_rule {
	const char	*name;		/* a trailing '*' matches a prefix */
	enum ics_use	 use;
} ics_prop_rules[] = {
	{ "UID", ICS_ONCE },
	{ "SUMMARY", ICS_ONCE },
	{ "DTSTART", ICS_ONCE },
	{ "DTEND", ICS_ONCE },
	{ "DURATION", ICS_ONCE },
	{ "RRULE", ICS_ONCE },
	{ "EXDATE", ICS_MANY },
	{ "LOCATION", ICS_ONCE },
	{ "DESCRIPTION", ICS_ONCE },
	{ "CATEGORIES", ICS_MANY },
	{ "STATUS", ICS_ONCE },
	{ "X-STOPPVIF-KIND", ICS_ONCE },
	{ "X-STOPPVIF-AUDIENCE", ICS_ONCE },
	{ "X-STOPPVIF-CHANNELS", ICS_ONCE },
	{ "X-STOPPVIF-COMMUNE", ICS_ONCE },
	{ "X-STOPPVIF-SKIP-HOLIDAYS", ICS_ONCE },
	{ "CREATED", ICS_ONCE },
	{ "LAST-MODIFIED", ICS_ONCE },
	{ "DTSTAMP", ICS_QUIET },
	{ "SEQUENCE", ICS_QUIET },
	{ "TRANSP", ICS_QUIET },
	{ "CLASS", ICS_QUIET },
	{ "PRIORITY", ICS_QUIET },
	{ "URL", ICS_QUIET },
	{ "X-MICROSOFT-*", ICS_QUIET },
	{ "X-MS-*", ICS_QUIET },	/* Outlook's X-MS-OLK-* */
	{ "X-GOOGLE-*", ICS_QUIET },
	{ "X-MOZ-*", ICS_QUIET },
	{ "X-LIC-*", ICS_QUIET },
	{ "ATTENDEE", ICS_PEOPLE },
	{ "ORGANIZER", ICS_PEOPLE },
};
#define ICS_NPROP_RULES	(sizeof ics_prop_rules / sizeof ics_prop_rules[0])

static const char *const ics_kinds[] = {
	"platform", "training", "cabane", "awareness", "other",
};
#define ICS_NKINDS	(sizeof ics_kinds / sizeof ics_kinds[0])

/* Words of a category that name a kind, English and French. */
static const struct {
	const char	*word;
	const char	*kind;
} ics_kind_words[] = {
	{ "platform", "platform" }, { "plateforme", "platform" },
	{ "plateformes", "platform" },
	{ "training", "training" }, { "formation", "training" },
	{ "formations", "training" },
	{ "cabane", "cabane" }, { "cabanes", "cabane" },
	{ "awareness", "awareness" }, { "sensibilisation", "awareness" },
	{ "other", "other" }, { "autre", "other" },
};
#define ICS_NKIND_WORDS	(sizeof ics_kind_words / sizeof ics_kind_words[0])

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

static void	ics_note(struct ics_import *, const char *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	ics_fail(struct ics_ev *, const struct ics_prop *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

/*
 * Import.
 */

/* Fill e for VEVENT (or other component) comp: title, UID and label. */
static void
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

/*
 * Add "label: message" to the report; past ICS_NOTES_MAX lines, only
 * count them (ics_import says how many).
 */
static void
ics_note(struct ics_import *imp, const char *label, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	if (json_array_size(imp->report) >= ICS_NOTES_MAX) {
		imp->notes++;
		return;
	}
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&s, "%s: %s", label, msg);
	json_array_append_new(imp->report, json_string(s));
	free(s);
	free(msg);
}

/* Set the import's cause, naming the event and p's line; returns -1. */
static int
ics_fail(struct ics_ev *e, const struct ics_prop *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (p != NULL)
		util_cause(e->imp->cause, "%s, ligne %d: %s", e->label,
		    p->line, msg);
	else
		util_cause(e->imp->cause, "%s: %s", e->label, msg);
	free(msg);
	return -1;
}

/*
 * Read value (of property p, whose TZID and VALUE apply) as a time and
 * the zone it is in: "UTC" for a "Z" time, the resolved TZID, else the
 * default zone (w->t.date or floating: the caller may read it in another).
 */
static int
ics_when_read(struct ics_ev *e, const struct ics_prop *p, const char *value,
    struct ics_when *w)
{
	const char	*vt = ics_param(p, "VALUE"), *tzid;
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
		    sizeof w->zone) == -1) {
			ics_quote(q, sizeof q, tzid);
			return ics_fail(e, p, "fuseau « %s » inconnu : ni nom "
			    "IANA, ni nom Windows connu, ni VTIMEZONE avec "
			    "X-LIC-LOCATION", q);
		}
	} else {
		util_strlcpy(w->zone, e->imp->default_tz, sizeof w->zone);
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
		*secs = e->start.t.date ? ICS_DAY : 3600;
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
 * EXDATEs as wall-clock times in the event's zone, in file order without
 * repeats.  A date excludes the occurrence of that day; a floating time is
 * read in the event's zone.
 */
static int
ics_ev_exdates(struct ics_ev *e, json_t *out)
{
	const struct ics_prop	*p;
	struct ics_when		 w;
	json_t			*seen = json_object();
	char			*list, *item, *save = NULL, iso[32];
	size_t			 i;
	int			 noted = 0, rc = 0;

	for (i = 0; i < e->comp->nprops && rc == 0; i++) {
		p = &e->comp->props[i];
		if (strcmp(p->name, "EXDATE") != 0)
			continue;
		if (e->rrule == NULL) {
			if (!noted++)
				ics_note(e->imp, e->label, "EXDATE sans RRULE "
				    "ignoré");
			continue;
		}
		list = xstrdup(p->value);
		rc = 0;
		for (item = strtok_r(list, ",", &save); item != NULL && rc == 0;
		    item = strtok_r(NULL, ",", &save)) {
			item += strspn(item, " ");
			item[strcspn(item, " ")] = '\0';
			if (*item == '\0')
				continue;
			if ((rc = ics_when_read(e, p, item, &w)) == -1)
				break;
			if (w.t.date) {
				w.t.hour = e->start.t.hour;
				w.t.min = e->start.t.min;
				w.t.sec = e->start.t.sec;
			}
			if (w.floating)
				util_strlcpy(w.zone, e->tz, sizeof w.zone);
			if ((rc = ics_convert(&e->imp->zones, &w.t, w.zone,
			    e->tz)) == -1) {
				ics_fail(e, p, "EXDATE hors des années 1 à "
				    "9999");
				break;
			}
			ics_time_iso(&w.t, iso, sizeof iso);
			/* a set, not a search: the list may be long */
			if (json_object_get(seen, iso) == NULL) {
				json_object_set_new(seen, iso, json_true());
				json_array_append_new(out, json_string(iso));
			}
		}
		free(list);
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
 * The reminders: VALARMs whose TRIGGER is a duration before the start,
 * largest first, without repeats.  Other triggers are reported.
 */
static int
ics_ev_alarms(struct ics_ev *e, json_t *out)
{
	const struct ics_comp	*c;
	const struct ics_prop	*trig;
	const char		*vt, *rel;
	int64_t			*offs, secs;
	size_t			 n = 0, i;
	char			 q[ICS_QUOTE_LEN], buf[32];

	offs = xcalloc(e->comp->ncomps + 1, sizeof *offs);
	for (i = 0; i < e->comp->ncomps; i++) {
		c = e->comp->comps[i];
		if (strcmp(c->name, "VALARM") != 0) {
			ics_note(e->imp, e->label, "composant %s ignoré",
			    c->name);
			continue;
		}
		if (ics_prop(c, "REPEAT") != NULL)
			ics_note(e->imp, e->label, "répétition du rappel "
			    "ignorée");
		if ((trig = ics_prop(c, "TRIGGER")) == NULL) {
			ics_note(e->imp, e->label, "rappel sans TRIGGER "
			    "ignoré");
			continue;
		}
		vt = ics_param(trig, "VALUE");
		rel = ics_param(trig, "RELATED");
		if ((vt != NULL && strcasecmp(vt, "DATE-TIME") == 0) ||
		    isdigit((unsigned char)trig->value[0])) {
			ics_note(e->imp, e->label, "rappel à date fixe ignoré");
			continue;
		}
		if (rel != NULL && strcasecmp(rel, "END") == 0) {
			ics_note(e->imp, e->label, "rappel relatif à la fin "
			    "ignoré");
			continue;
		}
		if (ics_dur_parse(trig->value, &secs) == -1) {
			free(offs);
			ics_quote(q, sizeof q, trig->value);
			return ics_fail(e, trig, "TRIGGER « %s » illisible", q);
		}
		if (secs > 0) {
			ics_note(e->imp, e->label, "rappel après le début "
			    "ignoré");
			continue;
		}
		offs[n++] = -secs;
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

/* The kind (index in ics_kinds) named by a word of category s, or -1. */
static int
ics_kind_of(const char *s)
{
	char	 word[32];
	size_t	 n, i, k;

	while (*s != '\0') {
		for (n = 0; isalnum((unsigned char)*s); s++)
			if (n + 1 < sizeof word)
				word[n++] = (char)tolower((unsigned char)*s);
		word[n] = '\0';
		for (i = 0; n > 0 && i < ICS_NKIND_WORDS; i++) {
			if (strcmp(word, ics_kind_words[i].word) != 0)
				continue;
			for (k = 0; k < ICS_NKINDS; k++)
				if (strcmp(ics_kinds[k],
				    ics_kind_words[i].kind) == 0)
					return (int)k;
		}
		if (*s != '\0' && !isalnum((unsigned char)*s))
			s++;
	}
	return -1;
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
		for (i = 0; i < ICS_NKINDS; i++)
			if (strcasecmp(x, ics_kinds[i]) == 0)
				kind = (int)i;
		if (kind == -1) {
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
	return ics_kinds[kind == -1 ? ICS_NKINDS - 1 : (size_t)kind];
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

/* The rule for property name, or NULL when it is not imported. */
static const struct ics_prop_rule *
ics_prop_rule(const char *name)
{
	size_t	 i, n;

	for (i = 0; i < ICS_NPROP_RULES; i++) {
		n = strlen(ics_prop_rules[i].name);
		if (ics_prop_rules[i].name[n - 1] == '*' ?
		    strncmp(name, ics_prop_rules[i].name, n - 1) == 0 :
		    strcmp(name, ics_prop_rules[i].name) == 0)
			return &ics_prop_rules[i];
	}
	return NULL;
}

/*
 * Report the properties of the event that are not imported.  The names
 * seen are kept in a set: an event may carry very many properties.
 */
static void
ics_ev_ignored(struct ics_ev *e)
{
	const struct ics_prop_rule	*rule;
	const char			*name;
	json_t				*seen = json_object();
	size_t				 i;
	int				 people = 0, again;

	for (i = 0; i < e->comp->nprops; i++) {
		name = e->comp->props[i].name;
		if (!(again = json_object_get(seen, name) != NULL))
			json_object_set_new(seen, name, json_true());
		rule = ics_prop_rule(name);
		if (rule == NULL) {
			if (!again)
				ics_note(e->imp, e->label, "%s ignoré", name);
		} else if (rule->use == ICS_ONCE && again) {
			if (strcmp(name, "RRULE") == 0)
				ics_note(e->imp, e->label, "RRULE "
				    "supplémentaire ignorée");
			else
				ics_note(e->imp, e->label, "%s en double "
				    "ignoré", name);
		} else if (rule->use == ICS_PEOPLE && !people++)
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
 * The event object of e, or NULL with the cause set.  CREATED and
 * LAST-MODIFIED come back as the read-only "created" and "updated", so
 * that export, import and export again give the same text.
 */
static json_t *
ics_ev_object(struct ics_ev *e)
{
	const struct ics_prop	*p;
	json_t			*obj, *remind, *exdates;
	int64_t			 secs;
	char			 iso[32], dur[32], *s;

	if (ics_ev_start(e) == -1 || ics_ev_duration(e, &secs) == -1)
		return NULL;
	util_strlcpy(e->tz, e->start.zone, sizeof e->tz);
	if (e->start.t.utc && e->rrule == NULL) {
		util_strlcpy(e->tz, e->imp->default_tz, sizeof e->tz);
		if (ics_convert(&e->imp->zones, &e->start.t, "UTC", e->tz) == -1) {
			ics_fail(e, ics_prop(e->comp, "DTSTART"), "DTSTART "
			    "hors des années 1 à 9999");
			return NULL;
		}
	}
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
	obj = json_object();
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
	p = ics_prop(e->comp, "LOCATION");
	s = p != NULL && p->value[0] != '\0' ? ics_text(p->value) : NULL;
	json_object_set_new(obj, "location", s ? json_string(s) : json_null());
	free(s);
	ics_ev_extra(e, obj, "commune", "X-STOPPVIF-COMMUNE", 0);
	p = ics_prop(e->comp, "DESCRIPTION");
	s = p != NULL && p->value[0] != '\0' ? ics_text(p->value) : NULL;
	json_object_set_new(obj, "description", s ? json_string(s) :
	    json_null());
	free(s);
	json_object_set_new(obj, "remind", remind);
	ics_ev_extra(e, obj, "audience", "X-STOPPVIF-AUDIENCE", 1);
	ics_ev_extra(e, obj, "channels", "X-STOPPVIF-CHANNELS", 1);
	ics_ev_extra(e, obj, "skip_holidays", "X-STOPPVIF-SKIP-HOLIDAYS", 0);
	json_object_set_new(obj, "exdates", exdates);
	ics_ev_stamp(e, obj, "created", "CREATED");
	ics_ev_stamp(e, obj, "updated", "LAST-MODIFIED");
	return obj;
}

/* Import one VEVENT of cal: an event, a report, or -1 with the cause. */
static int
ics_import_event(struct ics_import *imp, const struct ics_comp *cal,
    const struct ics_comp *comp)
{
	struct ics_ev		 e;
	const struct ics_prop	*p;
	json_t			*obj = NULL;
	char			 q[ICS_QUOTE_LEN];
	int			 rc = -1;

	ics_ev_init(&e, imp, cal, comp);
	if ((p = ics_prop(comp, "RECURRENCE-ID")) != NULL) {
		ics_quote(q, sizeof q, p->value);
		ics_note(imp, e.label, "occurrence modifiée ignorée "
		    "(RECURRENCE-ID %s)", q);
		rc = 0;
	} else if ((p = ics_prop(comp, "STATUS")) != NULL &&
	    strncasecmp(p->value, "CANCELLED", 9) == 0) {
		ics_note(imp, e.label, "événement annulé ignoré");
		rc = 0;
	} else if (e.title == NULL)
		ics_fail(&e, NULL, "SUMMARY manquant : chaque événement a "
		    "besoin d'un titre");
	else if ((obj = ics_ev_object(&e)) != NULL) {
		json_array_append_new(imp->events, obj);
		rc = 0;
	}
	free(e.title);
	free(e.uid);
	free(e.label);
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
			ics_note(imp, e.label, "%s ignoré", c->name);
			free(e.title);
			free(e.uid);
			free(e.label);
		}
	}
	return 0;
}

json_t *
ics_import(const char *text, size_t len, const char *default_tz,
    json_t **report, char **cause)
{
	struct ics_import	 imp;
	struct ics_comp		*root = NULL;
	json_t			*events = NULL;
	char			*msg;
	size_t			 i;

	if (report != NULL)
		*report = NULL;
	memset(&imp, 0, sizeof imp);
	imp.cause = cause;
	imp.default_tz = default_tz != NULL ? default_tz : "UTC";
	if (ics_zone_get(&imp.zones, imp.default_tz) == NULL) {
		util_cause(cause, "fuseau par défaut « %s » inconnu",
		    UTF8_CUT(imp.default_tz, 64));
		goto done;
	}
	if ((root = ics_read(text != NULL ? text : "", text != NULL ? len : 0,
	    cause)) == NULL)
		goto done;
	imp.events = json_array();
	imp.report = json_array();
	for (i = 0; i < root->ncomps; i++)
		if (ics_import_calendar(&imp, root->comps[i]) == -1)
			break;
	if (i < root->ncomps) {
		json_decref(imp.events);
		json_decref(imp.report);
		goto done;
	}
	events = imp.events;
	if (imp.notes > 0) {
		xasprintf(&msg, "… et %zu autres remarques", imp.notes);
		json_array_append_new(imp.report, json_string(msg));
		free(msg);
	}
	if (report != NULL)
		*report = imp.report;
	else
		json_decref(imp.report);
done:
	ics_zones_free(&imp.zones);
	ics_comp_free(root);
	return events;
}

/*
 * Export.
 */

/* Check the JSON types of event n against ics_fields. */
static int
ics_export_check(json_t *ev, size_t n, char **cause)
{
	const struct ics_field	*f;
	json_t			*v, *it;
	size_t			 i, j;

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
		if (f->type == ICS_F_STRS) {
			j = 0;
			if (json_is_array(v))
				json_array_foreach(v, j, it)
					if (!json_is_string(it))
						break;
			if (json_is_array(v) && j == json_array_size(v))
				continue;
		} else if (json_is_string(v) || (f->type == ICS_F_NSTR &&
		    json_is_null(v)))
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
	char		 local[20];

	if (s == NULL || strlen(s) != 20 || s[19] != 'Z')
		return -1;
	memcpy(local, s, 19);
	local[19] = '\0';
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

/* An event object checked and read for export. */
struct ics_xev {
	const char	*tz, *kind, *rrule;	/* kind, rrule may be NULL */
	struct ics_time	 start;
	int64_t		 secs;
	struct ics_buf	 exdates;		/* "20260401T140000,..." */
};

/*
 * Check and read the values of event ev into *x, adding its zone to the
 * set zones.  -1 with *cause set (without the event's name).
 */
static int
ics_export_values(json_t *ev, struct ics_xev *x, json_t *zones, char **cause)
{
	struct ics_time	 t;
	const char	*s;
	char		 basic[32];
	json_t		*it;
	int64_t		 secs;
	size_t		 i, k;

	x->tz = json_string_value(json_object_get(ev, "tz"));
	if (json_object_get(zones, x->tz) == NULL) {
		if (ics_zone_check(x->tz, cause) == -1)
			return -1;
		json_object_set_new(zones, x->tz, json_true());
	}
	s = json_string_value(json_object_get(ev, "dtstart"));
	if (ics_local_parse(s, &x->start) == -1) {
		util_cause(cause, "dtstart « %s » : AAAA-MM-JJTHH:MM:SS "
		    "attendu", UTF8_CUT(s, 32));
		return -1;
	}
	s = json_string_value(json_object_get(ev, "duration"));
	if (duration_parse(s, &x->secs, cause) == -1)
		return -1;
	if ((x->rrule = ics_str(ev, "rrule")) != NULL &&
	    ics_rrule_check(x->rrule) == -1) {
		util_cause(cause, "RRULE « %s » illisible",
		    UTF8_CUT(x->rrule, ICS_QUOTE_MAX));
		return -1;
	}
	if ((x->kind = ics_str(ev, "kind")) != NULL) {
		for (k = 0; k < ICS_NKINDS &&
		    strcmp(x->kind, ics_kinds[k]) != 0; k++)
			;
		if (k == ICS_NKINDS) {
			util_cause(cause, "kind « %s » inconnu",
			    UTF8_CUT(x->kind, 32));
			return -1;
		}
	}
	json_array_foreach(json_object_get(ev, "remind"), i, it)
		if (duration_parse(json_string_value(it), &secs, cause) == -1)
			return -1;
	json_array_foreach(json_object_get(ev, "exdates"), i, it) {
		if (ics_local_parse(json_string_value(it), &t) == -1) {
			util_cause(cause, "exdate « %s » : "
			    "AAAA-MM-JJTHH:MM:SS attendu",
			    UTF8_CUT(json_string_value(it), 32));
			return -1;
		}
		ics_time_basic(&t, basic, sizeof basic);
		ics_buf_printf(&x->exdates, "%s%s", i > 0 ? "," : "", basic);
	}
	return 0;
}

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

/*
 * Write event n as a VEVENT into o, adding its zone to the set zones.
 * Every field is checked first; -1 with *cause set.
 */
static int
ics_export_event(struct ics_buf *o, json_t *ev, size_t n, json_t *zones,
    char **cause)
{
	struct ics_xev	 x;
	const char	*s;
	char		 head[ICS_ZONE_MAX + 32], val[64], *why;
	json_t		*it;
	int64_t		 secs;
	size_t		 i;

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
	ics_out_line(o, "BEGIN", "VEVENT");
	ics_out_ids(o, ev);
	ics_time_basic(&x.start, val, sizeof val);
	snprintf(head, sizeof head, "DTSTART;TZID=%s", x.tz);
	ics_out_line(o, head, val);
	ics_dur_format(x.secs, val, sizeof val);
	ics_out_line(o, "DURATION", val);
	ics_out_text(o, "SUMMARY", json_string_value(json_object_get(ev,
	    "title")));
	if ((s = ics_str(ev, "location")) != NULL)
		ics_out_text(o, "LOCATION", s);
	if ((s = ics_str(ev, "description")) != NULL)
		ics_out_text(o, "DESCRIPTION", s);
	if (x.kind != NULL)
		ics_out_text(o, "CATEGORIES", x.kind);
	if (x.rrule != NULL)
		ics_out_line(o, "RRULE", x.rrule);
	if (x.exdates.len > 0) {
		snprintf(head, sizeof head, "EXDATE;TZID=%s", x.tz);
		ics_out_line(o, head, x.exdates.s);
	}
	ics_out_extras(o, ev, x.kind);
	json_array_foreach(json_object_get(ev, "remind"), i, it) {
		duration_parse(json_string_value(it), &secs, NULL);
		ics_dur_format(-secs, val, sizeof val);
		ics_out_line(o, "BEGIN", "VALARM");
		ics_out_line(o, "ACTION", "DISPLAY");
		ics_out_line(o, "DESCRIPTION", "Rappel");
		ics_out_line(o, "TRIGGER", val);
		ics_out_line(o, "END", "VALARM");
	}
	ics_out_line(o, "END", "VEVENT");
	free(x.exdates.s);
	return 0;
}

/* Compare two zone names for qsort. */
static int
ics_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *
ics_export(json_t *events, char **cause)
{
	struct ics_buf	 head = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	json_t		*zones, *ev, *v;
	const char	*name, **names;
	size_t		 i, n;

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
	ics_out_line(&head, "BEGIN", "VCALENDAR");
	ics_out_line(&head, "VERSION", "2.0");
	ics_out_line(&head, "PRODID", "-//Stopp Vif//stoppvif//FR");
	ics_out_line(&head, "CALSCALE", "GREGORIAN");
	n = json_object_size(zones);
	names = xcalloc(n + 1, sizeof *names);
	i = 0;
	json_object_foreach(zones, name, v)
		names[i++] = name;
	qsort(names, n, sizeof *names, ics_name_cmp);
	for (i = 0; i < n; i++)
		ics_out_vtimezone(&head, names[i]);
	free(names);
	json_decref(zones);
	ics_buf_add(&head, body.s, body.len);
	ics_out_line(&head, "END", "VCALENDAR");
	free(body.s);
	return head.s;
}
