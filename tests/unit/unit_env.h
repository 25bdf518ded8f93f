/*
 * unit_env.h: what the unit tests of the store, the people, the outbox, the
 * scheduler and the dispatcher share: a private temp folder, a real master
 * key, a fresh database, people to write to, and small queries.
 *
 * Only tests/unit/test_X.c is compiled for a test, so everything here is
 * static inline.  Include it after <cmocka.h>: the helpers assert.
 */
#ifndef STOPPVIF_UNIT_ENV_H
#define STOPPVIF_UNIT_ENV_H

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "crypt.h"
#include "error.h"
#include "log.h"
#include "people.h"
#include "store.h"
#include "util.h"

/* A new private folder "/tmp/NAME.XXXXXX" (mode 0700); free() the path. */
static inline char *
unit_tmpdir(const char *name)
{
	char	*dir;

	xasprintf(&dir, "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

static inline int
unit_rm_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

/* Remove dir and everything under it (links are not followed). */
static inline void
unit_rmtree(const char *dir)
{
	if (dir != NULL)
		nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A master key created 0600 in dir, as the daemon makes it at first start. */
static inline struct crypt_key *
unit_master(const char *dir)
{
	struct crypt_key	*k;
	char			*path, *cause = NULL;
	int			 created = 0;

	assert_int_equal(crypt_init(), 0);
	xasprintf(&path, "%s/master.key", dir);
	if ((k = crypt_master_load(path, 1, &created, &cause)) == NULL)
		fail_msg("master key: %s", cause);
	assert_int_equal(created, 1);
	free(path);
	return k;
}

/* A new database dir/NAME, opened and migrated. */
static inline struct store *
unit_store(const char *dir, const char *name)
{
	struct store	*st;
	char		*path, *cause = NULL;

	xasprintf(&path, "%s/%s", dir, name);
	if ((st = store_open(path, &cause)) == NULL)
		fail_msg("store_open %s: %s", path, cause);
	free(path);
	return st;
}

/* Add the person described by json (a request of people.h); the id. */
static inline int64_t
unit_person(struct store *st, const struct crypt_key *master,
    const char *json)
{
	struct error	 err = { ERR_NONE, NULL, NULL };
	json_t		*req = json_loads(json, 0, NULL);
	char		*cause = NULL;
	int64_t		 id = 0;

	assert_non_null(req);
	assert_int_equal(store_begin(st, &cause), 0);
	if (people_add(st, master, req, "fr", &id, &err) == -1)
		fail_msg("people_add %s: %s: %s", json, err.field ? err.field :
		    "-", err.message);
	assert_int_equal(store_commit(st, &cause), 0);
	json_decref(req);
	assert_true(id > 0);
	return id;
}

/*
 * The first column of the first row of sql as an integer, -1 when there is
 * no row.  sql must be a string literal: the store caches statements by
 * the string's address.  arg is bound to ?1 when sql has a parameter.
 */
static inline int64_t
unit_int(struct store *st, const char *sql, int64_t arg)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 v = -1;

	if (sqlite3_bind_parameter_count(stmt) > 0)
		sqlite3_bind_int64(stmt, 1, arg);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return v;
}

/* The same for a text column: a new string, NULL for no row or NULL. */
static inline char *
unit_text(struct store *st, const char *sql, int64_t arg)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		*v = NULL;

	if (sqlite3_bind_parameter_count(stmt) > 0)
		sqlite3_bind_int64(stmt, 1, arg);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		v = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return v;
}

/* Run sql (a string literal) with ?1 bound to arg when it has one. */
static inline void
unit_exec(struct store *st, const char *sql, int64_t arg)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		*cause = NULL;

	if (sqlite3_bind_parameter_count(stmt) > 0)
		sqlite3_bind_int64(stmt, 1, arg);
	if (store_exec_stmt(st, stmt, &cause) == -1)
		fail_msg("%s: %s", sql, cause);
}

/* The whole content of path (NUL-terminated) and its size; free() it. */
static inline char *
unit_slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 n = 0, cap = 0, got;

	if ((fp = fopen(path, "r")) == NULL) {
		*len = 0;
		return xstrdup("");
	}
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			buf = xreallocarray(buf, 1, cap);
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Whether the file at path holds the bytes of s anywhere (0 when missing). */
static inline int
unit_file_has(const char *path, const char *s)
{
	size_t	 len;
	char	*buf = unit_slurp(path, &len);
	int	 found = memmem(buf, len, s, strlen(s)) != NULL;

	free(buf);
	return found;
}

/*
 * Whether any file of the database at path (the file, its -wal and its
 * -journal) holds s.
 */
static inline int
unit_db_has(const char *path, const char *s)
{
	const char *const sfx[] = { "", "-wal", "-journal" };
	char		*p;
	size_t		 i;
	int		 found = 0;

	for (i = 0; i < sizeof sfx / sizeof sfx[0] && !found; i++) {
		xasprintf(&p, "%s%s", path, sfx[i]);
		found = unit_file_has(p, s);
		free(p);
	}
	return found;
}

/* The folder of the running test binary (new string). */
static inline char *
unit_exe_dir(void)
{
	char	 buf[PATH_MAX];
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", buf, sizeof buf - 1)) == -1)
		fail_msg("readlink /proc/self/exe: %s", strerror(errno));
	buf[n] = '\0';
	return util_dirname(buf);
}

/* Whether err is of kind with field (NULL: none). */
static inline void
unit_error_is(const struct error *err, enum error_kind kind,
    const char *field)
{
	if (err->kind != kind)
		fail_msg("error kind %d, expected %d (field %s: %s)",
		    (int)err->kind, (int)kind, err->field ? err->field : "-",
		    err->message ? err->message : "-");
	if (field == NULL)
		assert_null(err->field);
	else {
		assert_non_null(err->field);
		assert_string_equal(err->field, field);
	}
	assert_non_null(err->message);
}

#endif
