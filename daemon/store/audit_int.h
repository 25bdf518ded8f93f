/*
 * audit_int.h: between the audit log's entries (audit.c) and its chain
 * (audit_chain.c).  Not for other modules: see audit.h.
 */
#ifndef STOPPVIF_AUDIT_INT_H
#define STOPPVIF_AUDIT_INT_H

#include <sys/types.h>
#include <stdint.h>

struct store;

/*
 * Append one row to the chain in the caller's transaction: actor, the
 * caller's uid (NULL from outside), action, object and its id (0: none);
 * then prune what keep_audit no longer keeps.  0 or -1 with *cause.
 */
int	 audit_chain_add(struct store *, const char *actor, const uid_t *uid,
	    const char *action, const char *object, int64_t object_id,
	    char **cause);

#endif
