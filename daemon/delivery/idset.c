/*
 * idset.c: a set of row ids (idset.h).
 *
 * Open addressing with linear probing on a multiplicative hash; a removal
 * shifts back the entries that probed past the freed slot, so that no
 * tombstone is ever needed and a lookup stops at the first empty slot.
 */
#include <stdlib.h>

#include "idset.h"
#include "util.h"

#define IDSET_MIN	256	/* slots of the first allocation */

/* The home slot of id. */
static size_t
idset_pos(const struct idset *s, int64_t id)
{
	uint64_t	 h = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (s->size - 1);
}

/* The slot after i, wrapping around. */
static size_t
idset_next(const struct idset *s, size_t i)
{
	return (i + 1) & (s->size - 1);
}

int
idset_has(const struct idset *s, int64_t id)
{
	size_t	 i;

	if (s->size == 0)
		return 0;
	for (i = idset_pos(s, id); s->slot[i] != 0; i = idset_next(s, i))
		if (s->slot[i] == id)
			return 1;
	return 0;
}

/* Double the slots (or make the first ones), placing every id again. */
static void
idset_grow(struct idset *s)
{
	struct idset	 big;
	size_t		 i;

	big.size = s->size ? 2 * s->size : IDSET_MIN;
	big.slot = xcalloc(big.size, sizeof *big.slot);
	big.n = 0;
	for (i = 0; i < s->size; i++)
		if (s->slot[i] != 0)
			idset_add(&big, s->slot[i]);
	free(s->slot);
	*s = big;
}

void
idset_add(struct idset *s, int64_t id)
{
	size_t	 i;

	if (2 * (s->n + 1) > s->size)
		idset_grow(s);
	for (i = idset_pos(s, id); s->slot[i] != 0; i = idset_next(s, i))
		if (s->slot[i] == id)
			return;
	s->slot[i] = id;
	s->n++;
}

void
idset_del(struct idset *s, int64_t id)
{
	size_t	 i, j, home;

	if (s->size == 0)
		return;
	for (i = idset_pos(s, id); s->slot[i] != id; i = idset_next(s, i))
		if (s->slot[i] == 0)
			return;
	s->n--;
	for (j = i;;) {
		s->slot[i] = 0;
		for (;;) {
			j = idset_next(s, j);
			if (s->slot[j] == 0)
				return;
			home = idset_pos(s, s->slot[j]);
			/* move it back unless its home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) :
			    (home <= i && home > j))
				break;
		}
		s->slot[i] = s->slot[j];
		i = j;
	}
}

void
idset_clear(struct idset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->size = s->n = 0;
}
