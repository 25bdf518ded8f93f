/*
 * test_outbox.c: the durable queue over a real database: a key enqueued
 * twice is one row, the payload is sealed under the recipient's data key
 * (bound to its row), messages listed by status, a failed message retried
 * (not found and conflict refused by kind), an event's messages cancelled
 * or taken back, the check that refuses a message as it is queued, and a
 * message queued in a transaction that is rolled back is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "crypt.h"
#include "error.h"
#include "outbox.h"
#include "people.h"
#include "store.h"
#include "util.h"

#include "unit_env.h"

#define PAYLOAD	"{\"title\":\"Réunion du réseau Lotus\"," \
		"\"start\":\"2027-01-06T14:00:00+01:00\"}"

struct env {
	char			*dir;
	char			*db;
	struct store		*st;
	struct crypt_key	*master;
	int64_t			 ann, ben;	/* two people */
	struct crypt_key	*dk_ann, *dk_ben;
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
	e->dir = unit_tmpdir("test_outbox");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	xasprintf(&e->db, "%s/stoppvif.db", e->dir);
	e->ann = unit_person(e->st, e->master, "{\"name\": \"Ann\","
	    " \"roles\": [\"referent\"], \"email\": \"ann@example.be\"}");
	e->ben = unit_person(e->st, e->master, "{\"name\": \"Ben\","
	    " \"roles\": [\"referent\"], \"phone\": \"0470 11 22 33\"}");
	e->dk_ann = people_data_key(e->st, e->master, e->ann, &cause);
	e->dk_ben = people_data_key(e->st, e->master, e->ben, &cause);
	assert_non_null(e->dk_ann);
	assert_non_null(e->dk_ben);
	return e;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	if (e == NULL)
		return 0;
	outbox_set_check(NULL, NULL);
	crypt_key_free(e->dk_ann);
	crypt_key_free(e->dk_ben);
	store_close(e->st);
	crypt_key_free(e->master);
	unit_rmtree(e->dir);
	free(e->dir);
	free(e->db);
	free(e);
	return 0;
}

/* A message of kind reminder to person, not for an event. */
static struct outbox_msg
msg(const char *key, int64_t person, const char *channel, int64_t not_before)
{
	struct outbox_msg	 m;

	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = "reminder";
	m.person_id = person;
	m.channel = channel;
	m.not_before = not_before;
	m.payload = PAYLOAD;
	return m;
}

/* Enqueue m in its own transaction; *inserted. */
static void
enqueue(struct env *e, const struct crypt_key *dk,
    const struct outbox_msg *m, int *inserted)
{
	char	*cause = NULL;

	assert_int_equal(store_begin(e->st, &cause), 0);
	if (outbox_enqueue(e->st, dk, m, inserted, &cause) == -1)
		fail_msg("outbox_enqueue %s: %s", m->key, cause);
	assert_int_equal(store_commit(e->st, &cause), 0);
}

/* The id of the row with key, -1 when none. */
static int64_t
row_id(struct env *e, const char *key)
{
	static const char *const sql = "SELECT id FROM outbox WHERE key = ?";
	sqlite3_stmt	*stmt = store_stmt(e->st, sql);
	int64_t		 id = -1;

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return id;
}

static int64_t
count_rows(struct env *e)
{
	return unit_int(e->st, "SELECT count(*) FROM outbox", 0);
}

/* Open the sealed payload of row id with dk: a new string, or NULL. */
static char *
open_payload(struct env *e, int64_t id, const struct crypt_key *dk)
{
	static const char *const sql = "SELECT payload FROM outbox WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(e->st, sql);
	uint8_t		*pt = NULL;
	size_t		 ptlen;
	char		*cause = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(stmt, 0), SQLITE_BLOB);
	if (crypt_open(dk, "outbox", "payload", id, sqlite3_column_blob(stmt,
	    0), (size_t)sqlite3_column_bytes(stmt, 0), &pt, &ptlen,
	    &cause) == -1) {
		free(cause);
		pt = NULL;
	}
	sqlite3_reset(stmt);
	return (char *)pt;
}

/* A key enqueued twice is one row; the second changes nothing. */
static void
test_enqueue_unique(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m = msg("reminder/1/20270106T130000Z/86400/1/email",
				    e->ann, "email", 1000);
	int			 inserted = -1;
	int64_t			 id;
	char			*p;

	enqueue(e, e->dk_ann, &m, &inserted);
	assert_int_equal(inserted, 1);
	assert_int_equal(count_rows(e), 1);
	id = row_id(e, m.key);
	assert_true(id > 0);
	assert_int_equal(unit_int(e->st, "SELECT not_before FROM outbox"
	    " WHERE id = ?1", id), 1000);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox WHERE"
	    " id = ?1 AND status = 'pending' AND attempts = 0"
	    " AND channel = 'email' AND kind = 'reminder'", id), 1);

	/* again, with another payload and time: nothing changes */
	m.payload = "{\"title\":\"autre chose\",\"start\":\"x\"}";
	m.not_before = 5000;
	enqueue(e, e->dk_ann, &m, &inserted);
	assert_int_equal(inserted, 0);
	assert_int_equal(count_rows(e), 1);
	assert_int_equal(row_id(e, m.key), id);
	assert_int_equal(unit_int(e->st, "SELECT not_before FROM outbox"
	    " WHERE id = ?1", id), 1000);
	p = open_payload(e, id, e->dk_ann);
	assert_non_null(p);
	assert_string_equal(p, PAYLOAD);
	free(p);

	/* inserted may be NULL; another key is another row */
	m.key = "reminder/1/20270106T130000Z/86400/1/sms";
	enqueue(e, e->dk_ann, &m, NULL);
	assert_int_equal(count_rows(e), 2);
}

/* The payload is sealed under the recipient's key, bound to its row. */
static void
test_payload_sealed(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m1 = msg("k/ann", e->ann, "email", 1),
				 m2 = msg("k/ben", e->ben, "sms", 1);
	static const char *const sql = "SELECT payload FROM outbox WHERE id = ?";
	sqlite3_stmt		*stmt;
	int64_t			 id1, id2;
	const void		*blob;
	uint8_t			*pt;
	size_t			 ptlen, n;
	char			*p, *cause = NULL;

	enqueue(e, e->dk_ann, &m1, NULL);
	enqueue(e, e->dk_ben, &m2, NULL);
	id1 = row_id(e, m1.key);
	id2 = row_id(e, m2.key);

	stmt = store_stmt(e->st, sql);
	sqlite3_bind_int64(stmt, 1, id1);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	blob = sqlite3_column_blob(stmt, 0);
	n = (size_t)sqlite3_column_bytes(stmt, 0);
	assert_int_equal(n, strlen(PAYLOAD) + CRYPT_OVERHEAD);
	assert_null(memmem(blob, n, "Lotus", 5));
	/* moved to another row, it does not open */
	assert_int_equal(crypt_open(e->dk_ann, "outbox", "payload", id2, blob,
	    n, &pt, &ptlen, &cause), -1);
	free(cause);
	sqlite3_reset(stmt);

	p = open_payload(e, id1, e->dk_ann);
	assert_non_null(p);
	assert_string_equal(p, PAYLOAD);
	free(p);
	assert_null(open_payload(e, id1, e->dk_ben));	/* not Ben's key */
	p = open_payload(e, id2, e->dk_ben);
	assert_non_null(p);
	free(p);

	/* the files never hold the text in clear */
	assert_int_equal(store_checkpoint(e->st, &cause), 0);
	assert_false(unit_db_has(e->db, "Lotus"));
	store_close(e->st);
	e->st = NULL;
	assert_false(unit_db_has(e->db, "Lotus"));
	assert_true(unit_db_has(e->db, "k/ann"));	/* keys are clear */
	e->st = unit_store(e->dir, "stoppvif.db");
}

/* Listed newest first, by status, bounded; an unknown status refused. */
static void
test_list(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m;
	struct error		 err = { 0 };
	json_t			*l, *o;
	const char		*keys[] = { "a", "b", "c", "d" };
	int64_t			 ids[4];
	size_t			 i;

	for (i = 0; i < 4; i++) {
		m = msg(keys[i], e->ann, "email", 1000 + (int64_t)i);
		enqueue(e, e->dk_ann, &m, NULL);
		ids[i] = row_id(e, keys[i]);
	}
	unit_exec(e->st, "UPDATE outbox SET status = 'sent' WHERE id = ?1",
	    ids[1]);
	unit_exec(e->st, "UPDATE outbox SET status = 'failed',"
	    " last_error = 'no route' WHERE id = ?1", ids[2]);

	l = outbox_list(e->st, NULL, 100, &err);
	assert_non_null(l);
	assert_int_equal(json_array_size(l), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(l,
	    0), "id")), ids[3]);			/* newest first */
	o = json_array_get(l, 3);
	assert_string_equal(json_string_value(json_object_get(o, "key")), "a");
	assert_int_equal(json_integer_value(json_object_get(o, "person")),
	    e->ann);
	assert_null(json_object_get(o, "payload"));	/* never listed */
	json_decref(l);

	l = outbox_list(e->st, "pending", 100, &err);
	assert_int_equal(json_array_size(l), 2);
	json_decref(l);
	l = outbox_list(e->st, "failed", 100, &err);
	assert_int_equal(json_array_size(l), 1);
	o = json_array_get(l, 0);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), ids[2]);
	assert_string_equal(json_string_value(json_object_get(o, "error")),
	    "no route");
	json_decref(l);
	l = outbox_list(e->st, "cancelled", 100, &err);
	assert_int_equal(json_array_size(l), 0);
	json_decref(l);
	l = outbox_list(e->st, NULL, 2, &err);
	assert_int_equal(json_array_size(l), 2);
	json_decref(l);

	assert_null(outbox_list(e->st, "lost", 100, &err));
	unit_error_is(&err, ERR_INVALID, "status");
	error_clear(&err);

	l = outbox_counts(e->st);
	assert_int_equal(json_integer_value(json_object_get(l, "pending")), 2);
	assert_int_equal(json_integer_value(json_object_get(l, "sent")), 1);
	assert_int_equal(json_integer_value(json_object_get(l, "failed")), 1);
	assert_int_equal(json_integer_value(json_object_get(l, "cancelled")),
	    0);
	json_decref(l);
}

/* A failed message goes back to pending, due now, attempts from zero. */
static void
test_retry(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m = msg("r/1", e->ann, "email", 1000);
	struct error		 err = { 0 };
	int64_t			 id, t0;

	enqueue(e, e->dk_ann, &m, NULL);
	id = row_id(e, m.key);
	unit_exec(e->st, "UPDATE outbox SET status = 'failed', attempts = 7,"
	    " last_error = 'gave up' WHERE id = ?1", id);

	t0 = util_now();
	assert_int_equal(outbox_retry(e->st, id, &err), 0);
	assert_int_equal(err.kind, ERR_NONE);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox WHERE"
	    " id = ?1 AND status = 'pending' AND attempts = 0"
	    " AND last_error IS NULL", id), 1);
	assert_true(unit_int(e->st, "SELECT not_before FROM outbox"
	    " WHERE id = ?1", id) >= t0);
	assert_true(unit_int(e->st, "SELECT not_before FROM outbox"
	    " WHERE id = ?1", id) <= util_now());
	assert_true(unit_int(e->st, "SELECT retried FROM outbox"
	    " WHERE id = ?1", id) >= t0);
	/* a pending one may be retried too: due now */
	assert_int_equal(outbox_retry(e->st, id, &err), 0);

	assert_int_equal(outbox_retry(e->st, id + 100, &err), -1);
	unit_error_is(&err, ERR_NOT_FOUND, "id");
	error_clear(&err);

	unit_exec(e->st, "UPDATE outbox SET status = 'sent' WHERE id = ?1", id);
	assert_int_equal(outbox_retry(e->st, id, &err), -1);
	unit_error_is(&err, ERR_CONFLICT, "id");
	error_clear(&err);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox WHERE"
	    " id = ?1 AND status = 'sent'", id), 1);

	unit_exec(e->st, "UPDATE outbox SET status = 'cancelled'"
	    " WHERE id = ?1", id);
	assert_int_equal(outbox_retry(e->st, id, &err), -1);
	unit_error_is(&err, ERR_CONFLICT, "id");
	error_clear(&err);
}

/* An event's pending messages: cancelled, or taken back to be redone. */
static void
test_event_messages(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m;
	int64_t			 earliest = 0, sent;
	int			 n = -1;
	char			*cause = NULL;

	/* event 7: three reminders, one already sent; event 8: one */
	m = msg("e7/a", e->ann, "email", 1);
	m.event_id = 7;
	m.occurrence = 100000;
	m.offset = 86400;
	enqueue(e, e->dk_ann, &m, NULL);
	m.key = "e7/b";
	m.offset = 3600;
	enqueue(e, e->dk_ann, &m, NULL);
	m.key = "e7/c";
	m.offset = 90000;
	enqueue(e, e->dk_ann, &m, NULL);
	sent = row_id(e, "e7/c");
	unit_exec(e->st, "UPDATE outbox SET status = 'sent' WHERE id = ?1",
	    sent);
	m.key = "e8/a";
	m.event_id = 8;
	enqueue(e, e->dk_ann, &m, NULL);
	assert_int_equal(unit_int(e->st, "SELECT occurrence FROM outbox"
	    " WHERE id = ?1", row_id(e, "e7/a")), 100000);
	assert_int_equal(unit_int(e->st, "SELECT remind_offset FROM outbox"
	    " WHERE id = ?1", row_id(e, "e7/a")), 86400);

	/* taken back: the pending ones go, the earliest reminder is told */
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(outbox_take_back(e->st, 7, &earliest, &cause), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	assert_int_equal(earliest, 100000 - 86400);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE event_id = 7", 0), 1);		/* the sent one */
	assert_int_equal(row_id(e, "e7/c"), sent);
	assert_int_equal(outbox_take_back(e->st, 7, &earliest, &cause), 0);
	assert_int_equal(earliest, -1);

	/* cancelled: pending ones of that event only */
	assert_int_equal(outbox_cancel_event(e->st, 8, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE status = 'cancelled'", 0), 1);
	assert_int_equal(outbox_cancel_event(e->st, 8, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE id = ?1 AND status = 'sent'", sent), 1);
}

static int	checks;

/* A check that refuses what mentions "Lotus" on the sms channel. */
static int
refuse_sms(void *arg, const struct outbox_msg *m, char **cause)
{
	checks++;
	assert_ptr_equal(arg, &checks);
	if (strcmp(m->channel, "sms") == 0 && strstr(m->payload, "Lotus")) {
		util_cause(cause, "word not allowed on a phone");
		return -1;
	}
	return 0;
}

/* What the check refuses is kept as failed, with why, never pending. */
static void
test_check_refuses(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m = msg("c/sms", e->ben, "sms", 1);
	int			 inserted = 0;
	char			*why;

	checks = 0;
	outbox_set_check(refuse_sms, &checks);
	enqueue(e, e->dk_ben, &m, &inserted);
	assert_int_equal(inserted, 1);
	why = unit_text(e->st, "SELECT last_error FROM outbox WHERE id = ?1",
	    row_id(e, "c/sms"));
	assert_non_null(why);
	assert_non_null(strstr(why, "word not allowed on a phone"));
	free(why);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE id = ?1 AND status = 'failed'", row_id(e, "c/sms")), 1);

	m = msg("c/email", e->ann, "email", 1);
	enqueue(e, e->dk_ann, &m, NULL);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE id = ?1 AND status = 'pending'", row_id(e, "c/email")), 1);
	assert_int_equal(checks, 2);
	/* a key already there is not checked again */
	enqueue(e, e->dk_ann, &m, &inserted);
	assert_int_equal(inserted, 0);
	assert_int_equal(checks, 2);
	outbox_set_check(NULL, NULL);
}

/* The outbox writes in the caller's transaction: a rollback undoes it. */
static void
test_rollback(void **state)
{
	struct env		*e = env_open(state);
	struct outbox_msg	 m = msg("t/1", e->ann, "email", 1);
	int			 inserted = 0;
	char			*cause = NULL;

	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(outbox_enqueue(e->st, e->dk_ann, &m, &inserted,
	    &cause), 0);
	assert_int_equal(inserted, 1);
	assert_int_equal(count_rows(e), 1);
	store_rollback(e->st);
	assert_int_equal(count_rows(e), 0);
	/* and then queued for real */
	enqueue(e, e->dk_ann, &m, &inserted);
	assert_int_equal(inserted, 1);
	assert_int_equal(count_rows(e), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_enqueue_unique, teardown),
		cmocka_unit_test_teardown(test_payload_sealed, teardown),
		cmocka_unit_test_teardown(test_list, teardown),
		cmocka_unit_test_teardown(test_retry, teardown),
		cmocka_unit_test_teardown(test_event_messages, teardown),
		cmocka_unit_test_teardown(test_check_refuses, teardown),
		cmocka_unit_test_teardown(test_rollback, teardown),
	};

	log_init("test_outbox", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
