/*
 * shelter_report.c: a shelter's yearly report (shelter.h): the days it
 * spent in each state, read from its history, and what its alerts did:
 * how many, claimed, escalated or unanswered, and the times from vacate to
 * claim, and the same days month by month.  Times are of the daemon's
 * zone; the current year runs up to now.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"
#include "tz.h"
#include "util.h"

/* The start of local month m (1 to 13: January of y + 1) of year y, as
 * UTC seconds. */
static int64_t
shelter_month_start(const struct tz *zone, int y, int m)
{
	struct recur_civil	 c;

	memset(&c, 0, sizeof c);
	c.year = m > 12 ? y + 1 : y;
	c.month = m > 12 ? 1 : m;
	c.day = 1;
	return tz_resolve(zone, recur_civil_secs(&c), NULL);
}

/* [from, to) of local year y, as UTC seconds. */
static void
shelter_year(const struct tz *zone, int y, int64_t *from, int64_t *to)
{
	*from = shelter_month_start(zone, y, 1);
	*to = shelter_month_start(zone, y, 13);
}

/* Seconds spent in each state within [from, to), from the history. */
static void
shelter_spans(struct shelters *s, const char *name, int64_t from,
    int64_t to, int64_t secs[SS_COUNT], int64_t *observed_from)
{
	static const char *const sql = "SELECT at, to_state FROM"
	    " shelter_history WHERE shelter = ? AND at < ? ORDER BY at, id";
	enum { COL_AT, COL_TO };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 at, cur_at = -1;
	int		 cur = -1, to_state;

	memset(secs, 0, SS_COUNT * sizeof *secs);
	*observed_from = -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		at = sqlite3_column_int64(st, COL_AT);
		to_state = shelter_state_parse((const char *)
		    sqlite3_column_text(st, COL_TO));
		if (at < from)
			at = from;
		if (cur != -1 && at > cur_at)
			secs[cur] += at - cur_at;
		if (*observed_from == -1)
			*observed_from = at;
		cur = to_state;
		cur_at = at;
	}
	sqlite3_reset(st);
	if (cur != -1 && to > cur_at)
		secs[cur] += to - cur_at;
}

/* x >= 0 rounded to one decimal (half up), as JSON. */
static json_t *
shelter_round1(double x)
{
	return json_real((double)(int64_t)(x * 10.0 + 0.5) / 10.0);
}

/* Days with one decimal, as JSON. */
static json_t *
shelter_days(int64_t secs)
{
	return shelter_round1((double)secs / 86400.0);
}

static int
shelter_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* What the alerts of a period did. */
struct sstats {
	int64_t		 n, escalated, unanswered;
	int64_t		*t;		/* times from vacate to claim */
	size_t		 claimed;	/* of t */
};

/* The alerts of shelter name opened in [from, to), counted into *ss. */
static void
shelter_stats_read(struct shelters *s, const char *name, int64_t from,
    int64_t to, struct sstats *ss)
{
	static const char *const sql = "SELECT level, exhausted, claimed_at"
	    " - opened FROM alerts WHERE shelter = ? AND opened >= ?"
	    " AND opened < ?";
	enum { COL_LEVEL, COL_EXHAUSTED, COL_TO_CLAIM };
	sqlite3_stmt	*st = store_stmt(s->store, sql);

	memset(ss, 0, sizeof *ss);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ss->n++;
		ss->escalated += sqlite3_column_int(st, COL_LEVEL) >= 2;
		if (sqlite3_column_type(st, COL_TO_CLAIM) != SQLITE_NULL) {
			ss->t = xreallocarray(ss->t, ss->claimed + 1,
			    sizeof *ss->t);
			ss->t[ss->claimed++] = sqlite3_column_int64(st,
			    COL_TO_CLAIM);
		} else
			ss->unanswered += sqlite3_column_int(st, COL_EXHAUSTED);
	}
	sqlite3_reset(st);
}

/* The alerts of [from, to): counts, and the times from vacate to claim. */
static void
shelter_alert_stats(struct shelters *s, const char *name, int64_t from,
    int64_t to, json_t *o)
{
	struct sstats	 ss;
	size_t		 k;
	int64_t		 median = 0;

	shelter_stats_read(s, name, from, to, &ss);
	if ((k = ss.claimed) > 0) {
		qsort(ss.t, k, sizeof *ss.t, shelter_cmp);
		median = k % 2 ? ss.t[k / 2] : (ss.t[k / 2 - 1] + ss.t[k / 2]) /
		    2;
	}
	json_object_set_new(o, "alerts", json_integer(ss.n));
	json_object_set_new(o, "claimed", json_integer((json_int_t)k));
	json_object_set_new(o, "escalated", json_integer(ss.escalated));
	json_object_set_new(o, "unanswered", json_integer(ss.unanswered));
	json_object_set_new(o, "claim_median_s", k ? json_integer(median) :
	    json_null());
	json_object_set_new(o, "claim_worst_s", k ? json_integer(ss.t[k -
	    1]) : json_null());
	free(ss.t);
}

/* {"occupied": days, ...}: the days spent in each state. */
static json_t *
shelter_days_json(const int64_t secs[SS_COUNT])
{
	json_t	*o = json_object();
	int	 i;

	for (i = 0; i < SS_COUNT; i++)
		json_object_set_new(o, shelter_state_name(i),
		    shelter_days(secs[i]));
	return o;
}

/* occupied * 100 / observed with one decimal, or null: nothing observed. */
static json_t *
shelter_occupancy(int64_t occupied, int64_t observed)
{
	if (observed <= 0)
		return json_null();
	return shelter_round1((double)occupied * 100.0 / (double)observed);
}

/*
 * The 12 months of year y up to end (now, this year), each from the same
 * history as the year's figures: {"month": "2026-01", "days" (observed),
 * the days in each state, "occupancy"}.
 */
static json_t *
shelter_months(struct shelters *s, const char *name, int y, int64_t end)
{
	const struct tz	*zone = shelter_zone(s);
	json_t		*arr = json_array(), *o;
	int64_t		 from, to, secs[SS_COUNT], obs_from, obs;
	int		 m, i;
	char		 label[16];

	for (m = 1; m <= 12; m++) {
		from = shelter_month_start(zone, y, m);
		to = shelter_month_start(zone, y, m + 1);
		if (to > end)
			to = end;
		memset(secs, 0, sizeof secs);
		obs = 0;
		if (to > from) {
			shelter_spans(s, name, from, to, secs, &obs_from);
			obs = obs_from == -1 || to <= obs_from ? 0 :
			    to - obs_from;
		}
		snprintf(label, sizeof label, "%04d-%02d", y, m);
		o = json_pack("{ss so}", "month", label, "days",
		    shelter_days(obs));
		for (i = 0; i < SS_COUNT; i++)
			json_object_set_new(o, shelter_state_name(i),
			    shelter_days(secs[i]));
		json_object_set_new(o, "occupancy", shelter_occupancy(
		    secs[SS_OCCUPIED], obs));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
shelter_report(struct shelters *s, const char *name, const char *year,
    struct error *err)
{
	const struct shelter_conf	*sc;
	const struct tz			*zone = shelter_zone(s);
	struct recur_civil		 c;
	json_t				*o;
	/* rounded up like the times moves and alerts are stamped with, so
	 * that an alert opened this second is counted */
	int64_t				 y, from, to, now = util_now_up();
	int64_t				 secs[SS_COUNT], obs_from, obs;
	char				 b1[RECUR_FMT_LEN], b2[RECUR_FMT_LEN];

	if ((sc = shelter_conf_named(s, name, err)) == NULL)
		return NULL;
	recur_secs_civil(now + tz_offset_at(zone, now), &c);
	y = c.year;
	if (year != NULL && util_parse_int(year, 2000, 2999, &y) == -1) {
		error_set(err, ERR_INVALID, "year", "année attendue "
		    "(AAAA)");
		return NULL;
	}
	shelter_year(zone, (int)y, &from, &to);
	if (to > now)
		to = now;	/* this year: up to now */
	shelter_spans(s, sc->name, from, to, secs, &obs_from);
	obs = obs_from == -1 || to <= obs_from ? 0 : to - obs_from;
	o = json_pack("{ss sI ss ss so so so}", "shelter", sc->name,
	    "year", (json_int_t)y,
	    "from", shelter_local(s, obs_from == -1 ? from : obs_from, b1,
	    sizeof b1),
	    "to", shelter_local(s, to, b2, sizeof b2),
	    "days", shelter_days_json(secs),
	    "days_observed", shelter_days(obs),
	    "occupancy", shelter_occupancy(secs[SS_OCCUPIED], obs));
	shelter_alert_stats(s, sc->name, from, to, o);
	json_object_set_new(o, "months", shelter_months(s, sc->name, (int)y,
	    to));
	return o;
}
