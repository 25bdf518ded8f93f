/*
 * ics_vtz.c: the zone of each TZID of a calendar, for import.
 *
 * A TZID is an IANA name, a Windows name from CLDR's table, a prefixed
 * IANA name ("/freeassociation.sourceforge.net/Europe/Brussels"), or a
 * name that only the calendar's VTIMEZONE of that TZID explains.
 * A TZID that is neither an IANA name nor a known Windows name
 * ("Bruxelles, Copenhague, Madrid, Paris", "(UTC+01:00) Brussels, ...")
 * takes its zone from the calendar's VTIMEZONE of that TZID: its
 * X-LIC-LOCATION when that names a zone; else the IANA zone whose rules in
 * force are the VTIMEZONE's (the network's zone first, then the Windows
 * table, the Etc/GMT zone of a whole-hour offset, then every zone of the
 * system's zone1970.tab); else a zone by the VTIMEZONE's own rules, a
 * POSIX TZ string that tz.h evaluates ("<+0130>-1:30<+0230>,M4.1.0,
 * M10.5.0/3"), and the import report says so.
 *
 * Rules are compared, and taken, as they stand at the end of the
 * VTIMEZONE: the two STANDARD/DAYLIGHT whose yearly RRULE does not end,
 * else the offset of the one that starts last.  Outlook and Thunderbird
 * write only the rules in force; a VTIMEZONE's history (an RRULE with
 * UNTIL, an RDATE) is not replayed, so an event dated before a change of
 * rules is read with the rules in force now.  A rule's day is "nWD"
 * (BYDAY=-1SU) or a weekday in a window of seven days (BYDAY=SU;
 * BYMONTHDAY=25,...,31), as older Lotus and Exchange exports write it.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ics_int.h"
#include "tz.h"
#include "util.h"

#define ICS_OBS_MAX	64	/* STANDARD and DAYLIGHT read in one VTIMEZONE */
#define ICS_OFFSET_MAX	(18 * ICS_HOUR)	/* widest TZOFFSETFROM/TO taken */
#define ICS_HOME_ZONE	"Europe/Brussels"	/* tried first: the network's */
#define ICS_ZONETAB	"zone1970.tab"	/* the system's list of zones */
#define ICS_ZONETAB_MAX	2000		/* lines of it read */
#define ICS_TZID_MAX	256	/* longest TZID looked at */
#define ICS_TZIDS_MAX	512	/* TZIDs remembered in one import */

/* One STANDARD or DAYLIGHT of a VTIMEZONE. */
struct ics_obs {
	int32_t		 from, to;	/* TZOFFSETFROM, TZOFFSETTO */
	struct ics_time	 start;		/* DTSTART, local before the change */
	struct ics_rule	 rule;
	int		 yearly;	/* an RRULE that does not end */
};

/* An observance's RRULE as it is read (ics_obs_rrule). */
struct ics_obsrr {
	struct ics_rule	*r;
	int		 freq;		/* FREQ=YEARLY seen */
	int		 yearly;	/* no UNTIL, no COUNT */
	int		 plain;		/* BYDAY a weekday with no ordinal */
	int		 mlo, mhi, nmday; /* BYMONTHDAY: first, last, count */
};

/* Why a TZID was not resolved, for the import report. */
static const char ics_why_unknown[] = "ni nom IANA, ni nom Windows connu, "
    "ni VTIMEZONE de ce nom";
static const char ics_why_bad[] = "son VTIMEZONE est illisible (décalage "
    "absent ou au-delà de ±18:00, DTSTART ou RRULE illisible, ou plus de "
    "64 STANDARD/DAYLIGHT)";
static const char ics_why_twice[] = "défini par plusieurs VTIMEZONE aux "
    "règles différentes";

static const char *const ics_months[] = {
	"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre",
};
static const char *const ics_days[] = {
	"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
	"samedi",
};
static const char *const ics_weeks[] = {
	"premier", "deuxième", "troisième", "quatrième", "dernier",
};

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

/*
 * A BYDAY of one day: "-1SU" or "2TU" (1 to 4, or -1: the last), or with
 * a BYMONTHDAY window a weekday alone, "SU".
 */
static int
ics_obs_byday(const char *val, struct ics_obsrr *rr)
{
	int	 w = 0, n = 0, i;

	if (isalpha((unsigned char)*val))
		rr->plain = 1;
	else if (sscanf(val, "%2d%n", &w, &n) != 1 || ((w < 1 || w > 4) &&
	    w != -1))
		return -1;
	for (i = 0; i < 7; i++)
		if (strcasecmp(val + n, ics_wdays[i]) == 0) {
			rr->r->wday = i;
			rr->r->week = w == -1 ? 5 : w;
			return 0;
		}
	return -1;
}

/* A BYMONTHDAY list of days that follow each other, "25,26,...,31". */
static int
ics_obs_mday(const char *val, struct ics_obsrr *rr)
{
	const char	*s = val;
	char		*end;
	long		 d;

	for (rr->nmday = 0; rr->nmday < 7; rr->nmday++) {
		d = strtol(s, &end, 10);
		if (end == s || d == 0 || d < -31 || d > 31 ||
		    (rr->nmday > 0 && d != rr->mhi + 1))
			return -1;
		if (rr->nmday == 0)
			rr->mlo = (int)d;
		rr->mhi = (int)d;
		if (*end == '\0') {
			rr->nmday++;
			return 0;
		}
		if (*end != ',')
			return -1;
		s = end + 1;
	}
	return -1;
}

/*
 * The week of a weekday in a BYMONTHDAY window of seven days: 1 to 4 for
 * a window from day 1, 8, 15 or 22, 5 (the last) for the last seven days
 * of the month; -1 for any other window.
 */
static int
ics_obs_window(const struct ics_obsrr *rr)
{
	if (rr->nmday != 7)
		return -1;
	if (rr->mlo == -7)
		return 5;
	if (rr->mlo >= 1 && (rr->mlo - 1) % 7 == 0 && rr->mlo <= 22)
		return (rr->mlo - 1) / 7 + 1;
	if (rr->r->month != 2 && rr->mhi == ics_mdays(1970, rr->r->month))
		return 5;
	return -1;
}

/* One part key=val of an observance's RRULE into rr (ics_obs_rrule). */
static int
ics_obs_part(const char *key, const char *val, struct ics_obsrr *rr)
{
	int	 n;

	if (strcasecmp(key, "FREQ") == 0)
		return (rr->freq = strcasecmp(val, "YEARLY") == 0) ? 0 : -1;
	if (strcasecmp(key, "INTERVAL") == 0)
		return strcmp(val, "1") == 0 ? 0 : -1;
	if (strcasecmp(key, "UNTIL") == 0 || strcasecmp(key, "COUNT") == 0) {
		rr->yearly = 0;
		return 0;
	}
	if (strcasecmp(key, "WKST") == 0)
		return 0;
	if (strcasecmp(key, "BYMONTH") == 0)
		return sscanf(val, "%2d%n", &rr->r->month, &n) == 1 &&
		    val[n] == '\0' && rr->r->month >= 1 &&
		    rr->r->month <= 12 ? 0 : -1;
	if (strcasecmp(key, "BYDAY") == 0)
		return ics_obs_byday(val, rr);
	if (strcasecmp(key, "BYMONTHDAY") == 0)
		return ics_obs_mday(val, rr);
	return -1;
}

/*
 * The RRULE of an observance as a POSIX transition date: FREQ=YEARLY, one
 * BYMONTH, one BYDAY "nWD" or a weekday in a BYMONTHDAY window; *yearly
 * is 0 when it ends (UNTIL, COUNT).
 */
static int
ics_obs_rrule(const char *value, struct ics_rule *r, int *yearly)
{
	struct ics_obsrr	 rr;
	char			*copy = xstrdup(value), *part, *save = NULL;
	char			*eq;
	int			 rc = 0;

	memset(&rr, 0, sizeof rr);
	rr.r = r;
	rr.yearly = 1;
	r->month = r->week = 0;
	for (part = strtok_r(copy, ";", &save); part != NULL && rc == 0;
	    part = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(part, '=')) == NULL)
			rc = -1;
		else {
			*eq++ = '\0';
			rc = ics_obs_part(part, eq, &rr);
		}
	}
	free(copy);
	if (rc == 0 && r->month != 0 && (rr.plain || rr.nmday > 0))
		rc = rr.plain && rr.nmday > 0 &&
		    (r->week = ics_obs_window(&rr)) != -1 ? 0 : -1;
	*yearly = rr.yearly;
	return rc == -1 || !rr.freq || r->month == 0 || r->week == 0 ? -1 : 0;
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

/* Zone name of this import's cache into out when its rules are z's. */
static int
ics_vtz_try(struct ics_zones *zs, const char *name, const struct ics_zone *z,
    char *out, size_t len)
{
	struct ics_zcache	*c = ics_zone_entry(zs, name);

	if (c == NULL || c->tz == NULL || !ics_zone_same(z, &c->rules))
		return -1;
	return util_strlcpy(out, c->name, len) < len ? 0 : -1;
}

/*
 * The first zone of the system's zone1970.tab whose rules are z's, into
 * out.  Read only when the usual candidates failed, and not through the
 * import's cache: a few hundred files, each read for its last line.
 */
static int
ics_vtz_scan(struct ics_zones *zs, const struct ics_zone *z, char *out,
    size_t len)
{
	struct ics_zone	 r;
	const char	*dir;
	char		*path, line[512], *name, *save = NULL;
	FILE		*fp;
	int		 n, rc = -1;

	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	xasprintf(&path, "%s/%s", dir, ICS_ZONETAB);
	fp = fopen(path, "r");
	free(path);
	if (fp == NULL)
		return -1;
	for (n = 0; rc == -1 && n < ICS_ZONETAB_MAX &&
	    fgets(line, sizeof line, fp) != NULL; n++) {
		/* "BE\t+5050+00420\tEurope/Brussels[\tcomment]" */
		if (line[0] == '#' || strtok_r(line, "\t\n", &save) == NULL ||
		    strtok_r(NULL, "\t\n", &save) == NULL ||
		    (name = strtok_r(NULL, "\t\n", &save)) == NULL)
			continue;
		if (ics_zone_rules(name, &r, NULL) == 0 &&
		    ics_zone_same(z, &r))
			rc = ics_vtz_try(zs, name, z, out, len);
	}
	fclose(fp);
	return rc;
}

/*
 * The IANA zone whose rules are z's into out: ICS_HOME_ZONE, then the
 * zones of the Windows table, then for a whole-hour offset without DST
 * the Etc/GMT zone of that offset, then the zones of zone1970.tab.  -1
 * when none is.
 */
static int
ics_vtz_match(struct ics_zones *zs, const struct ics_zone *z, char *out,
    size_t len)
{
	const char	*name;
	char		 etc[32];
	size_t		 i;

	if (ics_vtz_try(zs, ICS_HOME_ZONE, z, out, len) == 0)
		return 0;
	for (i = 0; (name = ics_windows_iana(i)) != NULL; i++)
		if (ics_vtz_try(zs, name, z, out, len) == 0)
			return 0;
	if (!z->has_dst && z->std_off % ICS_HOUR == 0) {
		/* POSIX signs: Etc/GMT-1 is one hour east of UTC */
		snprintf(etc, sizeof etc, "Etc/GMT%+d",
		    (int)(-z->std_off / ICS_HOUR));
		if (ics_vtz_try(zs, etc, z, out, len) == 0)
			return 0;
	}
	return ics_vtz_scan(zs, z, out, len);
}

/* An offset east of UTC as a POSIX TZ string writes it: west, "-1:30". */
static void
ics_posix_offset_text(int32_t east, char *buf, size_t len)
{
	int32_t	 w = -east, a = w < 0 ? -w : w;
	int	 n;

	n = snprintf(buf, len, "%s%d", w < 0 ? "-" : "", (int)(a / 3600));
	if (a % 3600 != 0)
		n += snprintf(buf + n, len - (size_t)n, ":%02d",
		    (int)(a % 3600 / 60));
	if (a % 60 != 0)
		snprintf(buf + n, len - (size_t)n, ":%02d", (int)(a % 60));
}

/* A transition date as a POSIX TZ string writes it: ",M3.5.0/3". */
static void
ics_posix_date_text(const struct ics_rule *r, char *buf, size_t len)
{
	char	 t[32];
	int	 n;

	n = snprintf(buf, len, ",M%d.%d.%d", r->month, r->week, r->wday);
	if (r->secs != 2 * ICS_HOUR) {
		/* a time of day: written as an offset east, read back west */
		ics_posix_offset_text(-r->secs, t, sizeof t);
		snprintf(buf + n, len - (size_t)n, "/%s", t);
	}
}

/*
 * Zone z with standard time the smaller offset, so that one set of rules
 * has one name whatever the order of its STANDARD and DAYLIGHT.
 */
static void
ics_zone_norm(struct ics_zone *z)
{
	struct ics_rule	 r;
	int32_t		 off;

	if (!z->has_dst || z->dst_off >= z->std_off)
		return;
	off = z->std_off;
	z->std_off = z->dst_off;
	z->dst_off = off;
	r = z->to_std;
	z->to_std = z->to_dst;
	z->to_dst = r;
}

/* Zone z as a zone by rules (tz.h) into out: its POSIX TZ string. */
static int
ics_vtz_posix(const struct ics_zone *z, char *out, size_t len)
{
	char		 sname[16], soff[32], dname[16], doff[32];
	char		 d1[48], d2[48];
	int		 n;

	ics_offset(z->std_off, sname, sizeof sname);
	ics_posix_offset_text(z->std_off, soff, sizeof soff);
	if (z->has_dst) {
		ics_offset(z->dst_off, dname, sizeof dname);
		ics_posix_offset_text(z->dst_off, doff, sizeof doff);
		ics_posix_date_text(&z->to_dst, d1, sizeof d1);
		ics_posix_date_text(&z->to_std, d2, sizeof d2);
		n = snprintf(out, len, "<%s>%s<%s>%s%s%s", sname, soff, dname,
		    doff, d1, d2);
	} else
		n = snprintf(out, len, "<%s>%s", sname, soff);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* An offset for people: "UTC+01:30", "UTC-03:00". */
static void
ics_offset_words(int32_t off, char *buf, size_t len)
{
	int32_t	 a = off < 0 ? -off : off;

	snprintf(buf, len, "UTC%c%02d:%02d", off < 0 ? '-' : '+',
	    (int)(a / 3600), (int)(a % 3600 / 60));
}

/* A transition date for people: "dernier dimanche d'octobre à 03h00". */
static void
ics_rule_words(const struct ics_rule *r, char *buf, size_t len)
{
	const char	*month = ics_months[r->month - 1];
	int		 n;

	n = snprintf(buf, len, "%s %s %s%s", ics_weeks[r->week - 1],
	    ics_days[r->wday], strchr("aeiou", month[0]) != NULL ? "d'" :
	    "de ", month);
	if (r->secs >= 0 && r->secs < ICS_DAY)
		snprintf(buf + n, len - (size_t)n, " à %02dh%02d",
		    (int)(r->secs / 3600), (int)(r->secs % 3600 / 60));
}

/* What the import report says of a zone by z's own rules. */
static void
ics_vtz_note(const struct ics_zone *z, char *note, size_t len)
{
	char	 a[16], b[16], r1[96], r2[96];

	ics_offset_words(z->std_off, a, sizeof a);
	if (!z->has_dst) {
		snprintf(note, len, "aucun fuseau IANA n'a les règles de son "
		    "VTIMEZONE : ses propres règles sont appliquées (%s toute "
		    "l'année)", a);
		return;
	}
	ics_offset_words(z->dst_off, b, sizeof b);
	ics_rule_words(&z->to_dst, r1, sizeof r1);
	ics_rule_words(&z->to_std, r2, sizeof r2);
	snprintf(note, len, "aucun fuseau IANA n'a les règles de son "
	    "VTIMEZONE : ses propres règles sont appliquées (%s, et %s du %s "
	    "au %s)", a, b, r1, r2);
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
 * The zone of VTIMEZONE vtz into out: its X-LIC-LOCATION when that is a
 * zone, else the IANA zone of the same rules, else a zone by its own
 * rules, described in note.  -1 with *why set.
 */
static int
ics_vtz_zone(struct ics_zones *zs, const struct ics_comp *vtz, char *out,
    size_t len, char *note, size_t notelen, const char **why)
{
	const struct ics_prop	*loc;
	struct ics_zone		 z;

	if ((loc = ics_prop(vtz, "X-LIC-LOCATION")) != NULL &&
	    ics_zone_get(zs, loc->value) != NULL)
		return util_strlcpy(out, loc->value, len) < len ? 0 : -1;
	*why = ics_why_bad;
	if (ics_vtz_rules(vtz, &z) == -1)
		return -1;
	if (ics_vtz_match(zs, &z, out, len) == 0)
		return 0;
	ics_zone_norm(&z);
	if (ics_vtz_posix(&z, out, len) == -1 ||
	    ics_zone_get(zs, out) == NULL)
		return -1;
	ics_vtz_note(&z, note, notelen);
	return 0;
}

/*
 * The zone of the calendar's VTIMEZONEs of TZID tzid into out (see
 * ics_vtz_zone); every VTIMEZONE of that TZID must give the same zone.
 * note is "" unless the zone is one by the calendar's own rules.  -1 with
 * *why set.
 */
static int
ics_zone_vtz(struct ics_zones *zs, const struct ics_comp *cal,
    const char *tzid, char *out, size_t len, char *note, size_t notelen,
    const char **why)
{
	const struct ics_comp	*c;
	const struct ics_prop	*p;
	char			 got[ICS_ZONE_MAX];
	size_t			 i, found = 0;

	*why = ics_why_unknown;
	*note = '\0';
	for (i = 0; i < cal->ncomps; i++) {
		c = cal->comps[i];
		if (strcmp(c->name, "VTIMEZONE") != 0 ||
		    (p = ics_prop(c, "TZID")) == NULL ||
		    !ics_tzid_is(p->value, tzid))
			continue;
		if (ics_vtz_zone(zs, c, got, sizeof got, note, notelen,
		    why) == -1)
			return -1;
		if (found++ > 0 && strcmp(got, out) != 0) {
			*why = ics_why_twice;
			return -1;
		}
		util_strlcpy(out, got, len);
	}
	*why = found > 0 ? NULL : ics_why_unknown;
	return found > 0 ? 0 : -1;
}

/* ics_zone_resolve, without remembering the TZID. */
static int
ics_zone_find(struct ics_zones *zs, const struct ics_comp *cal,
    const char *tzid, char *out, size_t len, char *note, size_t notelen,
    const char **why)
{
	const char	*s;

	if (ics_zone_get(zs, tzid) != NULL)
		return util_strlcpy(out, tzid, len) < len ? 0 : -1;
	if ((s = ics_windows_find(tzid)) != NULL &&
	    ics_zone_get(zs, s) != NULL)
		return util_strlcpy(out, s, len) < len ? 0 : -1;
	for (s = strchr(tzid, '/'); s != NULL; s = strchr(s + 1, '/')) {
		if (s[1] != '\0' && ics_zone_get(zs, s + 1) != NULL)
			return util_strlcpy(out, s + 1, len) < len ? 0 : -1;
	}
	return ics_zone_vtz(zs, cal, tzid, out, len, note, notelen, why);
}

/*
 * The zone of TZID tzid into out: the name itself, a Windows name from
 * the table, the IANA tail of a prefixed name
 * ("/freeassociation.sourceforge.net/Europe/Brussels"), or what the
 * calendar's VTIMEZONE of that TZID says (ics_vtz.c).  -1 with *why (may
 * be NULL) set, or NULL; 0 with *why NULL, or the note for the report of
 * a zone by the calendar's own rules (valid until ics_zones_free).
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
		if (zs->nmemo < ICS_TZIDS_MAX) {
			zs->memo = xreallocarray(zs->memo, zs->nmemo + 1,
			    sizeof *zs->memo);
			m = &zs->memo[zs->nmemo++];
			m->tzid = xstrdup(tzid);
		} else
			m = &one;	/* not remembered */
		m->cal = cal;
		m->why = NULL;
		m->note[0] = '\0';
		m->rc = ics_zone_find(zs, cal, tzid, m->out, sizeof m->out,
		    m->note, sizeof m->note, &m->why);
	}
	/* the note of a TZID not remembered would not outlive this call */
	if (why != NULL)
		*why = m->rc == 0 && m->note[0] != '\0' && m != &one ?
		    m->note : m->why;
	if (m->rc == 0 && util_strlcpy(out, m->out, len) >= len)
		return -1;
	return m->rc;
}
