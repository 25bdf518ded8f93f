/*
 * calendar_seal.c: an event's place and description, sealed at rest.
 *
 * Titles stay clear: the scheduler reads them at every plan, and the phone
 * guard already keeps what phones show of them neutral.  A place ("Maison
 * de quartier, rue ...") and a description can say more about who meets
 * where, so they are sealed like contact fields (crypt.h): under the
 * master key, XChaCha20-Poly1305, bound to ("events", column, event id),
 * so that a value moved to another row or column does not open.
 *
 * A database written before sealing holds these columns as TEXT; at start
 * calendar_seal_old() seals every such row in one transaction.  Readers
 * take a BLOB as sealed and TEXT as such a row not yet sealed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "calendar_int.h"
#include "crypt.h"
#include "log.h"
#include "store.h"
#include "util.h"

static const char *const sql_seal = "UPDATE events SET location = ?2,"
    " description = ?3 WHERE id = ?1";
static const char *const sql_clear = "SELECT id FROM events"
    " WHERE typeof(location) = 'text' OR typeof(description) = 'text'";
static const char *const sql_row = "SELECT location, description"
    " FROM events WHERE id = ?";

/* Bind text (NULL: null) to param of stmt, sealed for column of id. */
static void
cal_seal_bind(const struct calendar *cal, sqlite3_stmt *stmt, int param,
    int64_t id, const char *column, const char *text)
{
	uint8_t	*ct;
	size_t	 ctlen;

	if (text == NULL) {
		sqlite3_bind_null(stmt, param);
		return;
	}
	crypt_seal(cal->master, "events", column, id, text, strlen(text), &ct,
	    &ctlen);
	sqlite3_bind_blob(stmt, param, ct, (int)ctlen, free);
}

/*
 * Write the place and the description of event id, sealed, inside the
 * caller's transaction.  0 or -1 with *cause set.
 */
int
calendar_seal_write(struct calendar *cal, int64_t id, const char *location,
    const char *description, char **cause)
{
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql_seal);

	sqlite3_bind_int64(stmt, 1, id);
	cal_seal_bind(cal, stmt, 2, id, "location", location);
	cal_seal_bind(cal, stmt, 3, id, "description", description);
	return store_exec_stmt(cal->store, stmt, cause);
}

/*
 * Column col of the current row of stmt, of event id: the opened text (a
 * new string), the text of a row not yet sealed, or NULL when null.  A
 * value that does not open (moved from another row, damaged) is logged
 * and read as NULL: the event stays usable, without its place.
 */
char *
calendar_seal_read(const struct calendar *cal, sqlite3_stmt *stmt, int col,
    int64_t id, const char *column)
{
	uint8_t	*pt;
	size_t	 ptlen;
	char	*cause = NULL, *s;

	switch (sqlite3_column_type(stmt, col)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_TEXT:
		return xstrdup((const char *)sqlite3_column_text(stmt, col));
	default:
		break;
	}
	if (crypt_open(cal->master, "events", column, id,
	    sqlite3_column_blob(stmt, col), (size_t)sqlite3_column_bytes(stmt,
	    col), &pt, &ptlen, &cause) == -1) {
		log_warnx("calendar unreadable event=%lld field=%s error=\"%s\"",
		    (long long)id, column, cause);
		free(cause);
		return NULL;
	}
	s = xstrndup((const char *)pt, ptlen);
	sodium_memzero(pt, ptlen);
	free(pt);
	return s;
}

/* Seal event id's place and description, read clear. */
static int
cal_seal_row(struct calendar *cal, int64_t id, char **cause)
{
	sqlite3_stmt	*stmt = store_stmt(cal->store, sql_row);
	char		*loc = NULL, *desc = NULL;
	int		 rc = 0;

	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		loc = calendar_seal_read(cal, stmt, 0, id, "location");
		desc = calendar_seal_read(cal, stmt, 1, id, "description");
	}
	sqlite3_reset(stmt);
	rc = calendar_seal_write(cal, id, loc, desc, cause);
	free(loc);
	free(desc);
	return rc;
}

/*
 * Seal the places and descriptions that a daemon from before sealing left
 * clear, in one transaction; logs how many.  0 or -1 with *cause set.
 */
int
calendar_seal_old(struct calendar *cal, char **cause)
{
	int64_t		*ids;
	size_t		 n, i;
	int		 rc = 0;

	if ((n = store_ids(store_stmt(cal->store, sql_clear), &ids)) == 0)
		return 0;
	if (store_begin(cal->store, cause) == -1) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = cal_seal_row(cal, ids[i], cause);
	free(ids);
	if (rc == -1 || store_commit(cal->store, cause) == -1) {
		store_rollback(cal->store);
		return -1;
	}
	log_info("calendar sealed events=%zu fields=location,description", n);
	return 0;
}
