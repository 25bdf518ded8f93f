/*
 * test_duration.c: parsing and formatting of durations, from tables of good
 * and bad inputs, and the round trip parse(format(x)) == x.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "duration.h"

static const struct {
	const char	*in;
	int64_t		 seconds;
} good[] = {
	{ "0s", 0 },
	{ "0d", 0 },
	{ "1s", 1 },
	{ "90s", 90 },
	{ "30m", 1800 },
	{ "2h", 7200 },
	{ "7d", 604800 },
	{ "1w", 604800 },
	{ "2w3d", 1468800 },
	{ "1d12h", 129600 },
	{ "1h30m", 5400 },
	{ "1m30s", 90 },
	{ "1w1d1h1m1s", 694861 },
	{ "1d0h", 86400 },
	{ "007m", 420 },
	{ "36h", 129600 },
	{ "9223372036854775807s", INT64_MAX },
	{ "15250284452471w3d55807s", INT64_MAX },
};

static const struct {
	const char	*in;
	const char	*why;	/* a part of the message */
} bad[] = {
	{ "", "vide" },
	{ "90", "unité manquante : écrivez 90s, 30m, 2h ou 7d" },
	{ "1d12", "unité manquante" },
	{ "12h1d", "désordre" },
	{ "1s1m", "désordre" },
	{ "1h1h", "répétée" },
	{ "1d1d", "répétée" },
	{ "s", "nombre manquant" },
	{ "1dh", "nombre manquant" },
	{ "1 d", "espace" },
	{ " 1d", "espace" },
	{ "1d ", "espace" },
	{ "1d\t12h", "espace" },
	{ "1d\n", "espace" },
	{ "2H", "« H » inconnue" },
	{ "3y", "« y » inconnue" },
	{ "1ms", "millisecondes" },
	{ "500ms", "millisecondes" },
	{ "1.5h", "« . » inconnue" },
	{ "-1s", "« - »" },
	{ "+1s", "« + »" },
	{ "1d,12h", "« , »" },
	{ "1d\xc3\xa9", "non permis" },
	{ "9223372036854775808s", "trop longue" },
	{ "99999999999999999999s", "trop longue" },
	{ "15250284452471w4d", "trop longue" },
	{ "9223372036854775807s1s", "répétée" },
	{ "1m9223372036854775807s", "trop longue" },
	{ "106751991167300d15h30m8s", "trop longue" },
	{ "153722867280912931m", "trop longue" },
};

static void
test_parse_good(void **state)
{
	int64_t	 v;
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		v = -1;
		if (duration_parse(good[i].in, &v, &cause) != 0)
			fail_msg("\"%s\" refused: %s", good[i].in, cause);
		assert_null(cause);
		assert_int_equal(v, good[i].seconds);
	}
}

static void
test_parse_bad(void **state)
{
	int64_t	 v;
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		v = 42;
		if (duration_parse(bad[i].in, &v, &cause) != -1)
			fail_msg("\"%s\" accepted as %lld", bad[i].in,
			    (long long)v);
		assert_int_equal(v, 42);
		if (cause == NULL || strstr(cause, bad[i].why) == NULL)
			fail_msg("\"%s\": cause \"%s\" lacks \"%s\"",
			    bad[i].in, cause, bad[i].why);
		free(cause);
	}

	/* A NULL string and a NULL cause are allowed. */
	assert_int_equal(duration_parse(NULL, &v, NULL), -1);
	assert_int_equal(duration_parse("1x", &v, NULL), -1);
}

static void
test_parse_limit(void **state)
{
	int64_t	 v;
	char	*cause = NULL;

	/* The largest value written with every unit still parses. */
	assert_int_equal(duration_parse("106751991167300d15h30m7s", &v,
	    &cause), 0);
	assert_int_equal(v, INT64_MAX);
}

static void
test_format(void **state)
{
	static const struct {
		int64_t		 seconds;
		const char	*out;
	} cases[] = {
		{ 0, "0s" },
		{ 1, "1s" },
		{ 59, "59s" },
		{ 60, "1m" },
		{ 90, "1m30s" },
		{ 3600, "1h" },
		{ 3661, "1h1m1s" },
		{ 5400, "1h30m" },
		{ 86400, "1d" },
		{ 86400 + 86400 / 2, "1d12h" },
		{ 86401, "1d1s" },
		{ 604800, "7d" },
		{ 1468800, "17d" },
		{ INT64_MAX, "106751991167300d15h30m7s" },
		{ -90, "-1m30s" },
		{ INT64_MIN, "-106751991167300d15h30m8s" },
	};
	char	 buf[32];
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_ptr_equal(duration_format(cases[i].seconds, buf,
		    sizeof buf), buf);
		assert_string_equal(buf, cases[i].out);
	}
}

static void
test_format_truncated(void **state)
{
	char	 buf[4];

	memset(buf, 'X', sizeof buf);
	duration_format(90061, buf, sizeof buf);
	assert_string_equal(buf, "1d1");

	/* len 0 writes nothing. */
	memset(buf, 'X', sizeof buf);
	duration_format(90061, buf, 0);
	assert_int_equal(buf[0], 'X');
}

/* Check parse(format(v)) == v and that format is at most as long as any. */
static void
round_trip(int64_t v)
{
	char	 buf[32], *cause = NULL;
	int64_t	 back = -1;

	duration_format(v, buf, sizeof buf);
	if (duration_parse(buf, &back, &cause) != 0)
		fail_msg("%lld formatted as \"%s\" refused: %s", (long long)v,
		    buf, cause);
	if (back != v)
		fail_msg("%lld -> \"%s\" -> %lld", (long long)v, buf,
		    (long long)back);
	assert_null(strchr(buf, 'w'));
}

static void
test_round_trip(void **state)
{
	uint64_t	 x = 0x9e3779b97f4a7c15ULL;
	int64_t		 v;
	int		 i;

	for (v = 0; v < 200000; v++)
		round_trip(v);
	for (v = 1; v > 0 && v <= INT64_MAX / 3; v *= 3) {
		round_trip(v - 1);
		round_trip(v);
		round_trip(v + 1);
	}
	for (i = 0; i < 100000; i++) {
		/* xorshift64: reproducible values over the whole range. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		round_trip((int64_t)(x >> (1 + i % 63)));
	}
	round_trip(INT64_MAX);
	round_trip(INT64_MAX - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_limit),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_truncated),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
