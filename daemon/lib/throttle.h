/*
 * throttle.h: counting failures by key (an account, an address) and
 * locking a key out for a while once it has failed too often: the web
 * console's login rate limit.
 *
 * A key that fails limit times within window is locked for window from its
 * last failure; a success clears it.  Times are given by the caller (pure:
 * no clock, no I/O).  Memory is bounded: at most max_keys keys are
 * remembered; when full, the key seen longest ago that is not locked is
 * forgotten, and when every key is locked a new key is refused as if it
 * were locked itself (an attack on the table fails closed).
 */
#ifndef STOPPVIF_THROTTLE_H
#define STOPPVIF_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

struct throttle;

/* A new table of at most max_keys keys (> 0); never NULL. */
struct throttle	*throttle_new(size_t max_keys);
void		 throttle_free(struct throttle *);

/*
 * Seconds key must still wait at time now before it may try again (0: it
 * may try now).  Keys are compared as bytes, up to 128 of them.
 */
int64_t		 throttle_wait(struct throttle *, const char *key,
		    int64_t now);
/* Count a failure of key at now: the limit-th within window locks it for
 * window.  Returns the seconds it must now wait (0 when not locked). */
int64_t		 throttle_fail(struct throttle *, const char *key, int64_t now,
		    int64_t limit, int64_t window);
/* A success: forget key's failures. */
void		 throttle_clear(struct throttle *, const char *key);

#endif
