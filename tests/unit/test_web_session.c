/*
 * test_web_session.c: the console's session table with a clock of the
 * test's own: tokens are 43 base64url characters, new at each session and
 * never equal to the CSRF token; a session is found by its exact token
 * only (one character more, less or changed finds nothing); it ends after
 * idle seconds unused and after max seconds whatever its use; a full table
 * gives up the session used longest ago; a closed session's token is dead
 * and its memory wiped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "web_session.h"

#define T0	1796000000	/* a Monday of 2026 */
#define IDLE	1800
#define MAX	43200

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int
is_b64url(const char *s)
{
	return strlen(s) == WEB_TOKEN_LEN && strspn(s, "ABCDEFGHIJKLMNOPQRST"
	    "UVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == WEB_TOKEN_LEN;
}

static void
test_tokens(void **state)
{
	struct web_sessions	*t = web_sessions_new(8);
	struct web_session	*a, *b;
	char			 tok[WEB_TOKEN_LEN + 1];

	(void)state;
	a = web_session_open(t, 1, T0);
	memcpy(tok, a->token, sizeof tok);
	b = web_session_open(t, 1, T0);
	assert_true(is_b64url(a->token) && is_b64url(a->csrf));
	assert_true(is_b64url(b->token) && is_b64url(b->csrf));
	assert_string_not_equal(a->token, b->token);
	assert_string_not_equal(a->token, a->csrf);
	assert_int_equal(a->account, 1);
	assert_ptr_equal(web_session_find(t, tok, T0 + 1, IDLE, MAX), a);
	assert_ptr_equal(web_session_find(t, b->token, T0 + 1, IDLE, MAX), b);
	/* the CSRF token is not a session's name */
	assert_null(web_session_find(t, a->csrf, T0 + 1, IDLE, MAX));
	web_sessions_free(t);
	web_sessions_free(NULL);
}

static void
test_exact_token_only(void **state)
{
	struct web_sessions	*t = web_sessions_new(8);
	struct web_session	*a = web_session_open(t, 7, T0);
	char			 buf[WEB_TOKEN_LEN + 8];

	(void)state;
	snprintf(buf, sizeof buf, "%s", a->token);
	buf[WEB_TOKEN_LEN - 1] = buf[WEB_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	assert_null(web_session_find(t, buf, T0, IDLE, MAX));
	snprintf(buf, sizeof buf, "%sA", a->token);
	assert_null(web_session_find(t, buf, T0, IDLE, MAX));
	snprintf(buf, sizeof buf, "%.42s", a->token);
	assert_null(web_session_find(t, buf, T0, IDLE, MAX));
	assert_null(web_session_find(t, "", T0, IDLE, MAX));
	assert_null(web_session_find(t, NULL, T0, IDLE, MAX));
	assert_false(web_token_equal(NULL, a->csrf));
	assert_false(web_token_equal("", a->csrf));
	assert_true(web_token_equal(a->csrf, a->csrf));
	web_sessions_free(t);
}

static void
test_idle_and_max(void **state)
{
	struct web_sessions	*t = web_sessions_new(8);
	struct web_session	*a = web_session_open(t, 1, T0);
	char			 tok[WEB_TOKEN_LEN + 1];
	int64_t			 now;

	(void)state;
	memcpy(tok, a->token, sizeof tok);
	/* used every idle - 1 seconds, it lives until max */
	for (now = T0; now + IDLE - 1 < T0 + MAX; now += IDLE - 1)
		assert_non_null(web_session_find(t, tok, now, IDLE, MAX));
	assert_null(web_session_find(t, tok, T0 + MAX + 1, IDLE, MAX));
	/* and stays dead */
	assert_null(web_session_find(t, tok, T0 + MAX + 2, IDLE, MAX));

	a = web_session_open(t, 2, T0);
	memcpy(tok, a->token, sizeof tok);
	assert_non_null(web_session_find(t, tok, T0 + IDLE, IDLE, MAX));
	assert_null(web_session_find(t, tok, T0 + 2 * IDLE + 1, IDLE, MAX));
	web_sessions_free(t);
}

static void
test_full_table_drops_least_recent(void **state)
{
	struct web_sessions	*t = web_sessions_new(3);
	struct web_session	*s[3], *n;
	char			 tok[3][WEB_TOKEN_LEN + 1];
	int			 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		s[i] = web_session_open(t, i + 1, T0 + i);
		memcpy(tok[i], s[i]->token, sizeof tok[i]);
	}
	/* the first is used again: the second is now the oldest */
	assert_non_null(web_session_find(t, tok[0], T0 + 10, IDLE, MAX));
	n = web_session_open(t, 9, T0 + 11);
	assert_int_equal(n->account, 9);
	assert_null(web_session_find(t, tok[1], T0 + 12, IDLE, MAX));
	assert_non_null(web_session_find(t, tok[0], T0 + 12, IDLE, MAX));
	assert_non_null(web_session_find(t, tok[2], T0 + 12, IDLE, MAX));
	web_sessions_free(t);
}

static void
test_close_wipes(void **state)
{
	struct web_sessions	*t = web_sessions_new(4);
	struct web_session	*a = web_session_open(t, 5, T0);
	char			 tok[WEB_TOKEN_LEN + 1];
	static const char	 zero[WEB_TOKEN_LEN + 1];

	(void)state;
	memcpy(tok, a->token, sizeof tok);
	a->flash = strdup("Personne ajoutée");
	web_session_close(t, a);
	assert_int_equal(a->used, 0);
	assert_memory_equal(a->token, zero, sizeof zero);
	assert_memory_equal(a->csrf, zero, sizeof zero);
	assert_null(a->flash);
	assert_null(web_session_find(t, tok, T0, IDLE, MAX));
	/* a wiped slot is not found by an empty token either */
	assert_null(web_session_find(t, "", T0, IDLE, MAX));
	web_sessions_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_exact_token_only),
		cmocka_unit_test(test_idle_and_max),
		cmocka_unit_test(test_full_table_drops_least_recent),
		cmocka_unit_test(test_close_wipes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
