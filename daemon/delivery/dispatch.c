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
 * What a message's time and outcome mean (quiet hours, retries, giving up,
 * the fallback) is the policy's, in dispatch_policy.c.
 *
 * An email to a person whose mail key is usable now is marked encrypt:
 * the key stays with the message until its outcome, and the plugin, which
 * builds the whole message, has the host wrap it (plugin.c asks
 * dispatch_key() for the key).  Without a usable key, [privacy] email says
 * whether the message goes in clear or is replaced by the neutral notice.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "config.h"
#include "crypt.h"
#include "curlev.h"
#include "dispatch.h"
#include "dispatch_int.h"
#include "dlr.h"
#include "guard.h"
#include "idset.h"
#include "log.h"
#include "observe.h"
#include "outbox.h"
#include "people.h"
#include "plugin.h"
#include "store.h"
#include "template.h"
#include "util.h"

#define DISPATCH_BUSY_RETRY	1	/* seconds, when a channel is full */
#define DISPATCH_BATCH		1024	/* outcomes per transaction at most */
#define DISPATCH_GATHER_US	20000	/* wait for more outcomes (20 ms) */
#define DISPATCH_READY		2	/* rows queued per slot of a channel */

/* One channel's plugin, queue and rate. */
struct dchan {
	struct channel		*ch;
	int			 in_flight;
	struct dispatch_msgq	 ready;		/* loaded, not prepared yet */
	int			 nready;
	int			 drained;	/* the last pass found no more */
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
	struct dlr		*dlr;		/* SMS delivery reports */
	struct dchan		 chans[CHAN_COUNT];
	struct event		*ev_pass, *ev_timer, *ev_flush, *ev_stop;
	struct dispatch_msgq	 flying;
	TAILQ_HEAD(, dispatch_res) results;
	int			 nresults;
	struct idset		 taken;		/* ready, flying, unwritten */
	int			 stale;		/* ready queues to read again */
	int			 stopping;
	void			(*stop_done)(void *);
	void			*stop_arg;
};

/* The columns dispatch_row() reads, in the order of enum dispatch_col. */
#define DISPATCH_COLS	"SELECT id, key, kind, person_id, channel, urgent," \
	" attempts, payload, strftime('%s', created), retried FROM outbox"
enum dispatch_col {
	DCOL_ID, DCOL_KEY, DCOL_KIND, DCOL_PERSON, DCOL_CHANNEL, DCOL_URGENT,
	DCOL_ATTEMPTS, DCOL_PAYLOAD, DCOL_CREATED, DCOL_RETRIED
};

static void	dispatch_outcome(void *, struct channel *,
		    const struct sv_message *, enum sv_outcome, const char *);

/* Wipe a string that may hold an address or a text, and free it. */
static void
dispatch_wipe(char *s)
{
	if (s != NULL)
		sodium_memzero(s, strlen(s));
	free(s);
}

static void
dispatch_msg_free(struct dispatch_msg *dm)
{
	if (dm == NULL)
		return;
	free(dm->key);
	free(dm->kind);
	dispatch_wipe(dm->to);
	free(dm->name);
	free(dm->subject);
	dispatch_wipe(dm->body);
	dispatch_wipe(dm->payload);
	if (dm->mkey != NULL)
		sodium_memzero(dm->mkey, dm->mkeylen);
	free(dm->mkey);
	free(dm->ct);
	free(dm->quiet);
	free(dm->dlr_url);
	free(dm);
}

/*
 * Pass again at the next loop turn, after the loop has looked at its
 * sockets: a zero timer, not event_active(), which would run the pass in
 * this same turn.  A channel that answers inside send() (the spool) would
 * otherwise keep the loop in the dispatcher until the outbox is empty, and
 * the control API, the listeners and a backup would wait for it.
 */
static void
dispatch_repass(struct dispatch *d)
{
	static const struct timeval	 zero = { 0, 0 };

	if (!evtimer_pending(d->ev_pass, NULL))
		evtimer_add(d->ev_pass, &zero);
}

/* Queue one outcome and make sure a flush follows this loop turn. */
static void
dispatch_result(struct dispatch *d, enum dispatch_res_kind kind, int64_t id,
    const char *text, struct dispatch_msg *m, int64_t not_before)
{
	struct dispatch_res	*r = xcalloc(1, sizeof *r);

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
 * Open a loaded message for its recipient: *pc their contact on its channel
 * (one unwrap of their data key for it and the payload), their quiet hours
 * into dm, and *params the payload, the template's parameters.  0, or -1
 * with *cause; the caller clears *pc and *params either way.
 */
static int
dispatch_open(struct dispatch *d, struct dispatch_msg *dm,
    struct people_contact *pc, json_t **params, char **cause)
{
	json_error_t	 jerr;

	memset(pc, 0, sizeof *pc);
	*params = NULL;
	if (dm->ct == NULL) {
		util_cause(cause, "message without content");
		return -1;
	}
	if (people_contact(d->store, d->master, dm->person,
	    chan_name(dm->chan), pc, cause) == -1)
		return -1;
	dm->payload = dispatch_payload(dm->m.id, pc->dk, dm->ct, dm->ctlen,
	    cause);
	free(dm->ct);
	dm->ct = NULL;
	dm->quiet = pc->quiet;
	pc->quiet = NULL;
	if (dm->payload == NULL)
		return -1;
	if ((*params = json_loads(dm->payload, 0, &jerr)) == NULL ||
	    !json_is_object(*params)) {
		util_cause(cause, "unreadable payload: %s", *params == NULL ?
		    jerr.text : "not an object");
		return -1;
	}
	if (pc->addr == NULL) {
		util_cause(cause, "recipient %lld has no %s",
		    (long long)dm->person, chan_address(dm->chan));
		return -1;
	}
	return 0;
}

/*
 * An event's title that the phone guard refuses reaches phones as the
 * neutral [calendar] phone_title: template_render puts it in the SMS text
 * and the subject, and the full title in an email's body.  Judged as the
 * message is rendered, with the current word list and setting.
 */
static void
dispatch_phone_title(const struct dispatch *d, json_t *params)
{
	const char	*title;

	title = json_string_value(json_object_get(params, "title"));
	if (title == NULL || guard_phone_check(title, NULL) == 0)
		return;
	json_object_set_new(params, "phone_title",
	    json_string((*d->conf)->phone_title));
}

/*
 * How an email goes to the person of pc, as at now: encrypted when they
 * have a key usable now (taken into dm, which then asks the plugin to
 * encrypt), else in clear or, under [privacy] email = encrypt-or-notice,
 * as the neutral notice.  Returns the kind of template to render.  A key
 * that stopped being usable (expired since it was given) is only warned
 * about, by person id: mailcrypt_check()'s cause may quote the address.
 */
static const char *
dispatch_mailmode(struct dispatch *d, struct dispatch_msg *dm,
    struct people_contact *pc, int64_t now)
{
	char	*cause = NULL;

	if (dm->chan != CHAN_EMAIL)
		return dm->kind;
	if (pc->key_kind != 0 && pc->key != NULL && pc->addr != NULL) {
		if (mailcrypt_check(pc->key_kind, pc->key, pc->keylen,
		    pc->addr, now, NULL, &cause) == 0) {
			dm->m.encrypt = 1;
			dm->mkind = pc->key_kind;
			dm->mkey = pc->key;
			dm->mkeylen = pc->keylen;
			pc->key = NULL;
			pc->keylen = 0;
			return dm->kind;
		}
		free(cause);
		log_warnx("dispatch mail_key_unusable person=%lld msg=%lld "
		    "hint=\"expired or revoked: give a new one with "
		    "stoppvifctl people edit\"", (long long)dm->person, (long long)dm->m.id);
	}
	if (strcmp((*d->conf)->privacy_email, "encrypt-or-notice") == 0)
		return "notice";
	return dm->kind;
}

/* An urgent SMS must go as one message: 0, or -1 with *cause. */
static int
dispatch_fits(const struct dispatch_msg *dm, char **cause)
{
	int	 parts;

	if (dm->chan != CHAN_SMS || !dm->m.urgent ||
	    (parts = template_sms_segments(dm->m.body)) <= 1)
		return 0;
	util_cause(cause, "urgent SMS longer than one message (%d parts): "
	    "shorten the template", parts);
	return -1;
}

/*
 * Prepare a loaded message: recipient, language, quiet hours and its text
 * rendered as at now.  Returns 0, or -1 with *cause for a message that can
 * never be sent (it fails).
 */
static int
dispatch_prepare(struct dispatch *d, struct dispatch_msg *dm, int64_t now,
    char **cause)
{
	struct people_contact	 pc;
	json_t			*params;
	const char		*kind;
	int			 rc = -1;

	if (dispatch_open(d, dm, &pc, &params, cause) == -1)
		goto out;
	/* the time of rendering: {in} of a late reminder tells the truth */
	json_object_set_new(params, "now", json_integer(now));
	dispatch_phone_title(d, params);
	kind = dispatch_mailmode(d, dm, &pc, now);
	if (template_render(d->tpl, kind, chan_name(dm->chan),
	    pc.lang[0] != '\0' ? pc.lang : NULL, params, &dm->subject,
	    &dm->body, cause) == -1)
		goto out;
	dm->m.subject = dm->subject;
	dm->m.body = dm->body;
	dm->m.to = dm->to = pc.addr;
	dm->m.to_name = dm->name = pc.name;
	pc.addr = pc.name = NULL;
	/* where the handset's report is awaited, when the channel asks */
	if (dm->chan == CHAN_SMS && dm->dlr_url == NULL &&
	    channel_reports(d->chans[dm->chan].ch))
		dm->m.dlr_url = dm->dlr_url = dlr_url(d->dlr, dm->m.id);
	rc = dispatch_fits(dm, cause);
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
	dispatch_phone_title(d, params);
	rc = template_render(d->tpl, m->kind, m->channel, lang, params,
	    &subject, &body, cause);
	json_decref(params);
	free(subject);
	free(body);
	return rc;
}

/* A message from the current row of a DISPATCH_COLS query on channel c. */
static struct dispatch_msg *
dispatch_row(sqlite3_stmt *st, enum chan c)
{
	struct dispatch_msg	*dm = xcalloc(1, sizeof *dm);

	dm->m.id = sqlite3_column_int64(st, DCOL_ID);
	dm->m.key = dm->key = xstrdup((const char *)sqlite3_column_text(st,
	    DCOL_KEY));
	dm->m.kind = dm->kind = xstrdup((const char *)sqlite3_column_text(st,
	    DCOL_KIND));
	dm->person = sqlite3_column_int64(st, DCOL_PERSON);
	dm->chan = c;
	dm->m.urgent = sqlite3_column_int(st, DCOL_URGENT);
	dm->attempts = sqlite3_column_int(st, DCOL_ATTEMPTS);
	if (sqlite3_column_type(st, DCOL_PAYLOAD) == SQLITE_BLOB &&
	    (dm->ctlen = (size_t)sqlite3_column_bytes(st, DCOL_PAYLOAD)) > 0) {
		dm->ct = xmalloc(dm->ctlen);
		memcpy(dm->ct, sqlite3_column_blob(st, DCOL_PAYLOAD),
		    dm->ctlen);
	}
	dm->created = dm->m.created = sqlite3_column_int64(st, DCOL_CREATED);
	/* the retry policy's age counts from a manual retry, if any */
	dm->age_from = sqlite3_column_type(st, DCOL_RETRIED) == SQLITE_NULL ?
	    dm->created : sqlite3_column_int64(st, DCOL_RETRIED);
	return dm;
}

/*
 * Outbox row id as a message, or NULL with *cause (may be NULL) when there
 * is no such row or its channel is unknown.
 */
static struct dispatch_msg *
dispatch_fetch(struct dispatch *d, int64_t id, char **cause)
{
	static const char *const sql = DISPATCH_COLS " WHERE id = ?";
	sqlite3_stmt		*st = store_stmt(d->store, sql);
	struct dispatch_msg	*dm = NULL;
	int			 c;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		util_cause(cause, "no message %lld", (long long)id);
	else if ((c = chan_parse((const char *)sqlite3_column_text(st,
	    DCOL_CHANNEL))) == -1)
		util_cause(cause, "unknown channel");
	else
		dm = dispatch_row(st, c);
	sqlite3_reset(st);
	return dm;
}

/* Whether the channel's rate allows one more message now. */
static int
dispatch_token(struct dchan *q)
{
	struct timespec	 now;
	double		 rate = channel_rate(q->ch), dt;

	if (rate <= 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - q->refill.tv_sec) +
	    (double)(now.tv_nsec - q->refill.tv_nsec) / 1e9;
	q->refill = now;
	q->tokens += dt * rate;
	if (q->tokens > (rate > 1 ? rate : 1))
		q->tokens = rate > 1 ? rate : 1;	/* a second's burst at most */
	if (q->tokens < 1)
		return 0;
	q->tokens -= 1;
	return 1;
}

/* Take a loaded row out of a channel's ready queue. */
static struct dispatch_msg *
dispatch_unready(struct dchan *q)
{
	struct dispatch_msg	*dm;

	if ((dm = TAILQ_FIRST(&q->ready)) != NULL) {
		TAILQ_REMOVE(&q->ready, dm, entry);
		q->nready--;
	}
	return dm;
}

/* Drop every ready queue: the rows are read again by the next pass. */
static void
dispatch_drop_ready(struct dispatch *d)
{
	struct dispatch_msg	*dm;
	int			 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		while ((dm = dispatch_unready(&d->chans[c])) != NULL) {
			idset_del(&d->taken, dm->m.id);
			dispatch_msg_free(dm);
		}
		d->chans[c].drained = 0;
	}
	d->stale = 0;
}

/* How many more rows a channel's ready queue takes. */
static int
dispatch_want(const struct dchan *q)
{
	int	 want = DISPATCH_READY * channel_max_in_flight(q->ch) - q->nready;

	return q->drained || want < 0 ? 0 : want;
}

/*
 * Load channel c's due rows not taken yet into its ready queue, in the
 * order they are to be sent, until the queue is full.  When its rows run
 * out the channel is marked drained: no query for it until the outbox
 * changes.
 */
static void
dispatch_load(struct dispatch *d, enum chan c, int64_t now)
{
	/* Ids only, from the index: the rows taken are skipped cheaply. */
	static const char *const sql = "SELECT id FROM outbox"
	    " INDEXED BY outbox_due"		/* no sort of all rows */
	    " WHERE status = 'pending' AND channel = ?1 AND not_before <= ?2"
	    " ORDER BY urgent DESC, not_before, id LIMIT ?3";
	struct dchan		*q = &d->chans[c];
	sqlite3_stmt		*st;
	struct dispatch_msg	*dm;
	int64_t			 id, limit, seen = 0;
	int			 want = dispatch_want(q);

	if (want == 0)
		return;
	/* every row taken may come first: ask for that many more */
	limit = (int64_t)d->taken.n + want;
	st = store_stmt(d->store, sql);
	sqlite3_bind_text(st, 1, chan_name(c), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, limit);
	while (want > 0 && sqlite3_step(st) == SQLITE_ROW) {
		seen++;
		if (idset_has(&d->taken, id = sqlite3_column_int64(st, 0)) ||
		    (dm = dispatch_fetch(d, id, NULL)) == NULL)
			continue;
		TAILQ_INSERT_TAIL(&q->ready, dm, entry);
		q->nready++;
		idset_add(&d->taken, id);
		want--;
	}
	sqlite3_reset(st);
	if (want > 0 && seen < limit)
		q->drained = 1;
}

/*
 * Hand dm to its channel's plugin: 0, or -1 when the plugin is busy (dm is
 * dropped, to be loaded and prepared again when its turn comes back).
 */
static int
dispatch_send(struct dispatch *d, struct dchan *q, struct dispatch_msg *dm)
{
	TAILQ_INSERT_TAIL(&d->flying, dm, entry);
	q->in_flight++;
	if (channel_send(q->ch, &dm->m) == 0)
		return 0;
	TAILQ_REMOVE(&d->flying, dm, entry);
	q->in_flight--;
	idset_del(&d->taken, dm->m.id);
	dispatch_msg_free(dm);
	q->drained = 0;
	return -1;
}

/*
 * Hand channel c's ready rows to its plugin while it has room and its rate
 * allows.  *busy is set when rows wait for the rate or the plugin.
 */
static void
dispatch_feed(struct dispatch *d, enum chan c, int64_t now, int *busy)
{
	const struct config	*conf = *d->conf;
	struct dchan		*q = &d->chans[c];
	struct dispatch_msg	*dm;
	char			*cause = NULL;
	int64_t			 end;

	while (!TAILQ_EMPTY(&q->ready) &&
	    q->in_flight < channel_max_in_flight(q->ch)) {
		if (!dispatch_token(q)) {
			*busy = 1;
			return;
		}
		dm = dispatch_unready(q);
		if (dispatch_prepare(d, dm, util_now(), &cause) == -1) {
			dispatch_result(d, DISPATCH_FAILED, dm->m.id, cause, dm,
			    0);
			free(cause);
			cause = NULL;
		} else if ((end = dispatch_quiet_until(conf, dm, now)) != -1) {
			dispatch_result(d, DISPATCH_DEFER, dm->m.id,
			    "quiet hours", NULL, end);
			dispatch_msg_free(dm);
		} else if (dispatch_send(d, q, dm) == -1) {
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
	struct dchan	*q;
	int64_t		 now = util_now();
	int		 c, busy = 0;

	if (d->stopping)
		return;
	if (d->stale)
		dispatch_drop_ready(d);
	for (c = 0; c < CHAN_COUNT; c++) {
		q = &d->chans[c];
		if (q->nready < channel_max_in_flight(q->ch) - q->in_flight)
			dispatch_load(d, c, now);
		dispatch_feed(d, c, now, &busy);
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

/* Free the queued outcomes: their rows are no longer taken. */
static void
dispatch_results_free(struct dispatch *d)
{
	struct dispatch_res	*r;

	while ((r = TAILQ_FIRST(&d->results)) != NULL) {
		TAILQ_REMOVE(&d->results, r, entry);
		idset_del(&d->taken, r->id);
		dispatch_msg_free(r->m);
		free(r->text);
		free(r);
	}
	d->nresults = 0;
}

/* Tell the observers what the committed outcomes were (observe.h). */
static void
dispatch_observe(struct dispatch *d)
{
	static const enum obs_kind kinds[] = {
		[DISPATCH_SENT] = OBS_SENT, [DISPATCH_RETRY] = OBS_RETRY,
		[DISPATCH_FAILED] = OBS_FAILED, [DISPATCH_DEFER] = OBS_DEFERRED,
	};
	struct dispatch_res	*r;
	struct obs		 o;

	TAILQ_FOREACH(r, &d->results, entry) {
		if (r->m == NULL)
			continue;
		memset(&o, 0, sizeof o);
		o.kind = kinds[r->kind];
		o.chan = r->m->chan;
		o.id = r->id;
		o.urgent = r->m->m.urgent;
		o.kind_name = r->m->kind;
		o.error = r->kind == DISPATCH_SENT ? NULL : r->text;
		o.when = util_now();
		observe(&o);
		if (r->fell_back) {
			o.kind = OBS_FALLBACK;
			o.error = NULL;
			observe(&o);
		}
	}
}

/* An urgent SMS was sent with a report URL: its deadline is set (dlr.h). */
static void
dispatch_dlr_arm(struct dispatch *d)
{
	struct dispatch_res	*r;

	TAILQ_FOREACH(r, &d->results, entry)
		if (r->kind == DISPATCH_SENT && r->m != NULL &&
		    r->m->m.urgent && r->m->m.dlr_url != NULL) {
			dlr_arm(d->dlr);
			return;
		}
}

/* Write every queued outcome in one transaction, then pass again. */
static void
dispatch_flush(evutil_socket_t fd, short what, void *arg)
{
	struct dispatch		*d = arg;
	struct dispatch_res	*r;
	char			*cause = NULL;
	int64_t			 now = util_now();
	int			 rc, c, requeued = 0;

	if (TAILQ_EMPTY(&d->results))
		return;
	rc = store_begin(d->store, &cause);
	TAILQ_FOREACH(r, &d->results, entry)
		if (rc == 0)
			rc = dispatch_record(d->store, d->master, *d->conf, r,
			    now, &requeued, &cause);
	if (rc == 0)
		rc = store_commit(d->store, &cause);
	if (rc == -1) {
		/* The rows stay pending: they will be sent again. */
		store_rollback(d->store);
		log_warnx("dispatch flush_failed error=\"%s\"",
		    LOG_QUOTE(cause));
		free(cause);
	} else {
		outbox_settled();	/* sent and failed: their keep_bodies */
		dispatch_observe(d);
		dispatch_dlr_arm(d);
	}
	if (requeued)
		d->stale = 1;	/* urgent fallbacks: before what is ready */
	dispatch_results_free(d);
	for (c = 0; c < CHAN_COUNT; c++)
		d->chans[c].drained = 0;	/* retries may have fallen due */
	evtimer_del(d->ev_flush);
	if (d->stopping && TAILQ_EMPTY(&d->flying))
		event_active(d->ev_stop, EV_TIMEOUT, 0);
	else
		dispatch_repass(d);
}

/*
 * A plugin asks to encrypt msg: its recipient's key, checked when the
 * message was prepared, and the neutral subject of the moment.
 */
static int
dispatch_key(void *arg, const struct sv_message *msg,
    struct mailcrypt_wrap *w)
{
	struct dispatch		*d = arg;
	struct dispatch_msg	*dm;

	TAILQ_FOREACH(dm, &d->flying, entry)
		if (&dm->m == msg)
			break;
	if (dm == NULL || !dm->m.encrypt || dm->mkey == NULL)
		return -1;
	w->kind = dm->mkind;
	w->key = dm->mkey;
	w->keylen = dm->mkeylen;
	w->subject = (*d->conf)->encrypted_subject;
	return 0;
}

/* A plugin's outcome for one message. */
static void
dispatch_outcome(void *arg, struct channel *ch, const struct sv_message *msg,
    enum sv_outcome o, const char *reply)
{
	struct dispatch		*d = arg;
	struct dispatch_msg	*dm;

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
	dispatch_result(d, o == SV_SENT ? DISPATCH_SENT : o == SV_RETRY ?
	    DISPATCH_RETRY : DISPATCH_FAILED, dm->m.id, reply, dm, 0);
	if (!d->stopping)	/* a slot is free */
		dispatch_repass(d);
}

/* The delivery reports queued a fallback. */
static void
dispatch_queued(void *arg)
{
	dispatch_kick(arg);
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

/* Open every channel's plugin; 0 or -1 with *cause. */
static int
dispatch_open_chans(struct dispatch *d, const struct config *conf,
    char **cause)
{
	struct dchan	*q;
	int		 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		q = &d->chans[c];
		clock_gettime(CLOCK_MONOTONIC, &q->refill);
		q->ch = channel_open(conf, chan_name(c), d->cv,
		    dispatch_outcome, dispatch_key, d, cause);
		if (q->ch == NULL)
			return -1;
	}
	return 0;
}

struct dispatch *
dispatch_new(struct event_base *base, struct store *store,
    const struct crypt_key *master, struct config **conf, char **cause)
{
	struct dispatch	*d;
	int		 c;

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
	for (c = 0; c < CHAN_COUNT; c++)
		TAILQ_INIT(&d->chans[c].ready);
	if (dispatch_open_chans(d, *conf, cause) == -1) {
		dispatch_free(d);
		return NULL;
	}
	outbox_set_check(dispatch_check, d);
	d->dlr = dlr_new(base, store, master, conf, dispatch_queued, d);
	if (channel_reports(d->chans[CHAN_SMS].ch) &&
	    dlr_off_reason(*conf) != NULL)
		log_info("dlr reports_off hint=\"%s\"",
		    LOG_QUOTE(dlr_off_reason(*conf)));
	d->ev_pass = event_new(base, -1, 0, dispatch_pass, d);
	d->ev_timer = evtimer_new(base, dispatch_timer, d);
	d->ev_flush = evtimer_new(base, dispatch_flush, d);
	d->ev_stop = event_new(base, -1, 0, dispatch_stop_cb, d);
	if (d->ev_pass == NULL || d->ev_timer == NULL || d->ev_flush == NULL ||
	    d->ev_stop == NULL)
		fatalx("dispatch start_failed step=events");
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
		dispatch_repass(d);
	}
}

/* Messages in flight on every channel. */
static int
dispatch_in_flight(const struct dispatch *d)
{
	int	 c, n = 0;

	for (c = 0; c < CHAN_COUNT; c++)
		n += d->chans[c].in_flight;
	return n;
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
		log_info("dispatch stopping in_flight=%d",
		    dispatch_in_flight(d));
		event_add(d->ev_stop, &tv);
	}
}

void
dispatch_free(struct dispatch *d)
{
	struct dispatch_msg	*dm;
	int			 c;

	if (d == NULL)
		return;
	outbox_set_check(NULL, NULL);
	if (d->ev_flush != NULL)
		dispatch_flush(-1, 0, d);	/* what was answered is kept */
	dlr_free(d->dlr);
	/* Transfers off the multi handle first: then plugins free them. */
	curlev_free(d->cv);
	for (c = 0; c < CHAN_COUNT; c++)
		channel_close(d->chans[c].ch);
	while ((dm = TAILQ_FIRST(&d->flying)) != NULL) {
		TAILQ_REMOVE(&d->flying, dm, entry);
		dispatch_msg_free(dm);
	}
	dispatch_drop_ready(d);
	idset_clear(&d->taken);
	if (d->ev_pass != NULL) {
		event_free(d->ev_pass);
		event_free(d->ev_timer);
		event_free(d->ev_flush);
		event_free(d->ev_stop);
	}
	template_free(d->tpl);
	free(d);
}

struct dlr *
dispatch_dlr(struct dispatch *d)
{
	return d->dlr;
}

int
dispatch_chan_ready(struct dispatch *d, int c)
{
	return d != NULL && !d->stopping && c >= 0 && c < CHAN_COUNT &&
	    d->chans[c].ch != NULL;
}

json_t *
dispatch_status(struct dispatch *d)
{
	json_t	*o = json_object();
	char	 key[32];
	int	 c;

	for (c = 0; c < CHAN_COUNT; c++) {
		snprintf(key, sizeof key, "%s_in_flight", chan_name(c));
		json_object_set_new(o, key,
		    json_integer(d->chans[c].in_flight));
	}
	return o;
}

json_t *
dispatch_render(struct dispatch *d, int64_t id, int64_t now, char **cause)
{
	struct dispatch_msg	*dm;
	json_t			*o = NULL;

	if ((dm = dispatch_fetch(d, id, cause)) == NULL)
		return NULL;
	if (dispatch_prepare(d, dm, now, cause) == 0 &&
	    (o = json_pack("{ss ss* ss}", "to", dm->m.to, "subject",
	    dm->m.subject, "body", dm->m.body)) == NULL)
		util_cause(cause, "message not encodable as JSON");
	dispatch_msg_free(dm);
	return o;
}
