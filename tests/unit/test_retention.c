/*
 * test_retention.c: retention over a real database, a real spool folder
 * and a real event base.  Which payloads are erased and when (sent, failed,
 * cancelled, never pending; exactly at keep), what the next erasure is, that
 * the erased ciphertext is in no database file after the checkpoint, what
 * a person's erasure takes (payloads, waiting messages, spool files, never
 * another's or what is not the plugin's, never through a link), and spool
 * files deleted by age on the timer.
 */
#include <sys/stat.h>

#include <fcntl.h>
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

#include "config.h"
#include "crypt.h"
#include "error.h"
#include "outbox.h"
#include "people.h"
#include "retention.h"
#include "store.h"
#include "util.h"

#include "unit_env.h"

#define PAYLOAD	"{\"title\":\"Atelier Quenouille\"}"
#define KEEP	1000

struct env {
	char			*dir, *db, *spool;
	struct store		*st;
	struct crypt_key	*master;
	int64_t			 ann, ben;
	struct config		 conf;
	struct config		*confp;
	struct event_base	*base;
	struct retention	*ret;
};

static struct env *
env_open(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);

	*state = e;
	e->dir = unit_tmpdir("test_retention");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	xasprintf(&e->db, "%s/stoppvif.db", e->dir);
	xasprintf(&e->spool, "%s/spool", e->dir);
	e->ann = unit_person(e->st, e->master, "{\"name\": \"Ann\","
	    " \"roles\": [\"referent\"], \"email\": \"ann@example.be\"}");
	e->ben = unit_person(e->st, e->master, "{\"name\": \"Ben\","
	    " \"roles\": [\"referent\"], \"email\": \"ben@example.be\"}");
	/* a configuration with no channel section: both spool, in dir */
	xasprintf(&e->conf.file, "%s/stoppvif.ini", e->dir);
	e->conf.state_dir = e->dir;
	e->conf.keep_bodies = KEEP;
	e->conf.keep_spool = KEEP;
	e->confp = &e->conf;
	return e;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	if (e == NULL)
		return 0;
	retention_free(e->ret);
	if (e->base != NULL)
		event_base_free(e->base);
	store_close(e->st);
	crypt_key_free(e->master);
	unit_rmtree(e->dir);
	free(e->conf.file);
	free(e->dir);
	free(e->db);
	free(e->spool);
	free(e);
	return 0;
}

/* Queue key to person, then set its status and times; the row id. */
static int64_t
queue(struct env *e, const char *key, int64_t person, const char *status,
    int64_t not_before, int64_t sent)
{
	static const char *const upd = "UPDATE outbox SET status = ?2,"
	    " not_before = ?3, sent = ?4 WHERE id = ?1";
	struct crypt_key	*dk;
	struct outbox_msg	 m;
	sqlite3_stmt		*stmt;
	char			*cause = NULL, utc[32];
	int64_t			 id;

	dk = people_data_key(e->st, e->master, person, &cause);
	assert_non_null(dk);
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = "reminder";
	m.person_id = person;
	m.channel = "email";
	m.not_before = not_before;
	m.payload = PAYLOAD;
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(outbox_enqueue(e->st, dk, &m, NULL, &cause), 0);
	id = store_last_id(e->st);
	stmt = store_stmt(e->st, upd);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, not_before);
	if (sent != 0)
		sqlite3_bind_text(stmt, 4, util_utc_format(sent, utc,
		    sizeof utc), -1, SQLITE_TRANSIENT);
	assert_int_equal(store_exec_stmt(e->st, stmt, &cause), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	crypt_key_free(dk);
	return id;
}

/* Whether row id still has its payload. */
static int
has_payload(struct env *e, int64_t id)
{
	return unit_int(e->st, "SELECT payload IS NOT NULL FROM outbox"
	    " WHERE id = ?1", id) == 1;
}

/* The sealed payload of row id (a new buffer) and its size. */
static uint8_t *
ciphertext(struct env *e, int64_t id, size_t *len)
{
	static const char *const sql = "SELECT payload FROM outbox WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(e->st, sql);
	uint8_t		*ct;

	sqlite3_bind_int64(stmt, 1, id);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	*len = (size_t)sqlite3_column_bytes(stmt, 0);
	assert_true(*len > 16);
	ct = xmalloc(*len);
	memcpy(ct, sqlite3_column_blob(stmt, 0), *len);
	sqlite3_reset(stmt);
	return ct;
}

/* Whether any database file (file, WAL, journal) holds the bytes. */
static int
db_holds(struct env *e, const uint8_t *b, size_t n)
{
	const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char		*p, *buf;
	size_t		 i, len;
	int		 found = 0;

	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		xasprintf(&p, "%s%s", e->db, sfx[i]);
		buf = unit_slurp(p, &len);
		found |= memmem(buf, len, b, n) != NULL;
		free(buf);
		free(p);
	}
	return found;
}

/* Erased rows are flagged in the list; a failed one is not sent again. */
static void
check_erased(struct env *e, int64_t failed)
{
	struct error	 err = { ERR_NONE, NULL, NULL };
	json_t		*list = outbox_list(e->st, NULL, 100, &err), *row;
	size_t		 i;

	assert_non_null(list);
	json_array_foreach(list, i, row)
		assert_int_equal(json_is_true(json_object_get(row, "erased")),
		    !has_payload(e, json_integer_value(json_object_get(row,
		    "id"))));
	json_decref(list);
	assert_int_equal(outbox_retry(e->st, failed, &err), -1);
	unit_error_is(&err, ERR_CONFLICT, "id");
	assert_non_null(strstr(err.message, "keep_bodies"));
	error_clear(&err);
}

/* Sent, failed and cancelled payloads go at keep, pending ones never. */
static void
test_erase_bodies(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 now = util_now(), sent_old, sent_new, failed, cancelled,
			 pending, at_keep, next;
	uint8_t		*ct;
	size_t		 ctlen;
	char		*cause = NULL;
	int		 n = -1;

	sent_old = queue(e, "a", e->ann, "sent", now - 5000, now - 2000);
	sent_new = queue(e, "b", e->ann, "sent", now - 5000, now - 10);
	at_keep = queue(e, "c", e->ben, "sent", now - 5000, now - KEEP);
	failed = queue(e, "d", e->ben, "failed", now - 1500, 0);
	cancelled = queue(e, "e", e->ann, "cancelled", now - 1001, 0);
	pending = queue(e, "f", e->ann, "pending", now - 9000, 0);
	ct = ciphertext(e, sent_old, &ctlen);
	assert_int_equal(store_checkpoint(e->st, &cause), 0);
	assert_true(db_holds(e, ct, ctlen));	/* the scan sees it */

	assert_int_equal(outbox_erase_bodies(e->st, KEEP, now, &n, &cause), 0);
	assert_int_equal(n, 4);
	assert_false(has_payload(e, sent_old));
	assert_false(has_payload(e, at_keep));
	assert_false(has_payload(e, failed));
	assert_false(has_payload(e, cancelled));
	assert_true(has_payload(e, sent_new));
	assert_true(has_payload(e, pending));
	/* the metadata stays */
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox"
	    " WHERE status = 'sent' AND sent IS NOT NULL", 0), 3);
	/* the next: the message sent 10 s ago, at keep */
	next = outbox_next_erasure(e->st, KEEP);
	assert_int_equal(next, now - 10 + KEEP);
	assert_int_equal(outbox_erase_bodies(e->st, KEEP, now, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_checkpoint(e->st, &cause), 0);
	assert_false(db_holds(e, ct, ctlen));
	free(ct);
	check_erased(e, failed);
}

/* Nothing settled: nothing to erase, ever. */
static void
test_next_none(void **state)
{
	struct env	*e = env_open(state);

	queue(e, "p", e->ann, "pending", util_now(), 0);
	assert_int_equal(outbox_next_erasure(e->st, KEEP), -1);
}

/* Make dir/name a file with some text. */
static void
touch(const char *dir, const char *name)
{
	char	*p;
	FILE	*fp;

	xasprintf(&p, "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "w"));
	fputs("To: ann@example.be\n\nAtelier Quenouille\n", fp);
	fclose(fp);
	free(p);
}

static int
exists(const char *dir, const char *name)
{
	struct stat	 sb;
	char		*p;
	int		 rc;

	xasprintf(&p, "%s/%s", dir, name);
	rc = lstat(p, &sb) == 0;
	free(p);
	return rc;
}

/* Run the loop until the retention timer has fired once more. */
static void
turn(struct env *e)
{
	assert_int_equal(event_base_loop(e->base, EVLOOP_ONCE), 0);
}

/*
 * people_remove takes the person's payloads and spool files, cancels what
 * waits for them, in its transaction; nothing of another person, nothing
 * that is not named as the plugin names files, no link followed.
 */
static void
test_person_erased(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { ERR_NONE, NULL, NULL };
	int64_t		 now = util_now(), a1, a2, b1;
	char		 name[128], *target, *link, *cause = NULL;

	a1 = queue(e, "a1", e->ann, "sent", now - 10, now - 10);
	a2 = queue(e, "a2", e->ann, "pending", now + 3600, 0);
	b1 = queue(e, "b1", e->ben, "sent", now - 10, now - 10);
	assert_int_equal(mkdir(e->spool, 0700), 0);
	snprintf(name, sizeof name, "%lld-reminder_1_x_email.eml",
	    (long long)a1);
	touch(e->spool, name);
	snprintf(name, sizeof name, ".%lld-reminder_1_x_sms.sms.tmp",
	    (long long)a2);
	touch(e->spool, name);
	snprintf(name, sizeof name, "%lld.sms", (long long)a1);
	touch(e->spool, name);
	snprintf(name, sizeof name, "%lld-reminder_1_x_email.eml",
	    (long long)b1);
	touch(e->spool, name);
	snprintf(name, sizeof name, "%lld-mauvais nom.eml", (long long)a1);
	touch(e->spool, name);
	snprintf(name, sizeof name, "%lld-x.eml.bak", (long long)a1);
	touch(e->spool, name);
	touch(e->spool, "1234567890123456789-x.eml");
	touch(e->dir, "outside.eml");
	xasprintf(&target, "%s/outside.eml", e->dir);
	xasprintf(&link, "%s/%lld-lien.eml", e->spool, (long long)a1);
	assert_int_equal(symlink(target, link), 0);
	free(target);
	free(link);

	e->base = event_base_new();
	e->ret = retention_new(e->base, e->st, &e->confp);
	turn(e);		/* the first sweep: nothing is due */
	snprintf(name, sizeof name, "%lld.sms", (long long)a1);
	assert_true(exists(e->spool, name));

	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(people_remove(e->st, e->ann, &err), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	snprintf(name, sizeof name, "%lld-reminder_1_x_email.eml",
	    (long long)a1);
	assert_false(exists(e->spool, name));
	snprintf(name, sizeof name, ".%lld-reminder_1_x_sms.sms.tmp",
	    (long long)a2);
	assert_false(exists(e->spool, name));
	snprintf(name, sizeof name, "%lld.sms", (long long)a1);
	assert_false(exists(e->spool, name));
	snprintf(name, sizeof name, "%lld-reminder_1_x_email.eml",
	    (long long)b1);
	assert_true(exists(e->spool, name));
	snprintf(name, sizeof name, "%lld-mauvais nom.eml", (long long)a1);
	assert_true(exists(e->spool, name));
	snprintf(name, sizeof name, "%lld-x.eml.bak", (long long)a1);
	assert_true(exists(e->spool, name));
	assert_true(exists(e->spool, "1234567890123456789-x.eml"));
	snprintf(name, sizeof name, "%lld-lien.eml", (long long)a1);
	assert_true(exists(e->spool, name));
	assert_true(exists(e->dir, "outside.eml"));

	assert_false(has_payload(e, a1));
	assert_false(has_payload(e, a2));
	assert_true(has_payload(e, b1));
	assert_int_equal(unit_int(e->st, "SELECT status = 'cancelled' AND"
	    " last_error = 'recipient erased' FROM outbox WHERE id = ?1", a2),
	    1);
}

/* With no hook (tools, other tests) the erasure is as before. */
static void
test_no_hook(void **state)
{
	struct env	*e = env_open(state);
	struct error	 err = { ERR_NONE, NULL, NULL };
	char		*cause = NULL;
	int64_t		 a1;

	a1 = queue(e, "a1", e->ann, "sent", util_now(), util_now());
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(people_remove(e->st, e->ann, &err), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	assert_true(has_payload(e, a1));	/* opened by no key any more */
}

/* The timer deletes spool files by age, and erases payloads by age. */
static void
test_timer(void **state)
{
	struct env	*e = env_open(state);
	struct timespec	 old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int64_t		 now = util_now(), a1, b1;
	char		 name[128];
	int		 fd;

	a1 = queue(e, "a1", e->ann, "sent", now, now);
	b1 = queue(e, "b1", e->ben, "sent", now - 2 * KEEP, now - 2 * KEEP);
	assert_int_equal(mkdir(e->spool, 0700), 0);
	snprintf(name, sizeof name, "%lld-new.eml", (long long)a1);
	touch(e->spool, name);
	snprintf(name, sizeof name, "%lld-old.eml", (long long)b1);
	touch(e->spool, name);
	touch(e->spool, "LISEZMOI.txt");
	assert_true((fd = open(e->spool, O_RDONLY | O_DIRECTORY)) != -1);
	assert_int_equal(utimensat(fd, "LISEZMOI.txt", old, 0), 0);
	assert_int_equal(utimensat(fd, name, old, 0), 0);
	close(fd);

	e->base = event_base_new();
	e->ret = retention_new(e->base, e->st, &e->confp);
	turn(e);
	/* the old message's payload is erased, its file (written long ago,
	 * by its modification time) deleted; an old file of another name
	 * stays */
	assert_false(has_payload(e, b1));
	assert_true(has_payload(e, a1));
	assert_false(exists(e->spool, name));
	assert_true(exists(e->spool, "LISEZMOI.txt"));

	/* a reload shortens keep_spool and keep_bodies to 1 s */
	e->conf.keep_spool = 1;
	e->conf.keep_bodies = 1;
	retention_kick(e->ret);
	sleep(1);
	turn(e);
	snprintf(name, sizeof name, "%lld-new.eml", (long long)a1);
	assert_false(exists(e->spool, name));
	assert_false(has_payload(e, a1));
	assert_true(exists(e->spool, "LISEZMOI.txt"));
	/* nothing left: the timer is not armed, the loop has nothing to do */
	assert_int_equal(event_base_loop(e->base, EVLOOP_NONBLOCK), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_erase_bodies, teardown),
		cmocka_unit_test_teardown(test_next_none, teardown),
		cmocka_unit_test_teardown(test_person_erased, teardown),
		cmocka_unit_test_teardown(test_no_hook, teardown),
		cmocka_unit_test_teardown(test_timer, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
