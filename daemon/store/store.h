/*
 * store.h: the one SQLite database.  The store is the sole owner of the
 * sqlite3 handle and of every prepared statement: modules keep their SQL as
 * static strings and ask store_stmt() for the statement, prepared once and
 * cached by the string's address, reset and unbound on each call.
 *
 * Every change and the messages it causes go in one transaction:
 * store_begin() ... store_commit(), or store_rollback() on any failure.
 */
#ifndef STOPPVIF_STORE_H
#define STOPPVIF_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct store;

/* What store_probe() found at the database's path. */
enum store_found {
	STORE_NONE,		/* no file: a new database */
	STORE_EMPTY,		/* a file of zero bytes, or SQLite without tables */
	STORE_DATA,		/* a database with stoppvif's schema */
};

/*
 * Look at the database at path before store_open(), creating nothing: a
 * folder, a file that is not SQLite or another program's database, one
 * that PRAGMA quick_check finds damaged, one locked by another process or
 * that the daemon cannot write are refused.  Returns an enum store_found,
 * or -1 with *cause saying what is wrong and how to restore.
 */
int		 store_probe(const char *path, char **cause);
/*
 * Whether the daemon (its effective uid) may write path, a file or a
 * folder: 0, or -1 with *cause naming it, its owner and mode, and the fix.
 */
int		 store_writable(const char *path, char **cause);
/* One integer that sql answers on db (a connection of one's own, such as
 * a file being checked), or -1: an error, or no row. */
int64_t		 store_db_int(sqlite3 *db, const char *sql);

/*
 * Open (creating when missing) the database at path: WAL, synchronous FULL,
 * foreign keys, busy timeout, secure_delete; then run the migrations.
 * Returns NULL with *cause set on failure.
 */
struct store	*store_open(const char *path, char **cause);
/* Finalize every statement and close; NULL is ignored. */
void		 store_close(struct store *);

/*
 * The statement for sql (a string with static storage), reset and with its
 * bindings cleared.  A statement that does not prepare is a programming error
 * and fatal.
 */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  Returns 0 or -1 with *cause. */
int		 store_begin(struct store *, char **cause);
int		 store_commit(struct store *, char **cause);
void		 store_rollback(struct store *);
/* Whether a transaction is open. */
int		 store_in_txn(struct store *);
/*
 * Whether the daemon can write now (readiness): one row of meta written
 * and committed.  The exclusive lock makes BEGIN alone always succeed; a
 * full disk, a read-only file system or an I/O error show at a commit.
 * 0, or -1 with *cause.
 */
int		 store_try_write(struct store *, char **cause);

/*
 * Step a statement that returns no row; 0 or -1 with *cause.  A cause the
 * user can act on (a full disk, a lock, a read-only database, an I/O error)
 * is in French and says what to do; SQLite's English goes to the log.  So
 * for store_begin, store_commit and store_checkpoint.
 */
int		 store_exec_stmt(struct store *, sqlite3_stmt *, char **cause);
/*
 * Step stmt to its end and reset it: its first column, as integers, in *ids
 * (a new array, free() it; NULL when none).  Returns how many.
 */
size_t		 store_ids(sqlite3_stmt *, int64_t **ids);
int64_t		 store_last_id(struct store *);
int		 store_changes(struct store *);
const char	*store_errmsg(struct store *);
/* The last failure on the store as a cause for the user: French with what
 * to do for a full disk, a lock, a read-only file or an I/O error (SQLite's
 * English goes to the log, naming the step what), else "database: ...". */
void		 store_cause(struct store *, const char *what, char **cause);

/*
 * Checkpoint the WAL into the database and truncate it, so that pages
 * overwritten by secure_delete are gone from the WAL file too.
 */
int		 store_checkpoint(struct store *, char **cause);

/* The meta table: small named blobs (key check value, ...). */
int		 store_meta_get(struct store *, const char *key, void **val,
		    size_t *len);	/* 1 found, 0 missing, -1 error */
int		 store_meta_set(struct store *, const char *key,
		    const void *val, size_t len, char **cause);

/* The schema version (PRAGMA user_version). */
int		 store_version(struct store *);

/*
 * An online backup of the database into dst (backup.c steps it): the
 * store's own connection is the source, so that what the daemon writes
 * meanwhile reaches the copy too.  NULL with *cause.
 */
sqlite3_backup	*store_backup_init(struct store *, sqlite3 *dst, char **cause);

#endif
