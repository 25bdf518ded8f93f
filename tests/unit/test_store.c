/*
 * test_store.c: the store over a real SQLite file: a new database opened
 * in WAL and migrated, the statement cache (one statement per string,
 * handed back reset and unbound), transactions (a rolled-back write is
 * gone, also after a reopen), reopening keeps the data, the exclusive lock
 * refuses a second opener, the WAL checkpoint, and the refusal of a
 * database newer than this program or of a file that is no database; the
 * errors a user meets (full disk, read-only) handed back in French; what
 * store_probe() finds at a path (nothing, zero bytes, data, a damaged
 * file, text, another program's database, a folder).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "migrate.h"
#include "store.h"
#include "util.h"

#include "unit_env.h"

static char	*tmpdir;
static int	 seq;

static const char *const sql_count =
    "SELECT count(*) FROM people WHERE lang = ?1";
static const char *const sql_insert =
    "INSERT INTO people (lang, created, updated) VALUES (?1, 'x', 'x')";

/* A fresh database path in the temp folder; free() it. */
static char *
db_path(void)
{
	char	*p;

	xasprintf(&p, "%s/db%d.sqlite", tmpdir, seq++);
	return p;
}

static struct store *
open_ok(const char *path)
{
	struct store	*st;
	char		*cause = NULL;

	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	return st;
}

/* Insert one row into people with lang; its id. */
static int64_t
insert_lang(struct store *st, const char *lang)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql_insert);
	char		*cause = NULL;

	sqlite3_bind_text(stmt, 1, lang, -1, SQLITE_STATIC);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		fail_msg("insert: %s", cause);
	assert_int_equal(store_changes(st), 1);
	return store_last_id(st);
}

static int64_t
count_lang(struct store *st, const char *lang)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql_count);
	int64_t		 n = -1;

	sqlite3_bind_text(stmt, 1, lang, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return n;
}

static off_t
file_size(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* A new file: created, WAL, migrated to the latest schema. */
static void
test_open_new(void **state)
{
	char		*path = db_path(), *wal;
	struct store	*st;
	sqlite3_stmt	*stmt;

	assert_int_equal(file_size(path), -1);
	st = open_ok(path);
	assert_true(file_size(path) > 0);
	assert_int_equal(store_version(st), migrate_latest());
	stmt = store_stmt(st, "PRAGMA journal_mode");
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_reset(stmt);
	assert_int_equal(unit_int(st, "SELECT count(*) FROM sqlite_master"
	    " WHERE name IN ('people', 'events', 'outbox')", 0), 3);
	assert_int_equal(store_in_txn(st), 0);
	xasprintf(&wal, "%s-wal", path);
	assert_true(file_size(wal) >= 0);	/* the WAL is there */
	store_close(st);
	free(wal);
	free(path);
}

/* One statement per SQL string, handed back reset and unbound. */
static void
test_stmt_cache(void **state)
{
	static const char *const sql = "SELECT ?1 UNION ALL SELECT 2";
	char		*path = db_path();
	struct store	*st = open_ok(path);
	sqlite3_stmt	*a, *b;

	a = store_stmt(st, sql);
	assert_non_null(a);
	assert_int_equal(sqlite3_bind_int(a, 1, 41), SQLITE_OK);
	assert_int_equal(sqlite3_step(a), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(a, 0), 41);
	/* left mid-way and bound: the cache resets and clears it */
	b = store_stmt(st, sql);
	assert_ptr_equal(a, b);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(b, 0), SQLITE_NULL);
	assert_int_equal(sqlite3_step(b), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(b, 0), 2);
	assert_int_equal(sqlite3_step(b), SQLITE_DONE);
	/* another string: another statement */
	assert_ptr_not_equal(store_stmt(st, sql_count), a);
	assert_ptr_equal(store_stmt(st, sql_count),
	    store_stmt(st, sql_count));
	store_close(st);
	free(path);
}

/* BEGIN ... ROLLBACK undoes, BEGIN ... COMMIT keeps. */
static void
test_transactions(void **state)
{
	char		*path = db_path(), *cause = NULL;
	struct store	*st = open_ok(path);

	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_in_txn(st), 1);
	insert_lang(st, "nl");
	assert_int_equal(count_lang(st, "nl"), 1);	/* seen inside */
	store_rollback(st);
	assert_int_equal(store_in_txn(st), 0);
	assert_int_equal(count_lang(st, "nl"), 0);	/* gone */

	assert_int_equal(store_begin(st, &cause), 0);
	insert_lang(st, "de");
	assert_int_equal(store_commit(st, &cause), 0);
	assert_int_equal(store_in_txn(st), 0);
	assert_int_equal(count_lang(st, "de"), 1);

	/* rollback and commit outside a transaction */
	store_rollback(st);
	assert_int_equal(count_lang(st, "de"), 1);
	assert_int_equal(store_commit(st, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;

	/* nested BEGIN is refused, the open transaction stays usable */
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_begin(st, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(store_in_txn(st), 1);
	insert_lang(st, "en");
	store_rollback(st);
	assert_int_equal(count_lang(st, "en"), 0);

	/* after a reopen: only what was committed */
	store_close(st);
	st = open_ok(path);
	assert_int_equal(count_lang(st, "nl"), 0);
	assert_int_equal(count_lang(st, "en"), 0);
	assert_int_equal(count_lang(st, "de"), 1);
	store_close(st);
	free(path);
}

/* A failing statement: -1, a cause, and the store still works. */
static void
test_exec_error(void **state)
{
	static const char *const bad =
	    "INSERT INTO people (lang, created, updated) VALUES ('fr', NULL, 'x')";
	char		*path = db_path(), *cause = NULL;
	struct store	*st = open_ok(path);

	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_exec_stmt(st, store_stmt(st, bad), &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "NOT NULL"));
	assert_non_null(strstr(store_errmsg(st), "NOT NULL"));
	free(cause);
	cause = NULL;
	insert_lang(st, "fr");
	assert_int_equal(store_commit(st, &cause), 0);
	assert_int_equal(count_lang(st, "fr"), 1);
	store_close(st);
	free(path);
}

/* Closing and opening again keeps the rows, the meta table, the version. */
static void
test_reopen(void **state)
{
	static const char *const ids = "SELECT id FROM people ORDER BY id";
	char		*path = db_path(), *cause = NULL;
	struct store	*st = open_ok(path);
	int64_t		 a, b, *got = NULL;
	void		*val = NULL;
	size_t		 len = 0;

	assert_int_equal(store_begin(st, &cause), 0);
	a = insert_lang(st, "nl");
	b = insert_lang(st, "nl");
	assert_int_equal(store_meta_set(st, "check", "\0\1\2", 3, &cause), 0);
	assert_int_equal(store_commit(st, &cause), 0);
	assert_true(b > a);
	store_close(st);

	st = open_ok(path);
	assert_int_equal(store_version(st), migrate_latest());
	assert_int_equal(store_ids(store_stmt(st, ids), &got), 2);
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
	free(got);
	assert_int_equal(store_meta_get(st, "check", &val, &len), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(val, "\0\1\2", 3);
	free(val);
	assert_int_equal(store_meta_get(st, "nothing", &val, &len), 0);
	/* no rows: NULL and 0 */
	assert_int_equal(store_ids(store_stmt(st, "SELECT id FROM people"
	    " WHERE id < 0"), &got), 0);
	assert_null(got);
	store_close(st);
	free(path);
}

/* The daemon holds its database exclusively: a second opener is told. */
static void
test_second_open_refused(void **state)
{
	char		*path = db_path(), *cause = NULL;
	struct store	*st = open_ok(path), *again;

	again = store_open(path, &cause);
	assert_null(again);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "locked"));
	free(cause);
	store_close(st);
	/* once closed, it opens */
	st = open_ok(path);
	store_close(st);
	free(path);
}

/* A checkpoint empties the WAL into the database. */
static void
test_checkpoint(void **state)
{
	char		*path = db_path(), *wal, *cause = NULL;
	struct store	*st = open_ok(path);
	int		 i;

	xasprintf(&wal, "%s-wal", path);
	assert_int_equal(store_begin(st, &cause), 0);
	for (i = 0; i < 50; i++)
		insert_lang(st, "en");
	assert_int_equal(store_commit(st, &cause), 0);
	assert_true(file_size(wal) > 0);
	assert_int_equal(store_checkpoint(st, &cause), 0);
	assert_int_equal(file_size(wal), 0);
	assert_int_equal(count_lang(st, "en"), 50);
	store_close(st);
	free(wal);
	free(path);
}

/* A database written by a newer stoppvif is refused, and left alone. */
static void
test_newer_refused(void **state)
{
	char		*path = db_path(), *sql, *cause = NULL;
	sqlite3		*db;
	sqlite3_stmt	*stmt;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	xasprintf(&sql, "PRAGMA user_version = %d", migrate_latest() + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	sqlite3_close(db);

	assert_null(store_open(path, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "newer"));
	free(cause);

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1,
	    &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), migrate_latest() + 1);
	sqlite3_finalize(stmt);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM"
	    " sqlite_master", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), 0);	/* untouched */
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
}

/* A file that is not a database: refused with a cause, no crash. */
static void
test_not_a_database(void **state)
{
	char	*path = db_path(), *cause = NULL;
	FILE	*fp;
	int	 i;

	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < 256; i++)
		fputs("this is not an SQLite database\n", fp);
	fclose(fp);
	assert_null(store_open(path, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, path));
	free(cause);
	free(path);
}

/* Run one PRAGMA (a static string) on the store's own connection. */
static void
store_pragma(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql);

	while (sqlite3_step(stmt) == SQLITE_ROW)
		;
	sqlite3_reset(stmt);
}

/*
 * A full disk (max_page_count reached): the write fails, the cause is in
 * French and says what to do, SQLite's English stays for the log; the
 * store works again once there is room.
 */
static void
test_full_disk_in_french(void **state)
{
	static const char *const cap = "PRAGMA max_page_count = 64";
	static const char *const uncap = "PRAGMA max_page_count = 1000000";
	char		*path = db_path(), *cause = NULL, key[32];
	struct store	*st = open_ok(path);
	static char	 blob[16384];
	int		 i, rc = 0;

	store_pragma(st, cap);
	for (i = 0; i < 200 && rc == 0; i++) {
		snprintf(key, sizeof key, "filler%d", i);
		rc = store_meta_set(st, key, blob, sizeof blob, &cause);
	}
	assert_int_equal(rc, -1);
	assert_non_null(strstr(cause, "disque du serveur est plein"));
	assert_non_null(strstr(cause, "libérer de la place"));
	assert_null(strstr(cause, "full"));
	assert_non_null(strstr(store_errmsg(st), "full"));
	free(cause);
	cause = NULL;
	store_pragma(st, uncap);
	assert_int_equal(store_meta_set(st, "after", "x", 1, &cause), 0);
	store_close(st);
	free(path);
}

/* A read-only database (query_only here) and a transaction: in French. */
static void
test_readonly_in_french(void **state)
{
	static const char *const ro = "PRAGMA query_only = 1";
	static const char *const rw = "PRAGMA query_only = 0";
	char		*path = db_path(), *cause = NULL;
	struct store	*st = open_ok(path);
	sqlite3_stmt	*stmt;

	store_pragma(st, ro);
	stmt = store_stmt(st, sql_insert);
	sqlite3_bind_text(stmt, 1, "fr", -1, SQLITE_STATIC);
	assert_int_equal(store_exec_stmt(st, stmt, &cause), -1);
	assert_non_null(strstr(cause, "lecture seule"));
	assert_non_null(strstr(cause, "inscriptibles par stoppvifd"));
	free(cause);
	cause = NULL;
	store_pragma(st, rw);
	insert_lang(st, "fr");
	assert_int_equal(count_lang(st, "fr"), 1);
	store_close(st);
	free(path);
}

/* store_probe() on path: the found value, or -1 with a cause holding want. */
static void
probe_is(const char *path, int found, const char *want)
{
	char	*cause = NULL;

	assert_int_equal(store_probe(path, &cause), found);
	if (want == NULL) {
		assert_null(cause);
		return;
	}
	if (cause == NULL || strstr(cause, want) == NULL)
		fail_msg("probe %s: \"%s\" wanted in \"%s\"", path, want,
		    cause ? cause : "(none)");
	free(cause);
}

/* Write text n times into a new file at path. */
static void
write_file(const char *path, const char *text, int n)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	while (n-- > 0)
		fputs(text, fp);
	fclose(fp);
}

/* Overwrite 4 pages in the middle of the file at path with noise. */
static void
damage_file(const char *path)
{
	unsigned char	 noise[4 * 4096];
	FILE		*fp;
	size_t		 i;

	for (i = 0; i < sizeof noise; i++)
		noise[i] = (unsigned char)(i * 7919 + 13);
	assert_non_null(fp = fopen(path, "r+"));
	fseek(fp, file_size(path) / 2 / 4096 * 4096, SEEK_SET);
	fwrite(noise, 1, sizeof noise, fp);
	fclose(fp);
}

/* What the daemon finds at its database path before opening it. */
static void
test_probe(void **state)
{
	char		*path = db_path(), *cause = NULL;
	struct store	*st;
	sqlite3		*db;
	int		 i;

	probe_is(path, STORE_NONE, NULL);
	write_file(path, "", 0);
	probe_is(path, STORE_EMPTY, NULL);
	st = open_ok(path);
	for (i = 0; i < 3000; i++)
		insert_lang(st, "nl");
	store_close(st);
	probe_is(path, STORE_DATA, NULL);
	damage_file(path);
	probe_is(path, -1, "is damaged (");
	probe_is(path, -1, "--init");
	write_file(path, "people;events\n", 500);
	probe_is(path, -1, "not a stoppvif database");
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	probe_is(path, -1, "another program");
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	probe_is(path, -1, "is a folder");
	rmdir(path);
	assert_int_equal(store_writable(tmpdir, &cause), 0);
	free(path);
}

static int
group_setup(void **state)
{
	log_init("test_store", 1, LOG_LEVEL_WARN);
	tmpdir = unit_tmpdir("test_store");
	return 0;
}

static int
group_teardown(void **state)
{
	unit_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_new),
		cmocka_unit_test(test_stmt_cache),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_exec_error),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_second_open_refused),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_newer_refused),
		cmocka_unit_test(test_not_a_database),
		cmocka_unit_test(test_full_disk_in_french),
		cmocka_unit_test(test_readonly_in_french),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
