/*
 * people_feed.h: each person's calendar feed token (the secret part of the
 * webcal:// address of their events, served by the public listener).
 *
 * A token is 32 random bytes written in base64url (PEOPLE_FEED_TOKEN_LEN
 * characters).  The table person_feeds keeps only a keyed MAC of it, under a
 * key derived from the master key for this purpose alone, so that the
 * database without the key opens nobody's feed, and a token is shown only
 * when it is made.  Making a new one replaces the old, which then opens
 * nothing; a removed person's token opens nothing either.
 */
#ifndef STOPPVIF_PEOPLE_FEED_H
#define STOPPVIF_PEOPLE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct store;
struct crypt_key;

#define PEOPLE_FEED_TOKEN_LEN	43	/* base64url of 32 bytes, no '=' */

/*
 * Give person id (not removed) a new token, in place of any former one, in
 * the caller's transaction.  *token is the new token (a new string: the
 * only time it is seen; free it).  0, or -1 with err set.
 */
int	 people_feed_new(struct store *, const struct crypt_key *master,
	    int64_t id, char **token, struct error *err);

/*
 * Whether person id has a token: 1 with its creation time (UTC,
 * "YYYY-MM-DDTHH:MM:SSZ") in created, 0 when none, -1 on a store error.
 */
int	 people_feed_created(struct store *, int64_t id, char *created,
	    size_t len);

/*
 * The person (not removed) whose token is token, or 0 when it is nobody's
 * (or not a token at all); -1 on a store error.
 */
int64_t	 people_feed_person(struct store *, const struct crypt_key *master,
	    const char *token);

#endif
