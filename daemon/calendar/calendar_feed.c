/*
 * calendar_feed.c: one person's calendar feed (calendar_feed.h).
 *
 * The token names the person (people_feed.c); their events are chosen as
 * calendar_recipients() chooses an event's people, read with calendar_get()
 * and copied field by field into a new object that holds only what may
 * leave: times, rule, exclusions, reminders, kind, a title and a place a
 * phone may show.  A field added to events later stays out of feeds until
 * it is added here.  ics_export() writes them; the head gets the feed's
 * name and how often to read it again.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "calendar.h"
#include "calendar_feed.h"
#include "calendar_int.h"
#include "crypt.h"
#include "guard.h"
#include "holiday.h"
#include "ics.h"
#include "people_feed.h"
#include "recur.h"
#include "store.h"
#include "util.h"

#define FEED_ETAG_PURPOSE	"cal-etag"	/* 8 characters: crypt_mac */
/* The days an event skips (holidays, closures) become EXDATEs from a
 * season ago to two years ahead: a calendar application knows no rule. */
#define FEED_SKIP_BEFORE	(92 * 86400)
#define FEED_SKIP_AFTER		(731 * 86400)
#define FEED_SKIP_MAX		128	/* EXDATEs added to one event */
#define FEED_PHONE_TITLE	"phone_title"	/* an event's neutral title */

/* After the head that ics_export writes: the feed's name (a neutral one:
 * phones show it) and how often to read it again (RFC 7986's
 * REFRESH-INTERVAL, and the X-PUBLISHED-TTL that Outlook reads). */
#define FEED_HEAD_AFTER		"CALSCALE:GREGORIAN\r\n"
#define FEED_HEAD_LINES		"X-WR-CALNAME:Réseau\r\n" \
				"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" \
				"X-PUBLISHED-TTL:PT6H\r\n"

/* The fields copied as they are: none of them names anybody. */
static const char *const feed_fields[] = {
	"id", "uid", "kind", "dtstart", "tz", "rrule", "duration", "remind",
	"exdates", "created", "updated",
};
#define FEED_NFIELDS	(sizeof feed_fields / sizeof feed_fields[0])

/* The ids of the events person is in the audience of (the newest
 * CALENDAR_FEED_MAX, ascending); the count, or -1 with *cause. */
static ssize_t
feed_ids(struct calendar *cal, int64_t person, int64_t **ids, char **cause)
{
	static const char *const sql = "SELECT id FROM (SELECT e.id FROM"
	    " events e WHERE" CAL_AUDIENCE_HAS("e.id", "?1")
	    " ORDER BY e.id DESC LIMIT ?2) ORDER BY id";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	size_t		 n = 0;
	int		 rc;

	*ids = NULL;
	sqlite3_bind_int64(stmt, 1, person);
	sqlite3_bind_int(stmt, 2, CALENDAR_FEED_MAX);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, n + 1, sizeof **ids);
		(*ids)[n++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE)
		return (ssize_t)n;
	store_cause(cal->store, "feed", cause);
	free(*ids);
	*ids = NULL;
	return -1;
}

/* Text key of ev when a phone may show it, else NULL. */
static const char *
feed_shown(json_t *ev, const char *key)
{
	const char	*s = json_string_value(json_object_get(ev, key));

	if (s == NULL || *s == '\0' || guard_phone_check(s, NULL) == -1)
		return NULL;
	return s;
}

/* What of event ev may leave in a feed (a new object). */
static json_t *
feed_event(json_t *ev)
{
	json_t		*o = json_object(), *v;
	const char	*title, *where;
	size_t		 i;

	for (i = 0; i < FEED_NFIELDS; i++)
		if ((v = json_object_get(ev, feed_fields[i])) != NULL)
			json_object_set(o, feed_fields[i], v);
	if ((title = feed_shown(ev, FEED_PHONE_TITLE)) == NULL &&
	    (title = feed_shown(ev, "title")) == NULL)
		title = CALENDAR_FEED_TITLE;
	json_object_set_new(o, "title", json_string(title));
	if ((where = feed_shown(ev, "location")) != NULL)
		json_object_set_new(o, "location", json_string(where));
	return o;
}

/* Whether ev skips the local day of occ (as calendar_event_iter does). */
static int
feed_skips(const struct cal_event *ev, const struct recur_occ *occ)
{
	struct tm	 tm;
	time_t		 t = (time_t)occ->local;

	gmtime_r(&t, &tm);
	return holiday_be_skip(NULL, tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday) || (ev->closures != NULL && closures_contains(
	    ev->closures, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday));
}

/*
 * Add to the "exdates" of o (the feed's copy of event id) the occurrences
 * that skip_holidays removes, near now: its RRULE alone would show them.
 */
static void
feed_skipped(struct calendar *cal, int64_t id, json_t *o)
{
	struct cal_event	*ev;
	struct recur_iter	*it;
	struct recur_occ	 occ;
	json_t			*ex;
	char			 buf[32], *cause = NULL;
	int64_t			 now = util_now();
	time_t			 t;
	struct tm		 tm;

	if ((ev = calendar_event_load(cal, id, &cause)) == NULL) {
		free(cause);
		return;
	}
	ev->skip_holidays = 0;
	it = calendar_event_iter(ev);
	ex = json_copy(json_object_get(o, "exdates"));
	recur_iter_seek(it, now - FEED_SKIP_BEFORE);
	while (json_array_size(ex) < FEED_SKIP_MAX && recur_iter_next(it,
	    &occ) == 1 && occ.utc < now + FEED_SKIP_AFTER) {
		if (!feed_skips(ev, &occ))
			continue;
		t = (time_t)occ.nominal;
		gmtime_r(&t, &tm);
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
		json_array_append_new(ex, json_string(buf));
	}
	json_object_set_new(o, "exdates", ex != NULL ? ex : json_array());
	recur_iter_free(it);
	calendar_event_free(ev);
}

/* The feed's events (a new array), or NULL with *cause. */
static json_t *
feed_events(struct calendar *cal, const int64_t *ids, size_t n, char **cause)
{
	struct error	 err = { 0, NULL, NULL };
	json_t		*arr = json_array(), *ev, *o;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((ev = calendar_get(cal, ids[i], &err)) == NULL) {
			util_cause(cause, "event %lld: %s", (long long)ids[i],
			    err.message ? err.message : "unreadable");
			error_clear(&err);
			json_decref(arr);
			return NULL;
		}
		o = feed_event(ev);
		if (json_is_string(json_object_get(ev, "skip_holidays")))
			feed_skipped(cal, ids[i], o);
		json_array_append_new(arr, o);
		json_decref(ev);
	}
	return arr;
}

/* text (ics_export's, freed) with the feed's lines after its head. */
static char *
feed_head(char *text)
{
	char	*at = strstr(text, FEED_HEAD_AFTER), *out;

	if (at == NULL)
		return text;
	at += strlen(FEED_HEAD_AFTER);
	xasprintf(&out, "%.*s%s%s", (int)(at - text), text, FEED_HEAD_LINES,
	    at);
	free(text);
	return out;
}

/* f's ETag: a keyed MAC of its text, in hex between quotes. */
static void
feed_etag(const struct crypt_key *master, struct calendar_feed *f)
{
	uint8_t	 mac[CRYPT_MAC_BYTES];
	char	 hex[2 * CRYPT_MAC_BYTES + 1];

	crypt_mac(master, FEED_ETAG_PURPOSE, f->text, f->len, mac);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	snprintf(f->etag, sizeof f->etag, "\"%s\"", hex);
}

int
calendar_feed(struct calendar *cal, const struct crypt_key *master,
    const char *token, struct calendar_feed *f, char **cause)
{
	json_t	*events;
	int64_t	*ids = NULL;
	ssize_t	 n;

	memset(f, 0, sizeof *f);
	if ((f->person = people_feed_person(cal->store, master, token)) <= 0) {
		if (f->person == 0)
			return 0;
		store_cause(cal->store, "feed", cause);
		return -1;
	}
	if ((n = feed_ids(cal, f->person, &ids, cause)) == -1)
		return -1;
	events = feed_events(cal, ids, (size_t)n, cause);
	free(ids);
	if (events == NULL)
		return -1;
	f->text = ics_export(events, cause);
	json_decref(events);
	if (f->text == NULL)
		return -1;
	f->text = feed_head(f->text);
	f->len = strlen(f->text);
	f->nevents = (size_t)n;
	feed_etag(master, f);
	return 1;
}

void
calendar_feed_clear(struct calendar_feed *f)
{
	free(f->text);
	memset(f, 0, sizeof *f);
}
