/*
 * test_holiday.c: Easter for known years, the ten Belgian holidays in date
 * order, their names, and closure files: ranges, comments, and every bad
 * line reported with its number in one pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "holiday.h"

static void
test_easter(void **state)
{
	static const struct {
		int	 y, m, d;
	} known[] = {
		{ 2024, 3, 31 }, { 2025, 4, 20 }, { 2026, 4, 5 },
		{ 2027, 3, 28 }, { 2038, 4, 25 }, { 1818, 3, 22 },
		{ 2285, 3, 22 }, { 1943, 4, 25 }, { 2000, 4, 23 },
		{ 2019, 4, 21 }, { 1961, 4, 2 }, { 9999, 3, 28 },
	};
	size_t	 i;
	int	 m, d;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		holiday_easter(known[i].y, &m, &d);
		if (m != known[i].m || d != known[i].d)
			fail_msg("Easter %d: %d-%d, not %d-%d", known[i].y, m,
			    d, known[i].m, known[i].d);
	}
}

static void
test_be_2027(void **state)
{
	static const char	*want[HOLIDAY_BE_COUNT] = {
		"2027-01-01 Jour de l'an", "2027-03-29 Lundi de Pâques",
		"2027-05-01 Fête du Travail", "2027-05-06 Ascension",
		"2027-05-17 Lundi de Pentecôte", "2027-07-21 Fête nationale",
		"2027-08-15 Assomption", "2027-11-01 Toussaint",
		"2027-11-11 Armistice", "2027-12-25 Noël",
	};
	struct holiday		 h[HOLIDAY_BE_COUNT];
	char			 buf[64];
	int			 i;

	holiday_be(2027, h);
	for (i = 0; i < HOLIDAY_BE_COUNT; i++) {
		snprintf(buf, sizeof buf, "%04d-%02d-%02d %s", h[i].year,
		    h[i].month, h[i].day, h[i].name);
		assert_string_equal(buf, want[i]);
	}
}

/* Date order when Ascension comes before 1 May, or on it. */
static void
test_be_order(void **state)
{
	struct holiday	 h[HOLIDAY_BE_COUNT];
	int		 i, y;

	holiday_be(2285, h);		/* Easter 22 March */
	assert_int_equal(h[2].month, 4);
	assert_int_equal(h[2].day, 30);
	assert_string_equal(h[2].name, "Ascension");
	assert_string_equal(h[3].name, "Fête du Travail");
	holiday_be(2008, h);		/* Easter 23 March: both on 1 May */
	assert_string_equal(h[2].name, "Fête du Travail");
	assert_string_equal(h[3].name, "Ascension");
	assert_int_equal(h[3].month * 100 + h[3].day, 501);
	for (y = 1583; y <= 9999; y++) {
		holiday_be(y, h);
		for (i = 1; i < HOLIDAY_BE_COUNT; i++)
			if (h[i].month * 100 + h[i].day <
			    h[i - 1].month * 100 + h[i - 1].day)
				fail_msg("%d: %s before %s", y, h[i].name,
				    h[i - 1].name);
	}
}

static void
test_be_name(void **state)
{
	assert_string_equal(holiday_be_name(2026, 4, 6), "Lundi de Pâques");
	assert_string_equal(holiday_be_name(2026, 5, 14), "Ascension");
	assert_string_equal(holiday_be_name(2026, 5, 25),
	    "Lundi de Pentecôte");
	assert_string_equal(holiday_be_name(2026, 7, 21), "Fête nationale");
	assert_string_equal(holiday_be_name(2026, 12, 25), "Noël");
	assert_null(holiday_be_name(2026, 4, 5));	/* Easter Sunday */
	assert_null(holiday_be_name(2026, 12, 26));
	assert_null(holiday_be_name(2026, 2, 14));
	assert_int_equal(holiday_be_skip(NULL, 2027, 3, 29), 1);
	assert_int_equal(holiday_be_skip(NULL, 2027, 3, 28), 0);
}

/* Write text to a temporary file; its path in buf. */
static const char *
write_file(char *buf, size_t len, const char *text)
{
	FILE	*fp;
	int	 fd;

	snprintf(buf, len, "/tmp/test_holiday.XXXXXX");
	assert_true((fd = mkstemp(buf)) != -1);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	return buf;
}

static void
test_closures(void **state)
{
	struct closures	*c;
	char		 path[64], *cause = NULL;

	write_file(path, sizeof path,
	    "# Fédération Wallonie-Bruxelles 2026-2027\n"
	    "\n"
	    "2026-10-19..2026-10-30   # Toussaint\n"
	    "  2026-12-21..2027-01-01\n"
	    "2027-02-15..2027-02-26\r\n"
	    "2026-11-05\n"
	    "2026-10-25..2026-11-02\n");
	if ((c = closures_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	unlink(path);
	assert_true(closures_contains(c, 2026, 10, 19));
	assert_true(closures_contains(c, 2026, 10, 30));
	assert_true(closures_contains(c, 2026, 11, 2));	/* overlapping */
	assert_false(closures_contains(c, 2026, 11, 3));
	assert_true(closures_contains(c, 2026, 11, 5));
	assert_false(closures_contains(c, 2026, 11, 4));
	assert_false(closures_contains(c, 2026, 10, 18));
	assert_true(closures_contains(c, 2027, 1, 1));
	assert_true(closures_skip(c, 2027, 2, 20));
	assert_false(closures_contains(c, 2027, 1, 2));
	assert_false(closures_contains(c, 2027, 3, 1));
	assert_false(closures_contains(NULL, 2027, 3, 1));
	closures_free(c);
}

static void
test_closures_errors(void **state)
{
	static const char	*want[] = {
		":2: not a date (expected YYYY-MM-DD or "
		    "YYYY-MM-DD..YYYY-MM-DD)",
		":3: not a date",
		":4: end of range is not a date",
		":5: range ends before it starts",
		":6: range longer than a year",
		":8: not a date",
		":9: not a date",
	};
	char			 path[64], *cause = NULL, *line;
	size_t			 i;

	write_file(path, sizeof path,
	    "2026-01-01\n"
	    "2026-02-30\n"
	    "1er janvier\n"
	    "2026-01-01..demain\n"
	    "2026-03-10..2026-03-01\n"
	    "2026-01-01..2027-06-30\n"
	    "2026-12-31..2027-12-30\n"
	    "2026-1-1\n"
	    "2026-01-01 2026-01-02\n");
	assert_null(closures_load(path, &cause));
	unlink(path);
	assert_non_null(cause);
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		if ((line = strstr(cause, want[i])) == NULL)
			fail_msg("\"%s\" lacks \"%s\"", cause, want[i]);
		assert_memory_equal(line - strlen(path), path, strlen(path));
	}
	assert_null(strstr(cause, ":1:"));
	assert_null(strstr(cause, ":7:"));
	free(cause);

	cause = NULL;
	assert_null(closures_load("/nonexistent/closures", &cause));
	assert_non_null(strstr(cause, "/nonexistent/closures"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_be_2027),
		cmocka_unit_test(test_be_order),
		cmocka_unit_test(test_be_name),
		cmocka_unit_test(test_closures),
		cmocka_unit_test(test_closures_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
