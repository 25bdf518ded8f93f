/*
 * audit_chain.c: the audit log's MAC chain, its pruning and its check.
 *
 * A row's MAC is a keyed BLAKE2b, under crypt_key_derive(master,
 * "auditlog"), of the row's canonical encoding followed by the previous
 * row's MAC:
 *
 *	"stoppvif audit v1" 0x00 | id | at | actor | uid | action | object |
 *	object_id | previous MAC (32 bytes)
 *
 * where an id is 8 bytes big-endian, a text its length (4 bytes BE) then
 * its bytes, and a number that may be NULL (uid, object_id) one byte (0
 * NULL, 1 set) then 8 bytes BE.  The first row's previous MAC is 32 zero
 * bytes or, once rows are pruned, the last pruned row's MAC.  This is a
 * storage format: change it only with a new version string.
 *
 * audit_chain's one row holds the chain's ends: the last pruned row (id and
 * MAC: the anchor) and the last row written (the tip), sealed by a MAC of
 * the four under the same key ("stoppvif audit seal v1" ...).  A new row is
 * chained to the sealed tip, not to the last row found, so rows cut off the
 * end stay missing; the seal shows the end cut off and rows cut off the
 * start passed for pruned ones.  Without the key, an edit, a deletion, a
 * move or an added row breaks the chain at that row.
 *
 * What the chain cannot show: a database put back whole from an older copy,
 * and one made to look as if never chained (every MAC and the seal set to
 * NULL): the next start chains it again and logs "audit chained", which
 * the system log keeps apart from the database.
 *
 * The daemon never seals again ends whose seal it cannot check: after
 * tampering, entries are still chained and recorded, nothing is pruned, and
 * the check keeps reporting the damage.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "audit_int.h"
#include "config.h"
#include "crypt.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define AUDIT_PURPOSE		"auditlog"	/* crypt_key_derive: 8 chars */
#define AUDIT_ROW_TAG		"stoppvif audit v1"
#define AUDIT_SEAL_TAG		"stoppvif audit seal v1"
#define AUDIT_MAC		32
#define AUDIT_PRUNE_BATCH	256	/* rows pruned at most by one entry */
#define AUDIT_CHAIN_BATCH	512	/* old rows chained at a time */
#define AUDIT_PROBLEMS_MAX	100	/* problems listed by a check */

/* What audit_start() was given. */
static struct {
	const struct crypt_key	*master;
	struct config		**conf;
	int			 prune_warned;
	int			 ends_warned;
} audit_env;

/* The columns of a row, in the order of enum arow_col. */
#define AUDIT_COLS	"id, at, actor, uid, action, object, object_id, mac"
enum arow_col {
	RC_ID, RC_AT, RC_ACTOR, RC_UID, RC_ACTION, RC_OBJECT, RC_OID, RC_MAC
};
/* The texts of a row, in the order they are encoded after the id. */
enum { RT_AT, RT_ACTOR, RT_ACTION, RT_OBJECT, RT_COUNT };

/* A row of the audit table (texts and MAC point into the statement). */
struct arow {
	int64_t		 id;
	const char	*text[RT_COUNT];
	size_t		 textlen[RT_COUNT];
	int		 has_uid, has_oid;
	int64_t		 uid, oid;
	const uint8_t	*mac;		/* NULL when none or not AUDIT_MAC */
};

/* The chain's ends, as audit_chain holds them. */
struct aends {
	int		 present;	/* the row exists */
	int		 chained;	/* its seal is not NULL */
	int		 sealed;	/* its seal is right */
	int64_t		 pruned_id, tip_id;
	uint8_t		 pruned_mac[AUDIT_MAC], tip_mac[AUDIT_MAC];
	uint8_t		*seal;		/* as stored, kept when not right */
	size_t		 seal_len;
};

/* A growing buffer, for encodings. */
struct abuf {
	uint8_t		*p;
	size_t		 len, cap;
};

static const char *const sql_ends = "SELECT pruned_id, pruned_mac, tip_id,"
    " tip_mac, seal FROM audit_chain WHERE one = 1";
static const char *const sql_ends_set = "INSERT OR REPLACE INTO audit_chain"
    " (one, pruned_id, pruned_mac, tip_id, tip_mac, seal)"
    " VALUES (1, ?1, ?2, ?3, ?4, ?5)";
static const char *const sql_rows_after = "SELECT " AUDIT_COLS
    " FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2";

static void
abuf_put(struct abuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
abuf_u64(struct abuf *b, uint64_t v)
{
	uint8_t	 x[8];
	int	 i;

	for (i = 7; i >= 0; i--, v >>= 8)
		x[i] = v & 0xff;
	abuf_put(b, x, sizeof x);
}

static void
abuf_text(struct abuf *b, const char *s, size_t n)
{
	uint8_t	 x[4] = { n >> 24 & 0xff, n >> 16 & 0xff, n >> 8 & 0xff,
		    n & 0xff };

	abuf_put(b, x, sizeof x);
	abuf_put(b, s, n);
}

/* A number that may be NULL. */
static void
abuf_opt(struct abuf *b, int set, int64_t v)
{
	uint8_t	 flag = set ? 1 : 0;

	abuf_put(b, &flag, 1);
	abuf_u64(b, set ? (uint64_t)v : 0);
}

/* The MAC of row r after the MAC prev, into out (b is scratch). */
static void
audit_row_mac(const struct crypt_key *key, const struct arow *r,
    const uint8_t *prev, struct abuf *b, uint8_t *out)
{
	b->len = 0;
	abuf_put(b, AUDIT_ROW_TAG, sizeof AUDIT_ROW_TAG);	/* with its NUL */
	abuf_u64(b, (uint64_t)r->id);
	abuf_text(b, r->text[RT_AT], r->textlen[RT_AT]);
	abuf_text(b, r->text[RT_ACTOR], r->textlen[RT_ACTOR]);
	abuf_opt(b, r->has_uid, r->uid);
	abuf_text(b, r->text[RT_ACTION], r->textlen[RT_ACTION]);
	abuf_text(b, r->text[RT_OBJECT], r->textlen[RT_OBJECT]);
	abuf_opt(b, r->has_oid, r->oid);
	abuf_put(b, prev, AUDIT_MAC);
	crypt_keyed_hash(key, b->p, b->len, out, AUDIT_MAC);
}

/* Whether the stored MAC of r is the one computed after prev. */
static int
audit_row_ok(const struct crypt_key *key, const struct arow *r,
    const uint8_t *prev, struct abuf *b)
{
	uint8_t	 mac[AUDIT_MAC];

	if (r->mac == NULL)
		return 0;
	audit_row_mac(key, r, prev, b, mac);
	return sodium_memcmp(mac, r->mac, AUDIT_MAC) == 0;
}

/* A text column of the current row ("" for NULL, which the schema
 * refuses anyway). */
static void
arow_text(sqlite3_stmt *stmt, int col, struct arow *r, int t)
{
	const char	*s = (const char *)sqlite3_column_text(stmt, col);

	r->text[t] = s != NULL ? s : "";
	r->textlen[t] = s != NULL ? (size_t)sqlite3_column_bytes(stmt, col) : 0;
}

/* The current row of a query of AUDIT_COLS. */
static void
arow_read(sqlite3_stmt *stmt, struct arow *r)
{
	r->id = sqlite3_column_int64(stmt, RC_ID);
	arow_text(stmt, RC_AT, r, RT_AT);
	arow_text(stmt, RC_ACTOR, r, RT_ACTOR);
	arow_text(stmt, RC_ACTION, r, RT_ACTION);
	arow_text(stmt, RC_OBJECT, r, RT_OBJECT);
	r->has_uid = sqlite3_column_type(stmt, RC_UID) != SQLITE_NULL;
	r->uid = sqlite3_column_int64(stmt, RC_UID);
	r->has_oid = sqlite3_column_type(stmt, RC_OID) != SQLITE_NULL;
	r->oid = sqlite3_column_int64(stmt, RC_OID);
	r->mac = sqlite3_column_blob(stmt, RC_MAC);
	if (sqlite3_column_bytes(stmt, RC_MAC) != AUDIT_MAC)
		r->mac = NULL;
}

/* The seal of the ends e, into out. */
static void
audit_seal(const struct crypt_key *key, const struct aends *e, uint8_t *out)
{
	struct abuf	 b = { NULL, 0, 0 };

	abuf_put(&b, AUDIT_SEAL_TAG, sizeof AUDIT_SEAL_TAG);
	abuf_u64(&b, (uint64_t)e->pruned_id);
	abuf_put(&b, e->pruned_mac, AUDIT_MAC);
	abuf_u64(&b, (uint64_t)e->tip_id);
	abuf_put(&b, e->tip_mac, AUDIT_MAC);
	crypt_keyed_hash(key, b.p, b.len, out, AUDIT_MAC);
	free(b.p);
}

/* A MAC column of audit_chain into out: NULL reads as zeros (nothing
 * yet); 0, or -1 when it is not a MAC. */
static int
audit_ends_mac(sqlite3_stmt *stmt, int col, uint8_t *out)
{
	const void	*p = sqlite3_column_blob(stmt, col);

	memset(out, 0, AUDIT_MAC);
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return 0;
	if (p == NULL || sqlite3_column_bytes(stmt, col) != AUDIT_MAC)
		return -1;
	memcpy(out, p, AUDIT_MAC);
	return 0;
}

static void
audit_ends_clear(struct aends *e)
{
	free(e->seal);
	e->seal = NULL;
}

/* Read the chain's ends into e and check their seal; 0 or -1 with *cause
 * when the database fails. */
static int
audit_ends_load(struct store *st, const struct crypt_key *key,
    struct aends *e, char **cause)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql_ends);
	uint8_t		 want[AUDIT_MAC];
	int		 rc, bad;

	memset(e, 0, sizeof *e);
	if ((rc = sqlite3_step(stmt)) == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		store_cause(st, "audit_ends", cause);
		sqlite3_reset(stmt);
		return -1;
	}
	e->present = 1;
	e->pruned_id = sqlite3_column_int64(stmt, 0);
	e->tip_id = sqlite3_column_int64(stmt, 2);
	bad = audit_ends_mac(stmt, 1, e->pruned_mac) == -1;
	if (audit_ends_mac(stmt, 3, e->tip_mac) == -1)
		bad = 1;
	if ((e->chained = sqlite3_column_type(stmt, 4) != SQLITE_NULL)) {
		e->seal_len = sqlite3_column_bytes(stmt, 4);
		e->seal = xmalloc(e->seal_len + 1);
		if (e->seal_len > 0)
			memcpy(e->seal, sqlite3_column_blob(stmt, 4),
			    e->seal_len);
	}
	sqlite3_reset(stmt);
	if (e->chained && !bad && e->seal_len == AUDIT_MAC) {
		audit_seal(key, e, want);
		e->sealed = sodium_memcmp(want, e->seal, AUDIT_MAC) == 0;
	}
	return 0;
}

/* Write the ends e: sealed again when their seal was right, else with
 * the seal they had (one zero byte when none), which stays wrong. */
static int
audit_ends_save(struct store *st, const struct crypt_key *key,
    const struct aends *e, char **cause)
{
	sqlite3_stmt	*stmt = store_stmt(st, sql_ends_set);
	uint8_t		 seal[AUDIT_MAC];
	static const uint8_t	 none = 0;

	sqlite3_bind_int64(stmt, 1, e->pruned_id);
	sqlite3_bind_blob(stmt, 2, e->pruned_mac, AUDIT_MAC, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, e->tip_id);
	sqlite3_bind_blob(stmt, 4, e->tip_mac, AUDIT_MAC, SQLITE_STATIC);
	if (e->sealed) {
		audit_seal(key, e, seal);
		sqlite3_bind_blob(stmt, 5, seal, AUDIT_MAC, SQLITE_TRANSIENT);
	} else if (e->seal != NULL && e->seal_len > 0)
		sqlite3_bind_blob(stmt, 5, e->seal, e->seal_len,
		    SQLITE_STATIC);
	else
		sqlite3_bind_blob(stmt, 5, &none, 1, SQLITE_STATIC);
	return store_exec_stmt(st, stmt, cause);
}

/* ---- pruning ---- */

/*
 * Up to max of the oldest rows older than keep_audit go, in order, each
 * checked first: the anchor moves to the last one pruned.  A row that does
 * not check stops it (logged once): what it would hide stays.  Only ends
 * whose seal is right are pruned from.  Returns how many, or -1 with
 * *cause.
 */
static int
audit_prune(struct store *st, const struct crypt_key *key, struct aends *e,
    int max, char **cause)
{
	static const char *const sql_del = "DELETE FROM audit"
	    " WHERE id > ?1 AND id <= ?2";
	sqlite3_stmt	*stmt;
	struct arow	 r;
	struct abuf	 b = { NULL, 0, 0 };
	char		 cutoff[32];
	uint8_t		 mac[AUDIT_MAC];
	int64_t		 last = e->pruned_id;
	int		 n = 0, broken = 0;

	if (audit_env.conf == NULL || !e->sealed)
		return 0;
	memset(&r, 0, sizeof r);
	util_utc_format(util_now() - (*audit_env.conf)->keep_audit, cutoff,
	    sizeof cutoff);
	memcpy(mac, e->pruned_mac, AUDIT_MAC);
	stmt = store_stmt(st, sql_rows_after);
	sqlite3_bind_int64(stmt, 1, e->pruned_id);
	sqlite3_bind_int(stmt, 2, max);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		arow_read(stmt, &r);
		if (r.id > e->tip_id || strcmp(r.text[RT_AT], cutoff) >= 0)
			break;
		if (!audit_row_ok(key, &r, mac, &b)) {
			broken = 1;
			break;
		}
		memcpy(mac, r.mac, AUDIT_MAC);
		last = r.id;
		n++;
	}
	sqlite3_reset(stmt);
	free(b.p);
	if (broken && !audit_env.prune_warned++)
		log_warnx("audit prune_stopped id=%lld hint=\"this entry does "
		    "not check, older ones are kept (stoppvifctl audit "
		    "verify)\"",
		    (long long)r.id);
	if (n == 0)
		return 0;
	stmt = store_stmt(st, sql_del);
	sqlite3_bind_int64(stmt, 1, e->pruned_id);
	sqlite3_bind_int64(stmt, 2, last);
	if (store_exec_stmt(st, stmt, cause) == -1)
		return -1;
	e->pruned_id = last;
	memcpy(e->pruned_mac, mac, AUDIT_MAC);
	return n;
}

/* ---- appending ---- */

/* Insert the row r (its id set here), chained after prev; its MAC into
 * mac.  0 or -1 with *cause. */
static int
audit_insert(struct store *st, const struct crypt_key *key, struct arow *r,
    const uint8_t *prev, uint8_t *mac, char **cause)
{
	static const char *const sql_ins = "INSERT INTO audit"
	    " (at, actor, uid, action, object, object_id)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char *const sql_mac = "UPDATE audit SET mac = ?2"
	    " WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(st, sql_ins);
	struct abuf	 b = { NULL, 0, 0 };

	sqlite3_bind_text(stmt, 1, r->text[RT_AT], -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, r->text[RT_ACTOR], -1, SQLITE_STATIC);
	if (r->has_uid)
		sqlite3_bind_int64(stmt, 3, r->uid);
	sqlite3_bind_text(stmt, 4, r->text[RT_ACTION], -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, r->text[RT_OBJECT], -1, SQLITE_STATIC);
	if (r->has_oid)
		sqlite3_bind_int64(stmt, 6, r->oid);
	if (store_exec_stmt(st, stmt, cause) == -1)
		return -1;
	r->id = store_last_id(st);
	audit_row_mac(key, r, prev, &b, mac);
	free(b.p);
	stmt = store_stmt(st, sql_mac);
	sqlite3_bind_int64(stmt, 1, r->id);
	sqlite3_bind_blob(stmt, 2, mac, AUDIT_MAC, SQLITE_STATIC);
	return store_exec_stmt(st, stmt, cause);
}

int
audit_chain_add(struct store *st, const char *actor, const uid_t *uid,
    const char *action, const char *object, int64_t object_id, char **cause)
{
	struct crypt_key	*key;
	struct aends		 e;
	struct arow		 r;
	char			 now[32];
	uint8_t			 mac[AUDIT_MAC];
	int			 t, rc = -1;

	if (audit_env.master == NULL)
		fatalx("audit not_started");
	memset(&r, 0, sizeof r);
	r.text[RT_AT] = util_utc_now(now, sizeof now);
	r.text[RT_ACTOR] = actor;
	r.text[RT_ACTION] = action;
	r.text[RT_OBJECT] = object;
	for (t = 0; t < RT_COUNT; t++)
		r.textlen[t] = strlen(r.text[t]);
	r.has_uid = uid != NULL;
	r.uid = uid != NULL ? (int64_t)*uid : 0;
	r.has_oid = object_id > 0;
	r.oid = object_id;
	key = crypt_key_derive(audit_env.master, AUDIT_PURPOSE);
	if (audit_ends_load(st, key, &e, cause) == -1)
		goto out;
	if (!e.sealed && !audit_env.ends_warned++)
		log_warnx("audit chain_ends_wrong hint=\"audit_chain was "
		    "changed outside the daemon; entries are still chained, "
		    "nothing is pruned (stoppvifctl audit verify)\"");
	if (audit_insert(st, key, &r, e.tip_mac, mac, cause) == -1)
		goto out;
	e.tip_id = r.id;
	memcpy(e.tip_mac, mac, AUDIT_MAC);
	if (audit_prune(st, key, &e, AUDIT_PRUNE_BATCH, cause) == -1 ||
	    audit_ends_save(st, key, &e, cause) == -1)
		goto out;
	rc = 0;
out:
	audit_ends_clear(&e);
	crypt_key_free(key);
	return rc;
}

/* ---- the check ---- */

/* A check in progress: the problems found, and the walk's place. */
struct acheck {
	json_t		*problems;
	int64_t		 nproblems;
	int64_t		 entries, first, last;
	int64_t		 prev_id;		/* the row before */
	uint8_t		 prev[AUDIT_MAC];	/* its stored MAC */
	int		 prev_unknown;		/* it had none */
};

/* Note a problem at row id (0: not a row). */
static void
acheck_problem(struct acheck *c, int64_t id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
acheck_problem(struct acheck *c, int64_t id, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (c->nproblems++ >= AUDIT_PROBLEMS_MAX)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	json_array_append_new(c->problems, json_pack("{so ss}", "id",
	    id > 0 ? json_integer(id) : json_null(), "reason", msg));
	free(msg);
}

/* Word the MAC of row id that does not follow the row prev_id (0: the
 * start): a gap in the ids says rows were deleted (never reused). */
static void
acheck_broken(struct acheck *c, int64_t id, int64_t prev_id)
{
	char	 after[48];

	if (prev_id > 0)
		snprintf(after, sizeof after, "l'entrée n° %lld",
		    (long long)prev_id);
	else
		snprintf(after, sizeof after, "le début du journal");
	if (id == prev_id + 1)
		acheck_problem(c, id, "entrée modifiée, remplacée ou déplacée "
		    "depuis son écriture (son MAC ne correspond pas)");
	else if (id == prev_id + 2)
		acheck_problem(c, id, "ne suit pas %s : l'entrée n° %lld a été "
		    "supprimée, ou celle-ci a été modifiée", after,
		    (long long)prev_id + 1);
	else
		acheck_problem(c, id, "ne suit pas %s : les entrées n° %lld à "
		    "%lld ont été supprimées, ou celle-ci a été modifiée",
		    after, (long long)prev_id + 1, (long long)id - 1);
}

/*
 * Check one row after the one before it.  The walk goes on from the row's
 * stored MAC, so that the rows after a broken one are checked on their
 * own; a row after one without a MAC cannot be checked (that one is
 * reported).
 */
static void
acheck_row(struct acheck *c, const struct crypt_key *key,
    const struct aends *e, const struct arow *r, struct abuf *b)
{
	if (r->id <= e->pruned_id) {
		acheck_problem(c, r->id, "entrée antérieure au début de la "
		    "chaîne (les entrées jusqu'au n° %lld ont été élaguées) : "
		    "ajoutée hors du démon", (long long)e->pruned_id);
		return;
	}
	if (r->mac == NULL)
		acheck_problem(c, r->id, "entrée sans MAC : ajoutée ou "
		    "modifiée hors du démon (la suivante ne peut donc pas "
		    "être vérifiée)");
	else if (!c->prev_unknown && !audit_row_ok(key, r, c->prev, b))
		acheck_broken(c, r->id, c->prev_id);
	c->prev_unknown = r->mac == NULL;
	if (r->mac != NULL)
		memcpy(c->prev, r->mac, AUDIT_MAC);
	c->prev_id = r->id;
}

/* The chain's ends against the last row found. */
static void
acheck_ends(struct acheck *c, const struct aends *e)
{
	int64_t	 last = c->prev_id;

	if (!e->present) {
		acheck_problem(c, 0, "l'état de la chaîne (table audit_chain) "
		    "a été supprimé hors du démon");
		return;
	}
	if (!e->chained) {
		acheck_problem(c, 0, "le journal n'est pas encore chaîné : "
		    "démarrez le démon, qui le chaîne au démarrage");
		return;
	}
	if (!e->sealed) {
		acheck_problem(c, 0, "l'état de la chaîne (table audit_chain : "
		    "début et fin du journal) a été modifié hors du démon");
		return;
	}
	if (last + 1 == e->tip_id)
		acheck_problem(c, e->tip_id, "l'entrée n° %lld manque : la fin "
		    "du journal a été supprimée", (long long)e->tip_id);
	else if (last < e->tip_id)
		acheck_problem(c, last + 1, "les entrées n° %lld à %lld "
		    "manquent : la fin du journal a été supprimée",
		    (long long)last + 1, (long long)e->tip_id);
	else if (last > e->tip_id)
		acheck_problem(c, e->tip_id + 1, "entrées ajoutées hors du "
		    "démon après la dernière qu'il a écrite (n° %lld)",
		    (long long)e->tip_id);
	else if (c->prev_unknown ||
	    sodium_memcmp(c->prev, e->tip_mac, AUDIT_MAC) != 0)
		acheck_problem(c, last, "la dernière entrée n'est pas celle "
		    "que le démon a écrite");
}

/* Walk every row of the table in order; 0 or -1 with *cause. */
static int
acheck_rows(struct store *st, const struct crypt_key *key,
    const struct aends *e, struct acheck *c, char **cause)
{
	static const char *const sql_all = "SELECT " AUDIT_COLS
	    " FROM audit ORDER BY id";
	sqlite3_stmt	*stmt = store_stmt(st, sql_all);
	struct abuf	 b = { NULL, 0, 0 };
	struct arow	 r;
	int		 rc;

	c->prev_id = e->pruned_id;
	memcpy(c->prev, e->pruned_mac, AUDIT_MAC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		arow_read(stmt, &r);
		if (c->entries++ == 0)
			c->first = r.id;
		c->last = r.id;
		acheck_row(c, key, e, &r, &b);
	}
	free(b.p);
	if (rc != SQLITE_DONE) {
		store_cause(st, "audit_verify", cause);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	acheck_ends(c, e);
	return 0;
}

json_t *
audit_verify(struct store *st, char **cause)
{
	struct crypt_key	*key;
	struct acheck		 c;
	struct aends		 e;
	json_t			*o = NULL, *first;

	if (audit_env.master == NULL)
		fatalx("audit not_started");
	memset(&c, 0, sizeof c);
	c.problems = json_array();
	key = crypt_key_derive(audit_env.master, AUDIT_PURPOSE);
	if (audit_ends_load(st, key, &e, cause) == 0 &&
	    acheck_rows(st, key, &e, &c, cause) == 0) {
		o = json_pack("{sb sI sI}", "ok", c.nproblems == 0,
		    "entries", (json_int_t)c.entries,
		    "pruned_to", (json_int_t)e.pruned_id);
		json_object_set_new(o, "first", c.entries > 0 ?
		    json_integer(c.first) : json_null());
		json_object_set_new(o, "last", c.entries > 0 ?
		    json_integer(c.last) : json_null());
		if ((first = json_array_get(c.problems, 0)) != NULL) {
			json_object_update(o, first);
			json_object_set_new(o, "problem_count",
			    json_integer(c.nproblems));
			json_object_set(o, "problems", c.problems);
		}
	}
	json_decref(c.problems);
	audit_ends_clear(&e);
	crypt_key_free(key);
	return o;
}

/* ---- the start ---- */

/*
 * Chain the rows written before the chain existed (migration 10 left them
 * without a MAC and the seal NULL), in batches, from the start.  Refused
 * when some row already has a MAC: the seal was taken away from outside,
 * and chaining again would hide what was done.  The number chained, or -1
 * with *cause.
 */
static int64_t
audit_chain_old(struct store *st, const struct crypt_key *key,
    struct aends *e, char **cause)
{
	static const char *const sql_has = "SELECT count(*) FROM audit"
	    " WHERE mac IS NOT NULL";
	static const char *const sql_mac = "UPDATE audit SET mac = ?2"
	    " WHERE id = ?1";
	sqlite3_stmt	*stmt = store_stmt(st, sql_has);
	struct abuf	 b = { NULL, 0, 0 };
	struct arow	 r;
	int64_t		 ids[AUDIT_CHAIN_BATCH], n = 0;
	uint8_t		 macs[AUDIT_CHAIN_BATCH][AUDIT_MAC];
	int		 i, k;

	k = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 1;
	sqlite3_reset(stmt);
	if (k != 0) {
		log_warnx("audit chain_unsealed hint=\"audit_chain has no seal "
		    "but entries have MACs; not chained again (stoppvifctl "
		    "audit verify)\"");
		return 0;
	}
	e->tip_id = 0;
	memset(e->tip_mac, 0, AUDIT_MAC);
	do {
		stmt = store_stmt(st, sql_rows_after);
		sqlite3_bind_int64(stmt, 1, e->tip_id);
		sqlite3_bind_int(stmt, 2, AUDIT_CHAIN_BATCH);
		for (k = 0; k < AUDIT_CHAIN_BATCH &&
		    sqlite3_step(stmt) == SQLITE_ROW; k++) {
			arow_read(stmt, &r);
			audit_row_mac(key, &r, k == 0 ? e->tip_mac :
			    macs[k - 1], &b, macs[k]);
			ids[k] = r.id;
		}
		sqlite3_reset(stmt);
		for (i = 0; i < k; i++) {
			stmt = store_stmt(st, sql_mac);
			sqlite3_bind_int64(stmt, 1, ids[i]);
			sqlite3_bind_blob(stmt, 2, macs[i], AUDIT_MAC,
			    SQLITE_STATIC);
			if (store_exec_stmt(st, stmt, cause) == -1) {
				free(b.p);
				return -1;
			}
		}
		if (k > 0) {
			e->tip_id = ids[k - 1];
			memcpy(e->tip_mac, macs[k - 1], AUDIT_MAC);
		}
		n += k;
	} while (k == AUDIT_CHAIN_BATCH);
	free(b.p);
	e->pruned_id = 0;
	memset(e->pruned_mac, 0, AUDIT_MAC);
	e->sealed = 1;
	return n;
}

/* Chain the old rows when the log is not chained yet, and prune; in one
 * transaction.  0 or -1 with *cause. */
static int
audit_start_txn(struct store *st, const struct crypt_key *key, char **cause)
{
	struct aends	 e;
	int64_t		 n = -1;
	int		 k, dirty = 0;

	if (store_begin(st, cause) == -1)
		return -1;
	if (audit_ends_load(st, key, &e, cause) == -1)
		goto fail;
	if (e.present && !e.chained) {
		if ((n = audit_chain_old(st, key, &e, cause)) == -1)
			goto fail;
		dirty = e.sealed;
	}
	while ((k = audit_prune(st, key, &e, AUDIT_PRUNE_BATCH, cause)) > 0)
		dirty = 1;
	if (k == -1 || (dirty && audit_ends_save(st, key, &e, cause) == -1) ||
	    store_commit(st, cause) == -1)
		goto fail;
	if (n > 0 && e.sealed)
		log_info("audit chained entries=%lld note=\"written before "
		    "this version: MACed now as the start of the chain\"",
		    (long long)n);
	audit_ends_clear(&e);
	return 0;
fail:
	store_rollback(st);
	audit_ends_clear(&e);
	return -1;
}

/* Log what a check of the whole chain finds. */
static void
audit_start_check(struct store *st)
{
	json_t	*v;
	char	*cause = NULL;

	if ((v = audit_verify(st, &cause)) == NULL) {
		log_warnx("audit check_failed error=\"%s\"", cause);
		free(cause);
		return;
	}
	if (json_is_true(json_object_get(v, "ok")))
		log_info("audit chain_ok entries=%lld pruned_to=%lld",
		    (long long)json_integer_value(json_object_get(v,
		    "entries")), (long long)json_integer_value(
		    json_object_get(v, "pruned_to")));
	else
		log_warnx("audit chain_broken id=%lld problems=%lld "
		    "reason=\"%s\" hint=\"stoppvifctl audit verify lists "
		    "them\"",
		    (long long)json_integer_value(json_object_get(v, "id")),
		    (long long)json_integer_value(json_object_get(v,
		    "problem_count")), json_string_value(json_object_get(v,
		    "reason")));
	json_decref(v);
}

int
audit_start(struct store *st, const struct crypt_key *master,
    struct config **conf, char **cause)
{
	struct crypt_key	*key;
	int			 rc;

	audit_env.master = master;
	audit_env.conf = conf;
	audit_env.prune_warned = audit_env.ends_warned = 0;
	key = crypt_key_derive(master, AUDIT_PURPOSE);
	rc = audit_start_txn(st, key, cause);
	crypt_key_free(key);
	if (rc == 0)
		audit_start_check(st);
	return rc;
}
