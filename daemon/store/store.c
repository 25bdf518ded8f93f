/*
 * store.c: the SQLite database: open with the pragmas stoppvif relies on,
 * migrate, and hand out cached prepared statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migrate.h"
#include "store.h"
#include "util.h"

#define STORE_BUSY_MS	5000	/* wait for a lock at most this long */

struct store_cached {
	const char	*sql;		/* static string: the cache key */
	sqlite3_stmt	*stmt;
};

struct store {
	sqlite3			*db;
	char			*path;
	struct store_cached	*cache;
	size_t			 ncache;
};

/*
 * Exclusive locking, set before WAL is first used: the daemon is the only
 * process that opens the database, so its WAL index lives in its own memory
 * instead of a shared -shm file, and a read costs no lock system calls (two
 * fcntl() per statement otherwise, the dispatcher's main overhead after
 * libcurl).  A second daemon, or a sqlite3 shell, on a live database gets
 * "database is locked".
 */
static const char *const store_pragmas =
	"PRAGMA locking_mode = EXCLUSIVE;"
	"PRAGMA journal_mode = WAL;"
	"PRAGMA synchronous = FULL;"
	"PRAGMA foreign_keys = ON;"
	"PRAGMA secure_delete = ON;";

struct store *
store_open(const char *path, char **cause)
{
	struct store	*st;
	char		*err = NULL;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		util_cause(cause, "%s: cannot open the database: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* Locked: another process has it (exclusively); no use waiting. */
	if (sqlite3_exec(st->db, store_pragmas, NULL, NULL, &err) !=
	    SQLITE_OK || (sqlite3_exec(st->db, "BEGIN IMMEDIATE; COMMIT", NULL,
	    NULL, &err) != SQLITE_OK)) {
		if ((sqlite3_extended_errcode(st->db) & 0xff) == SQLITE_BUSY)
			util_cause(cause, "%s: database is locked: another "
			    "stoppvifd (or a sqlite3 shell) has it open", path);
		else
			util_cause(cause, "%s: %s", path, err);
		sqlite3_free(err);
		goto fail;
	}
	if (migrate_run(st->db, migrate_latest(), cause) == -1)
		goto fail;
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	return st;
fail:
	store_close(st);
	return NULL;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	free(st->cache);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store close_failed error=\"%s\"",
		    sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;
	size_t		 i;

	for (i = 0; i < st->ncache; i++) {
		if (st->cache[i].sql == sql) {
			stmt = st->cache[i].stmt;
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			return stmt;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &stmt, NULL) != SQLITE_OK)
		fatalx("store: cannot prepare \"%s\": %s", sql,
		    sqlite3_errmsg(st->db));
	st->cache = xreallocarray(st->cache, st->ncache + 1,
	    sizeof *st->cache);
	st->cache[st->ncache].sql = sql;
	st->cache[st->ncache].stmt = stmt;
	st->ncache++;
	return stmt;
}

/* Run a statement-less SQL command. */
static int
store_exec(struct store *st, const char *sql, char **cause)
{
	char	*err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		util_cause(cause, "database: %s: %s", sql,
		    err ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *st, char **cause)
{
	return store_exec(st, "BEGIN IMMEDIATE", cause);
}

int
store_commit(struct store *st, char **cause)
{
	if (store_exec(st, "COMMIT", cause) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int
store_in_txn(struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

void
store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	if (sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("store rollback_failed error=\"%s\"",
		    sqlite3_errmsg(st->db));
}

int
store_exec_stmt(struct store *st, sqlite3_stmt *stmt, char **cause)
{
	int	 rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(stmt);
		return 0;
	}
	util_cause(cause, "database: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(stmt);
	return -1;
}

size_t
store_ids(sqlite3_stmt *stmt, int64_t **ids)
{
	size_t	 n = 0;

	*ids = NULL;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, n + 1, sizeof **ids);
		(*ids)[n++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	return n;
}

int64_t
store_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

int
store_changes(struct store *st)
{
	return sqlite3_changes(st->db);
}

const char *
store_errmsg(struct store *st)
{
	return sqlite3_errmsg(st->db);
}

int
store_checkpoint(struct store *st, char **cause)
{
	int	 logsz = 0, ckpt = 0;

	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    &logsz, &ckpt) != SQLITE_OK) {
		util_cause(cause, "database checkpoint: %s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
store_meta_get(struct store *st, const char *key, void **val, size_t *len)
{
	static const char *const sql = "SELECT value FROM meta WHERE key = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	const void	*blob;
	int		 rc, n;

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(stmt);
		return -1;
	}
	blob = sqlite3_column_blob(stmt, 0);
	n = sqlite3_column_bytes(stmt, 0);
	*val = xmalloc((size_t)n + 1);
	if (n > 0)
		memcpy(*val, blob, (size_t)n);
	*len = (size_t)n;
	sqlite3_reset(stmt);
	return 1;
}

int
store_meta_set(struct store *st, const char *key, const void *val,
    size_t len, char **cause)
{
	static const char *const sql =
	    "INSERT INTO meta (key, value) VALUES (?, ?)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt	*stmt = store_stmt(st, sql);

	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 2, val, (int)len, SQLITE_STATIC);
	return store_exec_stmt(st, stmt, cause);
}

int
store_version(struct store *st)
{
	static const char *const sql = "PRAGMA user_version";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int		 v = -1;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return v;
}
