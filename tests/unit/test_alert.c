/*
 * test_alert.c: the steps of an alert, against a real database
 * (shelter_fixture.h), with time driven by the now each step is given:
 * a code for each person alerted, carried by their own messages; the
 * escalation after escalate_after; the repeats, then "nobody answered";
 * nobody on call; a claim by SMS with the code of the phone it comes from,
 * which closes the alert to everyone else; a signed link; wrong codes
 * counted per phone, the fifth locking that phone out of the alert.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shelter_fixture.h"

static const char *const alert_level =
    "SELECT level FROM alerts WHERE id = ?1";
static const char *const alert_repeats =
    "SELECT repeats FROM alerts WHERE id = ?1";
static const char *const alert_next_at =
    "SELECT coalesce(next_at, -1) FROM alerts WHERE id = ?1";
static const char *const alert_exhausted =
    "SELECT exhausted FROM alerts WHERE id = ?1";
static const char *const alert_status =
    "SELECT status FROM alerts WHERE id = ?1";
static const char *const alert_via =
    "SELECT via FROM alerts WHERE id = ?1";
static const char *const alert_claimed_by =
    "SELECT claimed_by FROM alerts WHERE id = ?1";
static const char *const recipients_count =
    "SELECT count(*) FROM alert_recipients WHERE alert_id = ?1";

/* Vacate aisova at now; its new alert. */
static int64_t
vacate_at(struct fx *fx, int64_t now)
{
	assert_int_equal(fx_move(fx, SC_VACATE, now, NULL), 0);
	assert_int_equal(fx_row(fx).state, SS_VACANT);
	return fx_row(fx).alert_id;
}

/* The step of alert id due at now, in a transaction. */
static void
step_at(struct fx *fx, int64_t id, int64_t now)
{
	char	*cause = NULL;

	assert_int_equal(fx_int(fx, alert_next_at, id), now);
	assert_int_equal(store_begin(fx->store, &cause), 0);
	if (alert_step(fx->s, id, now, &cause) == -1)
		fail_msg("alert_step: %s", cause);
	assert_int_equal(store_commit(fx->store, &cause), 0);
}

/* The code person got for alert id ("" when not alerted). */
static void
code_of(struct fx *fx, int64_t id, int64_t person, char *code, size_t len)
{
	static const char *const sql = "SELECT code FROM alert_recipients"
	    " WHERE alert_id = ?1 AND person_id = ?2";
	sqlite3_stmt	*st = store_stmt(fx->store, sql);

	*code = '\0';
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, person);
	if (sqlite3_step(st) == SQLITE_ROW)
		util_strlcpy(code, (const char *)sqlite3_column_text(st, 0),
		    len);
	sqlite3_reset(st);
}

/* The wrong codes counted against person's phone in alert id. */
static int64_t
bad_tries(struct fx *fx, int64_t id, int64_t person)
{
	static const char *const sql = "SELECT bad_tries FROM alert_recipients"
	    " WHERE alert_id = ?1 AND person_id = ?2";
	sqlite3_stmt	*st = store_stmt(fx->store, sql);
	int64_t		 n = -1;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, person);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* The outbox key of message kind (tag: NULL) of alert id. */
static char *
key_of(int64_t id, const char *kind, const char *tag, int64_t person,
    const char *channel)
{
	char	*key;

	xasprintf(&key, "alert/%lld/%s%s%s/%lld/%s", (long long)id, kind,
	    tag ? "/" : "", tag ? tag : "", (long long)person, channel);
	return key;
}

/* The parameter name of the message of key. */
static char *
param_of(struct fx *fx, const char *key, const char *name)
{
	json_t	*o = fx_payload(fx, key);
	char	*v;

	v = json_is_string(json_object_get(o, name)) ? xstrdup(
	    json_string_value(json_object_get(o, name))) : NULL;
	json_decref(o);
	return v;
}

/* An audit record of action. */
static int64_t
audits(struct fx *fx, const char *action)
{
	static const char *const sql =
	    "SELECT count(*) FROM audit WHERE action = ?";
	sqlite3_stmt	*st = store_stmt(fx->store, sql);
	int64_t		 n = -1;

	sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Each person alerted has a code of their own, and their messages carry
 * it; the alert email carries a link signed for them. */
static void
test_codes_one_per_recipient(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0), a, p;
	char		 own[ALERT_CODE_LEN], ca[ALERT_CODE_LEN];
	char		 cb[ALERT_CODE_LEN], *key, *v, *cause = NULL;

	assert_int_equal(fx_int(fx, recipients_count, id), 2);
	assert_int_equal(fx_int(fx, alert_level, id), 1);
	assert_int_equal(fx_int(fx, alert_next_at, id), fx->t0 +
	    FX_ESCALATE_AFTER);
	assert_true(alert_is_open(fx->s, id, own, sizeof own));
	code_of(fx, id, fx->anne, ca, sizeof ca);
	code_of(fx, id, fx->bert, cb, sizeof cb);
	assert_int_equal(strlen(ca), 6);
	assert_int_equal(strlen(cb), 6);
	assert_string_not_equal(ca, cb);
	assert_string_not_equal(ca, own);
	assert_string_not_equal(cb, own);
	assert_int_equal(alert_by_code(fx->s, ca, &p), id);
	assert_int_equal(p, fx->anne);
	assert_int_equal(alert_by_code(fx->s, own, &p), id);
	assert_int_equal(p, 0);

	key = key_of(id, "alert", NULL, fx->anne, "sms");
	v = param_of(fx, key, "code");
	assert_string_equal(v, ca);
	free(v);
	free(key);
	key = key_of(id, "alert", NULL, fx->bert, "email");
	v = param_of(fx, key, "code");
	assert_string_equal(v, cb);
	free(v);
	v = param_of(fx, key, "link");
	assert_non_null(v);
	assert_int_equal(alert_token_parse(fx->s, strstr(v, "/a/") + 3,
	    util_now(), &a, &p, &cause), 0);
	assert_int_equal(a, id);
	assert_int_equal(p, fx->bert);
	free(v);
	free(key);
	/* the SMS carries no link */
	key = key_of(id, "alert", NULL, fx->bert, "sms");
	assert_null(param_of(fx, key, "link"));
	free(key);
}

/* No claim after escalate_after: the referent is alerted too, with a code
 * of their own. */
static void
test_escalation_after_delay(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0);
	int64_t		 t = fx->t0 + FX_ESCALATE_AFTER;
	char		 code[ALERT_CODE_LEN];

	assert_int_equal(fx_outbox(fx, "alert", fx->rita, NULL), 0);
	step_at(fx, id, t);
	assert_int_equal(fx_int(fx, alert_level, id), 2);
	assert_int_equal(fx_int(fx, recipients_count, id), 3);
	code_of(fx, id, fx->rita, code, sizeof code);
	assert_int_equal(strlen(code), 6);
	assert_int_equal(fx_outbox(fx, "alert", fx->rita, "email"), 1);
	assert_int_equal(fx_outbox(fx, "alert", fx->rita, "sms"), 1);
	assert_int_equal(fx_outbox(fx, "alert", fx->anne, NULL), 2);
	assert_int_equal(fx_int(fx, alert_next_at, id), t + FX_REPEAT);
}

/* Then repeat_max repeats to everyone alerted, then the coordinators are
 * told nobody answered, and the chain stops. */
static void
test_repeats_then_nobody(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0);
	int64_t		 t = fx->t0 + FX_ESCALATE_AFTER;
	char		*key;
	int		 r;

	step_at(fx, id, t);
	for (r = 1; r <= FX_REPEAT_MAX; r++) {
		t += FX_REPEAT;
		step_at(fx, id, t);
		assert_int_equal(fx_int(fx, alert_repeats, id), r);
		assert_int_equal(fx_int(fx, alert_next_at, id), t + FX_REPEAT);
	}
	/* the repeats are messages of their own: keyed by their number */
	key = key_of(id, "alert", "r2", fx->rita, "sms");
	json_decref(fx_payload(fx, key));
	free(key);
	assert_int_equal(fx_outbox(fx, "alert", fx->anne, NULL),
	    2 * (1 + FX_REPEAT_MAX));
	assert_int_equal(fx_outbox(fx, "alert", fx->rita, NULL),
	    2 * (1 + FX_REPEAT_MAX));
	assert_int_equal(fx_outbox(fx, "alert_nobody", 0, NULL), 0);

	step_at(fx, id, t + FX_REPEAT);
	assert_int_equal(fx_int(fx, alert_exhausted, id), 1);
	assert_int_equal(fx_int(fx, alert_next_at, id), -1);
	/* Cora has no phone: email only */
	assert_int_equal(fx_outbox(fx, "alert_nobody", fx->cora, "email"), 1);
	assert_int_equal(fx_outbox(fx, "alert_nobody", 0, NULL), 1);
}

/* Nobody on call: the coordinators are told and the escalation level is
 * alerted at once. */
static void
test_nobody_on_call(void **state)
{
	struct fx	*fx = *state;
	int64_t		 t = fx->t0 + 2 * 86400;	/* after the rota */
	int64_t		 id = vacate_at(fx, t);

	assert_int_equal(fx_outbox(fx, "alert_no_oncall", fx->cora, NULL), 1);
	assert_int_equal(fx_int(fx, alert_level, id), 2);
	assert_int_equal(fx_outbox(fx, "alert", fx->rita, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert", fx->anne, NULL), 0);
	assert_int_equal(fx_int(fx, alert_next_at, id), t + FX_REPEAT);
}

/* "OK code" from Anne's phone claims: the alert is closed to the others,
 * Anne confirmed by SMS, Bert told; Bert's late reply gets "déjà pris". */
static void
test_claim_by_code_closes(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0);
	char		 code[ALERT_CODE_LEN], text[32], buf[32];

	code_of(fx, id, fx->anne, code, sizeof code);
	snprintf(text, sizeof text, "Ok %s merci", code);
	shelter_sms(fx->s, FX_PHONE_ANNE, text);
	assert_string_equal(fx_text(fx, alert_status, id, buf, sizeof buf),
	    "claimed");
	assert_string_equal(fx_text(fx, alert_via, id, buf, sizeof buf),
	    "sms");
	assert_int_equal(fx_int(fx, alert_claimed_by, id), fx->anne);
	assert_int_equal(fx_int(fx, alert_next_at, id), -1);
	assert_false(alert_is_open(fx->s, id, buf, sizeof buf));
	assert_int_equal(fx_row(fx).state, SS_RESERVED);
	assert_int_equal(fx_row(fx).reserved_by, fx->anne);
	/* confirmed on the channel the claim came by; the others told */
	assert_int_equal(fx_outbox(fx, "alert_confirm", fx->anne, "sms"), 1);
	assert_int_equal(fx_outbox(fx, "alert_confirm", 0, NULL), 1);
	assert_int_equal(fx_outbox(fx, "alert_taken", fx->bert, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert_taken", fx->anne, NULL), 0);
	assert_int_equal(audits(fx, "alert.claim"), 1);

	code_of(fx, id, fx->bert, code, sizeof code);
	snprintf(text, sizeof text, "OK %s", code);
	shelter_sms(fx->s, FX_PHONE_BERT, text);
	assert_int_equal(fx_outbox(fx, "alert_late", fx->bert, "sms"), 1);
	assert_int_equal(fx_outbox(fx, "alert_late", 0, NULL), 1);
	assert_int_equal(audits(fx, "alert.claim_late"), 1);
	assert_int_equal(fx_row(fx).reserved_by, fx->anne);
}

/* A code from the wrong phone claims nothing. */
static void
test_code_of_another_phone(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0);
	char		 code[ALERT_CODE_LEN], text[32];

	code_of(fx, id, fx->anne, code, sizeof code);
	snprintf(text, sizeof text, "OK %s", code);
	shelter_sms(fx->s, FX_PHONE_BERT, text);
	assert_int_equal(fx_row(fx).state, SS_VACANT);
	assert_int_equal(bad_tries(fx, id, fx->bert), 1);
	shelter_sms(fx->s, "+32470999888", text);	/* nobody alerted */
	assert_int_equal(fx_row(fx).state, SS_VACANT);
}

/* Wrong codes count against the phone; the fifth locks it out of the
 * alert (the coordinators told, once); the person is told how to answer
 * once.  Another phone still claims. */
static void
test_wrong_codes_lock(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0);
	char		 code[ALERT_CODE_LEN], text[32];
	json_t		*a;
	int		 i;

	for (i = 1; i < ALERT_MAX_BAD_TRIES; i++) {
		shelter_sms(fx->s, FX_PHONE_BERT, "OK 99999999");
		assert_int_equal(bad_tries(fx, id, fx->bert), i);
		assert_int_equal(fx_outbox(fx, "alert_locked", 0, NULL), 0);
	}
	assert_int_equal(fx_outbox(fx, "alert_unclear", fx->bert, "sms"), 1);
	assert_int_equal(audits(fx, "alert.sms_locked"), 0);
	shelter_sms(fx->s, FX_PHONE_BERT, "OK 99999999");
	assert_int_equal(bad_tries(fx, id, fx->bert), ALERT_MAX_BAD_TRIES);
	assert_int_equal(fx_outbox(fx, "alert_locked", fx->cora, "email"), 1);
	assert_int_equal(audits(fx, "alert.sms_locked"), 1);

	/* locked: not counted any more, and even the right code refused */
	shelter_sms(fx->s, FX_PHONE_BERT, "OK 99999999");
	assert_int_equal(bad_tries(fx, id, fx->bert), ALERT_MAX_BAD_TRIES);
	code_of(fx, id, fx->bert, code, sizeof code);
	snprintf(text, sizeof text, "OK %s", code);
	shelter_sms(fx->s, FX_PHONE_BERT, text);
	assert_int_equal(fx_row(fx).state, SS_VACANT);
	assert_int_equal(fx_outbox(fx, "alert_locked", 0, NULL), 1);
	a = alert_json(fx->s, id);
	assert_int_equal(json_array_size(json_object_get(a, "locked")), 1);
	json_decref(a);

	code_of(fx, id, fx->anne, code, sizeof code);
	snprintf(text, sizeof text, "OK %s", code);
	shelter_sms(fx->s, FX_PHONE_ANNE, text);
	assert_int_equal(fx_row(fx).state, SS_RESERVED);
	assert_int_equal(fx_row(fx).reserved_by, fx->anne);
}

/* The signed link: a GET offers, a POST claims; a tampered token is
 * refused. */
static void
test_claim_by_link(void **state)
{
	struct fx		*fx = *state;
	struct shelter_page	 pg;
	int64_t			 id = vacate_at(fx, fx->t0);
	char			*token, code[ALERT_CODE_LEN];

	token = alert_token(fx->s, id, fx->bert, util_now() + 3600);
	code_of(fx, id, fx->bert, code, sizeof code);
	assert_int_equal(shelter_link(fx->s, token, 0, &pg), 0);
	assert_int_equal(pg.what, PAGE_OFFER);
	assert_string_equal(pg.code, code);
	assert_int_equal(fx_row(fx).state, SS_VACANT);
	assert_int_equal(shelter_link(fx->s, token, 1, &pg), 0);
	assert_int_equal(pg.what, PAGE_WON);
	assert_int_equal(fx_row(fx).reserved_by, fx->bert);
	assert_int_equal(fx_outbox(fx, "alert_confirm", fx->bert, "email"), 1);
	assert_int_equal(fx_outbox(fx, "alert_confirm", fx->bert, "sms"), 0);
	assert_int_equal(shelter_link(fx->s, token, 1, &pg), 0);
	assert_int_equal(pg.what, PAGE_TAKEN);
	token[3] = token[3] == 'A' ? 'B' : 'A';
	assert_int_equal(shelter_link(fx->s, token, 1, &pg), -1);
	assert_int_equal(pg.what, PAGE_REFUSED);
	free(token);
}

/* Occupied another way while the alert is open: everyone alerted is told
 * the lodging is gone, and the alert is closed. */
static void
test_close_tells_all(void **state)
{
	struct fx	*fx = *state;
	int64_t		 id = vacate_at(fx, fx->t0);
	char		 buf[32];

	assert_int_equal(fx_move(fx, SC_OCCUPY, fx->t0 + 60, NULL), 0);
	assert_string_equal(fx_text(fx, alert_status, id, buf, sizeof buf),
	    "closed");
	assert_int_equal(fx_int(fx, alert_next_at, id), -1);
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->anne, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->bert, NULL), 2);
	assert_int_equal(fx_outbox(fx, "alert_closed", fx->rita, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_codes_one_per_recipient,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_escalation_after_delay,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_repeats_then_nobody,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_nobody_on_call,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_claim_by_code_closes,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_code_of_another_phone,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_codes_lock,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_claim_by_link,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_close_tells_all,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
