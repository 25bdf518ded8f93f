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
 *
 * Email encryption: a person with an S/MIME certificate (made here with
 * OpenSSL) gets a message the double builds whole and the host wraps;
 * the wrapped bytes show the neutral subject and none of the title.  A
 * person without a key gets the clear message, or under [privacy] email =
 * encrypt-or-notice the neutral notice (their SMS unchanged); a key that
 * expired since it was given counts as none; a plugin asking to encrypt a
 * message that has no key is refused and the message fails.
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
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

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
#define DAY		86400

/* More configuration for the next write_config() ("" or a section). */
static const char	*extra_conf = "";

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
	    "outcome = %s\n%s", tpl, MAX_ATTEMPTS, BACKOFF_MIN, outcome,
	    outcome, extra_conf);
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
	extra_conf = "";
	return 0;
}

static int64_t	queue_for(struct env *, int64_t, const char *, const char *,
		    const char *, int64_t);

/* Queue a reminder for Ann on channel, due at not_before; its row id. */
static int64_t
queue(struct env *e, const char *key, const char *channel, const char *title,
    int64_t not_before)
{
	return queue_for(e, e->ann, key, channel, title, not_before);
}

/* The same for person. */
static int64_t
queue_for(struct env *e, int64_t person, const char *key, const char *channel,
    const char *title, int64_t not_before)
{
	struct crypt_key	*dk;
	struct outbox_msg	 m;
	char			*payload, *cause = NULL;
	int			 inserted = 0;
	int64_t			 id;

	xasprintf(&payload, "{\"event\":1,\"title\":\"%s\",\"start\":"
	    "\"2027-01-06T14:00:00+01:00\",\"end\":\"2027-01-06T16:00:00"
	    "+01:00\",\"tz\":\"Europe/Brussels\",\"offset\":86400}", title);
	assert_non_null(dk = people_data_key(e->st, e->master, person,
	    &cause));
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = "reminder";
	m.person_id = person;
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
	    " kind=reminder to=ann@example.be subject=1 body=1 encrypt=0"
	    " outcome=sent"));
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
	assert_non_null(strstr(rec, "to=+32470112233 subject=0 body=1 encrypt=0"
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

/*
 * A row cancelled while its message is in flight (its recipient erased
 * between the send and the write of the outcome) stays cancelled: a retry
 * answer does not make it pending again.
 */
static void
test_cancelled_in_flight(void **state)
{
	struct env	*e = env_open(state, "retry");
	int64_t		 id;
	int		 i;

	id = queue(e, "reminder/1/a/86400/1/email", "email", "Réunion",
	    util_now());
	/* turn the loop until the double has answered, not yet written:
	 * outcomes wait DISPATCH_GATHER_US (20 ms) to be written together */
	for (i = 0; i < 5000 && handed(e, id) == 0; i++) {
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		usleep(100);
	}
	assert_int_equal(handed(e, id), 1);
	unit_exec(e->st, "UPDATE outbox SET status = 'cancelled',"
	    " payload = NULL WHERE id = ?1", id);
	run_for(e, 200);
	assert_status(e, id, "cancelled");
	assert_int_equal(attempts(e, id), 0);
	dispatch_kick(e->d);
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

/* -- email encryption ---------------------------------------------------- */

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509_EXTENSION	*ex;
	X509V3_CTX	 ctx;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	assert_non_null(ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
	assert_int_equal(X509_add_ext(x, ex, -1), 1);
	X509_EXTENSION_free(ex);
}

/* A self-signed S/MIME certificate for addr, valid from yesterday for
 * days, as the API takes it: its PEM in base64 (new string). */
static char *
smime_cert_b64(const char *addr, long days)
{
	EVP_PKEY	*pk;
	X509		*x;
	BIO		*b;
	BUF_MEM		*mem;
	char		*san, *out;
	size_t		 n;

	assert_non_null(pk = EVP_RSA_gen(2048));
	assert_non_null(x = X509_new());
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 9);
	X509_gmtime_adj(X509_getm_notBefore(x), -DAY);
	X509_gmtime_adj(X509_getm_notAfter(x), days * DAY);
	X509_set_pubkey(x, pk);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_UTF8, (const unsigned char *)"Bea", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	xasprintf(&san, "email:%s", addr);
	add_ext(x, NID_subject_alt_name, san);
	add_ext(x, NID_key_usage, "digitalSignature,keyEncipherment");
	add_ext(x, NID_ext_key_usage, "emailProtection");
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509(b, x), 1);
	BIO_get_mem_ptr(b, &mem);
	n = sodium_base64_encoded_len(mem->length,
	    sodium_base64_VARIANT_ORIGINAL);
	out = xmalloc(n);
	sodium_bin2base64(out, n, (const unsigned char *)mem->data,
	    mem->length, sodium_base64_VARIANT_ORIGINAL);
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(pk);
	free(san);
	return out;
}

/* Bea, with an email address and a certificate valid for days more. */
static int64_t
add_bea(struct env *e, long days)
{
	char	*cert = smime_cert_b64("bea@example.be", days), *json;
	int64_t	 id;

	xasprintf(&json, "{\"name\": \"Bea Claes\", \"roles\": "
	    "[\"referent\"], \"email\": \"bea@example.be\", \"phone\": "
	    "\"0470 44 55 66\", \"smime_cert\": \"%s\"}", cert);
	id = unit_person(e->st, e->master, json);
	free(json);
	free(cert);
	return id;
}

/* What the double wrote of row id's encrypted form (new string). */
static char *
wrapped(struct env *e, int64_t id)
{
	char	*path, *buf;
	size_t	 len;

	xasprintf(&path, "%s.wrapped.%lld", e->record, (long long)id);
	buf = unit_slurp(path, &len);
	free(path);
	return buf;
}

/* Row id as dispatch_render() makes it at now: subject and body. */
static void
rendered(struct env *e, int64_t id, int64_t now, char **subject,
    char **body)
{
	json_t	*o;
	char	*cause = NULL;

	if ((o = dispatch_render(e->d, id, now, &cause)) == NULL)
		fail_msg("dispatch_render %lld: %s", (long long)id, cause);
	*subject = json_is_string(json_object_get(o, "subject")) ?
	    xstrdup(json_string_value(json_object_get(o, "subject"))) : NULL;
	*body = xstrdup(json_string_value(json_object_get(o, "body")));
	json_decref(o);
}

/*
 * Bea has a certificate: her email goes encrypted, the wrapped message
 * shows the configured neutral subject and nothing of the title; Ann has
 * none and gets hers in clear (encrypt-if-possible, the default).
 */
static void
test_encrypted(void **state)
{
	struct env	*e;
	int64_t		 bea, id, clear, t0 = util_now();
	char		*rec, *w;
	size_t		 len;

	extra_conf = "[privacy]\nencrypted_subject = Courrier interne\n";
	e = env_new(state, "sent");
	bea = add_bea(e, 30);
	env_start(e);
	id = queue_for(e, bea, "reminder/1/b/86400/1/email", "email",
	    "Cabane Sprimont", t0 - 1);
	clear = queue(e, "reminder/1/a/86400/1/email", "email",
	    "Cabane Sprimont", t0 - 1);
	run_until_attempts(e, id, 1);
	run_until_attempts(e, clear, 1);
	assert_status(e, id, "sent");
	assert_status(e, clear, "sent");
	rec = unit_slurp(e->record, &len);
	assert_non_null(strstr(rec, "to=bea@example.be subject=1 body=1 "
	    "encrypt=1 outcome=sent"));
	assert_non_null(strstr(rec, "to=ann@example.be subject=1 body=1 "
	    "encrypt=0 outcome=sent"));
	free(rec);
	w = wrapped(e, id);
	assert_non_null(strstr(w, "\r\nSubject: Courrier interne\r\n"));
	assert_non_null(strstr(w, "application/pkcs7-mime"));
	assert_null(strstr(w, "Cabane"));
	assert_null(strstr(w, "Sprimont"));
	assert_null(strstr(w, "Rappel"));
	assert_non_null(strstr(w, "\r\nTo: bea@example.be\r\n"));
	free(w);
}

/*
 * encrypt-or-notice: Ann, without a key, gets the neutral notice by email
 * (no title, no date) and her SMS as before; Bea, whose certificate has
 * expired since it was given (rendered 60 days on), gets the notice too,
 * and under encrypt-if-possible the clear message.
 */
static void
test_notice(void **state)
{
	struct env	*e;
	int64_t		 bea, mail, sms, bmail, t0 = util_now();
	char		*subject, *body;

	extra_conf = "[privacy]\nemail = encrypt-or-notice\n";
	e = env_new(state, "sent");
	bea = add_bea(e, 30);
	env_start(e);
	mail = queue(e, "reminder/1/a/86400/1/email", "email",
	    "Cabane Sprimont", t0 + 3600);
	sms = queue(e, "reminder/1/a/86400/1/sms", "sms", "Cabane Sprimont",
	    t0 + 3600);
	bmail = queue_for(e, bea, "reminder/1/b/86400/1/email", "email",
	    "Cabane Sprimont", t0 + 3600);

	rendered(e, mail, t0, &subject, &body);
	assert_string_equal(subject, "Message du réseau");
	assert_non_null(strstr(body, "console"));
	assert_null(strstr(body, "Cabane"));
	assert_null(strstr(body, "2027"));
	assert_null(strstr(body, "http"));
	free(subject);
	free(body);

	rendered(e, sms, t0, &subject, &body);
	assert_null(subject);
	assert_non_null(strstr(body, "Cabane"));
	free(body);

	/* a usable key: the message itself, to be encrypted */
	rendered(e, bmail, t0, &subject, &body);
	assert_non_null(strstr(subject, "Cabane"));
	free(subject);
	free(body);
	/* expired since: the notice, never the clear text */
	rendered(e, bmail, t0 + 60 * DAY, &subject, &body);
	assert_string_equal(subject, "Message du réseau");
	assert_null(strstr(body, "Cabane"));
	free(subject);
	free(body);

	/* under encrypt-if-possible: the clear message instead */
	free(e->conf->privacy_email);
	e->conf->privacy_email = xstrdup("encrypt-if-possible");
	rendered(e, bmail, t0 + 60 * DAY, &subject, &body);
	assert_non_null(strstr(subject, "Cabane"));
	free(subject);
	free(body);
}

/*
 * A plugin asking the host to encrypt a message that has no key (Ann's,
 * the double forced by a marker in the title) is refused: the message
 * fails, nothing is sent in its place.
 */
static void
test_encrypt_refused(void **state)
{
	struct env	*e = env_open(state, "sent");
	int64_t		 id, t0 = util_now();
	char		*err;

	id = queue(e, "reminder/1/a/86400/1/email", "email", "double=forge",
	    t0 - 1);
	run_until_attempts(e, id, 1);
	assert_status(e, id, "failed");
	err = unit_text(e->st, "SELECT last_error FROM outbox WHERE id = ?1",
	    id);
	assert_non_null(err);
	assert_non_null(strstr(err, "encryption failed"));
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sent, teardown),
		cmocka_unit_test_teardown(test_sent_sms, teardown),
		cmocka_unit_test_teardown(test_retry, teardown),
		cmocka_unit_test_teardown(test_failed, teardown),
		cmocka_unit_test_teardown(test_cancelled_in_flight, teardown),
		cmocka_unit_test_teardown(test_outcomes_per_row, teardown),
		cmocka_unit_test_teardown(test_loader_refuses, teardown),
		cmocka_unit_test_teardown(test_bad_section, teardown),
		cmocka_unit_test_teardown(test_encrypted, teardown),
		cmocka_unit_test_teardown(test_notice, teardown),
		cmocka_unit_test_teardown(test_encrypt_refused, teardown),
	};

	log_init("test_dispatch", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
