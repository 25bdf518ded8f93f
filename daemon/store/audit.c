/*
 * audit.c: the audit log's entries: who made them, in which transaction,
 * and the listing.  The chain that makes them trustworthy is
 * audit_chain.c's.
 */
#include <sys/types.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_int.h"
#include "store.h"
#include "util.h"

/*
 * The name of uid into buf: its user name, or "uid:N" when it has none, or
 * one too long, with a byte that is not printable ASCII (the client shows
 * it as it is) or with a colon (it could pass for "sms:12").
 */
static const char *
audit_user(uid_t uid, char *buf, size_t len)
{
	struct passwd	 pw, *res = NULL;
	char		 tmp[1024];
	const char	*p;

	if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &res) == 0 && res != NULL &&
	    *pw.pw_name != '\0' && strlen(pw.pw_name) < len &&
	    strlen(pw.pw_name) <= 32) {
		for (p = pw.pw_name; *p > ' ' && *p < 0x7f && *p != ':'; p++)
			;
		if (*p == '\0') {
			snprintf(buf, len, "%s", pw.pw_name);
			return buf;
		}
	}
	snprintf(buf, len, "uid:%u", (unsigned)uid);
	return buf;
}

/* Append the entry in the caller's transaction, or in one of its own. */
static int
audit_add(struct store *st, const char *actor, const uid_t *uid,
    const char *action, const char *object, int64_t object_id, char **cause)
{
	if (store_in_txn(st))
		return audit_chain_add(st, actor, uid, action, object,
		    object_id, cause);
	if (store_begin(st, cause) == -1)
		return -1;
	if (audit_chain_add(st, actor, uid, action, object, object_id,
	    cause) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, cause);
}

int
audit_record(struct store *st, uid_t uid, const char *action,
    const char *object, int64_t object_id, char **cause)
{
	char	 actor[AUDIT_ACTOR_MAX];

	return audit_add(st, audit_user(uid, actor, sizeof actor), &uid,
	    action, object, object_id, cause);
}

int
audit_record_as(struct store *st, const char *actor, const char *action,
    const char *object, int64_t object_id, char **cause)
{
	return audit_add(st, actor, NULL, action, object, object_id, cause);
}

/* audit_list's query: its columns in the order of enum audit_col. */
static const char *const audit_list_sql = "SELECT id, at, actor, uid,"
    " action, object, object_id FROM audit ORDER BY id DESC LIMIT ?";
enum audit_col {
	ACOL_ID, ACOL_AT, ACOL_ACTOR, ACOL_UID, ACOL_ACTION, ACOL_OBJECT,
	ACOL_OBJECT_ID
};

/* A column that may be NULL as a JSON integer or null. */
static json_t *
audit_int_col(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(stmt, col));
}

/* A text column as a JSON string; bytes that are not UTF-8 (written from
 * outside the daemon) as U+FFFD, so that the listing never fails. */
static json_t *
audit_text_col(sqlite3_stmt *stmt, int col)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);
	json_t		*v;

	if (s == NULL)
		return json_string("");
	if ((v = json_stringn(s, sqlite3_column_bytes(stmt, col))) != NULL)
		return v;
	return json_string("\xef\xbf\xbd");
}

json_t *
audit_list(struct store *st, int64_t limit)
{
	sqlite3_stmt	*stmt = store_stmt(st, audit_list_sql);
	json_t		*arr = json_array();

	sqlite3_bind_int64(stmt, 1, limit);
	while (sqlite3_step(stmt) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{sI so so so so so so}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, ACOL_ID),
		    "at", audit_text_col(stmt, ACOL_AT),
		    "actor", audit_text_col(stmt, ACOL_ACTOR),
		    "uid", audit_int_col(stmt, ACOL_UID),
		    "action", audit_text_col(stmt, ACOL_ACTION),
		    "object", audit_text_col(stmt, ACOL_OBJECT),
		    "object_id", audit_int_col(stmt, ACOL_OBJECT_ID)));
	sqlite3_reset(stmt);
	return arr;
}
