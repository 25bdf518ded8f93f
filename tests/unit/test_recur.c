/*
 * test_recur.c: date-times and rules parsed and refused (the cause names
 * the part), the canonical form and its round trip, expansion with its
 * exclusions and limits, seek against plain iteration, and bounded time on
 * rules that can never match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "recur.h"
#include "tz.h"

static struct tz	*bxl, *ny;

static int
setup(void **state)
{
	bxl = tz_load("Europe/Brussels", NULL);
	ny = tz_load("America/New_York", NULL);
	return bxl != NULL && ny != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	tz_free(bxl);
	tz_free(ny);
	return 0;
}

static struct recur_rule *
rule(const char *text)
{
	struct recur_rule	*r;
	char			*cause = NULL;

	if ((r = recur_rule_parse(text, &cause)) == NULL)
		fail_msg("\"%s\" refused: %s", text, cause);
	return r;
}

static struct recur_civil
civil(const char *s)
{
	struct recur_civil	 c;
	char			*cause = NULL;

	if (recur_civil_parse(s, &c, &cause) == -1)
		fail_msg("\"%s\" refused: %s", s, cause);
	return c;
}

/* Expand into lines "local+offset" joined by spaces, at most max of them. */
static char *
expand(const char *text, const char *start, const struct tz *z, int max)
{
	struct recur_rule	*r = text ? rule(text) : NULL;
	struct recur_civil	 dt = civil(start);
	struct recur_iter	*it = recur_iter_new(r, &dt, z);
	struct recur_occ	 o;
	static char		 out[8192];
	char			 buf[RECUR_FMT_LEN];
	int			 n;

	out[0] = '\0';
	for (n = 0; n < max && recur_iter_next(it, &o) == 1; n++) {
		if (n > 0)
			strcat(out, " ");
		strcat(out, recur_format(&o, buf, sizeof buf));
	}
	recur_iter_free(it);
	recur_rule_free(r);
	return out;
}

static void
test_civil_parse(void **state)
{
	static const char	*bad[] = { "", "2026-01-07", "2026-01-07T14",
				    "2026-01-07 14:00:00", "2026-02-29T10:00:00",
				    "2026-13-01T00:00:00", "2026-01-07T24:00:00",
				    "2026-01-07T14:60:00", "2026-01-07T14:00:60",
				    "0000-01-01T00:00:00", "20260107T1400",
				    "2026-01-07T14:00:00Z", "2026-1-7T14:00:00" };
	struct recur_civil	 c;
	char			*cause;
	size_t			 i;

	c = civil("2026-01-07T14:05:09");
	assert_int_equal(c.year, 2026);
	assert_int_equal(c.second, 9);
	c = civil("2024-02-29T23:59");
	assert_int_equal(c.minute, 59);
	assert_int_equal(c.second, 0);
	c = civil("19970902T090000");
	assert_int_equal(c.day, 2);
	assert_int_equal(c.hour, 9);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (recur_civil_parse(bad[i], &c, &cause) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
	assert_int_equal(recur_date_parse("2024-02-29", &c, NULL), 0);
	assert_int_equal(c.hour, 0);
	assert_int_equal(recur_date_parse("20240229", &c, NULL), 0);
	assert_int_equal(recur_date_parse("2023-02-29", &c, NULL), -1);
	assert_int_equal(recur_weekday(2026, 1, 7), 2);		/* Wednesday */
	assert_int_equal(recur_weekday(1970, 1, 1), 3);
	assert_int_equal(recur_weekday(2000, 2, 29), 1);
	c = civil("1969-12-31T23:59:59");
	assert_int_equal(recur_civil_secs(&c), -1);
	recur_secs_civil(-86400 * 365LL, &c);
	assert_int_equal(c.year, 1969);
	assert_int_equal(c.day, 1);
}

static const struct {
	const char	*in;
	const char	*why;
} bad_rules[] = {
	{ "", "vide" },
	{ "BYDAY=MO", "FREQ manquant" },
	{ "FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY : fréquence inconnue" },
	{ "FREQ=DAILY;FREQ=WEEKLY", "FREQ donné deux fois" },
	{ "FREQ=DAILY;BYHOUR=1;BYHOUR=2", "BYHOUR donné deux fois" },
	{ "FREQ=DAILY;COLOR=BLUE", "partie « COLOR » inconnue" },
	{ "FREQ=DAILY;COUNT", "COUNT : valeur manquante" },
	{ "FREQ=DAILY;COUNT=", "COUNT : valeur manquante" },
	{ "FREQ=DAILY;COUNT=0", "COUNT=0 : hors limites" },
	{ "FREQ=DAILY;COUNT=x", "COUNT=x : nombre attendu" },
	{ "FREQ=DAILY;INTERVAL=0", "INTERVAL=0 : hors limites (1..2147483647)" },
	{ "FREQ=DAILY;INTERVAL=2147483648", "INTERVAL=2147483648 : hors" },
	{ "FREQ=DAILY;INTERVAL=-1", "INTERVAL=-1 : hors limites" },
	{ "FREQ=MONTHLY;BYMONTHDAY=32",
	    "BYMONTHDAY=32 : hors limites (-31..-1, 1..31)" },
	{ "FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0 : hors limites" },
	{ "FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY=-32 : hors limites" },
	{ "FREQ=MONTHLY;BYMONTHDAY=1,,2", "BYMONTHDAY : valeur vide" },
	{ "FREQ=MONTHLY;BYMONTHDAY=1.5", "BYMONTHDAY=1.5 : nombre attendu" },
	{ "FREQ=YEARLY;BYYEARDAY=367", "BYYEARDAY=367 : hors limites" },
	{ "FREQ=YEARLY;BYYEARDAY=-367", "BYYEARDAY=-367" },
	{ "FREQ=YEARLY;BYWEEKNO=54", "BYWEEKNO=54 : hors limites" },
	{ "FREQ=YEARLY;BYWEEKNO=0", "BYWEEKNO=0" },
	{ "FREQ=YEARLY;BYMONTH=13", "BYMONTH=13 : hors limites (1..12)" },
	{ "FREQ=YEARLY;BYMONTH=-1", "BYMONTH=-1 : hors limites" },
	{ "FREQ=YEARLY;BYSETPOS=367", "BYSETPOS=367 : hors limites" },
	{ "FREQ=YEARLY;BYSETPOS=0", "BYSETPOS=0" },
	{ "FREQ=DAILY;BYHOUR=24", "BYHOUR=24 : hors limites (0..23)" },
	{ "FREQ=DAILY;BYMINUTE=60", "BYMINUTE=60 : hors limites (0..59)" },
	{ "FREQ=DAILY;BYSECOND=61", "BYSECOND=61 : hors limites (0..60)" },
	{ "FREQ=MONTHLY;BYDAY=XX", "BYDAY=XX : jour inconnu" },
	{ "FREQ=MONTHLY;BYDAY=0MO", "BYDAY=0MO : rang hors limites" },
	{ "FREQ=MONTHLY;BYDAY=54MO", "BYDAY=54MO : rang hors limites" },
	{ "FREQ=MONTHLY;BYDAY=-54MO", "BYDAY=-54MO" },
	{ "FREQ=MONTHLY;BYDAY=1", "BYDAY=1 : jour inconnu" },
	{ "FREQ=MONTHLY;BYDAY=xMO", "BYDAY=xMO : rang invalide" },
	{ "FREQ=WEEKLY;WKST=XY", "WKST=XY : jour inconnu" },
	{ "FREQ=DAILY;UNTIL=2026", "UNTIL=2026 : date invalide" },
	{ "FREQ=DAILY;UNTIL=20260230", "UNTIL=20260230" },
	{ "FREQ=DAILY;UNTIL=20260101T250000Z", "UNTIL=20260101T250000Z" },
	{ "FREQ=DAILY;UNTIL=20260101T000000+01", "UNTIL=20260101T000000+01" },
	{ "FREQ=DAILY;COUNT=3;UNTIL=20270101", "COUNT et UNTIL ensemble" },
};

static void
test_rule_refused(void **state)
{
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++) {
		cause = NULL;
		if (recur_rule_parse(bad_rules[i].in, &cause) != NULL)
			fail_msg("\"%s\" accepted", bad_rules[i].in);
		if (cause == NULL || strstr(cause, bad_rules[i].why) == NULL)
			fail_msg("\"%s\": cause \"%s\" lacks \"%s\"",
			    bad_rules[i].in, cause, bad_rules[i].why);
		free(cause);
	}
	assert_null(recur_rule_parse("FREQ=NOPE", NULL));
	assert_null(recur_rule_parse(NULL, NULL));
}

static const struct {
	const char	*in, *out;
} canon[] = {
	{ "FREQ=MONTHLY;BYDAY=1WE", "FREQ=MONTHLY;BYDAY=1WE" },
	{ "rrule:freq=monthly;byday=+1we;", "FREQ=MONTHLY;BYDAY=1WE" },
	{ "FREQ=DAILY;INTERVAL=1;WKST=MO", "FREQ=DAILY" },
	{ "WKST=SU;INTERVAL=2;FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;WKST=SU" },
	{ "FREQ=YEARLY;BYMONTH=12,1,1;BYMONTHDAY=-1,1,15",
	    "FREQ=YEARLY;BYMONTHDAY=1,15,-1;BYMONTH=1,12" },
	{ "FREQ=MONTHLY;BYDAY=-1FR,MO,2MO,-2MO,SU",
	    "FREQ=MONTHLY;BYDAY=MO,-2MO,2MO,-1FR,SU" },
	{ "FREQ=DAILY;INTERVAL=2147483647", "FREQ=DAILY;INTERVAL=2147483647" },
	{ "FREQ=DAILY;UNTIL=20261231T235959Z",
	    "FREQ=DAILY;UNTIL=20261231T235959Z" },
	{ "FREQ=DAILY;UNTIL=20261231T120000", "FREQ=DAILY;UNTIL=20261231T120000" },
	{ "FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231" },
	{ "FREQ=YEARLY;BYYEARDAY=366,-366,1,200;BYWEEKNO=53,-53,1",
	    "FREQ=YEARLY;BYYEARDAY=1,200,366,-366;BYWEEKNO=1,53,-53" },
	{ "FREQ=SECONDLY;BYSECOND=60,0;BYMINUTE=59;BYHOUR=23,0",
	    "FREQ=SECONDLY;BYSECOND=0,60;BYMINUTE=59;BYHOUR=0,23" },
	{ "FREQ=MONTHLY;COUNT=3;BYSETPOS=-366,366,-1",
	    "FREQ=MONTHLY;COUNT=3;BYSETPOS=366,-1,-366" },
};

static void
test_rule_format(void **state)
{
	struct recur_rule	*r, *back;
	char			*s, *t;
	size_t			 i;

	for (i = 0; i < sizeof canon / sizeof canon[0]; i++) {
		r = rule(canon[i].in);
		s = recur_rule_format(r);
		if (strcmp(s, canon[i].out) != 0)
			fail_msg("\"%s\" -> \"%s\", not \"%s\"", canon[i].in, s,
			    canon[i].out);
		back = rule(s);
		t = recur_rule_format(back);
		assert_string_equal(s, t);
		assert_int_equal(recur_rule_finite(r), recur_rule_finite(back));
		free(s);
		free(t);
		recur_rule_free(r);
		recur_rule_free(back);
	}
	r = rule("FREQ=DAILY;COUNT=2");
	assert_true(recur_rule_finite(r));
	recur_rule_free(r);
	r = rule("FREQ=DAILY");
	assert_false(recur_rule_finite(r));
	recur_rule_free(r);
}

static void
test_format(void **state)
{
	struct recur_occ	 o;
	char			 buf[RECUR_FMT_LEN], small[11];

	o.offset = 3600;
	o.local = 1767794400;		/* 2026-01-07T14:00:00 */
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-01-07T14:00:00+01:00");
	o.offset = 0;
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-01-07T14:00:00+00:00");
	o.offset = 5 * 3600 + 1800;
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-01-07T14:00:00+05:30");
	o.offset = -(3 * 3600 + 1800);
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-01-07T14:00:00-03:30");
	o.offset = 1050;		/* Brussels' mean time */
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-01-07T14:00:00+00:17:30");
	assert_ptr_equal(recur_format(&o, small, sizeof small), small);
	assert_string_equal(small, "2026-01-07");
}

static void
test_expand(void **state)
{
	assert_string_equal(expand("FREQ=MONTHLY;BYDAY=1WE",
	    "2026-01-07T14:00:00", bxl, 5),
	    "2026-01-07T14:00:00+01:00 2026-02-04T14:00:00+01:00 "
	    "2026-03-04T14:00:00+01:00 2026-04-01T14:00:00+02:00 "
	    "2026-05-06T14:00:00+02:00");
	/* DTSTART alone, in a gap. */
	assert_string_equal(expand(NULL, "2026-03-29T02:30:00", bxl, 5),
	    "2026-03-29T03:30:00+02:00");
	/* DTSTART off the rule is not an occurrence, and not counted. */
	assert_string_equal(expand("FREQ=MONTHLY;BYDAY=1WE;COUNT=2",
	    "2026-01-01T14:00:00", bxl, 5),
	    "2026-01-07T14:00:00+01:00 2026-02-04T14:00:00+01:00");
	/* Invalid dates are skipped, not moved. */
	assert_string_equal(expand("FREQ=MONTHLY;COUNT=3",
	    "2026-01-31T09:00:00", bxl, 5),
	    "2026-01-31T09:00:00+01:00 2026-03-31T09:00:00+02:00 "
	    "2026-05-31T09:00:00+02:00");
	/* BYDAY ordinals count in the year without BYMONTH, per month with. */
	assert_string_equal(expand("FREQ=YEARLY;BYDAY=-1SU;COUNT=2",
	    "2026-01-01T09:00:00", bxl, 5),
	    "2026-12-27T09:00:00+01:00 2027-12-26T09:00:00+01:00");
	assert_string_equal(expand("FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU;"
	    "COUNT=2", "2026-01-01T09:00:00", bxl, 5),
	    "2026-03-29T09:00:00+02:00 2026-10-25T09:00:00+01:00");
	/* Ordinals mean nothing in a week: every Monday. */
	assert_string_equal(expand("FREQ=WEEKLY;BYDAY=2MO;COUNT=2",
	    "2026-01-05T09:00:00", bxl, 5),
	    "2026-01-05T09:00:00+01:00 2026-01-12T09:00:00+01:00");
	/* Plain days and ordinals together: their union. */
	assert_string_equal(expand("FREQ=MONTHLY;BYDAY=1TU,FR;COUNT=3",
	    "2026-01-01T09:00:00", bxl, 5),
	    "2026-01-02T09:00:00+01:00 2026-01-06T09:00:00+01:00 "
	    "2026-01-09T09:00:00+01:00");
	/* BYMONTHDAY with WEEKLY limits. */
	assert_string_equal(expand("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;"
	    "BYMONTHDAY=1;COUNT=2", "2026-01-01T09:00:00", bxl, 5),
	    "2026-01-01T09:00:00+01:00 2026-04-01T09:00:00+02:00");
	/* BYSETPOS picks among days x times. */
	assert_string_equal(expand("FREQ=MONTHLY;BYDAY=MO;BYHOUR=9,17;"
	    "BYSETPOS=2,-1;COUNT=2", "2026-06-01T09:00:00", bxl, 5),
	    "2026-06-01T17:00:00+02:00 2026-06-29T17:00:00+02:00");
	/* A gap moves 02:30 onto 03:30, which then comes again: once. */
	assert_string_equal(expand("FREQ=MINUTELY;INTERVAL=30;COUNT=6",
	    "2026-03-29T01:30:00", bxl, 10),
	    "2026-03-29T01:30:00+01:00 2026-03-29T03:00:00+02:00 "
	    "2026-03-29T03:30:00+02:00 2026-03-29T04:00:00+02:00");
}

static void
test_until(void **state)
{
	/* UTC: an instant; 13:00Z is 14:00 in Brussels. */
	assert_string_equal(expand("FREQ=DAILY;UNTIL=20260108T130000Z",
	    "2026-01-07T14:00:00", bxl, 9),
	    "2026-01-07T14:00:00+01:00 2026-01-08T14:00:00+01:00");
	assert_string_equal(expand("FREQ=DAILY;UNTIL=20260108T125959Z",
	    "2026-01-07T14:00:00", bxl, 9),
	    "2026-01-07T14:00:00+01:00");
	/* Local: the nominal time. */
	assert_string_equal(expand("FREQ=DAILY;UNTIL=20260108T140000",
	    "2026-01-07T14:00:00", bxl, 9),
	    "2026-01-07T14:00:00+01:00 2026-01-08T14:00:00+01:00");
	/* A date: through that whole local day. */
	assert_string_equal(expand("FREQ=HOURLY;INTERVAL=6;UNTIL=20260107",
	    "2026-01-07T05:00:00", bxl, 9),
	    "2026-01-07T05:00:00+01:00 2026-01-07T11:00:00+01:00 "
	    "2026-01-07T17:00:00+01:00 2026-01-07T23:00:00+01:00");
	/* Year 9999 is the end. */
	assert_string_equal(expand("FREQ=YEARLY", "9998-06-01T09:00:00", bxl,
	    9), "9998-06-01T09:00:00+02:00 9999-06-01T09:00:00+02:00");
	assert_string_equal(expand("FREQ=DAILY", "9999-12-30T09:00:00", bxl,
	    9), "9999-12-30T09:00:00+01:00 9999-12-31T09:00:00+01:00");
}

static int
skip_wednesdays(void *arg, int y, int m, int d)
{
	(*(int *)arg)++;
	return recur_weekday(y, m, d) == 2;
}

static void
test_exclusions(void **state)
{
	struct recur_rule	*r = rule("FREQ=DAILY;COUNT=5");
	struct recur_civil	 dt = civil("2026-03-27T02:30:00");
	struct recur_iter	*it = recur_iter_new(r, &dt, bxl);
	struct recur_occ	 o;
	char			 buf[RECUR_FMT_LEN];
	int64_t			 ex[2];
	int			 calls = 0;

	/* 28th by its nominal time, 29th (in the gap) by its wall clock. */
	dt = civil("2026-03-28T02:30:00");
	ex[0] = recur_civil_secs(&dt);
	dt = civil("2026-03-29T03:30:00");
	ex[1] = recur_civil_secs(&dt);
	recur_iter_exclude(it, ex, 2);
	recur_iter_skip_days(it, skip_wednesdays, &calls);
	assert_int_equal(recur_iter_next(it, &o), 1);
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-03-27T02:30:00+01:00");
	assert_int_equal(recur_iter_next(it, &o), 1);
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-03-30T02:30:00+02:00");
	/* The 31st, a Tuesday, is the last of COUNT=5: the excluded count. */
	assert_int_equal(recur_iter_next(it, &o), 1);
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-03-31T02:30:00+02:00");
	assert_int_equal(recur_iter_next(it, &o), 0);
	assert_int_equal(recur_iter_next(it, &o), 0);
	assert_true(calls >= 3);
	recur_iter_free(it);
	recur_rule_free(r);

	/* The gap case of the nominal time too: 02:30 names 03:30+02:00. */
	r = rule("FREQ=DAILY;COUNT=3");
	dt = civil("2026-03-28T02:30:00");
	it = recur_iter_new(r, &dt, bxl);
	dt = civil("2026-03-29T02:30:00");
	ex[0] = recur_civil_secs(&dt);
	recur_iter_exclude(it, ex, 1);
	assert_int_equal(recur_iter_next(it, &o), 1);
	assert_int_equal(recur_iter_next(it, &o), 1);
	assert_string_equal(recur_format(&o, buf, sizeof buf),
	    "2026-03-30T02:30:00+02:00");
	assert_int_equal(o.nominal, o.local);
	assert_int_equal(recur_iter_next(it, &o), 0);
	recur_iter_free(it);
	recur_rule_free(r);
}

/* Rules and starts on which seek must agree with iteration. */
static const struct {
	const char	*rule, *start;
} seekers[] = {
	{ "FREQ=MONTHLY;BYDAY=1WE", "2026-01-07T14:00:00" },
	{ "FREQ=MONTHLY;BYDAY=1WE;COUNT=40", "2026-01-07T14:00:00" },
	{ "FREQ=YEARLY;INTERVAL=3;BYYEARDAY=1,100,-1", "1997-01-01T09:00:00" },
	{ "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU", "1997-08-05T09:00:00" },
	{ "FREQ=DAILY;INTERVAL=13;BYMONTH=3,10", "2026-03-01T02:30:00" },
	{ "FREQ=HOURLY;INTERVAL=5;BYDAY=SU", "2026-03-01T02:00:00" },
	{ "FREQ=MINUTELY;INTERVAL=47;BYHOUR=1,2,3", "2026-03-28T00:00:00" },
	{ "FREQ=SECONDLY;INTERVAL=4099;BYMINUTE=0,30", "2026-10-24T00:00:00" },
	{ "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;UNTIL=20400101T000000Z",
	    "2026-01-01T18:00:00" },
	{ "FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO,SU", "2020-01-01T09:00:00" },
	{ "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=3", "2024-02-29T09:00:00" },
	{ "FREQ=DAILY;COUNT=300;BYHOUR=2,3", "2026-03-20T02:00:00" },
};
#define SEEK_MAX	300

static void
test_seek_equals_iterate(void **state)
{
	struct recur_occ	 all[SEEK_MAX], o;
	struct recur_iter	*it;
	struct recur_rule	*r;
	struct recur_civil	 dt;
	int64_t			 from, ex[1];
	size_t			 i, n, j, k, want;
	int			 d;

	for (i = 0; i < sizeof seekers / sizeof seekers[0]; i++) {
		r = rule(seekers[i].rule);
		dt = civil(seekers[i].start);
		it = recur_iter_new(r, &dt, bxl);
		ex[0] = recur_civil_secs(&dt) + 86400 * 30;
		recur_iter_exclude(it, ex, 1);
		for (n = 0; n < SEEK_MAX && recur_iter_next(it, &all[n]); n++)
			;
		assert_true(n > 5);
		for (j = 0; j < n; j += 1 + j / 7) {
			for (d = -1; d <= 1; d++) {
				from = all[j].utc + d;
				recur_iter_seek(it, from);
				for (want = 0; want < n && all[want].utc < from;
				    want++)
					;
				for (k = want; k < want + 3 && k < n; k++) {
					if (recur_iter_next(it, &o) != 1 ||
					    o.utc != all[k].utc ||
					    o.local != all[k].local)
						fail_msg("%s: seek to %lld: #%zu "
						    "differs", seekers[i].rule,
						    (long long)from, k);
				}
			}
		}
		/* Before the start: everything again. */
		recur_iter_seek(it, INT64_MIN / 2);
		assert_int_equal(recur_iter_next(it, &o), 1);
		assert_int_equal(o.utc, all[0].utc);
		recur_iter_free(it);
		recur_rule_free(r);
	}
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Rules that never match: each call returns 0, soon. */
static void
test_bounded_time(void **state)
{
	static const char	*never[] = {
		"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=YEARLY;BYMONTHDAY=31;BYMONTH=4",
		"FREQ=MINUTELY;BYMONTH=4,6,9,11;BYMONTHDAY=31;BYHOUR=1",
		"FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=WEEKLY;BYYEARDAY=366;BYDAY=SU;BYWEEKNO=1",
		"FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2,3,4,5,6,7",
		"FREQ=YEARLY;BYSETPOS=366;BYDAY=MO",
		"FREQ=HOURLY;INTERVAL=3;BYHOUR=9,12,15",
		"FREQ=SECONDLY;INTERVAL=2;BYSECOND=1",
		"FREQ=SECONDLY;BYSECOND=60",
		"FREQ=SECONDLY;INTERVAL=7919;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;"
		    "BYMINUTE=0;BYSECOND=0",
		"FREQ=SECONDLY;INTERVAL=86400;BYHOUR=3",
	};
	struct recur_rule	*r;
	struct recur_iter	*it;
	struct recur_civil	 dt = civil("2026-01-07T14:00:00");
	struct recur_occ	 o;
	double			 t;
	size_t			 i;
	int			 k;

	for (i = 0; i < sizeof never / sizeof never[0]; i++) {
		r = rule(never[i]);
		it = recur_iter_new(r, &dt, bxl);
		for (k = 0; k < 3; k++) {
			t = now();
			if (recur_iter_next(it, &o) != 0)
				fail_msg("%s: an occurrence", never[i]);
			/* 50 ms in a release build; sanitizers are slower. */
			if (now() - t > 0.5)
				fail_msg("%s: %.3f s", never[i], now() - t);
		}
		t = now();
		recur_iter_seek(it, 253402300799LL);
		assert_int_equal(recur_iter_next(it, &o), 0);
		assert_true(now() - t < 0.5);
		recur_iter_free(it);
		recur_rule_free(r);
	}
}

/* Many iterators and long runs cost little: a crude guard on speed. */
static void
test_long_run(void **state)
{
	struct recur_rule	*r = rule("FREQ=MONTHLY;BYDAY=1WE");
	struct recur_civil	 dt = civil("2026-01-07T14:00:00");
	struct recur_iter	*it = recur_iter_new(r, &dt, bxl);
	struct recur_occ	 o;
	int64_t			 last = INT64_MIN;
	int			 n = 0;

	while (recur_iter_next(it, &o) == 1) {
		assert_true(o.utc > last);
		assert_int_equal(o.local - o.utc, o.offset);
		last = o.utc;
		n++;
	}
	/* 2026-01 to 9999-12: 7974 years of first Wednesdays. */
	assert_int_equal(n, 7974 * 12);
	recur_iter_free(it);
	recur_rule_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_parse),
		cmocka_unit_test(test_rule_refused),
		cmocka_unit_test(test_rule_format),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_until),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_seek_equals_iterate),
		cmocka_unit_test(test_bounded_time),
		cmocka_unit_test(test_long_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
