/*
 * audit.c: the audit log table.
 */
#include <stdlib.h>

#include "audit.h"
#include "store.h"
#include "util.h"

int
audit_record(struct store *st, uid_t uid, const char *action,
    const char *object, int64_t object_id, char **cause)
{
	static const char *const sql = "INSERT INTO audit"
	    " (at, uid, action, object, object_id) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	char		 now[32];

	sqlite3_bind_text(stmt, 1, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, (int64_t)uid);
	sqlite3_bind_text(stmt, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, object, -1, SQLITE_STATIC);
	if (object_id > 0)
		sqlite3_bind_int64(stmt, 5, object_id);
	return store_exec_stmt(st, stmt, cause);
}

/* audit_list's query: its columns in the order of enum audit_col. */
static const char *const audit_list_sql = "SELECT id, at, uid, action,"
    " object, object_id FROM audit ORDER BY id DESC LIMIT ?";
enum audit_col {
	ACOL_ID, ACOL_AT, ACOL_UID, ACOL_ACTION, ACOL_OBJECT, ACOL_OBJECT_ID
};

json_t *
audit_list(struct store *st, int64_t limit)
{
	sqlite3_stmt	*stmt = store_stmt(st, audit_list_sql);
	json_t		*arr = json_array(), *id;

	sqlite3_bind_int64(stmt, 1, limit);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		if (sqlite3_column_type(stmt, ACOL_OBJECT_ID) == SQLITE_NULL)
			id = json_null();
		else
			id = json_integer(sqlite3_column_int64(stmt,
			    ACOL_OBJECT_ID));
		json_array_append_new(arr, json_pack("{sI ss sI ss ss so}",
		    "id", (json_int_t)sqlite3_column_int64(stmt, ACOL_ID),
		    "at", (const char *)sqlite3_column_text(stmt, ACOL_AT),
		    "uid", (json_int_t)sqlite3_column_int64(stmt, ACOL_UID),
		    "action", (const char *)sqlite3_column_text(stmt,
		    ACOL_ACTION),
		    "object", (const char *)sqlite3_column_text(stmt,
		    ACOL_OBJECT),
		    "object_id", id));
	}
	sqlite3_reset(stmt);
	return arr;
}
