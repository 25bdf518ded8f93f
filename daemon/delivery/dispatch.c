/*
 * dispatch.c: outbox rows through channel plugins.
 *
 * A pass reads the due pending rows (urgent first) that are not taken
 * already, into each channel's ready queue: up to twice the channel's cap on
 * messages in flight.  Feeding a channel takes rows from its queue, prepares
 * each (payload opened with the recipient's data key, address and language
 * from the directory, template rendered) and hands it to the plugin.
 * Outcomes arrive from the plugins on the event loop; each frees a slot that
 * is fed from the queue at once, with no query, and they are gathered and
 * written by one flush, in one transaction, after which the next pass runs.
 * A row is "taken" (in the id set) from the pass that loads it until its
 * outcome is written, so that no pass loads it twice while it is still
 * pending in the database.  Whoever else changes the outbox kicks the
 * dispatcher, which drops its ready queues and reads them again.  Between
 * passes one timer waits for the earliest pending not_before: no polling.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "calendar.h"
#include "config.h"
#include "crypt.h"
#include "curlev.h"
#include "dispatch.h"
#include "log.h"
#include "outbox.h"
#include "people.h"
#include "plugin.h"
#include "recur.h"
#include "store.h"
#include "template.h"
#include "tz.h"
#include "util.h"

#define DISPATCH_NCHAN		2	/* email, sms */
#define DISPATCH_BUSY_RETRY	1	/* seconds, when a channel is full */
#define DISPATCH_BATCH		1024	/* outcomes per transaction at most */
#define DISPATCH_GATHER_US	20000	/* wait for more outcomes (20 ms) */
#define DISPATCH_READY		2	/* rows queued per slot of a channel */

enum dres_kind { DRES_SENT, DRES_RETRY, DRES_FAILED, DRES_DEFER };

/* One outcome waiting to be written. */
struct dres {
	enum dres_kind		 kind;
	int64_t			 id;
	int64_t			 not_before;	/* DEFER */
	char			*text;		/* reply or error */
	struct dmsg		*m;		/* kept for fallbacks */
	TAILQ_ENTRY(dres)	 entry;
};

/*
 * One message, from the pass that loads it (ct holds its sealed payload) to
 * its outcome: m points into the strings below, owned here.
 */
struct dmsg {
	struct sv_message	 m;
	char			*key, *kind, *to, *name, *subject, *body;
	int64_t			 person;
	int			 chan;		/* index in d->chans */
	int			 attempts;
	int64_t			 created;
	int64_t			 age_from;	/* created, or last retried */
	uint8_t			*ct;		/* sealed payload, until prepared */
	size_t			 ctlen;
	char			*payload;	/* opened, for a fallback */
	char			*quiet;		/* the person's quiet hours */
	TAILQ_ENTRY(dmsg)	 entry;
};
TAILQ_HEAD(dmsgq, dmsg);

struct dchan {
	const char		*name;
	struct channel		*ch;
	int			 in_flight;
	struct dmsgq		 ready;		/* loaded, not prepared yet */
	int			 nready;
	int			 drained;	/* the last pass found no more */
	double			 tokens;	/* rate limit bucket */
	struct timespec		 refill;
};

/* The ids of the rows taken: open addressing, linear probing, 0 is empty. */
struct didset {
	int64_t			*slot;
	size_t			 size;		/* a power of two */
	size_t			 n;
};

struct dispatch {
	struct event_base	*base;
	struct store		*store;
	const struct crypt_key	*master;
	struct config		**conf;
	struct template_set	*tpl;
	struct curlev		*cv;
	struct dchan		 chans[DISPATCH_NCHAN];
	struct event		*ev_pass, *ev_timer, *ev_flush, *ev_stop;
	struct dmsgq		 flying;
	TAILQ_HEAD(, dres)	 results;
	int			 nresults;
	struct didset		 taken;		/* ready, flying, unwritten */
	int			 stale;		/* ready queues to read again */
	int			 stopping;
	void			(*stop_done)(void *);
	void			*stop_arg;
};

static const char *const dispatch_chan_names[DISPATCH_NCHAN] = {
	"email", "sms"
};

static void	dispatch_outcome(void *, struct channel *,
		    const struct sv_message *, enum sv_outcome, const char *);

static void
dmsg_free(struct dmsg *dm)
{
	if (dm == NULL)
		return;
	free(dm->key);
	free(dm->kind);
	if (dm->to != NULL)
		sodium_memzero(dm->to, strlen(dm->to));
	free(dm->to);
	free(dm->name);
	free(dm->subject);
	if (dm->body != NULL)
		sodium_memzero(dm->body, strlen(dm->body));
	free(dm->body);
	if (dm->payload != NULL)
		sodium_memzero(dm->payload, strlen(dm->payload));
	free(dm->payload);
	free(dm->ct);
	free(dm->quiet);
	free(dm);
}

static size_t
didset_pos(const struct didset *s, int64_t id)
{
	uint64_t	 h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (s->size - 1);
}

static int
didset_has(const struct didset *s, int64_t id)
{
	size_t	 i;

	if (s->size == 0)
		return 0;
	for (i = didset_pos(s, id); s->slot[i] != 0; i = (i + 1) & (s->size - 1))
		if (s->slot[i] == id)
			return 1;
	return 0;
}

static void
didset_add(struct didset *s, int64_t id)
{
	struct didset	 big;
	size_t		 i;

	if (2 * (s->n + 1) > s->size) {
		big.size = s->size ? 2 * s->size : 256;
		big.slot = xcalloc(big.size, sizeof *big.slot);
		big.n = 0;
		for (i = 0; i < s->size; i++)
			if (s->slot[i] != 0)
				didset_add(&big, s->slot[i]);
		free(s->slot);
		*s = big;
	}
	for (i = didset_pos(s, id); s->slot[i] != 0; i = (i + 1) & (s->size - 1))
		if (s->slot[i] == id)
			return;
	s->slot[i] = id;
	s->n++;
}

/* Remove id, shifting back the entries that probed past its slot. */
static void
didset_del(struct didset *s, int64_t id)
{
	size_t	 i, j, home;

	if (s->size == 0)
		return;
	for (i = didset_pos(s, id); s->slot[i] != id; i = (i + 1) &
	    (s->size - 1))
		if (s->slot[i] == 0)
			return;
	s->n--;
	for (j = i;;) {
		s->slot[i] = 0;
		for (;;) {
			j = (j + 1) & (s->size - 1);
			if (s->slot[j] == 0)
				return;
			home = didset_pos(s, s->slot[j]);
			/* move it back unless its home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) :
			    (home <= i && home > j))
				break;
		}
		s->slot[i] = s->slot[j];
		i = j;
	}
}

/* Queue one outcome and make sure a flush follows this loop turn. */
static void
dispatch_result(struct dispatch *d, enum dres_kind kind, int64_t id,
    const char *text, struct dmsg *m, int64_t not_before)
{
	struct dres	*r = xcalloc(1, sizeof *r);

	r->kind = kind;
	r->id = id;
	r->text = text ? xstrdup(text) : NULL;
	r->m = m;
	r->not_before = not_before;
	TAILQ_INSERT_TAIL(&d->results, r, entry);
	/* urgent outcomes (shelter alerts) are written at once */
	if (++d->nresults >= DISPATCH_BATCH || (m != NULL && m->m.urgent))
		event_active(d->ev_flush, EV_TIMEOUT, 0);
	else if (!evtimer_pending(d->ev_flush, NULL)) {
		/* gather the outcomes of the next few milliseconds */
		struct timeval	 tv = { 0, DISPATCH_GATHER_US };

		evtimer_add(d->ev_flush, &tv);
	}
}

/* The index of channel name, -1 when unknown. */
static int
dispatch_chan(const char *name)
{
	int	 i;

	for (i = 0; i < DISPATCH_NCHAN; i++)
		if (strcmp(dispatch_chan_names[i], name) == 0)
			return i;
	return -1;
}

/*
 * The end of the quiet hours window ("HH:MM-HH:MM"; "" or "none": none) now
 * in force, or -1 when outside them.
 */
static int64_t
dispatch_quiet(const struct config *conf, const char *window, int64_t now)
{
	const struct tz		*zone;
	struct recur_civil	 c;
	int			 from, to, min;
	int64_t			 local, end;

	if (window == NULL || *window == '\0' ||
	    config_quiet_parse(window, &from, &to) == -1 ||
	    (zone = calendar_zone(conf->timezone, NULL)) == NULL)
		return -1;
	local = now + tz_offset_at(zone, now);
	min = (int)((local % 86400 + 86400) % 86400 / 60);
	if (!(from < to ? min >= from && min < to : min >= from || min < to))
		return -1;
	recur_secs_civil(local, &c);
	c.hour = to / 60;
	c.minute = to % 60;
	c.second = 0;
	end = recur_civil_secs(&c);
	if (end <= local)
		end += 86400;
	return tz_resolve(zone, end, NULL);
}

/* Open the sealed payload of row id with the person's data key. */
static char *
dispatch_payload(int64_t id, const struct crypt_key *dk, const void *ct,
    size_t ctlen, char **cause)
{
	uint8_t	*pt;
	size_t	 ptlen;

	if (crypt_open(dk, "outbox", "payload", id, ct, ctlen, &pt, &ptlen,
	    cause) == -1)
		return NULL;
	return (char *)pt;
}

/*
 * Prepare a loaded message: recipient, language, quiet hours and rendered
 * text.  Returns 0, or -1 with *cause for a message that can never be sent
 * (it fails).
 */
static int
dispatch_prepare(struct dispatch *d, struct dmsg *dm, char **cause)
{
	struct people_contact	 pc;
	json_t			*params = NULL;
	json_error_t		 jerr;
	int			 rc = -1;

	if (dm->ct == NULL) {
		util_cause(cause, "message without content");
		return -1;
	}
	/* One unwrap of the data key for the contact and the payload. */
	if (people_contact(d->store, d->master, dm->person,
	    dispatch_chan_names[dm->chan], &pc, cause) == -1)
		return -1;
	dm->payload = dispatch_payload(dm->m.id, pc.dk, dm->ct, dm->ctlen,
	    cause);
	free(dm->ct);
	dm->ct = NULL;
	dm->quiet = pc.quiet;
	pc.quiet = NULL;
	if (dm->payload == NULL)
		goto out;
	if ((params = json_loads(dm->payload, 0, &jerr)) == NULL ||
	    !json_is_object(params)) {
		util_cause(cause, "unreadable payload: %s", params == NULL ?
		    jerr.text : "not an object");
		goto out;
	}
	if (pc.addr == NULL) {
		util_cause(cause, "recipient %lld has no %s",
		    (long long)dm->person, dm->chan == 0 ? "email address" :
		    "phone number");
		goto out;
	}
	/* the time of rendering: {in} of a late reminder tells the truth */
	json_object_set_new(params, "now", json_integer(util_now()));
	if (template_render(d->tpl, dm->kind, dispatch_chan_names[dm->chan],
	    pc.lang[0] != '\0' ? pc.lang : NULL, params, &dm->subject,
	    &dm->body, cause) == -1)
		goto out;
	dm->m.subject = dm->subject;
	dm->m.body = dm->body;
	dm->m.to = dm->to = pc.addr;
	dm->m.to_name = dm->name = pc.name;
	pc.addr = pc.name = NULL;
	if (dm->chan == 1 && dm->m.urgent &&
	    template_sms_segments(dm->m.body) > 1)
		util_cause(cause, "urgent SMS longer than one message (%d "
		    "parts): shorten the template", template_sms_segments(
		    dm->m.body));
	else
		rc = 0;
out:
	json_decref(params);
	people_contact_clear(&pc);
	return rc;
}

/*
 * The outbox's check of a message being queued: rendered as it will go out
 * (the recipient's language, the current templates), so that what the
 * phone guard refuses in an SMS or a subject never enters the queue.  The
 * dispatcher renders again when it sends: the templates, the sender's name
 * or the word list may have changed by then.
 */
static int
dispatch_check(void *arg, const struct outbox_msg *m, char **cause)
{
	struct dispatch	*d = arg;
	json_t		*params;
	char		 lang[4];
	char		*subject = NULL, *body = NULL;
	int		 rc;

	if ((params = json_loads(m->payload, 0, NULL)) == NULL) {
		util_cause(cause, "unreadable payload");
		return -1;
	}
	people_lang(d->store, m->person_id, lang, sizeof lang);
	rc = template_render(d->tpl, m->kind, m->channel, lang, params,
	    &subject, &body, cause);
	json_decref(params);
	free(subject);
	free(body);
	return rc;
}

/* The columns dispatch_row() reads, in its order. */
#define DISPATCH_COLS	"SELECT id, key, kind, person_id, channel, urgent," \
	" attempts, payload, strftime('%s', created), retried FROM outbox"

/* A message from the current row of a DISPATCH_COLS query on channel chan. */
static struct dmsg *
dispatch_row(sqlite3_stmt *st, int chan)
{
	struct dmsg	*dm = xcalloc(1, sizeof *dm);

	dm->m.id = sqlite3_column_int64(st, 0);
	dm->m.key = dm->key = xstrdup((const char *)sqlite3_column_text(st,
	    1));
	dm->m.kind = dm->kind = xstrdup((const char *)sqlite3_column_text(st,
	    2));
	dm->person = sqlite3_column_int64(st, 3);
	dm->chan = chan;
	dm->m.urgent = sqlite3_column_int(st, 5);
	dm->attempts = sqlite3_column_int(st, 6);
	if (sqlite3_column_type(st, 7) == SQLITE_BLOB &&
	    (dm->ctlen = (size_t)sqlite3_column_bytes(st, 7)) > 0) {
		dm->ct = xmalloc(dm->ctlen);
		memcpy(dm->ct, sqlite3_column_blob(st, 7), dm->ctlen);
	}
	dm->created = dm->m.created = sqlite3_column_int64(st, 8);
	/* the retry policy's age counts from a manual retry, if any */
	dm->age_from = sqlite3_column_type(st, 9) == SQLITE_NULL ?
	    dm->created : sqlite3_column_int64(st, 9);
	return dm;
}

/* Whether the channel's rate allows one more message now. */
static int
dispatch_token(struct dchan *c)
{
	struct timespec	 now;
	double		 rate = channel_rate(c->ch), dt;

	if (rate <= 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - c->refill.tv_sec) +
	    (double)(now.tv_nsec - c->refill.tv_nsec) / 1e9;
	c->refill = now;
	c->tokens += dt * rate;
	if (c->tokens > (rate > 1 ? rate : 1))
		c->tokens = rate > 1 ? rate : 1;	/* a second's burst at most */
	if (c->tokens < 1)
		return 0;
	c->tokens -= 1;
	return 1;
}

/* Take a loaded row out of channel c's ready queue. */
static struct dmsg *
dispatch_unready(struct dchan *c)
{
	struct dmsg	*dm;

	if ((dm = TAILQ_FIRST(&c->ready)) != NULL) {
		TAILQ_REMOVE(&c->ready, dm, entry);
		c->nready--;
	}
	return dm;
}

/* Drop every ready queue: the rows are read again by the next pass. */
static void
dispatch_drop_ready(struct dispatch *d)
{
	struct dmsg	*dm;
	int		 i;

	for (i = 0; i < DISPATCH_NCHAN; i++) {
		while ((dm = dispatch_unready(&d->chans[i])) != NULL) {
			didset_del(&d->taken, dm->m.id);
			dmsg_free(dm);
		}
		d->chans[i].drained = 0;
	}
	d->stale = 0;
}

/* How many more rows channel c's ready queue takes. */
static int
dispatch_want(const struct dchan *c)
{
	int	 want = DISPATCH_READY * channel_max_in_flight(c->ch) - c->nready;

	return c->drained || want < 0 ? 0 : want;
}

/*
 * Load channel c's due rows not taken yet into its ready queue, in the
 * order they are to be sent, until the queue is full.  When its rows run
 * out the channel is marked drained: no query for it until the outbox
 * changes.
 */
static void
dispatch_load(struct dispatch *d, struct dchan *c, int chan, int64_t now)
{
	/* Ids only, from the index: the rows taken are skipped cheaply. */
	static const char *const sql = "SELECT id FROM outbox"
	    " INDEXED BY outbox_due"		/* no sort of all rows */
	    " WHERE status = 'pending' AND channel = ?1 AND not_before <= ?2"
	    " ORDER BY urgent DESC, not_before, id LIMIT ?3";
	static const char *const one = DISPATCH_COLS " WHERE id = ?";
	sqlite3_stmt	*st, *row;
	struct dmsg	*dm;
	int64_t		 id, limit, seen = 0;
	int		 want = dispatch_want(c);

	if (want == 0)
		return;
	/* every row taken may come first: ask for that many more */
	limit = (int64_t)d->taken.n + want;
	st = store_stmt(d->store, sql);
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, limit);
	while (want > 0 && sqlite3_step(st) == SQLITE_ROW) {
		seen++;
		if (didset_has(&d->taken, id = sqlite3_column_int64(st, 0)))
			continue;
		row = store_stmt(d->store, one);
		sqlite3_bind_int64(row, 1, id);
		if (sqlite3_step(row) == SQLITE_ROW) {
			dm = dispatch_row(row, chan);
			TAILQ_INSERT_TAIL(&c->ready, dm, entry);
			c->nready++;
			didset_add(&d->taken, id);
			want--;
		}
		sqlite3_reset(row);
	}
	sqlite3_reset(st);
	if (want > 0 && seen < limit)
		c->drained = 1;
}

/*
 * Hand channel chan's ready rows to its plugin while it has room and its
 * rate allows.  *busy is set when rows wait for the rate or the plugin.
 */
static void
dispatch_feed(struct dispatch *d, int chan, int64_t now, int *busy)
{
	const struct config	*conf = *d->conf;
	struct dchan		*c = &d->chans[chan];
	struct dmsg		*dm;
	char			*cause = NULL;
	int64_t			 end;

	while (!TAILQ_EMPTY(&c->ready) &&
	    c->in_flight < channel_max_in_flight(c->ch)) {
		if (!dispatch_token(c)) {
			*busy = 1;
			return;
		}
		dm = dispatch_unready(c);
		if (dispatch_prepare(d, dm, &cause) == -1) {
			dispatch_result(d, DRES_FAILED, dm->m.id, cause, dm, 0);
			free(cause);
			cause = NULL;
			continue;
		}
		/* Urgent messages (shelter alerts) ignore quiet hours. */
		if (chan == 1 && !dm->m.urgent && (end = dispatch_quiet(conf,
		    dm->quiet != NULL ? dm->quiet : conf->quiet_hours, now)) !=
		    -1) {
			dispatch_result(d, DRES_DEFER, dm->m.id, "quiet hours",
			    NULL, end);
			dmsg_free(dm);
			continue;
		}
		TAILQ_INSERT_TAIL(&d->flying, dm, entry);
		c->in_flight++;
		if (channel_send(c->ch, &dm->m) == -1) {
			/* prepared again when its turn comes back */
			TAILQ_REMOVE(&d->flying, dm, entry);
			c->in_flight--;
			didset_del(&d->taken, dm->m.id);
			dmsg_free(dm);
			c->drained = 0;
			*busy = 1;
			return;
		}
	}
}

/* Arm the timer for the earliest pending message after now. */
static void
dispatch_arm(struct dispatch *d, int64_t now, int busy)
{
	static const char *const sql = "SELECT min(not_before) FROM outbox"
	    " WHERE status = 'pending' AND not_before > ?";
	sqlite3_stmt	*st = store_stmt(d->store, sql);
	struct timeval	 tv = { DISPATCH_BUSY_RETRY, 0 };
	int64_t		 next = -1;

	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	evtimer_del(d->ev_timer);
	if (next != -1 && (!busy || next - now < DISPATCH_BUSY_RETRY))
		tv.tv_sec = (time_t)(next - now);
	if (next != -1 || busy)
		evtimer_add(d->ev_timer, &tv);
}

/*
 * One pass: read the ready queues again if the outbox changed, top them up
 * when a channel has room for more than they hold, feed every channel and
 * arm the timer.
 */
static void
dispatch_pass(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch	*d = arg;
	struct dchan	*c;
	int64_t		 now = util_now();
	int		 i, busy = 0;

	if (d->stopping)
		return;
	if (d->stale)
		dispatch_drop_ready(d);
	for (i = 0; i < DISPATCH_NCHAN; i++) {
		c = &d->chans[i];
		if (c->nready < channel_max_in_flight(c->ch) - c->in_flight)
			dispatch_load(d, c, i, now);
		dispatch_feed(d, i, now, &busy);
	}
	dispatch_arm(d, now, busy);
}

/* Rows fell due (or a channel's rate allows more): read them in order. */
static void
dispatch_timer(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch	*d = arg;

	d->stale = 1;
	dispatch_pass(fd, what, arg);
}

/* The delay before attempt n + 1: exponential, with jitter. */
static int64_t
dispatch_backoff(const struct config *conf, int attempts)
{
	int64_t	 delay = conf->backoff_min;
	int	 i;

	for (i = 1; i < attempts && delay < conf->backoff_max; i++)
		delay *= 2;
	if (delay > conf->backoff_max)
		delay = conf->backoff_max;
	/* between 3/4 and 5/4 of it, so that retries do not march together,
	 * and never sooner than backoff_min */
	delay = delay * 3 / 4 + (int64_t)randombytes_uniform(
	    (uint32_t)(delay / 2 + 1));
	return delay < conf->backoff_min ? conf->backoff_min : delay;
}

/* Queue the urgent message of r on the person's other channel. */
static void
dispatch_fallback(struct dispatch *d, struct dres *r)
{
	struct crypt_key	*dk;
	struct outbox_msg	 m;
	char			*key, *cause = NULL;
	int			 other = r->m->chan == 0 ? 1 : 0, added = 0;

	if (r->m->payload == NULL || (dk = people_data_key(d->store,
	    d->master, r->m->person, &cause)) == NULL) {
		free(cause);
		return;
	}
	xasprintf(&key, "%s/fallback", r->m->m.key);
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = r->m->m.kind;
	m.person_id = r->m->person;
	m.channel = dispatch_chan_names[other];
	m.urgent = 1;
	m.not_before = util_now();
	m.payload = r->m->payload;
	if (outbox_enqueue(d->store, dk, &m, &added, &cause) == -1) {
		log_warnx("dispatch fallback_failed id=%lld error=\"%s\"",
		    (long long)r->id, cause);
		free(cause);
	} else if (added) {
		log_info("dispatch fallback id=%lld channel=%s",
		    (long long)r->id, m.channel);
		d->stale = 1;	/* urgent: before what is ready */
	}
	crypt_key_free(dk);
	free(key);
}

/* Write one outcome. */
static int
dispatch_write(struct dispatch *d, struct dres *r, int64_t now, char **cause)
{
	static const char *const sql = "UPDATE outbox SET status = ?2,"
	    " attempts = attempts + ?3, not_before = coalesce(?4, not_before),"
	    " reply = coalesce(?5, reply), last_error = ?6,"
	    " sent = ?7 WHERE id = ?1";
	const struct config	*conf = *d->conf;
	sqlite3_stmt		*st = store_stmt(d->store, sql);
	const char		*status = "pending";
	char			 utc[32];
	int			 tried = r->kind != DRES_DEFER;

	if (r->kind == DRES_RETRY && r->m != NULL &&
	    (r->m->attempts + 1 >= conf->max_attempts ||
	    now - r->m->age_from > conf->max_age))
		r->kind = DRES_FAILED;	/* its retry policy gave up */
	if (r->kind == DRES_SENT)
		status = "sent";
	else if (r->kind == DRES_FAILED)
		status = "failed";
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, tried);
	if (r->kind == DRES_DEFER)
		sqlite3_bind_int64(st, 4, r->not_before);
	else if (r->kind == DRES_RETRY)
		sqlite3_bind_int64(st, 4, now + dispatch_backoff(conf,
		    r->m->attempts + 1));
	if (r->kind == DRES_SENT && r->text != NULL)
		sqlite3_bind_text(st, 5, r->text, -1, SQLITE_STATIC);
	if (r->kind != DRES_SENT && r->text != NULL)
		sqlite3_bind_text(st, 6, r->text, -1, SQLITE_STATIC);
	if (r->kind == DRES_SENT)
		sqlite3_bind_text(st, 7, util_utc_now(utc, sizeof utc), -1,
		    SQLITE_TRANSIENT);
	if (store_exec_stmt(d->store, st, cause) == -1)
		return -1;
	if (r->kind == DRES_FAILED && r->m != NULL && r->m->m.urgent &&
	    strstr(r->m->m.key, "/fallback") == NULL)
		dispatch_fallback(d, r);
	return 0;
}

/* Log one outcome: by id, never an address. */
static void
dispatch_log(const struct dres *r)
{
	char	 esc[256];

	switch (r->kind) {
	case DRES_SENT:
		log_info("dispatch sent id=%lld reply=\"%s\"", (long long)r->id,
		    log_escape(esc, sizeof esc, r->text ? r->text : ""));
		break;
	case DRES_RETRY:
		log_info("dispatch retry id=%lld error=\"%s\"",
		    (long long)r->id, log_escape(esc, sizeof esc,
		    r->text ? r->text : ""));
		break;
	case DRES_FAILED:
		log_warnx("dispatch failed id=%lld error=\"%s\"",
		    (long long)r->id, log_escape(esc, sizeof esc,
		    r->text ? r->text : ""));
		break;
	case DRES_DEFER:
		log_info("dispatch deferred id=%lld reason=quiet_hours",
		    (long long)r->id);
		break;
	}
}

/* Write every queued outcome in one transaction, then pass again. */
static void
dispatch_flush(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch	*d = arg;
	struct dres	*r;
	char		*cause = NULL;
	int64_t		 now = util_now();
	int		 rc, i;

	if (TAILQ_EMPTY(&d->results))
		return;
	rc = store_begin(d->store, &cause);
	TAILQ_FOREACH(r, &d->results, entry)
		if (rc == 0 && (rc = dispatch_write(d, r, now, &cause)) == 0)
			dispatch_log(r);
	if (rc == 0)
		rc = store_commit(d->store, &cause);
	if (rc == -1) {
		/* The rows stay pending: they will be sent again. */
		store_rollback(d->store);
		log_warnx("dispatch flush_failed error=\"%s\"", cause);
		free(cause);
	}
	while ((r = TAILQ_FIRST(&d->results)) != NULL) {
		TAILQ_REMOVE(&d->results, r, entry);
		didset_del(&d->taken, r->id);
		dmsg_free(r->m);
		free(r->text);
		free(r);
	}
	d->nresults = 0;
	for (i = 0; i < DISPATCH_NCHAN; i++)
		d->chans[i].drained = 0;	/* retries may have fallen due */
	evtimer_del(d->ev_flush);
	if (d->stopping && TAILQ_EMPTY(&d->flying))
		event_active(d->ev_stop, EV_TIMEOUT, 0);
	else
		event_active(d->ev_pass, EV_TIMEOUT, 0);
}

/* A plugin's outcome for one message. */
static void
dispatch_outcome(void *arg, struct channel *ch, const struct sv_message *msg,
    enum sv_outcome o, const char *reply)
{
	struct dispatch	*d = arg;
	struct dmsg	*dm;

	TAILQ_FOREACH(dm, &d->flying, entry)
		if (&dm->m == msg)
			break;
	if (dm == NULL) {
		/* a plugin's bug (completed twice?): its answer is ignored */
		log_warnx("dispatch unknown_completion channel=%s",
		    channel_name(ch));
		return;
	}
	TAILQ_REMOVE(&d->flying, dm, entry);
	d->chans[dm->chan].in_flight--;
	dispatch_result(d, o == SV_SENT ? DRES_SENT : o == SV_RETRY ?
	    DRES_RETRY : DRES_FAILED, dm->m.id, reply, dm, 0);
	if (!d->stopping)	/* a slot is free */
		event_active(d->ev_pass, EV_TIMEOUT, 0);
}

static void
dispatch_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch	*d = arg;
	void		(*done)(void *) = d->stop_done;

	d->stop_done = NULL;
	if (done != NULL)
		done(d->stop_arg);
}

struct dispatch *
dispatch_new(struct event_base *base, struct store *store,
    const struct crypt_key *master, struct config **conf, char **cause)
{
	struct dispatch	*d;
	int		 i;

	d = xcalloc(1, sizeof *d);
	d->base = base;
	d->store = store;
	d->master = master;
	d->conf = conf;
	TAILQ_INIT(&d->flying);
	TAILQ_INIT(&d->results);
	if (dispatch_templates(d, *conf, cause) == -1) {
		free(d);
		return NULL;
	}
	d->cv = curlev_new(base);
	for (i = 0; i < DISPATCH_NCHAN; i++)
		TAILQ_INIT(&d->chans[i].ready);
	for (i = 0; i < DISPATCH_NCHAN; i++) {
		d->chans[i].name = dispatch_chan_names[i];
		clock_gettime(CLOCK_MONOTONIC, &d->chans[i].refill);
		d->chans[i].ch = channel_open(*conf, dispatch_chan_names[i],
		    d->cv, dispatch_outcome, d, cause);
		if (d->chans[i].ch == NULL) {
			dispatch_free(d);
			return NULL;
		}
	}
	outbox_set_check(dispatch_check, d);
	d->ev_pass = event_new(base, -1, 0, dispatch_pass, d);
	d->ev_timer = evtimer_new(base, dispatch_timer, d);
	d->ev_flush = evtimer_new(base, dispatch_flush, d);
	d->ev_stop = event_new(base, -1, 0, dispatch_stop_cb, d);
	if (d->ev_pass == NULL || d->ev_timer == NULL || d->ev_flush == NULL ||
	    d->ev_stop == NULL)
		fatalx("dispatch: cannot make events");
	dispatch_kick(d);
	return d;
}

int
dispatch_templates(struct dispatch *d, const struct config *conf,
    char **cause)
{
	struct template_set	*tpl;

	if ((tpl = template_load(conf->templates, cause)) == NULL)
		return -1;
	if (template_set_sender(tpl, conf->sender_name, cause) == -1) {
		template_free(tpl);
		return -1;
	}
	template_free(d->tpl);
	d->tpl = tpl;
	return 0;
}

void
dispatch_kick(struct dispatch *d)
{
	if (d != NULL && !d->stopping) {
		d->stale = 1;	/* even for a slot freed before the pass */
		event_active(d->ev_pass, EV_TIMEOUT, 0);
	}
}

void
dispatch_stop(struct dispatch *d, int timeout, void (*done)(void *),
    void *arg)
{
	struct timeval	 tv = { timeout, 0 };

	d->stopping = 1;
	d->stop_done = done;
	d->stop_arg = arg;
	evtimer_del(d->ev_timer);
	dispatch_drop_ready(d);
	if (TAILQ_EMPTY(&d->flying))
		event_active(d->ev_stop, EV_TIMEOUT, 0);
	else {
		log_info("dispatch stopping in_flight=%d", d->chans[0].in_flight +
		    d->chans[1].in_flight);
		event_add(d->ev_stop, &tv);
	}
}

void
dispatch_free(struct dispatch *d)
{
	struct dmsg	*dm;
	int		 i;

	if (d == NULL)
		return;
	outbox_set_check(NULL, NULL);
	if (d->ev_flush != NULL)
		dispatch_flush(-1, 0, d);	/* what was answered is kept */
	/* Transfers off the multi handle first: then plugins free them. */
	curlev_free(d->cv);
	for (i = 0; i < DISPATCH_NCHAN; i++)
		channel_close(d->chans[i].ch);
	while ((dm = TAILQ_FIRST(&d->flying)) != NULL) {
		TAILQ_REMOVE(&d->flying, dm, entry);
		dmsg_free(dm);
	}
	dispatch_drop_ready(d);
	free(d->taken.slot);
	if (d->ev_pass != NULL) {
		event_free(d->ev_pass);
		event_free(d->ev_timer);
		event_free(d->ev_flush);
		event_free(d->ev_stop);
	}
	template_free(d->tpl);
	free(d);
}

json_t *
dispatch_status(struct dispatch *d)
{
	return json_pack("{si si}", "email_in_flight", d->chans[0].in_flight,
	    "sms_in_flight", d->chans[1].in_flight);
}

json_t *
dispatch_render(struct dispatch *d, int64_t id, char **cause)
{
	static const char *const sql = DISPATCH_COLS " WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(d->store, sql);
	struct dmsg	*dm;
	json_t		*o = NULL;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		util_cause(cause, "no message %lld", (long long)id);
		return NULL;
	}
	dm = dispatch_row(st, dispatch_chan((const char *)sqlite3_column_text(
	    st, 4)));
	if (dm->chan == -1)
		util_cause(cause, "unknown channel");
	else if (dispatch_prepare(d, dm, cause) == 0 &&
	    (o = json_pack("{ss ss* ss}", "to", dm->m.to, "subject",
	    dm->m.subject, "body", dm->m.body)) == NULL)
		util_cause(cause, "message not encodable as JSON");
	sqlite3_reset(st);
	dmsg_free(dm);
	return o;
}
