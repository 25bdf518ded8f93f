/*
 * ics_zone.c: time zones for iCalendar import and export.
 *
 * Import resolves a TZID to an IANA name (the name itself, a Windows name
 * from CLDR's table, the IANA tail of a prefixed name, the X-LIC-LOCATION
 * of the calendar's VTIMEZONE, or the known zone whose rules are that
 * VTIMEZONE's) and moves times between zones through tz.h.  A VTIMEZONE
 * whose rules no known zone has is not applied on its own: the events in
 * that TZID are refused, each with the reason.
 * Export writes one VTIMEZONE per zone from the POSIX rule at the end of the
 * zone's TZif file (the rules in force now, as STANDARD/DAYLIGHT with yearly
 * RRULEs); a zone is used only when both can be done.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ics_int.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"

#define ICS_ZONEINFO	"/usr/share/zoneinfo"
#define ICS_TZIF_MAX	(1024 * 1024)
/* A TZif file: its magic, the version byte after it, the header's size;
 * version 2 and later end with "\nPOSIX-TZ-string\n". */
static const char	 ics_tzif_magic[] = "TZif";
#define ICS_TZIF_VERSION	(sizeof ics_tzif_magic - 1)
#define ICS_TZIF_HEADER		44
#define ICS_TZIF_MIN		(ICS_TZIF_HEADER + 2)
#define ICS_RDATE_LAST	2100	/* VTIMEZONE onsets listed up to then */
#define ICS_TZID_MAX	256	/* longest TZID looked at */
#define ICS_ZONES_MAX	512	/* names tried in one import */
#define ICS_OBS_MAX	64	/* STANDARD and DAYLIGHT read in one VTIMEZONE */
#define ICS_OFFSET_MAX	(18 * ICS_HOUR)	/* widest TZOFFSETFROM/TO taken */
#define ICS_HOME_ZONE	"Europe/Brussels"	/* tried first: the network's */

/* One transition date of a POSIX rule, "Mm.w.d/time". */
struct ics_rule {
	int	 month, week, wday;	/* week 5 is the last; wday 0 Sunday */
	int32_t	 secs;			/* local time of day, may pass 24h */
};

/* The POSIX TZ string of a zone, offsets east of UTC. */
struct ics_zone {
	char		 std[16], dst[16];
	int32_t		 std_off, dst_off;
	int		 has_dst;
	struct ics_rule	 to_dst, to_std;
};

/* A zone loaded during one import (NULL: not usable), and its rules. */
struct ics_zcache {
	char		*name;
	struct tz	*tz;
	struct ics_zone	 rules;
};

/* A TZID resolved during one import, in VCALENDAR cal. */
struct ics_tzmemo {
	const void	*cal;
	char		*tzid;
	char		 out[ICS_ZONE_MAX];
	const char	*why;
	int		 rc;
};

/* One STANDARD or DAYLIGHT of a VTIMEZONE. */
struct ics_obs {
	int32_t		 from, to;	/* TZOFFSETFROM, TZOFFSETTO */
	struct ics_time	 start;		/* DTSTART, local before the change */
	struct ics_rule	 rule;
	int		 yearly;	/* an RRULE that does not end */
};

/* Why a TZID was not resolved, for the import report. */
static const char ics_why_unknown[] = "ni nom IANA, ni nom Windows connu, "
    "ni VTIMEZONE de ce nom";
static const char ics_why_bad[] = "son VTIMEZONE est illisible (décalage "
    "absent ou au-delà de ±18:00, DTSTART ou RRULE illisible, ou plus de "
    "64 STANDARD/DAYLIGHT)";
static const char ics_why_nomatch[] = "les règles de son VTIMEZONE ne sont "
    "celles d'aucun fuseau IANA connu, et le démon ne sait pas les "
    "appliquer lui-même";
static const char ics_why_twice[] = "défini par plusieurs VTIMEZONE aux "
    "règles différentes";

/*
 * Windows zone names (Outlook, Exchange) and Outlook's display names, to
 * IANA: CLDR's windowsZones, with the Belgian entry where there is one.
 */
static const struct {
	const char	*windows;
	const char	*iana;
} ics_windows_zones[] = {
	{ "Romance Standard Time", "Europe/Brussels" },
	{ "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris",
	    "Europe/Brussels" },
	{ "W. Europe Standard Time", "Europe/Berlin" },
	{ "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
	    "Europe/Berlin" },
	{ "Central Europe Standard Time", "Europe/Budapest" },
	{ "Central European Standard Time", "Europe/Warsaw" },
	{ "GMT Standard Time", "Europe/London" },
	{ "Greenwich Standard Time", "Atlantic/Reykjavik" },
	{ "UTC", "UTC" },
	{ "Coordinated Universal Time", "UTC" },
	{ "E. Europe Standard Time", "Europe/Chisinau" },
	{ "FLE Standard Time", "Europe/Kiev" },
	{ "GTB Standard Time", "Europe/Bucharest" },
	{ "Russian Standard Time", "Europe/Moscow" },
	{ "Turkey Standard Time", "Europe/Istanbul" },
	{ "Morocco Standard Time", "Africa/Casablanca" },
	{ "W. Central Africa Standard Time", "Africa/Lagos" },
	{ "South Africa Standard Time", "Africa/Johannesburg" },
	{ "Egypt Standard Time", "Africa/Cairo" },
	{ "Israel Standard Time", "Asia/Jerusalem" },
	{ "Arabian Standard Time", "Asia/Dubai" },
	{ "India Standard Time", "Asia/Kolkata" },
	{ "China Standard Time", "Asia/Shanghai" },
	{ "Tokyo Standard Time", "Asia/Tokyo" },
	{ "AUS Eastern Standard Time", "Australia/Sydney" },
	{ "Eastern Standard Time", "America/New_York" },
	{ "Central Standard Time", "America/Chicago" },
	{ "Mountain Standard Time", "America/Denver" },
	{ "Pacific Standard Time", "America/Los_Angeles" },
	{ "US Mountain Standard Time", "America/Phoenix" },
	{ "Alaskan Standard Time", "America/Anchorage" },
	{ "Hawaiian Standard Time", "Pacific/Honolulu" },
	{ "Atlantic Standard Time", "America/Halifax" },
	{ "SA Pacific Standard Time", "America/Bogota" },
	{ "E. South America Standard Time", "America/Sao_Paulo" },
	{ "Cape Verde Standard Time", "Atlantic/Cape_Verde" },
	{ "Azores Standard Time", "Atlantic/Azores" },
};
#define ICS_NWINDOWS	(sizeof ics_windows_zones / sizeof ics_windows_zones[0])

static const char *const ics_wdays[] = {
	"SU", "MO", "TU", "WE", "TH", "FR", "SA",
};

/*
 * POSIX TZ rules.
 */

static int64_t
ics_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The civil time of secs on a zone-less clock (ics_time_secs() undone). */
static void
ics_secs_time(int64_t secs, struct ics_time *t)
{
	int64_t	 day = ics_floordiv(secs, ICS_DAY), rest = secs - day * ICS_DAY;
	int64_t	 year;

	tz_civil_from_days(day, &year, &t->month, &t->day);
	t->year = year < 0 ? -1 : year > 99999 ? 99999 : (int)year;
	t->hour = (int)(rest / 3600);
	t->min = (int)(rest % 3600 / 60);
	t->sec = (int)(rest % 60);
	t->date = 0;
}

/* A POSIX zone name, "CET" or "<+0530>", into out; returns what follows. */
static const char *
ics_posix_name(const char *s, char *out, size_t len)
{
	size_t	 n = 0;

	if (*s == '<') {
		for (s++; *s != '>'; s++) {
			if (*s == '\0' || (!isalnum((unsigned char)*s) &&
			    *s != '+' && *s != '-') || n + 1 >= len)
				return NULL;
			out[n++] = *s;
		}
		s++;
	} else {
		for (; isalpha((unsigned char)*s); s++) {
			if (n + 1 >= len)
				return NULL;
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	return n < 3 ? NULL : s;
}

/* A POSIX "[+-]hh[:mm[:ss]]" (hours up to 167) into *secs. */
static const char *
ics_posix_offset(const char *s, int32_t *secs)
{
	int32_t	 sign = 1, part[3] = { 0, 0, 0 };
	int	 i, n;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (i > 0) {
			if (*s != ':')
				break;
			s++;
		}
		for (n = 0; *s >= '0' && *s <= '9' && n < 3; s++, n++)
			part[i] = part[i] * 10 + (*s - '0');
		if (n == 0 || (i > 0 && (n != 2 || part[i] > 59)))
			return NULL;
	}
	if (part[0] > 167)
		return NULL;
	*secs = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return s;
}

/* A POSIX transition date "Mm.w.d[/time]"; Jn and n are not taken. */
static const char *
ics_posix_rule(const char *s, struct ics_rule *r)
{
	int	 n;

	if (sscanf(s, "M%d.%d.%d%n", &r->month, &r->week, &r->wday, &n) != 3 ||
	    r->month < 1 || r->month > 12 || r->week < 1 || r->week > 5 ||
	    r->wday < 0 || r->wday > 6)
		return NULL;
	s += n;
	r->secs = 2 * 3600;
	if (*s == '/')
		s = ics_posix_offset(s + 1, &r->secs);
	return s;
}

/* The onset of rule r in year: local time before the change. */
static void
ics_rule_onset(const struct ics_rule *r, int year, struct ics_time *t)
{
	int64_t	 first, k;
	int	 wd_first, day, last;

	first = tz_days_from_civil(year, r->month, 1);
	wd_first = (int)(((first + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
	if (r->week < 5)
		day = 1 + (r->wday - wd_first + 7) % 7 + 7 * (r->week - 1);
	else {
		last = ics_mdays(year, r->month);
		day = last - ((wd_first + last - 1) % 7 - r->wday + 7) % 7;
	}
	k = ics_floordiv(r->secs, ICS_DAY);
	ics_secs_time((tz_days_from_civil(year, r->month, day) + k) * ICS_DAY +
	    (r->secs - k * ICS_DAY), t);
}

/*
 * The yearly RRULE of a transition date.  A time past midnight moves the
 * day: "M3.4.4/26" (Friday before the last Sunday) is
 * BYDAY=FR;BYMONTHDAY=23,...,29.  -1 when the moved day can fall in
 * another month ("M10.5.4/24", the day after the last Thursday).
 */
static int
ics_rule_rrule(const struct ics_rule *r, char *buf, size_t len)
{
	int64_t	 k = ics_floordiv(r->secs, ICS_DAY);
	int	 lo, hi, mlen, d, n;

	n = snprintf(buf, len, "FREQ=YEARLY;BYMONTH=%d;BYDAY=", r->month);
	if (k == 0) {
		snprintf(buf + n, len - (size_t)n, "%d%s", r->week == 5 ? -1 :
		    r->week, ics_wdays[r->wday]);
		return 0;
	}
	if (r->week < 5) {
		lo = 7 * (r->week - 1) + 1 + (int)k;
		mlen = r->month == 2 ? 28 : ics_mdays(1970, r->month);
	} else {
		lo = -7 + (int)k;
		mlen = -1;
	}
	hi = lo + 6;
	if ((r->week < 5 && lo < 1) || hi > mlen || lo < -28)
		return -1;
	n += snprintf(buf + n, len - (size_t)n, "%s;BYMONTHDAY=",
	    ics_wdays[((r->wday + k) % 7 + 7) % 7]);
	for (d = lo; d <= hi; d++)
		n += snprintf(buf + n, len - (size_t)n, d == lo ? "%d" : ",%d",
		    d);
	return 0;
}

/*
 * Parse a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") into *z: no DST,
 * or DST between two Mm.w.d dates (Jn and n, which no zone uses, are not
 * taken).
 */
static int
ics_posix_parse(const char *s, struct ics_zone *z)
{
	int32_t		 off;

	memset(z, 0, sizeof *z);
	if ((s = ics_posix_name(s, z->std, sizeof z->std)) == NULL ||
	    (s = ics_posix_offset(s, &off)) == NULL)
		return -1;
	z->std_off = -off;
	if (*s == '\0')
		return 0;
	z->has_dst = 1;
	if ((s = ics_posix_name(s, z->dst, sizeof z->dst)) == NULL)
		return -1;
	z->dst_off = z->std_off + 3600;
	if (*s != ',') {
		if ((s = ics_posix_offset(s, &off)) == NULL)
			return -1;
		z->dst_off = -off;
	}
	if (*s++ != ',' || (s = ics_posix_rule(s, &z->to_dst)) == NULL ||
	    *s++ != ',' || (s = ics_posix_rule(s, &z->to_std)) == NULL ||
	    *s != '\0')
		return -1;
	return 0;
}

/* Whether name can be a zone's file under the zoneinfo folder. */
static int
ics_zone_name_ok(const char *name)
{
	const char	*p;

	if (*name == '\0' || *name == '/' || strlen(name) >= ICS_ZONE_MAX ||
	    strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-.", *p) == NULL)
			return 0;
	return 1;
}

/*
 * Parse into *z the POSIX TZ string that ends the n bytes of a TZif file
 * at buf (version 2 and later), in place.  Returns 0 or -1.
 */
static int
ics_tzif_footer(char *buf, size_t n, struct ics_zone *z)
{
	size_t	 i;

	if (n < ICS_TZIF_MIN || memcmp(buf, ics_tzif_magic,
	    ICS_TZIF_VERSION) != 0 || buf[ICS_TZIF_VERSION] < '2' ||
	    buf[n - 1] != '\n')
		return -1;
	buf[n - 1] = '\0';
	for (i = n - 1; i > ICS_TZIF_HEADER && buf[i - 1] != '\n'; i--)
		if ((unsigned char)buf[i - 1] < 0x20 ||
		    (unsigned char)buf[i - 1] >= 0x7f)
			return -1;
	if (i == ICS_TZIF_HEADER)
		return -1;
	return ics_posix_parse(buf + i, z);
}

/*
 * The rules in force in zone name, from the POSIX TZ string that ends its
 * TZif file (version 2 and later) under $TZDIR or /usr/share/zoneinfo.
 */
static int
ics_zone_rules(const char *name, struct ics_zone *z, char **cause)
{
	const char	*dir;
	char		*path = NULL, *buf = NULL;
	size_t		 n;
	FILE		*fp = NULL;
	int		 rc = -1;

	if (!ics_zone_name_ok(name))
		goto fail;
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = ICS_ZONEINFO;
	xasprintf(&path, "%s/%s", dir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		goto fail;
	buf = xmalloc(ICS_TZIF_MAX);
	n = fread(buf, 1, ICS_TZIF_MAX - 1, fp);
	if (ics_tzif_footer(buf, n, z) == -1)
		goto fail;
	rc = 0;
fail:
	if (rc == -1)
		util_cause(cause, "fuseau « %s » : pas de zone de ce nom "
		    "sous %s, ou règle qu'un VTIMEZONE ne peut pas écrire",
		    UTF8_CUT(name, ICS_ZONE_SHOWN), ICS_ZONEINFO);
	if (fp != NULL)
		fclose(fp);
	free(buf);
	free(path);
	return rc;
}

/*
 * Zone lookups.
 */

/*
 * The entry of zone name in this import's cache, loaded on first use
 * (failures too: tz NULL), or NULL when the name is too long or the cache
 * full.
 */
static struct ics_zcache *
ics_zone_entry(struct ics_zones *zs, const char *name)
{
	struct ics_zcache	*c;
	size_t			 i;

	if (strnlen(name, ICS_ZONE_MAX) >= ICS_ZONE_MAX)
		return NULL;
	for (i = 0; i < zs->n; i++)
		if (strcmp(zs->v[i].name, name) == 0)
			return &zs->v[i];
	if (zs->n >= ICS_ZONES_MAX)
		return NULL;	/* no calendar names that many zones */
	zs->v = xreallocarray(zs->v, zs->n + 1, sizeof *zs->v);
	c = &zs->v[zs->n++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	if ((c->tz = tz_load(name, NULL)) != NULL &&
	    ics_zone_rules(name, &c->rules, NULL) == -1) {
		tz_free(c->tz);
		c->tz = NULL;
	}
	return c;
}

/*
 * Zone name loaded for this import (cached, failures too), or NULL when it
 * is no zone the daemon and the export can both use.
 */
struct tz *
ics_zone_get(struct ics_zones *zs, const char *name)
{
	struct ics_zcache	*c = ics_zone_entry(zs, name);

	return c != NULL ? c->tz : NULL;
}

/*
 * VTIMEZONE reading: the rules a calendar gives a TZID, matched with the
 * rules of known zones.
 */

/* A UTC offset "+HHMM" or "+HHMMSS" (up to ICS_OFFSET_MAX) into *off. */
static int
ics_utc_offset(const char *s, int32_t *off)
{
	size_t	 n = strlen(s), i;
	int32_t	 v;

	if ((n != 5 && n != 7) || (s[0] != '+' && s[0] != '-'))
		return -1;
	for (i = 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	if (s[3] > '5' || (n == 7 && s[5] > '5'))
		return -1;
	v = ((s[1] - '0') * 10 + (s[2] - '0')) * ICS_HOUR +
	    ((s[3] - '0') * 10 + (s[4] - '0')) * 60;
	if (n == 7)
		v += (s[5] - '0') * 10 + (s[6] - '0');
	*off = s[0] == '-' ? -v : v;
	return v > ICS_OFFSET_MAX ? -1 : 0;
}

/* A BYDAY of one day, "-1SU" or "2TU" (1 to 4, or -1: the last). */
static int
ics_obs_byday(const char *val, struct ics_rule *r)
{
	int	 w, n, i;

	if (sscanf(val, "%2d%n", &w, &n) != 1 || ((w < 1 || w > 4) &&
	    w != -1))
		return -1;
	for (i = 0; i < 7; i++)
		if (strcasecmp(val + n, ics_wdays[i]) == 0) {
			r->wday = i;
			r->week = w == -1 ? 5 : w;
			return 0;
		}
	return -1;
}

/* One part key=val of an observance's RRULE into r (see ics_obs_rrule). */
static int
ics_obs_part(const char *key, const char *val, struct ics_rule *r,
    int *freq, int *yearly)
{
	int	 n;

	if (strcasecmp(key, "FREQ") == 0)
		return (*freq = strcasecmp(val, "YEARLY") == 0) ? 0 : -1;
	if (strcasecmp(key, "INTERVAL") == 0)
		return strcmp(val, "1") == 0 ? 0 : -1;
	if (strcasecmp(key, "UNTIL") == 0 || strcasecmp(key, "COUNT") == 0) {
		*yearly = 0;
		return 0;
	}
	if (strcasecmp(key, "WKST") == 0)
		return 0;
	if (strcasecmp(key, "BYMONTH") == 0)
		return sscanf(val, "%2d%n", &r->month, &n) == 1 &&
		    val[n] == '\0' && r->month >= 1 && r->month <= 12 ? 0 : -1;
	if (strcasecmp(key, "BYDAY") == 0)
		return ics_obs_byday(val, r);
	return -1;
}

/*
 * The RRULE of an observance as a POSIX transition date: FREQ=YEARLY, one
 * BYMONTH, one BYDAY "nWD"; *yearly is 0 when it ends (UNTIL, COUNT).
 */
static int
ics_obs_rrule(const char *value, struct ics_rule *r, int *yearly)
{
	char	*copy = xstrdup(value), *part, *save = NULL, *eq;
	int	 freq = 0, rc = 0;

	r->month = r->week = 0;
	*yearly = 1;
	for (part = strtok_r(copy, ";", &save); part != NULL && rc == 0;
	    part = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(part, '=')) == NULL)
			rc = -1;
		else {
			*eq++ = '\0';
			rc = ics_obs_part(part, eq, r, &freq, yearly);
		}
	}
	free(copy);
	return rc == -1 || !freq || r->month == 0 || r->week == 0 ? -1 : 0;
}

/* STANDARD or DAYLIGHT component c into *o. */
static int
ics_obs_read(const struct ics_comp *c, struct ics_obs *o)
{
	const struct ics_prop	*from, *to, *start, *rrule;

	memset(o, 0, sizeof *o);
	if ((from = ics_prop(c, "TZOFFSETFROM")) == NULL ||
	    (to = ics_prop(c, "TZOFFSETTO")) == NULL ||
	    (start = ics_prop(c, "DTSTART")) == NULL ||
	    ics_utc_offset(from->value, &o->from) == -1 ||
	    ics_utc_offset(to->value, &o->to) == -1 ||
	    ics_time_parse(start->value, &o->start) == -1 ||
	    o->start.date || o->start.utc)
		return -1;
	if ((rrule = ics_prop(c, "RRULE")) == NULL)
		return 0;
	if (ics_obs_rrule(rrule->value, &o->rule, &o->yearly) == -1)
		return -1;
	o->rule.secs = o->start.hour * ICS_HOUR + o->start.min * 60 +
	    o->start.sec;
	return 0;
}

/*
 * The rules in force at the end of VTIMEZONE vtz, as a POSIX zone *z
 * (names left empty): the two observances whose yearly RRULE does not
 * end, else the offset of the one that starts last.  -1 when they cannot
 * be read, or do not make one zone.
 */
static int
ics_vtz_rules(const struct ics_comp *vtz, struct ics_zone *z)
{
	const struct ics_comp	*c;
	struct ics_obs		 o, yearly[2], last;
	size_t			 i, nobs = 0, ny = 0;

	memset(z, 0, sizeof *z);
	memset(&last, 0, sizeof last);
	for (i = 0; i < vtz->ncomps; i++) {
		c = vtz->comps[i];
		if (strcmp(c->name, "STANDARD") != 0 &&
		    strcmp(c->name, "DAYLIGHT") != 0)
			continue;
		if (++nobs > ICS_OBS_MAX || ics_obs_read(c, &o) == -1)
			return -1;
		if (o.yearly && ++ny <= 2)
			yearly[ny - 1] = o;
		if (nobs == 1 || ics_time_secs(&o.start) >
		    ics_time_secs(&last.start))
			last = o;
	}
	if (nobs == 0 || ny == 1 || ny > 2)
		return -1;
	z->std_off = last.to;
	if (ny == 0)
		return 0;
	if (yearly[0].from != yearly[1].to || yearly[1].from != yearly[0].to ||
	    yearly[0].to == yearly[1].to)
		return -1;
	z->has_dst = 1;
	z->std_off = yearly[0].to;
	z->to_std = yearly[0].rule;
	z->dst_off = yearly[1].to;
	z->to_dst = yearly[1].rule;
	return 0;
}

static int
ics_rule_same(const struct ics_rule *a, const struct ics_rule *b)
{
	return a->month == b->month && a->week == b->week &&
	    a->wday == b->wday && a->secs == b->secs;
}

/* Whether zones a and b have the same offsets and transitions. */
static int
ics_zone_same(const struct ics_zone *a, const struct ics_zone *b)
{
	if (a->has_dst != b->has_dst)
		return 0;
	if (!a->has_dst)
		return a->std_off == b->std_off;
	if (a->std_off == b->std_off)
		return a->dst_off == b->dst_off &&
		    ics_rule_same(&a->to_std, &b->to_std) &&
		    ics_rule_same(&a->to_dst, &b->to_dst);
	return a->std_off == b->dst_off && a->dst_off == b->std_off &&
	    ics_rule_same(&a->to_std, &b->to_dst) &&
	    ics_rule_same(&a->to_dst, &b->to_std);
}

/*
 * The IANA zone whose rules are z's into out: ICS_HOME_ZONE, then the
 * zones of the Windows table, then for a whole-hour offset without DST
 * the Etc/GMT zone of that offset.  -1 when none is.
 */
static int
ics_vtz_match(struct ics_zones *zs, const struct ics_zone *z, char *out,
    size_t len)
{
	struct ics_zcache	*c;
	char			 etc[32];
	size_t			 i;

	for (i = 0; i <= ICS_NWINDOWS; i++) {
		c = ics_zone_entry(zs, i == 0 ? ICS_HOME_ZONE :
		    ics_windows_zones[i - 1].iana);
		if (c != NULL && c->tz != NULL && ics_zone_same(z, &c->rules))
			return util_strlcpy(out, c->name, len) < len ? 0 : -1;
	}
	if (z->has_dst || z->std_off % ICS_HOUR != 0)
		return -1;
	/* POSIX signs: Etc/GMT-1 is one hour east of UTC */
	snprintf(etc, sizeof etc, "Etc/GMT%+d", (int)(-z->std_off / ICS_HOUR));
	c = ics_zone_entry(zs, etc);
	if (c == NULL || c->tz == NULL || !ics_zone_same(z, &c->rules))
		return -1;
	return util_strlcpy(out, c->name, len) < len ? 0 : -1;
}

/* Whether TZID property value (TEXT, maybe escaped) is tzid. */
static int
ics_tzid_is(const char *value, const char *tzid)
{
	char	*s;
	int	 same;

	if (strcmp(value, tzid) == 0)
		return 1;
	if (strchr(value, '\\') == NULL)
		return 0;
	s = ics_text(value);
	same = strcmp(s, tzid) == 0;
	free(s);
	return same;
}

/*
 * The zone of the calendar's VTIMEZONEs of TZID tzid into out: the
 * X-LIC-LOCATION of each, else the known zone of the same rules; every
 * VTIMEZONE of that TZID must give the same zone.  -1 with *why set.
 */
static int
ics_zone_vtz(struct ics_zones *zs, const struct ics_comp *cal,
    const char *tzid, char *out, size_t len, const char **why)
{
	const struct ics_comp	*c;
	const struct ics_prop	*p, *loc;
	struct ics_zone		 z;
	char			 got[ICS_ZONE_MAX];
	size_t			 i, found = 0;

	*why = ics_why_unknown;
	for (i = 0; i < cal->ncomps; i++) {
		c = cal->comps[i];
		if (strcmp(c->name, "VTIMEZONE") != 0 ||
		    (p = ics_prop(c, "TZID")) == NULL ||
		    !ics_tzid_is(p->value, tzid))
			continue;
		if ((loc = ics_prop(c, "X-LIC-LOCATION")) != NULL &&
		    ics_zone_get(zs, loc->value) != NULL)
			util_strlcpy(got, loc->value, sizeof got);
		else if (ics_vtz_rules(c, &z) == -1) {
			*why = ics_why_bad;
			return -1;
		} else if (ics_vtz_match(zs, &z, got, sizeof got) == -1) {
			*why = ics_why_nomatch;
			return -1;
		}
		if (found++ > 0 && strcmp(got, out) != 0) {
			*why = ics_why_twice;
			return -1;
		}
		util_strlcpy(out, got, len);
	}
	return found > 0 ? 0 : -1;
}

/* ics_zone_resolve, without remembering the TZID. */
static int
ics_zone_find(struct ics_zones *zs, const struct ics_comp *cal,
    const char *tzid, char *out, size_t len, const char **why)
{
	const char	*s;
	size_t		 i;

	if (ics_zone_get(zs, tzid) != NULL)
		return util_strlcpy(out, tzid, len) < len ? 0 : -1;
	for (i = 0; i < ICS_NWINDOWS; i++) {
		if (strcasecmp(tzid, ics_windows_zones[i].windows) == 0 &&
		    ics_zone_get(zs, ics_windows_zones[i].iana) != NULL)
			return util_strlcpy(out, ics_windows_zones[i].iana,
			    len) < len ? 0 : -1;
	}
	for (s = strchr(tzid, '/'); s != NULL; s = strchr(s + 1, '/')) {
		if (s[1] != '\0' && ics_zone_get(zs, s + 1) != NULL)
			return util_strlcpy(out, s + 1, len) < len ? 0 : -1;
	}
	return ics_zone_vtz(zs, cal, tzid, out, len, why);
}

/*
 * The IANA name of TZID tzid into out: the name itself, a Windows name
 * from the table, the IANA tail of a prefixed name
 * ("/freeassociation.sourceforge.net/Europe/Brussels"), or what the
 * calendar's VTIMEZONE of that TZID says: its X-LIC-LOCATION, else the
 * known zone of the same rules.  -1 with *why (may be NULL) set, or NULL.
 */
int
ics_zone_resolve(struct ics_zones *zs, const struct ics_comp *cal,
    const char *tzid, char *out, size_t len, const char **why)
{
	struct ics_tzmemo	*m = NULL, one;
	size_t			 i;

	if (why != NULL)
		*why = NULL;
	/* a longer one is no zone, and each '/' would cost a lookup */
	if (strnlen(tzid, ICS_TZID_MAX) >= ICS_TZID_MAX)
		return -1;
	for (i = zs->nmemo; m == NULL && i-- > 0; )
		if (zs->memo[i].cal == cal && strcmp(zs->memo[i].tzid,
		    tzid) == 0)
			m = &zs->memo[i];
	if (m == NULL) {
		if (zs->nmemo < ICS_ZONES_MAX) {
			zs->memo = xreallocarray(zs->memo, zs->nmemo + 1,
			    sizeof *zs->memo);
			m = &zs->memo[zs->nmemo++];
			m->tzid = xstrdup(tzid);
		} else
			m = &one;	/* not remembered */
		m->cal = cal;
		m->why = NULL;
		m->rc = ics_zone_find(zs, cal, tzid, m->out, sizeof m->out,
		    &m->why);
	}
	if (why != NULL)
		*why = m->why;
	if (m->rc == 0 && util_strlcpy(out, m->out, len) >= len)
		return -1;
	return m->rc;
}

/* Move wall-clock time t from zone from to the wall clock of zone to. */
int
ics_convert(struct ics_zones *zs, struct ics_time *t, const char *from,
    const char *to)
{
	struct tz	*zf, *zt;
	int64_t		 utc;

	if (strcmp(from, to) == 0)
		return 0;
	if ((zf = ics_zone_get(zs, from)) == NULL ||
	    (zt = ics_zone_get(zs, to)) == NULL)
		return -1;
	utc = tz_resolve(zf, ics_time_secs(t), NULL);
	ics_secs_time(utc + tz_offset_at(zt, utc), t);
	t->utc = 0;
	return t->year >= 1 && t->year <= 9999 ? 0 : -1;
}

/* Free the zones loaded for an import; the set is empty again. */
void
ics_zones_free(struct ics_zones *zs)
{
	size_t	 i;

	for (i = 0; i < zs->n; i++) {
		free(zs->v[i].name);
		tz_free(zs->v[i].tz);
	}
	free(zs->v);
	for (i = 0; i < zs->nmemo; i++)
		free(zs->memo[i].tzid);
	free(zs->memo);
	memset(zs, 0, sizeof *zs);
}

/* Whether zone name has rules a VTIMEZONE can say; -1 with *cause set. */
int
ics_zone_check(const char *name, char **cause)
{
	struct ics_zone	 z;

	return ics_zone_rules(name, &z, cause);
}

/*
 * VTIMEZONE writing.
 */

/* An offset as TZOFFSETFROM/TO write it: "+0100", "-0330", "+001730". */
static void
ics_offset(int32_t off, char *buf, size_t len)
{
	int32_t	 a = off < 0 ? -off : off;

	if (a % 60 != 0)
		snprintf(buf, len, "%c%02d%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a % 3600 / 60), (int)(a % 60));
	else
		snprintf(buf, len, "%c%02d%02d", off < 0 ? '-' : '+',
		    (int)(a / 3600), (int)(a % 3600 / 60));
}

/*
 * One STANDARD or DAYLIGHT, from offset from to to, on rule r (none: from
 * 1970 on): DTSTART is the onset in 1970, then a yearly RRULE, or the
 * onsets up to ICS_RDATE_LAST as RDATEs when no RRULE can say the date.
 */
static void
ics_out_observance(struct ics_buf *o, const char *kind,
    const struct ics_rule *r, int32_t from, int32_t to, const char *name)
{
	struct ics_buf	 rd = { NULL, 0, 0 };
	struct ics_time	 t;
	char		 rrule[128], off[16], dt[32];
	int		 y;

	ics_out_line(o, "BEGIN", kind);
	ics_offset(from, off, sizeof off);
	ics_out_line(o, "TZOFFSETFROM", off);
	ics_offset(to, off, sizeof off);
	ics_out_line(o, "TZOFFSETTO", off);
	ics_out_line(o, "TZNAME", name);
	if (r == NULL) {
		ics_out_line(o, "DTSTART", "19700101T000000");
		ics_out_line(o, "END", kind);
		return;
	}
	ics_rule_onset(r, 1970, &t);
	ics_time_basic(&t, dt, sizeof dt);
	ics_out_line(o, "DTSTART", dt);
	if (ics_rule_rrule(r, rrule, sizeof rrule) == 0)
		ics_out_line(o, "RRULE", rrule);
	else {
		for (y = 1971; y <= ICS_RDATE_LAST; y++) {
			ics_rule_onset(r, y, &t);
			ics_time_basic(&t, dt, sizeof dt);
			ics_buf_printf(&rd, y > 1971 ? ",%s" : "%s", dt);
		}
		ics_out_line(o, "RDATE", rd.s);
		free(rd.s);
	}
	ics_out_line(o, "END", kind);
}

/* The VTIMEZONE of zone name; the larger offset is called DAYLIGHT. */
void
ics_out_vtimezone(struct ics_buf *o, const char *name)
{
	struct ics_zone	 z;
	int		 summer;

	ics_zone_rules(name, &z, NULL);
	summer = z.dst_off > z.std_off;
	ics_out_line(o, "BEGIN", "VTIMEZONE");
	ics_out_line(o, "TZID", name);
	ics_out_line(o, "X-LIC-LOCATION", name);
	if (!z.has_dst)
		ics_out_observance(o, "STANDARD", NULL, z.std_off, z.std_off,
		    z.std);
	else {
		ics_out_observance(o, summer ? "DAYLIGHT" : "STANDARD",
		    &z.to_dst, z.std_off, z.dst_off, z.dst);
		ics_out_observance(o, summer ? "STANDARD" : "DAYLIGHT",
		    &z.to_std, z.dst_off, z.std_off, z.std);
	}
	ics_out_line(o, "END", "VTIMEZONE");
}
