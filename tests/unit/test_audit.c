/*
 * test_audit.c: the audit log's MAC chain (audit.c, audit_chain.c) on a
 * real database and a real master key.  The attacker writes to the
 * database file through a second SQLite connection, as anyone with write
 * access to it could, but has no key: every change must be named by
 * audit_verify(); the daemon's own work (entries, pruning) must keep it
 * passing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pwd.h>
#include <time.h>

#include "audit.h"
#include "config.h"
#include "migrate.h"
#include "unit_env.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

struct fx {
	char			*dir, *path;
	struct crypt_key	*master;
	struct config		*conf;
	struct store		*st;
};

/* Open the store at fx->path and start its audit log. */
static void
fx_open(struct fx *fx)
{
	char	*cause = NULL;

	if ((fx->st = store_open(fx->path, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	if (audit_start(fx->st, fx->master, &fx->conf, &cause) == -1)
		fail_msg("audit_start: %s", cause);
}

static int
setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);

	log_init("test_audit", 1, LOG_LEVEL_WARN);
	fx->dir = unit_tmpdir("test_audit");
	fx->master = unit_master(fx->dir);
	xasprintf(&fx->path, "%s/stoppvif.db", fx->dir);
	fx->conf = xcalloc(1, sizeof *fx->conf);
	fx->conf->keep_audit = 365 * 86400;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*fx = *state;

	store_close(fx->st);
	crypt_key_free(fx->master);
	unit_rmtree(fx->dir);
	free(fx->dir);
	free(fx->path);
	free(fx->conf);
	free(fx);
	return 0;
}

/*
 * Run sql on the attacker's connection, with the store closed (it holds
 * the database in exclusive mode, as the daemon does): as an edit made
 * with the daemon stopped.  The store is opened again after, its audit log
 * started as at a daemon's start.
 */
static void
fx_raw(struct fx *fx, const char *fmt, ...)
{
	va_list	 ap;
	sqlite3	*db;
	char	*sql, *err = NULL;

	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	va_start(ap, fmt);
	xvasprintf(&sql, fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	free(sql);
	sqlite3_close(db);
	fx_open(fx);
}

/* n entries by uid 0, on objects 1..n. */
static void
fx_record(struct fx *fx, int n)
{
	char	*cause = NULL;
	int	 i;

	for (i = 1; i <= n; i++)
		if (audit_record(fx->st, 0, "people.edit", "person", i,
		    &cause) == -1)
			fail_msg("audit_record: %s", cause);
}

/* The check's answer (the caller frees it). */
static json_t *
fx_verify(struct fx *fx)
{
	json_t	*v;
	char	*cause = NULL;

	if ((v = audit_verify(fx->st, &cause)) == NULL)
		fail_msg("audit_verify: %s", cause);
	return v;
}

/* Assert that the check fails first at row id (0: not a row) with a
 * reason holding word. */
static void
fx_broken_at(struct fx *fx, int64_t id, const char *word)
{
	json_t		*v = fx_verify(fx);
	const char	*reason;

	assert_false(json_is_true(json_object_get(v, "ok")));
	if (id == 0)
		assert_true(json_is_null(json_object_get(v, "id")));
	else
		assert_int_equal(json_integer_value(json_object_get(v, "id")),
		    id);
	reason = json_string_value(json_object_get(v, "reason"));
	assert_non_null(reason);
	if (strstr(reason, word) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", reason, word);
	json_decref(v);
}

/* Assert that the check passes over n entries. */
static void
fx_ok(struct fx *fx, int64_t n)
{
	json_t	*v = fx_verify(fx);

	if (!json_is_true(json_object_get(v, "ok")))
		fail_msg("chain broken: %s", json_string_value(
		    json_object_get(v, "reason")));
	assert_int_equal(json_integer_value(json_object_get(v, "entries")), n);
	json_decref(v);
}

/* Clumsy: an empty log checks, and so does one written to. */
static void
test_untouched(void **state)
{
	struct fx	*fx = *state;
	json_t		*v, *list;
	int		 n = 5;

	fx_open(fx);
	fx_ok(fx, 0);
	fx_record(fx, 5);
	fx_ok(fx, 5);
	/* the actor is the user's name, with the uid beside it */
	list = audit_list(fx->st, 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(list, 0), "actor")), "root");
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(list, 0), "uid")), 0);
	json_decref(list);
	/* a uid without a user name is written as such */
	if (getpwuid(54321) == NULL) {
		char	*cause = NULL;

		assert_int_equal(audit_record(fx->st, 54321, "people.show",
		    "person", 1, &cause), 0);
		list = audit_list(fx->st, 1);
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(list, 0), "actor")), "uid:54321");
		json_decref(list);
		n++;
	}
	fx_ok(fx, n);
	/* and across a restart */
	store_close(fx->st);
	fx_open(fx);
	fx_ok(fx, n);
	v = fx_verify(fx);
	assert_int_equal(json_integer_value(json_object_get(v, "first")), 1);
	assert_int_equal(json_integer_value(json_object_get(v, "last")), n);
	json_decref(v);
}

/* Attacker: a one-byte edit of any column is named at its row, and only
 * that row. */
static void
test_one_byte_edits(void **state)
{
	struct fx	*fx = *state;
	static const char *const edits[] = {
		"action = 'people.edis'", "at = replace(at, '2', '3')",
		"actor = 'roos'", "uid = 1", "uid = NULL",
		"object = 'persoN'", "object_id = 4", "object_id = NULL",
		"mac = NULL", "mac = x'00'", "id = 40",
	};
	json_t		*v;
	size_t		 i;

	fx_open(fx);
	fx_record(fx, 6);
	fx_raw(fx, "CREATE TABLE keep AS SELECT * FROM audit");
	for (i = 0; i < nitems(edits); i++) {
		fx_raw(fx, "UPDATE audit SET %s WHERE id = 3", edits[i]);
		if (strcmp(edits[i], "id = 40") == 0) {
			/* a row moved to the end: row 4 misses row 3 */
			fx_broken_at(fx, 4, "supprimée");
			fx_raw(fx, "DELETE FROM audit WHERE id = 40");
		} else {
			fx_broken_at(fx, 3, "");
			v = fx_verify(fx);
			assert_int_equal(json_integer_value(json_object_get(v,
			    "problem_count")), 1);
			json_decref(v);
			fx_raw(fx, "DELETE FROM audit WHERE id = 3");
		}
		fx_raw(fx, "INSERT INTO audit SELECT * FROM keep WHERE id = 3");
		fx_ok(fx, 6);
	}
}

/* Attacker: deleting, swapping and cutting rows. */
static void
test_deletions_and_moves(void **state)
{
	struct fx	*fx = *state;

	fx_open(fx);
	fx_record(fx, 8);
	fx_raw(fx, "CREATE TABLE keep AS SELECT * FROM audit");
	/* a middle row */
	fx_raw(fx, "DELETE FROM audit WHERE id = 4");
	fx_broken_at(fx, 5, "l'entrée n° 4 a été supprimée");
	fx_raw(fx, "INSERT INTO audit SELECT * FROM keep WHERE id = 4");
	fx_ok(fx, 8);
	/* two rows' contents swapped */
	fx_raw(fx, "UPDATE audit SET object_id = 99 WHERE id = 2;"
	    "UPDATE audit SET object_id = 2 WHERE id = 6;"
	    "UPDATE audit SET object_id = 6 WHERE id = 2");
	fx_broken_at(fx, 2, "modifiée");
	fx_raw(fx, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep");
	fx_ok(fx, 8);
	/* the end cut off: the tip says what is missing */
	fx_raw(fx, "DELETE FROM audit WHERE id >= 7");
	fx_broken_at(fx, 7, "fin du journal");
	/* an entry written after that is chained to the true end: the cut
	 * stays visible */
	fx_record(fx, 1);
	fx_broken_at(fx, 9, "n° 7 à 8 ont été supprimées");
	/* the start cut off */
	fx_raw(fx, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep");
	fx_raw(fx, "DELETE FROM audit WHERE id <= 2");
	fx_broken_at(fx, 3, "début du journal");
}

/* Attacker: the chain's ends moved to pass a cut for pruning or a cut
 * end for the true one; a forged row without the key. */
static void
test_ends_and_forgery(void **state)
{
	struct fx	*fx = *state;

	fx_open(fx);
	fx_record(fx, 5);
	fx_raw(fx, "CREATE TABLE keep AS SELECT * FROM audit;"
	    "CREATE TABLE keep_ends AS SELECT * FROM audit_chain");
	/* rows 1-2 deleted, the anchor moved onto row 2 as if pruned */
	fx_raw(fx, "DELETE FROM audit WHERE id <= 2;"
	    "UPDATE audit_chain SET pruned_id = 2, pruned_mac ="
	    " (SELECT mac FROM keep WHERE id = 2)");
	fx_broken_at(fx, 0, "audit_chain");
	fx_raw(fx, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep;"
	    "DELETE FROM audit_chain;"
	    "INSERT INTO audit_chain SELECT * FROM keep_ends");
	fx_ok(fx, 5);
	/* the end cut, the tip moved back onto row 4 */
	fx_raw(fx, "DELETE FROM audit WHERE id = 5;"
	    "UPDATE audit_chain SET tip_id = 4, tip_mac ="
	    " (SELECT mac FROM keep WHERE id = 4)");
	fx_broken_at(fx, 0, "audit_chain");
	/* the state deleted altogether */
	fx_raw(fx, "DELETE FROM audit_chain");
	fx_broken_at(fx, 0, "supprimé");
	/* restored; a row forged with another row's MAC */
	fx_raw(fx, "DELETE FROM audit; INSERT INTO audit SELECT * FROM keep;"
	    "INSERT INTO audit_chain SELECT * FROM keep_ends");
	fx_raw(fx, "INSERT INTO audit (at, actor, uid, action, object,"
	    " object_id, mac) SELECT at, actor, uid, 'people.remove', object,"
	    " object_id, mac FROM keep WHERE id = 5");
	fx_broken_at(fx, 6, "modifiée");
	/* the daemon goes on recording, and seals nothing it cannot check */
	fx_raw(fx, "UPDATE audit_chain SET tip_id = 6");
	fx_record(fx, 2);
	fx_broken_at(fx, 6, "");
	store_close(fx->st);
	fx_open(fx);
	fx_broken_at(fx, 6, "");
	fx_raw(fx, "DELETE FROM audit WHERE id = 6");
	fx_broken_at(fx, 0, "audit_chain");
}

/* Wait until the clock has passed t by more than a second. */
static void
fx_after(time_t t)
{
	while (time(NULL) <= t + 1)
		usleep(100 * 1000);
}

/* Pruning goes oldest first, keeps the chain checkable, and stops at a
 * row that does not check. */
static void
test_pruning(void **state)
{
	struct fx	*fx = *state;
	json_t		*v;
	time_t		 t;

	fx->conf->keep_audit = 1;
	fx_open(fx);
	fx_record(fx, 4);
	t = time(NULL);
	fx_after(t);
	/* one entry prunes the four before it */
	fx_record(fx, 1);
	assert_int_equal(unit_int(fx->st, "SELECT count(*) FROM audit", 0), 1);
	fx_ok(fx, 1);
	v = fx_verify(fx);
	assert_int_equal(json_integer_value(json_object_get(v, "pruned_to")),
	    4);
	assert_int_equal(json_integer_value(json_object_get(v, "first")), 5);
	json_decref(v);
	/* an edit is still found after pruning (keep_audit longer, so that
	 * the starts after each edit prune nothing) */
	fx->conf->keep_audit = 3600;
	fx_raw(fx, "UPDATE audit SET action = 'x' WHERE id = 5");
	fx_broken_at(fx, 5, "modifiée");
	fx_raw(fx, "UPDATE audit SET action = 'people.edit' WHERE id = 5");
	fx_ok(fx, 1);
	/* a tampered row is not pruned, nor anything after it */
	fx_record(fx, 2);
	fx_raw(fx, "UPDATE audit SET object_id = 9 WHERE id = 6");
	fx->conf->keep_audit = 1;
	fx_after(time(NULL));
	fx_record(fx, 1);
	assert_int_equal(unit_int(fx->st, "SELECT min(id) FROM audit", 0), 6);
	fx_broken_at(fx, 6, "modifiée");
	/* put back, nothing goes while keep_audit keeps it */
	fx->conf->keep_audit = 3600;
	fx_raw(fx, "UPDATE audit SET object_id = 1 WHERE id = 6");
	assert_int_equal(unit_int(fx->st, "SELECT min(id) FROM audit", 0), 6);
	fx_ok(fx, 3);
	/* a start prunes too */
	fx->conf->keep_audit = 1;
	store_close(fx->st);
	fx_after(time(NULL));
	fx_open(fx);
	assert_int_equal(unit_int(fx->st, "SELECT count(*) FROM audit", 0), 0);
	fx_ok(fx, 0);
	fx_record(fx, 1);
	fx_ok(fx, 1);
}

/* Clumsy: a database of the previous version, with entries: the first
 * start chains them, once. */
static void
test_old_database(void **state)
{
	struct fx	*fx = *state;
	sqlite3		*db;
	char		*cause = NULL;
	json_t		*list;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(migrate_run(db, 9, &cause), 0);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO audit (at, uid, action,"
	    " object, object_id) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ',"
	    " 'now', '-2 days'), 1001, 'people.add', 'person', 1),"
	    " (strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day'), 0, 'reload',"
	    " 'config', NULL)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	fx_open(fx);
	fx_ok(fx, 2);
	list = audit_list(fx->st, 10);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(list, 1), "actor")), "uid:1001");
	assert_true(json_is_null(json_object_get(json_array_get(list, 0),
	    "object_id")));
	json_decref(list);
	fx_record(fx, 1);
	fx_ok(fx, 3);
	/* the old entries are protected like the new ones */
	fx_raw(fx, "UPDATE audit SET uid = 0 WHERE id = 1");
	fx_broken_at(fx, 1, "modifiée");
	/* taking the seal away does not get them chained again */
	fx_raw(fx, "UPDATE audit_chain SET seal = NULL");
	store_close(fx->st);
	fx_open(fx);
	fx_broken_at(fx, 1, "modifiée");
}

/* Attacker: texts that are not UTF-8 in a row do not break the listing,
 * and the check names the row. */
static void
test_hostile_bytes(void **state)
{
	struct fx	*fx = *state;
	json_t		*list;

	fx_open(fx);
	fx_record(fx, 2);
	fx_raw(fx, "UPDATE audit SET actor = CAST(x'ff00fe' AS TEXT),"
	    " at = x'00' WHERE id = 2");
	list = audit_list(fx->st, 10);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	fx_broken_at(fx, 2, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_untouched, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_edits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deletions_and_moves,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_ends_and_forgery, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pruning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hostile_bytes, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
