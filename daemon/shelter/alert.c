/*
 * alert.c: the alerts of the shelters.
 *
 * An alert has a code, the people it reached (alert_recipients, with the
 * level that reached them) and an escalation state: its level, how many
 * times it was sent again, when the next step is due, and whether the chain
 * is exhausted.  Every message is an urgent outbox row keyed
 * "alert/ALERT/KIND[/TAG]/PERSON/CHANNEL", queued in the caller's
 * transaction, its parameters sealed under the person's data key: the code,
 * the shelter's title, the times, and for the alert email a signed link.
 * Nothing about anyone housed is ever known here.  The shelter's own move
 * is not made here: a claim is checked, then done, around it (shelter_ops.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "alarm.h"
#include "audience.h"
#include "chan.h"
#include "config.h"
#include "crypt.h"
#include "log.h"
#include "metrics.h"
#include "oncall.h"
#include "outbox.h"
#include "people.h"
#include "recur.h"
#include "shelter_int.h"
#include "store.h"
#include "util.h"

static const char *const alert_statuses[AS_COUNT] = {
	[AS_OPEN] = ALERT_OPEN,
	[AS_CLAIMED] = ALERT_CLAIMED,
	[AS_CLOSED] = ALERT_CLOSED,
};

/* How a claim came, and the channels its claimer hears back on: the one
 * they used. */
static const struct {
	const char	*name;
	unsigned	 reply;
} alert_vias[VIA_COUNT] = {
	[VIA_NONE] = { NULL, CHAN_ALL },
	[VIA_CLI] = { "cli", CHAN_ALL },
	[VIA_SMS] = { "sms", CHAN_BIT(CHAN_SMS) },
	[VIA_LINK] = { "link", CHAN_BIT(CHAN_EMAIL) },
	[VIA_WEB] = { "web", CHAN_ALL },
};

/* What every message of one alert says. */
struct amsg {
	int64_t			 id;
	char			 shelter[SHELTER_NAME_MAX];
	char			 code[ALERT_CODE_LEN];	/* the alert's own */
	char			*title;
	enum alert_status	 status;
	int64_t			 opened;
	int64_t			 until;		/* the hold, when reserved; 0 */
	int			 level;
	int64_t			 repeats;	/* sent again so far */
	int64_t			 link_valid;
};

const char *
alert_via_name(enum alert_via via)
{
	return alert_vias[via].name;
}

/* The status called name; AS_CLOSED for any other. */
static enum alert_status
alert_status_parse(const char *name)
{
	int	 i;

	for (i = 0; i < AS_COUNT; i++)
		if (strcmp(alert_statuses[i], name) == 0)
			return i;
	return AS_CLOSED;
}

static void
amsg_free(struct amsg *m)
{
	free(m->title);
	m->title = NULL;
}

/* Load what the messages of alert id say; 0 or -1 with *cause. */
static int
amsg_load(struct shelters *s, int64_t id, struct amsg *m, char **cause)
{
	static const char *const sql = "SELECT a.shelter, a.code, a.status,"
	    " a.opened, a.level, a.repeats, s.reserved_until FROM alerts a"
	    " LEFT JOIN shelters s ON s.name = a.shelter AND s.alert_id = a.id"
	    "  AND s.state = ?2 WHERE a.id = ?1";
	enum { COL_SHELTER, COL_CODE, COL_STATUS, COL_OPENED, COL_LEVEL,
	    COL_REPEATS, COL_UNTIL };
	const struct shelter_conf	*sc;
	sqlite3_stmt			*st = store_stmt(s->store, sql);
	int				 rc = -1;

	memset(m, 0, sizeof *m);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, shelter_state_name(SS_RESERVED), -1,
	    SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->id = id;
		util_strlcpy(m->shelter, (const char *)sqlite3_column_text(st,
		    COL_SHELTER), sizeof m->shelter);
		util_strlcpy(m->code, (const char *)sqlite3_column_text(st,
		    COL_CODE), sizeof m->code);
		m->status = alert_status_parse((const char *)
		    sqlite3_column_text(st, COL_STATUS));
		m->opened = sqlite3_column_int64(st, COL_OPENED);
		m->level = sqlite3_column_int(st, COL_LEVEL);
		m->repeats = sqlite3_column_int64(st, COL_REPEATS);
		m->until = sqlite3_column_int64(st, COL_UNTIL);
		sc = shelter_conf_find(s, m->shelter);
		m->title = xstrdup(sc != NULL ? sc->title : m->shelter);
		m->link_valid = sc != NULL ? sc->link_valid : 0;
		rc = 0;
	} else
		util_cause(cause, "no alert %lld", (long long)id);
	sqlite3_reset(st);
	return rc;
}

/* The signed link of the alert email to person (a new string). */
static char *
alert_link(struct shelters *s, const struct amsg *m, int64_t person)
{
	const char	*url = (*s->conf)->public_url;
	char		*token, *link;
	size_t		 n = strlen(url);

	/* from the true now, not rounded up */
	token = alert_token(s, m->id, person, util_now() + m->link_valid);
	while (n > 0 && url[n - 1] == '/')
		n--;
	xasprintf(&link, "%.*s/a/%s", (int)n, url, token);
	free(token);
	return link;
}

/* The parameters of one message to person on channel c: JSON text (new
 * string), or NULL when they cannot be encoded. */
static char *
alert_payload(struct shelters *s, const struct amsg *m, const char *kind,
    int64_t person, enum chan c)
{
	json_t	*o;
	char	 buf[RECUR_FMT_LEN], code[ALERT_CODE_LEN], *link, *text;

	alert_person_code(s, m->id, person, code, sizeof code);
	o = json_pack("{ss ss ss}", "code", code, "shelter", m->title,
	    "opened", shelter_local(s, m->opened, buf, sizeof buf));
	if (m->until != 0)
		json_object_set_new(o, "until", json_string(shelter_local(s,
		    m->until, buf, sizeof buf)));
	if (c == CHAN_EMAIL && strcmp(kind, "alert") == 0 &&
	    m->link_valid > 0) {
		link = alert_link(s, m, person);
		json_object_set_new(o, "link", json_string(link));
		free(link);
	}
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;
	json_decref(o);
	return text;
}

/* Queue message kind (tag: see alert_send) to person on channel c. */
static int
alert_enqueue(struct shelters *s, const struct amsg *m, const char *kind,
    const char *tag, int64_t person, enum chan c,
    const struct crypt_key *dk, char **cause)
{
	struct outbox_msg	 om;
	char			*key, *payload;
	int			 rc;

	if ((payload = alert_payload(s, m, kind, person, c)) == NULL) {
		/* the configured title is checked as UTF-8: a bug */
		util_cause(cause, "alert %lld: unencodable message",
		    (long long)m->id);
		return -1;
	}
	xasprintf(&key, "alert/%lld/%s%s%s/%lld/%s", (long long)m->id, kind,
	    tag ? "/" : "", tag ? tag : "", (long long)person, chan_name(c));
	memset(&om, 0, sizeof om);
	om.key = key;
	om.kind = kind;
	om.person_id = person;
	om.channel = chan_name(c);
	om.urgent = 1;
	om.not_before = util_now();	/* due at once, whatever now */
	om.payload = payload;
	rc = outbox_enqueue(s->store, dk, &om, NULL, cause);
	sodium_memzero(payload, strlen(payload));
	free(payload);
	free(key);
	return rc;
}

/*
 * Queue message kind to person on the channels of mask it can be reached
 * on.  tag (may be NULL) tells apart the messages of one kind sent again
 * ("r1" for the first repeat).  0 or -1 with *cause.
 */
static int
alert_send(struct shelters *s, const struct amsg *m, const char *kind,
    const char *tag, int64_t person, unsigned mask, char **cause)
{
	struct crypt_key	*dk;
	unsigned		 reach;
	int			 c, rc = 0;

	if ((reach = people_channels(s->store, person) & mask) == 0)
		return 0;	/* erased, or no address on those channels */
	if ((dk = people_data_key(s->store, s->master, person, cause)) == NULL)
		return -1;
	for (c = 0; c < CHAN_COUNT && rc == 0; c++)
		if (reach & CHAN_BIT(c))
			rc = alert_enqueue(s, m, kind, tag, person, c, dk,
			    cause);
	crypt_key_free(dk);
	return rc;
}

/* Merge ids into the ascending set *set of *n. */
static void
alert_merge(int64_t **set, size_t *n, const int64_t *ids, size_t k)
{
	size_t	 i, j;

	for (i = 0; i < k; i++) {
		for (j = 0; j < *n && (*set)[j] < ids[i]; j++)
			;
		if (j < *n && (*set)[j] == ids[i])
			continue;
		*set = xreallocarray(*set, *n + 1, sizeof **set);
		memmove(*set + j + 1, *set + j, (*n - j) * sizeof **set);
		(*set)[j] = ids[i];
		(*n)++;
	}
}

/* The people (not removed) one item of an audience reaches at now, in
 * *ids (a new array, or NULL); how many. */
static size_t
alert_audience_item(struct shelters *s, const struct audience_item *it,
    int64_t now, int64_t **ids)
{
	static const char *const by_role = "SELECT r.person_id FROM"
	    " person_roles r JOIN people p ON p.id = r.person_id"
	    " WHERE r.role = ? AND p.removed IS NULL";
	static const char *const by_id =
	    "SELECT id FROM people WHERE id = ? AND removed IS NULL";
	sqlite3_stmt	*st;

	if (it->role == audience_role("oncall"))
		return oncall_people(s->store, now, ids);
	if (it->role >= 0) {
		st = store_stmt(s->store, by_role);
		sqlite3_bind_text(st, 1, audience_roles[it->role], -1,
		    SQLITE_STATIC);
	} else {
		st = store_stmt(s->store, by_id);
		sqlite3_bind_int64(st, 1, it->person);
	}
	return store_ids(st, ids);
}

/*
 * The people an audience ("role:R,person:ID", checked at configuration
 * time) reaches at now: role:oncall means those on call by the rota.
 * Ascending, each once, not removed; *ids is a new array (or NULL).
 */
static size_t
alert_audience(struct shelters *s, const char *aud, int64_t now,
    int64_t **ids)
{
	struct audience_item	*items;
	int64_t			*part;
	char			*bad;
	size_t			 nitems, n = 0, k, i;

	*ids = NULL;
	if (audience_parse(aud, SIZE_MAX, &items, &nitems, &bad) == -1) {
		log_warnx("shelter bad_audience reason=\"checked at load: a "
		    "bug\"");
		free(bad);
		return 0;
	}
	for (i = 0; i < nitems; i++) {
		k = alert_audience_item(s, &items[i], now, &part);
		alert_merge(ids, &n, part, k);
		free(part);
	}
	free(items);
	return n;
}

/* Run one statement on alert id with integer parameters ?2, ?3 ... */
static int
alert_exec(struct shelters *s, const char *sql, int64_t id, int n,
    const int64_t *v, char **cause)
{
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int		 i;

	sqlite3_bind_int64(st, 1, id);
	for (i = 0; i < n; i++)
		if (v[i] == INT64_MIN)
			sqlite3_bind_null(st, i + 2);
		else
			sqlite3_bind_int64(st, i + 2, v[i]);
	return store_exec_stmt(s->store, st, cause);
}

/* The MAC of person's phone into mac: 0, or -1 when they have none. */
static int
alert_recipient_mac(struct shelters *s, int64_t person, uint8_t *mac)
{
	struct people_contact	 pc;
	char			*why = NULL;
	int			 rc = -1;

	if (people_contact(s->store, s->master, person, chan_name(CHAN_SMS),
	    &pc, &why) == 0) {
		if (pc.addr != NULL) {
			alert_phone_mac(s, pc.addr, mac);
			rc = 0;
		}
		people_contact_clear(&pc);
	}
	free(why);
	return rc;
}

/*
 * Make person id a recipient of alert m at level, with a code of their own
 * and the MAC of the phone the alert goes to; 1 when they were one already.
 */
static int
alert_recipient_add(struct shelters *s, const struct amsg *m,
    const struct shelter_conf *sc, int64_t id, int level, int64_t now,
    char **cause)
{
	static const char *const ins = "INSERT OR IGNORE INTO alert_recipients"
	    " (alert_id, person_id, level, notified, code, phone_mac)"
	    " VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*st;
	uint8_t			 mac[CRYPT_MAC_BYTES];
	char			 code[ALERT_CODE_LEN];
	int			 has_mac;

	if (alert_recipient(s, m->id, id))
		return 1;
	if (alert_code_new(s, sc->code_digits, now, code, sizeof code) == -1) {
		util_cause(cause, "no free alert code");
		return -1;
	}
	has_mac = alert_recipient_mac(s, id, mac) == 0;
	st = store_stmt(s->store, ins);
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int(st, 3, level);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, code, -1, SQLITE_TRANSIENT);
	if (has_mac)
		sqlite3_bind_blob(st, 6, mac, sizeof mac, SQLITE_TRANSIENT);
	return store_exec_stmt(s->store, st, cause);
}

/* Alert the people of ids not alerted yet, at level. */
static int
alert_reach(struct shelters *s, const struct amsg *m,
    const struct shelter_conf *sc, const int64_t *ids, size_t n, int level,
    int64_t now, size_t *added, char **cause)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		if ((rc = alert_recipient_add(s, m, sc, ids[i], level, now,
		    cause)) == -1)
			return -1;
		if (rc == 1)
			continue;
		if (alert_send(s, m, "alert", NULL, ids[i], CHAN_ALL,
		    cause) == -1)
			return -1;
		(*added)++;
	}
	return 0;
}

/* Send kind to every recipient of the alert but except (0: none). */
static int
alert_tell(struct shelters *s, const struct amsg *m, const char *kind,
    const char *tag, int64_t except, char **cause)
{
	static const char *const sql = "SELECT person_id FROM alert_recipients"
	    " WHERE alert_id = ? ORDER BY person_id";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		*ids;
	size_t		 n, i;
	int		 rc = 0;

	sqlite3_bind_int64(st, 1, m->id);
	n = store_ids(st, &ids);
	for (i = 0; i < n && rc == 0; i++)
		if (ids[i] != except)
			rc = alert_send(s, m, kind, tag, ids[i], CHAN_ALL,
			    cause);
	free(ids);
	return rc;
}

/* Send kind to the coordinators. */
static int
alert_coordinators(struct shelters *s, const struct amsg *m,
    const char *kind, int64_t now, char **cause)
{
	int64_t	*ids;
	size_t	 n, i;
	int	 rc = 0;

	n = alert_audience(s, "role:coordinator", now, &ids);
	for (i = 0; i < n && rc == 0; i++)
		rc = alert_send(s, m, kind, NULL, ids[i], CHAN_ALL, cause);
	if (n == 0)
		log_warnx("shelter no_coordinator alert=%lld kind=%s "
		    "hint=\"give someone the coordinator role\"",
		    (long long)m->id, kind);
	free(ids);
	return rc;
}

int
alert_notify(struct shelters *s, int64_t id, const char *kind,
    int64_t person, unsigned mask, int64_t now, char **cause)
{
	struct amsg	 m;
	int		 rc;

	if (amsg_load(s, id, &m, cause) == -1)
		return -1;
	if (person == 0)
		rc = alert_coordinators(s, &m, kind, now, cause);
	else
		rc = alert_send(s, &m, kind, NULL, person, mask, cause);
	amsg_free(&m);
	return rc;
}

/*
 * When the step after now is due: the next repeat, or the end of the chain,
 * one repeat (escalate_after when there are none) after the last message.
 */
static int64_t
alert_next(const struct shelter_conf *sc, int64_t now)
{
	return now + (sc->repeat > 0 ? sc->repeat : sc->escalate_after);
}

/* Go to level 2: alert escalate_to; the next step after it. */
static int
alert_escalate(struct shelters *s, const struct shelter_conf *sc,
    struct amsg *m, int64_t now, size_t *added, char **cause)
{
	static const char *const sql = "UPDATE alerts SET level = 2,"
	    " next_at = ?2 WHERE id = ?1";
	int64_t	*ids;
	size_t	 n;
	int	 rc;

	m->level = 2;
	n = alert_audience(s, sc->escalate_to, now, &ids);
	rc = alert_reach(s, m, sc, ids, n, 2, now, added, cause);
	free(ids);
	if (rc == 0)
		rc = alert_exec(s, sql, m->id, 1, (int64_t[]){
		    alert_next(sc, now) }, cause);
	if (rc == 0)
		metrics_add(M_ESCALATIONS, 1, NULL, NULL);
	return rc;
}

/* The row of a new alert for sc, with a free code; *id is its. */
static int
alert_insert(struct shelters *s, const struct shelter_conf *sc, int64_t now,
    int64_t *id, char **cause)
{
	static const char *const ins = "INSERT INTO alerts (shelter, code,"
	    " status, opened, level, next_at) VALUES (?, ?, '" ALERT_OPEN "',"
	    " ?, 1, ?)";
	sqlite3_stmt	*st;
	char		 code[ALERT_CODE_LEN];

	if (alert_code_new(s, sc->code_digits, now, code, sizeof code) == -1) {
		util_cause(cause, "no free alert code");
		return -1;
	}
	st = store_stmt(s->store, ins);
	sqlite3_bind_text(st, 1, sc->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, *sc->escalate_to != '\0' ? now +
	    sc->escalate_after : alert_next(sc, now));
	if (store_exec_stmt(s->store, st, cause) == -1)
		return -1;
	*id = store_last_id(s->store);
	return 0;
}

int
alert_open(struct shelters *s, const struct shelter_conf *sc, int64_t now,
    int64_t *id, char **cause)
{
	struct amsg	 m;
	int64_t		*ids;
	size_t		 n, added = 0;
	int		 rc;

	if (alert_insert(s, sc, now, id, cause) == -1 ||
	    amsg_load(s, *id, &m, cause) == -1)
		return -1;
	n = alert_audience(s, sc->notify, now, &ids);
	rc = alert_reach(s, &m, sc, ids, n, 1, now, &added, cause);
	free(ids);
	if (rc == 0 && added == 0) {
		/* nobody on call: the escalation level at once */
		log_warnx("shelter nobody_on_call shelter=%s alert=%lld",
		    sc->name, (long long)*id);
		rc = alert_coordinators(s, &m, "alert_no_oncall", now, cause);
		if (rc == 0 && *sc->escalate_to != '\0')
			rc = alert_escalate(s, sc, &m, now, &added, cause);
	}
	if (rc == 0)
		log_info("shelter alert_opened shelter=%s alert=%lld level=%d "
		    "notified=%zu", sc->name, (long long)*id, m.level, added);
	amsg_free(&m);
	return rc;
}

/* Send alert m again to everyone it reached, as repeat number n. */
static int
alert_repeat(struct shelters *s, const struct shelter_conf *sc,
    const struct amsg *m, int64_t n, int64_t now, char **cause)
{
	static const char *const again = "UPDATE alerts SET repeats = ?2,"
	    " next_at = ?3 WHERE id = ?1";
	char	 tag[32];
	int	 rc;

	snprintf(tag, sizeof tag, "r%lld", (long long)n);
	rc = alert_tell(s, m, "alert", tag, 0, cause);
	if (rc == 0)
		rc = alert_exec(s, again, m->id, 2, (int64_t[]){ n,
		    alert_next(sc, now) }, cause);
	log_info("shelter alert_repeated alert=%lld repeat=%lld",
	    (long long)m->id, (long long)n);
	return rc;
}

int
alert_step(struct shelters *s, int64_t id, int64_t now, char **cause)
{
	static const char *const done = "UPDATE alerts SET exhausted = 1,"
	    " next_at = NULL WHERE id = ?1";
	const struct shelter_conf	*sc;
	struct amsg			 m;
	size_t				 added = 0;
	int				 rc;

	if (amsg_load(s, id, &m, cause) == -1)
		return -1;
	if ((sc = shelter_conf_find(s, m.shelter)) == NULL) {
		log_warnx("shelter unconfigured shelter=%s alert=%lld "
		    "escalation=stopped", m.shelter, (long long)id);
		rc = alert_exec(s, done, id, 0, NULL, cause);
	} else if (m.level == 1 && *sc->escalate_to != '\0') {
		rc = alert_escalate(s, sc, &m, now, &added, cause);
		log_info("shelter alert_escalated alert=%lld notified=%zu",
		    (long long)id, added);
	} else if (sc->repeat > 0 && m.repeats < sc->repeat_max)
		rc = alert_repeat(s, sc, &m, m.repeats + 1, now, cause);
	else {
		rc = alert_coordinators(s, &m, "alert_nobody", now, cause);
		if (rc == 0)
			rc = alert_exec(s, done, id, 0, NULL, cause);
		if (rc == 0)	/* the dead-man's switch, on other channels */
			rc = alarm_exhausted(s->alarm, id, now, cause);
		log_warnx("shelter nobody_answered shelter=%s alert=%lld",
		    m.shelter, (long long)id);
	}
	amsg_free(&m);
	return rc;
}

/* Who claimed alert id; 0: nobody. */
static int64_t
alert_claimer(struct shelters *s, int64_t id)
{
	static const char *const sql =
	    "SELECT claimed_by FROM alerts WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 claimer = 0;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		claimer = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return claimer;
}

int
alert_close(struct shelters *s, int64_t id, const char *why,
    enum alert_tell tell, int64_t now, char **cause)
{
	static const char *const sql = "UPDATE alerts SET status = CASE"
	    " status WHEN '" ALERT_OPEN "' THEN '" ALERT_CLOSED "' ELSE status"
	    " END, closed_at = ?2, close_cause = ?3, next_at = NULL"
	    " WHERE id = ?1";
	sqlite3_stmt	*st;
	struct amsg	 m;
	int64_t		 claimer;
	int		 rc = 0;

	if (id == 0)
		return 0;
	claimer = alert_claimer(s, id);
	if (tell != TELL_NOBODY && amsg_load(s, id, &m, cause) == 0) {
		if (tell == TELL_ALL)
			rc = alert_tell(s, &m, "alert_closed", NULL, 0, cause);
		else if (claimer != 0)
			rc = alert_send(s, &m, "alert_closed", NULL, claimer,
			    CHAN_ALL, cause);
		amsg_free(&m);
	}
	if (rc == -1)
		return -1;
	if (alarm_answered(s->alarm, id, now, cause) == -1)
		return -1;
	st = store_stmt(s->store, sql);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
	return store_exec_stmt(s->store, st, cause);
}

int
alert_recipient(struct shelters *s, int64_t id, int64_t person)
{
	static const char *const sql = "SELECT 1 FROM alert_recipients"
	    " WHERE alert_id = ? AND person_id = ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int		 yes;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, person);
	yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return yes;
}

/*
 * A claim on an alert that is no longer open: the claimer, when an alerted
 * person, is told "déjà pris" on the channel they used (once: the key).
 */
static int
alert_late(struct shelters *s, struct amsg *m, const struct sactor *who,
    struct error *err)
{
	char	*cause = NULL;

	if (who->person != 0 && !VIA_STAFF(who->via) &&
	    alert_recipient(s, m->id, who->person) &&
	    alert_send(s, m, "alert_late", NULL, who->person,
	    alert_vias[who->via].reply, &cause) == -1) {
		return error_take(err, ERR_INTERNAL, NULL, cause);
	}
	log_info("shelter claim_late alert=%lld via=%s", (long long)m->id,
	    alert_via_name(who->via));
	error_set(err, ERR_CONFLICT, "code", "déjà pris : l'alerte %s "
	    "est %s", m->code, m->status == AS_CLAIMED ? "déjà réservée" :
	    "close, le logement n'est plus disponible");
	return -1;
}

/* Check that who may claim alert m; -1 with err when not. */
static int
alert_claimer_ok(struct shelters *s, const struct amsg *m,
    const struct sactor *who, struct error *err)
{
	if (!VIA_STAFF(who->via)) {
		if (alert_recipient(s, m->id, who->person))
			return 0;
		error_set(err, ERR_FORBIDDEN, NULL, "not alerted");
		return -1;
	}
	if (who->person == 0 || people_exists(s->store, who->person))
		return 0;
	error_set(err, ERR_INVALID, "by", "aucune personne n'a le "
	    "numéro %lld", (long long)who->person);
	return -1;
}

int
alert_claim_check(struct shelters *s, int64_t id, const struct sactor *who,
    struct alert_ref *ref, struct error *err)
{
	struct amsg	 m;
	char		*cause = NULL;
	int		 rc;

	if (amsg_load(s, id, &m, &cause) == -1) {
		error_set(err, ERR_NOT_FOUND, "code", "%s", cause);
		free(cause);
		return -1;
	}
	if (m.status != AS_OPEN)
		rc = alert_late(s, &m, who, err);
	else
		rc = alert_claimer_ok(s, &m, who, err);
	util_strlcpy(ref->shelter, m.shelter, sizeof ref->shelter);
	util_strlcpy(ref->code, m.code, sizeof ref->code);
	amsg_free(&m);
	return rc;
}

int
alert_claim_done(struct shelters *s, int64_t id, const struct sactor *who,
    int64_t until, int64_t now, struct error *err)
{
	static const char *const sql = "UPDATE alerts SET status = '"
	    ALERT_CLAIMED "', claimed_by = ?2, claimed_at = ?3, via = ?4,"
	    " next_at = NULL WHERE id = ?1";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	struct amsg	 m;
	char		*cause = NULL;
	int		 rc;

	sqlite3_bind_int64(st, 1, id);
	if (who->person != 0)
		sqlite3_bind_int64(st, 2, who->person);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, alert_via_name(who->via), -1, SQLITE_STATIC);
	if ((rc = store_exec_stmt(s->store, st, &cause)) == 0 &&
	    (rc = alarm_answered(s->alarm, id, now, &cause)) == 0 &&
	    (rc = amsg_load(s, id, &m, &cause)) == 0) {
		metrics_observe(M_CLAIM_SECONDS, (double)(now - m.opened));
		m.until = until;
		if (who->person != 0)
			rc = alert_send(s, &m, "alert_confirm", NULL,
			    who->person, alert_vias[who->via].reply, &cause);
		if (rc == 0)
			rc = alert_tell(s, &m, "alert_taken", NULL,
			    who->person, &cause);
		amsg_free(&m);
	}
	if (rc == -1)
		error_take(err, ERR_INTERNAL, NULL, cause);
	return rc;
}
