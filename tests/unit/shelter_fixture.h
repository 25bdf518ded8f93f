/*
 * shelter_fixture.h: the world the unit tests of the shelters run in
 * (test_shelter.c, test_alert.c), built through the modules themselves:
 * a private folder (mkdtemp) with a configuration of one shelter, a master
 * key file, a real SQLite database, four people (Anne and Bert on call,
 * Rita the referent, Cora the coordinator, who has no phone) and the
 * shelters started on them.  t0 is the instant the world was made; the
 * rota covers an hour before it to a day after it.  The event loop never
 * runs: time moves only where a test passes its now.
 *
 * Included by one test file each: every helper is static.
 */
#ifndef STOPPVIF_SHELTER_FIXTURE_H
#define STOPPVIF_SHELTER_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "audit.h"
#include "config.h"
#include "crypt.h"
#include "error.h"
#include "log.h"
#include "oncall.h"
#include "people.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define FX_UNUSED	__attribute__((unused))

/* The phones of Anne, Bert and Rita. */
#define FX_PHONE_ANNE	"+32470550001"
#define FX_PHONE_BERT	"+32470550002"
#define FX_PHONE_RITA	"+32470550003"

/* The keys of the section under test, at these values. */
#define FX_ESCALATE_AFTER	(15 * 60)
#define FX_REPEAT		(15 * 60)
#define FX_REPEAT_MAX		2
#define FX_CLAIM_HOLD		(4 * 3600)

struct fx {
	char			*dir;
	struct config		*conf;
	struct event_base	*base;
	struct crypt_key	*master;
	struct store		*store;
	struct shelters		*s;
	int64_t			 t0;
	int64_t			 anne, bert, rita, cora;
};

/* Write text to dir/name; the path (new string). */
static char *
fx_write(struct fx *fx, const char *name, const char *text)
{
	char	*path;
	FILE	*fp;

	xasprintf(&path, "%s/%s", fx->dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(text, fp) != EOF);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* The configuration: one shelter, aisova. */
static void
fx_config(struct fx *fx)
{
	char	*text, *ini, *dir, *cause = NULL;

	dir = util_dirname(__FILE__);
	xasprintf(&text, "[daemon]\nstate_dir = %s\nsocket = %s/sock\n"
	    "timezone = Europe/Brussels\nlog_level = warn\n"
	    "[delivery]\nplugin_dir = %s\ntemplates = %s/../../etc/templates\n"
	    "[shelter.aisova]\ntitle = Appartement\nnotify = role:oncall\n"
	    "escalate_after = 15m\nescalate_to = role:referent\n"
	    "repeat = 15m\nrepeat_max = 2\nclaim_hold = 4h\nlink_valid = 1d\n"
	    "code_digits = 6\n[crypto]\nkey_file = %s/master.key\n",
	    fx->dir, fx->dir, fx->dir, dir, fx->dir);
	ini = fx_write(fx, "stoppvif.ini", text);
	if ((fx->conf = config_load(ini, &cause)) == NULL)
		fail_msg("config: %s", cause);
	free(text);
	free(ini);
	free(dir);
}

/* Add a person; their id. */
static int64_t
fx_person(struct fx *fx, const char *name, const char *role,
    const char *email, const char *phone)
{
	struct error	 err = { 0, NULL, NULL };
	json_t		*p;
	char		*cause = NULL;
	int64_t		 id;

	p = json_pack("{ss s[s] ss}", "name", name, "roles", role, "email",
	    email);
	if (phone != NULL)
		json_object_set_new(p, "phone", json_string(phone));
	assert_int_equal(store_begin(fx->store, &cause), 0);
	if (people_add(fx->store, fx->master, p, "fr", &id, &err) == -1)
		fail_msg("people_add %s: %s", name, err.message);
	assert_int_equal(store_commit(fx->store, &cause), 0);
	json_decref(p);
	return id;
}

/* The local time of instant t as the rota reads it: "YYYY-MM-DDTHH:MM:SS". */
static void
fx_local(struct fx *fx, int64_t t, char *buf, size_t len)
{
	shelter_local(fx->s, t, buf, len);
	buf[19] = '\0';		/* without its offset */
}

/* Put person on call from t0 - 1 h to t0 + 1 day. */
static void
fx_on_call(struct fx *fx, int64_t person)
{
	struct error	 err = { 0, NULL, NULL };
	char		 from[64], to[64], *cause = NULL;
	json_t		*req;
	int64_t		 id;

	fx_local(fx, fx->t0 - 3600, from, sizeof from);
	fx_local(fx, fx->t0 + 86400, to, sizeof to);
	req = json_pack("{sI ss ss}", "person", (json_int_t)person, "from",
	    from, "to", to);
	assert_int_equal(store_begin(fx->store, &cause), 0);
	if (oncall_add(fx->store, shelter_zone(fx->s), req, &id, &err) == -1)
		fail_msg("oncall_add: %s", err.message);
	assert_int_equal(store_commit(fx->store, &cause), 0);
	json_decref(req);
}

static FX_UNUSED int
fx_setup(void **state)
{
	struct fx	*fx = xcalloc(1, sizeof *fx);
	const char	*tmp = getenv("TMPDIR");
	char		*path, *cause = NULL;
	int		 created;

	log_init("test_shelters", 1, LOG_LEVEL_WARN);
	assert_int_equal(crypt_init(), 0);
	xasprintf(&fx->dir, "%s/test_shelters.XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(fx->dir));
	fx_config(fx);
	assert_non_null(fx->master = crypt_master_load(fx->conf->key_file, 1,
	    &created, &cause));
	xasprintf(&path, "%s/stoppvif.db", fx->dir);
	if ((fx->store = store_open(path, &cause)) == NULL)
		fail_msg("store: %s", cause);
	free(path);
	if (audit_start(fx->store, fx->master, &fx->conf, &cause) == -1)
		fail_msg("audit: %s", cause);
	assert_non_null(fx->base = event_base_new());
	if ((fx->s = shelter_new(fx->base, fx->store, fx->master, &fx->conf,
	    NULL, NULL, &cause)) == NULL)
		fail_msg("shelters: %s", cause);
	fx->t0 = util_now_up();
	fx->anne = fx_person(fx, "Anne Garde", "oncall", "anne@example.test",
	    FX_PHONE_ANNE);
	fx->bert = fx_person(fx, "Bert Garde", "oncall", "bert@example.test",
	    FX_PHONE_BERT);
	fx->rita = fx_person(fx, "Rita Referente", "referent",
	    "rita@example.test", FX_PHONE_RITA);
	fx->cora = fx_person(fx, "Cora Coordination", "coordinator",
	    "cora@example.test", NULL);
	fx_on_call(fx, fx->anne);
	fx_on_call(fx, fx->bert);
	*state = fx;
	return 0;
}

static int
fx_unlink(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static FX_UNUSED int
fx_teardown(void **state)
{
	struct fx	*fx = *state;

	shelter_free(fx->s);
	store_close(fx->store);
	event_base_free(fx->base);
	crypt_key_free(fx->master);
	config_free(fx->conf);
	nftw(fx->dir, fx_unlink, 8, FTW_DEPTH | FTW_PHYS);
	free(fx->dir);
	free(fx);
	return 0;
}

/* The section of aisova. */
static FX_UNUSED const struct shelter_conf *
fx_sc(struct fx *fx)
{
	const struct shelter_conf	*sc;

	assert_non_null(sc = shelter_conf_find(fx->s, "aisova"));
	return sc;
}

/* aisova's row. */
static FX_UNUSED struct srow
fx_row(struct fx *fx)
{
	struct srow	 row;

	assert_int_equal(shelter_row(fx->s, "aisova", &row), 0);
	return row;
}

/* Move aisova by cause at now in a transaction of its own: 0, or -1 with
 * the kind of the refusal in *kind (the transaction rolled back). */
static FX_UNUSED int
fx_move(struct fx *fx, enum scause cause, int64_t now,
    enum error_kind *kind)
{
	struct error	 err = { 0, NULL, NULL };
	struct sactor	 who = { "test", 0, VIA_NONE };
	struct srow	 row = fx_row(fx);
	char		*why = NULL;
	int		 rc;

	assert_int_equal(store_begin(fx->store, &why), 0);
	if ((rc = shelter_move(fx->s, fx_sc(fx), &row, cause, &who, now,
	    &err)) == 0)
		assert_int_equal(store_commit(fx->store, &why), 0);
	else
		store_rollback(fx->store);
	if (kind != NULL)
		*kind = err.kind;
	error_clear(&err);
	return rc;
}

/* One integer from sql, with ?1 bound to a (when not INT64_MIN). */
static FX_UNUSED int64_t
fx_int(struct fx *fx, const char *sql, int64_t a)
{
	sqlite3_stmt	*st = store_stmt(fx->store, sql);
	int64_t		 v = -1;

	if (a != INT64_MIN)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* One text from sql, with ?1 bound to a, into buf ("" when none). */
static FX_UNUSED const char *
fx_text(struct fx *fx, const char *sql, int64_t a, char *buf, size_t len)
{
	sqlite3_stmt	*st = store_stmt(fx->store, sql);

	*buf = '\0';
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		util_strlcpy(buf, (const char *)sqlite3_column_text(st, 0),
		    len);
	sqlite3_reset(st);
	return buf;
}

/* Outbox rows of kind to person (0: anyone) on channel (NULL: either). */
static FX_UNUSED int
fx_outbox(struct fx *fx, const char *kind, int64_t person,
    const char *channel)
{
	static const char *const sql = "SELECT count(*) FROM outbox"
	    " WHERE kind = ?1 AND (?2 = 0 OR person_id = ?2)"
	    " AND (?3 IS NULL OR channel = ?3) AND urgent = 1";
	sqlite3_stmt	*st = store_stmt(fx->store, sql);
	int		 n = -1;

	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, person);
	if (channel != NULL)
		sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Every outbox row. */
static FX_UNUSED int
fx_outbox_all(struct fx *fx)
{
	return (int)fx_int(fx, "SELECT count(*) FROM outbox", INT64_MIN);
}

/* The parameters of the outbox row of key, opened (new reference). */
static FX_UNUSED json_t *
fx_payload(struct fx *fx, const char *key)
{
	static const char *const sql = "SELECT id, person_id, payload"
	    " FROM outbox WHERE key = ?";
	sqlite3_stmt		*st = store_stmt(fx->store, sql);
	struct crypt_key	*dk;
	uint8_t			*pt;
	size_t			 ptlen;
	char			*cause = NULL;
	json_t			*o;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("no outbox row %s", key);
	assert_non_null(dk = people_data_key(fx->store, fx->master,
	    sqlite3_column_int64(st, 1), &cause));
	if (crypt_open(dk, "outbox", "payload", sqlite3_column_int64(st, 0),
	    sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2),
	    &pt, &ptlen, &cause) == -1)
		fail_msg("payload of %s: %s", key, cause);
	sqlite3_reset(st);
	crypt_key_free(dk);
	assert_non_null(o = json_loads((const char *)pt, 0, NULL));
	free(pt);
	return o;
}

#endif
