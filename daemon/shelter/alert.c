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
 * Nothing about anyone housed is ever known here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "crypt.h"
#include "log.h"
#include "oncall.h"
#include "outbox.h"
#include "people.h"
#include "recur.h"
#include "shelter_int.h"
#include "store.h"
#include "util.h"

#define ALERT_CODE_TRIES	200
#define ALERT_CODE_QUIET	(7 * 86400)	/* a code is not reused for a week */
#define ALERT_TOKEN_V1		1
#define ALERT_TOKEN_BYTES	(1 + 8 + 8 + 8 + CRYPT_MAC_BYTES)
#define ALERT_MAC_PURPOSE	"ack-link"
#define ALERT_PHONE_PURPOSE	"phone-ix"	/* alert_recipients.phone_mac */

/* What every message of one alert says. */
struct amsg {
	int64_t		 id;
	char		 shelter[64];
	char		 code[ALERT_CODE_LEN];	/* the alert's own */
	char		*title;
	char		 status[8];
	int64_t		 opened;
	int64_t		 until;		/* the hold, when reserved; 0 */
	int		 level;
	int64_t		 link_valid;
};

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
	    " a.opened, a.level, s.reserved_until FROM alerts a"
	    " LEFT JOIN shelters s ON s.name = a.shelter AND s.alert_id = a.id"
	    "  AND s.state = 'reserved' WHERE a.id = ?";
	const struct shelter_conf	*sc;
	sqlite3_stmt			*st = store_stmt(s->store, sql);
	int				 rc = -1;

	memset(m, 0, sizeof *m);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->id = id;
		util_strlcpy(m->shelter, (const char *)sqlite3_column_text(st,
		    0), sizeof m->shelter);
		util_strlcpy(m->code, (const char *)sqlite3_column_text(st, 1),
		    sizeof m->code);
		util_strlcpy(m->status, (const char *)sqlite3_column_text(st,
		    2), sizeof m->status);
		m->opened = sqlite3_column_int64(st, 3);
		m->level = sqlite3_column_int(st, 4);
		m->until = sqlite3_column_int64(st, 5);
		sc = shelter_conf_find(s, m->shelter);
		m->title = xstrdup(sc != NULL ? sc->title : m->shelter);
		m->link_valid = sc != NULL ? sc->link_valid : 0;
		rc = 0;
	} else
		util_cause(cause, "no alert %lld", (long long)id);
	sqlite3_reset(st);
	return rc;
}

static void
alert_put64(uint8_t *p, int64_t v)
{
	int	 i;

	for (i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
		p[i] = (uint8_t)(v & 0xff);
}

static int64_t
alert_get64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/*
 * The signed link token of (alert, person), good until expiry: version,
 * alert, person and expiry (8 bytes each, big-endian), then their MAC under
 * a key derived from the master key; base64url without padding.
 */
static char *
alert_token(struct shelters *s, int64_t alert, int64_t person,
    int64_t expiry)
{
	uint8_t		 raw[ALERT_TOKEN_BYTES];
	char		*out;
	size_t		 len, i;
	const int64_t	 v[3] = { alert, person, expiry };

	raw[0] = ALERT_TOKEN_V1;
	for (i = 0; i < 3; i++)
		alert_put64(raw + 1 + 8 * i, v[i]);
	crypt_mac(s->master, ALERT_MAC_PURPOSE, raw, 25, raw + 25);
	len = sodium_base64_ENCODED_LEN(sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	out = xmalloc(len);
	sodium_bin2base64(out, len, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

int
alert_token_parse(struct shelters *s, const char *token, int64_t now,
    int64_t *alert, int64_t *person, char **cause)
{
	uint8_t	 raw[ALERT_TOKEN_BYTES];
	size_t	 len;

	if (sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL,
	    &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof raw || raw[0] != ALERT_TOKEN_V1 ||
	    crypt_mac_check(s->master, ALERT_MAC_PURPOSE, raw, 25,
	    raw + 25) == -1) {
		util_cause(cause, "bad_token");
		return -1;
	}
	if (alert_get64(raw + 17) < now) {
		util_cause(cause, "expired_token");
		return -1;
	}
	*alert = alert_get64(raw + 1);
	*person = alert_get64(raw + 9);
	return 0;
}

/* The parameters of one message to person: JSON text (new string), or
 * NULL when they cannot be encoded. */
static char *
alert_payload(struct shelters *s, const struct amsg *m, const char *kind,
    int64_t person, int email, int64_t now)
{
	const struct config	*conf = *s->conf;
	json_t			*o;
	char			 buf[RECUR_FMT_LEN], *token, *link, *text;
	char			 code[ALERT_CODE_LEN];
	size_t			 n;

	alert_person_code(s, m->id, person, code, sizeof code);
	o = json_pack("{ss ss ss}", "code", code, "shelter", m->title,
	    "opened", shelter_local(s, m->opened, buf, sizeof buf));
	if (m->until != 0)
		json_object_set_new(o, "until", json_string(shelter_local(s,
		    m->until, buf, sizeof buf)));
	if (email && strcmp(kind, "alert") == 0 && m->link_valid > 0) {
		token = alert_token(s, m->id, person, util_now() +
		    m->link_valid);	/* from the true now, not rounded up */
		n = strlen(conf->public_url);
		while (n > 0 && conf->public_url[n - 1] == '/')
			n--;
		xasprintf(&link, "%.*s/a/%s", (int)n, conf->public_url, token);
		json_object_set_new(o, "link", json_string(link));
		free(link);
		free(token);
	}
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;
	json_decref(o);
	return text;
}

/*
 * Queue message kind to person on the channels of mask it can be reached
 * on.  tag (may be NULL) tells apart the messages of one kind sent again
 * ("r1" for the first repeat).  0 or -1 with *cause.
 */
static int
alert_send(struct shelters *s, const struct amsg *m, const char *kind,
    const char *tag, int64_t person, unsigned mask, int64_t now,
    char **cause)
{
	static const char *const sql = "SELECT email IS NOT NULL,"
	    " phone IS NOT NULL FROM people WHERE id = ? AND removed IS NULL";
	static const char *const chans[2] = { "email", "sms" };
	sqlite3_stmt		*st = store_stmt(s->store, sql);
	struct crypt_key	*dk;
	struct outbox_msg	 om;
	unsigned		 reach = 0;
	char			*key, *payload;
	int			 i, rc = 0;

	sqlite3_bind_int64(st, 1, person);
	if (sqlite3_step(st) == SQLITE_ROW)
		reach = (sqlite3_column_int(st, 0) ? ALERT_EMAIL : 0) |
		    (sqlite3_column_int(st, 1) ? ALERT_SMS : 0);
	sqlite3_reset(st);
	if ((reach &= mask) == 0)
		return 0;	/* erased, or no address on those channels */
	if ((dk = people_data_key(s->store, s->master, person, cause)) == NULL)
		return -1;
	for (i = 0; i < 2 && rc == 0; i++) {
		if (!(reach & (i == 0 ? ALERT_EMAIL : ALERT_SMS)))
			continue;
		xasprintf(&key, "alert/%lld/%s%s%s/%lld/%s", (long long)m->id,
		    kind, tag ? "/" : "", tag ? tag : "", (long long)person,
		    chans[i]);
		if ((payload = alert_payload(s, m, kind, person, i == 0,
		    now)) == NULL) {
			/* the configured title is checked as UTF-8: a bug */
			util_cause(cause, "alert %lld: unencodable message",
			    (long long)m->id);
			free(key);
			rc = -1;
			break;
		}
		memset(&om, 0, sizeof om);
		om.key = key;
		om.kind = kind;
		om.person_id = person;
		om.channel = chans[i];
		om.urgent = 1;
		om.not_before = util_now();	/* due at once, whatever now */
		om.payload = payload;
		rc = outbox_enqueue(s->store, dk, &om, NULL, cause);
		sodium_memzero(payload, strlen(payload));
		free(payload);
		free(key);
	}
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

/*
 * The people an audience ("role:R,person:ID", checked at configuration
 * time) reaches at now: role:oncall means those on call by the rota.
 * Ascending, each once, not removed; *ids is a new array (or NULL).
 */
static size_t
alert_audience(struct shelters *s, const char *aud, int64_t now,
    int64_t **ids)
{
	static const char *const by_role = "SELECT r.person_id FROM"
	    " person_roles r JOIN people p ON p.id = r.person_id"
	    " WHERE r.role = ? AND p.removed IS NULL";
	static const char *const by_id =
	    "SELECT id FROM people WHERE id = ? AND removed IS NULL";
	sqlite3_stmt	*st;
	char		*copy, *tok, *save = NULL;
	int64_t		*part, one;
	size_t		 n = 0, k;

	*ids = NULL;
	copy = xstrdup(aud);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		part = NULL;
		k = 0;
		if (strcmp(tok, "role:oncall") == 0)
			k = oncall_people(s->store, now, &part);
		else {
			st = store_stmt(s->store, strncmp(tok, "role:", 5) ==
			    0 ? by_role : by_id);
			if (strncmp(tok, "role:", 5) == 0)
				sqlite3_bind_text(st, 1, tok + 5, -1,
				    SQLITE_TRANSIENT);
			else if (util_parse_int(tok + 7, 1, INT64_MAX,
			    &one) == 0)
				sqlite3_bind_int64(st, 1, one);
			k = store_ids(st, &part);
		}
		alert_merge(ids, &n, part, k);
		free(part);
	}
	free(copy);
	return n;
}

/*
 * A new code of digits digits (the first not 0), unused by the open alerts
 * and their recipients (and, when it can be, by those of the past week, so
 * that a late answer is not mistaken).  0, or -1 when none is free.
 */
static int
alert_code(struct shelters *s, int digits, int64_t now, char *code,
    size_t len)
{
	static const char *const sql = "SELECT 1 FROM alerts WHERE code = ?1"
	    " AND (status = 'open' OR (?2 AND opened > ?3))"
	    " UNION ALL SELECT 1 FROM alert_recipients r JOIN alerts a"
	    " ON a.id = r.alert_id WHERE r.code = ?1"
	    " AND (a.status = 'open' OR (?2 AND a.opened > ?3)) LIMIT 1";
	sqlite3_stmt	*st;
	uint32_t	 low = 1;
	int		 i, taken;

	for (i = 1; i < digits; i++)
		low *= 10;
	for (i = 0; i < ALERT_CODE_TRIES; i++) {
		snprintf(code, len, "%u", low + randombytes_uniform(9 * low));
		st = store_stmt(s->store, sql);
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, i < ALERT_CODE_TRIES / 2);
		sqlite3_bind_int64(st, 3, now - ALERT_CODE_QUIET);
		taken = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (!taken)
			return 0;
	}
	return -1;
}

void
alert_person_code(struct shelters *s, int64_t id, int64_t person, char *code,
    size_t len)
{
	static const char *const sql = "SELECT coalesce(r.code, a.code)"
	    " FROM alerts a LEFT JOIN alert_recipients r ON r.alert_id = a.id"
	    "  AND r.person_id = ?2 WHERE a.id = ?1";
	sqlite3_stmt	*st = store_stmt(s->store, sql);

	*code = '\0';
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, person);
	if (sqlite3_step(st) == SQLITE_ROW)
		util_strlcpy(code, (const char *)sqlite3_column_text(st, 0),
		    len);
	sqlite3_reset(st);
}

void
alert_phone_mac(struct shelters *s, const char *e164, uint8_t *mac)
{
	crypt_mac(s->master, ALERT_PHONE_PURPOSE, e164, strlen(e164), mac);
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
	struct people_contact	 pc;
	sqlite3_stmt		*st;
	uint8_t			 mac[CRYPT_MAC_BYTES];
	char			 code[ALERT_CODE_LEN], *why = NULL;
	int			 has_mac = 0;

	if (alert_recipient(s, m->id, id))
		return 1;
	if (alert_code(s, sc->code_digits, now, code, sizeof code) == -1) {
		util_cause(cause, "no free alert code");
		return -1;
	}
	if (people_contact(s->store, s->master, id, "sms", &pc, &why) == 0) {
		if (pc.addr != NULL) {
			alert_phone_mac(s, pc.addr, mac);
			has_mac = 1;
		}
		people_contact_clear(&pc);
	}
	free(why);
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
		if (alert_send(s, m, "alert", NULL, ids[i], ALERT_BOTH, now,
		    cause) == -1)
			return -1;
		(*added)++;
	}
	return 0;
}

/* Send kind to every recipient of the alert but except (0: none). */
static int
alert_tell(struct shelters *s, const struct amsg *m, const char *kind,
    const char *tag, int64_t except, int64_t now, char **cause)
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
			rc = alert_send(s, m, kind, tag, ids[i], ALERT_BOTH, now,
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
		rc = alert_send(s, m, kind, NULL, ids[i], ALERT_BOTH, now,
		    cause);
	if (n == 0)
		log_warnx("shelter no_coordinator alert=%lld kind=%s (give "
		    "someone the coordinator role)", (long long)m->id, kind);
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
		rc = alert_send(s, &m, kind, NULL, person, mask, now, cause);
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
	return rc;
}

int
alert_open(struct shelters *s, const struct shelter_conf *sc, int64_t now,
    int64_t *id, char **cause)
{
	static const char *const ins = "INSERT INTO alerts (shelter, code,"
	    " status, opened, level, next_at) VALUES (?, ?, 'open', ?, 1, ?)";
	sqlite3_stmt	*st;
	struct amsg	 m;
	char		 code[ALERT_CODE_LEN];
	int64_t		*ids;
	size_t		 n, added = 0;
	int		 rc;

	if (alert_code(s, sc->code_digits, now, code, sizeof code) == -1) {
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
	if (amsg_load(s, *id, &m, cause) == -1)
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

int
alert_step(struct shelters *s, int64_t id, int64_t now, char **cause)
{
	static const char *const sql = "SELECT repeats FROM alerts WHERE id = ?";
	static const char *const again = "UPDATE alerts SET repeats = ?2,"
	    " next_at = ?3 WHERE id = ?1";
	static const char *const done = "UPDATE alerts SET exhausted = 1,"
	    " next_at = NULL WHERE id = ?1";
	const struct shelter_conf	*sc;
	sqlite3_stmt			*st;
	struct amsg			 m;
	char				 tag[32];
	int64_t				 repeats = 0;
	size_t				 added = 0;
	int				 rc;

	if (amsg_load(s, id, &m, cause) == -1)
		return -1;
	st = store_stmt(s->store, sql);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		repeats = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((sc = shelter_conf_find(s, m.shelter)) == NULL) {
		log_warnx("shelter unconfigured shelter=%s alert=%lld: its "
		    "escalation stops", m.shelter, (long long)id);
		rc = alert_exec(s, done, id, 0, NULL, cause);
	} else if (m.level == 1 && *sc->escalate_to != '\0') {
		rc = alert_escalate(s, sc, &m, now, &added, cause);
		log_info("shelter alert_escalated alert=%lld notified=%zu",
		    (long long)id, added);
	} else if (sc->repeat > 0 && repeats < sc->repeat_max) {
		snprintf(tag, sizeof tag, "r%lld", (long long)repeats + 1);
		rc = alert_tell(s, &m, "alert", tag, 0, now, cause);
		if (rc == 0)
			rc = alert_exec(s, again, id, 2, (int64_t[]){
			    repeats + 1, alert_next(sc, now) },
			    cause);
		log_info("shelter alert_repeated alert=%lld repeat=%lld",
		    (long long)id, (long long)repeats + 1);
	} else {
		rc = alert_coordinators(s, &m, "alert_nobody", now, cause);
		if (rc == 0)
			rc = alert_exec(s, done, id, 0, NULL, cause);
		log_warnx("shelter nobody_answered shelter=%s alert=%lld",
		    m.shelter, (long long)id);
	}
	amsg_free(&m);
	return rc;
}

int
alert_close(struct shelters *s, int64_t id, const char *why,
    enum alert_tell tell, int64_t now, char **cause)
{
	static const char *const sql = "UPDATE alerts SET status = CASE"
	    " status WHEN 'open' THEN 'closed' ELSE status END,"
	    " closed_at = ?2, close_cause = ?3, next_at = NULL WHERE id = ?1";
	static const char *const who =
	    "SELECT claimed_by FROM alerts WHERE id = ?";
	sqlite3_stmt	*st;
	struct amsg	 m;
	int64_t		 claimer = 0;
	int		 rc = 0;

	if (id == 0)
		return 0;
	st = store_stmt(s->store, who);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		claimer = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (tell != TELL_NOBODY && amsg_load(s, id, &m, cause) == 0) {
		if (tell == TELL_ALL)
			rc = alert_tell(s, &m, "alert_closed", NULL, 0, now,
			    cause);
		else if (claimer != 0)
			rc = alert_send(s, &m, "alert_closed", NULL, claimer,
			    ALERT_BOTH, now, cause);
		amsg_free(&m);
	}
	st = store_stmt(s->store, sql);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, why, -1, SQLITE_STATIC);
	if (rc == 0)
		rc = store_exec_stmt(s->store, st, cause);
	else
		sqlite3_reset(st);
	return rc;
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

/* The channels a claimer hears back on: the one they used. */
static unsigned
alert_via_mask(const char *via)
{
	if (via != NULL && strcmp(via, "sms") == 0)
		return ALERT_SMS;
	if (via != NULL && strcmp(via, "link") == 0)
		return ALERT_EMAIL;
	return ALERT_BOTH;
}

/*
 * A claim on an alert that is no longer open: the claimer, when an alerted
 * person, is told "déjà pris" on the channel they used (once: the key).
 */
static int
alert_late(struct shelters *s, struct amsg *m, const struct sactor *who,
    int64_t now, struct error *err)
{
	char	*cause = NULL;

	if (who->person != 0 && strcmp(who->via, "cli") != 0 &&
	    alert_recipient(s, m->id, who->person) &&
	    alert_send(s, m, "alert_late", NULL, who->person,
	    alert_via_mask(who->via), now, &cause) == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", cause);
		free(cause);
		return -1;
	}
	log_info("shelter claim_late alert=%lld via=%s", (long long)m->id,
	    who->via);
	error_set(err, ERR_CONFLICT, "code", "déjà pris : l'alerte %s "
	    "est %s", m->code, strcmp(m->status, "claimed") == 0 ?
	    "déjà réservée" : "close, le logement n'est plus disponible");
	return -1;
}

/* Check that who may claim alert m; -1 with err when not. */
static int
alert_claimer_ok(struct shelters *s, const struct amsg *m,
    const struct sactor *who, struct error *err)
{
	if (strcmp(who->via, "cli") != 0) {
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

/* Queue the confirmation and the "déjà réservé" of a won claim. */
static int
alert_claimed(struct shelters *s, struct amsg *m, const struct sactor *who,
    int64_t now, struct error *err)
{
	static const char *const sql = "UPDATE alerts SET status = 'claimed',"
	    " claimed_by = ?2, claimed_at = ?3, via = ?4, next_at = NULL"
	    " WHERE id = ?1";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	char		*cause = NULL;
	int		 rc;

	sqlite3_bind_int64(st, 1, m->id);
	if (who->person != 0)
		sqlite3_bind_int64(st, 2, who->person);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, who->via, -1, SQLITE_STATIC);
	rc = store_exec_stmt(s->store, st, &cause);
	if (rc == 0 && who->person != 0)
		rc = alert_send(s, m, "alert_confirm", NULL, who->person,
		    alert_via_mask(who->via), now, &cause);
	if (rc == 0)
		rc = alert_tell(s, m, "alert_taken", NULL, who->person, now,
		    &cause);
	if (rc == -1) {
		error_set(err, ERR_INTERNAL, NULL, "%s", cause);
		free(cause);
	}
	return rc;
}

int
alert_claim(struct shelters *s, int64_t id, const struct sactor *who,
    int64_t now, json_t **result, struct error *err)
{
	const struct shelter_conf	*sc;
	struct srow			 row;
	struct amsg			 m;
	char				*cause = NULL;
	int				 rc = -1;

	if (amsg_load(s, id, &m, &cause) == -1) {
		error_set(err, ERR_NOT_FOUND, "code", "%s", cause);
		free(cause);
		return -1;
	}
	if (strcmp(m.status, "open") != 0)
		rc = alert_late(s, &m, who, now, err);
	else if (alert_claimer_ok(s, &m, who, err) == -1)
		;
	else if ((sc = shelter_conf_find(s, m.shelter)) == NULL ||
	    shelter_row(s, m.shelter, &row) == -1 || row.state != SS_VACANT ||
	    row.alert_id != id)
		error_set(err, ERR_CONFLICT, "code", "l'alerte %s ne "
		    "concerne plus un logement libre", m.code);
	else if (shelter_move(s, sc, &row, SC_CLAIM, who, now, err) == 0) {
		m.until = row.reserved_until;
		if ((rc = alert_claimed(s, &m, who, now, err)) == 0) {
			*result = alert_json(s, id);
			log_info("shelter claimed shelter=%s alert=%lld via=%s "
			    "by=%lld", m.shelter, (long long)id, who->via,
			    (long long)who->person);
		}
	}
	amsg_free(&m);
	return rc;
}

/* The people whose phone sent too many wrong codes to alert id. */
static json_t *
alert_locked_json(struct shelters *s, int64_t id)
{
	static const char *const sql = "SELECT person_id FROM alert_recipients"
	    " WHERE alert_id = ? AND bad_tries >= ? ORDER BY person_id";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	int64_t		*ids;
	size_t		 n, i;

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, ALERT_MAX_BAD_TRIES);
	n = store_ids(st, &ids);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, shelter_person(s, ids[i]));
	free(ids);
	return arr;
}

json_t *
alert_json(struct shelters *s, int64_t id)
{
	static const char *const sql = "SELECT shelter, code, status, opened,"
	    " level, repeats, next_at, exhausted, claimed_by, claimed_at, via,"
	    " closed_at, (SELECT count(*) FROM alert_recipients r"
	    "  WHERE r.alert_id = a.id) FROM alerts a WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*o = NULL;
	char		 b[4][RECUR_FMT_LEN];
	int		 i;

	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return json_null();
	}
	for (i = 0; i < 4; i++)
		shelter_local(s, sqlite3_column_int64(st, (int[]){ 3, 6, 9,
		    11 }[i]), b[i], sizeof b[i]);
	o = json_pack("{sI ss ss ss ss si sI so sb sI so so so so}", "id",
	    (json_int_t)id, "shelter", (const char *)sqlite3_column_text(st,
	    0), "code", (const char *)sqlite3_column_text(st, 1), "status",
	    (const char *)sqlite3_column_text(st, 2),
	    "opened", b[0], "level", sqlite3_column_int(st, 4), "repeats",
	    (json_int_t)sqlite3_column_int64(st, 5), "next",
	    sqlite3_column_type(st, 6) == SQLITE_NULL ? json_null() :
	    json_string(b[1]), "exhausted", sqlite3_column_int(st, 7),
	    "notified", (json_int_t)sqlite3_column_int64(st, 12),
	    "claimed_by", sqlite3_column_type(st, 8) == SQLITE_NULL ?
	    json_null() : shelter_person(s, sqlite3_column_int64(st, 8)),
	    "claimed_at", sqlite3_column_type(st, 9) == SQLITE_NULL ?
	    json_null() : json_string(b[2]), "via", sqlite3_column_type(st,
	    10) == SQLITE_NULL ? json_null() : json_string((const char *)
	    sqlite3_column_text(st, 10)), "closed", sqlite3_column_type(st,
	    11) == SQLITE_NULL ? json_null() : json_string(b[3]));
	sqlite3_reset(st);
	json_object_set_new(o, "locked", alert_locked_json(s, id));
	return o;
}

int
alert_is_open(struct shelters *s, int64_t id, char *code, size_t len)
{
	static const char *const sql =
	    "SELECT code, status = 'open' FROM alerts WHERE id = ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int		 open = 0;

	*code = '\0';
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		util_strlcpy(code, (const char *)sqlite3_column_text(st, 0),
		    len);
		open = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return open;
}

int64_t
alert_by_code(struct shelters *s, const char *code, int64_t *person)
{
	static const char *const sql = "SELECT id, 0, status = 'open', opened"
	    " FROM alerts WHERE code = ?1 UNION ALL"
	    " SELECT a.id, r.person_id, a.status = 'open', a.opened"
	    " FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id"
	    " WHERE r.code = ?1 ORDER BY 3 DESC, 4 DESC, 1 DESC LIMIT 1";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 id = 0;

	*person = 0;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		*person = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return id;
}

json_t *
alert_list(struct shelters *s, int64_t limit)
{
	static const char *const sql =
	    "SELECT id FROM alerts ORDER BY opened DESC, id DESC LIMIT ?";
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	json_t		*arr = json_array();
	int64_t		*ids;
	size_t		 n, i;

	/* the ids first: alert_json() runs statements of its own */
	sqlite3_bind_int64(st, 1, limit);
	n = store_ids(st, &ids);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, alert_json(s, ids[i]));
	free(ids);
	return arr;
}
