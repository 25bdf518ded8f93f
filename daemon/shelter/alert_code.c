/*
 * alert_code.c: how a claim names its alert and proves its claimer.
 *
 * An alert has a code of its own (its reference for the control socket and
 * the coordinators) and each person it reached a code of their own; a code
 * is unique among the open alerts and, when it can be, those of the past
 * week.  A reply by SMS is matched to its recipient by a keyed MAC of the
 * phone number, never by opening every number; a link in an email carries
 * a token signed under a key derived from the master key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "shelter_int.h"
#include "store.h"
#include "util.h"

#define ALERT_CODE_TRIES	200
#define ALERT_CODE_QUIET	(7 * 86400)	/* a code is not reused for a week */
#define ALERT_MAC_PURPOSE	"ack-link"
#define ALERT_PHONE_PURPOSE	"phone-ix"	/* alert_recipients.phone_mac */

/*
 * A link token's bytes: its version, then the alert, the person and the
 * expiry (8 bytes each, big-endian), then the MAC of all that.
 */
#define TOKEN_V1	1
enum {
	TOKEN_VERSION = 0,
	TOKEN_ALERT = 1,
	TOKEN_PERSON = TOKEN_ALERT + 8,
	TOKEN_EXPIRY = TOKEN_PERSON + 8,
	TOKEN_MAC = TOKEN_EXPIRY + 8,		/* it signs the bytes before */
	TOKEN_BYTES = TOKEN_MAC + CRYPT_MAC_BYTES
};

int
alert_code_new(struct shelters *s, int digits, int64_t now, char *code,
    size_t len)
{
	static const char *const sql = "SELECT 1 FROM alerts WHERE code = ?1"
	    " AND (status = '" ALERT_OPEN "' OR (?2 AND opened > ?3))"
	    " UNION ALL SELECT 1 FROM alert_recipients r JOIN alerts a"
	    " ON a.id = r.alert_id WHERE r.code = ?1"
	    " AND (a.status = '" ALERT_OPEN "' OR (?2 AND a.opened > ?3))"
	    " LIMIT 1";
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

int64_t
alert_by_code(struct shelters *s, const char *code, int64_t *person)
{
	static const char *const sql = "SELECT id, 0, status = '" ALERT_OPEN
	    "', opened FROM alerts WHERE code = ?1 UNION ALL"
	    " SELECT a.id, r.person_id, a.status = '" ALERT_OPEN "', a.opened"
	    " FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id"
	    " WHERE r.code = ?1 ORDER BY 3 DESC, 4 DESC, 1 DESC LIMIT 1";
	enum { COL_ID, COL_PERSON };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	int64_t		 id = 0;

	*person = 0;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, COL_ID);
		*person = sqlite3_column_int64(st, COL_PERSON);
	}
	sqlite3_reset(st);
	return id;
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

char *
alert_token(struct shelters *s, int64_t alert, int64_t person,
    int64_t expiry)
{
	uint8_t		 raw[TOKEN_BYTES];
	char		*out;
	size_t		 len;

	raw[TOKEN_VERSION] = TOKEN_V1;
	alert_put64(raw + TOKEN_ALERT, alert);
	alert_put64(raw + TOKEN_PERSON, person);
	alert_put64(raw + TOKEN_EXPIRY, expiry);
	crypt_mac(s->master, ALERT_MAC_PURPOSE, raw, TOKEN_MAC,
	    raw + TOKEN_MAC);
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
	uint8_t	 raw[TOKEN_BYTES];
	size_t	 len;

	if (sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL,
	    &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof raw || raw[TOKEN_VERSION] != TOKEN_V1 ||
	    crypt_mac_check(s->master, ALERT_MAC_PURPOSE, raw, TOKEN_MAC,
	    raw + TOKEN_MAC) == -1) {
		util_cause(cause, "bad_token");
		return -1;
	}
	if (alert_get64(raw + TOKEN_EXPIRY) < now) {
		util_cause(cause, "expired_token");
		return -1;
	}
	*alert = alert_get64(raw + TOKEN_ALERT);
	*person = alert_get64(raw + TOKEN_PERSON);
	return 0;
}
