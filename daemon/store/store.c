/*
 * store.c: the SQLite database: look at it before start-up (a folder, a
 * foreign or damaged file, no write permission: refused, saying what to
 * do), open with the pragmas stoppvif relies on, migrate, and hand out
 * cached prepared statements.  The errors a user can meet at run time (a
 * full disk, a lock, a read-only file, an I/O error) go back to the caller
 * in French with what to do; the log keeps SQLite's English.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * secure_delete: what is deleted or overwritten (an erased person's fields,
 * a payload past [privacy] keep_bodies) is zeroed in the page, and freed
 * pages are zeroed too, so that no copy stays in the file; after such an
 * erasure the WAL is checkpointed and truncated (store_checkpoint), so that
 * none stays in the WAL either.  With WAL there is no rollback journal.
 *
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

/* ---- before start-up: what is at the database's path ---- */

int
store_writable(const char *path, char **cause)
{
	struct stat	 sb;
	int		 dir;

	if (stat(path, &sb) == -1) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	dir = S_ISDIR(sb.st_mode);
	if (faccessat(AT_FDCWD, path, dir ? W_OK | X_OK : R_OK | W_OK,
	    AT_EACCESS) == 0)
		return 0;
	if (errno == EROFS)
		util_cause(cause, "%s is on a read-only file system, and "
		    "stoppvifd needs to write %s: mount it read-write, or set "
		    "state_dir to a writable folder", path, dir ?
		    "its database, journal and key in it" : "it");
	else
		util_cause(cause, "%s is not writable by stoppvifd (uid %u), "
		    "and stoppvifd needs to write %s: it is owned by uid %u "
		    "with mode %04o; give it to the daemon's user (chown %u "
		    "%s; chmod %s %s)", path, (unsigned)geteuid(), dir ?
		    "its database, journal and key in it" : "it",
		    (unsigned)sb.st_uid, (unsigned)(sb.st_mode & 07777),
		    (unsigned)geteuid(), path, dir ? "u+rwx" : "u+rw", path);
	return -1;
}

/* What to do with a database that cannot be used, after "PATH is ...". */
#define STORE_RESTORE							\
	"restore it from your backup (copy the backup over %s and remove "	\
	"%s-wal if there is one), or move it aside (mv %s %s.bad) and start "	\
	"once with stoppvifd --init on a new, empty database"

/* The cause for SQLite's error code rc met while looking at path. */
static void
store_probe_cause(sqlite3 *db, int rc, const char *path, char **cause)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		util_cause(cause, "%s is not a stoppvif database (not an SQLite "
		    "file); " STORE_RESTORE, path, path, path, path, path);
		break;
	case SQLITE_CORRUPT:
		util_cause(cause, "%s is damaged (%s), and stoppvifd will not "
		    "run on it; " STORE_RESTORE, path, sqlite3_errmsg(db), path,
		    path, path, path);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		util_cause(cause, "%s: database is locked: another stoppvifd "
		    "(or a sqlite3 shell) has it open", path);
		break;
	case SQLITE_IOERR:
		util_cause(cause, "%s: disk I/O error while reading it (%s): "
		    "check the disk (the kernel's log), then restore the "
		    "database from your backup if it cannot be read", path,
		    sqlite3_errmsg(db));
		break;
	default:
		util_cause(cause, "%s: cannot read the database: %s", path,
		    sqlite3_errmsg(db));
	}
}

/*
 * PRAGMA quick_check on the open db: 0 when it says "ok", else -1 with
 * *cause quoting its first finding.  It reads every page once, without the
 * index-against-table comparison of integrity_check: a few tens of
 * milliseconds for a year of a network's data.
 */
static int
store_probe_check(sqlite3 *db, const char *path, char **cause)
{
	sqlite3_stmt	*stmt = NULL;
	const char	*row;
	int		 rc;

	if ((rc = sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE", NULL,
	    NULL, NULL)) != SQLITE_OK || (rc = sqlite3_prepare_v2(db,
	    "PRAGMA quick_check(3)", -1, &stmt, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_step(stmt)) != SQLITE_ROW) {
		store_probe_cause(db, rc, path, cause);
		sqlite3_finalize(stmt);
		return -1;
	}
	row = (const char *)sqlite3_column_text(stmt, 0);
	if (row != NULL && strcmp(row, "ok") == 0) {
		sqlite3_finalize(stmt);
		return 0;
	}
	/* the first finding, after the "*** in database main ***" line */
	if (row == NULL)
		row = "no answer";
	else if (strncmp(row, "***", 3) == 0 && strchr(row, '\n') != NULL)
		row = strchr(row, '\n') + 1;
	util_cause(cause, "%s is damaged (PRAGMA quick_check: %.*s), and "
	    "stoppvifd will not run on it; " STORE_RESTORE, path,
	    (int)strcspn(row, "\n"), row, path, path, path, path);
	sqlite3_finalize(stmt);
	return -1;
}

int64_t
store_db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*stmt;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/*
 * A checked SQLite file: STORE_DATA when it has stoppvif's schema,
 * STORE_EMPTY when it has no table at all, else refused: another
 * program's database must not be migrated into ours.
 */
static int
store_probe_schema(sqlite3 *db, const char *path, char **cause)
{
	if (store_db_int(db, "PRAGMA user_version") > 0)
		return STORE_DATA;
	if (store_db_int(db, "SELECT count(*) FROM sqlite_master") == 0)
		return STORE_EMPTY;
	util_cause(cause, "%s is an SQLite database of another program (it "
	    "has tables but not stoppvif's); " STORE_RESTORE, path, path, path,
	    path, path);
	return -1;
}

/* A non-empty regular file at path: opened, checked, its schema read. */
static int
store_probe_file(const char *path, char **cause)
{
	sqlite3	*db = NULL;
	int	 rc, found = -1;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (db == NULL)
			fatalx("store out_of_memory call=sqlite3_open_v2");
		store_probe_cause(db, rc, path, cause);
	} else if (sqlite3_db_readonly(db, "main") == 1)
		util_cause(cause, "%s can only be opened read-only, and "
		    "stoppvifd needs to write it: check its owner and mode, "
		    "and its folder's", path);
	else if (store_probe_check(db, path, cause) == 0)
		found = store_probe_schema(db, path, cause);
	sqlite3_close(db);
	return found;
}

int
store_probe(const char *path, char **cause)
{
	struct stat	 sb;

	if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			return STORE_NONE;
		util_cause(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		util_cause(cause, "%s is a folder, not the database file: move "
		    "it aside (mv %s %s.bad), then put back the database from "
		    "your backup, or start once with stoppvifd --init on a new, "
		    "empty database", path, path, path);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		util_cause(cause, "%s is not a regular file (mode %06o): it "
		    "must be the database file", path, (unsigned)sb.st_mode);
		return -1;
	}
	if (store_writable(path, cause) == -1)
		return -1;
	if (sb.st_size == 0)
		return STORE_EMPTY;
	return store_probe_file(path, cause);
}

/* ---- the store ---- */

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
	/* erased rows and payloads must be zeroed in the file: fail closed */
	if (store_db_int(st->db, "PRAGMA secure_delete") != 1) {
		util_cause(cause, "%s: this SQLite does not zero deleted "
		    "content (PRAGMA secure_delete): erased data would stay in "
		    "the file; use a build of SQLite that has it", path);
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
		fatalx("store prepare_failed sql=\"%s\" error=\"%s\"",
		    LOG_QUOTE(sql), LOG_QUOTE(sqlite3_errmsg(st->db)));
	st->cache = xreallocarray(st->cache, st->ncache + 1,
	    sizeof *st->cache);
	st->cache[st->ncache].sql = sql;
	st->cache[st->ncache].stmt = stmt;
	st->ncache++;
	return stmt;
}

/*
 * The errors of SQLite a user can meet at run time, by primary result code:
 * what the client is told, in French, with what to do.
 */
static const struct {
	int		 code;
	const char	*fr;
} store_user_errors[] = {
	{ SQLITE_FULL, "le disque du serveur est plein : rien n'a été "
	  "enregistré ; l'administrateur doit libérer de la place (ou "
	  "agrandir le disque) avant de recommencer" },
	{ SQLITE_BUSY, "la base de données est occupée par un autre programme "
	  "(un autre stoppvifd ou l'outil sqlite3) : rien n'a été enregistré ;"
	  " fermez-le, puis recommencez" },
	{ SQLITE_LOCKED, "la base de données est occupée : rien n'a été "
	  "enregistré ; recommencez dans un instant" },
	{ SQLITE_READONLY, "la base de données est en lecture seule : rien n'a "
	  "été enregistré ; l'administrateur doit rendre le dossier d'état et "
	  "le fichier stoppvif.db inscriptibles par stoppvifd" },
	{ SQLITE_IOERR, "erreur de lecture ou d'écriture sur le disque du "
	  "serveur : rien n'a été enregistré ; l'administrateur doit vérifier "
	  "le disque (journal du noyau) et, si besoin, restaurer la sauvegarde" },
};

/*
 * The cause of the last failure on st, in *cause: the French text of
 * store_user_errors, logged with SQLite's English (what names the step); any
 * other error as SQLite says it.
 */
void
store_cause(struct store *st, const char *what, char **cause)
{
	int	 code = sqlite3_extended_errcode(st->db) & 0xff;
	size_t	 i;

	for (i = 0; i < sizeof store_user_errors /
	    sizeof store_user_errors[0]; i++) {
		if (store_user_errors[i].code != code)
			continue;
		log_warnx("store %s_failed error=\"%s\"", what,
		    LOG_QUOTE(sqlite3_errmsg(st->db)));
		util_cause(cause, "%s", store_user_errors[i].fr);
		return;
	}
	util_cause(cause, "database: %s", sqlite3_errmsg(st->db));
}

/* Run a statement-less SQL command, the step what. */
static int
store_exec(struct store *st, const char *sql, const char *what,
    char **cause)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		store_cause(st, what, cause);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *st, char **cause)
{
	return store_exec(st, "BEGIN IMMEDIATE", "begin", cause);
}

int
store_commit(struct store *st, char **cause)
{
	if (store_exec(st, "COMMIT", "commit", cause) == -1) {
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

int
store_try_write(struct store *st, char **cause)
{
	static int64_t	 probes;
	int64_t		 v[2];

	if (store_in_txn(st))
		return 0;	/* a transaction is open: its commit will tell */
	/* a value never written before: SQLite skips a write of the same
	 * bytes, and the commit would then write nothing */
	v[0] = util_now();
	v[1] = ++probes;
	if (store_begin(st, cause) == -1)
		return -1;
	if (store_meta_set(st, "ready_probe", v, sizeof v, cause) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, cause);
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
	store_cause(st, "step", cause);
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
		store_cause(st, "checkpoint", cause);
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

sqlite3_backup *
store_backup_init(struct store *st, sqlite3 *dst, char **cause)
{
	sqlite3_backup	*bk;

	if ((bk = sqlite3_backup_init(dst, "main", st->db, "main")) == NULL)
		util_cause(cause, "%s", sqlite3_errmsg(dst));
	return bk;
}
