/*
 * audit.h: the audit log.  Every change made through the API is recorded in
 * the transaction that makes it: when, the caller's uid, the action and the
 * object's id.  Never contact data.
 */
#ifndef STOPPVIF_AUDIT_H
#define STOPPVIF_AUDIT_H

#include <sys/types.h>
#include <stdint.h>

#include <jansson.h>

struct store;

/* Record one entry inside the caller's transaction; 0 or -1 with *cause. */
int	 audit_record(struct store *, uid_t uid, const char *action,
	    const char *object, int64_t object_id, char **cause);
/* The newest limit entries, newest first, as a JSON array (new reference). */
json_t	*audit_list(struct store *, int64_t limit);

#endif
