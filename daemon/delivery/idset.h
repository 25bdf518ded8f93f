/*
 * idset.h: a set of row ids (int64, never 0), for the dispatcher's rows
 * taken from the outbox: open addressing with linear probing, grown so that
 * it is never more than half full.  The struct is embedded by its owner and
 * starts zeroed (the empty set); idset_clear() frees what it holds.
 */
#ifndef STOPPVIF_IDSET_H
#define STOPPVIF_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	int64_t		*slot;		/* 0 is an empty slot */
	size_t		 size;		/* a power of two, or 0 */
	size_t		 n;		/* how many ids it holds */
};

/* Whether id is in the set. */
int		 idset_has(const struct idset *, int64_t id);
/* Add id (ids are ≥ 1); adding one that is there changes nothing. */
void		 idset_add(struct idset *, int64_t id);
/* Remove id, if it is there. */
void		 idset_del(struct idset *, int64_t id);
/* Empty the set and free its slots. */
void		 idset_clear(struct idset *);

#endif
