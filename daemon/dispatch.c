/*
 * dispatch.c: outbox rows through channel plugins.
 *
 * A pass reads the due pending rows (urgent first), skips those already in
 * flight, prepares each (payload opened with the recipient's data key,
 * address and language from the directory, template rendered) and hands it
 * to its channel.  Outcomes arrive from the plugins on the event loop; they
 * are collected and written by one flush per loop turn, in one transaction,
 * after which the next pass runs.  Between passes one timer waits for the
 * earliest pending not_before: no polling.
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

/* One message being sent: m points into the strings below, owned here. */
struct dmsg {
	struct sv_message	 m;
	char			*key, *kind, *to, *name, *subject, *body;
	int64_t			 person;
	int			 chan;		/* index in d->chans */
	int			 attempts;
	int64_t			 created;
	char			*payload;	/* opened, for a fallback */
	TAILQ_ENTRY(dmsg)	 entry;
};

struct dchan {
	const char		*name;
	struct channel		*ch;
	int			 in_flight;
	double			 tokens;	/* rate limit bucket */
	struct timespec		 refill;
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
	TAILQ_HEAD(, dmsg)	 flying;
	TAILQ_HEAD(, dres)	 results;
	int			 nresults;
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
	free(dm);
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
	if (++d->nresults >= DISPATCH_BATCH)
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

/* The end of the quiet hours now in force, or -1 when outside them. */
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
 * Prepare message row: recipient, language, rendered text.  Returns 0, or -1
 * with *cause for a message that can never be sent (it fails).
 */
static int
dispatch_prepare(struct dispatch *d, struct dmsg *dm, const void *ct,
    size_t ctlen, char **cause)
{
	struct crypt_key *dk;
	json_t		*who, *params;
	json_error_t	 jerr;
	const char	*addr, *lang, *name;
	int		 rc = -1;

	if (ct == NULL) {
		util_cause(cause, "message without content");
		return -1;
	}
	/* One unwrap of the data key for the contact and the payload. */
	if ((who = people_get_key(d->store, d->master, dm->person, &dk,
	    NULL)) == NULL) {
		util_cause(cause, "recipient %lld was erased",
		    (long long)dm->person);
		return -1;
	}
	dm->payload = dispatch_payload(dm->m.id, dk, ct, ctlen, cause);
	crypt_key_free(dk);
	if (dm->payload == NULL) {
		json_decref(who);
		return -1;
	}
	addr = json_string_value(json_object_get(who, dm->chan == 0 ?
	    "email" : "phone"));
	lang = json_string_value(json_object_get(who, "lang"));
	name = json_string_value(json_object_get(who, "name"));
	if ((params = json_loads(dm->payload, 0, &jerr)) == NULL)
		util_cause(cause, "unreadable payload: %s", jerr.text);
	else if (addr == NULL)
		util_cause(cause, "recipient %lld has no %s",
		    (long long)dm->person, dm->chan == 0 ? "email address" :
		    "phone number");
	else if (template_render(d->tpl, dm->kind, dispatch_chan_names[
	    dm->chan], lang, params, &dm->subject, &dm->body, cause) == 0) {
		dm->m.subject = dm->subject;
		dm->m.body = dm->body;
		dm->m.to = dm->to = xstrdup(addr);
		dm->m.to_name = dm->name = name ? xstrdup(name) : NULL;
		rc = 0;
	}
	if (rc == 0 && dm->chan == 1 && dm->m.urgent &&
	    template_sms_segments(dm->m.body) > 1) {
		util_cause(cause, "urgent SMS longer than one message (%d "
		    "parts): shorten the template", template_sms_segments(
		    dm->m.body));
		rc = -1;
	}
	json_decref(params);
	json_decref(who);
	return rc;
}

/* The columns dispatch_row() reads, in its order. */
#define DISPATCH_COLS	"SELECT id, key, kind, person_id, channel, urgent," \
	" attempts, payload, strftime('%s', created) FROM outbox"

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
	dm->created = dm->m.created = sqlite3_column_int64(st, 8);
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

/*
 * Whether row id is being sent already, or has an outcome not written yet
 * (it is still pending in the database until the next flush).
 */
static int
dispatch_flying(struct dispatch *d, int64_t id)
{
	struct dmsg	*dm;
	struct dres	*r;

	TAILQ_FOREACH(dm, &d->flying, entry)
		if (dm->m.id == id)
			return 1;
	TAILQ_FOREACH(r, &d->results, entry)
		if (r->id == id)
			return 1;
	return 0;
}

/* Take one due row: prepare it and hand it to its channel. */
static void
dispatch_take(struct dispatch *d, sqlite3_stmt *st, int64_t now, int *busy)
{
	const struct config	*conf = *d->conf;
	struct dmsg		*dm;
	struct dchan		*c;
	char			*cause = NULL;
	int64_t			 end, id = sqlite3_column_int64(st, 0);
	int			 chan;

	if (dispatch_flying(d, id) ||
	    (chan = dispatch_chan((const char *)sqlite3_column_text(st, 4))) ==
	    -1 || busy[chan])
		return;
	c = &d->chans[chan];
	if (c->in_flight >= channel_max_in_flight(c->ch) || !dispatch_token(c)) {
		busy[chan] = 1;
		return;
	}
	dm = dispatch_row(st, chan);
	if (chan == 1 && !dm->m.urgent && (end = dispatch_quiet(conf,
	    conf->quiet_hours, now)) != -1) {
		dispatch_result(d, DRES_DEFER, id, "quiet hours", NULL, end);
		dmsg_free(dm);
		return;
	}
	if (dispatch_prepare(d, dm, sqlite3_column_blob(st, 7),
	    (size_t)sqlite3_column_bytes(st, 7), &cause) == -1) {
		dispatch_result(d, DRES_FAILED, id, cause, dm, 0);
		free(cause);
		return;
	}
	TAILQ_INSERT_TAIL(&d->flying, dm, entry);
	c->in_flight++;
	if (channel_send(c->ch, &dm->m) == -1) {
		TAILQ_REMOVE(&d->flying, dm, entry);
		c->in_flight--;
		busy[chan] = 1;
		dmsg_free(dm);
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

/* One pass over the due messages. */
static void
dispatch_pass(evutil_socket_t fd, short what, void *arg)
{
	static const char *const sql = DISPATCH_COLS
	    " INDEXED BY outbox_due"		/* no sort of all rows */
	    " WHERE status = 'pending' AND not_before <= ?1"
	    " ORDER BY urgent DESC, not_before, id LIMIT ?2";
	struct dispatch	*d = arg;
	sqlite3_stmt	*st;
	int64_t		 now = util_now();
	int		 busy[DISPATCH_NCHAN] = { 0, 0 }, i, room = 0, nfly = 0;
	int		 full = 0;

	if (d->stopping)
		return;
	for (i = 0; i < DISPATCH_NCHAN; i++) {
		room += channel_max_in_flight(d->chans[i].ch);
		nfly += d->chans[i].in_flight;
	}
	st = store_stmt(d->store, sql);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, room + nfly + d->nresults);
	while (sqlite3_step(st) == SQLITE_ROW)
		dispatch_take(d, st, now, busy);
	sqlite3_reset(st);
	for (i = 0; i < DISPATCH_NCHAN; i++)
		full |= busy[i];
	dispatch_arm(d, now, full);
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
	} else if (added)
		log_info("dispatch fallback id=%lld channel=%s",
		    (long long)r->id, m.channel);
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
	    now - r->m->created > conf->max_age))
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
	int		 rc;

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
		dmsg_free(r->m);
		free(r->text);
		free(r);
	}
	d->nresults = 0;
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
	if (dm == NULL)
		fatalx("dispatch: channel %s completed an unknown message",
		    channel_name(ch));
	TAILQ_REMOVE(&d->flying, dm, entry);
	d->chans[dm->chan].in_flight--;
	dispatch_result(d, o == SV_SENT ? DRES_SENT : o == SV_RETRY ?
	    DRES_RETRY : DRES_FAILED, dm->m.id, reply, dm, 0);
	dispatch_kick(d);	/* a slot is free */
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
	d->ev_pass = event_new(base, -1, 0, dispatch_pass, d);
	d->ev_timer = evtimer_new(base, dispatch_pass, d);
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
	template_free(d->tpl);
	d->tpl = tpl;
	return 0;
}

void
dispatch_kick(struct dispatch *d)
{
	if (d != NULL && !d->stopping)
		event_active(d->ev_pass, EV_TIMEOUT, 0);
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
	if (dm->chan != -1 && dispatch_prepare(d, dm, sqlite3_column_blob(st,
	    7), (size_t)sqlite3_column_bytes(st, 7), cause) == 0)
		o = json_pack("{ss ss* ss}", "to", dm->m.to, "subject",
		    dm->m.subject, "body", dm->m.body);
	sqlite3_reset(st);
	dmsg_free(dm);
	return o;
}
