/*
 * calendar_feed.h: one person's calendar feed, the iCalendar text that a
 * calendar application subscribed to their webcal:// address reads.
 *
 * The feed holds the events the person is in the audience of, by the rules
 * the scheduler uses (role:R through their roles, person:ID), and nothing
 * of anybody else: no audience, no channels, no description, no commune.
 * Its titles are what a phone may show (guard.h): an event's "phone_title"
 * when it has one, else its title when the phone guard passes it, else
 * CALENDAR_FEED_TITLE; a location the guard refuses is left out.  The
 * days an event skips (skip_holidays: the Belgian holidays, and the
 * calendar's closures when it has them) near now are added to its EXDATEs,
 * since a calendar application knows no such rule.  The text depends only
 * on the events and that window (ics_export), so its ETag, a keyed MAC of
 * it, changes exactly when the feed does.
 */
#ifndef STOPPVIF_CALENDAR_FEED_H
#define STOPPVIF_CALENDAR_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "crypt.h"

struct calendar;

#define CALENDAR_FEED_TITLE	"Réunion du réseau"
#define CALENDAR_FEED_MAX	256	/* events in one feed, the newest */

/* A feed made for a request; calendar_feed_clear() frees it. */
struct calendar_feed {
	int64_t		 person;
	size_t		 nevents;
	char		*text;		/* the VCALENDAR, CRLF lines */
	size_t		 len;
	char		 etag[2 * CRYPT_MAC_BYTES + 3];	/* "\"hex\"" */
};

/*
 * The feed of the person whose feed token is token (people_feed.h) into
 * *f: 1, or 0 when the token opens no feed (unknown, reset, its person
 * removed), or -1 with *cause on a store or export failure.  Reads only.
 */
int	 calendar_feed(struct calendar *, const struct crypt_key *master,
	    const char *token, struct calendar_feed *f, char **cause);
void	 calendar_feed_clear(struct calendar_feed *);

#endif
