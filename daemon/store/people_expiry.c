/*
 * people_expiry.c: the warning that a person's mail key expires.
 *
 * A key that ends within PEOPLE_MK_WARN_DAYS days, or has ended, is listed
 * by status (people_mk_expiring) and logged once a day,
 *	people mail_key_expiring person=ID days=N
 * so that the coordinator asks for a new one before the emails go out in
 * clear.  No polling: one timer, armed at the next moment something enters
 * the window, or a day after the last warning while something is in it.
 * Only the clear columns are read (id, expiry), except the names status
 * shows a coordinator.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "crypt.h"
#include "log.h"
#include "people.h"
#include "people_int.h"
#include "store.h"
#include "util.h"

#define MK_WINDOW	((int64_t)PEOPLE_MK_WARN_DAYS * 86400)
#define MK_DAY		((int64_t)86400)

/* Keys with an end, soonest first: id, end, kind. */
static const char *const mk_sql = "SELECT id, mail_key_expires,"
    " mail_key_kind FROM people WHERE removed IS NULL"
    " AND mail_key_kind IS NOT NULL AND mail_key_expires IS NOT NULL"
    " ORDER BY mail_key_expires, id";

/* Person id's name, opened (NULL when it cannot be). */
static char *
mk_name(struct store *st, const struct crypt_key *master, int64_t id)
{
	static const char *const sql = "SELECT name FROM people WHERE id = ?";
	struct crypt_key	*dk;
	sqlite3_stmt		*stmt;
	uint8_t			*pt = NULL;
	size_t			 ptlen;
	char			*cause = NULL;

	if ((dk = people_data_key(st, master, id, &cause)) == NULL) {
		free(cause);
		return NULL;
	}
	stmt = store_stmt(st, sql);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) == SQLITE_BLOB &&
	    crypt_open(dk, "people", "name", id, sqlite3_column_blob(stmt, 0),
	    (size_t)sqlite3_column_bytes(stmt, 0), &pt, &ptlen, &cause) == -1) {
		free(cause);
		pt = NULL;
	}
	sqlite3_reset(stmt);
	crypt_key_free(dk);
	return (char *)pt;
}

json_t *
people_mk_expiring(struct store *st, const struct crypt_key *master,
    int names)
{
	sqlite3_stmt	*stmt = store_stmt(st, mk_sql);
	json_t		*arr = json_array(), *o;
	int64_t		 now = util_now(), id, exp;
	char		 when[32], *name;
	size_t		 i;

	while (sqlite3_step(stmt) == SQLITE_ROW) {
		exp = sqlite3_column_int64(stmt, 1);
		if (exp - MK_WINDOW > now)
			break;		/* sorted: the rest is later */
		id = sqlite3_column_int64(stmt, 0);
		o = json_pack("{sI ss ss sI}", "id", (json_int_t)id, "kind",
		    (const char *)sqlite3_column_text(stmt, 2), "expires",
		    util_utc_format(exp, when, sizeof when), "days_left",
		    (json_int_t)people_mk_days(exp, now));
		json_array_append_new(arr, o);
	}
	sqlite3_reset(stmt);
	if (!names)
		return arr;
	/* after the scan: opening a name uses other statements */
	json_array_foreach(arr, i, o) {
		id = json_integer_value(json_object_get(o, "id"));
		if ((name = mk_name(st, master, id)) == NULL)
			continue;
		json_object_set_new(o, "name", json_string(name));
		sodium_memzero(name, strlen(name));
		free(name);
	}
	return arr;
}

/* The timer (people_mk_timer_start), its store and last warning. */
static struct event	*mk_ev;
static struct store	*mk_store;
static int64_t		 mk_warned;	/* 0: nothing warned yet */

/*
 * When the timer must fire next after now: a day after the last warning
 * (now when none) if a key is in the window, or when the first one enters
 * it; -1 when nothing ever will.
 */
static int64_t
mk_next(int64_t now)
{
	sqlite3_stmt	*stmt = store_stmt(mk_store, mk_sql);
	int64_t		 next = -1, enter;

	while (sqlite3_step(stmt) == SQLITE_ROW) {
		enter = sqlite3_column_int64(stmt, 1) - MK_WINDOW;
		if (enter <= now) {
			/* in the window: the daily warning */
			next = mk_warned != 0 && mk_warned + MK_DAY > now ?
			    mk_warned + MK_DAY : now;
			continue;
		}
		if (next == -1 || enter < next)
			next = enter;
		break;		/* sorted: the first to enter */
	}
	sqlite3_reset(stmt);
	return next;
}

/* Arm the timer at mk_next(), or leave it idle. */
static void
mk_arm(void)
{
	struct timeval	 tv;
	int64_t		 now = util_now(), next;

	event_del(mk_ev);
	if ((next = mk_next(now)) == -1)
		return;
	memset(&tv, 0, sizeof tv);
	tv.tv_sec = (time_t)(next - now);
	evtimer_add(mk_ev, &tv);
}

/* Log every key in the window, then arm for the next time. */
static void
mk_fire(evutil_socket_t fd, short ev, void *arg)
{
	sqlite3_stmt	*stmt = store_stmt(mk_store, mk_sql);
	int64_t		 now = util_now(), exp;

	(void)fd;
	(void)ev;
	(void)arg;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		exp = sqlite3_column_int64(stmt, 1);
		if (exp - MK_WINDOW > now)
			break;
		log_warnx("people mail_key_expiring person=%lld days=%lld",
		    (long long)sqlite3_column_int64(stmt, 0),
		    (long long)people_mk_days(exp, now));
		mk_warned = now;
	}
	sqlite3_reset(stmt);
	mk_arm();
}

void
people_mk_timer_start(struct event_base *base, struct store *st)
{
	if ((mk_ev = evtimer_new(base, mk_fire, NULL)) == NULL)
		fatalx("people start_failed step=mail_key_timer");
	mk_store = st;
	mk_warned = 0;
	mk_arm();
}

void
people_mk_timer_touch(void)
{
	if (mk_ev != NULL)
		mk_arm();
}

void
people_mk_timer_stop(void)
{
	if (mk_ev != NULL)
		event_free(mk_ev);
	mk_ev = NULL;
	mk_store = NULL;
}
