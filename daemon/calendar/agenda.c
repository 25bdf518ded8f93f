/*
 * agenda.c: events as the scheduler and the agenda see them: loaded for
 * expansion (zone, rule, exclusions), their recipients, and the list of
 * upcoming occurrences with their reminders.
 *
 * Zones come from tz_cached(): a calendar uses a handful of zones, and
 * 100,000 events must not mean 100,000 reads of the same TZif file.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "calendar_int.h"
#include "chan.h"
#include "holiday.h"
#include "recur.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define AGENDA_MAX_ITEMS	10000
#define AGENDA_MAX_DAYS		732

/* Holidays and closures, for events that skip them. */
static int
agenda_skip(void *arg, int year, int month, int day)
{
	const struct closures	*cl = arg;

	return holiday_be_skip(NULL, year, month, day) ||
	    (cl != NULL && closures_contains(cl, year, month, day));
}

/* Fill the offsets and exdates of ev from their "a,b" columns. */
static int
agenda_lists(struct cal_event *ev, const char *offsets, const char *exdates,
    char **cause)
{
	struct recur_civil	 c;
	char			*copy, *tok, *save = NULL;
	int64_t			 v;

	copy = xstrdup(offsets ? offsets : "");
	for (tok = strtok_r(copy, ",", &save); tok != NULL &&
	    ev->noffsets < CAL_MAX_REMIND; tok = strtok_r(NULL, ",", &save))
		if (util_parse_int(tok, 0, INT64_MAX, &v) == 0)
			ev->offsets[ev->noffsets++] = v;
	free(copy);
	copy = xstrdup(exdates ? exdates : "");
	save = NULL;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (recur_civil_parse(tok, &c, cause) == -1) {
			free(copy);
			return -1;
		}
		ev->exdates = xreallocarray(ev->exdates, ev->nexdates + 1,
		    sizeof *ev->exdates);
		ev->exdates[ev->nexdates++] = recur_civil_secs(&c);
	}
	free(copy);
	return 0;
}

/* A text column as a new string or NULL. */
static char *
agenda_strdup_col(sqlite3_stmt *stmt, int col)
{
	const unsigned char	*s = sqlite3_column_text(stmt, col);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

/* The channels column, "email,sms", as a set of CHAN_BIT()s. */
static unsigned
agenda_channels(const char *text)
{
	char		*copy, *tok, *save = NULL;
	unsigned	 set = 0;
	int		 c;

	copy = xstrdup(text != NULL ? text : "");
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save))
		if ((c = chan_parse(tok)) != -1)
			set |= CHAN_BIT(c);
	free(copy);
	return set;
}

/* The columns of sql_event_load. */
enum { EL_TITLE, EL_LOCATION, EL_COMMUNE, EL_DTSTART, EL_TZ, EL_RRULE,
    EL_DURATION, EL_SKIP, EL_CHANNELS, EL_PLANNED, EL_OFFSETS, EL_EXDATES };

static const char *const sql_event_load = "SELECT title, location, commune,"
    " dtstart, tz, rrule, duration, skip_holidays, channels,"
    " planned_until,"
    " (SELECT group_concat(offset) FROM (SELECT offset FROM"
    "   event_reminders WHERE event_id = e.id ORDER BY offset DESC)),"
    " (SELECT group_concat(local) FROM event_exdates"
    "   WHERE event_id = e.id)"
    " FROM events e WHERE id = ?";

/* A text column, NULL when null. */
static const char *
agenda_col(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

/* Fill ev from the current row of sql_event_load; 0 or -1 with *cause. */
static int
agenda_event_row(const struct calendar *cal, struct cal_event *ev,
    sqlite3_stmt *stmt, char **cause)
{
	const char	*rr = agenda_col(stmt, EL_RRULE);

	ev->title = agenda_strdup_col(stmt, EL_TITLE);
	ev->location = calendar_seal_read(cal, stmt, EL_LOCATION, ev->id,
	    "location");
	ev->commune = agenda_strdup_col(stmt, EL_COMMUNE);
	ev->duration = sqlite3_column_int64(stmt, EL_DURATION);
	ev->skip_holidays = sqlite3_column_type(stmt, EL_SKIP) != SQLITE_NULL;
	ev->channels = agenda_channels(agenda_col(stmt, EL_CHANNELS));
	ev->planned_until = sqlite3_column_int64(stmt, EL_PLANNED);
	if (recur_civil_parse(agenda_col(stmt, EL_DTSTART), &ev->dtstart,
	    cause) == -1 ||
	    (ev->tz = tz_cached(agenda_col(stmt, EL_TZ), cause)) == NULL ||
	    (rr != NULL && (ev->rule = recur_rule_parse(rr, cause)) == NULL) ||
	    agenda_lists(ev, agenda_col(stmt, EL_OFFSETS),
	    agenda_col(stmt, EL_EXDATES), cause) == -1)
		return -1;
	return 0;
}

struct cal_event *
calendar_event_load(struct calendar *cal, int64_t id, char **cause)
{
	sqlite3_stmt		*stmt = store_stmt(cal->store, sql_event_load);
	struct cal_event	*ev = NULL;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		util_cause(cause, "event %lld not found", (long long)id);
	else {
		ev = xcalloc(1, sizeof *ev);
		ev->id = id;
		ev->closures = cal->closures;
		if (agenda_event_row(cal, ev, stmt, cause) == -1) {
			calendar_event_free(ev);
			ev = NULL;
		}
	}
	sqlite3_reset(stmt);
	return ev;
}

void
calendar_event_free(struct cal_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->title);
	free(ev->location);
	free(ev->commune);
	recur_rule_free(ev->rule);
	free(ev->exdates);
	free(ev);
}

struct recur_iter *
calendar_event_iter(const struct cal_event *ev)
{
	struct recur_iter	*it;

	it = recur_iter_new(ev->rule, &ev->dtstart, ev->tz);
	if (ev->nexdates > 0)
		recur_iter_exclude(it, ev->exdates, ev->nexdates);
	if (ev->skip_holidays)
		recur_iter_skip_days(it, agenda_skip, ev->closures);
	return it;
}

/* The columns of calendar_recipients' statement: who, and whether each
 * channel reaches them. */
enum { RC_ID, RC_EMAIL, RC_PHONE };

/* The channels that reach the person of the current row. */
static unsigned
agenda_reach(sqlite3_stmt *stmt)
{
	return (sqlite3_column_int(stmt, RC_EMAIL) ? CHAN_BIT(CHAN_EMAIL) : 0) |
	    (sqlite3_column_int(stmt, RC_PHONE) ? CHAN_BIT(CHAN_SMS) : 0);
}

ssize_t
calendar_recipients(struct calendar *cal, int64_t id, int64_t **ids,
    unsigned **reach, char **cause)
{
	static const char *const sql = "SELECT p.id, p.email IS NOT NULL,"
	    " p.phone IS NOT NULL FROM people p WHERE p.removed IS NULL AND"
	    CAL_AUDIENCE_HAS("?1", "p.id") " ORDER BY p.id";
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql);
	size_t		 n = 0;
	int		 rc;

	*ids = NULL;
	*reach = NULL;
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, n + 1, sizeof **ids);
		*reach = xreallocarray(*reach, n + 1, sizeof **reach);
		(*ids)[n] = sqlite3_column_int64(stmt, RC_ID);
		(*reach)[n++] = agenda_reach(stmt);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		store_cause(cal->store, "agenda", cause);
		free(*ids);
		free(*reach);
		*ids = NULL;
		*reach = NULL;
		return -1;
	}
	return (ssize_t)n;
}

const char *
calendar_instant(const struct tz *zone, int64_t utc, char *buf, size_t len)
{
	struct recur_occ	 o;

	o.utc = utc;
	o.offset = tz_offset_at(zone, utc);
	o.local = o.nominal = utc + o.offset;
	return recur_format(&o, buf, len);
}

/* An instant written in the event's zone, as a JSON string. */
static json_t *
agenda_time(const struct tz *zone, int64_t utc)
{
	char	 buf[RECUR_FMT_LEN];

	return json_string(calendar_instant(zone, utc, buf, sizeof buf));
}

/* One agenda item, sortable by start. */
struct agenda_item {
	int64_t		 utc;
	int64_t		 event;
	json_t		*o;
};

static int
agenda_item_cmp(const void *a, const void *b)
{
	const struct agenda_item	*x = a, *y = b;

	if (x->utc != y->utc)
		return x->utc < y->utc ? -1 : 1;
	return x->event < y->event ? -1 : x->event > y->event;
}

/* The agenda item of one occurrence of ev. */
static json_t *
agenda_item(const struct cal_event *ev, const struct recur_occ *occ,
    ssize_t audience)
{
	json_t	*rem = json_array(), *ch = json_array();
	char	 buf[RECUR_FMT_LEN];
	size_t	 i;
	int	 c;

	for (i = 0; i < ev->noffsets; i++)
		json_array_append_new(rem, agenda_time(ev->tz,
		    occ->utc - ev->offsets[i]));
	for (c = 0; c < CHAN_COUNT; c++)
		if (ev->channels & CHAN_BIT(c))
			json_array_append_new(ch, json_string(chan_name(c)));
	return json_pack("{sI ss ss so so so sI so so}",
	    "event", (json_int_t)ev->id, "title", ev->title,
	    "start", recur_format(occ, buf, sizeof buf),
	    "end", agenda_time(ev->tz, occ->utc + ev->duration),
	    "location", ev->location ? json_string(ev->location) : json_null(),
	    "commune", ev->commune ? json_string(ev->commune) : json_null(),
	    "audience", (json_int_t)audience, "reminders", rem,
	    "channels", ch);
}

/* Append the occurrences of event id in [from, to) to items. */
static int
agenda_event(struct calendar *cal, int64_t id, int64_t from, int64_t to,
    struct agenda_item **items, size_t *n, char **cause)
{
	struct cal_event	*ev;
	struct recur_iter	*it;
	struct recur_occ	 occ;
	int64_t			*ids;
	unsigned		*reach;
	ssize_t			 audience;

	if ((ev = calendar_event_load(cal, id, cause)) == NULL)
		return -1;
	audience = calendar_recipients(cal, id, &ids, &reach, cause);
	free(ids);
	free(reach);
	it = calendar_event_iter(ev);
	recur_iter_seek(it, from);
	while (audience >= 0 && *n < AGENDA_MAX_ITEMS &&
	    recur_iter_next(it, &occ) == 1 && occ.utc < to) {
		*items = xreallocarray(*items, *n + 1, sizeof **items);
		(*items)[*n].utc = occ.utc;
		(*items)[*n].event = id;
		(*items)[(*n)++].o = agenda_item(ev, &occ, audience);
	}
	recur_iter_free(it);
	calendar_event_free(ev);
	return audience < 0 ? -1 : 0;
}

/*
 * The window of the agenda: from the start of local date s (today when
 * NULL) in the default zone to the start of the day `days` later, so that
 * a DST change in between moves neither end.
 */
static int
agenda_window(struct calendar *cal, const char *s, int64_t days,
    int64_t *from, int64_t *to, struct error *err)
{
	struct recur_civil	 c;
	const struct tz		*zone = tz_cached(cal->default_tz, NULL);
	char			*cause = NULL;
	int64_t			 now = util_now();

	if (zone == NULL) {
		error_set(err, ERR_INTERNAL, NULL, "fuseau %s illisible",
		    cal->default_tz);
		return -1;
	}
	if (s == NULL) {
		recur_secs_civil(now + tz_offset_at(zone, now), &c);
		c.hour = c.minute = c.second = 0;
	} else if (recur_date_parse(s, &c, &cause) == -1) {
		error_set(err, ERR_INVALID, "from", "%s", cause);
		free(cause);
		return -1;
	}
	*from = tz_resolve(zone, recur_civil_secs(&c), NULL);
	*to = tz_resolve(zone, recur_civil_secs(&c) + days * 86400, NULL);
	return 0;
}

/* The n items sorted by start as a new JSON array, or NULL when !ok;
 * either way the items are freed. */
static json_t *
agenda_array(struct agenda_item *items, size_t n, int ok)
{
	json_t	*arr = ok ? json_array() : NULL;
	size_t	 i;

	if (n > 0)	/* no items: no array at all */
		qsort(items, n, sizeof *items, agenda_item_cmp);
	for (i = 0; i < n; i++) {
		if (arr != NULL)
			json_array_append(arr, items[i].o);
		json_decref(items[i].o);
	}
	free(items);
	return arr;
}

json_t *
calendar_agenda(struct calendar *cal, const char *fromtext, int64_t days,
    struct error *err)
{
	static const char *const sql = "SELECT id FROM events ORDER BY id";
	struct agenda_item	*items = NULL;
	int64_t			*ids = NULL, from, to;
	size_t			 nids = 0, n = 0, i;
	char			*cause = NULL;

	if (days < 1 || days > AGENDA_MAX_DAYS) {
		error_set(err, ERR_INVALID, "days", "nombre de jours "
		    "entre 1 et %d attendu", AGENDA_MAX_DAYS);
		return NULL;
	}
	if (agenda_window(cal, fromtext, days, &from, &to, err) == -1)
		return NULL;
	nids = store_ids(store_stmt(cal->store, sql), &ids);
	for (i = 0; i < nids; i++) {
		if (agenda_event(cal, ids[i], from, to, &items,
		    &n, &cause) == -1) {
			error_set(err, ERR_INTERNAL, NULL, "événement %lld : "
			    "%s", (long long)ids[i], cause);
			free(cause);
			break;
		}
	}
	free(ids);
	return agenda_array(items, n, err->message == NULL);
}
