/*
 * test_backup.c: the online backup over a real database and a real event
 * base.  The copy is stepped: a database of several hundred pages takes
 * several turns of the loop, and rows written between two steps by the
 * store's own connection are in the copy; the copy is whole, mode 0600,
 * and no temporary file stays.  One backup at a time; the paths refused
 * (relative, missing folder, the state folder, an existing file without
 * force, the database itself even with force); a backup stopped by the
 * daemon's end leaves no file.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>
#include <sqlite3.h>

#include "backup.h"
#include "config.h"
#include "crypt.h"
#include "error.h"
#include "store.h"
#include "util.h"

#include "unit_env.h"

#define FILL_ROWS	600	/* of 4000 bytes: some 600 pages, 5 steps */

struct env {
	char			*dir, *state, *out, *file;
	struct store		*st;
	struct crypt_key	*master;
	struct config		 conf;
	struct event_base	*base;
	struct backup		*bk;
	struct event		*writer;
	int			 written;	/* rows during the backup */
	int			 turns;		/* writer calls while running */
};

static int
setup(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);
	char		*path;
	int		 i;

	*state = e;
	e->dir = unit_tmpdir("test_backup");
	xasprintf(&e->state, "%s/state", e->dir);
	xasprintf(&e->out, "%s/out", e->dir);
	xasprintf(&e->file, "%s/out/copie de sûreté.db", e->dir);
	assert_int_equal(mkdir(e->state, 0700), 0);
	assert_int_equal(mkdir(e->out, 0700), 0);
	e->master = unit_master(e->dir);
	e->st = unit_store(e->state, "stoppvif.db");
	xasprintf(&path, "%s/master.key", e->dir);
	e->conf.state_dir = e->state;
	e->conf.key_file = path;
	for (i = 0; i < FILL_ROWS; i++)
		unit_exec(e->st, "INSERT INTO meta (key, value) VALUES "
		    "('fill' || ?1, zeroblob(4000))", i);
	e->base = event_base_new();
	e->bk = backup_new(e->base, e->st);
	return 0;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	backup_free(e->bk);
	if (e->writer != NULL)
		event_free(e->writer);
	event_base_free(e->base);
	store_close(e->st);
	crypt_key_free(e->master);
	unit_rmtree(e->dir);
	free(e->conf.key_file);
	free(e->dir);
	free(e->state);
	free(e->out);
	free(e->file);
	free(e);
	return 0;
}

/* The state of the last backup ("none", "running", ...). */
static char *
bk_state(struct env *e)
{
	json_t	*o = backup_status(e->bk);
	char	*s = xstrdup(json_string_value(json_object_get(o, "state")));

	json_decref(o);
	return s;
}

/* Each turn of the loop while the backup runs: one more row, written by
 * the store's connection as the daemon's modules write. */
static void
writer(evutil_socket_t fd, short what, void *arg)
{
	struct env	*e = arg;
	struct timeval	 now = { 0, 0 };
	char		*s = bk_state(e);

	if (strcmp(s, "running") == 0) {
		e->turns++;
		unit_exec(e->st, "INSERT INTO meta (key, value) VALUES "
		    "('during' || ?1, zeroblob(3000))", e->written++);
		evtimer_add(e->writer, &now);
	}
	free(s);
}

/* An integer sql answers on the database at path. */
static int64_t
file_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*stmt;
	int64_t		 v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
	    SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

/* How many entries the folder has. */
static int
dir_entries(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_stepped_copy_has_rows_written_meanwhile(void **state)
{
	struct env	*e = *state;
	struct error	 err = { 0 };
	struct timeval	 now = { 0, 0 };
	struct stat	 sb;
	json_t		*o;
	char		*s;

	assert_int_equal(backup_start(e->bk, e->file, 0, &e->conf, &err), 1);
	e->writer = evtimer_new(e->base, writer, e);
	evtimer_add(e->writer, &now);
	assert_int_equal(event_base_dispatch(e->base), 1);
	s = bk_state(e);
	assert_string_equal(s, "done");
	free(s);
	o = backup_status(e->bk);
	/* several steps, with the writer's turns between them */
	assert_true(json_integer_value(json_object_get(o, "pages_total")) >
	    3 * 128);
	json_decref(o);
	assert_true(e->turns >= 3);
	/* every row written while it ran is in the copy, and the rest */
	assert_int_equal(file_int(e->file, "SELECT count(*) FROM meta "
	    "WHERE key LIKE 'during%'"), e->written);
	assert_int_equal(file_int(e->file, "SELECT count(*) FROM meta "
	    "WHERE key LIKE 'fill%'"), FILL_ROWS);
	assert_int_equal(file_int(e->file, "SELECT count(*) FROM "
	    "pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	assert_int_equal(stat(e->file, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(dir_entries(e->out), 1);	/* no temporary left */
}

static void
test_one_at_a_time_and_paths_refused(void **state)
{
	struct env	*e = *state;
	struct error	 err = { 0 };
	char		*p, *db, *s;

	assert_int_equal(backup_start(e->bk, e->file, 0, &e->conf, &err), 1);
	assert_int_equal(backup_start(e->bk, e->file, 0, &e->conf, &err), -1);
	assert_int_equal(err.kind, ERR_CONFLICT);
	assert_non_null(strstr(err.message, "déjà en cours"));
	assert_int_equal(event_base_dispatch(e->base), 1);
	/* the file exists now: only with force */
	assert_int_equal(backup_start(e->bk, e->file, 0, &e->conf, &err), -1);
	assert_int_equal(err.kind, ERR_CONFLICT);
	assert_string_equal(err.field, "file");
	assert_non_null(strstr(err.message, "--force"));
	assert_int_equal(backup_start(e->bk, e->file, 1, &e->conf, &err), 2);
	assert_int_equal(event_base_dispatch(e->base), 1);
	s = bk_state(e);
	assert_string_equal(s, "done");
	free(s);
	/* relative, a missing folder, the state folder, a folder */
	assert_int_equal(backup_start(e->bk, "out/b.db", 0, &e->conf, &err),
	    -1);
	assert_string_equal(err.field, "file");
	xasprintf(&p, "%s/nope/b.db", e->dir);
	assert_int_equal(backup_start(e->bk, p, 0, &e->conf, &err), -1);
	assert_non_null(strstr(err.message, "n'existe pas"));
	free(p);
	xasprintf(&p, "%s/b.db", e->state);
	assert_int_equal(backup_start(e->bk, p, 1, &e->conf, &err), -1);
	assert_non_null(strstr(err.message, "dossier de la base"));
	free(p);
	assert_int_equal(backup_start(e->bk, e->out, 1, &e->conf, &err), -1);
	assert_non_null(strstr(err.message, "est un dossier"));
	/* the database through another name of its own, even with force */
	xasprintf(&db, "%s/stoppvif.db", e->state);
	xasprintf(&p, "%s/lien.db", e->out);
	assert_int_equal(link(db, p), 0);
	assert_int_equal(backup_start(e->bk, p, 1, &e->conf, &err), -1);
	assert_non_null(strstr(err.message, "la base ou la clé"));
	free(db);
	free(p);
	/* the key file too */
	xasprintf(&p, "%s/cle.db", e->out);
	assert_int_equal(link(e->conf.key_file, p), 0);
	assert_int_equal(backup_start(e->bk, p, 1, &e->conf, &err), -1);
	assert_non_null(strstr(err.message, "la base ou la clé"));
	free(p);
	error_clear(&err);
}

static void
test_stopped_backup_leaves_nothing(void **state)
{
	struct env	*e = *state;
	struct error	 err = { 0 };

	assert_int_equal(backup_start(e->bk, e->file, 0, &e->conf, &err), 1);
	/* one step only, then the daemon stops */
	assert_int_equal(event_base_loop(e->base, EVLOOP_ONCE), 0);
	backup_free(e->bk);
	e->bk = NULL;
	assert_int_equal(dir_entries(e->out), 0);
	assert_int_equal(access(e->file, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_stepped_copy_has_rows_written_meanwhile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_one_at_a_time_and_paths_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stopped_backup_leaves_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
