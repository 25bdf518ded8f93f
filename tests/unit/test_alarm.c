/*
 * test_alarm.c: the dead-man's switch's state machine (shelter/alarm.c),
 * on the shelters' world (shelter_fixture.h: a real database, Anne and
 * Bert on call with phones, Cora the coordinator without one).  Outcomes
 * are told through observe() as the dispatcher tells them; the event loop
 * runs once, without blocking, so that the judge runs; what it did is read
 * from the alarms table and the outbox.  Bounds are the defaults: 5
 * failures, 2 SMS without report, repeat 1h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "alarm.h"
#include "chan.h"
#include "observe.h"
#include "shelter_fixture.h"

/* Tell n outcomes of kind on channel c, of messages of kind name. */
static void
tell(struct fx *fx, enum obs_kind kind, enum chan c, const char *name, int n)
{
	struct obs	 o;
	int		 i;

	for (i = 0; i < n; i++) {
		memset(&o, 0, sizeof o);
		o.kind = kind;
		o.chan = c;
		o.id = 1000 + i;
		o.kind_name = name;
		o.error = kind == OBS_SENT ? NULL : "curl: no connection";
		o.when = util_now();
		observe(&o);
	}
	assert_int_not_equal(event_base_loop(fx->base, EVLOOP_NONBLOCK), -1);
}

/* How many outbox rows of kind on channel. */
static int
rows(struct fx *fx, const char *kind, const char *channel)
{
	sqlite3_stmt	*st = store_stmt(fx->store, "SELECT COUNT(*) FROM"
	    " outbox WHERE kind = ? AND channel = ?");
	int		 n;

	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

/* The alarms as "kind/subject/told/cleared;" ... */
static void
alarms(struct fx *fx, char *buf, size_t len)
{
	sqlite3_stmt	*st = store_stmt(fx->store, "SELECT kind, subject,"
	    " notified IS NOT NULL, cleared IS NOT NULL FROM alarms"
	    " ORDER BY id");
	char		 one[96];

	*buf = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(one, sizeof one, "%s/%s/%d/%d;",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_int(st, 2), sqlite3_column_int(st, 3));
		util_strlcat(buf, one, len);
	}
	sqlite3_reset(st);
}

#define ASSERT_ALARMS(fx, want) do {					\
	char	 got_[512];						\
	alarms((fx), got_, sizeof got_);				\
	assert_string_equal(got_, (want));				\
} while (0)

/* Four failures are not five; the fifth raises one alarm, by SMS to the
 * two on call (Cora has no phone); more failures raise nothing more; a
 * success clears it with one "rétabli" each. */
static void
test_channel_raise_once_clear_once(void **state)
{
	struct fx	*fx = *state;

	tell(fx, OBS_RETRY, CHAN_EMAIL, "reminder", 4);
	ASSERT_ALARMS(fx, "");
	tell(fx, OBS_FAILED, CHAN_EMAIL, "reminder", 1);
	ASSERT_ALARMS(fx, "channel/email/1/0;");
	assert_int_equal(rows(fx, "alarm", "sms"), 2);
	assert_int_equal(rows(fx, "alarm", "email"), 0);
	tell(fx, OBS_RETRY, CHAN_EMAIL, "reminder", 20);
	assert_int_equal(rows(fx, "alarm", "sms"), 2);
	tell(fx, OBS_SENT, CHAN_EMAIL, "reminder", 1);
	ASSERT_ALARMS(fx, "channel/email/1/1;");
	assert_int_equal(rows(fx, "alarm_clear", "sms"), 2);
	tell(fx, OBS_SENT, CHAN_EMAIL, "reminder", 3);
	assert_int_equal(rows(fx, "alarm_clear", "sms"), 2);
}

/* A channel that fails again within repeat: the alarm is recorded but
 * held, and its end told to nobody. */
static void
test_flapping_is_held(void **state)
{
	struct fx	*fx = *state;

	tell(fx, OBS_RETRY, CHAN_EMAIL, "reminder", 5);
	tell(fx, OBS_SENT, CHAN_EMAIL, "reminder", 1);
	tell(fx, OBS_RETRY, CHAN_EMAIL, "reminder", 5);
	ASSERT_ALARMS(fx, "channel/email/1/1;channel/email/0/0;");
	tell(fx, OBS_SENT, CHAN_EMAIL, "reminder", 1);
	ASSERT_ALARMS(fx, "channel/email/1/1;channel/email/0/1;");
	assert_int_equal(rows(fx, "alarm", "sms"), 2);
	assert_int_equal(rows(fx, "alarm_clear", "sms"), 2);
}

/* The alarm's own failures count for nothing; a success in between the
 * failures of others starts the count again. */
static void
test_own_messages_not_judged(void **state)
{
	struct fx	*fx = *state;

	tell(fx, OBS_RETRY, CHAN_SMS, "alarm", 10);
	tell(fx, OBS_FAILED, CHAN_SMS, "alarm_clear", 10);
	tell(fx, OBS_NO_REPORT, CHAN_SMS, "alarm", 10);
	ASSERT_ALARMS(fx, "");
	tell(fx, OBS_RETRY, CHAN_SMS, "alert", 4);
	tell(fx, OBS_SENT, CHAN_SMS, "alarm", 1);
	tell(fx, OBS_RETRY, CHAN_SMS, "alert", 4);
	ASSERT_ALARMS(fx, "");
	tell(fx, OBS_DEFERRED, CHAN_SMS, "reminder", 10);
	ASSERT_ALARMS(fx, "");
}

/* An SMS alarm goes by email only: to the three with an address. */
static void
test_sms_alarm_goes_by_email(void **state)
{
	struct fx	*fx = *state;

	tell(fx, OBS_RETRY, CHAN_SMS, "alert", 5);
	ASSERT_ALARMS(fx, "channel/sms/1/0;");
	assert_int_equal(rows(fx, "alarm", "email"), 3);
	assert_int_equal(rows(fx, "alarm", "sms"), 0);
}

/* Urgent SMS without report: two in a row raise it, on both channels (no
 * channel alarm is open); a report of one delivered clears it. */
static void
test_no_report(void **state)
{
	struct fx	*fx = *state;

	tell(fx, OBS_NO_REPORT, CHAN_SMS, "alert", 1);
	ASSERT_ALARMS(fx, "");
	tell(fx, OBS_NO_REPORT, CHAN_SMS, "alert", 1);
	ASSERT_ALARMS(fx, "no_report/sms/1/0;");
	assert_int_equal(rows(fx, "alarm", "email"), 3);
	assert_int_equal(rows(fx, "alarm", "sms"), 2);
	tell(fx, OBS_UNDELIVERED, CHAN_SMS, "alert", 1);
	ASSERT_ALARMS(fx, "no_report/sms/1/0;");
	tell(fx, OBS_DELIVERED, CHAN_SMS, "alert", 1);
	ASSERT_ALARMS(fx, "no_report/sms/1/1;");
	assert_int_equal(rows(fx, "alarm_clear", "email"), 3);
}

/* With email broken, the no-report alarm goes by SMS only. */
static void
test_other_alarms_avoid_a_broken_channel(void **state)
{
	struct fx	*fx = *state;

	tell(fx, OBS_RETRY, CHAN_EMAIL, "reminder", 5);
	tell(fx, OBS_NO_REPORT, CHAN_SMS, "alert", 2);
	ASSERT_ALARMS(fx, "channel/email/1/0;no_report/sms/1/0;");
	assert_int_equal(rows(fx, "alarm", "email"), 0);
	assert_int_equal(rows(fx, "alarm", "sms"), 4);
}

/* An exhausted escalation: raised in the caller's transaction, once;
 * cleared when the alert is answered. */
static void
test_exhausted(void **state)
{
	struct fx	*fx = *state;
	char		*cause = NULL;
	int64_t		 now = util_now();

	assert_int_equal(store_begin(fx->store, &cause), 0);
	assert_int_equal(alarm_exhausted(fx->s->alarm, 7, now, &cause), 0);
	assert_int_equal(alarm_exhausted(fx->s->alarm, 7, now, &cause), 0);
	assert_int_equal(store_commit(fx->store, &cause), 0);
	ASSERT_ALARMS(fx, "exhausted/7/1/0;");
	assert_int_equal(rows(fx, "alarm", "email"), 3);
	assert_int_equal(store_begin(fx->store, &cause), 0);
	assert_int_equal(alarm_answered(fx->s->alarm, 8, now, &cause), 0);
	assert_int_equal(alarm_answered(fx->s->alarm, 7, now, &cause), 0);
	assert_int_equal(store_commit(fx->store, &cause), 0);
	ASSERT_ALARMS(fx, "exhausted/7/1/1;");
	assert_int_equal(rows(fx, "alarm_clear", "sms"), 2);
}

/* status shows the open alarms only. */
static void
test_status(void **state)
{
	struct fx	*fx = *state;
	json_t		*st;

	tell(fx, OBS_RETRY, CHAN_EMAIL, "reminder", 5);
	tell(fx, OBS_NO_REPORT, CHAN_SMS, "alert", 2);
	tell(fx, OBS_DELIVERED, CHAN_SMS, "alert", 1);
	st = alarm_status(fx->store, "Europe/Brussels");
	assert_int_equal(json_array_size(st), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(st, 0), "subject")), "email");
	assert_true(json_is_true(json_object_get(json_array_get(st, 0),
	    "notified")));
	json_decref(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_channel_raise_once_clear_once, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_flapping_is_held,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_own_messages_not_judged,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sms_alarm_goes_by_email,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_report, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_other_alarms_avoid_a_broken_channel, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_exhausted, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_status, fx_setup,
		    fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
