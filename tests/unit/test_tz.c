/*
 * test_tz.c: zones read from the system's tzdata and from TZif files
 * written here (versions 1 and 2, footers in every POSIX form), offsets at
 * transitions and far past the last one, and RFC 5545's resolution of gap
 * and fall-back times in Europe/Brussels and America/New_York.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "recur.h"
#include "tz.h"

#define H	3600

static char	 tzdir[64];

/* Seconds since the epoch of a UTC (or zone-less local) date-time. */
static int64_t
at(int y, int mo, int d, int h, int mi, int s)
{
	struct recur_civil	 c = { y, mo, d, h, mi, s };

	return recur_civil_secs(&c);
}

static struct tz *
load(const char *name)
{
	struct tz	*z;
	char		*cause = NULL;

	if ((z = tz_load(name, &cause)) == NULL)
		fail_msg("%s: %s", name, cause);
	return z;
}

static void
be32(FILE *fp, int64_t v)
{
	uint32_t	 u = (uint32_t)v;

	fputc(u >> 24, fp);
	fputc(u >> 16 & 0xff, fp);
	fputc(u >> 8 & 0xff, fp);
	fputc(u & 0xff, fp);
}

static void
be64(FILE *fp, int64_t v)
{
	be32(fp, (int64_t)((uint64_t)v >> 32));
	be32(fp, v);
}

/* One header and data block; size 4 or 8 bytes a transition. */
static void
tzif_block(FILE *fp, char version, int size, int n, const int64_t *trans,
    const int *idx, int ntypes, const int32_t *offs)
{
	int	 i;

	fwrite("TZif", 1, 4, fp);
	fputc(version, fp);
	for (i = 0; i < 15; i++)
		fputc(0, fp);
	be32(fp, 0);		/* isut */
	be32(fp, 0);		/* isstd */
	be32(fp, 0);		/* leap */
	be32(fp, n);
	be32(fp, ntypes);
	be32(fp, 4);		/* "AAA\0" */
	for (i = 0; i < n; i++)
		size == 8 ? be64(fp, trans[i]) : be32(fp, trans[i]);
	for (i = 0; i < n; i++)
		fputc(idx[i], fp);
	for (i = 0; i < ntypes; i++) {
		be32(fp, offs[i]);
		fputc(i > 0, fp);
		fputc(0, fp);
	}
	fwrite("AAA", 1, 4, fp);
}

/*
 * Write zone name under tzdir: version 1 (footer NULL) with 32-bit
 * transitions, or version 2 with the same in 64 bits and footer.
 */
static void
tzif_write(const char *name, int n, const int64_t *trans, const int *idx,
    int ntypes, const int32_t *offs, const char *footer)
{
	char	 path[128];
	FILE	*fp;

	snprintf(path, sizeof path, "%s/%s", tzdir, name);
	assert_non_null(fp = fopen(path, "wb"));
	tzif_block(fp, footer ? '2' : 0, 4, n, trans, idx, ntypes, offs);
	if (footer != NULL) {
		tzif_block(fp, '2', 8, n, trans, idx, ntypes, offs);
		fprintf(fp, "\n%s\n", footer);
	}
	fclose(fp);
}

static int
setup(void **state)
{
	char	 sub[96];

	snprintf(tzdir, sizeof tzdir, "/tmp/test_tz.XXXXXX");
	if (mkdtemp(tzdir) == NULL)
		return -1;
	snprintf(sub, sizeof sub, "%s/Test", tzdir);
	return mkdir(sub, 0755);
}

static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tzdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_load_refused(void **state)
{
	static const char	*bad[] = { "", "/etc/passwd", "../etc/passwd",
				    "Europe/../../etc/passwd", "Mars/Olympus",
				    "Europe", "zone.tab" };
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (tz_load(bad[i], &cause) != NULL)
			fail_msg("\"%s\" accepted", bad[i]);
		if (cause == NULL || strstr(cause, "fuseau") == NULL)
			fail_msg("\"%s\": cause \"%s\"", bad[i], cause);
		free(cause);
	}
	assert_null(tz_load(NULL, NULL));
}

/* tz_cached: one load a name, failures not kept, emptied on request. */
static void
test_cached(void **state)
{
	const struct tz	*a, *b;
	char		*cause = NULL;

	assert_non_null(a = tz_cached("Europe/Brussels", NULL));
	assert_string_equal(tz_name(a), "Europe/Brussels");
	assert_ptr_equal(tz_cached("Europe/Brussels", NULL), a);
	assert_non_null(b = tz_cached("America/New_York", NULL));
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(tz_cached("America/New_York", NULL), b);
	assert_int_equal(tz_offset_at(a, at(2026, 7, 1, 0, 0, 0)), 2 * H);

	assert_null(tz_cached("Mars/Olympus", &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "Mars/Olympus"));
	free(cause);
	cause = NULL;
	assert_null(tz_cached("Mars/Olympus", &cause));	/* asked again */
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_null(tz_cached(NULL, &cause));
	free(cause);

	tz_cached_free();
	tz_cached_free();			/* twice is harmless */
	assert_non_null(a = tz_cached("Europe/Brussels", NULL));
	assert_string_equal(tz_name(a), "Europe/Brussels");
	tz_cached_free();
}

static void
test_brussels_offsets(void **state)
{
	struct tz	*z = load("Europe/Brussels");
	int64_t		 spring = at(2026, 3, 29, 1, 0, 0);
	int64_t		 autumn = at(2026, 10, 25, 1, 0, 0);

	assert_string_equal(tz_name(z), "Europe/Brussels");
	assert_int_equal(tz_offset_at(z, at(2026, 1, 15, 12, 0, 0)), H);
	assert_int_equal(tz_offset_at(z, at(2026, 7, 15, 12, 0, 0)), 2 * H);
	assert_int_equal(tz_offset_at(z, spring - 1), H);
	assert_int_equal(tz_offset_at(z, spring), 2 * H);
	assert_int_equal(tz_offset_at(z, autumn - 1), 2 * H);
	assert_int_equal(tz_offset_at(z, autumn), H);
	/* Before the first transition: local mean time, +00:17:30. */
	assert_int_equal(tz_offset_at(z, at(1800, 1, 1, 0, 0, 0)), 1050);
	/* 1940-1944: German time, +02:00 in winter too. */
	assert_int_equal(tz_offset_at(z, at(1942, 1, 15, 0, 0, 0)), 2 * H);
	tz_free(z);
}

/* The footer decides, far past the last transition of the file. */
static void
test_footer_years(void **state)
{
	struct tz	*b = load("Europe/Brussels"), *n = load("America/New_York");
	struct tz	*l = load("Australia/Lord_Howe");
	/* Last Sundays of March and October, US second and first Sundays. */
	static const int years[] = { 2100, 2500 };
	static const int mar[] = { 28, 28 }, oct[] = { 31, 31 };
	static const int nmar[] = { 14, 14 }, nnov[] = { 7, 7 };
	int		 i, y;

	for (i = 0; i < 2; i++) {
		y = years[i];
		assert_int_equal(tz_offset_at(b, at(y, 3, mar[i], 1, 0, 0) - 1),
		    H);
		assert_int_equal(tz_offset_at(b, at(y, 3, mar[i], 1, 0, 0)),
		    2 * H);
		assert_int_equal(tz_offset_at(b, at(y, 10, oct[i], 1, 0, 0) -
		    1), 2 * H);
		assert_int_equal(tz_offset_at(b, at(y, 10, oct[i], 1, 0, 0)),
		    H);
		assert_int_equal(tz_offset_at(n, at(y, 3, nmar[i], 7, 0, 0) -
		    1), -5 * H);
		assert_int_equal(tz_offset_at(n, at(y, 3, nmar[i], 7, 0, 0)),
		    -4 * H);
		assert_int_equal(tz_offset_at(n, at(y, 11, nnov[i], 6, 0, 0) -
		    1), -4 * H);
		assert_int_equal(tz_offset_at(n, at(y, 11, nnov[i], 6, 0, 0)),
		    -5 * H);
	}
	/* Lord Howe: half an hour of DST, in the southern summer. */
	assert_int_equal(tz_offset_at(l, at(2100, 1, 15, 0, 0, 0)), 11 * H);
	assert_int_equal(tz_offset_at(l, at(2100, 7, 15, 0, 0, 0)),
	    10 * H + H / 2);
	assert_int_equal(tz_offset_at(b, at(9999, 7, 1, 0, 0, 0)), 2 * H);
	assert_int_equal(tz_offset_at(b, at(9999, 12, 31, 0, 0, 0)), H);
	tz_free(b);
	tz_free(n);
	tz_free(l);
}

/* Sequential calls (served from the cache) agree with scattered ones. */
static void
test_cache_agrees(void **state)
{
	struct tz	*a = load("Europe/Brussels"), *b = load("Europe/Brussels");
	int64_t		 t, step = 86400 * 7 + 3637, u;
	uint64_t	 x = 88172645463325252ULL;

	for (t = at(1890, 1, 1, 0, 0, 0); t < at(3026, 1, 1, 0, 0, 0);
	    t += step) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		u = at(1890, 1, 1, 0, 0, 0) + (int64_t)(x % (uint64_t)(1136LL *
		    31556952));
		(void)tz_offset_at(b, u);	/* move b's cache about */
		if (tz_offset_at(a, t) != tz_offset_at(b, t))
			fail_msg("offsets differ at %lld", (long long)t);
		if (tz_resolve(a, t, NULL) != tz_resolve(b, t, NULL))
			fail_msg("resolve differs at %lld", (long long)t);
	}
	tz_free(a);
	tz_free(b);
}

/* local -> (utc, offset) as RFC 5545 reads it. */
static void
check_resolve(struct tz *z, int64_t local, int64_t utc, int32_t off)
{
	int32_t	 o = 12345;

	assert_int_equal(tz_resolve(z, local, &o), utc);
	assert_int_equal(o, off);
	assert_int_equal(tz_resolve(z, local, NULL), utc);
}

static void
test_resolve_brussels(void **state)
{
	struct tz	*z = load("Europe/Brussels");

	/* Ordinary times. */
	check_resolve(z, at(2026, 1, 7, 14, 0, 0), at(2026, 1, 7, 13, 0, 0), H);
	check_resolve(z, at(2026, 7, 1, 14, 0, 0), at(2026, 7, 1, 12, 0, 0),
	    2 * H);
	/* The gap: 02:00-03:00 does not exist; 02:30 is 03:30+02:00. */
	check_resolve(z, at(2026, 3, 29, 1, 59, 59), at(2026, 3, 29, 0, 59, 59),
	    H);
	check_resolve(z, at(2026, 3, 29, 2, 0, 0), at(2026, 3, 29, 1, 0, 0),
	    2 * H);
	check_resolve(z, at(2026, 3, 29, 2, 30, 0), at(2026, 3, 29, 1, 30, 0),
	    2 * H);
	check_resolve(z, at(2026, 3, 29, 3, 0, 0), at(2026, 3, 29, 1, 0, 0),
	    2 * H);
	/* The fall-back: 02:00-03:00 happens twice; the first is taken. */
	check_resolve(z, at(2026, 10, 25, 2, 0, 0), at(2026, 10, 25, 0, 0, 0),
	    2 * H);
	check_resolve(z, at(2026, 10, 25, 2, 30, 0), at(2026, 10, 25, 0, 30,
	    0), 2 * H);
	check_resolve(z, at(2026, 10, 25, 3, 0, 0), at(2026, 10, 25, 2, 0, 0),
	    H);
	check_resolve(z, at(2026, 10, 25, 1, 59, 59), at(2026, 10, 24, 23, 59,
	    59), 2 * H);
	/* Footer years. */
	check_resolve(z, at(2500, 3, 28, 2, 30, 0), at(2500, 3, 28, 1, 30, 0),
	    2 * H);
	check_resolve(z, at(2500, 10, 31, 2, 30, 0), at(2500, 10, 31, 0, 30,
	    0), 2 * H);
	tz_free(z);
}

static void
test_resolve_new_york(void **state)
{
	struct tz	*z = load("America/New_York");

	check_resolve(z, at(2026, 3, 8, 1, 59, 0), at(2026, 3, 8, 6, 59, 0),
	    -5 * H);
	check_resolve(z, at(2026, 3, 8, 2, 30, 0), at(2026, 3, 8, 7, 30, 0),
	    -4 * H);
	check_resolve(z, at(2026, 3, 8, 3, 0, 0), at(2026, 3, 8, 7, 0, 0),
	    -4 * H);
	check_resolve(z, at(2026, 11, 1, 1, 30, 0), at(2026, 11, 1, 5, 30, 0),
	    -4 * H);
	check_resolve(z, at(2026, 11, 1, 2, 0, 0), at(2026, 11, 1, 7, 0, 0),
	    -5 * H);
	check_resolve(z, at(1997, 10, 26, 1, 30, 0), at(1997, 10, 26, 5, 30,
	    0), -4 * H);
	check_resolve(z, at(2100, 11, 7, 1, 30, 0), at(2100, 11, 7, 5, 30, 0),
	    -4 * H);
	check_resolve(z, at(2100, 3, 14, 2, 30, 0), at(2100, 3, 14, 7, 30, 0),
	    -4 * H);
	tz_free(z);
}

/* Footers alone (no transitions) in the J, n and M forms. */
static void
test_posix_forms(void **state)
{
	static const int32_t	 two[] = { 2 * H };
	struct tz		*z;
	int64_t			 s, e;

	assert_int_equal(setenv("TZDIR", tzdir, 1), 0);

	/*
	 * Start J60 (1 March, never 29 February) at -1:00 local, end day 300
	 * (counting 29 February) at 26:00 daylight time.
	 */
	tzif_write("Test/Julian", 0, NULL, NULL, 1, two,
	    "AAA-2BBB,J60/-1,300/26");
	z = load("Test/Julian");
	s = at(2101, 2, 28, 21, 0, 0);	/* 1 March 00:00 - 1 h, at +2 */
	e = at(2101, 10, 28, 23, 0, 0);	/* 28 Oct + 26 h, at +3 */
	assert_int_equal(tz_offset_at(z, s - 1), 2 * H);
	assert_int_equal(tz_offset_at(z, s), 3 * H);
	assert_int_equal(tz_offset_at(z, e - 1), 3 * H);
	assert_int_equal(tz_offset_at(z, e), 2 * H);
	/* 2104 is a leap year: J60 is still 1 March, 300 is 27 October. */
	assert_int_equal(tz_offset_at(z, at(2104, 2, 29, 21, 0, 0) - 1), 2 * H);
	assert_int_equal(tz_offset_at(z, at(2104, 2, 29, 21, 0, 0)), 3 * H);
	assert_int_equal(tz_offset_at(z, at(2104, 10, 27, 23, 0, 0)), 2 * H);
	tz_free(z);

	/* Southern hemisphere, and a fixed offset with minutes. */
	tzif_write("Test/South", 0, NULL, NULL, 1, two,
	    "AEST-10AEDT,M10.1.0,M4.1.0/3");
	z = load("Test/South");
	assert_int_equal(tz_offset_at(z, at(2300, 1, 1, 0, 0, 0)), 11 * H);
	assert_int_equal(tz_offset_at(z, at(2300, 6, 1, 0, 0, 0)), 10 * H);
	assert_int_equal(tz_offset_at(z, at(2300, 12, 31, 23, 0, 0)), 11 * H);
	tz_free(z);
	tzif_write("Test/India", 0, NULL, NULL, 1, two, "<+0530>-5:30");
	z = load("Test/India");
	assert_int_equal(tz_offset_at(z, at(2600, 6, 1, 0, 0, 0)),
	    5 * H + 1800);
	tz_free(z);

	/* "M5.5.0": the last Sunday, even in a four-Sunday May. */
	tzif_write("Test/Last", 0, NULL, NULL, 1, two,
	    "AAA-2BBB-3,M5.5.0/0,M9.5.6/-3");
	z = load("Test/Last");
	/* May 2027: last Sunday 30th; September: last Saturday 25th. */
	assert_int_equal(tz_offset_at(z, at(2027, 5, 29, 22, 0, 0) - 1),
	    2 * H);
	assert_int_equal(tz_offset_at(z, at(2027, 5, 29, 22, 0, 0)), 3 * H);
	assert_int_equal(tz_offset_at(z, at(2027, 9, 24, 18, 0, 0) - 1),
	    3 * H);
	assert_int_equal(tz_offset_at(z, at(2027, 9, 24, 18, 0, 0)), 2 * H);
	tz_free(z);
	unsetenv("TZDIR");
}

/*
 * Zones by rules: a name that begins with '<' is a POSIX TZ string, read
 * without any file; forms an export could not say back, offsets past 18
 * hours and garbage are refused with a French cause.
 */
static void
test_rules_zone(void **state)
{
	static const char	*bad[] = { "<+0130>", "<+0130>-1:30<+0230>",
				    "<+0130>-1:30<+0230>,J60,J300",
				    "<+0130>-1:30<+0230>,M4.1.0",
				    "<+19>-19", "<-19>19", "<+01>-1<+20>-20,M3.5.0,"
				    "M10.5.0", "<+01>-1<+02>,M13.1.0,M10.5.0",
				    "<+01>-1<+02>,M3.6.0,M10.5.0", "<abc",
				    "<+01>-1 trailing", "<+01>-1<+02>,M3.5.0,"
				    "M10.5.0/200", "<+01>-1<+02>,M3.5.0,M10.5.0,"
				    "M11.1.0", "<ABCDEFGHIJKLMNOP>-1",
				    "<+1>-1", "<+01>-1<+0\xc3\xa9>,M3.5.0,M10.5.0",
				    "<+0100>-1:00:00<+0200>-2:00:00,M3.5.0/2:00:00,"
				    "M10.5.0/3:00:00<+0100>-1:00:00<+0200>-2:00:00,"
				    "M3.5.0/2:00:00,M10.5.0/3:00:00" };
	struct tz		*z;
	char			*cause;
	size_t			 i;

	/* north: +01:30, +02:30 from the first Sunday of April 02:00 */
	z = tz_load("<+0130>-1:30<+0230>,M4.1.0,M10.5.0/3", NULL);
	assert_non_null(z);
	assert_string_equal(tz_name(z), "<+0130>-1:30<+0230>,M4.1.0,"
	    "M10.5.0/3");
	/* 4 April 2027 02:00 at +01:30 is 00:30Z */
	assert_int_equal(tz_offset_at(z, at(2027, 4, 4, 0, 30, 0) - 1),
	    H + 1800);
	assert_int_equal(tz_offset_at(z, at(2027, 4, 4, 0, 30, 0)),
	    2 * H + 1800);
	/* 31 October 2027 03:00 at +02:30 is 00:30Z */
	assert_int_equal(tz_offset_at(z, at(2027, 10, 31, 0, 30, 0) - 1),
	    2 * H + 1800);
	assert_int_equal(tz_offset_at(z, at(2027, 10, 31, 0, 30, 0)),
	    H + 1800);
	/* and long before, with no transitions to read */
	assert_int_equal(tz_offset_at(z, at(1900, 7, 1, 0, 0, 0)),
	    2 * H + 1800);
	/* 02:30 is in the gap: read at +01:30, it is 01:00Z (03:30 local) */
	check_resolve(z, at(2027, 4, 4, 2, 30, 0), at(2027, 4, 4, 1, 0, 0),
	    2 * H + 1800);
	tz_free(z);

	/* south: summer across the new year */
	z = tz_load("<-0330>3:30<-0230>2:30,M10.1.0,M4.1.0/3", NULL);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, at(2027, 1, 10, 12, 0, 0)),
	    -(2 * H + 1800));
	assert_int_equal(tz_offset_at(z, at(2027, 6, 10, 12, 0, 0)),
	    -(3 * H + 1800));
	tz_free(z);

	/* no daylight time */
	z = tz_load("<+0545>-5:45", NULL);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, at(2027, 6, 1, 0, 0, 0)),
	    5 * H + 45 * 60);
	tz_free(z);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if ((z = tz_load(bad[i], &cause)) != NULL) {
			tz_free(z);
			fail_msg("\"%s\" accepted", bad[i]);
		}
		if (cause == NULL || strstr(cause, "fuseau") == NULL)
			fail_msg("\"%s\": cause \"%s\"", bad[i], cause);
		free(cause);
	}
}

/* tz_cached keeps a bounded set: zones by rules are as many as texts. */
static void
test_cached_bounded(void **state)
{
	char	 name[64], *cause = NULL;
	int	 i, kept = 0;

	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "<+01>-1<+02>,M3.5.0/%d:%02d:%02d,"
		    "M10.5.0", i / 3600, i / 60 % 60, i % 60);
		if (tz_cached(name, NULL) != NULL)
			kept++;
	}
	assert_int_equal(kept, 4096);
	assert_null(tz_cached("<+0100>-1:00:01", &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "trop de fuseaux"));
	free(cause);
	/* a zone kept already is still answered */
	assert_non_null(tz_cached("<+01>-1<+02>,M3.5.0/0:00:00,M10.5.0",
	    NULL));
	tz_cached_free();
	assert_non_null(tz_cached("<+0100>-1:00:01", NULL));
	tz_cached_free();
}

/* Version 1 files: 32-bit transitions and no footer. */
static void
test_version1(void **state)
{
	static const int64_t	 trans[] = { 0, 1000000000 };
	static const int	 idx[] = { 1, 0 };
	static const int32_t	 offs[] = { -3 * H, 4 * H };
	struct tz		*z;
	char			 path[128];
	FILE			*fp;

	assert_int_equal(setenv("TZDIR", tzdir, 1), 0);
	tzif_write("Old", 2, trans, idx, 2, offs, NULL);
	z = load("Old");
	assert_int_equal(tz_offset_at(z, -1), -3 * H);	/* type 0 before */
	assert_int_equal(tz_offset_at(z, 0), 4 * H);
	assert_int_equal(tz_offset_at(z, 999999999), 4 * H);
	assert_int_equal(tz_offset_at(z, 1000000000), -3 * H);
	assert_int_equal(tz_offset_at(z, at(3000, 1, 1, 0, 0, 0)), -3 * H);
	tz_free(z);

	/* Not TZif, truncated: refused. */
	snprintf(path, sizeof path, "%s/Junk", tzdir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "TZif2 but nothing else of any use, not at all........\n");
	fclose(fp);
	assert_null(tz_load("Junk", NULL));
	unsetenv("TZDIR");
}

static void
test_utc(void **state)
{
	struct tz	*z = load("UTC");

	assert_int_equal(tz_offset_at(z, at(2026, 6, 1, 0, 0, 0)), 0);
	check_resolve(z, at(2026, 3, 29, 2, 30, 0), at(2026, 3, 29, 2, 30, 0),
	    0);
	tz_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_refused),
		cmocka_unit_test(test_cached),
		cmocka_unit_test(test_brussels_offsets),
		cmocka_unit_test(test_footer_years),
		cmocka_unit_test(test_cache_agrees),
		cmocka_unit_test(test_resolve_brussels),
		cmocka_unit_test(test_resolve_new_york),
		cmocka_unit_test(test_posix_forms),
		cmocka_unit_test(test_rules_zone),
		cmocka_unit_test(test_cached_bounded),
		cmocka_unit_test(test_version1),
		cmocka_unit_test(test_utc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
