/*
 * claim.c: SMS replies to the shelter alerts.
 *
 * A reply claims an alert only when it carries the code of the very phone
 * it comes from: each person alerted has a code of their own, and the
 * sender is found by the keyed MAC of their number (alert_recipients.
 * phone_mac), never by the code.  So a code guessed from another phone
 * claims nothing, and the phone of an alerted person has ALERT_MAX_BAD_TRIES
 * wrong codes per alert before its replies are refused for the rest of that
 * alert (the coordinators are told, once).  A number no alert went to is
 * never answered; an alerted person whose reply is not understood gets one
 * short SMS saying how to answer, once per alert (the outbox key).
 *
 * Replies are read as people type them: "OK 123456", "ok123456.",
 * "Ok 123456 merci", "123456", "oui 123456", "ja 123456".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "chan.h"
#include "contact.h"
#include "crypt.h"
#include "log.h"
#include "shelter.h"
#include "shelter_int.h"
#include "store.h"
#include "util.h"

#define CLAIM_RECENT	(7 * 86400)	/* a late reply is still recognised */
#define CLAIM_ROWS	16		/* alerts of one phone looked at */

/* Words that say yes before a code, in the four languages, folded to
 * lower-case ASCII ("oké" is "oke" once its accent is dropped). */
static const char *const claim_yes[] = {
	"ok", "okay", "oke", "okey", "oui", "ja", "jawel", "yes", "yep",
	"akkoord", "d'accord", "daccord", "si",
};

/* One alert the sender's phone was alerted for. */
struct crow {
	int64_t		 alert;
	int64_t		 person;
	char		 code[ALERT_CODE_LEN];
	int64_t		 bad_tries;
	int		 open;
};

/*
 * Skip a yes-word at the start of t (case folded; "oké" as "oke"), with
 * the spaces and punctuation after it.  The rest.
 */
static const char *
claim_skip_yes(const char *t)
{
	char	 word[16];
	size_t	 n = 0, i, k;

	for (i = 0; t[i] != '\0' && n < sizeof word - 1; i += k) {
		k = 1;
		if (isalpha((unsigned char)t[i]) || t[i] == '\'')
			word[n++] = (char)tolower((unsigned char)t[i]);
		else if (strncmp(t + i, "\xc3\xa9", 2) == 0 ||
		    strncmp(t + i, "\xc3\x89", 2) == 0) {
			word[n++] = 'e';	/* é É */
			k = 2;
		} else
			break;
	}
	word[n] = '\0';
	for (k = 0; k < sizeof claim_yes / sizeof claim_yes[0]; k++)
		if (strcmp(word, claim_yes[k]) == 0)
			return t + i + strspn(t + i, " \t,.:;!-");
	return t;
}

/*
 * Read a reply: the code it gives (4 to 8 digits, in one run, or in groups
 * of 2 to 4 digits separated by single spaces as "123 456"), after an
 * optional yes-word and before words without digits.  0 with code set, or
 * -1: not understood.
 */
int
claim_parse(const char *text, char *code, size_t len)
{
	const char	*p = text;
	size_t		 n = 0, group, groups = 0, shortest = 8, longest = 0;

	p += strspn(p, " \t\r\n");
	p = claim_skip_yes(p);
	while (isdigit((unsigned char)*p)) {
		for (group = 0; isdigit((unsigned char)*p); group++) {
			if (n + 1 >= len || n == 8)
				return -1;
			code[n++] = *p++;
		}
		groups++;
		shortest = group < shortest ? group : shortest;
		longest = group > longest ? group : longest;
		if (*p == ' ' && isdigit((unsigned char)p[1]))
			p++;
	}
	code[n] = '\0';
	if (n < 4 || (groups > 1 && (shortest < 2 || longest > 4)))
		return -1;
	for (; *p != '\0'; p++)
		if (isdigit((unsigned char)*p))
			return -1;	/* two numbers: which one? */
	return 0;
}

/*
 * The alerts (open, or recent) whose recipient has the phone of mac, open
 * ones first, newest first.  How many went into rows.
 */
static size_t
claim_rows(struct shelters *s, const uint8_t *mac, int64_t now,
    struct crow *rows)
{
	static const char *const sql = "SELECT r.alert_id, r.person_id,"
	    " coalesce(r.code, a.code), r.bad_tries, a.status = '" ALERT_OPEN
	    "' FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id"
	    " WHERE r.phone_mac = ? AND (a.status = '" ALERT_OPEN "'"
	    " OR a.opened > ?) ORDER BY 5 DESC, a.opened DESC, a.id DESC"
	    " LIMIT ?";
	enum { COL_ALERT, COL_PERSON, COL_CODE, COL_BAD_TRIES, COL_OPEN };
	sqlite3_stmt	*st = store_stmt(s->store, sql);
	size_t		 n = 0;

	sqlite3_bind_blob(st, 1, mac, CRYPT_MAC_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now - CLAIM_RECENT);
	sqlite3_bind_int(st, 3, CLAIM_ROWS);
	while (n < CLAIM_ROWS && sqlite3_step(st) == SQLITE_ROW) {
		rows[n].alert = sqlite3_column_int64(st, COL_ALERT);
		rows[n].person = sqlite3_column_int64(st, COL_PERSON);
		util_strlcpy(rows[n].code, (const char *)sqlite3_column_text(st,
		    COL_CODE), sizeof rows[n].code);
		rows[n].bad_tries = sqlite3_column_int64(st, COL_BAD_TRIES);
		rows[n].open = sqlite3_column_int(st, COL_OPEN);
		n++;
	}
	sqlite3_reset(st);
	return n;
}

/* Whether code is row's, compared in constant time. */
static int
claim_code_is(const struct crow *row, const char *code)
{
	char	 a[ALERT_CODE_LEN], b[ALERT_CODE_LEN];

	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	util_strlcpy(a, row->code, sizeof a);
	util_strlcpy(b, code, sizeof b);
	return sodium_memcmp(a, b, sizeof a) == 0;
}

/* The row of the n rows whose code is code; NULL when none is. */
static const struct crow *
claim_match(const struct crow *rows, size_t n, const char *code)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (claim_code_is(&rows[i], code))
			return &rows[i];
	return NULL;
}

/* Claim row's alert for its person, as an SMS reply. */
static void
claim_by_sms(struct shelters *s, const struct crow *row)
{
	struct error	 err = { 0, NULL, NULL };
	struct sactor		 who;
	json_t			*result = NULL;

	memset(&who, 0, sizeof who);
	who.person = row->person;
	snprintf(who.text, sizeof who.text, "person:%lld",
	    (long long)row->person);
	who.via = VIA_SMS;
	if (shelter_claim_txn(s, row->alert, &who, &result, &err) == -1 &&
	    err.kind != ERR_CONFLICT)
		log_warnx("inbound sms_claim_failed alert=%lld error=\"%s\"",
		    (long long)row->alert, LOG_QUOTE(err.message));
	json_decref(result);
	error_clear(&err);
}

/*
 * Count a wrong code against row's phone, in the caller's transaction: the
 * last allowed one locks it (*locked) and tells the coordinators.
 */
static int
claim_bad_try(struct shelters *s, const struct crow *row, int64_t now,
    int *locked, char **cause)
{
	static const char *const bump = "UPDATE alert_recipients"
	    " SET bad_tries = bad_tries + 1 WHERE alert_id = ? AND person_id = ?";
	sqlite3_stmt	*st = store_stmt(s->store, bump);

	sqlite3_bind_int64(st, 1, row->alert);
	sqlite3_bind_int64(st, 2, row->person);
	if (store_exec_stmt(s->store, st, cause) == -1)
		return -1;
	if (!(*locked = row->bad_tries + 1 >= ALERT_MAX_BAD_TRIES))
		return 0;
	return alert_notify(s, row->alert, "alert_locked", 0, CHAN_ALL, now,
	    cause);
}

/* Say what claim_unclear() did. */
static void
claim_unclear_log(const struct crow *row, int wrong_code, int locked)
{
	if (locked)
		log_warnx("shelter sms_locked alert=%lld person=%lld "
		    "wrong_codes=%d hint=\"its replies are refused until the "
		    "next alert\"", (long long)row->alert, (long long)row->person,
		    ALERT_MAX_BAD_TRIES);
	else
		log_info("inbound sms_unclear alert=%lld person=%lld "
		    "reason=%s", (long long)row->alert, (long long)row->person,
		    wrong_code ? "wrong_code" : "not_a_claim");
}

/*
 * A reply that claims nothing from an alerted phone, about its newest open
 * alert row: a wrong code counts against the phone; the person is told,
 * once, how to answer.  In its own transaction.
 */
static void
claim_unclear(struct shelters *s, const struct crow *row, int wrong_code)
{
	int64_t		 now = util_now();
	char		*cause = NULL, actor[AUDIT_ACTOR_MAX];
	int		 rc = 0, locked = 0;

	if (store_begin(s->store, &cause) == -1)
		goto fail;
	if (wrong_code)
		rc = claim_bad_try(s, row, now, &locked, &cause);
	if (rc == 0)
		rc = alert_notify(s, row->alert, "alert_unclear", row->person,
		    CHAN_BIT(CHAN_SMS), now, &cause);
	if (rc == 0 && locked) {
		snprintf(actor, sizeof actor, "sms:%lld",
		    (long long)row->person);
		rc = audit_record_as(s->store, actor, "alert.sms_locked",
		    "alert", row->alert, &cause);
	}
	if (rc == -1 || store_commit(s->store, &cause) == -1) {
		store_rollback(s->store);
		goto fail;
	}
	claim_unclear_log(row, wrong_code, locked);
	if (s->queued != NULL)
		s->queued(s->arg);
	return;
fail:
	log_warnx("inbound sms_unclear_failed alert=%lld error=\"%s\"",
	    (long long)row->alert, LOG_QUOTE(cause));
	free(cause);
}

/*
 * A sender's number as E.164: as the gateway gives it ("+32470...",
 * "0032470...", a national "0470..."), or international digits without
 * their "+" ("32470...").  0 or -1.
 */
static int
claim_e164(const char *from, char *out, size_t len)
{
	char	 plus[40], *cause = NULL;
	int	 rc;

	if (from == NULL || strlen(from) > 32)
		return -1;
	if ((rc = contact_phone_normalize(from, out, len, &cause)) == -1 &&
	    isdigit((unsigned char)from[0]) && from[0] != '0') {
		free(cause);
		cause = NULL;
		snprintf(plus, sizeof plus, "+%s", from);
		rc = contact_phone_normalize(plus, out, len, &cause);
	}
	free(cause);
	return rc;
}

void
shelter_sms(struct shelters *s, const char *from, const char *text)
{
	struct crow		 rows[CLAIM_ROWS];
	const struct crow	*row;
	uint8_t			 mac[CRYPT_MAC_BYTES];
	char			 e164[32], code[ALERT_CODE_LEN];
	size_t			 n;
	int			 understood;

	if (claim_e164(from, e164, sizeof e164) == -1) {
		log_info("inbound sms_ignored reason=bad_sender");
		return;
	}
	alert_phone_mac(s, e164, mac);
	sodium_memzero(e164, sizeof e164);
	if ((n = claim_rows(s, mac, util_now(), rows)) == 0) {
		/* never answered: it may be anyone */
		log_info("inbound sms_ignored reason=unknown_sender");
		return;
	}
	understood = text != NULL && claim_parse(text, code,
	    sizeof code) == 0;
	row = understood ? claim_match(rows, n, code) : NULL;
	sodium_memzero(code, sizeof code);
	if (row != NULL && row->open && row->bad_tries >= ALERT_MAX_BAD_TRIES)
		/* locked out: even the right code */
		log_info("inbound sms_refused reason=locked alert=%lld",
		    (long long)row->alert);
	else if (row != NULL)
		claim_by_sms(s, row);
	else if (!rows[0].open)
		log_info("inbound sms_ignored reason=no_open_alert");
	else if (rows[0].bad_tries >= ALERT_MAX_BAD_TRIES)
		log_info("inbound sms_refused reason=locked alert=%lld",
		    (long long)rows[0].alert);
	else
		claim_unclear(s, &rows[0], understood);
}
