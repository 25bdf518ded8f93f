/*
 * alarm.c: the dead-man's switch (alarm.h).
 *
 * What the dispatcher and the delivery reports tell (observe.h) is counted
 * here, in memory: the failures in a row of each channel, the urgent SMS in
 * a row with no report.  A count says nothing after a restart; the alarms
 * themselves are rows that stay, so that an alarm open when the daemon
 * stopped is not raised twice, and is cleared by the next success.  The
 * judging is never done inside observe(), which may run in someone's
 * transaction: an observation makes the judge event active, and the judge
 * runs in a transaction of its own, then re-arms the one timer: when the
 * oldest urgent message would have waited too long, or when a held alarm
 * may be told, whichever comes first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "alarm.h"
#include "calendar.h"
#include "chan.h"
#include "config.h"
#include "crypt.h"
#include "log.h"
#include "observe.h"
#include "oncall.h"
#include "outbox.h"
#include "people.h"
#include "recur.h"
#include "store.h"
#include "tz.h"
#include "util.h"

/* The conditions, as the alarms table names them. */
enum akind { AK_CHANNEL, AK_URGENT_AGE, AK_NO_REPORT, AK_EXHAUSTED,
    AK_COUNT };
static const struct {
	const char	*name;
	const char	*count;		/* what count is, in the log */
} akinds[AK_COUNT] = {
	[AK_CHANNEL] = { "channel", "failures" },
	[AK_URGENT_AGE] = { "urgent_age", "age" },
	[AK_NO_REPORT] = { "no_report", "no_reports" },
	[AK_EXHAUSTED] = { "exhausted", "alert" },
};

/* The subjects of the conditions that are not a channel's or an alert's. */
#define SUBJECT_URGENT	"urgent"
#define SUBJECT_SMS	"sms"

/* An outcome seen in a row: how many failures since when, or a success. */
struct arun {
	int64_t		 n;
	int64_t		 since;
	int		 ok;		/* the last one was a success */
};

struct alarm {
	struct event_base	*base;
	struct store		*store;
	const struct crypt_key	*master;
	struct config		**conf;
	void			(*queued)(void *);
	void			*arg;
	struct event		*judge;		/* after observations */
	struct event		*timer;		/* urgent age, held alarms */
	struct arun		 fail[CHAN_COUNT];
	struct arun		 noreport;
	int			 kick;		/* messages were queued */
};

/* An alarm's row. */
struct arow {
	int64_t		 id;
	enum akind	 kind;
	char		 subject[32];
	int64_t		 since, raised, count;
	int64_t		 notified;	/* 0: held */
};

/* The message kinds of the alarm itself, which are not judged. */
static int
alarm_own(const char *kind)
{
	return kind != NULL && (strcmp(kind, "alarm") == 0 ||
	    strcmp(kind, "alarm_clear") == 0);
}

/* ---- the rows ---- */

/* Read the columns of an alarm row (id, kind, subject, since, raised,
 * count, notified) into *r. */
static void
arow_read(sqlite3_stmt *st, struct arow *r)
{
	const char	*kind = (const char *)sqlite3_column_text(st, 1);
	int		 k;

	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	for (k = 0; k < AK_COUNT; k++)
		if (kind != NULL && strcmp(kind, akinds[k].name) == 0)
			r->kind = k;
	util_strlcpy(r->subject, (const char *)sqlite3_column_text(st, 2),
	    sizeof r->subject);
	r->since = sqlite3_column_int64(st, 3);
	r->raised = sqlite3_column_int64(st, 4);
	r->count = sqlite3_column_int64(st, 5);
	r->notified = sqlite3_column_int64(st, 6);
}

/* The open alarm of kind on subject into *r: 1, or 0 when none is. */
static int
alarm_find(struct alarm *a, enum akind kind, const char *subject,
    struct arow *r)
{
	static const char *const sql = "SELECT id, kind, subject, since,"
	    " raised, count, notified FROM alarms WHERE kind = ? AND"
	    " subject = ? AND cleared IS NULL";
	sqlite3_stmt	*st = store_stmt(a->store, sql);
	int		 found;

	sqlite3_bind_text(st, 1, akinds[kind].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	if ((found = sqlite3_step(st) == SQLITE_ROW))
		arow_read(st, r);
	sqlite3_reset(st);
	return found;
}

/* When the last alarm of kind on subject was told, other than alarm
 * except; 0 when never. */
static int64_t
alarm_last_told(struct alarm *a, enum akind kind, const char *subject,
    int64_t except)
{
	static const char *const sql = "SELECT MAX(notified) FROM alarms"
	    " WHERE kind = ? AND subject = ? AND id != ?";
	sqlite3_stmt	*st = store_stmt(a->store, sql);
	int64_t		 last = 0;

	sqlite3_bind_text(st, 1, akinds[kind].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, except);
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return last;
}

/* ---- the messages ---- */

/*
 * The channels an alarm of kind on subject goes on: a channel's on the
 * other one only, the others on every channel with no open channel alarm.
 */
static unsigned
alarm_mask(struct alarm *a, enum akind kind, const char *subject)
{
	struct arow	 r;
	unsigned	 mask = 0;
	int		 c;

	if (kind == AK_CHANNEL)
		return (c = chan_parse(subject)) == -1 ? CHAN_ALL :
		    CHAN_BIT(chan_other(c));
	for (c = 0; c < CHAN_COUNT; c++)
		if (!alarm_find(a, AK_CHANNEL, chan_name(c), &r))
			mask |= CHAN_BIT(c);
	return mask;
}

/* The coordinators and the people on call at now, ascending, each once:
 * a new array in *ids (or NULL); how many. */
static size_t
alarm_recipients(struct alarm *a, int64_t now, int64_t **ids)
{
	static const char *const sql = "SELECT r.person_id FROM person_roles r"
	    " JOIN people p ON p.id = r.person_id WHERE r.role ="
	    " 'coordinator' AND p.removed IS NULL";
	int64_t	*more;
	size_t	 n, k, i, j;

	n = store_ids(store_stmt(a->store, sql), ids);
	k = oncall_people(a->store, now, &more);
	for (i = 0; i < k; i++) {
		for (j = 0; j < n && (*ids)[j] != more[i]; j++)
			;
		if (j < n)
			continue;
		*ids = xreallocarray(*ids, n + 1, sizeof **ids);
		(*ids)[n++] = more[i];
	}
	free(more);
	return n;
}

/* The code of alert id, "" when there is none. */
static void
alarm_alert_code(struct alarm *a, const char *id, char *code, size_t len)
{
	static const char *const sql = "SELECT code FROM alerts WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(a->store, sql);

	*code = '\0';
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		util_strlcpy(code, (const char *)sqlite3_column_text(st, 0),
		    len);
	sqlite3_reset(st);
}

/* The params of alarm r, cleared at cleared (0: raised): JSON text, a new
 * string. */
static char *
alarm_payload(struct alarm *a, const struct arow *r, int64_t cleared)
{
	const struct tz	*zone = tz_cached((*a->conf)->timezone, NULL);
	json_t		*o;
	char		 buf[RECUR_FMT_LEN], code[16], *text;

	if (zone == NULL)
		fatalx("alarm zone_unreadable zone=%s reason=\"checked at "
		    "load: a bug\"", (*a->conf)->timezone);
	o = json_pack("{ss sI ss}", "alarm", akinds[r->kind].name, "count",
	    (json_int_t)r->count, "since", calendar_instant(zone, r->since,
	    buf, sizeof buf));
	if (r->kind == AK_CHANNEL || r->kind == AK_NO_REPORT)
		json_object_set_new(o, "channel", json_string(r->kind ==
		    AK_CHANNEL ? r->subject : SUBJECT_SMS));
	if (r->kind == AK_EXHAUSTED) {
		alarm_alert_code(a, r->subject, code, sizeof code);
		json_object_set_new(o, "code", json_string(code));
	}
	if (cleared != 0)
		json_object_set_new(o, "cleared", json_string(
		    calendar_instant(zone, cleared, buf, sizeof buf)));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

/* Queue the message of alarm r (cleared: its end) to person on c. */
static int
alarm_enqueue(struct alarm *a, const struct arow *r, const char *payload,
    int cleared, int64_t person, enum chan c, const struct crypt_key *dk,
    char **cause)
{
	struct outbox_msg	 om;
	char			*key;
	int			 rc;

	xasprintf(&key, "alarm/%lld/%s/%lld/%s", (long long)r->id, cleared ?
	    "cleared" : "raised", (long long)person, chan_name(c));
	memset(&om, 0, sizeof om);
	om.key = key;
	om.kind = cleared ? "alarm_clear" : "alarm";
	om.person_id = person;
	om.channel = chan_name(c);
	om.urgent = 1;		/* never held by quiet hours */
	om.not_before = util_now();
	om.payload = payload;
	rc = outbox_enqueue(a->store, dk, &om, NULL, cause);
	free(key);
	return rc;
}

/* Queue alarm r to person on the channels of mask they have an address
 * for; a channel they have none for is logged. */
static int
alarm_send_one(struct alarm *a, const struct arow *r, const char *payload,
    int64_t cleared, int64_t person, unsigned mask, char **cause)
{
	struct crypt_key	*dk;
	unsigned		 reach = people_channels(a->store, person);
	int			 c, rc = 0;

	for (c = 0; c < CHAN_COUNT; c++)
		if ((mask & CHAN_BIT(c)) && !(reach & CHAN_BIT(c)))
			log_info("alarm unreachable person=%lld channel=%s",
			    (long long)person, chan_name(c));
	if ((reach &= mask) == 0)
		return 0;
	if ((dk = people_data_key(a->store, a->master, person, cause)) == NULL)
		return -1;
	for (c = 0; c < CHAN_COUNT && rc == 0; c++)
		if (reach & CHAN_BIT(c))
			rc = alarm_enqueue(a, r, payload, cleared != 0, person,
			    c, dk, cause);
	crypt_key_free(dk);
	return rc;
}

/* Tell everyone alarm r is for that it is raised, or cleared at cleared
 * (not 0), in the caller's transaction. */
static int
alarm_send(struct alarm *a, const struct arow *r, int64_t cleared,
    int64_t now, char **cause)
{
	unsigned	 mask = alarm_mask(a, r->kind, r->subject);
	int64_t		*ids;
	char		*payload;
	size_t		 n, i;
	int		 rc = 0;

	if ((payload = alarm_payload(a, r, cleared)) == NULL) {
		util_cause(cause, "alarm %lld: unencodable message",
		    (long long)r->id);
		return -1;
	}
	n = alarm_recipients(a, now, &ids);
	if (n == 0)
		log_warnx("alarm no_recipient kind=%s subject=%s hint=\"give "
		    "someone the coordinator role\"", akinds[r->kind].name,
		    r->subject);
	if (mask == 0)
		log_warnx("alarm no_channel kind=%s subject=%s reason=\"every "
		    "channel has an alarm open\"", akinds[r->kind].name,
		    r->subject);
	for (i = 0; i < n && mask != 0 && rc == 0; i++)
		rc = alarm_send_one(a, r, payload, cleared, ids[i], mask,
		    cause);
	sodium_memzero(payload, strlen(payload));
	free(payload);
	free(ids);
	a->kick = 1;
	return rc;
}

/* ---- raise and clear ---- */

/* Tell held alarm r now, in the caller's transaction. */
static int
alarm_tell(struct alarm *a, struct arow *r, int64_t now, char **cause)
{
	static const char *const sql = "UPDATE alarms SET notified = ?"
	    " WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(a->store, sql);

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, r->id);
	if (store_exec_stmt(a->store, st, cause) == -1)
		return -1;
	r->notified = now;
	log_warnx("alarm raised kind=%s subject=%s %s=%lld",
	    akinds[r->kind].name, r->subject, akinds[r->kind].count,
	    (long long)r->count);
	return alarm_send(a, r, 0, now, cause);
}

/*
 * Raise the alarm of kind on subject, its condition true since since with
 * count: told at once, or held when the last alarm of the same kind and
 * subject was told less than [alarm] repeat ago.  Nothing when one is open.
 */
static int
alarm_raise(struct alarm *a, enum akind kind, const char *subject,
    int64_t since, int64_t count, int64_t now, char **cause)
{
	static const char *const sql = "INSERT INTO alarms (kind, subject,"
	    " since, raised, count) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*st;
	struct arow	 r;
	int64_t		 last;

	if (alarm_find(a, kind, subject, &r))
		return 0;
	st = store_stmt(a->store, sql);
	sqlite3_bind_text(st, 1, akinds[kind].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, count);
	if (store_exec_stmt(a->store, st, cause) == -1)
		return -1;
	memset(&r, 0, sizeof r);
	r.id = store_last_id(a->store);
	r.kind = kind;
	util_strlcpy(r.subject, subject, sizeof r.subject);
	r.since = since;
	r.raised = now;
	r.count = count;
	last = alarm_last_told(a, kind, subject, r.id);
	if (last != 0 && now - last < (*a->conf)->alarm_repeat) {
		log_info("alarm held kind=%s subject=%s %s=%lld reason=repeat",
		    akinds[kind].name, subject, akinds[kind].count,
		    (long long)count);
		return 0;
	}
	return alarm_tell(a, &r, now, cause);
}

/* Clear the open alarm of kind on subject, if any: "rétabli" to whom it
 * was told, nothing when it was held. */
static int
alarm_clear(struct alarm *a, enum akind kind, const char *subject,
    int64_t now, char **cause)
{
	static const char *const sql = "UPDATE alarms SET cleared = ?"
	    " WHERE id = ?";
	sqlite3_stmt	*st;
	struct arow	 r;

	if (!alarm_find(a, kind, subject, &r))
		return 0;
	st = store_stmt(a->store, sql);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, r.id);
	if (store_exec_stmt(a->store, st, cause) == -1)
		return -1;
	log_info("alarm cleared kind=%s subject=%s told=%s", akinds[kind].name,
	    subject, r.notified != 0 ? "yes" : "no");
	return r.notified != 0 ? alarm_send(a, &r, now, now, cause) : 0;
}

int
alarm_exhausted(struct alarm *a, int64_t id, int64_t now, char **cause)
{
	char	 subject[24];

	snprintf(subject, sizeof subject, "%lld", (long long)id);
	return alarm_raise(a, AK_EXHAUSTED, subject, now, id, now, cause);
}

int
alarm_answered(struct alarm *a, int64_t id, int64_t now, char **cause)
{
	char	 subject[24];

	snprintf(subject, sizeof subject, "%lld", (long long)id);
	return alarm_clear(a, AK_EXHAUSTED, subject, now, cause);
}

/* ---- judging ---- */

/* A run of outcomes: raise at n failures, clear on a success. */
static int
alarm_judge_run(struct alarm *a, const struct arun *run, int64_t n,
    enum akind kind, const char *subject, int64_t now, char **cause)
{
	if (run->n >= n)
		return alarm_raise(a, kind, subject, run->since, run->n, now,
		    cause);
	if (run->ok)
		return alarm_clear(a, kind, subject, now, cause);
	return 0;
}

/*
 * When the oldest pending urgent message (not the alarm's own) was queued,
 * or given a new start by `outbox retry`; 0 when none waits.  Channel by
 * channel, so that the dispatcher's index (status, channel, urgent...)
 * leads to the urgent rows alone, however long the queue.
 */
static int64_t
alarm_oldest_urgent(struct alarm *a)
{
	static const char *const sql = "SELECT MIN(COALESCE(retried,"
	    " CAST(strftime('%s', created) AS INTEGER))) FROM outbox"
	    " WHERE status = 'pending' AND channel = ? AND urgent = 1"
	    " AND kind NOT IN ('alarm', 'alarm_clear')";
	sqlite3_stmt	*st = store_stmt(a->store, sql);
	int64_t		 oldest = 0, t;
	int		 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		sqlite3_bind_text(st, 1, chan_name(c), -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    (t = sqlite3_column_int64(st, 0)) != 0 &&
		    (oldest == 0 || t < oldest))
			oldest = t;
		sqlite3_reset(st);
	}
	return oldest;
}

/* The urgent queue: raise when its oldest has waited urgent_age; *next is
 * when it will have, when that is to come. */
static int
alarm_judge_urgent(struct alarm *a, int64_t now, int64_t *next,
    char **cause)
{
	int64_t	 oldest = alarm_oldest_urgent(a);
	int64_t	 bound = (*a->conf)->alarm_urgent_age;

	if (oldest != 0 && now - oldest >= bound)
		return alarm_raise(a, AK_URGENT_AGE, SUBJECT_URGENT, oldest,
		    now - oldest, now, cause);
	if (oldest != 0)
		*next = oldest + bound;
	return alarm_clear(a, AK_URGENT_AGE, SUBJECT_URGENT, now, cause);
}

/* The held alarms still open: told once repeat has passed since the last
 * of theirs; *next is when the first of the others may be. */
static int
alarm_judge_held(struct alarm *a, int64_t now, int64_t *next, char **cause)
{
	static const char *const sql = "SELECT id, kind, subject, since,"
	    " raised, count, notified FROM alarms WHERE cleared IS NULL"
	    " AND notified IS NULL ORDER BY id";
	sqlite3_stmt	*st = store_stmt(a->store, sql);
	struct arow	*rows = NULL;
	size_t		 n = 0, i;
	int64_t		 due;
	int		 rc = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		rows = xreallocarray(rows, n + 1, sizeof *rows);
		arow_read(st, &rows[n++]);
	}
	sqlite3_reset(st);
	for (i = 0; i < n && rc == 0; i++) {
		due = alarm_last_told(a, rows[i].kind, rows[i].subject,
		    rows[i].id) + (*a->conf)->alarm_repeat;
		if (due <= now)
			rc = alarm_tell(a, &rows[i], now, cause);
		else if (*next == 0 || due < *next)
			*next = due;
	}
	free(rows);
	return rc;
}

/* Judge every condition at now, in the caller's transaction; *next is
 * when to judge again (0: on the next change only). */
static int
alarm_judge_all(struct alarm *a, int64_t now, int64_t *next, char **cause)
{
	const struct config	*conf = *a->conf;
	int			 c;

	*next = 0;
	for (c = 0; c < CHAN_COUNT; c++)
		if (alarm_judge_run(a, &a->fail[c], conf->alarm_failures,
		    AK_CHANNEL, chan_name(c), now, cause) == -1)
			return -1;
	if (alarm_judge_run(a, &a->noreport, conf->alarm_no_reports,
	    AK_NO_REPORT, SUBJECT_SMS, now, cause) == -1 ||
	    alarm_judge_urgent(a, now, next, cause) == -1)
		return -1;
	return alarm_judge_held(a, now, next, cause);
}

/* Judge in a transaction of its own, kick the dispatcher when messages
 * were queued, and arm the timer for the next judging. */
static void
alarm_judge(evutil_socket_t fd, short what, void *arg)
{
	struct alarm	*a = arg;
	struct timeval	 tv = { 0, 0 };
	int64_t		 now = util_now(), next = 0;
	char		*cause = NULL;

	if (store_in_txn(a->store)) {
		log_warnx("alarm judge_skipped reason=\"a transaction is "
		    "open: a bug\"");
		return;
	}
	a->kick = 0;
	if (store_begin(a->store, &cause) == -1 ||
	    alarm_judge_all(a, now, &next, &cause) == -1 ||
	    store_commit(a->store, &cause) == -1) {
		if (store_in_txn(a->store))
			store_rollback(a->store);
		log_warnx("alarm judge_failed error=\"%s\"", LOG_QUOTE(cause));
		free(cause);
		a->kick = 0;
		next = now + 60;	/* the database may be back by then */
	}
	if (a->kick && a->queued != NULL)
		a->queued(a->arg);
	evtimer_del(a->timer);
	if (next != 0) {
		tv.tv_sec = next > now ? next - now : 0;
		evtimer_add(a->timer, &tv);
	}
}

/* ---- watching ---- */

static void
arun_fail(struct arun *run, int64_t when)
{
	if (run->n++ == 0)
		run->since = when;
	run->ok = 0;
}

static void
arun_ok(struct arun *run)
{
	run->n = 0;
	run->ok = 1;
}

/* What became of a message (observe.h): count it, judge soon. */
static void
alarm_observe(void *arg, const struct obs *o)
{
	struct alarm	*a = arg;

	if (o->chan < 0 || o->chan >= CHAN_COUNT)
		return;
	if (alarm_own(o->kind_name) && o->kind != OBS_SENT &&
	    o->kind != OBS_DELIVERED)
		return;		/* see alarm.h: no alarm about alarms */
	switch (o->kind) {
	case OBS_SENT:
		arun_ok(&a->fail[o->chan]);
		break;
	case OBS_RETRY:
	case OBS_FAILED:
		arun_fail(&a->fail[o->chan], o->when);
		break;
	case OBS_DELIVERED:
		arun_ok(&a->noreport);
		break;
	case OBS_NO_REPORT:
		arun_fail(&a->noreport, o->when);
		break;
	default:
		break;
	}
	alarm_arm(a);
}

void
alarm_arm(struct alarm *a)
{
	if (a != NULL)
		event_active(a->judge, EV_TIMEOUT, 0);
}

struct alarm *
alarm_new(struct event_base *base, struct store *store,
    const struct crypt_key *master, struct config **conf,
    void (*queued)(void *), void *arg)
{
	struct alarm	*a = xcalloc(1, sizeof *a);

	a->base = base;
	a->store = store;
	a->master = master;
	a->conf = conf;
	a->queued = queued;
	a->arg = arg;
	if ((a->judge = event_new(base, -1, 0, alarm_judge, a)) == NULL ||
	    (a->timer = evtimer_new(base, alarm_judge, a)) == NULL)
		fatalx("alarm start_failed step=events");
	observe_add(alarm_observe, a);
	alarm_arm(a);		/* the urgent queue, the held alarms */
	return a;
}

void
alarm_free(struct alarm *a)
{
	if (a == NULL)
		return;
	observe_remove(alarm_observe, a);
	event_free(a->judge);
	event_free(a->timer);
	free(a);
}

json_t *
alarm_status(struct store *st, const char *zone_name)
{
	static const char *const sql = "SELECT id, kind, subject, since,"
	    " raised, count, notified FROM alarms WHERE cleared IS NULL"
	    " ORDER BY id";
	const struct tz	*zone = tz_cached(zone_name, NULL);
	sqlite3_stmt	*s = store_stmt(st, sql);
	struct arow	 r;
	json_t		*list = json_array();
	char		 since[RECUR_FMT_LEN], raised[RECUR_FMT_LEN];

	while (zone != NULL && sqlite3_step(s) == SQLITE_ROW) {
		arow_read(s, &r);
		json_array_append_new(list, json_pack("{ss ss ss ss sI sb}",
		    "kind", akinds[r.kind].name, "subject", r.subject,
		    "since", calendar_instant(zone, r.since, since,
		    sizeof since), "raised", calendar_instant(zone, r.raised,
		    raised, sizeof raised), "count", (json_int_t)r.count,
		    "notified", r.notified != 0));
	}
	sqlite3_reset(s);
	return list;
}
