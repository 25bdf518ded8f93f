/*
 * shelter.c: the shelters' states, their one transition function, the
 * timer of the escalations and holds, and what the API asks of them.
 *
 * The moves are a table (smoves[]); shelter_move() refuses any other, with
 * the current state and what is allowed from it, and does what each move
 * implies to the alerts (open one, close one) and to the history.  The
 * timer asks the database what is due next (an alert's next step, a hold's
 * end), sleeps until then, and handles everything due in one transaction.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "audience.h"
#include "audit.h"
#include "calendar.h"
#include "config.h"
#include "duration.h"
#include "guard.h"
#include "log.h"
#include "people.h"
#include "recur.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"

static const char *const sstate_names[] = {
	"occupied", "vacant", "reserved", "unavailable"
};
static const char *const sstate_fr[] = {
	"occupé", "libre (alerte ouverte)", "réservé", "indisponible"
};
static const char *const scause_names[] = {
	"vacate", "claim", "occupy", "unavailable", "hold_expired"
};

/* The moves a shelter may make. */
static const struct smove {
	enum sstate	 from;
	enum scause	 cause;
	enum sstate	 to;
} smoves[] = {
	{ SS_OCCUPIED, SC_VACATE, SS_VACANT },
	{ SS_UNAVAILABLE, SC_VACATE, SS_VACANT },
	{ SS_RESERVED, SC_VACATE, SS_VACANT },		/* the claim fell through */
	{ SS_VACANT, SC_CLAIM, SS_RESERVED },
	{ SS_RESERVED, SC_OCCUPY, SS_OCCUPIED },
	{ SS_VACANT, SC_OCCUPY, SS_OCCUPIED },		/* housed another way */
	{ SS_UNAVAILABLE, SC_OCCUPY, SS_OCCUPIED },
	{ SS_OCCUPIED, SC_UNAVAILABLE, SS_UNAVAILABLE },
	{ SS_VACANT, SC_UNAVAILABLE, SS_UNAVAILABLE },
	{ SS_RESERVED, SC_UNAVAILABLE, SS_UNAVAILABLE },
	{ SS_RESERVED, SC_HOLD_EXPIRED, SS_VACANT },
};
#define NSMOVES	(sizeof smoves / sizeof smoves[0])

/* ---- configuration ---- */

/* The keys of a [shelter.NAME] section: type, default, bounds, field. */
enum sktype { SK_TITLE, SK_AUDIENCE, SK_AUDIENCE_OPT, SK_DURATION,
    SK_DURATION_OPT, SK_COUNT };

#define SOFF(f)	offsetof(struct shelter_conf, f)
static const struct skey {
	const char	*name;
	enum sktype	 type;
	const char	*def;
	int64_t		 min, max;	/* durations (seconds) and counts */
	size_t		 off;
} skeys[] = {
	{ "title", SK_TITLE, NULL, 1, 64, SOFF(title) },
	{ "notify", SK_AUDIENCE, "role:oncall", 0, 0, SOFF(notify) },
	{ "escalate_after", SK_DURATION, "15m", 5, 86400,
	    SOFF(escalate_after) },
	{ "escalate_to", SK_AUDIENCE_OPT, "role:referent", 0, 0,
	    SOFF(escalate_to) },
	{ "repeat", SK_DURATION_OPT, "15m", 5, 86400, SOFF(repeat) },
	{ "repeat_max", SK_COUNT, "2", 0, 20, SOFF(repeat_max) },
	{ "claim_hold", SK_DURATION, "4h", 10, 7 * 86400, SOFF(claim_hold) },
	{ "link_valid", SK_DURATION, "1d", 10, 7 * 86400, SOFF(link_valid) },
	{ "code_digits", SK_COUNT, "6", 4, 8, SOFF(code_digits) },
};
#define NSKEYS	(sizeof skeys / sizeof skeys[0])

/* A problem of a section, as "file:line: key: ...". */
static void __attribute__((format(printf, 5, 6)))
sconf_error(char **errs, const char *file, int line, const char *key,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *next;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&next, "%s%s%s:%d: %s%s%s", *errs ? *errs : "", *errs ?
	    "\n" : "", file, line, key ? key : "", key ? ": " : "", msg);
	free(msg);
	free(*errs);
	*errs = next;
}

/* Check an audience: "role:R" and "person:ID", comma-separated. */
static int
sconf_audience(const char *value, int empty_ok, char **why)
{
	char	*copy, *tok, *save = NULL;
	int64_t	 id;
	int	 n = 0, rc = 0;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ", ", &save), n++)
		if (!(strncmp(tok, "role:", 5) == 0 &&
		    (audience_role(tok + 5) >= 0)) && !(strncmp(tok, "person:",
		    7) == 0 && util_parse_int(tok + 7, 1, INT64_MAX, &id) == 0)) {
			util_cause(why, "\"%s\" is neither role:ROLE (referent, "
			    "platform, oncall, coordinator, animator, partner) "
			    "nor person:ID", tok);
			rc = -1;
		}
	free(copy);
	if (rc == 0 && n == 0 && !empty_ok) {
		util_cause(why, "an audience is needed, such as role:oncall");
		rc = -1;
	}
	return rc;
}

/* Set key k of sc from value; -1 with *why. */
static int
sconf_set(struct shelter_conf *sc, const struct skey *k, const char *value,
    char **why)
{
	char	**str = (char **)((char *)sc + k->off);
	int64_t	 *num = (int64_t *)((char *)sc + k->off), v;

	switch (k->type) {
	case SK_TITLE:		/* it reaches email bodies */
		if (utf8_len(value) < (size_t)k->min ||
		    utf8_len(value) > (size_t)k->max) {
			util_cause(why, "%lld to %lld characters",
			    (long long)k->min, (long long)k->max);
			return -1;
		}
		if (guard_input_check(value, 0, why) == -1 ||
		    guard_phone_check(value, why) == -1)
			return -1;
		break;
	case SK_AUDIENCE:
	case SK_AUDIENCE_OPT:
		if (sconf_audience(value, k->type == SK_AUDIENCE_OPT,
		    why) == -1)
			return -1;
		break;
	case SK_COUNT:
		if (util_parse_int(value, k->min, k->max, &v) == -1) {
			util_cause(why, "expected a number from %lld to %lld",
			    (long long)k->min, (long long)k->max);
			return -1;
		}
		*num = v;
		return 0;
	case SK_DURATION:
	case SK_DURATION_OPT:
		if (k->type == SK_DURATION_OPT && strcmp(value, "0") == 0)
			v = 0;
		else if (duration_parse(value, &v, NULL) == -1 ||
		    v < k->min || v > k->max) {
			util_cause(why, "expected a duration from %llds to "
			    "%llds, such as 15m or 4h%s", (long long)k->min,
			    (long long)k->max, k->type == SK_DURATION_OPT ?
			    ", or 0 for none" : "");
			return -1;
		}
		*num = v;
		return 0;
	}
	free(*str);
	*str = xstrdup(value);
	return 0;
}

static void
sconf_free(struct shelter_conf *sc)
{
	free(sc->name);
	free(sc->title);
	free(sc->notify);
	free(sc->escalate_to);
}

/* Parse one section into sc; problems appended to *errs. */
static void
sconf_parse(const struct config *conf, const struct config_channel *sec,
    struct shelter_conf *sc, char **errs)
{
	char	*why = NULL;
	size_t	 i, k;

	memset(sc, 0, sizeof *sc);
	sc->name = xstrdup(sec->name);
	for (i = 0; i < NSKEYS; i++)
		if (skeys[i].def != NULL && sconf_set(sc, &skeys[i],
		    skeys[i].def, &why) == -1)
			fatalx("shelter: default of %s: %s", skeys[i].name, why);
	if (sc->title == NULL)
		sc->title = xstrdup(sec->name);
	for (k = 0; k < sec->nkv; k++) {
		for (i = 0; i < NSKEYS; i++)
			if (strcmp(skeys[i].name, sec->kv[k].key) == 0)
				break;
		if (i == NSKEYS)
			sconf_error(errs, conf->file, sec->kv[k].line,
			    sec->kv[k].key, "unknown key in [shelter.%s] "
			    "(title, notify, escalate_after, escalate_to, "
			    "repeat, repeat_max, claim_hold, link_valid, "
			    "code_digits)",
			    sec->name);
		else if (sconf_set(sc, &skeys[i], sec->kv[k].value,
		    &why) == -1) {
			sconf_error(errs, conf->file, sec->kv[k].line,
			    sec->kv[k].key, "%s", why);
			free(why);
			why = NULL;
		}
	}
	if (strlen(sec->name) >= sizeof ((struct srow *)0)->name)
		sconf_error(errs, conf->file, sec->line, NULL, "[shelter.%s]: "
		    "a name of at most %zu characters", sec->name,
		    sizeof ((struct srow *)0)->name - 1);
}

/* Parse every section of conf into *out; 0 or -1 with *cause. */
static int
sconf_all(const struct config *conf, struct shelter_conf **out, size_t *n,
    char **cause)
{
	struct shelter_conf	*sc;
	char			*errs = NULL;
	size_t			 i;

	sc = xcalloc(conf->nshelters + 1, sizeof *sc);
	for (i = 0; i < conf->nshelters; i++)
		sconf_parse(conf, &conf->shelters[i], &sc[i], &errs);
	if (errs != NULL) {
		for (i = 0; i < conf->nshelters; i++)
			sconf_free(&sc[i]);
		free(sc);
		free(*cause);
		*cause = errs;
		return -1;
	}
	*out = sc;
	*n = conf->nshelters;
	return 0;
}

int
shelter_conf_check(const struct config *conf, char **cause)
{
	struct shelter_conf	*sc;
	size_t			 n, i;

	if (sconf_all(conf, &sc, &n, cause) == -1)
		return -1;
	for (i = 0; i < n; i++)
		sconf_free(&sc[i]);
	free(sc);
	return 0;
}

const struct shelter_conf *
shelter_conf_find(const struct shelters *s, const char *name)
{
	size_t	 i;

	for (i = 0; i < s->nsc; i++)
		if (strcmp(s->sc[i].name, name) == 0)
			return &s->sc[i];
	return NULL;
}

/* ---- rows and moves ---- */

const struct tz *
shelter_zone(const struct shelters *s)
{
	const struct tz	*zone = calendar_zone((*s->conf)->timezone, NULL);

	if (zone == NULL)
		fatalx("shelter: time zone %s unreadable", (*s->conf)->timezone);
	return zone;
}

const char *
shelter_local(const struct shelters *s, int64_t utc, char *buf, size_t len)
{
	return calendar_instant(shelter_zone(s), utc, buf, len);
}

json_t *
shelter_person(struct shelters *s, int64_t id)
{
	struct error	 err = { 0, NULL, NULL };
	json_t			*p, *o;

	if ((p = people_get(s->store, s->master, id, &err)) == NULL) {
		error_clear(&err);
		return json_pack("{sI sn}", "id", (json_int_t)id, "name");
	}
	o = json_pack("{sI sO}", "id", (json_int_t)id, "name",
	    json_object_get(p, "name"));
	json_decref(p);
	return o;
}

int
shelter_state_parse(const char *name)
{
	int	 i;

	for (i = 0; i < 4; i++)
		if (strcmp(sstate_names[i], name) == 0)
			return i;
	return SS_OCCUPIED;
}

const char *
shelter_state_name(int state)
{
	return sstate_names[state];
}

int
shelter_row(struct shelters *s, const char *name, struct srow *row)
{
	static const char *const sql = "SELECT state, since, alert_id,"
	    " reserved_by, reserved_until FROM shelters WHERE name = ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int		 rc = -1;

	memset(row, 0, sizeof *row);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		util_strlcpy(row->name, name, sizeof row->name);
		row->state = shelter_state_parse((const char *)
		    sqlite3_column_text(st, 0));
		row->since = sqlite3_column_int64(st, 1);
		row->alert_id = sqlite3_column_int64(st, 2);
		row->reserved_by = sqlite3_column_int64(st, 3);
		row->reserved_until = sqlite3_column_int64(st, 4);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

/* Write row back and its move into the history. */
static int
shelter_write(struct shelters *s, const struct srow *row, enum sstate from,
    enum scause cause, const struct sactor *who, char **why)
{
	static const char *const upd = "UPDATE shelters SET state = ?2,"
	    " since = ?3, alert_id = ?4, reserved_by = ?5, reserved_until = ?6"
	    " WHERE name = ?1";
	static const char *const hist = "INSERT INTO shelter_history"
	    " (shelter, at, from_state, to_state, cause, actor, alert_id)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*st = store_stmt(s->store, upd);

	sqlite3_bind_text(st, 1, row->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, sstate_names[row->state], -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row->since);
	if (row->alert_id != 0)
		sqlite3_bind_int64(st, 4, row->alert_id);
	if (row->reserved_by != 0)
		sqlite3_bind_int64(st, 5, row->reserved_by);
	if (row->reserved_until != 0)
		sqlite3_bind_int64(st, 6, row->reserved_until);
	if (store_exec_stmt(s->store, st, why) == -1)
		return -1;
	st = store_stmt(s->store, hist);
	sqlite3_bind_text(st, 1, row->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, row->since);
	sqlite3_bind_text(st, 3, sstate_names[from], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sstate_names[row->state], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, scause_names[cause], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, who->text, -1, SQLITE_TRANSIENT);
	if (row->alert_id != 0)
		sqlite3_bind_int64(st, 7, row->alert_id);
	return store_exec_stmt(s->store, st, why);
}

/* "vacate, unavailable": the commands allowed from state. */
static void
shelter_allowed(enum sstate state, char *buf, size_t len)
{
	size_t	 i;

	*buf = '\0';
	for (i = 0; i < NSMOVES; i++) {
		if (smoves[i].from != state || smoves[i].cause == SC_CLAIM ||
		    smoves[i].cause == SC_HOLD_EXPIRED)
			continue;
		if (*buf != '\0')
			util_strlcat(buf, ", ", len);
		util_strlcat(buf, scause_names[smoves[i].cause], len);
	}
	if (state == SS_VACANT)
		util_strlcat(buf, ", alerts ack CODE", len);
}

/*
 * The one transition function.  Refuses a move the table does not have;
 * otherwise does what it implies: vacating opens a new alert (closing the
 * claimed one of a fallen-through reservation), a claim holds the shelter
 * for claim_hold, occupying or withdrawing a vacant shelter closes its alert
 * and tells everyone alerted, withdrawing a reserved one tells the claimer,
 * and an expired hold opens a new alert.  Then the row and its history.
 */
int
shelter_move(struct shelters *s, const struct shelter_conf *sc,
    struct srow *row, enum scause cause, const struct sactor *who,
    int64_t now, struct error *err)
{
	enum sstate	 from = row->state;
	char		 allowed[128], *why = NULL;
	size_t		 i;
	int		 rc = 0;

	for (i = 0; i < NSMOVES; i++)
		if (smoves[i].from == from && smoves[i].cause == cause)
			break;
	if (i == NSMOVES) {
		shelter_allowed(from, allowed, sizeof allowed);
		error_set(err, ERR_CONFLICT, NULL, "refusé : « %s » est "
		    "%s ; possible : %s", sc->name, sstate_fr[from], allowed);
		return -1;
	}
	if (from == SS_RESERVED || (from == SS_VACANT && cause != SC_CLAIM))
		rc = alert_close(s, row->alert_id, scause_names[cause],
		    from == SS_VACANT ? TELL_ALL : cause == SC_UNAVAILABLE ?
		    TELL_CLAIMER : TELL_NOBODY, now, &why);
	row->state = smoves[i].to;
	row->since = now;
	if (row->state != SS_RESERVED)
		row->reserved_by = row->reserved_until = 0;
	if (row->state == SS_RESERVED) {
		row->reserved_by = who->person;
		row->reserved_until = now + sc->claim_hold;
	} else if (row->state == SS_VACANT && rc == 0)
		rc = alert_open(s, sc, now, &row->alert_id, &why);
	else
		row->alert_id = 0;
	if (rc == 0)
		rc = shelter_write(s, row, from, cause, who, &why);
	if (rc == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", why);
		free(why);
		return -1;
	}
	log_info("shelter moved shelter=%s from=%s to=%s cause=%s actor=%s",
	    row->name, sstate_names[from], sstate_names[row->state],
	    scause_names[cause], who->text);
	return 0;
}

/* ---- the timer ---- */

/*
 * Arm the timer for the earliest alert step or hold end, to the microsecond
 * of that whole second: however often it is armed again (after a write, at
 * a restart), a step fires at the same instant.
 */
void
shelter_arm(struct shelters *s)
{
	static const char *const sql = "SELECT min(t) FROM ("
	    " SELECT min(next_at) AS t FROM alerts WHERE status = 'open'"
	    " UNION ALL SELECT min(reserved_until) FROM shelters"
	    "  WHERE state = 'reserved')";
	sqlite3_stmt	*st;
	struct timeval	 tv = { 0, 0 };
	struct timespec	 ts;
	int64_t		 next = -1, us;

	if (s == NULL)
		return;
	st = store_stmt(s->store, sql);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
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

/* Everything due at now: alert steps, then ended holds. */
static int
shelter_due(struct shelters *s, int64_t now, char **cause)
{
	static const char *const steps = "SELECT id FROM alerts"
	    " WHERE status = 'open' AND next_at <= ? ORDER BY next_at LIMIT 64";
	static const char *const holds = "SELECT name FROM shelters"
	    " WHERE state = 'reserved' AND reserved_until <= ? LIMIT 64";
	const struct shelter_conf	*sc;
	struct error		 err = { 0, NULL, NULL };
	struct sactor			 who = { "daemon", 0, NULL };
	struct srow			 row;
	sqlite3_stmt			*st;
	int64_t				 ids[64];
	char				 names[64][64];
	int				 n = 0, i, rc = 0;

	st = store_stmt(s->store, steps);
	sqlite3_bind_int64(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	for (i = 0; i < n && rc == 0; i++)
		rc = alert_step(s, ids[i], now, cause);
	st = store_stmt(s->store, holds);
	sqlite3_bind_int64(st, 1, now);
	for (n = 0; sqlite3_step(st) == SQLITE_ROW; n++)
		util_strlcpy(names[n], (const char *)sqlite3_column_text(st,
		    0), sizeof names[n]);
	sqlite3_reset(st);
	for (i = 0; i < n && rc == 0; i++) {
		if ((sc = shelter_conf_find(s, names[i])) == NULL ||
		    shelter_row(s, names[i], &row) == -1)
			continue;
		log_info("shelter hold_expired shelter=%s alert=%lld",
		    names[i], (long long)row.alert_id);
		if ((rc = shelter_move(s, sc, &row, SC_HOLD_EXPIRED, &who, now,
		    &err)) == -1) {
			util_cause(cause, "%s", err.message);
			error_clear(&err);
		}
	}
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

static int
shelter_due_cb(struct shelters *s, void *arg, char **cause)
{
	return shelter_due(s, *(int64_t *)arg, cause);
}

static void
shelter_timer(evutil_socket_t fd, short what, void *arg)
{
	struct shelters	*s = arg;
	int64_t		 now = util_now();
	char		*cause = NULL;

	if (shelter_txn(s, shelter_due_cb, &now, &cause) == -1) {
		log_warnx("shelter due_failed error=\"%s\"", cause);
		free(cause);
	}
}

/* ---- life ---- */

/* Give each configured shelter its row: occupied, to begin with. */
static int
shelter_rows(struct shelters *s, char **cause)
{
	static const char *const ins = "INSERT OR IGNORE INTO shelters"
	    " (name, state, since) VALUES (?, 'occupied', ?)";
	static const char *const hist = "INSERT INTO shelter_history (shelter,"
	    " at, to_state, cause, actor) VALUES (?, ?, 'occupied',"
	    " 'configured', 'daemon')";
	sqlite3_stmt	*st;
	int64_t		 now = util_now();
	size_t		 i;

	for (i = 0; i < s->nsc; i++) {
		st = store_stmt(s->store, ins);
		sqlite3_bind_text(st, 1, s->sc[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (store_exec_stmt(s->store, st, cause) == -1)
			return -1;
		if (store_changes(s->store) == 0)
			continue;
		st = store_stmt(s->store, hist);
		sqlite3_bind_text(st, 1, s->sc[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (store_exec_stmt(s->store, st, cause) == -1)
			return -1;
		log_info("shelter configured shelter=%s state=occupied",
		    s->sc[i].name);
	}
	return 0;
}

static int
shelter_rows_cb(struct shelters *s, void *arg, char **cause)
{
	return shelter_rows(s, cause);
}

/* Swap in the sections of *s->conf; 0 or -1 with *cause. */
static int
shelter_load(struct shelters *s, char **cause)
{
	struct shelter_conf	*sc;
	size_t			 n, i;

	if (sconf_all(*s->conf, &sc, &n, cause) == -1)
		return -1;
	for (i = 0; i < s->nsc; i++)
		sconf_free(&s->sc[i]);
	free(s->sc);
	s->sc = sc;
	s->nsc = n;
	return shelter_txn(s, shelter_rows_cb, NULL, cause);
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
		fatalx("shelter: cannot make the timer");
	if (shelter_load(s, cause) == -1) {
		shelter_free(s);
		return NULL;
	}
	return s;
}

int
shelter_reload(struct shelters *s, char **cause)
{
	return shelter_load(s, cause);
}

void
shelter_free(struct shelters *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	if (s->timer != NULL)
		event_free(s->timer);
	for (i = 0; i < s->nsc; i++)
		sconf_free(&s->sc[i]);
	free(s->sc);
	free(s);
}
