/*
 * oncall.h: the on-call rota.  A slot says that a person is on call from one
 * instant to another (the end excluded); slots may overlap, and everyone on
 * call at a moment is alerted.  Times are given and shown as local times of
 * the daemon's zone; they are kept as UTC seconds.  Writing functions run
 * inside the caller's transaction.
 */
#ifndef STOPPVIF_ONCALL_H
#define STOPPVIF_ONCALL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct store;
struct crypt_key;
struct tz;

/*
 * Add the slot of req {"person": ID, "from": LOCAL, "to": LOCAL} (LOCAL:
 * "YYYY-MM-DDTHH:MM[:SS]" in zone); *id is the new slot's.  0, or -1 with
 * err naming the field.
 */
int	 oncall_add(struct store *, const struct tz *zone, json_t *req,
	    int64_t *id, struct error *err);
/* Remove slot id.  0, or -1 with err. */
int	 oncall_remove(struct store *, int64_t id, struct error *err);
/*
 * The slots covering instant t (UTC seconds), by start, as a JSON array of
 * {"id", "person", "name", "from", "to"} (new reference), or NULL with err.
 */
json_t	*oncall_at(struct store *, const struct crypt_key *master,
	    const struct tz *zone, int64_t t, struct error *err);
/* The same for the slots overlapping [from, to) (UTC seconds), a week of
 * the rota. */
json_t	*oncall_range(struct store *, const struct crypt_key *master,
	    const struct tz *zone, int64_t from, int64_t to,
	    struct error *err);
/*
 * The people (not removed) on call at t, ascending and each once, in *ids
 * (a new array, free() it; NULL when none).  Returns how many.
 */
size_t	 oncall_people(struct store *, int64_t t, int64_t **ids);
/* A local time of zone given in field, as UTC seconds; -1 with err. */
int	 oncall_local(const struct tz *zone, const char *field,
	    const char *local, int64_t *utc, struct error *err);

#endif
