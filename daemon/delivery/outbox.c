/*
 * outbox.c: the durable message queue over the outbox table.
 *
 * A row is inserted with INSERT OR IGNORE on its unique key; only a new row
 * gets its payload, sealed under the recipient's data key and bound to the
 * row id, so that a copied database reveals no message text.  Once the
 * message is settled its payload is only kept for `outbox list
 * --show-body`, and erased after [privacy] keep_bodies (retention.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypt.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "utf8.h"
#include "util.h"

static const char *const outbox_statuses[] = {
	"pending", "sent", "failed", "cancelled", "delivered", "undelivered",
	NULL
};

/*
 * The status a list shows: a sent SMS with its handset's report is
 * "delivered" or "undelivered" (dlr.h), anything else its row's status.
 */
#define OUTBOX_SHOWN \
	"CASE WHEN status = 'sent' AND dlr IS NOT NULL THEN dlr ELSE status END"

/*
 * When a settled row settled, in UTC seconds (outbox.h): its sending, else
 * the time its last attempt was due.
 */
#define OUTBOX_SETTLED \
	"coalesce(CAST(strftime('%s', sent) AS INTEGER), not_before)"

/* Bind an int64 that is 0 as NULL. */
static void
outbox_bind_opt(sqlite3_stmt *stmt, int col, int64_t v, int present)
{
	if (present)
		sqlite3_bind_int64(stmt, col, v);
	else
		sqlite3_bind_null(stmt, col);
}

/* The check of what is queued (outbox_set_check), or NULL. */
static outbox_check_fn	 outbox_check;
static void		*outbox_check_arg;

void
outbox_set_check(outbox_check_fn fn, void *arg)
{
	outbox_check = fn;
	outbox_check_arg = arg;
}

/* Who hears of settled messages (outbox_set_settled), or NULL. */
static outbox_settled_fn	 outbox_settled_cb;
static void			*outbox_settled_arg;

void
outbox_set_settled(outbox_settled_fn fn, void *arg)
{
	outbox_settled_cb = fn;
	outbox_settled_arg = arg;
}

void
outbox_settled(void)
{
	if (outbox_settled_cb != NULL)
		outbox_settled_cb(outbox_settled_arg);
}

/* Refuse row id as it is queued: failed, with why, never sent. */
static int
outbox_refuse(struct store *st, const struct outbox_msg *m, int64_t id,
    const char *why, char **cause)
{
	static const char *const sql = "UPDATE outbox SET status = 'failed',"
	    " last_error = ?2 WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		*text;
	int		 rc;

	xasprintf(&text, "refused when queued: %s", why);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, text, -1, SQLITE_TRANSIENT);
	rc = store_exec_stmt(st, stmt, cause);
	log_warnx("outbox refused id=%lld kind=%s channel=%s reason=\"%s\"",
	    (long long)id, m->kind, m->channel, LOG_QUOTE(why));
	free(text);
	outbox_settled();	/* failed: its payload's time runs */
	return rc;
}

/*
 * Seal the payload of m into new row id under dk, then let the check refuse
 * it (outbox_set_check).  0 or -1 with *cause.
 */
static int
outbox_seal(struct store *st, const struct crypt_key *dk,
    const struct outbox_msg *m, int64_t id, char **cause)
{
	static const char *const sql =
	    "UPDATE outbox SET payload = ?2 WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	uint8_t		*ct;
	size_t		 ctlen;
	char		*why = NULL;
	int		 rc;

	crypt_seal(dk, "outbox", "payload", id, m->payload,
	    strlen(m->payload), &ct, &ctlen);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_blob(stmt, 2, ct, (int)ctlen, SQLITE_STATIC);
	rc = store_exec_stmt(st, stmt, cause);
	free(ct);
	if (rc == 0 && outbox_check != NULL &&
	    outbox_check(outbox_check_arg, m, &why) == -1) {
		rc = outbox_refuse(st, m, id, why, cause);
		free(why);
	}
	return rc;
}

int
outbox_enqueue(struct store *st, const struct crypt_key *dk,
    const struct outbox_msg *m, int *inserted, char **cause)
{
	static const char *const sql = "INSERT OR IGNORE INTO outbox (key,"
	    " kind, person_id, channel, urgent, created, not_before, event_id,"
	    " occurrence, remind_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		 now[32];

	sqlite3_bind_text(stmt, 1, m->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, m->person_id);
	sqlite3_bind_text(stmt, 4, m->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, m->urgent);
	sqlite3_bind_text(stmt, 6, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 7, m->not_before);
	outbox_bind_opt(stmt, 8, m->event_id, m->event_id != 0);
	outbox_bind_opt(stmt, 9, m->occurrence, m->event_id != 0);
	outbox_bind_opt(stmt, 10, m->offset, m->event_id != 0);
	if (store_exec_stmt(st, stmt, cause) == -1)
		return -1;
	if (inserted != NULL)
		*inserted = store_changes(st) == 1;
	if (store_changes(st) != 1 || m->payload == NULL)
		return 0;
	return outbox_seal(st, dk, m, store_last_id(st), cause);
}

int
outbox_cancel_event(struct store *st, int64_t event_id, int *n, char **cause)
{
	static const char *const sql = "UPDATE outbox SET status = 'cancelled'"
	    " WHERE event_id = ? AND status = 'pending'";
	sqlite3_stmt	*stmt = store_stmt(st, sql);

	sqlite3_bind_int64(stmt, 1, event_id);
	if (store_exec_stmt(st, stmt, cause) == -1)
		return -1;
	if (n != NULL)
		*n = store_changes(st);
	if (store_changes(st) > 0)
		outbox_settled();
	return 0;
}

int
outbox_take_back(struct store *st, int64_t event_id, int64_t *earliest,
    char **cause)
{
	static const char *const sel = "SELECT min(occurrence - remind_offset)"
	    " FROM outbox WHERE event_id = ? AND status = 'pending'";
	static const char *const del = "DELETE FROM outbox"
	    " WHERE event_id = ? AND status = 'pending'";
	sqlite3_stmt	*stmt = store_stmt(st, sel);

	*earliest = -1;
	sqlite3_bind_int64(stmt, 1, event_id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*earliest = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	stmt = store_stmt(st, del);
	sqlite3_bind_int64(stmt, 1, event_id);
	return store_exec_stmt(st, stmt, cause);
}

/* UTC seconds as a JSON "YYYY-MM-DDTHH:MM:SSZ". */
static json_t *
outbox_utc(int64_t secs)
{
	char	 buf[32];

	return json_string(util_utc_format(secs, buf, sizeof buf));
}

/* Set o's key to a text column, or null. */
static void
outbox_text_col(json_t *o, const char *key, sqlite3_stmt *stmt, int col)
{
	const unsigned char	*s = sqlite3_column_text(stmt, col);

	json_object_set_new(o, key, s ? json_string((const char *)s) :
	    json_null());
}

/* A nullable integer column. */
static json_t *
outbox_int_col(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(stmt, col));
}

/* outbox_list's query: its columns in the order of enum outbox_col. */
static const char *const outbox_list_sql = "SELECT id, key, kind, person_id,"
    " channel, urgent, " OUTBOX_SHOWN ", created, not_before, attempts,"
    " event_id, occurrence, remind_offset, last_error, reply, sent,"
    " payload IS NULL AND status <> 'pending', dlr_at FROM outbox"
    " WHERE ?1 IS NULL OR " OUTBOX_SHOWN " = ?1 ORDER BY id DESC LIMIT ?2";
enum outbox_col {
	OCOL_ID, OCOL_KEY, OCOL_KIND, OCOL_PERSON, OCOL_CHANNEL, OCOL_URGENT,
	OCOL_STATUS, OCOL_CREATED, OCOL_NOT_BEFORE, OCOL_ATTEMPTS, OCOL_EVENT,
	OCOL_OCCURRENCE, OCOL_OFFSET, OCOL_ERROR, OCOL_REPLY, OCOL_SENT,
	OCOL_ERASED, OCOL_DLR_AT
};

/* The current row of outbox_list's query as a JSON object. */
static json_t *
outbox_row(sqlite3_stmt *stmt)
{
	json_t	*o;

	o = json_pack("{sI ss ss sI ss sb ss ss so sI so so so}",
	    "id", (json_int_t)sqlite3_column_int64(stmt, OCOL_ID),
	    "key", (const char *)sqlite3_column_text(stmt, OCOL_KEY),
	    "kind", (const char *)sqlite3_column_text(stmt, OCOL_KIND),
	    "person", (json_int_t)sqlite3_column_int64(stmt, OCOL_PERSON),
	    "channel", (const char *)sqlite3_column_text(stmt, OCOL_CHANNEL),
	    "urgent", sqlite3_column_int(stmt, OCOL_URGENT),
	    "status", (const char *)sqlite3_column_text(stmt, OCOL_STATUS),
	    "created", (const char *)sqlite3_column_text(stmt, OCOL_CREATED),
	    "not_before", outbox_utc(sqlite3_column_int64(stmt,
	    OCOL_NOT_BEFORE)),
	    "attempts", (json_int_t)sqlite3_column_int64(stmt, OCOL_ATTEMPTS),
	    "event", outbox_int_col(stmt, OCOL_EVENT),
	    "occurrence", sqlite3_column_type(stmt, OCOL_OCCURRENCE) ==
	    SQLITE_NULL ? json_null() : outbox_utc(sqlite3_column_int64(stmt,
	    OCOL_OCCURRENCE)),
	    "offset", outbox_int_col(stmt, OCOL_OFFSET));
	outbox_text_col(o, "error", stmt, OCOL_ERROR);
	outbox_text_col(o, "reply", stmt, OCOL_REPLY);
	outbox_text_col(o, "sent", stmt, OCOL_SENT);
	json_object_set_new(o, "erased", json_boolean(sqlite3_column_int(stmt,
	    OCOL_ERASED)));
	json_object_set_new(o, "dlr_at", sqlite3_column_type(stmt,
	    OCOL_DLR_AT) == SQLITE_NULL ? json_null() :
	    outbox_utc(sqlite3_column_int64(stmt, OCOL_DLR_AT)));
	return o;
}

/* Whether status is one of outbox_statuses. */
static int
outbox_status_ok(const char *status)
{
	size_t	 i;

	for (i = 0; outbox_statuses[i] != NULL; i++)
		if (strcmp(outbox_statuses[i], status) == 0)
			return 1;
	return 0;
}

json_t *
outbox_list(struct store *st, const char *status, int64_t limit,
    struct error *err)
{
	sqlite3_stmt	*stmt;
	json_t		*arr;
	char		 list[64];

	if (status != NULL && !outbox_status_ok(status)) {
		error_set(err, ERR_INVALID, "status", "état inconnu "
		    "« %s » : %s", UTF8_CUT(status, 32),
		    util_join(list, sizeof list, outbox_statuses));
		return NULL;
	}
	stmt = store_stmt(st, outbox_list_sql);
	if (status != NULL)
		sqlite3_bind_text(stmt, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, limit);
	arr = json_array();
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(arr, outbox_row(stmt));
	sqlite3_reset(stmt);
	return arr;
}

int
outbox_retry(struct store *st, int64_t id, struct error *err)
{
	static const char *const sel = "SELECT status, payload IS NULL"
	    " FROM outbox WHERE id = ?";
	static const char *const upd = "UPDATE outbox SET status = 'pending',"
	    " not_before = ?2, retried = ?2, attempts = 0, last_error = NULL"
	    " WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(st, sel);
	char		 status[16] = "", *cause = NULL;
	int		 erased = 0;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		util_strlcpy(status, (const char *)sqlite3_column_text(stmt, 0),
		    sizeof status);
		erased = sqlite3_column_int(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (*status == '\0') {
		error_set(err, ERR_NOT_FOUND, "id", "aucun message n'a le "
		    "numéro %lld", (long long)id);
		return -1;
	}
	if (strcmp(status, "sent") == 0 || strcmp(status, "cancelled") == 0) {
		error_set(err, ERR_CONFLICT, "id", "le message %lld est "
		    "%s : rien à renvoyer", (long long)id, strcmp(status,
		    "sent") == 0 ? "déjà envoyé" : "annulé");
		return -1;
	}
	if (erased) {
		error_set(err, ERR_CONFLICT, "id", "le message %lld n'a plus de "
		    "contenu : il a été effacé, comme tout message envoyé ou en "
		    "échec, après le délai de [privacy] keep_bodies ; rien à "
		    "renvoyer", (long long)id);
		return -1;
	}
	stmt = store_stmt(st, upd);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, util_now());
	if (store_exec_stmt(st, stmt, &cause) == 0)
		return 0;
	return error_take(err, ERR_INTERNAL, NULL, cause);
}

json_t *
outbox_counts(struct store *st)
{
	/* delivered and undelivered: of the sent, those with a report */
	static const char *const sql = "SELECT status, count(*) FROM outbox"
	    " GROUP BY status UNION ALL SELECT dlr, count(*) FROM outbox"
	    " WHERE status = 'sent' AND dlr IS NOT NULL GROUP BY dlr";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	json_t		*o = json_object();
	size_t		 i;

	for (i = 0; outbox_statuses[i] != NULL; i++)
		json_object_set_new(o, outbox_statuses[i], json_integer(0));
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_object_set_new(o, (const char *)sqlite3_column_text(stmt,
		    0), json_integer(sqlite3_column_int64(stmt, 1)));
	sqlite3_reset(stmt);
	return o;
}

int
outbox_erase_bodies(struct store *st, int64_t keep, int64_t now, int *n,
    char **cause)
{
	static const char *const sql = "UPDATE outbox SET payload = NULL"
	    " WHERE payload IS NOT NULL AND status <> 'pending'"
	    " AND " OUTBOX_SETTLED " <= ?1";
	sqlite3_stmt	*stmt;

	*n = 0;
	if (store_begin(st, cause) == -1)
		return -1;
	stmt = store_stmt(st, sql);
	sqlite3_bind_int64(stmt, 1, now - keep);
	if (store_exec_stmt(st, stmt, cause) == -1) {
		store_rollback(st);
		return -1;
	}
	*n = store_changes(st);
	return store_commit(st, cause);
}

int64_t
outbox_next_erasure(struct store *st, int64_t keep)
{
	static const char *const sql = "SELECT min(" OUTBOX_SETTLED ")"
	    " FROM outbox WHERE payload IS NOT NULL AND status <> 'pending'";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 next = -1;

	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		next = sqlite3_column_int64(stmt, 0) + keep;
	sqlite3_reset(stmt);
	return next;
}

int
outbox_forget_person(struct store *st, int64_t person, int *n, char **cause)
{
	static const char *const cancel = "UPDATE outbox SET"
	    " status = 'cancelled', last_error = 'recipient erased'"
	    " WHERE person_id = ? AND status = 'pending'";
	static const char *const erase = "UPDATE outbox SET payload = NULL"
	    " WHERE person_id = ? AND payload IS NOT NULL";
	sqlite3_stmt	*stmt = store_stmt(st, cancel);

	*n = 0;
	sqlite3_bind_int64(stmt, 1, person);
	if (store_exec_stmt(st, stmt, cause) == -1)
		return -1;
	stmt = store_stmt(st, erase);
	sqlite3_bind_int64(stmt, 1, person);
	if (store_exec_stmt(st, stmt, cause) == -1)
		return -1;
	*n = store_changes(st);
	return 0;
}

int64_t
outbox_person(struct store *st, int64_t id)
{
	static const char *const sql =
	    "SELECT person_id FROM outbox WHERE id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int64_t		 person = -1;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		person = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return person;
}
