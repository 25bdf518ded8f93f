/*
 * test_dispatch.c: the dispatcher with a plugin double behind the plugin
 * ABI.  The double (tests/unit/plugin_double.c, built into
 * BUILD/unit/plugins/double.so) is copied into a plugin folder of the
 * test's own, loaded by the real loader through a configuration file
 * naming it for both channels, and answers as its outcome key (or a marker
 * in the message) says.  A due outbox row is handed to it; what it
 * answers lands in the row: sent, a temporary failure retried later (its
 * not_before moved by the backoff, failed once max_attempts is reached),
 * a permanent failure failed.  Rows not due yet are not handed over.  The
 * loader refuses a plugin folder or file that others may write.
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
#include <event2/event.h>
#include <jansson.h>

#include "calendar.h"
#include "config.h"
#include "crypt.h"
#include "dispatch.h"
#include "outbox.h"
#include "people.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#include "unit_env.h"

#define BACKOFF_MIN	60	/* seconds: no retry falls due in a test */
#define MAX_ATTEMPTS	3

struct env {
	char			*dir;
	char			*record;	/* the double's record file */
	struct config		*conf;
	struct store		*st;
	struct crypt_key	*master;
	struct event_base	*base;
	struct dispatch		*d;
	int64_t			 ann;		/* email and phone */
};

/* etc/templates of the checkout that holds the test binary. */
static char *
templates_dir(void)
{
	char	*dir = unit_exe_dir(), *up, *t, *probe;
	int	 i;

	for (i = 0; i < 8; i++) {
		xasprintf(&t, "%s/etc/templates", dir);
		xasprintf(&probe, "%s/fr/reminder.email", t);
		if (access(probe, R_OK) == 0) {
			free(probe);
			free(dir);
			return t;
		}
		free(probe);
		free(t);
		up = util_dirname(dir);
		free(dir);
		dir = up;
	}
	free(dir);
	fail_msg("etc/templates not found above the test binary");
	return NULL;
}

/* Copy the double into dir/plugins/double.so with mode. */
static void
install_double(const char *dir, mode_t dirmode, mode_t mode)
{
	char	*exe = unit_exe_dir(), *src, *pdir, *dst, *buf;
	size_t	 len;
	FILE	*fp;

	xasprintf(&src, "%s/plugins/double.so", exe);
	if (access(src, R_OK) == -1)
		fail_msg("%s missing: make %s", src, src);
	xasprintf(&pdir, "%s/plugins", dir);
	assert_int_equal(mkdir(pdir, 0700), 0);
	xasprintf(&dst, "%s/double.so", pdir);
	buf = unit_slurp(src, &len);
	assert_non_null(fp = fopen(dst, "w"));
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	/* chmod: the mode asked, whatever the umask */
	assert_int_equal(chmod(dst, mode), 0);
	assert_int_equal(chmod(pdir, dirmode), 0);
	free(buf);
	free(dst);
	free(pdir);
	free(src);
	free(exe);
}

/* Write dir/stoppvif.ini with outcome for the double, and load it. */
static struct config *
write_config(const char *dir, const char *outcome)
{
	struct config	*conf;
	char		*path, *tpl = templates_dir(), *cause = NULL;
	FILE		*fp;

	xasprintf(&path, "%s/stoppvif.ini", dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "[daemon]\n"
	    "state_dir = state\n"
	    "socket = state/stoppvif.sock\n"
	    "timezone = Europe/Brussels\n"
	    "log_level = warn\n"
	    "[crypto]\n"
	    "key_file = state/master.key\n"
	    "[delivery]\n"
	    "plugin_dir = plugins\n"
	    "templates = %s\n"
	    "max_attempts = %d\n"
	    "max_age = 2d\n"
	    "backoff_min = %ds\n"
	    "backoff_max = 1h\n"
	    "[channel.email]\n"
	    "plugin = double\n"
	    "record = record.txt\n"
	    "outcome = %s\n"
	    "[channel.sms]\n"
	    "plugin = double\n"
	    "record = record.txt\n"
	    "outcome = %s\n", tpl, MAX_ATTEMPTS, BACKOFF_MIN, outcome,
	    outcome);
	assert_int_equal(fclose(fp), 0);
	if ((conf = config_load(path, &cause)) == NULL)
		fail_msg("config_load: %s", cause);
	free(tpl);
	free(path);
	return conf;
}

/*
 * Everything but the dispatcher: the temp folder, the double installed
 * 0755 in a 0755 folder, the configuration, the store, the master key and
 * Ann.  In *state at once: a failure on the way still gets it torn down.
 */
static struct env *
env_new(void **state, const char *outcome)
{
	struct env	*e = xcalloc(1, sizeof *e);
	char		*sdir, *db, *cause = NULL;

	*state = e;
	e->dir = unit_tmpdir("test_dispatch");
	install_double(e->dir, 0755, 0755);
	e->conf = write_config(e->dir, outcome);
	xasprintf(&e->record, "%s/record.txt", e->dir);
	xasprintf(&sdir, "%s/state", e->dir);
	assert_int_equal(mkdir(sdir, 0700), 0);
	e->master = unit_master(sdir);
	db = config_db_path(e->conf);
	if ((e->st = store_open(db, &cause)) == NULL)
		fail_msg("store_open: %s", cause);
	e->ann = unit_person(e->st, e->master, "{\"name\": \"Ann Peeters\","
	    " \"roles\": [\"referent\"], \"email\": \"ann@example.be\","
	    " \"phone\": \"0470 11 22 33\"}");
	assert_non_null(e->base = event_base_new());
	free(db);
	free(sdir);
	return e;
}

static void
env_start(struct env *e)
{
	char	*cause = NULL;

	e->d = dispatch_new(e->base, e->st, e->master, &e->conf, &cause);
	if (e->d == NULL)
		fail_msg("dispatch_new: %s", cause);
}

/* The whole world of a test, the dispatcher started, in *state. */
static struct env *
env_open(void **state, const char *outcome)
{
	struct env	*e = env_new(state, outcome);

	env_start(e);
	return e;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	if (e == NULL)
		return 0;
	dispatch_free(e->d);
	if (e->base != NULL)
		event_base_free(e->base);
	store_close(e->st);
	crypt_key_free(e->master);
	config_free(e->conf);
	tz_cached_free();
	unit_rmtree(e->dir);
	free(e->record);
	free(e->dir);
	free(e);
	return 0;
}

/* Queue a reminder for Ann on channel, due at not_before; its row id. */
static int64_t
queue(struct env *e, const char *key, const char *channel, const char *title,
    int64_t not_before)
{
	struct crypt_key	*dk;
	struct outbox_msg	 m;
	char			*payload, *cause = NULL;
	int			 inserted = 0;
	int64_t			 id;

	xasprintf(&payload, "{\"event\":1,\"title\":\"%s\",\"start\":"
	    "\"2027-01-06T14:00:00+01:00\",\"end\":\"2027-01-06T16:00:00"
	    "+01:00\",\"tz\":\"Europe/Brussels\",\"offset\":86400}", title);
	assert_non_null(dk = people_data_key(e->st, e->master, e->ann,
	    &cause));
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = "reminder";
	m.person_id = e->ann;
	m.channel = channel;
	m.not_before = not_before;
	m.payload = payload;
	assert_int_equal(store_begin(e->st, &cause), 0);
	if (outbox_enqueue(e->st, dk, &m, &inserted, &cause) == -1)
		fail_msg("outbox_enqueue: %s", cause);
	id = store_last_id(e->st);
	assert_int_equal(store_commit(e->st, &cause), 0);
	assert_int_equal(inserted, 1);
	crypt_key_free(dk);
	free(payload);
	if (e->d != NULL)
		dispatch_kick(e->d);
	return id;
}

static int64_t
attempts(struct env *e, int64_t id)
{
	return unit_int(e->st, "SELECT attempts FROM outbox WHERE id = ?1", id);
}

static char *
status(struct env *e, int64_t id)
{
	return unit_text(e->st, "SELECT status FROM outbox WHERE id = ?1", id);
}

static void
assert_status(struct env *e, int64_t id, const char *want)
{
	char	*s = status(e, id);

	if (s == NULL || strcmp(s, want) != 0)
		fail_msg("row %lld is %s, expected %s", (long long)id,
		    s ? s : "(none)", want);
	free(s);
}

/* How many times the double was handed row id. */
static int
handed(struct env *e, int64_t id)
{
	size_t	 len;
	char	*buf = unit_slurp(e->record, &len), *p, pat[64];
	int	 n = 0;

	snprintf(pat, sizeof pat, "id=%lld ", (long long)id);
	for (p = buf; (p = strstr(p, pat)) != NULL; p += strlen(pat))
		if (p == buf || p[-1] == '\n')
			n++;
	free(buf);
	return n;
}

/*
 * Run the event loop in slices of 50 ms until row id has been tried n
 * times in all (attempts), or 5 s have passed.
 */
static void
run_until_attempts(struct env *e, int64_t id, int64_t n)
{
	struct timeval	 slice = { 0, 50000 };
	int		 i;

	for (i = 0; i < 100 && attempts(e, id) < n; i++) {
		event_base_loopexit(e->base, &slice);
		event_base_dispatch(e->base);
	}
	if (attempts(e, id) < n)
		fail_msg("row %lld: %lld attempts after 5 s, expected %lld",
		    (long long)id, (long long)attempts(e, id), (long long)n);
}

/* Let the loop run for ms milliseconds. */
static void
run_for(struct env *e, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(e->base, &tv);
	event_base_dispatch(e->base);
}

/* A due row goes to the double, rendered and addressed; sent lands. */
static void
test_sent(void **state)
{
	struct env	*e = env_open(state, "sent");
	int64_t		 id, later, t0 = util_now();
	size_t		 len;
	char		*rec, *reply;

	id = queue(e, "reminder/1/a/86400/1/email", "email", "Réunion", t0);
	later = queue(e, "reminder/1/b/86400/1/email", "email", "Réunion",
	    t0 + 3600);
	run_until_attempts(e, id, 1);
	assert_status(e, id, "sent");
	assert_int_equal(attempts(e, id), 1);
	reply = unit_text(e->st, "SELECT reply FROM outbox WHERE id = ?1", id);
	assert_non_null(reply);
	assert_string_equal(reply, "double: sent");
	free(reply);
	assert_true(unit_int(e->st, "SELECT sent IS NOT NULL FROM outbox"
	    " WHERE id = ?1", id));
	assert_int_equal(handed(e, id), 1);

	/* what the double got: the opened address, a subject, a body */
	rec = unit_slurp(e->record, &len);
	assert_non_null(strstr(rec, "key=reminder/1/a/86400/1/email"
	    " kind=reminder to=ann@example.be subject=1 body=1 outcome=sent"));
	free(rec);

	/* the other is not due: never handed, still pending */
	run_for(e, 200);
	assert_int_equal(handed(e, later), 0);
	assert_status(e, later, "pending");
	assert_int_equal(attempts(e, later), 0);
	/* and a sent row is not handed twice */
	assert_int_equal(handed(e, id), 1);
}

/* An SMS goes to the phone, without a subject. */
static void
test_sent_sms(void **state)
{
	struct env	*e = env_open(state, "sent");
	int64_t		 id;
	size_t		 len;
	char		*rec;

	id = queue(e, "reminder/1/a/86400/1/sms", "sms", "Réunion",
	    util_now());
	run_until_attempts(e, id, 1);
	assert_status(e, id, "sent");
	rec = unit_slurp(e->record, &len);
	assert_non_null(strstr(rec, "to=+32470112233 subject=0 body=1"
	    " outcome=sent"));
	free(rec);
}

/* A temporary failure: pending again, later; failed at max_attempts. */
static void
test_retry(void **state)
{
	struct env	*e = env_open(state, "retry");
	int64_t		 id, t0 = util_now(), nb, i;
	char		*err;

	id = queue(e, "reminder/1/a/86400/1/email", "email", "Réunion", t0);
	run_until_attempts(e, id, 1);
	assert_status(e, id, "pending");
	err = unit_text(e->st, "SELECT last_error FROM outbox WHERE id = ?1",
	    id);
	assert_non_null(err);
	assert_string_equal(err, "double: retry");
	free(err);
	/* not_before moved by the backoff: at least backoff_min, at most
	 * 5/4 of it */
	nb = unit_int(e->st, "SELECT not_before FROM outbox WHERE id = ?1",
	    id);
	assert_true(nb >= t0 + BACKOFF_MIN);
	assert_true(nb <= util_now() + BACKOFF_MIN * 5 / 4);
	/* not handed again before then */
	run_for(e, 200);
	assert_int_equal(handed(e, id), 1);
	assert_int_equal(attempts(e, id), 1);

	/* time passes: due again, handed again, until max_attempts */
	for (i = 2; i <= MAX_ATTEMPTS; i++) {
		unit_exec(e->st, "UPDATE outbox SET not_before = not_before"
		    " - 3600 WHERE id = ?1", id);
		dispatch_kick(e->d);
		run_until_attempts(e, id, i);
		assert_int_equal(handed(e, id), i);
		assert_status(e, id, i < MAX_ATTEMPTS ? "pending" : "failed");
	}
	/* failed: never handed again */
	unit_exec(e->st, "UPDATE outbox SET not_before = 0 WHERE id = ?1", id);
	dispatch_kick(e->d);
	run_for(e, 200);
	assert_int_equal(handed(e, id), MAX_ATTEMPTS);
}

/* A permanent failure: failed at once, with the reply kept. */
static void
test_failed(void **state)
{
	struct env	*e = env_open(state, "failed");
	int64_t		 id;
	char		*err;

	id = queue(e, "reminder/1/a/86400/1/email", "email", "Réunion",
	    util_now());
	run_until_attempts(e, id, 1);
	assert_status(e, id, "failed");
	err = unit_text(e->st, "SELECT last_error FROM outbox WHERE id = ?1",
	    id);
	assert_non_null(err);
	assert_string_equal(err, "double: failed");
	free(err);
	assert_true(unit_int(e->st, "SELECT sent IS NULL FROM outbox"
	    " WHERE id = ?1", id));
	run_for(e, 200);
	assert_int_equal(handed(e, id), 1);
}

/* Several rows at once, each outcome on its own row. */
static void
test_outcomes_per_row(void **state)
{
	struct env	*e = env_open(state, "sent");
	int64_t		 a, b, c, now = util_now();

	a = queue(e, "k/a", "email", "Réunion A", now);
	b = queue(e, "k/b", "email", "Réunion B double=failed", now);
	c = queue(e, "k/c", "sms", "Réunion C double=retry", now);
	run_until_attempts(e, a, 1);
	run_until_attempts(e, b, 1);
	run_until_attempts(e, c, 1);
	assert_status(e, a, "sent");
	assert_status(e, b, "failed");
	assert_status(e, c, "pending");
	assert_true(unit_int(e->st, "SELECT not_before FROM outbox"
	    " WHERE id = ?1", c) >= now + BACKOFF_MIN);
	assert_int_equal(handed(e, a) + handed(e, b) + handed(e, c), 3);
}

/* A plugin folder, or a plugin, that others may write: refused. */
static void
test_loader_refuses(void **state)
{
	static const mode_t modes[][2] = {
		{ 0775, 0755 },		/* the folder writable by the group */
		{ 0757, 0755 },		/* by others */
		{ 0755, 0775 },		/* the plugin writable by the group */
		{ 0755, 0757 },
	};
	struct env	*e;
	char		*pdir, *so, *cause = NULL;
	size_t		 i;

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		/* env_new puts it in *state: a failure tears it down */
		e = env_new(state, "sent");
		xasprintf(&pdir, "%s/plugins", e->dir);
		xasprintf(&so, "%s/double.so", pdir);
		assert_int_equal(chmod(so, modes[i][1]), 0);
		assert_int_equal(chmod(pdir, modes[i][0]), 0);
		e->d = dispatch_new(e->base, e->st, e->master, &e->conf,
		    &cause);
		if (e->d != NULL)
			fail_msg("modes %o/%o: loaded", (unsigned)modes[i][0],
			    (unsigned)modes[i][1]);
		assert_non_null(cause);
		if (strstr(cause, "plugin") == NULL)
			fail_msg("modes %o/%o: %s", (unsigned)modes[i][0],
			    (unsigned)modes[i][1], cause);
		free(cause);
		cause = NULL;
		/* put right, it loads */
		assert_int_equal(chmod(so, 0755), 0);
		assert_int_equal(chmod(pdir, 0755), 0);
		free(so);
		free(pdir);
		env_start(e);
		teardown(state);
		*state = NULL;
	}
}

/* A value the double refuses: the loader reports it with its key. */
static void
test_bad_section(void **state)
{
	struct env	*e;
	char		*cause = NULL;

	e = env_new(state, "sometimes");
	e->d = dispatch_new(e->base, e->st, e->master, &e->conf, &cause);
	assert_null(e->d);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "outcome"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sent, teardown),
		cmocka_unit_test_teardown(test_sent_sms, teardown),
		cmocka_unit_test_teardown(test_retry, teardown),
		cmocka_unit_test_teardown(test_failed, teardown),
		cmocka_unit_test_teardown(test_outcomes_per_row, teardown),
		cmocka_unit_test_teardown(test_loader_refuses, teardown),
		cmocka_unit_test_teardown(test_bad_section, teardown),
	};

	log_init("test_dispatch", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
