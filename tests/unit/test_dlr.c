/*
 * test_dlr.c: SMS delivery reports over a real database (dlr.h): the MAC
 * of a report URL (made by one master key, refused under another, never
 * valid for another id), the parsing of a report's parameters as an
 * attacker and a clumsy gateway send them, the first final report winning,
 * an urgent SMS reported undelivered falling back to email once, a
 * deadline passed with no report doing the same (after a "restart": a new
 * dlr on the same database), and no fallback for an alert that is no
 * longer wanted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "crypt.h"
#include "dlr.h"
#include "observe.h"
#include "outbox.h"
#include "people.h"
#include "store.h"
#include "util.h"

#include "unit_env.h"

#define PAYLOAD	"{\"code\":\"K7\",\"title\":\"Refuge\"}"

struct env {
	char			*dir;
	struct store		*st;
	struct crypt_key	*master;
	struct event_base	*base;
	struct config		 conf, *confp;
	struct dlr		*dlr;
	int64_t			 ann;		/* phone and email */
	int			 kicks;		/* queued() calls */
	int			 seen[OBS_COUNT];
	int			 wanted;	/* the hook's answer */
	char			 listen[64];	/* [inbound] sms_listen */
};

static void
kicked(void *arg)
{
	struct env	*e = arg;

	e->kicks++;
}

static void
observed(void *arg, const struct obs *o)
{
	struct env	*e = arg;

	e->seen[o->kind]++;
}

static int
wanted(void *arg, const char *key)
{
	struct env	*e = arg;

	return e->wanted;
}

static struct env *
env_open(void **state)
{
	struct env	*e = xcalloc(1, sizeof *e);

	*state = e;
	e->dir = unit_tmpdir("test_dlr");
	e->master = unit_master(e->dir);
	e->st = unit_store(e->dir, "stoppvif.db");
	e->base = event_base_new();
	assert_non_null(e->base);
	util_strlcpy(e->listen, "127.0.0.1:8481", sizeof e->listen);
	e->conf.sms_listen = e->listen;
	e->conf.dlr_timeout = 300;
	e->confp = &e->conf;
	e->ann = unit_person(e->st, e->master, "{\"name\": \"Ann\","
	    " \"roles\": [\"referent\"], \"email\": \"ann@example.be\","
	    " \"phone\": \"0470 11 22 33\"}");
	e->dlr = dlr_new(e->base, e->st, e->master, &e->confp, kicked, e);
	observe_add(observed, e);
	return e;
}

static int
teardown(void **state)
{
	struct env	*e = *state;

	if (e == NULL)
		return 0;
	observe_remove(observed, e);
	dlr_set_wanted(NULL, NULL);
	dlr_free(e->dlr);
	event_base_free(e->base);
	store_close(e->st);
	crypt_key_free(e->master);
	unit_rmtree(e->dir);
	free(e->dir);
	free(e);
	return 0;
}

/* Queue an SMS to Ann with key, already sent; its id. */
static int64_t
sent_sms(struct env *e, const char *key, int urgent, int64_t due)
{
	static const char *const upd = "UPDATE outbox SET status = 'sent',"
	    " sent = '2026-12-07 10:00:00', dlr_due = ?2 WHERE id = ?1";
	struct crypt_key	*dk;
	struct outbox_msg	 m;
	sqlite3_stmt		*st;
	char			*cause = NULL;
	int64_t			 id;

	dk = people_data_key(e->st, e->master, e->ann, &cause);
	assert_non_null(dk);
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = "alert";
	m.person_id = e->ann;
	m.channel = "sms";
	m.urgent = urgent;
	m.payload = PAYLOAD;
	assert_int_equal(store_begin(e->st, &cause), 0);
	assert_int_equal(outbox_enqueue(e->st, dk, &m, NULL, &cause), 0);
	id = store_last_id(e->st);
	st = store_stmt(e->st, upd);
	sqlite3_bind_int64(st, 1, id);
	if (due > 0)
		sqlite3_bind_int64(st, 2, due);
	assert_int_equal(store_exec_stmt(e->st, st, &cause), 0);
	assert_int_equal(store_commit(e->st, &cause), 0);
	crypt_key_free(dk);
	return id;
}

/* Report type on id with its right MAC. */
static enum dlr_verdict
report(struct env *e, int64_t id, const char *type)
{
	char	 mac[DLR_MAC_HEX + 1], num[32];

	dlr_mac(e->master, id, mac);
	snprintf(num, sizeof num, "%lld", (long long)id);
	return dlr_report(e->dlr, num, mac, type);
}

static int64_t
fallbacks(struct env *e)
{
	return unit_int(e->st, "SELECT count(*) FROM outbox WHERE key LIKE"
	    " '%/fallback' AND channel = 'email' AND urgent = 1", 0);
}

static char *
dlr_of(struct env *e, int64_t id)
{
	return unit_text(e->st, "SELECT dlr FROM outbox WHERE id = ?1", id);
}

/*
 * The URL holds the listener, the id, its MAC and Kannel's %d: no more (the
 * whole string is compared, so no phone digit can hide in it; a search for
 * "470" would also hit the random MAC's hex now and then).
 */
static void
test_url(void **state)
{
	struct env	*e = env_open(state);
	char		 mac[DLR_MAC_HEX + 1], *url, *want;

	dlr_mac(e->master, 42, mac);
	xasprintf(&want, "http://127.0.0.1:8481/sms/dlr?id=42&mac=%s&type=%%d",
	    mac);
	url = dlr_url(e->dlr, 42);
	assert_string_equal(url, want);
	free(url);
	free(want);
	assert_null(dlr_off_reason(&e->conf));
	util_strlcpy(e->listen, "/run/stoppvif/sms.sock", sizeof e->listen);
	assert_non_null(strstr(dlr_off_reason(&e->conf), "socket Unix"));
	assert_null(dlr_url(e->dlr, 42));
	e->listen[0] = '\0';
	assert_non_null(dlr_off_reason(&e->conf));
	assert_null(dlr_url(e->dlr, 42));
}

/* What an attacker or a clumsy gateway may send is refused by kind. */
static void
test_parse(void **state)
{
	struct env		*e = env_open(state);
	struct crypt_key	*other;
	char			 mac[DLR_MAC_HEX + 1], mac7[DLR_MAC_HEX + 1];
	char			 upper[DLR_MAC_HEX + 1], omac[DLR_MAC_HEX + 1];
	enum dlr_type		 t = 0;
	int64_t			 id = 0;
	uint8_t			 raw[CRYPT_KEYBYTES];
	size_t			 i;

	dlr_mac(e->master, 6, mac);
	dlr_mac(e->master, 7, mac7);
	assert_int_equal(dlr_parse(e->master, "6", mac, "1", &id, &t), DLR_OK);
	assert_int_equal(id, 6);
	assert_int_equal(t, DLR_DELIVERED);
	assert_int_equal(dlr_parse(e->master, "6", mac, "16", &id, &t),
	    DLR_OK);
	assert_int_equal(t, DLR_REJECTED);
	/* another id's MAC, a MAC of another key, a flipped digit */
	assert_int_equal(dlr_parse(e->master, "6", mac7, "1", &id, &t),
	    DLR_FORBIDDEN);
	memset(raw, 0x5a, sizeof raw);
	other = crypt_key_from_bytes(raw);
	dlr_mac(other, 6, omac);
	crypt_key_free(other);
	assert_int_equal(dlr_parse(e->master, "6", omac, "1", &id, &t),
	    DLR_FORBIDDEN);
	mac7[0] = mac7[0] == '0' ? '1' : '0';
	assert_int_equal(dlr_parse(e->master, "7", mac7, "1", &id, &t),
	    DLR_FORBIDDEN);
	/* missing, empty, signed, padded, huge and overflowing ids */
	assert_int_equal(dlr_parse(e->master, NULL, mac, "1", &id, &t),
	    DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, "", mac, "1", &id, &t),
	    DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, "+6", mac, "1", &id, &t),
	    DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, " 6", mac, "1", &id, &t),
	    DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, "0", mac, "1", &id, &t),
	    DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, "99999999999999999999999", mac,
	    "1", &id, &t), DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, "6", NULL, "1", &id, &t),
	    DLR_FORBIDDEN);
	assert_int_equal(dlr_parse(e->master, "6", "", "1", &id, &t),
	    DLR_FORBIDDEN);
	/* a MAC cut short, one too long, one in capitals */
	mac[DLR_MAC_HEX - 1] = '\0';
	assert_int_equal(dlr_parse(e->master, "6", mac, "1", &id, &t),
	    DLR_FORBIDDEN);
	dlr_mac(e->master, 6, mac);
	for (i = 0; i < DLR_MAC_HEX; i++)
		upper[i] = (char)(mac[i] >= 'a' ? mac[i] - 32 : mac[i]);
	upper[DLR_MAC_HEX] = '\0';
	if (strcmp(upper, mac) != 0)
		assert_int_equal(dlr_parse(e->master, "6", upper, "1", &id,
		    &t), DLR_FORBIDDEN);
	/* authentic, but a type Kannel never sends, or none */
	assert_int_equal(dlr_parse(e->master, "6", mac, "3", &id, &t),
	    DLR_BAD);
	assert_int_equal(dlr_parse(e->master, "6", mac, NULL, &id, &t),
	    DLR_BAD);
	assert_int_equal(dlr_parse(e->master, "6", mac, "%d", &id, &t),
	    DLR_BAD);
	assert_int_equal(dlr_parse(e->master, "6", mac, "-1", &id, &t),
	    DLR_BAD);
	assert_int_equal(dlr_parse(e->master, "6", mac, "0001", &id, &t),
	    DLR_BAD);
}

/* Delivered, then a late failure report: the first final one stays. */
static void
test_first_wins(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 id = sent_sms(e, "alert/1/alert/1/sms", 1, 0);
	char		*d;

	assert_int_equal(report(e, id, "8"), DLR_OK);	/* accepted */
	assert_null(dlr_of(e, id));
	assert_int_equal(report(e, id, "1"), DLR_OK);
	assert_int_equal(report(e, id, "2"), DLR_OK);
	assert_int_equal(report(e, id, "1"), DLR_OK);
	d = dlr_of(e, id);
	assert_string_equal(d, "delivered");
	free(d);
	assert_int_equal(fallbacks(e), 0);
	assert_int_equal(e->seen[OBS_DELIVERED], 1);
	assert_int_equal(e->seen[OBS_UNDELIVERED], 0);
	assert_int_equal(unit_int(e->st, "SELECT dlr_at IS NOT NULL FROM"
	    " outbox WHERE id = ?1", id), 1);
}

/* Undelivered: one email, however many reports and deadlines follow. */
static void
test_undelivered(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 id = sent_sms(e, "alert/1/alert/1/sms", 1,
			    util_now() + 300);
	int64_t		 calm = sent_sms(e, "reminder/1/sms", 0, 0);
	char		*d;

	assert_int_equal(report(e, id, "16"), DLR_OK);
	assert_int_equal(report(e, id, "2"), DLR_OK);
	d = dlr_of(e, id);
	assert_string_equal(d, "undelivered");
	free(d);
	assert_int_equal(fallbacks(e), 1);
	assert_int_equal(e->kicks, 1);
	assert_int_equal(e->seen[OBS_UNDELIVERED], 1);
	assert_int_equal(e->seen[OBS_FALLBACK], 1);
	/* the deadline went with the report */
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox WHERE"
	    " dlr_due IS NOT NULL", 0), 0);
	/* a message that is not urgent is only marked */
	assert_int_equal(report(e, calm, "2"), DLR_OK);
	assert_int_equal(fallbacks(e), 1);
	/* a report on an email, or on no message, changes nothing */
	assert_int_equal(report(e, 999999, "2"), DLR_OK);
	assert_int_equal(report(e, unit_int(e->st, "SELECT id FROM outbox"
	    " WHERE channel = 'email'", 0), "2"), DLR_OK);
	assert_int_equal(unit_int(e->st, "SELECT count(*) FROM outbox WHERE"
	    " channel = 'email' AND dlr IS NOT NULL", 0), 0);
	assert_int_equal(fallbacks(e), 1);
}

/* A claimed alert's SMS gets no email, but is marked all the same. */
static void
test_not_wanted(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 id = sent_sms(e, "alert/1/alert/1/sms", 1, 0);
	char		*d;

	e->wanted = 0;
	dlr_set_wanted(wanted, e);
	assert_int_equal(report(e, id, "2"), DLR_OK);
	d = dlr_of(e, id);
	assert_string_equal(d, "undelivered");
	free(d);
	assert_int_equal(fallbacks(e), 0);
	assert_int_equal(e->kicks, 0);
}

/* A deadline passed before a restart: the new dlr settles it at once. */
static void
test_deadline(void **state)
{
	struct env	*e = env_open(state);
	int64_t		 late = sent_sms(e, "alert/1/alert/1/sms", 1,
			    util_now() - 5);
	int64_t		 later = sent_sms(e, "alert/2/alert/1/sms", 1,
			    util_now() + 3600);

	dlr_free(e->dlr);
	e->dlr = dlr_new(e->base, e->st, e->master, &e->confp, kicked, e);
	event_base_loop(e->base, EVLOOP_ONCE);
	assert_int_equal(e->seen[OBS_NO_REPORT], 1);
	assert_int_equal(fallbacks(e), 1);
	assert_int_equal(e->kicks, 1);
	assert_int_equal(unit_int(e->st, "SELECT dlr_due IS NULL FROM outbox"
	    " WHERE id = ?1", late), 1);
	assert_int_equal(unit_int(e->st, "SELECT dlr_due IS NULL FROM outbox"
	    " WHERE id = ?1", later), 0);
	/* its report, late, is recorded, but makes no second email */
	assert_int_equal(report(e, late, "2"), DLR_OK);
	assert_int_equal(fallbacks(e), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_url, teardown),
		cmocka_unit_test_teardown(test_parse, teardown),
		cmocka_unit_test_teardown(test_first_wins, teardown),
		cmocka_unit_test_teardown(test_undelivered, teardown),
		cmocka_unit_test_teardown(test_not_wanted, teardown),
		cmocka_unit_test_teardown(test_deadline, teardown),
	};

	if (crypt_init() == -1)
		return 1;
	log_init("test_dlr", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
