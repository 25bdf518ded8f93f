/*
 * ics_zone.c: time zones for iCalendar import and export.
 *
 * Import resolves a TZID to a zone (the name itself, a Windows name from
 * CLDR's table, the IANA tail of a prefixed name, else what the calendar's
 * VTIMEZONE of that name says, ics_vtz.c) and moves times between zones
 * through tz.h.
 * Export writes one VTIMEZONE per zone from the POSIX rule at the end of the
 * zone's TZif file (the rules in force now, as STANDARD/DAYLIGHT with yearly
 * RRULEs), or from the rule that is the name of a zone by rules (tz.h); a
 * zone is used only when both can be done.
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
#define ICS_ZONES_MAX	512	/* names tried in one import */


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

const char *const ics_wdays[7] = {
	"SU", "MO", "TU", "WE", "TH", "FR", "SA",
};

/* The IANA zone of Windows or Outlook zone name windows, or NULL. */
const char *
ics_windows_find(const char *windows)
{
	size_t	 i;

	for (i = 0; i < ICS_NWINDOWS; i++)
		if (strcasecmp(windows, ics_windows_zones[i].windows) == 0)
			return ics_windows_zones[i].iana;
	return NULL;
}

/* The IANA zone of entry i of the Windows table; NULL past its end. */
const char *
ics_windows_iana(size_t i)
{
	return i < ICS_NWINDOWS ? ics_windows_zones[i].iana : NULL;
}

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
 * TZif file (version 2 and later) under $TZDIR or /usr/share/zoneinfo, or
 * that is its name for a zone by rules (tz.h).
 */
int
ics_zone_rules(const char *name, struct ics_zone *z, char **cause)
{
	const char	*dir;
	char		*path = NULL, *buf = NULL;
	size_t		 n;
	FILE		*fp = NULL;
	int		 rc = -1;

	if (*name == '<' && strlen(name) < ICS_ZONE_MAX) {
		if ((rc = ics_posix_parse(name, z)) == -1)
			util_cause(cause, "fuseau « %s » : règles illisibles",
			    UTF8_CUT(name, ICS_ZONE_SHOWN));
		return rc;
	}
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
struct ics_zcache *
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
void
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
	ics_out_text(o, "TZID", name);
	/* a zone by rules is no location that another program could look up */
	if (*name != '<')
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
