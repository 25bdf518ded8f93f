/*
 * ics_int.h: private to the parts of the iCalendar module: ics.c (import),
 * ics_export.c, ics_read.c (content lines), ics_value.c (their values),
 * ics_zone.c (time zones) and ics_vtz.c (the VTIMEZONEs of a calendar);
 * nothing else includes it (ics.h is the module's
 * contract).  It holds the structures they share and the functions that
 * cross from one file to another.
 */
#ifndef STOPPVIF_ICS_INT_H
#define STOPPVIF_ICS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "tz.h"

#define ICS_ZONE_MAX	128	/* longest zone name */
#define ICS_QUOTE_MAX	60	/* characters of a title, UID or line quoted */
#define ICS_QUOTE_LEN	(4 * ICS_QUOTE_MAX + 8)	/* bytes of ics_quote's buffer */
#define ICS_ZONE_SHOWN	64	/* characters of a refused zone name quoted */
#define ICS_NOTE_MAX	512	/* bytes of a note about a zone */
#define ICS_HOUR	3600
#define ICS_DAY		86400

/* A growing string. */
struct ics_buf {
	char	*s;
	size_t	 len, cap;
};

/* One parameter: name upper-cased, value unquoted (values joined by ","). */
struct ics_param {
	char	*name;
	char	*value;
};

/* One content line; the strings point into the unfolded copy. */
struct ics_prop {
	char			*name;		/* upper case */
	struct ics_param	*params;
	size_t			 nparams;
	char			*value;		/* as written, escapes kept */
	int			 line;
};

/* A component and what it holds, in file order. */
struct ics_comp {
	const char		*name;		/* upper case; "" for root */
	int			 line;
	struct ics_prop		*props;
	size_t			 nprops, propcap;
	struct ics_comp		**comps;
	size_t			 ncomps, compcap;
	struct ics_comp		*parent;
	char			*text;		/* root: the unfolded copy */
};

/* A civil date-time; date is set for a DATE value (time fields 0). */
struct ics_time {
	int	 year, month, day, hour, min, sec;
	int	 date;
	int	 utc;
};

/* A TZID resolved during one import, in VCALENDAR cal. */
struct ics_tzmemo {
	const void	*cal;
	char		*tzid;
	char		 out[ICS_ZONE_MAX];
	const char	*why;
	char		 note[ICS_NOTE_MAX];	/* "" or about own rules */
	int		 rc;
};

/*
 * The zones loaded during one import (ics_zone.c); start zeroed.  Each
 * TZID resolved is remembered, with its VCALENDAR: every event and each
 * date of an EXDATE list resolves it again, and matching a VTIMEZONE's
 * rules with candidate zones is not free.
 */
struct ics_zcache;
struct ics_zones {
	struct ics_zcache	*v;
	size_t			 n;
	struct ics_tzmemo	*memo;
	size_t			 nmemo;
};

/* The days of month m (1-12) of year y. */
static inline int
ics_mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Seconds of t on a zone-less clock (1970-01-01T00:00:00 is 0). */
static inline int64_t
ics_time_secs(const struct ics_time *t)
{
	return tz_days_from_civil(t->year, t->month, t->day) * ICS_DAY +
	    t->hour * ICS_HOUR + t->min * 60 + t->sec;
}

/*
 * ics_names.c: the kinds of event.  The index of the kind called name as
 * cmp (strcmp, strcasecmp) compares, or -1; the name of kind k (-1: the
 * default, "other"); the kind a word of a category names, or -1.
 */
int		 ics_kind_find(const char *,
		    int (*cmp)(const char *, const char *));
const char	*ics_kind_name(int);
int		 ics_kind_of(const char *);

/* ics_names.c: what import does with a property of a VEVENT. */
enum ics_use {
	ICS_ONCE,	/* read; a second one is reported */
	ICS_MANY,	/* read, every occurrence */
	ICS_QUIET,	/* bookkeeping: skipped without a word */
	ICS_PEOPLE,	/* ATTENDEE, ORGANIZER: reported once */
	ICS_UNKNOWN,	/* not imported: reported */
};
enum ics_use	 ics_prop_use(const char *);

/* ics_read.c: buffers and messages. */
void	 ics_buf_add(struct ics_buf *, const char *, size_t);
void	 ics_buf_str(struct ics_buf *, const char *);
void	 ics_buf_printf(struct ics_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 ics_quote(char *, size_t, const char *);

/*
 * ics_read.c: text into a tree whose root holds the VCALENDARs (free it
 * with ics_comp_free), or NULL with *cause set naming the line.
 */
struct ics_comp	*ics_read(const char *, size_t, char **);
void		 ics_comp_free(struct ics_comp *);
const struct ics_prop *ics_prop(const struct ics_comp *, const char *);
const char	*ics_param(const struct ics_prop *, const char *);

/* ics_value.c: values; the parsers return 0, or -1 when unreadable. */
char	*ics_text(const char *);
json_t	*ics_text_list(const char *);
int	 ics_time_parse(const char *, struct ics_time *);
int	 ics_local_parse(const char *, struct ics_time *);
void	 ics_time_iso(const struct ics_time *, char *, size_t);
void	 ics_time_basic(const struct ics_time *, char *, size_t);
int	 ics_dur_parse(const char *, int64_t *);
void	 ics_dur_format(int64_t, char *, size_t);
int	 ics_rrule_check(const char *);

/* ics_read.c: content lines written folded, with CRLF; TEXT escaped. */
void	 ics_out_line(struct ics_buf *, const char *, const char *);
void	 ics_out_text(struct ics_buf *, const char *, const char *);
void	 ics_out_list(struct ics_buf *, const char *, json_t *);

/* One transition date of a POSIX rule, "Mm.w.d/time". */
struct ics_rule {
	int	 month, week, wday;	/* week 5 is the last; wday 0 Sunday */
	int32_t	 secs;			/* local time of day, may pass 24h */
};

/* The rules of a zone, as a POSIX TZ string says them; east of UTC. */
struct ics_zone {
	char		 std[16], dst[16];
	int32_t		 std_off, dst_off;
	int		 has_dst;
	struct ics_rule	 to_dst, to_std;
};

/* A zone loaded during one import (tz NULL: not usable), and its rules. */
struct ics_zcache {
	char		*name;
	struct tz	*tz;
	struct ics_zone	 rules;
};

/*
 * ics_zone.c, for ics_vtz.c: the weekday codes of RRULEs (0 is "SU"); a
 * zone of this import's cache; the IANA zone of a Windows name, or of
 * entry i of the Windows table (NULL: none, or past its end); the rules in force in a zone (0, or -1 with
 * *cause, which may be NULL, set); an offset as TZOFFSETTO writes it.
 */
extern const char *const ics_wdays[7];
struct ics_zcache *ics_zone_entry(struct ics_zones *, const char *);
const char	*ics_windows_find(const char *);
const char	*ics_windows_iana(size_t);
int		 ics_zone_rules(const char *, struct ics_zone *, char **);
void		 ics_offset(int32_t, char *, size_t);

/*
 * ics_zone.c: zone lookups for an import.  ics_zone_get returns the zone
 * (owned by the set, freed by ics_zones_free) or NULL when it is unusable;
 * ics_convert moves a wall-clock time between zones (0 or -1).
 */
struct tz	*ics_zone_get(struct ics_zones *, const char *);
int		 ics_convert(struct ics_zones *, struct ics_time *,
		    const char *, const char *);
void		 ics_zones_free(struct ics_zones *);

/*
 * ics_vtz.c: the zone of a TZID into out, 0 or -1: on failure *why (which
 * may be NULL) says why in French; on success *why is NULL, or a note for
 * the report when the zone is one by the calendar's own rules.
 */
int		 ics_zone_resolve(struct ics_zones *, const struct ics_comp *,
		    const char *, char *, size_t, const char **);

/*
 * ics_zone.c: whether a VTIMEZONE can be written for zone name (0, or -1
 * with *cause set), and writing it.
 */
int	 ics_zone_check(const char *, char **);
void	 ics_out_vtimezone(struct ics_buf *, const char *);

/*
 * ics.c and ics_event.c: one import run and the VEVENT being read.
 */
/* A time and the zone it is read in ("UTC", or an IANA name). */
struct ics_when {
	struct ics_time	 t;
	char		 zone[ICS_ZONE_MAX];
	int		 floating;	/* a date, or no TZID and no Z */
};

#define ICS_NOTES_MAX	500	/* report lines, then one that counts */

/* A VEVENT with a RECURRENCE-ID, applied once every series is read. */
struct ics_override {
	const struct ics_comp	*cal, *comp;
	json_t			*item;
};

/* One import run. */
struct ics_import {
	const char		*default_tz;
	json_t			*events;
	json_t			*report;
	size_t			 notes;		/* report lines not kept */
	char			**cause;
	struct ics_zones	 zones;
	int			 lenient;	/* a bad event is skipped */
	json_t			*items;		/* one per component */
	json_t			*cur;		/* the item being read */
	struct ics_override	*ovr;
	size_t			 novr, ovrcap;
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

/*
 * ics_event.c: a VEVENT into an event object.  ics_ev_init fills e for
 * component comp of VCALENDAR cal (ics_ev_free frees it); ics_note adds
 * "label: message" to the report and to the current item; ics_fail sets
 * the import's cause, naming the event and p's line, and returns -1;
 * ics_when_read reads a time of p and its zone; ics_ev_object makes the
 * event object (new reference) or returns NULL with the cause set.
 */
void	 ics_ev_init(struct ics_ev *, struct ics_import *,
	    const struct ics_comp *, const struct ics_comp *);
void	 ics_ev_free(struct ics_ev *);
void	 ics_note(struct ics_import *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 ics_fail(struct ics_ev *, const struct ics_prop *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	 ics_when_read(struct ics_ev *, const struct ics_prop *, const char *,
	    struct ics_when *);
json_t	*ics_ev_object(struct ics_ev *);

#endif
