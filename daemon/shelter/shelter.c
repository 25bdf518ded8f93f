/*
 * shelter.c: the shelters' rows, their one transition function, the timer
 * of the escalations and holds, and the life of the whole (start, reload).
 *
 * The moves are a table (shelter_state.c); shelter_move() refuses any
 * other, with the current state and what is allowed from it, and does what
 * each move implies to the alerts (open one, close one) and to the history.
 * The timer asks the database what is due next (an alert's next step, a
 * hold's end), sleeps until then, and handles everything due in one
 * transaction.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "alarm.h"
#include "dlr.h"
#include "log.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"
#include "util.h"

/* The most alert steps, and the most ended holds, one wake-up handles
 * (the rest at the next, at once). */
#define SHELTER_DUE_MAX	64

int
shelter_row(struct shelters *s, const char *name, struct srow *row)
{
	static const char *const sql = "SELECT state, since, alert_id,"
	    " reserved_by, reserved_until FROM shelters WHERE name = ?";
	enum { COL_STATE, COL_SINCE, COL_ALERT, COL_BY, COL_UNTIL };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int		 rc = -1;

	memset(row, 0, sizeof *row);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		util_strlcpy(row->name, name, sizeof row->name);
		row->state = shelter_state_parse((const char *)
		    sqlite3_column_text(st, COL_STATE));
		row->since = sqlite3_column_int64(st, COL_SINCE);
		row->alert_id = sqlite3_column_int64(st, COL_ALERT);
		row->reserved_by = sqlite3_column_int64(st, COL_BY);
		row->reserved_until = sqlite3_column_int64(st, COL_UNTIL);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* The move of row from state from into its history. */
static int
shelter_history_add(struct shelters *s, const struct srow *row,
    enum sstate from, enum scause cause, const struct sactor *who,
    char **why)
{
	static const char *const hist = "INSERT INTO shelter_history"
	    " (shelter, at, from_state, to_state, cause, actor, alert_id)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st = store_stmt(s->store, hist);

	sqlite3_bind_text(st, 1, row->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, row->since);
	sqlite3_bind_text(st, 3, shelter_state_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, shelter_state_name(row->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, shelter_cause_name(cause), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, who->text, -1, SQLITE_TRANSIENT);
	if (row->alert_id != 0)
		sqlite3_bind_int64(st, 7, row->alert_id);
	return store_exec_stmt(s->store, st, why);
}

/* Write row back and its move into the history. */
static int
shelter_write(struct shelters *s, const struct srow *row, enum sstate from,
    enum scause cause, const struct sactor *who, char **why)
{
	static const char *const upd = "UPDATE shelters SET state = ?2,"
	    " since = ?3, alert_id = ?4, reserved_by = ?5, reserved_until = ?6"
	    " WHERE name = ?1";
	sqlite3_stmt	*st = store_stmt(s->store, upd);

	sqlite3_bind_text(st, 1, row->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, shelter_state_name(row->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row->since);
	if (row->alert_id != 0)
		sqlite3_bind_int64(st, 4, row->alert_id);
	if (row->reserved_by != 0)
		sqlite3_bind_int64(st, 5, row->reserved_by);
	if (row->reserved_until != 0)
		sqlite3_bind_int64(st, 6, row->reserved_until);
	if (store_exec_stmt(s->store, st, why) == -1)
		return -1;
	return shelter_history_add(s, row, from, cause, who, why);
}

/*
 * What a move of row to state to implies: leaving a reserved shelter, or
 * a vacant one other than by a claim, closes its alert (telling everyone
 * alerted when it was vacant, the claimer when a reserved one is
 * withdrawn); a claim holds the shelter for claim_hold; becoming vacant
 * opens a new alert.  row takes its new state.  0 or -1 with *why.
 */
static int
shelter_effects(struct shelters *s, const struct shelter_conf *sc,
    struct srow *row, enum scause cause, enum sstate to,
    const struct sactor *who, int64_t now, char **why)
{
	enum sstate	 from = row->state;
	int		 rc = 0;

	if (from == SS_RESERVED || (from == SS_VACANT && cause != SC_CLAIM))
		rc = alert_close(s, row->alert_id, shelter_cause_name(cause),
		    from == SS_VACANT ? TELL_ALL : cause == SC_UNAVAILABLE ?
		    TELL_CLAIMER : TELL_NOBODY, now, why);
	row->state = to;
	row->since = now;
	row->reserved_by = row->reserved_until = 0;
	if (to == SS_RESERVED) {
		row->reserved_by = who->person;
		row->reserved_until = now + sc->claim_hold;
	} else if (to == SS_VACANT && rc == 0)
		rc = alert_open(s, sc, now, &row->alert_id, why);
	else
		row->alert_id = 0;
	return rc;
}

int
shelter_move(struct shelters *s, const struct shelter_conf *sc,
    struct srow *row, enum scause cause, const struct sactor *who,
    int64_t now, struct error *err)
{
	enum sstate	 from = row->state, to;
	char		 allowed[128], *why = NULL;
	int		 rc;

	if (shelter_move_find(from, cause, &to) == -1) {
		shelter_allowed(from, allowed, sizeof allowed);
		error_set(err, ERR_CONFLICT, NULL, "refusé : « %s » est "
		    "%s ; possible : %s", sc->name, shelter_state_words(from),
		    allowed);
		return -1;
	}
	rc = shelter_effects(s, sc, row, cause, to, who, now, &why);
	if (rc == 0)
		rc = shelter_write(s, row, from, cause, who, &why);
	if (rc == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", why);
		free(why);
		return -1;
	}
	log_info("shelter moved shelter=%s from=%s to=%s cause=%s actor=%s",
	    row->name, shelter_state_name(from), shelter_state_name(to),
	    shelter_cause_name(cause), who->text);
	return 0;
}

/* ---- the timer ---- */

/* When the next alert step or hold end is due; -1: nothing is. */
static int64_t
shelter_next(struct shelters *s)
{
	static const char *const sql = "SELECT min(t) FROM ("
	    " SELECT min(next_at) AS t FROM alerts"
	    "  WHERE status = '" ALERT_OPEN "'"
	    " UNION ALL SELECT min(reserved_until) FROM shelters"
	    "  WHERE state = ?)";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 next = -1;

	sqlite3_bind_text(st, 1, shelter_state_name(SS_RESERVED), -1,
	    SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return next;
}

/*
 * Arm the timer for the earliest alert step or hold end, to the microsecond
 * of that whole second: however often it is armed again (after a write, at
 * a restart), a step fires at the same instant.
 */
void
shelter_arm(struct shelters *s)
{
	struct timeval	 tv = { 0, 0 };
	struct timespec	 ts;
	int64_t		 next, us;

	if (s == NULL)
		return;
	next = shelter_next(s);
	evtimer_del(s->timer);
	if (next == -1)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	us = (next - (int64_t)ts.tv_sec) * 1000000 - ts.tv_nsec / 1000;
	if (us > 0) {
		tv.tv_sec = (time_t)(us / 1000000);
		tv.tv_usec = (suseconds_t)(us % 1000000);
	}
	evtimer_add(s->timer, &tv);
}

/* The alert steps due at now. */
static int
shelter_due_steps(struct shelters *s, int64_t now, char **cause)
{
	static const char *const sql = "SELECT id FROM alerts"
	    " WHERE status = '" ALERT_OPEN "' AND next_at <= ?"
	    " ORDER BY next_at LIMIT ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 ids[SHELTER_DUE_MAX];
	int		 n = 0, i, rc = 0;

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, SHELTER_DUE_MAX);
	while (n < SHELTER_DUE_MAX && sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < n && rc == 0; i++)
		rc = alert_step(s, ids[i], now, cause);
	return rc;
}

/* The shelter name, whose hold ended at now: vacant again. */
static int
shelter_hold_end(struct shelters *s, const char *name, int64_t now,
    char **cause)
{
	const struct shelter_conf	*sc;
	struct error			 err = { 0, NULL, NULL };
	struct sactor			 who = { SHELTER_ACTOR_DAEMON, 0,
					    VIA_NONE };
	struct srow			 row;

	if ((sc = shelter_conf_find(s, name)) == NULL ||
	    shelter_row(s, name, &row) == -1)
		return 0;
	log_info("shelter hold_expired shelter=%s alert=%lld", name,
	    (long long)row.alert_id);
	if (shelter_move(s, sc, &row, SC_HOLD_EXPIRED, &who, now,
	    &err) == -1) {
		util_cause(cause, "%s", err.message);
		error_clear(&err);
		return -1;
	}
	return 0;
}

/* The holds ended at now. */
static int
shelter_due_holds(struct shelters *s, int64_t now, char **cause)
{
	static const char *const sql = "SELECT name FROM shelters"
	    " WHERE state = ? AND reserved_until <= ? LIMIT ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	char		 names[SHELTER_DUE_MAX][SHELTER_NAME_MAX];
	int		 n = 0, i, rc = 0;

	sqlite3_bind_text(st, 1, shelter_state_name(SS_RESERVED), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int(st, 3, SHELTER_DUE_MAX);
	for (; n < SHELTER_DUE_MAX && sqlite3_step(st) == SQLITE_ROW; n++)
		util_strlcpy(names[n], (const char *)sqlite3_column_text(st,
		    0), sizeof names[n]);
	sqlite3_reset(st);
	for (i = 0; i < n && rc == 0; i++)
		rc = shelter_hold_end(s, names[i], now, cause);
	return rc;
}

/*
 * Run f(s, arg) in its own transaction, then kick the dispatcher and re-arm.
 * Inside the caller's transaction (a reload through the API), just f: the
 * API does the rest after its commit.
 */
static int
shelter_txn(struct shelters *s, int (*f)(struct shelters *, void *,
    char **), void *arg, char **cause)
{
	int	 rc;

	if (store_in_txn(s->store))
		return f(s, arg, cause);
	if (store_begin(s->store, cause) == -1)
		return -1;
	if ((rc = f(s, arg, cause)) == 0)
		rc = store_commit(s->store, cause);
	if (rc == -1)
		store_rollback(s->store);
	else if (s->queued != NULL)
		s->queued(s->arg);
	shelter_arm(s);
	return rc;
}

/* Everything due at *arg: alert steps, then ended holds. */
static int
shelter_due_cb(struct shelters *s, void *arg, char **cause)
{
	int64_t	 now = *(int64_t *)arg;

	if (shelter_due_steps(s, now, cause) == -1)
		return -1;
	return shelter_due_holds(s, now, cause);
}

static void
shelter_timer(evutil_socket_t fd, short what, void *arg)
{
	struct shelters	*s = arg;
	int64_t		 now = util_now();
	char		*cause = NULL;

	if (shelter_txn(s, shelter_due_cb, &now, &cause) == -1) {
		log_warnx("shelter due_failed error=\"%s\"", LOG_QUOTE(cause));
		free(cause);
	}
}

/* ---- life ---- */

/* The first row of shelter name, occupied, and its history; 1 when it
 * had one already. */
static int
shelter_row_add(struct shelters *s, const char *name, int64_t now,
    char **cause)
{
	static const char *const ins = "INSERT OR IGNORE INTO shelters"
	    " (name, state, since) VALUES (?, ?, ?)";
	static const char *const hist = "INSERT INTO shelter_history (shelter,"
	    " at, to_state, cause, actor) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st = store_stmt(s->store, ins);

	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, shelter_state_name(SS_OCCUPIED), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (store_exec_stmt(s->store, st, cause) == -1)
		return -1;
	if (store_changes(s->store) == 0)
		return 1;
	st = store_stmt(s->store, hist);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, shelter_state_name(SS_OCCUPIED), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, shelter_cause_name(SC_CONFIGURED), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, SHELTER_ACTOR_DAEMON, -1, SQLITE_STATIC);
	return store_exec_stmt(s->store, st, cause);
}

/* Give each configured shelter its row: occupied, to begin with. */
static int
shelter_rows_cb(struct shelters *s, void *arg, char **cause)
{
	int64_t	 now = util_now();
	size_t	 i;
	int	 rc;

	for (i = 0; i < s->nsc; i++) {
		if ((rc = shelter_row_add(s, s->sc[i].name, now, cause)) == -1)
			return -1;
		if (rc == 0)
			log_info("shelter configured shelter=%s state=%s",
			    s->sc[i].name, shelter_state_name(SS_OCCUPIED));
	}
	return 0;
}

/* Swap in the sections of *s->conf; 0 or -1 with *cause. */
static int
shelter_load(struct shelters *s, char **cause)
{
	struct shelter_conf	*sc;
	size_t			 n;

	if (shelter_conf_load(*s->conf, &sc, &n, cause) == -1)
		return -1;
	shelter_conf_free(s->sc, s->nsc);
	s->sc = sc;
	s->nsc = n;
	return shelter_txn(s, shelter_rows_cb, NULL, cause);
}

/*
 * The delivery reports ask whether an urgent SMS should still fall back
 * to email (dlr.h): an alert's message only while its alert is open.
 */
static int
shelter_dlr_wanted(void *arg, const char *key)
{
	static const char *const sql = "SELECT status = '" ALERT_OPEN "'"
	    " FROM alerts WHERE id = ?";
	struct shelters	*s = arg;
	sqlite3_stmt	*st;
	long long	 id;
	int		 open = 0;

	if (sscanf(key, "alert/%lld/", &id) != 1)
		return 1;	/* not an alert's */
	st = store_stmt(s->store, sql);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		open = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return open;
}

struct shelters *
shelter_new(struct event_base *base, struct store *store,
    const struct crypt_key *master, struct config **conf,
    void (*queued)(void *), void *arg, char **cause)
{
	struct shelters	*s = xcalloc(1, sizeof *s);

	s->base = base;
	s->store = store;
	s->master = master;
	s->conf = conf;
	s->queued = queued;
	s->arg = arg;
	if ((s->timer = evtimer_new(base, shelter_timer, s)) == NULL)
		fatalx("shelter start_failed step=timer");
	s->alarm = alarm_new(base, store, master, conf, queued, arg);
	dlr_set_wanted(shelter_dlr_wanted, s);
	if (shelter_load(s, cause) == -1) {
		shelter_free(s);
		return NULL;
	}
	return s;
}

int
shelter_reload(struct shelters *s, char **cause)
{
	alarm_arm(s->alarm);	/* new bounds */
	return shelter_load(s, cause);
}

void
shelter_queued(struct shelters *s)
{
	alarm_arm(s->alarm);
}

void
shelter_free(struct shelters *s)
{
	if (s == NULL)
		return;
	if (s->timer != NULL)
		event_free(s->timer);
	alarm_free(s->alarm);
	dlr_set_wanted(NULL, NULL);
	shelter_conf_free(s->sc, s->nsc);
	free(s);
}
