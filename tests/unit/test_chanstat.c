/*
 * test_chanstat.c: the channels' counts and health against a real store:
 * the last success seeded from the outbox, outcomes counted by channel and
 * outcome, a remote server's error text kept with any address or phone
 * number masked (an attacker's mail server may put anything in it), cut
 * at a character boundary, and the outbox's gauges at a scrape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_env.h"

#include "chan.h"
#include "chanstat.h"
#include "metrics.h"
#include "observe.h"
#include "utf8.h"

struct env {
	char			*dir;
	struct crypt_key	*master;
	struct store		*st;
	int64_t			 person;
};

static int
setup(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);

	e->dir = unit_tmpdir("test_chanstat");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	e->person = unit_person(e->st, e->master, "{\"name\": \"Anne\","
	    " \"roles\": [\"referent\"], \"email\": \"anne@example.test\"}");
	metrics_start(NULL, 0);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	chanstat_stop();
	metrics_stop();
	store_close(e->st);
	crypt_key_free(e->master);
	unit_rmtree(e->dir);
	free(e->dir);
	free(e);
	return 0;
}

/* Whether the scrape holds line as a whole line. */
static void
expect_line(const char *text, const char *line)
{
	const char	*p = strstr(text, line);

	if (p == NULL || (p != text && p[-1] != '\n') ||
	    p[strlen(line)] != '\n')
		fail_msg("missing line «%s» in:\n%s", line, text);
}

/* The value of the sample named line (up to its value) as an integer. */
static long long
sample(const char *text, const char *name)
{
	const char	*p = strstr(text, name);

	if (p == NULL)
		fail_msg("no sample %s in:\n%s", name, text);
	return strtoll(p + strlen(name), NULL, 10);
}

static void
tell(enum obs_kind kind, enum chan c, const char *error, int64_t when)
{
	struct obs	 o;

	memset(&o, 0, sizeof o);
	o.kind = kind;
	o.chan = c;
	o.id = 1;
	o.error = error;
	o.when = when;
	observe(&o);
}

static void
test_seed_and_count(void **state)
{
	struct env	*e = *state;
	json_t		*j;
	char		*t;

	unit_exec(e->st, "INSERT INTO outbox (key, kind, person_id, channel,"
	    " status, created, not_before, sent) VALUES ('k1', 'reminder', ?1,"
	    " 'email', 'sent', '2026-12-08T12:00:00Z', 0,"
	    " '2026-12-08T13:05:00Z')", e->person);
	unit_exec(e->st, "INSERT INTO outbox (key, kind, person_id, channel,"
	    " status, created, not_before, sent) VALUES ('k2', 'reminder', ?1,"
	    " 'email', 'sent', '2026-12-08T12:00:00Z', 0,"
	    " '2026-12-08T11:00:00Z')", e->person);
	chanstat_start(e->st);
	j = chanstat_json();
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "email"), "last_success")), "2026-12-08T13:05:00Z");
	assert_true(json_is_null(json_object_get(json_object_get(j, "sms"),
	    "last_success")));
	assert_true(json_is_null(json_object_get(json_object_get(j, "email"),
	    "last_error")));
	json_decref(j);

	tell(OBS_SENT, CHAN_SMS, NULL, 1796000000);
	tell(OBS_SENT, CHAN_SMS, NULL, 1796000000);
	tell(OBS_RETRY, CHAN_EMAIL, "421 try later", 1796000100);
	tell(OBS_FALLBACK, CHAN_SMS, NULL, 1796000100);
	tell(OBS_SENT, (enum chan)7, NULL, 1796000100);	/* ignored */
	t = metrics_render();
	expect_line(t, "stoppvif_messages_total{channel=\"sms\","
	    "outcome=\"sent\"} 2");
	expect_line(t, "stoppvif_messages_total{channel=\"email\","
	    "outcome=\"retry\"} 1");
	expect_line(t, "stoppvif_messages_total{channel=\"sms\","
	    "outcome=\"fallback\"} 1");
	expect_line(t, "stoppvif_messages_total{channel=\"email\","
	    "outcome=\"sent\"} 0");
	free(t);
	j = chanstat_json();
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "sms"), "last_success")), "2026-11-30T00:53:20Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "email"), "last_error"), "reason")),
	    "421 try later");
	json_decref(j);
}

/* What a hostile or careless server answers: no address, no number. */
static void
test_reason_masks_people(void **state)
{
	struct env	*e = *state;
	const char	*reason;
	char		 longtext[2000];
	json_t		*j;
	size_t		 i;

	chanstat_start(e->st);
	tell(OBS_FAILED, CHAN_EMAIL, "550 5.1.1 <anne@example.test>: "
	    "Recipient\taddress rejected;\ncall +32470123456 or 0470/12.34.56"
	    " or +32 470 12 34 56 or 0470 12 34 56, not 421 4.7.0 12 34",
	    1796000000);
	j = chanstat_json();
	reason = json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "email"), "last_error"), "reason"));
	assert_string_equal(reason, "550 5.1.1 … Recipient address rejected; "
	    "call … or … or … or …, not 421 4.7.0 12 34");
	json_decref(j);

	/* invalid UTF-8 and a text far too long: valid, cut, no half
	 * character */
	for (i = 0; i + 3 < sizeof longtext; i += 3)
		memcpy(longtext + i, "é\xff", 3);
	longtext[i] = '\0';
	tell(OBS_RETRY, CHAN_SMS, longtext, 1796000000);
	j = chanstat_json();
	reason = json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "sms"), "last_error"), "reason"));
	assert_non_null(reason);
	assert_true(utf8_valid(reason, strlen(reason)));
	assert_true(utf8_len(reason) <= 201);
	json_decref(j);

	/* no text: the outcome's name */
	tell(OBS_UNDELIVERED, CHAN_SMS, NULL, 1796000200);
	j = chanstat_json();
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_object_get(j, "sms"), "last_error"), "reason")),
	    "undelivered");
	json_decref(j);
}

static void
test_scrape_gauges(void **state)
{
	struct env	*e = *state;
	char		*t;
	long long	 age, urgent;

	/* a retried email created 500 s ago, an urgent SMS due 100 s ago,
	 * an SMS held back until later (not counted in the ages) */
	unit_exec(e->st, "INSERT INTO outbox (key, kind, person_id, channel,"
	    " status, created, not_before, attempts) VALUES ('a', 'reminder',"
	    " 1, 'email', 'pending', strftime('%Y-%m-%dT%H:%M:%SZ', ?1 - 500,"
	    " 'unixepoch'), ?1 + 60, 1)", util_now());
	unit_exec(e->st, "INSERT INTO outbox (key, kind, person_id, channel,"
	    " urgent, status, created, not_before) VALUES ('b', 'alert', 1,"
	    " 'sms', 1, 'pending', strftime('%Y-%m-%dT%H:%M:%SZ', ?1 - 100,"
	    " 'unixepoch'), ?1 - 100)", util_now());
	unit_exec(e->st, "INSERT INTO outbox (key, kind, person_id, channel,"
	    " status, created, not_before) VALUES ('c', 'reminder', 1, 'sms',"
	    " 'pending', strftime('%Y-%m-%dT%H:%M:%SZ', ?1 - 9000,"
	    " 'unixepoch'), ?1 + 3600)", util_now());
	chanstat_scrape(e->st);
	t = metrics_render();
	expect_line(t, "stoppvif_outbox_messages{channel=\"email\","
	    "status=\"pending\"} 1");
	expect_line(t, "stoppvif_outbox_messages{channel=\"sms\","
	    "status=\"pending\"} 2");
	age = sample(t, "\nstoppvif_outbox_oldest_pending_age_seconds ");
	urgent = sample(t,
	    "\nstoppvif_outbox_oldest_pending_urgent_age_seconds ");
	assert_true(age >= 500 && age < 560);
	assert_true(urgent >= 100 && urgent < 160);
	free(t);
	/* emptied: the gauges follow, no stale series */
	unit_exec(e->st, "DELETE FROM outbox", 0);
	chanstat_scrape(e->st);
	t = metrics_render();
	assert_null(strstr(t, "stoppvif_outbox_messages{"));
	expect_line(t, "stoppvif_outbox_oldest_pending_age_seconds 0");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seed_and_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reason_masks_people, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scrape_gauges, setup,
		    teardown),
	};

	log_init("test_chanstat", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
