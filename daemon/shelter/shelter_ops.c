/*
 * shelter_ops.c: what the control API and the inbound listener ask of the
 * shelters: their state as JSON, the moves a coordinator makes, and claims
 * (by the CLI, by an SMS reply, by a signed link).  The yearly report is
 * shelter_report.c's.
 *
 * A claim is made here, in three steps: the alert's check (alert.c), the
 * shelter's move (shelter.c), then the alert's confirmation and news to
 * the others (alert.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
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
shelter_status(struct shelters *s, int codes)
{
	json_t		*arr = json_array();
	struct srow	 row;
	char		 since[RECUR_FMT_LEN], code[ALERT_CODE_LEN];
	size_t		 i;
	int		 open;

	for (i = 0; i < s->nsc; i++) {
		if (shelter_row(s, s->sc[i].name, &row) == -1)
			continue;
		open = row.state == SS_VACANT && alert_is_open(s,
		    row.alert_id, code, sizeof code);
		json_array_append_new(arr, json_pack("{ss ss ss ss sb so}",
		    "name", s->sc[i].name, "title", s->sc[i].title, "state",
		    shelter_state_name(row.state), "since", shelter_local(s,
		    row.since, since, sizeof since), "alert_open", open,
		    "code", open && codes ? json_string(code) : json_null()));
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
	enum { COL_AT, COL_FROM, COL_TO, COL_CAUSE, COL_ACTOR };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	char		 at[RECUR_FMT_LEN];

	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, SHELTER_HISTORY_SHOWN);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{ss so ss ss ss}",
		    "at", shelter_local(s, sqlite3_column_int64(st, COL_AT),
		    at, sizeof at),
		    "from", sqlite3_column_type(st, COL_FROM) == SQLITE_NULL ?
		    json_null() : json_string((const char *)
		    sqlite3_column_text(st, COL_FROM)),
		    "to", (const char *)sqlite3_column_text(st, COL_TO),
		    "cause", (const char *)sqlite3_column_text(st, COL_CAUSE),
		    "actor", (const char *)sqlite3_column_text(st,
		    COL_ACTOR)));
	sqlite3_reset(st);
	return arr;
}

json_t *
shelter_show(struct shelters *s, const char *name, struct error *err)
{
	const struct shelter_conf	*sc;
	json_t				*o;

	if ((sc = shelter_conf_named(s, name, err)) == NULL)
		return NULL;
	o = shelter_json(s, sc);
	json_object_set_new(o, "history", shelter_history(s, sc->name));
	return o;
}

int
shelter_act(struct shelters *s, const char *name, const char *what,
    const char *actor, json_t **result, struct error *err)
{
	const struct shelter_conf	*sc;
	struct sactor			 who;
	struct srow			 row;
	int				 cause;

	if ((cause = shelter_command_parse(what)) == -1)
		fatalx("shelter unknown_act act=%s", what);
	if ((sc = shelter_conf_named(s, name, err)) == NULL)
		return -1;
	if (shelter_row(s, sc->name, &row) == -1) {
		error_set(err, ERR_INTERNAL, NULL, "logement %s sans état",
		    sc->name);
		return -1;
	}
	memset(&who, 0, sizeof who);
	snprintf(who.text, sizeof who.text, "%s", actor);
	if (shelter_move(s, sc, &row, cause, &who, util_now_up(), err) == -1)
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

/*
 * The claim of alert id by who at now: the alert's check, then the
 * shelter's move (its alert must still be the shelter's, and the shelter
 * vacant), then the alert's confirmation.  *result is the alert's JSON.
 */
static int
shelter_claim(struct shelters *s, int64_t id, const struct sactor *who,
    int64_t now, json_t **result, struct error *err)
{
	const struct shelter_conf	*sc;
	struct alert_ref		 ref;
	struct srow			 row;

	if (alert_claim_check(s, id, who, &ref, err) == -1)
		return -1;
	if ((sc = shelter_conf_find(s, ref.shelter)) == NULL ||
	    shelter_row(s, ref.shelter, &row) == -1 ||
	    row.state != SS_VACANT || row.alert_id != id) {
		error_set(err, ERR_CONFLICT, "code", "l'alerte %s ne "
		    "concerne plus un logement libre", ref.code);
		return -1;
	}
	if (shelter_move(s, sc, &row, SC_CLAIM, who, now, err) == -1 ||
	    alert_claim_done(s, id, who, row.reserved_until, now, err) == -1)
		return -1;
	*result = alert_json(s, id);
	log_info("shelter claimed shelter=%s alert=%lld via=%s by=%lld",
	    ref.shelter, (long long)id, alert_via_name(who->via),
	    (long long)who->person);
	return 0;
}

/* The alert a code of alerts ack names, and the person it claims for:
 * by, or the recipient whose code it is.  0 or -1 with err. */
static int
shelter_ack_parse(struct shelters *s, json_t *req, int64_t *id,
    int64_t *person, struct error *err)
{
	json_t		*code = json_object_get(req, "code");
	json_t		*by = json_object_get(req, "by");
	char		 c[ALERT_CODE_LEN];
	int64_t		 owner;

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
	if ((*id = alert_by_code(s, c, &owner)) == 0) {
		error_set(err, ERR_NOT_FOUND, "code", "aucune alerte n'a "
		    "le code %s", c);
		return -1;
	}
	/* a recipient's own code claims for them unless --by says who */
	*person = json_is_integer(by) ? json_integer_value(by) : owner;
	return 0;
}

int
shelter_ack(struct shelters *s, json_t *req, const char *actor,
    json_t **result, struct error *err)
{
	struct sactor	 who;
	json_t		*a;
	int64_t		 id;

	memset(&who, 0, sizeof who);
	if (shelter_ack_parse(s, req, &id, &who.person, err) == -1)
		return -1;
	snprintf(who.text, sizeof who.text, "%s", actor);
	/* the console acts as "web:<account>" (web_page.c) */
	who.via = strncmp(actor, "web:", 4) == 0 ? VIA_WEB : VIA_CLI;
	if (shelter_claim(s, id, &who, util_now_up(), &a, err) == -1)
		return -1;
	*result = shelter_claim_json(s, a);
	json_decref(a);
	return 0;
}

/* ---- the inbound listener: links ---- */

/* A claim from outside (SMS, link), in its own transaction: kept even
 * when late (the "déjà pris" it queues), audited as "sms:<person id>" or
 * "link:<person id>". */
int
shelter_claim_txn(struct shelters *s, int64_t id, struct sactor *who,
    json_t **result, struct error *err)
{
	char	*cause = NULL, actor[AUDIT_ACTOR_MAX];
	int	 rc;

	snprintf(actor, sizeof actor, "%s:%lld", who->via == VIA_SMS ? "sms" :
	    "link", (long long)who->person);
	if (store_begin(s->store, &cause) == -1) {
		return error_take(err, ERR_INTERNAL, NULL, cause);
	}
	rc = shelter_claim(s, id, who, util_now_up(), result, err);
	if ((rc == 0 || err->kind == ERR_CONFLICT) &&
	    audit_record_as(s->store, actor, rc == 0 ? "alert.claim" :
	    "alert.claim_late", "alert", id, &cause) == 0 &&
	    store_commit(s->store, &cause) == 0) {
		if (s->queued != NULL)
			s->queued(s->arg);
	} else {
		store_rollback(s->store);
		if (cause != NULL)
			rc = error_take(err, ERR_INTERNAL, NULL, cause);
	}
	shelter_arm(s);
	return rc;
}

/* The end of the hold of shelter name, in words of lang, into buf ("" when
 * it is not held). */
static void
shelter_until_words(struct shelters *s, const char *name, const char *lang,
    char *buf, size_t len)
{
	struct srow		 row;
	struct recur_civil	 c;
	const struct tz		*zone;

	if (name == NULL || shelter_row(s, name, &row) == -1 ||
	    row.reserved_until == 0)
		return;
	zone = shelter_zone(s);
	recur_secs_civil(row.reserved_until + tz_offset_at(zone,
	    row.reserved_until), &c);
	datefmt(lang, DATEFMT_LONG, &c, buf, len);
}

/* Claim alert id for person by their link; what the page then shows. */
static enum page_what
shelter_link_claim(struct shelters *s, int64_t id, int64_t person,
    struct shelter_page *pg)
{
	struct error	 err = { 0, NULL, NULL };
	struct sactor	 who;
	json_t		*result = NULL;
	enum page_what	 what;

	memset(&who, 0, sizeof who);
	snprintf(who.text, sizeof who.text, "person:%lld", (long long)person);
	who.person = person;
	who.via = VIA_LINK;
	if (shelter_claim_txn(s, id, &who, &result, &err) == 0) {
		what = PAGE_WON;
		shelter_until_words(s, json_string_value(json_object_get(result,
		    "shelter")), pg->lang, pg->until, sizeof pg->until);
	} else
		what = err.kind == ERR_CONFLICT ? PAGE_TAKEN : PAGE_ERROR;
	json_decref(result);
	error_clear(&err);
	return what;
}

int
shelter_link(struct shelters *s, const char *token, int claim,
    struct shelter_page *pg)
{
	int64_t	 id, person;
	char	*cause = NULL;

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
	if (claim && pg->what == PAGE_OFFER)
		pg->what = shelter_link_claim(s, id, person, pg);
	return 0;
}
