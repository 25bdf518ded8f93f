/*
 * dispatch_policy.c: what the dispatcher makes of a message's time and of
 * its outcome.
 *
 * Before a message goes: the quiet hours, which hold back an SMS that is not
 * urgent until they end.  After its channel answers: sent, retried later
 * (exponential backoff with jitter) or failed once [delivery] max_attempts
 * or max_age is reached, and a failed urgent message queued again on the
 * person's other channel (the delivery reports use that fallback too,
 * dlr.c).  An urgent SMS sent with a report URL gets its deadline for the
 * report, dlr_due.  Each outcome is one UPDATE of its outbox row,
 * inside the transaction of the dispatcher's flush, and one log line.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "calendar.h"
#include "config.h"
#include "crypt.h"
#include "dispatch.h"
#include "dispatch_int.h"
#include "log.h"
#include "outbox.h"
#include "people.h"
#include "recur.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define DISPATCH_DAY		86400
#define DISPATCH_FALLBACK	"/fallback"	/* a fallback's key suffix */

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
	    (zone = tz_cached(conf->timezone, NULL)) == NULL)
		return -1;
	local = now + tz_offset_at(zone, now);
	min = (int)((local % DISPATCH_DAY + DISPATCH_DAY) % DISPATCH_DAY / 60);
	if (!(from < to ? min >= from && min < to : min >= from || min < to))
		return -1;
	recur_secs_civil(local, &c);
	c.hour = to / 60;
	c.minute = to % 60;
	c.second = 0;
	end = recur_civil_secs(&c);
	if (end <= local)
		end += DISPATCH_DAY;
	return tz_resolve(zone, end, NULL);
}

int64_t
dispatch_quiet_until(const struct config *conf, const struct dispatch_msg *dm,
    int64_t now)
{
	if (dm->chan != CHAN_SMS || dm->m.urgent)
		return -1;
	return dispatch_quiet(conf, dm->quiet != NULL ? dm->quiet :
	    conf->quiet_hours, now);
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

/* A retry its policy gives up on (attempts or age) fails instead. */
static void
dispatch_give_up(const struct config *conf, struct dispatch_res *r,
    int64_t now)
{
	if (r->kind == DISPATCH_RETRY && r->m != NULL &&
	    (r->m->attempts + 1 >= conf->max_attempts ||
	    now - r->m->age_from > conf->max_age))
		r->kind = DISPATCH_FAILED;
}

int
dispatch_fallback_queue(struct store *st, const struct crypt_key *dk,
    const struct dispatch_fallback *fb, int *added, char **cause)
{
	struct outbox_msg	 m;
	char			*key;
	int			 c, rc;

	*added = 0;
	if (strstr(fb->key, DISPATCH_FALLBACK) != NULL ||
	    (c = chan_parse(fb->channel)) == -1)
		return 0;	/* a fallback has none */
	xasprintf(&key, "%s" DISPATCH_FALLBACK, fb->key);
	memset(&m, 0, sizeof m);
	m.key = key;
	m.kind = fb->kind;
	m.person_id = fb->person;
	m.channel = chan_name(chan_other(c));
	m.urgent = 1;
	m.not_before = util_now();
	m.payload = fb->payload;
	rc = outbox_enqueue(st, dk, &m, added, cause);
	free(key);
	return rc;
}

/* Queue the urgent message of r on the person's other channel. */
static void
dispatch_fallback(struct store *st, const struct crypt_key *master,
    struct dispatch_res *r, int *requeued)
{
	struct crypt_key	*dk;
	struct dispatch_fallback fb;
	char			*cause = NULL;
	int			 added = 0;

	if (r->m->payload == NULL || (dk = people_data_key(st, master,
	    r->m->person, &cause)) == NULL) {
		free(cause);
		return;
	}
	fb.key = r->m->m.key;
	fb.kind = r->m->m.kind;
	fb.person = r->m->person;
	fb.channel = chan_name(r->m->chan);
	fb.payload = r->m->payload;
	if (dispatch_fallback_queue(st, dk, &fb, &added, &cause) == -1) {
		log_warnx("dispatch fallback_failed id=%lld error=\"%s\"",
		    (long long)r->id, LOG_QUOTE(cause));
		free(cause);
	} else if (added) {
		log_info("dispatch fallback id=%lld channel=%s",
		    (long long)r->id, chan_name(chan_other(r->m->chan)));
		*requeued = 1;	/* urgent: before what is ready */
		r->fell_back = 1;
	}
	crypt_key_free(dk);
}

/* Whether r failed an urgent message that is not a fallback already. */
static int
dispatch_falls_back(const struct dispatch_res *r)
{
	return r->kind == DISPATCH_FAILED && r->m != NULL && r->m->m.urgent &&
	    strstr(r->m->m.key, DISPATCH_FALLBACK) == NULL;
}

/* The row's status after outcome kind. */
static const char *
dispatch_status_of(enum dispatch_res_kind kind)
{
	if (kind == DISPATCH_SENT)
		return "sent";
	if (kind == DISPATCH_FAILED)
		return "failed";
	return "pending";
}

/*
 * Write one settled outcome to its row.  A row cancelled while its message
 * was in flight (its recipient erased, its alert claimed) stays cancelled
 * whatever the channel answered but "sent", which is what happened: a
 * retry must not make it pending again.
 */
static int
dispatch_write(struct store *st, const struct config *conf,
    const struct dispatch_res *r, int64_t now, char **cause)
{
	static const char *const sql = "UPDATE outbox SET status = ?2,"
	    " attempts = attempts + ?3, not_before = coalesce(?4, not_before),"
	    " reply = coalesce(?5, reply), last_error = ?6,"
	    " sent = ?7, dlr_due = CASE WHEN dlr IS NULL THEN"
	    " coalesce(?8, dlr_due) END"
	    " WHERE id = ?1 AND (status = 'pending' OR ?2 = 'sent')";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		 utc[32];

	sqlite3_bind_int64(stmt, 1, r->id);
	sqlite3_bind_text(stmt, 2, dispatch_status_of(r->kind), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, r->kind != DISPATCH_DEFER);
	if (r->kind == DISPATCH_DEFER)
		sqlite3_bind_int64(stmt, 4, r->not_before);
	else if (r->kind == DISPATCH_RETRY)
		sqlite3_bind_int64(stmt, 4, now + dispatch_backoff(conf,
		    r->m->attempts + 1));
	if (r->kind == DISPATCH_SENT && r->text != NULL)
		sqlite3_bind_text(stmt, 5, r->text, -1, SQLITE_STATIC);
	if (r->kind != DISPATCH_SENT && r->text != NULL)
		sqlite3_bind_text(stmt, 6, r->text, -1, SQLITE_STATIC);
	if (r->kind == DISPATCH_SENT)
		sqlite3_bind_text(stmt, 7, util_utc_now(utc, sizeof utc), -1,
		    SQLITE_TRANSIENT);
	/* an urgent SMS awaits its handset's report (dlr.h), if asked */
	if (r->kind == DISPATCH_SENT && r->m != NULL && r->m->m.urgent &&
	    r->m->m.dlr_url != NULL)
		sqlite3_bind_int64(stmt, 8, now + conf->dlr_timeout);
	return store_exec_stmt(st, stmt, cause);
}

/* Log one outcome: by id, never an address. */
static void
dispatch_log(const struct dispatch_res *r)
{
	char		 esc[256];
	const char	*text = log_escape(esc, sizeof esc, r->text ? r->text :
			    "");

	switch (r->kind) {
	case DISPATCH_SENT:
		log_info("dispatch sent id=%lld reply=\"%s\"", (long long)r->id,
		    text);
		break;
	case DISPATCH_RETRY:
		log_info("dispatch retry id=%lld error=\"%s\"",
		    (long long)r->id, text);
		break;
	case DISPATCH_FAILED:
		log_warnx("dispatch failed id=%lld error=\"%s\"",
		    (long long)r->id, text);
		break;
	case DISPATCH_DEFER:
		log_info("dispatch deferred id=%lld reason=quiet_hours",
		    (long long)r->id);
		break;
	}
}

int
dispatch_record(struct store *st, const struct crypt_key *master,
    const struct config *conf, struct dispatch_res *r, int64_t now,
    int *requeued, char **cause)
{
	dispatch_give_up(conf, r, now);
	if (dispatch_write(st, conf, r, now, cause) == -1)
		return -1;
	if (dispatch_falls_back(r))
		dispatch_fallback(st, master, r, requeued);
	dispatch_log(r);
	return 0;
}
