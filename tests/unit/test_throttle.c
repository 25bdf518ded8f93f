/*
 * test_throttle.c: the login throttle with a clock of the test's own: the
 * limit-th failure locks, the wait counts down, a success clears, the
 * window ends a lock and a run of failures, a locked key stays locked
 * however often it tries, and the table stays bounded (eviction of the
 * unlocked key seen longest ago, a table of locked keys refusing newcomers,
 * long keys told apart by all their bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "throttle.h"

#define LIMIT	5
#define WINDOW	900
#define T0	1796000000	/* a Monday of 2026 */

static void
test_lock_at_limit(void **state)
{
	struct throttle	*t = throttle_new(16);
	int64_t		 i;

	(void)state;
	assert_int_equal(throttle_wait(t, "ana", T0), 0);
	for (i = 0; i < LIMIT - 1; i++) {
		assert_int_equal(throttle_fail(t, "ana", T0 + i, LIMIT,
		    WINDOW), 0);
		assert_int_equal(throttle_wait(t, "ana", T0 + i), 0);
	}
	/* the fifth locks for the window from itself */
	assert_int_equal(throttle_fail(t, "ana", T0 + 10, LIMIT, WINDOW),
	    WINDOW);
	assert_int_equal(throttle_wait(t, "ana", T0 + 10), WINDOW);
	/* another key is not touched */
	assert_int_equal(throttle_wait(t, "bob", T0 + 10), 0);
	throttle_free(t);
	throttle_free(NULL);
}

static void
test_countdown(void **state)
{
	struct throttle	*t = throttle_new(16);
	int64_t		 i;

	(void)state;
	for (i = 0; i < LIMIT; i++)
		throttle_fail(t, "ana", T0, LIMIT, WINDOW);
	assert_int_equal(throttle_wait(t, "ana", T0), WINDOW);
	assert_int_equal(throttle_wait(t, "ana", T0 + 1), WINDOW - 1);
	assert_int_equal(throttle_wait(t, "ana", T0 + 600), WINDOW - 600);
	assert_int_equal(throttle_wait(t, "ana", T0 + WINDOW - 1), 1);
	/* the window over: free again, and a new failure starts anew */
	assert_int_equal(throttle_wait(t, "ana", T0 + WINDOW), 0);
	assert_int_equal(throttle_fail(t, "ana", T0 + WINDOW, LIMIT, WINDOW),
	    0);
	assert_int_equal(throttle_wait(t, "ana", T0 + WINDOW), 0);
	throttle_free(t);
}

static void
test_success_clears(void **state)
{
	struct throttle	*t = throttle_new(16);
	int64_t		 i;

	(void)state;
	for (i = 0; i < LIMIT - 1; i++)
		throttle_fail(t, "ana", T0 + i, LIMIT, WINDOW);
	throttle_clear(t, "ana");
	/* the count started again: four more do not lock */
	for (i = 0; i < LIMIT - 1; i++)
		assert_int_equal(throttle_fail(t, "ana", T0 + 10 + i, LIMIT,
		    WINDOW), 0);
	assert_int_equal(throttle_fail(t, "ana", T0 + 20, LIMIT, WINDOW),
	    WINDOW);
	/* a lock is lifted by a success too (an administrator's reset) */
	throttle_clear(t, "ana");
	assert_int_equal(throttle_wait(t, "ana", T0 + 20), 0);
	throttle_clear(t, "nobody");
	throttle_free(t);
}

/* Failures further apart than the window never add up. */
static void
test_window_expiry(void **state)
{
	struct throttle	*t = throttle_new(16);
	int64_t		 i;

	(void)state;
	for (i = 0; i < 3 * LIMIT; i++)
		assert_int_equal(throttle_fail(t, "ana", T0 + i * WINDOW,
		    LIMIT, WINDOW), 0);
	/* but limit failures within the window do, however they fall */
	for (i = 0; i < LIMIT - 1; i++)
		assert_int_equal(throttle_fail(t, "bob", T0 + i *
		    (WINDOW - 1), LIMIT, WINDOW), 0);
	assert_true(throttle_fail(t, "bob", T0 + (LIMIT - 1) * (WINDOW - 1),
	    LIMIT, WINDOW) > 0);
	throttle_free(t);
}

/* An attacker who keeps trying stays locked: each try moves the end. */
static void
test_hundred_tries(void **state)
{
	struct throttle	*t = throttle_new(16);
	int64_t		 i, now = T0;

	(void)state;
	for (i = 0; i < LIMIT; i++)
		throttle_fail(t, "ana", now, LIMIT, WINDOW);
	for (i = 0; i < 100; i++) {
		now += 30;
		assert_true(throttle_wait(t, "ana", now) > 0);
		assert_int_equal(throttle_fail(t, "ana", now, LIMIT, WINDOW),
		    WINDOW);
	}
	assert_int_equal(throttle_wait(t, "ana", now + WINDOW - 1), 1);
	assert_int_equal(throttle_wait(t, "ana", now + WINDOW), 0);
	throttle_free(t);
}

static void
test_eviction(void **state)
{
	struct throttle	*t = throttle_new(3);
	int64_t		 i;

	(void)state;
	/* "old" locked, then "a" and "b" seen, "a" seen again later */
	for (i = 0; i < LIMIT; i++)
		throttle_fail(t, "old", T0, LIMIT, WINDOW);
	throttle_fail(t, "a", T0 + 1, LIMIT, WINDOW);
	throttle_fail(t, "b", T0 + 2, LIMIT, WINDOW);
	throttle_wait(t, "a", T0 + 3);
	/* "c" takes the place of "b": the unlocked key seen longest ago */
	throttle_fail(t, "c", T0 + 4, LIMIT, WINDOW);
	assert_int_equal(throttle_wait(t, "old", T0 + 5), WINDOW - 5);
	/* "a" kept its count: three more lock it */
	for (i = 0; i < LIMIT - 2; i++)
		assert_int_equal(throttle_fail(t, "a", T0 + 6, LIMIT, WINDOW),
		    0);
	assert_int_equal(throttle_fail(t, "a", T0 + 6, LIMIT, WINDOW),
	    WINDOW);
	/* "b" was forgotten: it starts from one failure */
	throttle_fail(t, "b", T0 + 7, LIMIT, WINDOW);	/* evicts "c" */
	for (i = 0; i < LIMIT - 2; i++)
		assert_int_equal(throttle_fail(t, "b", T0 + 7, LIMIT, WINDOW),
		    0);
	assert_int_equal(throttle_fail(t, "b", T0 + 7, LIMIT, WINDOW),
	    WINDOW);
	throttle_free(t);
}

/* A table of locked keys: a new key waits until the first lock ends, its
 * failures are not counted, and it gets in once a slot frees. */
static void
test_full_of_locked(void **state)
{
	struct throttle	*t = throttle_new(4);
	char		 key[16];
	int64_t		 i, k;

	(void)state;
	for (k = 0; k < 4; k++) {
		snprintf(key, sizeof key, "k%d", (int)k);
		for (i = 0; i < LIMIT; i++)
			throttle_fail(t, key, T0 + k * 10, LIMIT, WINDOW);
	}
	assert_int_equal(throttle_wait(t, "new", T0 + 100), WINDOW - 100);
	assert_int_equal(throttle_fail(t, "new", T0 + 100, LIMIT, WINDOW),
	    WINDOW - 100);
	assert_int_equal(throttle_wait(t, "new", T0 + WINDOW - 1), 1);
	/* the locked keys were not pushed out */
	for (k = 0; k < 4; k++) {
		snprintf(key, sizeof key, "k%d", (int)k);
		assert_int_equal(throttle_wait(t, key, T0 + 100),
		    WINDOW + k * 10 - 100);
	}
	/* "k0" unlocked: its slot is free for "new" */
	assert_int_equal(throttle_wait(t, "new", T0 + WINDOW), 0);
	assert_int_equal(throttle_fail(t, "new", T0 + WINDOW, LIMIT, WINDOW),
	    0);
	assert_int_equal(throttle_wait(t, "k1", T0 + WINDOW), 10);
	throttle_free(t);
}

/* Keys past 128 bytes that differ only at their end stay apart. */
static void
test_long_keys(void **state)
{
	struct throttle	*t = throttle_new(8);
	char		 a[1000], b[1000];
	int64_t		 i;

	(void)state;
	memset(a, 'x', sizeof a - 1);
	a[sizeof a - 1] = '\0';
	memcpy(b, a, sizeof b);
	b[sizeof b - 2] = 'y';
	for (i = 0; i < LIMIT; i++)
		throttle_fail(t, a, T0, LIMIT, WINDOW);
	assert_int_equal(throttle_wait(t, a, T0), WINDOW);
	assert_int_equal(throttle_wait(t, b, T0), 0);
	a[200] = '\0';		/* a prefix is another key */
	assert_int_equal(throttle_wait(t, a, T0), 0);
	assert_int_equal(throttle_wait(t, "", T0), 0);
	throttle_free(t);
}

/* Odd arguments: a limit below 1 locks at once, a clock going back, the
 * end of time. */
static void
test_odd_arguments(void **state)
{
	struct throttle	*t = throttle_new(0);	/* one slot */

	(void)state;
	assert_int_equal(throttle_fail(t, "a", T0, 0, WINDOW), WINDOW);
	throttle_clear(t, "a");
	throttle_fail(t, "a", T0, 2, WINDOW);
	assert_int_equal(throttle_fail(t, "a", T0 - 50, 2, WINDOW), WINDOW);
	assert_int_equal(throttle_wait(t, "a", T0), WINDOW - 50);
	throttle_clear(t, "a");
	assert_int_equal(throttle_fail(t, "a", INT64_MAX - 1, 1, WINDOW), 1);
	throttle_clear(t, "a");
	assert_int_equal(throttle_fail(t, "a", INT64_MIN, 2, INT64_MAX), 0);
	assert_int_equal(throttle_fail(t, "a", INT64_MAX, 2, INT64_MAX), 0);
	throttle_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_at_limit),
		cmocka_unit_test(test_countdown),
		cmocka_unit_test(test_success_clears),
		cmocka_unit_test(test_window_expiry),
		cmocka_unit_test(test_hundred_tries),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_full_of_locked),
		cmocka_unit_test(test_long_keys),
		cmocka_unit_test(test_odd_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
