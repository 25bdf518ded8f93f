/*
 * people_feed.c: the calendar feed tokens of the directory (people_feed.h).
 *
 * The token is never stored: a keyed MAC of it is the row's key, as the
 * phone MACs of alerts are, under the master key with a purpose of its own
 * ("cal-feed"), so a feed token cannot be confused with any other MAC.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypt.h"
#include "people.h"
#include "people_feed.h"
#include "store.h"
#include "util.h"

#define FEED_PURPOSE		"cal-feed"	/* 8 characters: crypt_mac */
#define FEED_RANDOM_BYTES	32

/* The MAC of token, the key of its row. */
static void
people_feed_mac(const struct crypt_key *master, const char *token,
    uint8_t *mac)
{
	crypt_mac(master, FEED_PURPOSE, token, strlen(token), mac);
}

/* A new random token (a new string of PEOPLE_FEED_TOKEN_LEN characters). */
static char *
people_feed_random(void)
{
	uint8_t	 raw[FEED_RANDOM_BYTES];
	size_t	 len = sodium_base64_ENCODED_LEN(sizeof raw,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char	*out = xmalloc(len);

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, len, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return out;
}

int
people_feed_new(struct store *st, const struct crypt_key *master, int64_t id,
    char **token, struct error *err)
{
	static const char *const sql = "INSERT OR REPLACE INTO person_feeds"
	    " (person_id, token_hash, created) VALUES (?1, ?2, ?3)";
	sqlite3_stmt	*stmt;
	uint8_t		 mac[CRYPT_MAC_BYTES];
	char		 now[32], *cause = NULL;

	*token = NULL;
	if (!people_exists(st, id)) {
		error_set(err, ERR_NOT_FOUND, "id", "aucune personne n'a le "
		    "numéro %lld", (long long)id);
		return -1;
	}
	*token = people_feed_random();
	people_feed_mac(master, *token, mac);
	stmt = store_stmt(st, sql);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_blob(stmt, 2, mac, sizeof mac, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, util_utc_now(now, sizeof now), -1,
	    SQLITE_TRANSIENT);
	if (store_exec_stmt(st, stmt, &cause) == 0)
		return 0;
	free(*token);
	*token = NULL;
	return error_take(err, ERR_INTERNAL, NULL, cause);
}

int
people_feed_created(struct store *st, int64_t id, char *created, size_t len)
{
	static const char *const sql = "SELECT created FROM person_feeds"
	    " WHERE person_id = ?";
	sqlite3_stmt	*stmt = store_stmt(st, sql);
	int		 rc;

	*created = '\0';
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		util_strlcpy(created, (const char *)sqlite3_column_text(stmt,
		    0), len);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int64_t
people_feed_person(struct store *st, const struct crypt_key *master,
    const char *token)
{
	static const char *const sql = "SELECT f.person_id FROM person_feeds f"
	    " JOIN people p ON p.id = f.person_id"
	    " WHERE f.token_hash = ?1 AND p.removed IS NULL";
	sqlite3_stmt	*stmt;
	uint8_t		 mac[CRYPT_MAC_BYTES];
	int64_t		 id = 0;
	int		 rc;

	if (strlen(token) != PEOPLE_FEED_TOKEN_LEN)
		return 0;
	people_feed_mac(master, token, mac);
	stmt = store_stmt(st, sql);
	sqlite3_bind_blob(stmt, 1, mac, sizeof mac, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE)
		id = -1;
	sqlite3_reset(stmt);
	return id;
}
