/*
 * test_sched.c: the reminder scheduler over a real database, with people
 * and events added through their modules and a real event_base.  The
 * contract of sched.h: it asks what is due now or when the next reminder
 * falls (events.next_due), arms one timer for exactly that and sleeps; due
 * reminders become outbox rows, one per recipient and channel, once: a
 * second run, or a run over the same reminders again, adds none.  A
 * reminder missed while the daemon was down is sent late when its
 * occurrence is still to come, skipped when it has started, and a change
 * made now does not send the reminders of the past.
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
#include <event2/event.h>
#include <jansson.h>

#include "calendar.h"
#include "crypt.h"
#include "error.h"
#include "outbox.h"
#include "people.h"
#include "sched.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#include "unit_env.h"

struct env {
	char			*dir;
	struct store		*st;
	struct crypt_key	*master;
	struct calendar		 cal;
	struct event_base	*base;
	struct sched		*s;
	int64_t			 ann, ben, cleo;
	int			 queued;	/* on_queue calls */
};

/*
 * The test's world, in *state at once: a failure on the way still gets
 * it torn down (a failing setup would leave its folder behind).
 */
static struct env *
env_open(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);
	char		*cause = NULL;

	*state = e;
	e->dir = unit_tmpdir("test_sched");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	e->cal.store = e->st;
	e->cal.master = e->master;
	e->cal.default_tz = "Europe/Brussels";
	/* Ann: email and phone; Ben: email only; Cleo: not in the audience */
	e->ann = unit_person(e->st, e->master, "{\"name\": \"Ann\","
	    " \"roles\": [\"referent\"], \"email\": \"ann@example.be\","
	    " \"phone\": \"0470 11 22 33\"}");
	e->ben = unit_person(e->st, e->master, "{\"name\": \"Ben\","
	    " \"roles\": [\"referent\"], \"email\": \"ben@example.be\"}");
	e->cleo = unit_person(e->st, e->master, "{\"name\": \"Cleo\","
	    " \"roles\": [\"platform\"], \"email\": \"cleo@example.be\"}");
	assert_non_null(e->base = event_base_new());
	if ((e->s = sched_new(e->base, &e->cal, e->master, &cause)) == NULL)
		fail_msg("sched_new: %s", cause);
	return e;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	if (e == NULL)
		return 0;
	sched_free(e->s);
	if (e->base != NULL)
		event_base_free(e->base);
	store_close(e->st);
	crypt_key_free(e->master);
	tz_cached_free();
	unit_rmtree(e->dir);
	free(e->dir);
	free(e);
	return 0;
}

/* UTC seconds as a local time of zone UTC, "YYYY-MM-DDTHH:MM:SS". */
static void
utc_local(int64_t t, char *buf, size_t len)
{
	char	 z[32];

	util_utc_format(t, z, sizeof z);
	z[strlen(z) - 1] = '\0';	/* the Z */
	util_strlcpy(buf, z, len);
}

/*
 * Add an event for the referents at start (UTC seconds), with reminders
 * (a JSON array text) on email and sms, and plan it as the API does: in
 * one transaction.  Its id.
 */
static int64_t
add_event(struct env *e, int64_t start, const char *remind)
{
	struct error	 err = { 0 };
	char		 local[32], *json, *cause = NULL;
	json_t		*req;
	int64_t		 id = 0;

	utc_local(start, local, sizeof local);
	xasprintf(&json, "{\"title\": \"Réunion du réseau\", \"kind\":"
	    " \"platform\", \"dtstart\": \"%s\", \"tz\": \"UTC\","
	    " \"duration\": \"2h\", \"remind\": %s, \"audience\":"
	    " [\"role:referent\"], \"channels\": [\"email\", \"sms\"]}",
	    local, remind);
	assert_non_null(req = json_loads(json, 0, NULL));
	assert_int_equal(store_begin(e->st, &cause), 0);
	if (calendar_add(&e->cal, req, &id, &err) == -1)
		fail_msg("calendar_add: %s: %s", err.field ? err.field : "-",
		    err.message);
	if (sched_plan(e->s, id, -1, &cause) == -1)
		fail_msg("sched_plan: %s", cause);
	assert_int_equal(store_commit(e->st, &cause), 0);
	sched_arm(e->s);
	json_decref(req);
	free(json);
	return id;
}

/* sched_due in its own transaction, then arm, as a caller does. */
static void
run_due(struct env *e)
{
	char	*cause = NULL;

	assert_int_equal(store_begin(e->st, &cause), 0);
	if (sched_due(e->s, &cause) == -1)
		fail_msg("sched_due: %s", cause);
	assert_int_equal(store_commit(e->st, &cause), 0);
	sched_arm(e->s);
}

/* Pretend the daemon was down since since: nothing handled after it. */
static void
rewind_event(struct env *e, int64_t id, int64_t since, int64_t next_due)
{
	static const char *const sql = "UPDATE events SET planned_until = ?2,"
	    " next_due = ?3 WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(e->st, sql);
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, since);
	sqlite3_bind_int64(stmt, 3, next_due);
	if (store_exec_stmt(e->st, stmt, &cause) == -1)
		fail_msg("rewind: %s", cause);
}

static int64_t
rows_of(struct env *e, int64_t event)
{
	return unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE event_id = ?1", event);
}

static int64_t
next_due(struct env *e, int64_t event)
{
	return unit_int(e->st, "SELECT coalesce(next_due, -1) FROM events"
	    " WHERE id = ?1", event);
}

/* The timer is armed for t (sched_status). */
static void
assert_next_reminder(struct env *e, int64_t t)
{
	json_t		*o = sched_status(e->s);
	const char	*next = json_string_value(json_object_get(o,
			    "next_reminder"));
	char		 buf[32];

	if (next == NULL)
		fail_msg("no timer armed, expected %s", util_utc_format(t, buf,
		    sizeof buf));
	assert_string_equal(next, util_utc_format(t, buf, sizeof buf));
	json_decref(o);
}

/* The next reminder is asked from the database and stored: next_due. */
static void
test_plan_next_due(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 now = util_now();
	int64_t		 start = now + 3 * 86400;
	int64_t		 id = add_event(e, start, "[\"1d\", \"2h\"]");

	/* the earliest reminder: one day before */
	assert_int_equal(next_due(e, id), start - 86400);
	assert_true(unit_int(e->st, "SELECT planned_until FROM events"
	    " WHERE id = ?1", id) >= now);
	assert_int_equal(rows_of(e, id), 0);		/* nothing due yet */
	/* armed for exactly that */
	assert_next_reminder(e, start - 86400);

	/* a sooner event: the timer moves to it */
	id = add_event(e, now + 86400 + 7200, "[\"1d\"]");
	assert_next_reminder(e, now + 7200);
	/* a run now finds nothing due */
	run_due(e);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox", 0), 0);
}

/* Missed while down, occurrence to come: queued late, and only once. */
static void
test_due_queued_once(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 now = util_now(), start = now + 7200, id, ids[3];
	struct crypt_key *dk;
	uint8_t		*pt;
	size_t		 ptlen;
	char		*cause = NULL, *key, occ[24];
	json_t		*p;
	struct tm	 tm;
	time_t		 t;
	sqlite3_stmt	*stmt;
	static const char *const sql = "SELECT id, person_id, channel, key,"
	    " payload, occurrence, remind_offset, not_before FROM outbox"
	    " ORDER BY person_id, channel";
	int		 n = 0;

	t = (time_t)start;
	gmtime_r(&t, &tm);
	strftime(occ, sizeof occ, "%Y%m%dT%H%M%SZ", &tm);
	/* reminder 3h before: already past when the event is added */
	id = add_event(e, start, "[\"3h\"]");
	assert_int_equal(next_due(e, id), -1);		/* none left */
	run_due(e);
	assert_int_equal(rows_of(e, id), 0);	/* a change made now: none */

	/* the daemon was down from before that reminder */
	rewind_event(e, id, now - 4 * 3600, start - 3 * 3600);
	run_due(e);
	/* Ann by email and SMS, Ben by email (no phone); not Cleo */
	assert_int_equal(rows_of(e, id), 3);
	stmt = store_stmt(e->st, sql);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		int64_t	 person = sqlite3_column_int64(stmt, 1);
		const char *ch = (const char *)sqlite3_column_text(stmt, 2);

		ids[n] = sqlite3_column_int64(stmt, 0);
		assert_true(person == e->ann || person == e->ben);
		assert_true(n != 2 || (person == e->ben &&
		    strcmp(ch, "email") == 0));
		/* the key of outbox.h: one per reminder, whatever the run */
		xasprintf(&key, "reminder/%lld/%s/%d/%lld/%s", (long long)id,
		    occ, 3 * 3600, (long long)person, ch);
		assert_string_equal((const char *)sqlite3_column_text(stmt, 3),
		    key);
		free(key);
		assert_int_equal(sqlite3_column_int64(stmt, 5), start);
		assert_int_equal(sqlite3_column_int64(stmt, 6), 3 * 3600);
		assert_true(sqlite3_column_int64(stmt, 7) >= now);
		/* the payload opens with the recipient's key only */
		dk = people_data_key(e->st, e->master, person, &cause);
		assert_non_null(dk);
		assert_int_equal(crypt_open(dk, "outbox", "payload", ids[n],
		    sqlite3_column_blob(stmt, 4), (size_t)sqlite3_column_bytes(
		    stmt, 4), &pt, &ptlen, &cause), 0);
		crypt_key_free(dk);
		assert_non_null(p = json_loads((char *)pt, 0, NULL));
		assert_string_equal(json_string_value(json_object_get(p,
		    "title")), "Réunion du réseau");
		assert_int_equal(json_integer_value(json_object_get(p,
		    "event")), id);
		json_decref(p);
		free(pt);
		n++;
	}
	sqlite3_reset(stmt);
	assert_int_equal(n, 3);
	assert_int_equal(next_due(e, id), -1);

	/* a second run: nothing new */
	run_due(e);
	assert_int_equal(rows_of(e, id), 3);
	/* the same reminders handled again (a crash before the commit of
	 * planned_until, a clock set back): their keys keep them single */
	rewind_event(e, id, now - 4 * 3600, start - 3 * 3600);
	run_due(e);
	assert_int_equal(rows_of(e, id), 3);
	assert_int_equal(unit_int(e->st, "SELECT count(DISTINCT key)"
	    " FROM outbox", 0), 3);
}

/* Missed while down, occurrence started already: skipped, not sent. */
static void
test_started_skipped(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 now = util_now(), id;

	/* an event that started a minute ago, its reminder an hour before;
	 * the daemon was down from before that reminder */
	id = add_event(e, now - 60, "[\"1h\"]");
	rewind_event(e, id, now - 3 * 3600, now - 60 - 3600);
	run_due(e);
	assert_int_equal(rows_of(e, id), 0);
	assert_int_equal(next_due(e, id), -1);
	assert_true(unit_int(e->st, "SELECT planned_until FROM events"
	    " WHERE id = ?1", id) >= now);
}

static void
on_queue(void *arg)
{
	struct env	*e = arg;

	e->queued++;
	event_base_loopbreak(e->base);
}

/* The timer fires at the reminder: rows queued, the dispatcher told. */
static void
test_timer_fires(void **state)
{
	struct env	*e = env_open(state);
	struct timeval	 limit = { 5, 0 };
	int64_t		 now = util_now(), start = now + 3600 + 2, id;
	json_t		*o;

	sched_on_queue(e->s, on_queue, e);
	id = add_event(e, start, "[\"1h\"]");
	assert_int_equal(next_due(e, id), start - 3600);
	assert_int_equal(rows_of(e, id), 0);

	/* sleep on the event loop until the timer fires (about 2 s) */
	event_base_loopexit(e->base, &limit);
	event_base_dispatch(e->base);
	assert_int_equal(e->queued, 1);
	assert_true(util_now() >= start - 3600);
	assert_int_equal(rows_of(e, id), 3);
	assert_int_equal(next_due(e, id), -1);
	o = sched_status(e->s);
	assert_int_equal(json_integer_value(json_object_get(o, "wakeups")), 1);
	assert_true(json_is_null(json_object_get(o, "next_reminder")));
	json_decref(o);

	/* nothing else is due: the loop sleeps until the limit */
	limit.tv_sec = 0;
	limit.tv_usec = 300000;
	event_base_loopexit(e->base, &limit);
	event_base_dispatch(e->base);
	assert_int_equal(e->queued, 1);
	assert_int_equal(rows_of(e, id), 3);
}

/* An edit takes messages back; requeue plans them again from then. */
static void
test_replan_requeue(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 now = util_now(), start = now + 7200, id, earliest;
	char		*cause = NULL;

	id = add_event(e, start, "[\"3h\"]");
	rewind_event(e, id, now - 4 * 3600, start - 3 * 3600);
	run_due(e);
	assert_int_equal(rows_of(e, id), 3);

	/* as calendar edit does: take back the pending rows, plan again
	 * from the earliest of them */
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(outbox_take_back(e->st, id, &earliest, &cause), 0);
	assert_int_equal(earliest, start - 3 * 3600);
	assert_int_equal(rows_of(e, id), 0);
	assert_int_equal(sched_plan(e->s, id, earliest, &cause), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	assert_int_equal(rows_of(e, id), 3);

	/* replanning everything adds nothing */
	assert_int_equal(sched_replan_all(e->s, &cause), 0);
	assert_int_equal(rows_of(e, id), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_plan_next_due, teardown),
		cmocka_unit_test_teardown(test_due_queued_once, teardown),
		cmocka_unit_test_teardown(test_started_skipped, teardown),
		cmocka_unit_test_teardown(test_timer_fires, teardown),
		cmocka_unit_test_teardown(test_replan_requeue, teardown),
	};

	log_init("test_sched", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
