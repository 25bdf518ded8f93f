/*
 * test_shelter.c: a shelter's moves through its one transition function,
 * against a real database (shelter_fixture.h): occupied, vacated (an alert
 * goes out), claimed (reserved), occupied again; unavailable; a hold that
 * runs out; the moves the table does not have, refused as ERR_CONFLICT with
 * nothing written, and a shelter or a code that does not exist refused as
 * ERR_NOT_FOUND.  Each move and the messages it causes are one
 * transaction: the outbox rows are checked after it, and a rolled-back
 * move leaves neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recur.h"
#include "shelter_fixture.h"

static const char *const history_last = "SELECT from_state || '>' ||"
    " to_state || '/' || cause || '/' || actor FROM shelter_history"
    " WHERE shelter = 'aisova' ORDER BY id DESC LIMIT 1";
static const char *const history_count =
    "SELECT count(*) FROM shelter_history";
static const char *const alert_status =
    "SELECT status FROM alerts WHERE id = ?1";
static const char *const alert_closed_at =
    "SELECT closed_at FROM alerts WHERE id = ?1";
static const char *const alerts_count = "SELECT count(*) FROM alerts";

/* Run the command what on shelter name in a transaction the caller ends
 * (commit or not); the kind of error, ERR_NONE when it was done. */
static enum error_kind
act_in_txn(struct fx *fx, const char *name, const char *what, int commit)
{
	struct error	 err = { 0, NULL, NULL };
	json_t		*result = NULL;
	char		*cause = NULL;
	enum error_kind	 kind;

	assert_int_equal(store_begin(fx->store, &cause), 0);
	kind = shelter_act(fx->s, name, what, "uid:0", &result, &err) == 0 ?
	    ERR_NONE : err.kind;
	if (kind == ERR_NONE)
		assert_string_equal(json_string_value(json_object_get(result,
		    "state")), shelter_state_name(fx_row(fx).state));
	if (commit && kind == ERR_NONE)
		assert_int_equal(store_commit(fx->store, &cause), 0);
	else
		store_rollback(fx->store);
	json_decref(result);
	error_clear(&err);
	return kind;
}

/* The command what on aisova, done and committed. */
static void
act(struct fx *fx, const char *what)
{
	assert_int_equal(act_in_txn(fx, "aisova", what, 1), ERR_NONE);
}

/* The command what on aisova, refused: its message, for the caller to
 * check (new string); nothing was written. */
static char *
act_refused(struct fx *fx, const char *what, enum error_kind want)
{
	struct error	 err = { 0, NULL, NULL };
	json_t		*result = NULL;
	char		*cause = NULL, *msg;
	int64_t		 hist = fx_int(fx, history_count, INT64_MIN);
	int		 out = fx_outbox_all(fx);
	struct srow	 before = fx_row(fx), after;

	assert_int_equal(store_begin(fx->store, &cause), 0);
	assert_int_equal(shelter_act(fx->s, "aisova", what, "uid:0", &result, &err),
	    -1);
	assert_int_equal(err.kind, want);
	/* refused before anything is written, in the transaction too */
	assert_int_equal(fx_int(fx, history_count, INT64_MIN), hist);
	assert_int_equal(fx_outbox_all(fx), out);
	store_rollback(fx->store);
	after = fx_row(fx);
	assert_int_equal(after.state, before.state);
	assert_int_equal(after.alert_id, before.alert_id);
	msg = xstrdup(err.message);
	error_clear(&err);
	return msg;
}

/* alerts ack with code, by person (0: none given); the kind of error. */
static enum error_kind
ack(struct fx *fx, const char *code, int64_t by)
{
	struct error	 err = { 0, NULL, NULL };
	json_t		*req, *result = NULL;
	char		*cause = NULL;
	enum error_kind	 kind;

	req = json_pack("{ss}", "code", code);
	if (by != 0)
		json_object_set_new(req, "by", json_integer(by));
	assert_int_equal(store_begin(fx->store, &cause), 0);
	if (shelter_ack(fx->s, req, "uid:0", &result, &err) == 0) {
		kind = ERR_NONE;
		assert_int_equal(store_commit(fx->store, &cause), 0);
	} else {
		kind = err.kind;
		store_rollback(fx->store);
	}
	json_decref(req);
	json_decref(result);
	error_clear(&err);
	return kind;
}

/* The code of aisova's open alert. */
static void
alert_code(struct fx *fx, char *code, size_t len)
{
	assert_true(alert_is_open(fx->s, fx_row(fx).alert_id, code, len));
}

/* Vacate, then claim by Anne with the alert's code. */
static void
vacate_and_claim(struct fx *fx)
{
	char	 code[ALERT_CODE_LEN];

	act(fx, "vacate");
	alert_code(fx, code, sizeof code);
	assert_int_equal(ack(fx, code, fx->anne), ERR_NONE);
	assert_int_equal(fx_row(fx).state, SS_RESERVED);
}

static void
test_state_names(void **state)
{
	static const char *const names[SS_COUNT] = {
		"occupied", "vacant", "reserved", "unavailable"
	};
	int	 i;

	for (i = 0; i < SS_COUNT; i++) {
		assert_string_equal(shelter_state_name(i), names[i]);
		assert_int_equal(shelter_state_parse(names[i]), i);
	}
	assert_int_equal(shelter_command_parse("vacate"), SC_VACATE);
	assert_int_equal(shelter_command_parse("claim"), -1);
	assert_int_equal(shelter_command_parse("hold_expired"), -1);
}

/* Configured: occupied, with its first history row. */
static void
test_configured_occupied(void **state)
{
	struct fx	*fx = *state;
	struct srow	 row = fx_row(fx);
	char		 buf[128];

	assert_int_equal(row.state, SS_OCCUPIED);
	assert_int_equal(row.alert_id, 0);
	assert_int_equal(fx_int(fx, history_count, INT64_MIN), 1);
	assert_string_equal(fx_text(fx, "SELECT to_state || '/' || cause"
	    " FROM shelter_history WHERE shelter = 'aisova'", 0, buf,
	    sizeof buf), "occupied/configured");
}

/* Vacate: the move and its alerts are one transaction. */
static void
test_vacate_one_transaction(void **state)
{
	struct fx	*fx = *state;
	struct srow	 row;
	char		 buf[128];

	assert_int_equal(act_in_txn(fx, "aisova", "vacate", 0), ERR_NONE);
	row = fx_row(fx);
	assert_int_equal(row.state, SS_OCCUPIED);
	assert_int_equal(fx_outbox_all(fx), 0);
	assert_int_equal(fx_int(fx, alerts_count, INT64_MIN), 0);

	act(fx, "vacate");
	row = fx_row(fx);
	assert_int_equal(row.state, SS_VACANT);
	assert_true(row.alert_id > 0);
	assert_string_equal(fx_text(fx, alert_status, row.alert_id, buf,
	    sizeof buf), "open");
	/* the two on call, each by email and SMS; nobody else */
	assert_int_equal(fx_outbox(fx, "alert", fx->anne, "email"), 1);
	assert_int_equal(fx_outbox(fx, "alert", fx->anne, "sms"), 1);
	assert_int_equal(fx_outbox(fx, "alert", fx->bert, "email"), 1);
	assert_int_equal(fx_outbox(fx, "alert", fx->bert, "sms"), 1);
	assert_int_equal(fx_outbox_all(fx), 4);
	assert_string_equal(fx_text(fx, history_last, 0, buf, sizeof buf),
	    "occupied>vacant/vacate/uid:0");
}

/* Free, alert, claimed (reserved for claim_hold), occupied, free again. */
static void
test_claim_occupy_vacate(void **state)
{
	struct fx	*fx = *state;
	struct srow	 row;
	int64_t		 first;
	char		 buf[128];

	vacate_and_claim(fx);
	row = fx_row(fx);
	first = row.alert_id;
	assert_int_equal(row.reserved_by, fx->anne);
	assert_int_equal(row.reserved_until - row.since, FX_CLAIM_HOLD);
	assert_string_equal(fx_text(fx, alert_status, first, buf,
	    sizeof buf), "claimed");
	assert_string_equal(fx_text(fx, history_last, 0, buf, sizeof buf),
	    "vacant>reserved/claim/uid:0");
	/* Anne confirmed on both channels (the CLI), Bert told it is taken */
	assert_int_equal(fx_outbox(fx, "alert_confirm", fx->anne, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert_taken", fx->bert, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert_taken", fx->anne, NULL), 0);
	assert_int_equal(fx_outbox_all(fx), 8);

	act(fx, "occupy");
	row = fx_row(fx);
	assert_int_equal(row.state, SS_OCCUPIED);
	assert_int_equal(row.reserved_by, 0);
	assert_int_equal(row.alert_id, 0);
	assert_true(fx_int(fx, alert_closed_at, first) > 0);
	assert_int_equal(fx_outbox_all(fx), 8);	/* nobody to tell */

	act(fx, "vacate");
	row = fx_row(fx);
	assert_int_equal(row.state, SS_VACANT);
	assert_true(row.alert_id > first);
	assert_int_equal(fx_outbox_all(fx), 12);
}

/* A claim that falls through: reserved, vacated, a new alert. */
static void
test_reserved_vacate(void **state)
{
	struct fx	*fx = *state;
	int64_t		 first;

	vacate_and_claim(fx);
	first = fx_row(fx).alert_id;
	act(fx, "vacate");
	assert_int_equal(fx_row(fx).state, SS_VACANT);
	assert_true(fx_row(fx).alert_id > first);
	assert_true(fx_int(fx, alert_closed_at, first) > 0);
	assert_int_equal(fx_outbox(fx, "alert_closed", 0, NULL), 0);
}

/* Unavailable, from occupied, vacant (everyone alerted is told) and
 * reserved (the claimer is told). */
static void
test_unavailable(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id;
	char		 buf[128];

	act(fx, "unavailable");
	assert_int_equal(fx_row(fx).state, SS_UNAVAILABLE);
	assert_int_equal(fx_outbox_all(fx), 0);

	act(fx, "vacate");
	id = fx_row(fx).alert_id;
	act(fx, "unavailable");
	assert_int_equal(fx_row(fx).state, SS_UNAVAILABLE);
	assert_int_equal(fx_row(fx).alert_id, 0);
	assert_string_equal(fx_text(fx, alert_status, id, buf, sizeof buf),
	    "closed");
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->anne, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->bert, NULL), 2);

	act(fx, "occupy");
	vacate_and_claim(fx);
	act(fx, "unavailable");
	assert_int_equal(fx_row(fx).state, SS_UNAVAILABLE);
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->anne, NULL), 4);
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->bert, NULL), 2);
}

/* A hold not confirmed by its end: vacant again, a new alert. */
static void
test_hold_expired(void **state)
{
	struct fx	*fx = *state;
	struct srow	 row;
	int64_t		 first;
	int		 out;
	char		 buf[128];

	vacate_and_claim(fx);
	row = fx_row(fx);
	first = row.alert_id;
	out = fx_outbox_all(fx);
	assert_int_equal(fx_move(fx, SC_HOLD_EXPIRED, row.reserved_until,
	    NULL), 0);
	row = fx_row(fx);
	assert_int_equal(row.state, SS_VACANT);
	assert_true(row.alert_id > first);
	assert_int_equal(row.reserved_by, 0);
	assert_string_equal(fx_text(fx, history_last, 0, buf, sizeof buf),
	    "reserved>vacant/hold_expired/test");
	assert_int_equal(fx_outbox_all(fx), out + 4);
}

/* Moves the table does not have: ERR_CONFLICT, and nothing written. */
static void
test_illegal_moves(void **state)
{
	struct fx	*fx = *state;
	enum error_kind	 kind;
	char		*msg;

	msg = act_refused(fx, "occupy", ERR_CONFLICT);
	assert_non_null(strstr(msg, "est occupé"));
	assert_non_null(strstr(msg, "possible : vacate, unavailable"));
	free(msg);
	assert_int_equal(fx_move(fx, SC_CLAIM, fx->t0, &kind), -1);
	assert_int_equal(kind, ERR_CONFLICT);
	assert_int_equal(fx_move(fx, SC_HOLD_EXPIRED, fx->t0, &kind), -1);
	assert_int_equal(kind, ERR_CONFLICT);

	act(fx, "vacate");
	msg = act_refused(fx, "vacate", ERR_CONFLICT);
	assert_non_null(strstr(msg, "alerts ack CODE"));
	free(msg);
	assert_int_equal(fx_move(fx, SC_HOLD_EXPIRED, fx->t0, &kind), -1);
	assert_int_equal(kind, ERR_CONFLICT);

	act(fx, "unavailable");
	free(act_refused(fx, "unavailable", ERR_CONFLICT));
}

/* A claim when the shelter is no longer free: ERR_CONFLICT. */
static void
test_claim_refused(void **state)
{
	struct fx	*fx = *state;
	char		 code[ALERT_CODE_LEN];
	int		 out;

	act(fx, "vacate");
	alert_code(fx, code, sizeof code);
	assert_int_equal(ack(fx, code, fx->anne), ERR_NONE);
	out = fx_outbox_all(fx);
	assert_int_equal(ack(fx, code, fx->bert), ERR_CONFLICT);
	assert_int_equal(fx_outbox_all(fx), out);
	assert_int_equal(fx_row(fx).reserved_by, fx->anne);
}

/* No such shelter, no such code: ERR_NOT_FOUND. */
static void
test_not_found(void **state)
{
	struct fx	*fx = *state;
	struct error	 err = { 0, NULL, NULL };

	assert_int_equal(act_in_txn(fx, "nowhere", "vacate", 1),
	    ERR_NOT_FOUND);
	assert_null(shelter_show(fx->s, "nowhere", &err));
	assert_int_equal(err.kind, ERR_NOT_FOUND);
	assert_string_equal(err.field, "name");
	error_clear(&err);
	assert_null(shelter_report(fx->s, "nowhere", NULL, &err));
	assert_int_equal(err.kind, ERR_NOT_FOUND);
	error_clear(&err);
	/* a code never issued: codes never start with 0 */
	assert_int_equal(ack(fx, "0123", 0), ERR_NOT_FOUND);
	assert_int_equal(fx_row(fx).state, SS_OCCUPIED);
}

/* The yearly report counts the days of each state from the history. */
static void
test_report_states(void **state)
{
	struct fx	*fx = *state;
	struct error	 err = { 0, NULL, NULL };
	json_t		*r, *days;
	int		 i;

	/* a minute ago: the report of this year runs up to now */
	assert_int_equal(fx_move(fx, SC_VACATE, fx->t0 - 60, NULL), 0);
	assert_non_null(r = shelter_report(fx->s, "aisova", NULL, &err));
	assert_non_null(days = json_object_get(r, "days"));
	assert_int_equal(json_object_size(days), SS_COUNT);
	for (i = 0; i < SS_COUNT; i++)
		assert_true(json_is_real(json_object_get(days,
		    shelter_state_name(i))));
	assert_int_equal(json_integer_value(json_object_get(r, "alerts")), 1);
	json_decref(r);
}

/* A history row of aisova at local midnight of y-m-d (Brussels). */
static void
history_at(struct fx *fx, int y, int m, int d, const char *from,
    const char *to)
{
	static const char *const sql = "INSERT INTO shelter_history (shelter,"
	    " at, from_state, to_state, cause, actor) VALUES ('aisova', ?, ?,"
	    " ?, 'configured', 'daemon')";
	sqlite3_stmt		*st = store_stmt(fx->store, sql);
	struct recur_civil	 c;

	memset(&c, 0, sizeof c);
	c.year = y;
	c.month = m;
	c.day = d;
	sqlite3_bind_int64(st, 1, tz_resolve(tz_cached("Europe/Brussels",
	    NULL), recur_civil_secs(&c), NULL));
	if (from != NULL)
		sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_reset(st);
}

/* The report's months: days observed and in each state per local month,
 * from the same history as the year's figures; null before any history. */
static void
test_report_months(void **state)
{
	struct fx	*fx = *state;
	struct error	 err = { 0, NULL, NULL };
	json_t		*r, *months, *m;
	double		 occupied = 0, year;
	size_t		 i;

	history_at(fx, 2025, 3, 1, NULL, "occupied");
	history_at(fx, 2025, 3, 16, "occupied", "unavailable");
	history_at(fx, 2025, 4, 1, "unavailable", "occupied");
	assert_non_null(r = shelter_report(fx->s, "aisova", "2025", &err));
	months = json_object_get(r, "months");
	assert_int_equal(json_array_size(months), 12);
	json_array_foreach(months, i, m)
		occupied += json_number_value(json_object_get(m, "occupied"));
	/* the months add up to the year, within their roundings */
	year = json_number_value(json_object_get(json_object_get(r, "days"),
	    "occupied"));
	assert_true(year > 289.5 && year < 290.5);
	assert_true(occupied > year - 0.6 && occupied < year + 0.6);
	m = json_array_get(months, 0);
	assert_string_equal(json_string_value(json_object_get(m, "month")),
	    "2025-01");
	assert_true(json_is_null(json_object_get(m, "occupancy")));
	assert_true(json_number_value(json_object_get(m, "days")) == 0.0);
	/* March: 15 days occupied, then 16 unavailable (less the hour of
	 * the change to summer time) */
	m = json_array_get(months, 2);
	assert_string_equal(json_string_value(json_object_get(m, "month")),
	    "2025-03");
	assert_true(json_number_value(json_object_get(m, "days")) == 31.0);
	assert_true(json_number_value(json_object_get(m, "occupied")) == 15.0);
	assert_true(json_number_value(json_object_get(m, "unavailable")) ==
	    16.0);
	assert_true(json_number_value(json_object_get(m, "occupancy")) > 48.3);
	assert_true(json_number_value(json_object_get(m, "occupancy")) < 48.6);
	m = json_array_get(months, 3);
	assert_true(json_number_value(json_object_get(m, "days")) == 30.0);
	assert_true(json_number_value(json_object_get(m, "occupancy")) ==
	    100.0);
	m = json_array_get(months, 11);
	assert_string_equal(json_string_value(json_object_get(m, "month")),
	    "2025-12");
	assert_true(json_number_value(json_object_get(m, "days")) == 31.0);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test_setup_teardown(test_configured_occupied,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_vacate_one_transaction,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_claim_occupy_vacate,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_reserved_vacate,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_unavailable,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_hold_expired,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_illegal_moves,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_claim_refused,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_not_found,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_report_states,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_report_months,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
