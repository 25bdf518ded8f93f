/*
 * throttle.c: failures counted by key, and lockouts (throttle.h).
 *
 * A key is remembered by a 16-byte BLAKE2b hash of all its bytes, so that a
 * long key costs no more than a short one and two keys that share their
 * first bytes stay apart.  The table is a plain array of max_keys slots
 * scanned in full: a login is rare, and the scan is a few thousand
 * comparisons of 16 bytes at most.
 *
 * Counting: a failure that comes less than window after the key's previous
 * failure adds to its count; one that comes later starts a new count.  So
 * no span of window seconds holds limit failures of a key without locking
 * it (a strict sliding window, without keeping each failure's time).  The
 * limit-th failure locks the key until that failure + window; a failure
 * while locked (when a caller counts it) moves the end of the lock.
 *
 * A full table forgets the unlocked key seen longest ago (seen: looked up
 * by throttle_wait() or throttle_fail()).  When every key is locked, a new
 * key waits until the first lock ends (a slot frees then), and its
 * failures are not counted: the table fails closed.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "throttle.h"
#include "util.h"

#define THROTTLE_HASH	16

struct throttle_slot {
	unsigned char	 key[THROTTLE_HASH];
	int		 used;
	int64_t		 count;		/* failures in the current run */
	int64_t		 last_fail;
	int64_t		 locked_until;	/* locked while now < locked_until */
	int64_t		 seen;
};

struct throttle {
	struct throttle_slot	*slots;
	size_t			 max;
};

struct throttle *
throttle_new(size_t max_keys)
{
	struct throttle	*t;

	if (sodium_init() < 0)
		fatalx("throttle sodium_init_failed");
	t = xcalloc(1, sizeof *t);
	t->max = max_keys > 0 ? max_keys : 1;
	t->slots = xcalloc(t->max, sizeof *t->slots);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	sodium_memzero(t->slots, t->max * sizeof *t->slots);
	free(t->slots);
	free(t);
}

/* The hash of key (NULL: the empty key) into out. */
static void
throttle_hash(const char *key, unsigned char out[THROTTLE_HASH])
{
	if (key == NULL)
		key = "";
	crypto_generichash(out, THROTTLE_HASH, (const unsigned char *)key,
	    strlen(key), NULL, 0);
}

/* The slot of hash, or NULL. */
static struct throttle_slot *
throttle_find(struct throttle *t, const unsigned char *hash)
{
	size_t	 i;

	for (i = 0; i < t->max; i++)
		if (t->slots[i].used &&
		    memcmp(t->slots[i].key, hash, THROTTLE_HASH) == 0)
			return &t->slots[i];
	return NULL;
}

/* Seconds from now to when, at least 0 (no overflow at the ends of time). */
static int64_t
throttle_left(int64_t when, int64_t now)
{
	uint64_t	 d;

	if (when <= now)
		return 0;
	d = (uint64_t)when - (uint64_t)now;
	return d > INT64_MAX ? INT64_MAX : (int64_t)d;
}

/*
 * A slot for a new key at now: a free one, else the unlocked one seen
 * longest ago.  NULL when every slot is locked, with *wait set to the
 * seconds until the first lock ends.
 */
static struct throttle_slot *
throttle_take(struct throttle *t, int64_t now, int64_t *wait)
{
	struct throttle_slot	*s, *best = NULL;
	int64_t			 first = INT64_MAX;
	size_t			 i;

	for (i = 0; i < t->max; i++) {
		s = &t->slots[i];
		if (!s->used)
			return s;
		if (s->locked_until > now) {
			if (s->locked_until < first)
				first = s->locked_until;
			continue;
		}
		if (best == NULL || s->seen < best->seen)
			best = s;
	}
	if (best == NULL)
		*wait = throttle_left(first, now);
	return best;
}

int64_t
throttle_wait(struct throttle *t, const char *key, int64_t now)
{
	unsigned char		 hash[THROTTLE_HASH];
	struct throttle_slot	*s;
	int64_t			 wait = 0;

	throttle_hash(key, hash);
	if ((s = throttle_find(t, hash)) != NULL) {
		s->seen = now;
		return throttle_left(s->locked_until, now);
	}
	if (throttle_take(t, now, &wait) == NULL)
		return wait;
	return 0;
}

int64_t
throttle_fail(struct throttle *t, const char *key, int64_t now,
    int64_t limit, int64_t window)
{
	unsigned char		 hash[THROTTLE_HASH];
	struct throttle_slot	*s;
	int64_t			 wait = 0;

	if (limit < 1)
		limit = 1;
	if (window < 1)
		window = 1;
	throttle_hash(key, hash);
	if ((s = throttle_find(t, hash)) == NULL) {
		if ((s = throttle_take(t, now, &wait)) == NULL)
			return wait;
		memset(s, 0, sizeof *s);
		memcpy(s->key, hash, THROTTLE_HASH);
		s->used = 1;
		s->locked_until = INT64_MIN;
	}
	if (s->count == 0 || (now > s->last_fail &&
	    (uint64_t)now - (uint64_t)s->last_fail >= (uint64_t)window))
		s->count = 1;
	else if (s->count < INT64_MAX)
		s->count++;
	s->last_fail = now;
	s->seen = now;
	if (s->count >= limit)
		s->locked_until = now > INT64_MAX - window ? INT64_MAX :
		    now + window;
	return throttle_left(s->locked_until, now);
}

void
throttle_clear(struct throttle *t, const char *key)
{
	unsigned char		 hash[THROTTLE_HASH];
	struct throttle_slot	*s;

	throttle_hash(key, hash);
	if ((s = throttle_find(t, hash)) != NULL)
		memset(s, 0, sizeof *s);
}
