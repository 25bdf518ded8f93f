/*
 * dlr.c: SMS delivery reports (dlr.h).
 *
 * A report is authenticated before anything is read: its id and MAC are
 * checked (the MAC in constant time) and a bad one is refused with no
 * query of the database.  Then, in one transaction, the row's first final
 * report is written and, for an urgent SMS that did not reach its phone,
 * the fallback is queued (dispatch_fallback_queue: "KEY/fallback", queued
 * once whatever asks for it).  The observers hear of it once committed.
 * The deadlines (dlr_due) are read by one timer armed for the earliest;
 * each wake-up settles what fell due and arms it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "config.h"
#include "crypt.h"
#include "dispatch.h"
#include "dlr.h"
#include "log.h"
#include "observe.h"
#include "people.h"
#include "store.h"
#include "util.h"

#define DLR_PURPOSE	"sms-dlrs"	/* the MAC key's derivation context */
#define DLR_ID_MAX	18		/* digits of an id: fits an int64 */
#define DLR_BATCH	64		/* deadlines settled per transaction */

struct dlr {
	struct event_base	*base;
	struct store		*store;
	const struct crypt_key	*master;
	struct config		**conf;
	void			(*queued)(void *);
	void			*arg;
	struct event		*timer;
};

/* What happened to one row, told to the observers after the commit. */
struct dlr_seen {
	int64_t		 id;
	enum obs_kind	 kind;
	int		 urgent;
	int		 fell_back;
	char		 kind_name[32];
};

/* The row a report or a deadline is about. */
struct dlr_row {
	int		 sms;
	int		 final;		/* dlr is set already */
	int		 urgent;
	char		*key;
	char		*kind;
	int64_t		 person;
	uint8_t		*ct;		/* the sealed payload; NULL: erased */
	size_t		 ctlen;
};

static dlr_wanted_fn	 dlr_wanted;
static void		*dlr_wanted_arg;

static void	dlr_timer(evutil_socket_t, short, void *);

void
dlr_set_wanted(dlr_wanted_fn fn, void *arg)
{
	dlr_wanted = fn;
	dlr_wanted_arg = arg;
}

const char *
dlr_off_reason(const struct config *conf)
{
	const char	*l = conf->sms_listen;

	if (*l == '\0')
		return "[inbound] sms_listen n'est pas défini : les SMS partent "
		    "sans accusé de réception, et un SMS urgent n'est doublé "
		    "par email que s'il échoue à la passerelle";
	if (*l == '/' || strncmp(l, "unix:", 5) == 0)
		return "[inbound] sms_listen est un socket Unix, que la "
		    "passerelle ne peut pas appeler pour ses accusés de "
		    "réception : donnez une adresse locale (127.0.0.1:8481) "
		    "pour les recevoir";
	return NULL;
}

void
dlr_mac(const struct crypt_key *master, int64_t id,
    char out[DLR_MAC_HEX + 1])
{
	uint8_t	 mac[CRYPT_MAC_BYTES], msg[8];
	int	 i;

	_Static_assert(DLR_MAC_HEX == 2 * CRYPT_MAC_BYTES, "MAC length");
	for (i = 0; i < 8; i++)		/* big-endian, as crypt.h binds rows */
		msg[i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
	crypt_mac(master, DLR_PURPOSE, msg, sizeof msg, mac);
	sodium_bin2hex(out, DLR_MAC_HEX + 1, mac, sizeof mac);
}

char *
dlr_url(struct dlr *r, int64_t id)
{
	char	 mac[DLR_MAC_HEX + 1], *url;

	if (r == NULL || dlr_off_reason(*r->conf) != NULL)
		return NULL;
	dlr_mac(r->master, id, mac);
	xasprintf(&url, "http://%s/sms/dlr?id=%lld&mac=%s&type=%%d",
	    (*r->conf)->sms_listen, (long long)id, mac);
	return url;
}

/* A positive decimal of at most max digits, or -1. */
static int64_t
dlr_number(const char *s, size_t max)
{
	size_t	 n;
	int64_t	 v = 0;

	if (s == NULL || (n = strlen(s)) == 0 || n > max ||
	    strspn(s, "0123456789") != n)
		return -1;
	for (; *s != '\0'; s++)
		v = v * 10 + (*s - '0');
	return v;
}

enum dlr_verdict
dlr_parse(const struct crypt_key *master, const char *id, const char *mac,
    const char *type, int64_t *idp, enum dlr_type *typep)
{
	uint8_t	 bin[CRYPT_MAC_BYTES], msg[8];
	size_t	 binlen = 0;
	int64_t	 v, t;
	int	 i;

	if ((v = dlr_number(id, DLR_ID_MAX)) <= 0 || mac == NULL ||
	    strlen(mac) != DLR_MAC_HEX ||
	    strspn(mac, "0123456789abcdef") != DLR_MAC_HEX ||
	    sodium_hex2bin(bin, sizeof bin, mac, DLR_MAC_HEX, NULL, &binlen,
	    NULL) != 0 || binlen != sizeof bin)
		return DLR_FORBIDDEN;
	for (i = 0; i < 8; i++)
		msg[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	if (crypt_mac_check(master, DLR_PURPOSE, msg, sizeof msg, bin) == -1)
		return DLR_FORBIDDEN;
	*idp = v;
	t = dlr_number(type, 2);
	if (t != DLR_DELIVERED && t != DLR_UNDELIVERED && t != DLR_QUEUED &&
	    t != DLR_ACCEPTED && t != DLR_REJECTED)
		return DLR_BAD;
	*typep = (enum dlr_type)t;
	return DLR_OK;
}

static void
dlr_row_clear(struct dlr_row *row)
{
	free(row->key);
	free(row->kind);
	free(row->ct);
	memset(row, 0, sizeof *row);
}

/* Row id into *row: 1, or 0 when there is none. */
static int
dlr_row(struct dlr *r, int64_t id, struct dlr_row *row)
{
	static const char *const sql = "SELECT channel = 'sms', dlr IS NOT"
	    " NULL, urgent, key, kind, person_id, payload FROM outbox"
	    " WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(r->store, sql);
	int		 found = 0;

	memset(row, 0, sizeof *row);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		row->sms = sqlite3_column_int(st, 0);
		row->final = sqlite3_column_int(st, 1);
		row->urgent = sqlite3_column_int(st, 2);
		row->key = xstrdup((const char *)sqlite3_column_text(st, 3));
		row->kind = xstrdup((const char *)sqlite3_column_text(st, 4));
		row->person = sqlite3_column_int64(st, 5);
		if (sqlite3_column_type(st, 6) == SQLITE_BLOB &&
		    (row->ctlen = (size_t)sqlite3_column_bytes(st, 6)) > 0) {
			row->ct = xmalloc(row->ctlen);
			memcpy(row->ct, sqlite3_column_blob(st, 6), row->ctlen);
		}
	}
	sqlite3_reset(st);
	return found;
}

/*
 * Queue the email of urgent SMS id (row), in the caller's transaction,
 * unless it is no longer wanted.  *added says whether one was queued.
 * 0, or -1 with *cause: the transaction must not commit.
 */
static int
dlr_fallback(struct dlr *r, int64_t id, const struct dlr_row *row,
    int *added, char **cause)
{
	struct dispatch_fallback fb;
	struct crypt_key	*dk;
	uint8_t			*pt = NULL;
	size_t			 ptlen;
	char			*why = NULL;
	int			 rc;

	*added = 0;
	if (dlr_wanted != NULL && !dlr_wanted(dlr_wanted_arg, row->key)) {
		log_info("dlr fallback_skipped id=%lld reason=not_wanted",
		    (long long)id);
		return 0;
	}
	if (row->ct == NULL || (dk = people_data_key(r->store, r->master,
	    row->person, &why)) == NULL) {
		/* erased (keep_bodies) or its person removed: nothing to say */
		log_warnx("dlr fallback_impossible id=%lld reason=%s",
		    (long long)id, row->ct == NULL ? "erased" : "no_person");
		free(why);
		return 0;
	}
	if (crypt_open(dk, "outbox", "payload", id, row->ct, row->ctlen, &pt,
	    &ptlen, &why) == -1) {
		log_warnx("dlr fallback_impossible id=%lld reason=sealed "
		    "error=\"%s\"", (long long)id, LOG_QUOTE(why));
		free(why);
		crypt_key_free(dk);
		return 0;
	}
	fb.key = row->key;
	fb.kind = row->kind;
	fb.person = row->person;
	fb.channel = "sms";
	fb.payload = (const char *)pt;
	rc = dispatch_fallback_queue(r->store, dk, &fb, added, cause);
	sodium_memzero(pt, ptlen);
	free(pt);
	crypt_key_free(dk);
	if (rc == 0 && *added)
		log_info("dlr fallback id=%lld channel=email", (long long)id);
	return rc;
}

/* Tell the observers, once committed; queue's fallbacks are kicked. */
static void
dlr_tell(struct dlr *r, const struct dlr_seen *seen, size_t n)
{
	struct obs	 o;
	size_t		 i;
	int		 kick = 0;

	for (i = 0; i < n; i++) {
		memset(&o, 0, sizeof o);
		o.kind = seen[i].kind;
		o.chan = CHAN_SMS;
		o.id = seen[i].id;
		o.urgent = seen[i].urgent;
		o.kind_name = seen[i].kind_name;
		o.when = util_now();
		observe(&o);
		if (seen[i].fell_back) {
			o.kind = OBS_FALLBACK;
			observe(&o);
			kick = 1;
		}
	}
	if (kick && r->queued != NULL)
		r->queued(r->arg);
}

/*
 * Write the final report of row id (type delivered or undelivered) in the
 * caller's transaction, and the fallback it calls for, into *seen.  0 (a
 * report on a row that has one already changes nothing), or -1.
 */
static int
dlr_record(struct dlr *r, int64_t id, enum dlr_type type,
    const struct dlr_row *row, struct dlr_seen *seen, char **cause)
{
	static const char *const sql = "UPDATE outbox SET dlr = ?2,"
	    " dlr_at = ?3, dlr_due = NULL WHERE id = ?1 AND dlr IS NULL";
	sqlite3_stmt	*st = store_stmt(r->store, sql);
	int		 ok = type == DLR_DELIVERED;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ok ? "delivered" : "undelivered", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, util_now());
	if (store_exec_stmt(r->store, st, cause) == -1)
		return -1;
	seen->id = id;
	seen->kind = ok ? OBS_DELIVERED : OBS_UNDELIVERED;
	seen->urgent = row->urgent;
	util_strlcpy(seen->kind_name, row->kind, sizeof seen->kind_name);
	log_info("dlr report id=%lld dlr=%s", (long long)id, ok ? "delivered" :
	    "undelivered");
	if (ok || !row->urgent)
		return 0;
	return dlr_fallback(r, id, row, &seen->fell_back, cause);
}

/* A final report on row id, in a transaction of its own. */
static void
dlr_final(struct dlr *r, int64_t id, enum dlr_type type)
{
	struct dlr_row	 row;
	struct dlr_seen	 seen;
	char		*cause = NULL;
	int		 rc;

	memset(&seen, 0, sizeof seen);
	if (store_begin(r->store, &cause) == -1)
		goto fail;
	if (!dlr_row(r, id, &row) || !row.sms || row.final) {
		store_rollback(r->store);
		log_info("dlr report_ignored id=%lld type=%d reason=%s",
		    (long long)id, (int)type, row.key == NULL ? "no_message" :
		    !row.sms ? "not_sms" : "final_already");
		dlr_row_clear(&row);
		return;
	}
	rc = dlr_record(r, id, type, &row, &seen, &cause);
	dlr_row_clear(&row);
	if (rc == -1 || store_commit(r->store, &cause) == -1) {
		store_rollback(r->store);
		goto fail;
	}
	dlr_tell(r, &seen, 1);
	dlr_arm(r);
	return;
fail:
	/* Kannel calls again later only on a failed HTTP call: log it */
	log_warnx("dlr report_failed id=%lld error=\"%s\"", (long long)id,
	    LOG_QUOTE(cause));
	free(cause);
}

enum dlr_verdict
dlr_report(struct dlr *r, const char *id, const char *mac, const char *type)
{
	enum dlr_verdict v;
	enum dlr_type	 t = 0;
	int64_t		 row = 0;

	if ((v = dlr_parse(r->master, id, mac, type, &row, &t)) != DLR_OK) {
		if (v == DLR_BAD)
			log_warnx("dlr report_refused id=%lld reason=bad_type",
			    (long long)row);
		return v;	/* the forbidden ones: the listener logs */
	}
	if (t == DLR_DELIVERED || t == DLR_UNDELIVERED || t == DLR_REJECTED)
		dlr_final(r, row, t == DLR_REJECTED ? DLR_UNDELIVERED : t);
	else
		log_debug("dlr report_noted id=%lld type=%d",
		    (long long)row, (int)t);
	return DLR_OK;
}

/*
 * Settle up to DLR_BATCH deadlines passed at now in one transaction: each
 * loses its dlr_due and its message falls back.  Returns how many were
 * settled, or -1.
 */
static int
dlr_expire(struct dlr *r, int64_t now)
{
	static const char *const due = "SELECT id FROM outbox"
	    " WHERE dlr_due IS NOT NULL AND dlr_due <= ?1"
	    " ORDER BY dlr_due LIMIT ?2";
	static const char *const clear = "UPDATE outbox SET dlr_due = NULL"
	    " WHERE id = ?";
	struct dlr_seen	 seen[DLR_BATCH];
	struct dlr_row	 row;
	sqlite3_stmt	*st;
	int64_t		*ids = NULL;
	char		*cause = NULL;
	size_t		 n, i, k = 0;
	int		 rc = 0;

	memset(seen, 0, sizeof seen);
	if (store_begin(r->store, &cause) == -1)
		goto fail;
	st = store_stmt(r->store, due);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, DLR_BATCH);
	n = store_ids(st, &ids);
	for (i = 0; i < n && rc == 0; i++) {
		st = store_stmt(r->store, clear);
		sqlite3_bind_int64(st, 1, ids[i]);
		if ((rc = store_exec_stmt(r->store, st, &cause)) == -1 ||
		    !dlr_row(r, ids[i], &row))
			continue;
		if (!row.final) {
			seen[k].id = ids[i];
			seen[k].kind = OBS_NO_REPORT;
			seen[k].urgent = row.urgent;
			util_strlcpy(seen[k].kind_name, row.kind,
			    sizeof seen[k].kind_name);
			log_warnx("dlr no_report id=%lld", (long long)ids[i]);
			if (row.urgent)
				rc = dlr_fallback(r, ids[i], &row,
				    &seen[k].fell_back, &cause);
			k++;
		}
		dlr_row_clear(&row);
	}
	free(ids);
	if (rc == -1 || store_commit(r->store, &cause) == -1) {
		store_rollback(r->store);
		goto fail;
	}
	dlr_tell(r, seen, k);
	return (int)n;
fail:
	log_warnx("dlr expire_failed error=\"%s\"", LOG_QUOTE(cause));
	free(cause);
	return -1;
}

void
dlr_arm(struct dlr *r)
{
	static const char *const sql = "SELECT min(dlr_due) FROM outbox"
	    " WHERE dlr_due IS NOT NULL";
	sqlite3_stmt	*st;
	struct timeval	 tv = { 0, 0 };
	int64_t		 next = -1, now = util_now();

	if (r == NULL)
		return;
	st = store_stmt(r->store, sql);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	evtimer_del(r->timer);
	if (next == -1)
		return;
	if (next > now)
		tv.tv_sec = (time_t)(next - now);
	evtimer_add(r->timer, &tv);
}

/* The earliest deadline passed: settle what is due, then wait again. */
static void
dlr_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dlr	*r = arg;
	struct timeval	 tv = { 1, 0 };
	int		 n;

	if ((n = dlr_expire(r, util_now())) == -1) {
		evtimer_add(r->timer, &tv);	/* the database is busy: soon */
		return;
	}
	dlr_arm(r);
}

struct dlr *
dlr_new(struct event_base *base, struct store *store,
    const struct crypt_key *master, struct config **conf,
    void (*queued)(void *), void *arg)
{
	struct dlr	*r = xcalloc(1, sizeof *r);

	r->base = base;
	r->store = store;
	r->master = master;
	r->conf = conf;
	r->queued = queued;
	r->arg = arg;
	if ((r->timer = evtimer_new(base, dlr_timer, r)) == NULL)
		fatalx("dlr start_failed step=timer");
	dlr_arm(r);	/* the deadlines of before a restart */
	return r;
}

void
dlr_free(struct dlr *r)
{
	if (r == NULL)
		return;
	if (r->timer != NULL)
		event_free(r->timer);
	free(r);
}
