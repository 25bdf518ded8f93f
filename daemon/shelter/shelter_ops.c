/*
 * shelter_ops.c: what the control API and the inbound listener ask of the
 * shelters: their state as JSON, the moves a coordinator makes, claims (by
 * the CLI, by an SMS reply, by a signed link) and the yearly report.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "contact.h"
#include "datefmt.h"
#include "log.h"
#include "people.h"
#include "recur.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"
#include "tz.h"
#include "util.h"

#define SHELTER_HISTORY_SHOWN	20
#define SHELTER_ALERTS_SHOWN	100

/* Find the configured shelter name; 404 naming those there are. */
static const struct shelter_conf *
shelter_named(struct shelters *s, const char *name, struct error *err)
{
	const struct shelter_conf	*sc;
	char				 list[256] = "";
	size_t				 i;

	if ((sc = shelter_conf_find(s, name)) != NULL)
		return sc;
	for (i = 0; i < s->nsc; i++) {
		if (i > 0)
			util_strlcat(list, ", ", sizeof list);
		util_strlcat(list, s->sc[i].name, sizeof list);
	}
	error_set(err, ERR_NOT_FOUND, "name", "aucun logement nommé « %.64s"
	    " » : %s", name, s->nsc == 0 ? "aucun n'est configuré (section "
	    "[shelter.NOM] de stoppvif.ini)" : list);
	return NULL;
}

/* One shelter as the API shows it. */
static json_t *
shelter_json(struct shelters *s, const struct shelter_conf *sc)
{
	struct srow	 row;
	char		 since[RECUR_FMT_LEN], until[RECUR_FMT_LEN];

	if (shelter_row(s, sc->name, &row) == -1)
		return json_null();
	return json_pack("{ss ss ss ss so so so}", "name", sc->name, "title",
	    sc->title, "state", shelter_state_name(row.state), "since",
	    shelter_local(s, row.since, since, sizeof since), "alert",
	    row.alert_id != 0 ? alert_json(s, row.alert_id) : json_null(),
	    "reserved_by", row.reserved_by != 0 ? shelter_person(s,
	    row.reserved_by) : json_null(), "reserved_until",
	    row.reserved_until != 0 ? json_string(shelter_local(s,
	    row.reserved_until, until, sizeof until)) : json_null());
}

json_t *
shelter_list(struct shelters *s)
{
	json_t	*arr = json_array();
	size_t	 i;

	for (i = 0; i < s->nsc; i++)
		json_array_append_new(arr, shelter_json(s, &s->sc[i]));
	return arr;
}

json_t *
shelter_status(struct shelters *s)
{
	json_t		*arr = json_array();
	struct srow	 row;
	char		 since[RECUR_FMT_LEN], code[ALERT_CODE_LEN];
	size_t		 i;

	for (i = 0; i < s->nsc; i++) {
		if (shelter_row(s, s->sc[i].name, &row) == -1)
			continue;
		json_array_append_new(arr, json_pack("{ss ss ss so}", "name",
		    s->sc[i].name, "state", shelter_state_name(row.state),
		    "since", shelter_local(s, row.since, since, sizeof since),
		    "code", row.state == SS_VACANT && alert_is_open(s,
		    row.alert_id, code, sizeof code) ? json_string(code) :
		    json_null()));
	}
	return arr;
}

/* The last moves of a shelter, newest first. */
static json_t *
shelter_history(struct shelters *s, const char *name)
{
	static const char *const sql = "SELECT at, from_state, to_state,"
	    " cause, actor FROM shelter_history WHERE shelter = ?"
	    " ORDER BY at DESC, id DESC LIMIT ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	char		 at[RECUR_FMT_LEN];

	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, SHELTER_HISTORY_SHOWN);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{ss so ss ss ss}", "at",
		    shelter_local(s, sqlite3_column_int64(st, 0), at,
		    sizeof at), "from", sqlite3_column_type(st, 1) ==
		    SQLITE_NULL ? json_null() : json_string((const char *)
		    sqlite3_column_text(st, 1)), "to", (const char *)
		    sqlite3_column_text(st, 2), "cause", (const char *)
		    sqlite3_column_text(st, 3), "actor", (const char *)
		    sqlite3_column_text(st, 4)));
	sqlite3_reset(st);
	return arr;
}

json_t *
shelter_show(struct shelters *s, const char *name, struct error *err)
{
	const struct shelter_conf	*sc;
	json_t				*o;

	if ((sc = shelter_named(s, name, err)) == NULL)
		return NULL;
	o = shelter_json(s, sc);
	json_object_set_new(o, "history", shelter_history(s, sc->name));
	return o;
}

int
shelter_act(struct shelters *s, const char *name, const char *what,
    uid_t uid, json_t **result, struct error *err)
{
	static const struct {
		const char	*what;
		enum scause	 cause;
	} acts[] = {
		{ "vacate", SC_VACATE }, { "occupy", SC_OCCUPY },
		{ "unavailable", SC_UNAVAILABLE },
	};
	const struct shelter_conf	*sc;
	struct sactor			 who;
	struct srow			 row;
	size_t				 i;

	for (i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (strcmp(acts[i].what, what) == 0)
			break;
	if (i == sizeof acts / sizeof acts[0])
		fatalx("shelter: unknown act %s", what);
	if ((sc = shelter_named(s, name, err)) == NULL)
		return -1;
	if (shelter_row(s, sc->name, &row) == -1) {
		error_set(err, ERR_INTERNAL, NULL, "logement %s sans état",
		    sc->name);
		return -1;
	}
	memset(&who, 0, sizeof who);
	snprintf(who.text, sizeof who.text, "uid:%u", (unsigned)uid);
	if (shelter_move(s, sc, &row, acts[i].cause, &who, util_now_up(),
	    err) == -1)
		return -1;
	*result = shelter_json(s, sc);
	return 0;
}

json_t *
shelter_alerts(struct shelters *s)
{
	return alert_list(s, SHELTER_ALERTS_SHOWN);
}

/* The code of alerts ack, "482113": 4 to 8 digits, spaces around them
 * allowed.  0 or -1. */
static int
shelter_code(const char *text, char code[ALERT_CODE_LEN])
{
	size_t	 n;

	text += strspn(text, " \t");
	n = strspn(text, "0123456789");
	if (n < 4 || n > 8 || text[n + strspn(text + n, " \t")] != '\0')
		return -1;
	memcpy(code, text, n);
	code[n] = '\0';
	return 0;
}

/* The answer to a claim that won, from its alert's JSON. */
static json_t *
shelter_claim_json(struct shelters *s, json_t *a)
{
	struct srow	 row;
	char		 until[RECUR_FMT_LEN];
	const char	*name = json_string_value(json_object_get(a, "shelter"));

	if (shelter_row(s, name, &row) == -1 || row.reserved_until == 0)
		*until = '\0';
	else
		shelter_local(s, row.reserved_until, until, sizeof until);
	return json_pack("{sO sO sO ss sO}", "alert", json_object_get(a, "id"),
	    "shelter", json_object_get(a, "shelter"), "code",
	    json_object_get(a, "code"), "reserved_until", until, "claimed_by",
	    json_object_get(a, "claimed_by"));
}

int
shelter_ack(struct shelters *s, json_t *req, uid_t uid, json_t **result,
    struct error *err)
{
	json_t		*code = json_object_get(req, "code");
	json_t		*by = json_object_get(req, "by");
	struct sactor	 who;
	json_t		*a;
	char		 c[ALERT_CODE_LEN];
	int64_t		 id, owner;

	if (!json_is_string(code) || shelter_code(json_string_value(code),
	    c) == -1) {
		error_set(err, ERR_INVALID, "code", "code de 4 à 8 "
		    "chiffres attendu : celui de l'alerte (alerts list) ou "
		    "celui qu'une personne alertée a reçu");
		return -1;
	}
	if (by != NULL && !json_is_null(by) && (!json_is_integer(by) ||
	    json_integer_value(by) < 1)) {
		error_set(err, ERR_INVALID, "by", "numéro de personne "
		    "attendu");
		return -1;
	}
	if ((id = alert_by_code(s, c, &owner)) == 0) {
		error_set(err, ERR_NOT_FOUND, "code", "aucune alerte n'a "
		    "le code %s", c);
		return -1;
	}
	memset(&who, 0, sizeof who);
	snprintf(who.text, sizeof who.text, "uid:%u", (unsigned)uid);
	/* a recipient's own code claims for them unless --by says who */
	who.person = json_is_integer(by) ? json_integer_value(by) : owner;
	who.via = "cli";
	if (alert_claim(s, id, &who, util_now_up(), &a, err) == -1)
		return -1;
	*result = shelter_claim_json(s, a);
	json_decref(a);
	return 0;
}

/* ---- the inbound listener: links ---- */

/* A claim from outside (SMS, link), in its own transaction: kept even
 * when late (the "déjà pris" it queues), audited as the daemon's. */
int
shelter_claim_txn(struct shelters *s, int64_t id, struct sactor *who,
    json_t **result, struct error *err)
{
	char	*cause = NULL;
	int	 rc;

	if (store_begin(s->store, &cause) == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", cause);
		free(cause);
		return -1;
	}
	rc = alert_claim(s, id, who, util_now_up(), result, err);
	if ((rc == 0 || err->kind == ERR_CONFLICT) &&
	    audit_record(s->store, geteuid(), rc == 0 ? "alert.claim" :
	    "alert.claim_late", "alert", id, &cause) == 0 &&
	    store_commit(s->store, &cause) == 0) {
		if (s->queued != NULL)
			s->queued(s->arg);
	} else {
		store_rollback(s->store);
		if (cause != NULL) {
			error_set(err, ERR_INTERNAL, NULL, "%s", cause);
			free(cause);
			rc = -1;
		}
	}
	shelter_arm(s);
	return rc;
}

int
shelter_link(struct shelters *s, const char *token, int claim,
    struct shelter_page *pg)
{
	struct error	 err = { 0, NULL, NULL };
	struct sactor		 who;
	struct srow		 row;
	struct recur_civil	 c;
	const struct tz		*zone;
	json_t			*result = NULL;
	int64_t			 id, person;
	char			*cause = NULL;
	int			 rc;

	memset(pg, 0, sizeof *pg);
	util_strlcpy(pg->lang, "fr", sizeof pg->lang);
	if (alert_token_parse(s, token, util_now(), &id, &person,
	    &cause) == -1 || !alert_recipient(s, id, person)) {
		log_info("inbound link_refused reason=%s", cause ? cause :
		    "not_alerted");
		free(cause);
		pg->what = PAGE_REFUSED;
		return -1;
	}
	people_lang(s->store, person, pg->lang, sizeof pg->lang);
	pg->what = alert_is_open(s, id, pg->code, sizeof pg->code) ?
	    PAGE_OFFER : PAGE_TAKEN;
	alert_person_code(s, id, person, pg->code, sizeof pg->code);
	if (!claim || pg->what != PAGE_OFFER)
		return 0;
	memset(&who, 0, sizeof who);
	snprintf(who.text, sizeof who.text, "person:%lld", (long long)person);
	who.person = person;
	who.via = "link";
	rc = shelter_claim_txn(s, id, &who, &result, &err);
	if (rc == 0) {
		pg->what = PAGE_WON;
		if (shelter_row(s, json_string_value(json_object_get(result,
		    "shelter")), &row) == 0 && row.reserved_until != 0) {
			zone = shelter_zone(s);
			recur_secs_civil(row.reserved_until + tz_offset_at(zone,
			    row.reserved_until), &c);
			datefmt(pg->lang, DATEFMT_LONG, &c, pg->until,
			    sizeof pg->until);
		}
	} else
		pg->what = err.kind == ERR_CONFLICT ? PAGE_TAKEN :
		    PAGE_ERROR;
	json_decref(result);
	error_clear(&err);
	return 0;
}

/* ---- the yearly report ---- */

/* [from, to) of local year y, as UTC seconds. */
static void
shelter_year(const struct tz *zone, int y, int64_t *from, int64_t *to)
{
	struct recur_civil	 c;

	memset(&c, 0, sizeof c);
	c.year = y;
	c.month = c.day = 1;
	*from = tz_resolve(zone, recur_civil_secs(&c), NULL);
	c.year = y + 1;
	*to = tz_resolve(zone, recur_civil_secs(&c), NULL);
}

/* Seconds spent in each state within [from, to), from the history. */
static void
shelter_spans(struct shelters *s, const char *name, int64_t from,
    int64_t to, int64_t secs[4], int64_t *observed_from)
{
	static const char *const sql = "SELECT at, to_state FROM"
	    " shelter_history WHERE shelter = ? AND at < ? ORDER BY at, id";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 at, cur_at = -1;
	int		 cur = -1, to_state;

	memset(secs, 0, 4 * sizeof *secs);
	*observed_from = -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		at = sqlite3_column_int64(st, 0);
		to_state = shelter_state_parse((const char *)
		    sqlite3_column_text(st, 1));
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

/* The alerts of [from, to): counts, and the times from vacate to claim. */
static void
shelter_alert_stats(struct shelters *s, const char *name, int64_t from,
    int64_t to, json_t *o)
{
	static const char *const sql = "SELECT level, exhausted, claimed_at"
	    " - opened FROM alerts WHERE shelter = ? AND opened >= ?"
	    " AND opened < ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		*t = NULL, n = 0, claimed = 0, escalated = 0, lost = 0;
	int64_t		 median;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		n++;
		escalated += sqlite3_column_int(st, 0) >= 2;
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			t = xreallocarray(t, (size_t)claimed + 1, sizeof *t);
			t[claimed++] = sqlite3_column_int64(st, 2);
		} else
			lost += sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (claimed > 0)
		qsort(t, (size_t)claimed, sizeof *t, shelter_cmp);
	median = claimed == 0 ? 0 : claimed % 2 ? t[claimed / 2] :
	    (t[claimed / 2 - 1] + t[claimed / 2]) / 2;
	json_object_set_new(o, "alerts", json_integer(n));
	json_object_set_new(o, "claimed", json_integer(claimed));
	json_object_set_new(o, "escalated", json_integer(escalated));
	json_object_set_new(o, "unanswered", json_integer(lost));
	json_object_set_new(o, "claim_median_s", claimed ?
	    json_integer(median) : json_null());
	json_object_set_new(o, "claim_worst_s", claimed ?
	    json_integer(t[claimed - 1]) : json_null());
	free(t);
}

json_t *
shelter_report(struct shelters *s, const char *name, const char *year,
    struct error *err)
{
	const struct shelter_conf	*sc;
	const struct tz			*zone = shelter_zone(s);
	struct recur_civil		 c;
	json_t				*o;
	int64_t				 y, from, to, now = util_now();
	int64_t				 secs[4], obs_from, obs;
	char				 b1[RECUR_FMT_LEN], b2[RECUR_FMT_LEN];

	if ((sc = shelter_named(s, name, err)) == NULL)
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
	o = json_pack("{ss sI ss ss s{so so so so} so so}", "shelter",
	    sc->name, "year", (json_int_t)y, "from", shelter_local(s,
	    obs_from == -1 ? from : obs_from, b1, sizeof b1), "to",
	    shelter_local(s, to, b2, sizeof b2), "days", "occupied",
	    shelter_days(secs[SS_OCCUPIED]), "vacant",
	    shelter_days(secs[SS_VACANT]), "reserved",
	    shelter_days(secs[SS_RESERVED]), "unavailable",
	    shelter_days(secs[SS_UNAVAILABLE]), "days_observed",
	    shelter_days(obs), "occupancy", obs == 0 ? json_null() :
	    shelter_round1((double)secs[SS_OCCUPIED] * 100.0 / (double)obs));
	shelter_alert_stats(s, sc->name, from, to, o);
	return o;
}
