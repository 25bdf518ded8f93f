/*
 * sched.c: reminders fall due; the outbox gets one row per recipient and
 * channel, in the transaction that moves the event's planned_until.
 *
 * For an event, every reminder time r = occurrence - offset with
 * planned_until < r <= now is handled when the timer fires: queued when the
 * occurrence is still to come, skipped (logged) when it has started.  Then
 * planned_until becomes now and next_due the first r after it.  The outbox
 * key makes a second pass over the same reminder a no-op.
 */
#include <sys/timerfd.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "calendar.h"
#include "chan.h"
#include "crypt.h"
#include "log.h"
#include "outbox.h"
#include "people.h"
#include "recur.h"
#include "sched.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define SCHED_BATCH	500	/* events per transaction (a LIMIT) */
#define SCHED_RETRY	5	/* seconds before retrying after an error */
#define SCHED_UTC_LEN	24	/* "20260107T130000Z" and its NUL, rounded */
#define SCHED_NKEYS	512	/* data keys kept during one pass: a key is
				 * costly to make (guarded, locked pages) */

struct sched_key {
	int64_t			 person;
	struct crypt_key	*dk;
};

struct sched {
	struct event_base	*base;
	struct calendar		*cal;
	struct store		*store;
	const struct crypt_key	*master;
	int			 tfd;
	struct event		*ev_timer;	/* the timerfd is readable */
	struct event		*ev_more;	/* another batch is due */
	int64_t			 armed;		/* UTC seconds, -1: none */
	uint64_t		 wakeups;
	uint64_t		 queued;	/* rows queued by this run */
	void			(*on_queue)(void *);
	void			*on_queue_arg;
	struct sched_key	 keys[SCHED_NKEYS];
	size_t			 nkeys;
};

/* The data key of person, from the pass's small cache. */
static const struct crypt_key *
sched_key(struct sched *s, int64_t person, char **cause)
{
	struct crypt_key	*dk;
	size_t			 i;

	for (i = 0; i < s->nkeys; i++)
		if (s->keys[i].person == person)
			return s->keys[i].dk;
	if ((dk = people_data_key(s->store, s->master, person, cause)) == NULL)
		return NULL;
	if (s->nkeys == SCHED_NKEYS) {
		crypt_key_free(s->keys[0].dk);
		memmove(&s->keys[0], &s->keys[1], (SCHED_NKEYS - 1) *
		    sizeof s->keys[0]);
		s->nkeys--;
	}
	s->keys[s->nkeys].person = person;
	s->keys[s->nkeys++].dk = dk;
	return dk;
}

static void
sched_keys_clear(struct sched *s)
{
	size_t	 i;

	for (i = 0; i < s->nkeys; i++)
		crypt_key_free(s->keys[i].dk);
	s->nkeys = 0;
}

/* Microseconds from t0 to now, for the timing log lines. */
static long long
sched_usec(const struct timespec *t0)
{
	struct timespec	 t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long long)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* UTC seconds as "20260107T130000Z", for keys and logs. */
static const char *
sched_utc(int64_t secs, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 t = (time_t)secs;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	return buf;
}

/* The parameters of a reminder message, as JSON text (new string), or
 * NULL when a text of the event cannot be encoded. */
static char *
sched_payload(const struct cal_event *ev, const struct recur_occ *occ,
    int64_t offset)
{
	char			 sbuf[RECUR_FMT_LEN], ebuf[RECUR_FMT_LEN], *text;
	json_t			*o;

	o = json_pack("{sI ss ss ss ss sI}", "event", (json_int_t)ev->id,
	    "title", ev->title, "start", recur_format(occ, sbuf, sizeof sbuf),
	    "end", calendar_instant(ev->tz, occ->utc + ev->duration, ebuf,
	    sizeof ebuf), "tz",
	    tz_name(ev->tz), "offset", (json_int_t)offset);
	if (ev->location != NULL)
		json_object_set_new(o, "location", json_string(ev->location));
	if (ev->commune != NULL)
		json_object_set_new(o, "commune", json_string(ev->commune));
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	return text;
}

/* One reminder being queued: an occurrence of an event, at an offset. */
struct sched_rem {
	const struct cal_event	*ev;
	const struct recur_occ	*occ;
	int64_t			 offset;
	int64_t			 now;
	char			 occbuf[SCHED_UTC_LEN];	/* the occurrence */
	char			*payload;
};

/* Queue reminder r to person on channel c; *added is set when it is new. */
static int
sched_enqueue_one(struct sched *s, const struct sched_rem *r, int64_t person,
    enum chan c, int *added, char **cause)
{
	const struct crypt_key	*dk;
	struct outbox_msg	 m;
	char			 key[160];

	if ((dk = sched_key(s, person, cause)) == NULL)
		return -1;
	snprintf(key, sizeof key, "reminder/%lld/%s/%lld/%lld/%s",
	    (long long)r->ev->id, r->occbuf, (long long)r->offset,
	    (long long)person, chan_name(c));
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = "reminder";
	m.person_id = person;
	m.channel = chan_name(c);
	m.not_before = r->now;
	m.event_id = r->ev->id;
	m.occurrence = r->occ->utc;
	m.offset = r->offset;
	m.payload = r->payload;
	return outbox_enqueue(s->store, dk, &m, added, cause);
}

/*
 * Queue reminder r to person on every channel of the event they can be
 * reached on; *rows counts the new rows.
 */
static int
sched_enqueue_person(struct sched *s, const struct sched_rem *r,
    int64_t person, unsigned reach, int *rows, char **cause)
{
	int	 c, added;

	for (c = 0; c < CHAN_COUNT; c++) {
		if (!(r->ev->channels & CHAN_BIT(c)))
			continue;
		if (!(reach & CHAN_BIT(c))) {
			log_debug("sched no_contact event=%lld person=%lld "
			    "channel=%s", (long long)r->ev->id,
			    (long long)person, chan_name(c));
			continue;
		}
		if (sched_enqueue_one(s, r, person, c, &added, cause) == -1)
			return -1;
		*rows += added;
		s->queued += (uint64_t)added;
	}
	return 0;
}

/* Queue one reminder of ev to every recipient on every channel. */
static int
sched_enqueue(struct sched *s, const struct cal_event *ev,
    const struct recur_occ *occ, int64_t offset, int64_t now, char **cause)
{
	struct sched_rem	 r = { ev, occ, offset, now, "", NULL };
	int64_t			*ids;
	unsigned		*reach;
	ssize_t			 n, i;
	int			 rows = 0, rc = 0;

	if ((n = calendar_recipients(s->cal, ev->id, &ids, &reach, cause)) < 0)
		return -1;
	if ((r.payload = sched_payload(ev, occ, offset)) == NULL) {
		/* its texts were valid UTF-8 when the event was written */
		util_cause(cause, "event %lld: reminder payload not encodable",
		    (long long)ev->id);
		free(ids);
		free(reach);
		return -1;
	}
	sched_utc(occ->utc, r.occbuf, sizeof r.occbuf);
	for (i = 0; i < n && rc == 0; i++)
		rc = sched_enqueue_person(s, &r, ids[i], reach[i], &rows,
		    cause);
	log_info("sched reminder event=%lld occurrence=%s offset=%lld "
	    "recipients=%zd queued=%d", (long long)ev->id, r.occbuf,
	    (long long)offset, n, rows);
	free(r.payload);
	free(ids);
	free(reach);
	return rc;
}

/* Handle the reminders of ev at offset that fall in (from, now]. */
static int
sched_offset_due(struct sched *s, const struct cal_event *ev, int64_t offset,
    int64_t from, int64_t now, char **cause)
{
	struct recur_iter	*it = calendar_event_iter(ev);
	struct recur_occ	 occ;
	char			 buf[SCHED_UTC_LEN];
	int			 rc = 0;

	recur_iter_seek(it, from + offset + 1);
	while (rc == 0 && recur_iter_next(it, &occ) == 1 &&
	    occ.utc - offset <= now) {
		if (occ.utc > now) {
			rc = sched_enqueue(s, ev, &occ, offset, now, cause);
			continue;
		}
		/* Started already: skip it and all the others that have. */
		log_info("sched reminder_skipped event=%lld occurrence=%s "
		    "offset=%lld reason=started", (long long)ev->id,
		    sched_utc(occ.utc, buf, sizeof buf), (long long)offset);
		recur_iter_seek(it, now + 1);
	}
	recur_iter_free(it);
	return rc;
}

/* The first reminder time of ev after t, or -1 when none is left. */
static int64_t
sched_next(const struct cal_event *ev, int64_t t)
{
	struct recur_iter	*it;
	struct recur_occ	 occ;
	int64_t			 best = -1, r;
	size_t			 i;

	for (i = 0; i < ev->noffsets; i++) {
		it = calendar_event_iter(ev);
		recur_iter_seek(it, t + ev->offsets[i] + 1);
		if (recur_iter_next(it, &occ) == 1) {
			r = occ.utc - ev->offsets[i];
			if (best == -1 || r < best)
				best = r;
		}
		recur_iter_free(it);
	}
	return best;
}

/* Store planned_until and next_due of event id. */
static int
sched_store(struct sched *s, int64_t id, int64_t planned, int64_t next,
    char **cause)
{
	static const char *const sql = "UPDATE events SET planned_until = ?2,"
	    " next_due = ?3 WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(s->store, sql);

	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, planned);
	if (next >= 0)
		sqlite3_bind_int64(stmt, 3, next);
	else
		sqlite3_bind_null(stmt, 3);
	return store_exec_stmt(s->store, stmt, cause);
}

/*
 * Handle everything due for event id up to now when fire is set, and plan
 * the rest.  since >= 0 replaces planned_until: the reminders after it are
 * handled again (their unique keys keep the sent ones from doubling).
 */
static int
sched_event(struct sched *s, int64_t id, int64_t now, int fire, int64_t since,
    char **cause)
{
	struct cal_event	*ev;
	int64_t			 planned;
	size_t			 i;
	int			 rc = 0;

	if ((ev = calendar_event_load(s->cal, id, cause)) == NULL)
		return -1;
	if (since >= 0 && since < ev->planned_until)
		ev->planned_until = since;
	planned = ev->planned_until > now ? ev->planned_until : now;
	for (i = 0; fire && i < ev->noffsets && rc == 0; i++)
		if (now > ev->planned_until)
			rc = sched_offset_due(s, ev, ev->offsets[i],
			    ev->planned_until, now, cause);
	if (rc == 0)
		rc = sched_store(s, id, planned, sched_next(ev, planned), cause);
	calendar_event_free(ev);
	return rc;
}

/* The events due by now, at most SCHED_BATCH; *n is set. */
static int64_t *
sched_due_ids(struct sched *s, int64_t now, size_t *n)
{
	static const char *const sql = "SELECT id FROM events"
	    " WHERE next_due IS NOT NULL AND next_due <= ?"
	    " ORDER BY next_due LIMIT ?";
	sqlite3_stmt	*stmt = store_stmt(s->store, sql);
	int64_t		*ids = xcalloc(SCHED_BATCH, sizeof *ids);

	*n = 0;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, SCHED_BATCH);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		ids[(*n)++] = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return ids;
}

/* One batch inside the caller's transaction; *more when it was full. */
static int
sched_batch(struct sched *s, int64_t now, int *more, char **cause)
{
	int64_t	*ids;
	size_t	 n, i;
	int	 rc = 0;

	ids = sched_due_ids(s, now, &n);
	for (i = 0; i < n && rc == 0; i++)
		rc = sched_event(s, ids[i], now, 1, -1, cause);
	free(ids);
	sched_keys_clear(s);
	*more = n == SCHED_BATCH;
	return rc;
}

int
sched_due(struct sched *s, char **cause)
{
	int	 more = 1;

	while (more)
		if (sched_batch(s, util_now(), &more, cause) == -1)
			return -1;
	return 0;
}

int
sched_plan(struct sched *s, int64_t id, int64_t requeue, char **cause)
{
	struct timespec	 t0;
	int		 rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (requeue >= 0)
		rc = sched_event(s, id, util_now(), 1, requeue - 1, cause);
	else
		rc = sched_event(s, id, util_now(), 0, -1, cause);
	log_debug("sched plan event=%lld usec=%lld", (long long)id,
	    sched_usec(&t0));
	return rc;
}

/* Arm the timerfd at absolute UTC time t (-1: disarm). */
static void
sched_settime(struct sched *s, int64_t t)
{
	struct itimerspec	 its;

	memset(&its, 0, sizeof its);
	if (t >= 0)
		its.it_value.tv_sec = (time_t)(t > 0 ? t : 1);
	if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME |
	    TFD_TIMER_CANCEL_ON_SET, &its, NULL) == -1)
		log_warn("sched timerfd_settime");
	s->armed = t;
}

void
sched_arm(struct sched *s)
{
	static const char *const sql = "SELECT min(next_due) FROM events"
	    " WHERE next_due IS NOT NULL";
	sqlite3_stmt	*stmt = store_stmt(s->store, sql);
	struct timespec	 t0;
	int64_t		 next = -1;
	char		 buf[SCHED_UTC_LEN];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (next != s->armed)
		sched_settime(s, next);
	log_debug("sched armed next=%s usec=%lld", next >= 0 ?
	    sched_utc(next, buf, sizeof buf) : "none", sched_usec(&t0));
}

/* Run what is due in batches of one transaction each. */
static void
sched_run(struct sched *s)
{
	struct timespec	 t0;
	char		*cause = NULL;
	int		 more = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	s->queued = 0;
	if (store_begin(s->store, &cause) == -1 ||
	    sched_batch(s, util_now(), &more, &cause) == -1 ||
	    store_commit(s->store, &cause) == -1) {
		store_rollback(s->store);
		log_warnx("sched run_failed error=\"%s\" retry=%ds",
		    LOG_QUOTE(cause), SCHED_RETRY);
		free(cause);
		sched_settime(s, util_now() + SCHED_RETRY);
		return;
	}
	if (s->queued > 0)
		log_info("sched run queued=%llu usec=%lld",
		    (unsigned long long)s->queued, sched_usec(&t0));
	if (s->queued > 0 && s->on_queue != NULL)
		s->on_queue(s->on_queue_arg);
	if (more)
		event_active(s->ev_more, EV_TIMEOUT, 0);
	else
		sched_arm(s);
}

/* The timerfd fired, or the clock was set (ECANCELED): look at real time. */
static void
sched_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sched	*s = arg;
	uint64_t	 n;

	if (read(fd, &n, sizeof n) == -1 && errno == ECANCELED)
		log_info("sched clock_changed action=replan");
	s->wakeups++;
	s->armed = -2;		/* unknown: sched_arm must set it again */
	sched_run(s);
}

static void
sched_more_cb(evutil_socket_t fd, short what, void *arg)
{
	sched_run(arg);
}

struct sched *
sched_new(struct event_base *base, struct calendar *cal,
    const struct crypt_key *master, char **cause)
{
	struct sched	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->cal = cal;
	s->store = cal->store;
	s->master = master;
	s->armed = -2;
	s->tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->tfd == -1) {
		util_cause(cause, "timerfd_create: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->ev_timer = event_new(base, s->tfd, EV_READ | EV_PERSIST,
	    sched_timer_cb, s);
	s->ev_more = event_new(base, -1, 0, sched_more_cb, s);
	if (s->ev_timer == NULL || s->ev_more == NULL ||
	    event_add(s->ev_timer, NULL) == -1)
		fatalx("sched start_failed step=timer");
	sched_run(s);
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	event_free(s->ev_timer);
	event_free(s->ev_more);
	close(s->tfd);
	sched_keys_clear(s);
	free(s);
}

int
sched_replan_all(struct sched *s, char **cause)
{
	static const char *const sql = "SELECT id FROM events ORDER BY id";
	int64_t		*ids = NULL;
	size_t		 n = 0, i;
	int		 rc = 0;

	if (store_begin(s->store, cause) == -1)
		return -1;
	n = store_ids(store_stmt(s->store, sql), &ids);
	rc = sched_due(s, cause);
	for (i = 0; i < n && rc == 0; i++)
		rc = sched_event(s, ids[i], util_now(), 0, -1, cause);
	free(ids);
	if (rc == 0 && store_commit(s->store, cause) == 0) {
		sched_arm(s);
		return 0;
	}
	store_rollback(s->store);
	return -1;
}

void
sched_on_queue(struct sched *s, void (*fn)(void *), void *arg)
{
	s->on_queue = fn;
	s->on_queue_arg = arg;
}

int64_t
sched_armed(struct sched *s)
{
	return s->armed;
}

json_t *
sched_status(struct sched *s)
{
	char	 buf[32];

	if (s->armed < 0)
		return json_pack("{sn sI}", "next_reminder", "wakeups",
		    (json_int_t)s->wakeups);
	return json_pack("{ss sI}", "next_reminder", util_utc_format(s->armed,
	    buf, sizeof buf), "wakeups", (json_int_t)s->wakeups);
}
