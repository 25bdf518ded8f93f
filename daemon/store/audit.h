/*
 * audit.h: the audit log.  Every change made through the API, every claim
 * from outside and every read that opens contact data or a message body is
 * recorded, in the transaction of what it records: when, who (the caller's
 * user name, "uid:N" when it has none, "sms:<person id>" or
 * "link:<person id>" for a claim from outside), the action and the object's
 * id.  Never contact data.
 *
 * Each row carries a MAC chained to the previous row's, under a key derived
 * from the master key: a row edited, deleted, moved or added without the key
 * breaks the chain at that row (audit_verify).  Rows older than [privacy]
 * keep_audit are pruned in order, the chain then starting from the last
 * pruned row's MAC (audit_chain.c).
 */
#ifndef STOPPVIF_AUDIT_H
#define STOPPVIF_AUDIT_H

#include <sys/types.h>
#include <stdint.h>

#include <jansson.h>

struct config;
struct crypt_key;
struct store;

/* The room an actor takes: a user name of 32 bytes, "link:" and an id. */
#define AUDIT_ACTOR_MAX	64

/*
 * Start the audit log on st, once before any audit_record(): keep master
 * and conf (both owned by the caller, which outlives the log; conf may be
 * NULL: nothing is pruned), chain the rows written before the chain existed
 * (logged), prune what keep_audit no longer keeps, and check the whole
 * chain: a broken chain is logged as an error, naming its first broken row,
 * and the daemon runs on.  0, or -1 with *cause when the database fails.
 */
int	 audit_start(struct store *st, const struct crypt_key *master,
	    struct config **conf, char **cause);

/* Record one entry by uid, named by its user name ("uid:N" without one),
 * in the caller's transaction, or in one of its own when there is none.
 * 0 or -1 with *cause. */
int	 audit_record(struct store *, uid_t uid, const char *action,
	    const char *object, int64_t object_id, char **cause);
/* The same by actor, a name given by the caller ("sms:12"). */
int	 audit_record_as(struct store *, const char *actor,
	    const char *action, const char *object, int64_t object_id,
	    char **cause);

/* The newest limit entries, newest first, as a JSON array (new reference). */
json_t	*audit_list(struct store *, int64_t limit);

/*
 * Check the whole chain (a new JSON object):
 *	{"ok": true, "entries": N, "first": id|null, "last": id|null,
 *	 "pruned_to": id}
 * or, when broken, with the first broken row's id (null when the damage is
 * not in a row: the chain's ends) and what is wrong, in French:
 *	{"ok": false, "id": id|null, "reason": "...", "broken": [id, ...],
 *	 "entries": N, "pruned_to": id}
 * NULL with *cause when the database cannot be read.
 */
json_t	*audit_verify(struct store *, char **cause);

#endif
