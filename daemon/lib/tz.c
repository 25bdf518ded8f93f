/*
 * tz.c: TZif files (RFC 8536, versions 1 to 4) read by hand, and the POSIX
 * TZ string of their footer evaluated for instants past the last
 * transition, so that a rule expanded a thousand years ahead still gets the
 * right offsets.  Never touches TZ, localtime or mktime.
 *
 * Lookups keep the interval of the last answer (a transition on each side)
 * in a small cache owned by the zone, so that sequential calls cost a
 * comparison: the daemon is single-threaded and the cache sits behind a
 * pointer, which is why the functions can take a const zone.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"
#include "utf8.h"
#include "util.h"

#define TZ_MAXFILE	(1024 * 1024)	/* the largest zone is ~4 KB */
#define TZ_DAY		86400
#define TZ_FAR_PAST	INT64_MIN
#define TZ_FAR_FUTURE	INT64_MAX
#define TZ_RULES_OFF	(18 * 3600)	/* widest offset of a zone by rules */
#define TZ_RULES_LEN	128		/* longest zone by rules, and more */
#define TZ_CACHED_MAX	4096		/* zones tz_cached() keeps */

/* The TZif header (RFC 8536): magic, version, 15 reserved bytes, six
 * big-endian 32-bit counts. */
#define TZIF_MAGIC	"TZif"
#define TZIF_MAGIC_LEN	4
#define TZIF_VERSION_AT	4	/* '\0', '2', '3' or '4' */
#define TZIF_COUNTS_AT	20
#define TZIF_HEADER_LEN	44
#define TZIF_TTINFO_LEN	6	/* a type: offset (4), isdst, abbreviation */
#define TZIF_MAXCOUNT	100000	/* no real zone comes near */

/* The counts of the header, in file order. */
enum tzif_count {
	TZIF_ISUT, TZIF_ISSTD, TZIF_LEAP, TZIF_TIME, TZIF_TYPE, TZIF_CHAR,
	TZIF_NCOUNTS
};

/* One date of a POSIX rule: Jn, n or Mm.w.d, at time seconds local. */
struct tz_date {
	char	 kind;		/* 'J', 'n' or 'M' */
	int	 n, month, week, wday;
	int32_t	 time;
};

/* The POSIX TZ footer, offsets east of UTC. */
struct tz_posix {
	int	 valid;
	int	 has_dst;
	int32_t	 std_off, dst_off;
	struct tz_date start, end;
};

/*
 * The interval [lo, hi) of the last lookup and its offset; and the footer's
 * transitions of the three years around the last footer lookup.
 */
struct tz_cache {
	int64_t	 lo, hi;
	int32_t	 off;
	int	 valid;
	int64_t	 at[6];
	int32_t	 at_off[6];
	int	 nat;
};

struct tz {
	char		*name;
	size_t		 ntrans;
	int64_t		*trans;		/* transition instants, increasing */
	int32_t		*trans_off;	/* offset in force from each one */
	int32_t		 first_off;	/* before the first transition */
	struct tz_posix	 posix;
	struct tz_cache	*cache;
};

static int	 tz_leap(int64_t);
static int64_t	 tz_floordiv(int64_t, int64_t);
static int64_t	 tz_be(const unsigned char *, int);
static char	*tz_read(const char *, size_t *, char **);
static const char *tz_posix_name(const char *);
static const char *tz_posix_time(const char *, int32_t *, int);
static const char *tz_posix_date(const char *, struct tz_date *);
static int	 tz_posix_parse(const char *, struct tz_posix *);
static int64_t	 tz_posix_day(int64_t, const struct tz_date *);
static void	 tz_footer_years(const struct tz *, int64_t);
static int32_t	 tz_footer(const struct tz *, int64_t, int64_t *, int64_t *);
static int32_t	 tz_lookup(const struct tz *, int64_t, int64_t *, int64_t *);

int64_t
tz_days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
tz_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t
tz_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* A big-endian signed integer of n bytes (4 or 8). */
static int64_t
tz_be(const unsigned char *p, int n)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* The whole of file path, NUL-terminated; NULL with *cause set. */
static char *
tz_read(const char *path, size_t *len, char **cause)
{
	FILE		*fp;
	char		*buf;
	struct stat	 sb;
	size_t		 n;

	if ((fp = fopen(path, "rb")) == NULL) {
		util_cause(cause, "%s : %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size < TZIF_HEADER_LEN || sb.st_size > TZ_MAXFILE) {
		util_cause(cause, "%s : pas un fichier de fuseau", path);
		fclose(fp);
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	n = fread(buf, 1, (size_t)sb.st_size, fp);
	fclose(fp);
	if (n != (size_t)sb.st_size) {
		util_cause(cause, "%s : lecture incomplète", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * Check the header at h, the block of version 1 (tsz 4, 32-bit times) or of
 * version 2 and later (tsz 8): its counts into cnt, and the size of the
 * data that follows the header into *size.  0 or -1.
 */
static int
tz_header(const unsigned char *h, size_t tsz, int64_t cnt[TZIF_NCOUNTS],
    size_t *size)
{
	int	 k;

	if (memcmp(h, TZIF_MAGIC, TZIF_MAGIC_LEN) != 0)
		return -1;
	for (k = 0; k < TZIF_NCOUNTS; k++)
		if ((cnt[k] = tz_be(h + TZIF_COUNTS_AT + 4 * k, 4)) < 0 ||
		    cnt[k] > TZIF_MAXCOUNT)
			return -1;
	*size = (size_t)(cnt[TZIF_TIME] * (int64_t)(tsz + 1) +
	    cnt[TZIF_TYPE] * TZIF_TTINFO_LEN + cnt[TZIF_CHAR] +
	    cnt[TZIF_LEAP] * (int64_t)(tsz + 4) + cnt[TZIF_ISSTD] +
	    cnt[TZIF_ISUT]);
	return 0;
}

/*
 * Fill the transitions of z from the data block d (times of tsz bytes),
 * which holds the transition times, their type indices, then the types.
 * 0 or -1.
 */
static int
tz_transitions(struct tz *z, const unsigned char *d, size_t tsz,
    const int64_t cnt[TZIF_NCOUNTS])
{
	size_t			 i, nt = (size_t)cnt[TZIF_TIME];
	size_t			 ntypes = (size_t)cnt[TZIF_TYPE];
	const unsigned char	*idx = d + nt * tsz, *types = idx + nt;

	z->first_off = (int32_t)tz_be(types, 4);
	z->ntrans = nt;
	z->trans = xcalloc(nt + 1, sizeof *z->trans);
	z->trans_off = xcalloc(nt + 1, sizeof *z->trans_off);
	for (i = 0; i < nt; i++) {
		z->trans[i] = tz_be(d + i * tsz, (int)tsz);
		if (idx[i] >= ntypes ||
		    (i > 0 && z->trans[i] <= z->trans[i - 1]))
			return -1;
		z->trans_off[i] = (int32_t)tz_be(types + TZIF_TTINFO_LEN *
		    idx[i], 4);
	}
	return 0;
}

/* Read the POSIX footer, "\nCET-1CEST,M3.5.0,M10.5.0/3\n", at s. */
static void
tz_footer_read(struct tz *z, const unsigned char *s,
    const unsigned char *end)
{
	const unsigned char	*nl;
	char			*footer;

	if (s >= end || *s != '\n')
		return;
	s++;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (nl != NULL && nl > s) {
		footer = xstrndup((const char *)s, (size_t)(nl - s));
		z->posix.valid = tz_posix_parse(footer, &z->posix) == 0;
		free(footer);
	}
}

/*
 * Fill z from the TZif data p: the 64-bit block of version 2 and later (the
 * 32-bit one for version 1), then the footer.  0 or -1 with *cause set.
 */
static int
tz_parse(struct tz *z, const unsigned char *p, size_t len, char **cause)
{
	const unsigned char	*h = p, *d, *end = p + len;
	int64_t			 cnt[TZIF_NCOUNTS];
	size_t			 size, tsz = 4;

	if (tz_header(h, tsz, cnt, &size) == -1)
		goto bad;
	if (h[TZIF_VERSION_AT] >= '2') {
		if ((size_t)(end - h) < 2 * TZIF_HEADER_LEN + size)
			goto bad;
		h += TZIF_HEADER_LEN + size;
		tsz = 8;
		if (tz_header(h, tsz, cnt, &size) == -1)
			goto bad;
	}
	d = h + TZIF_HEADER_LEN;
	if ((size_t)(end - d) < size || cnt[TZIF_TYPE] == 0 ||
	    tz_transitions(z, d, tsz, cnt) == -1)
		goto bad;
	if (tsz == 8)
		tz_footer_read(z, d + size, end);
	return 0;

bad:
	util_cause(cause, "fichier TZif invalide");
	return -1;
}

/* Skip a zone abbreviation ("CET" or "<+0330>"); NULL when malformed. */
static const char *
tz_posix_name(const char *s)
{
	const char	*p = s;

	if (*p == '<') {
		while (*++p != '>')
			if (*p == '\0')
				return NULL;
		return p + 1;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/*
 * Parse [+-]hh[:mm[:ss]] into *secs (hours up to 167); sign 1 allows the
 * sign.  NULL when malformed.
 */
static const char *
tz_posix_time(const char *s, int32_t *secs, int sign)
{
	int32_t	 v[3] = { 0, 0, 0 }, neg = 1;
	int	 i;

	if (sign && (*s == '+' || *s == '-'))
		neg = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return NULL;
		while (*s >= '0' && *s <= '9' && v[i] < 1000)
			v[i] = v[i] * 10 + (*s++ - '0');
		if (*s != ':')
			break;
		s++;
	}
	if (v[0] > 167 || v[1] > 59 || v[2] > 59)
		return NULL;
	*secs = neg * (v[0] * 3600 + v[1] * 60 + v[2]);
	return s;
}

/* Parse a rule date Jn, n or Mm.w.d with its optional /time. */
static const char *
tz_posix_date(const char *s, struct tz_date *dt)
{
	char	*end;
	long	 a, b, c;

	memset(dt, 0, sizeof *dt);
	dt->time = 7200;
	if (*s == 'M') {
		a = strtol(s + 1, &end, 10);
		if (*end != '.')
			return NULL;
		b = strtol(end + 1, &end, 10);
		if (*end != '.')
			return NULL;
		c = strtol(end + 1, &end, 10);
		if (a < 1 || a > 12 || b < 1 || b > 5 || c < 0 || c > 6)
			return NULL;
		dt->kind = 'M';
		dt->month = (int)a;
		dt->week = (int)b;
		dt->wday = (int)c;
	} else {
		dt->kind = *s == 'J' ? 'J' : 'n';
		if (*s == 'J')
			s++;
		if (*s < '0' || *s > '9')
			return NULL;
		a = strtol(s, &end, 10);
		if (a < (dt->kind == 'J') || a > 365)
			return NULL;
		dt->n = (int)a;
	}
	if (*end == '/')
		return tz_posix_time(end + 1, &dt->time, 1);
	return end;
}

/* Parse a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
static int
tz_posix_parse(const char *s, struct tz_posix *px)
{
	int32_t	 v;

	memset(px, 0, sizeof *px);
	if ((s = tz_posix_name(s)) == NULL ||
	    (s = tz_posix_time(s, &v, 1)) == NULL)
		return -1;
	px->std_off = px->dst_off = -v;
	if (*s == '\0')
		return 0;
	if ((s = tz_posix_name(s)) == NULL)
		return -1;
	px->has_dst = 1;
	px->dst_off = px->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = tz_posix_time(s, &v, 1)) == NULL)
			return -1;
		px->dst_off = -v;
	}
	if (*s == '\0')
		s = ",M3.2.0,M11.1.0";	/* POSIX leaves it open: US rules */
	if (*s != ',' || (s = tz_posix_date(s + 1, &px->start)) == NULL ||
	    *s != ',' || (s = tz_posix_date(s + 1, &px->end)) == NULL ||
	    *s != '\0')
		return -1;
	return 0;
}

/* The day (since the epoch) on which rule date dt falls in year y. */
static int64_t
tz_posix_day(int64_t y, const struct tz_date *dt)
{
	static const int	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int64_t			 first, day;
	int			 wd, len;

	if (dt->kind == 'J')
		return tz_days_from_civil(y, 1, 1) + dt->n - 1 +
		    (tz_leap(y) && dt->n >= 60);
	if (dt->kind == 'n')
		return tz_days_from_civil(y, 1, 1) + dt->n;
	first = tz_days_from_civil(y, dt->month, 1);
	wd = (int)(((first + 4) % 7 + 7) % 7);		/* 0 Sunday */
	day = first + (dt->wday - wd + 7) % 7 + (dt->week - 1) * 7;
	len = mdays[dt->month - 1] + (dt->month == 2 && tz_leap(y));
	while (day >= first + len)
		day -= 7;
	return day;
}

/*
 * Fill the footer's cache with the transitions of the years before, of and
 * after the one of utc, in order.
 */
static void
tz_footer_years(const struct tz *z, int64_t utc)
{
	const struct tz_posix	*px = &z->posix;
	struct tz_cache		*c = z->cache;
	int64_t			 y, t;
	int32_t			 o;
	int			 i, j, n = 0;

	tz_civil_from_days(tz_floordiv(utc + px->std_off, TZ_DAY), &y, &i, &j);
	for (t = y - 1; t <= y + 1; t++) {
		c->at[n] = tz_posix_day(t, &px->start) * TZ_DAY +
		    px->start.time - px->std_off;
		c->at_off[n++] = px->dst_off;
		c->at[n] = tz_posix_day(t, &px->end) * TZ_DAY +
		    px->end.time - px->dst_off;
		c->at_off[n++] = px->std_off;
	}
	for (i = 1; i < n; i++) {	/* insertion sort, 6 items */
		for (j = i; j > 0 && c->at[j] < c->at[j - 1]; j--) {
			t = c->at[j], c->at[j] = c->at[j - 1];
			c->at[j - 1] = t;
			o = c->at_off[j], c->at_off[j] = c->at_off[j - 1];
			c->at_off[j - 1] = o;
		}
	}
	c->nat = n;
}

/*
 * The footer's offset at utc, and the interval around it [*lo, *hi) that
 * has the same offset, from the transitions of the years around utc.
 */
static int32_t
tz_footer(const struct tz *z, int64_t utc, int64_t *lo, int64_t *hi)
{
	const struct tz_posix	*px = &z->posix;
	struct tz_cache		*c = z->cache;
	int			 i;

	*lo = TZ_FAR_PAST;
	*hi = TZ_FAR_FUTURE;
	if (!px->has_dst)
		return px->std_off;
	if (c->nat == 0 || utc < c->at[0] || utc >= c->at[c->nat - 1])
		tz_footer_years(z, utc);
	if (utc < c->at[0]) {
		*hi = c->at[0];
		return c->at_off[0] == px->dst_off ? px->std_off : px->dst_off;
	}
	for (i = 0; i + 1 < c->nat && c->at[i + 1] <= utc; i++)
		;
	*lo = c->at[i];
	if (i + 1 < c->nat)
		*hi = c->at[i + 1];
	return c->at_off[i];
}

/* The offset at utc and its interval [*lo, *hi), without the cache. */
static int32_t
tz_lookup(const struct tz *z, int64_t utc, int64_t *lo, int64_t *hi)
{
	size_t	 a, b, m;
	int32_t	 off;

	if (z->ntrans == 0 || utc < z->trans[0]) {
		if (z->ntrans == 0 && z->posix.valid)
			return tz_footer(z, utc, lo, hi);
		*lo = TZ_FAR_PAST;
		*hi = z->ntrans == 0 ? TZ_FAR_FUTURE : z->trans[0];
		return z->first_off;
	}
	if (utc >= z->trans[z->ntrans - 1]) {
		if (!z->posix.valid) {
			*lo = z->trans[z->ntrans - 1];
			*hi = TZ_FAR_FUTURE;
			return z->trans_off[z->ntrans - 1];
		}
		off = tz_footer(z, utc, lo, hi);
		if (*lo < z->trans[z->ntrans - 1])
			*lo = z->trans[z->ntrans - 1];
		return off;
	}
	a = 0;
	b = z->ntrans - 1;		/* trans[a] <= utc < trans[b] */
	while (b - a > 1) {
		m = a + (b - a) / 2;
		if (z->trans[m] <= utc)
			a = m;
		else
			b = m;
	}
	*lo = z->trans[a];
	*hi = z->trans[b];
	return z->trans_off[a];
}

/*
 * Whether the abbreviations of rules s are 3 to 15 letters, digits, '+'
 * or '-', and s short enough: what a VTIMEZONE written back from it
 * (ics_zone.c) can say.
 */
static int
tz_rules_names_ok(const char *s)
{
	size_t	 n;

	if (strlen(s) >= TZ_RULES_LEN)
		return 0;
	for (; (s = strchr(s, '<')) != NULL; s += n + 2) {
		n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-");
		if (n < 3 || n > 15 || s[n + 1] != '>')
			return 0;
	}
	return 1;
}

/*
 * A zone given by its rules (see tz.h): no transitions, the POSIX string
 * read as a TZif footer is.  NULL with *cause set.
 */
static struct tz *
tz_load_rules(const char *name, char **cause)
{
	struct tz	*z = xcalloc(1, sizeof *z);
	struct tz_posix	*px = &z->posix;

	z->name = xstrdup(name);
	z->cache = xcalloc(1, sizeof *z->cache);
	if (!tz_rules_names_ok(name) || tz_posix_parse(name, px) == -1 ||
	    px->std_off < -TZ_RULES_OFF ||
	    px->std_off > TZ_RULES_OFF || px->dst_off < -TZ_RULES_OFF ||
	    px->dst_off > TZ_RULES_OFF || (px->has_dst &&
	    (strchr(name, ',') == NULL || px->start.kind != 'M' ||
	    px->end.kind != 'M'))) {
		util_cause(cause, "fuseau « %s » : règles illisibles (ex. "
		    "<+0130>-1:30<+0230>,M3.5.0,M10.5.0/3, ou un nom comme "
		    "Europe/Brussels)", UTF8_CUT(name, 64));
		tz_free(z);
		return NULL;
	}
	px->valid = 1;
	z->first_off = px->std_off;
	return z;
}

struct tz *
tz_load(const char *name, char **cause)
{
	struct tz	*z;
	const char	*dir;
	char		*path, *buf;
	size_t		 len;

	if (name == NULL || *name == '\0' || *name == '/' ||
	    strstr(name, "..") != NULL || strlen(name) > 255) {
		util_cause(cause, "fuseau « %s » invalide (ex. Europe/Brussels)",
		    name == NULL ? "" : UTF8_CUT(name, 64));
		return NULL;
	}
	if (*name == '<')
		return tz_load_rules(name, cause);
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	xasprintf(&path, "%s/%s", dir, name);
	buf = tz_read(path, &len, NULL);
	free(path);
	if (buf == NULL) {
		util_cause(cause, "fuseau « %s » inconnu (ex. Europe/Brussels)",
		    UTF8_CUT(name, 64));
		return NULL;
	}
	z = xcalloc(1, sizeof *z);
	z->name = xstrdup(name);
	z->cache = xcalloc(1, sizeof *z->cache);
	if (tz_parse(z, (const unsigned char *)buf, len, NULL) == -1) {
		util_cause(cause, "fuseau « %s » : fichier TZif invalide",
		    UTF8_CUT(name, 64));
		free(buf);
		tz_free(z);
		return NULL;
	}
	free(buf);
	return z;
}

void
tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->trans_off);
	free(z->cache);
	free(z);
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

int32_t
tz_offset_at(const struct tz *z, int64_t utc)
{
	struct tz_cache	*c = z->cache;

	if (c->valid && utc >= c->lo && utc < c->hi)
		return c->off;
	c->off = tz_lookup(z, utc, &c->lo, &c->hi);
	c->valid = 1;
	return c->off;
}

/*
 * Try the offsets in force a day before and a day after local: each that
 * maps local back onto itself is valid.  Two valid: the fall-back overlap,
 * take the earlier instant.  None: a gap, read local with the offset in
 * force before it.
 */
int64_t
tz_resolve(const struct tz *z, int64_t local, int32_t *offset)
{
	struct tz_cache	*c = z->cache;
	int32_t		 a, b, o;
	int		 va, vb;

	if (c->valid && local - c->off - 2 * TZ_DAY >= c->lo &&
	    local - c->off + 2 * TZ_DAY < c->hi) {
		o = c->off;
		goto done;
	}
	a = tz_offset_at(z, local - TZ_DAY);
	b = tz_offset_at(z, local + TZ_DAY);
	va = tz_offset_at(z, local - a) == a;
	vb = a == b ? va : tz_offset_at(z, local - b) == b;
	if (va && vb)
		o = a > b ? a : b;
	else if (vb)
		o = b;
	else
		o = a;
	/* Leave the cache on the answer, for the next call. */
	(void)tz_offset_at(z, local - o);
done:
	if (offset != NULL)
		*offset = tz_offset_at(z, local - o);
	return local - o;
}

/* The zones tz_cached() loaded, for the life of the process. */
static struct tz	**tz_loaded;
static size_t		  tz_nloaded;

const struct tz *
tz_cached(const char *name, char **cause)
{
	struct tz	*z;
	size_t		 i;

	for (i = 0; name != NULL && i < tz_nloaded; i++)
		if (strcmp(tz_loaded[i]->name, name) == 0)
			return tz_loaded[i];
	if (tz_nloaded >= TZ_CACHED_MAX) {
		/* zones by rules are as many as texts: keep the set bounded */
		util_cause(cause, "fuseau « %s » : trop de fuseaux différents "
		    "en usage (%d au plus)", name == NULL ? "" :
		    UTF8_CUT(name, 64), TZ_CACHED_MAX);
		return NULL;
	}
	if ((z = tz_load(name, cause)) == NULL)
		return NULL;
	tz_loaded = xreallocarray(tz_loaded, tz_nloaded + 1,
	    sizeof *tz_loaded);
	tz_loaded[tz_nloaded++] = z;
	return z;
}

void
tz_cached_free(void)
{
	size_t	 i;

	for (i = 0; i < tz_nloaded; i++)
		tz_free(tz_loaded[i]);
	free(tz_loaded);
	tz_loaded = NULL;
	tz_nloaded = 0;
}
