/*
 * dlr.h: SMS delivery reports, what became of an SMS on the handset.
 *
 * The gateway accepting an SMS (status "sent") says nothing of the phone.
 * Each SMS handed to a channel that passes reports on (plugin.h:
 * channel_reports) gets a report URL on the SMS listener, [inbound]
 * sms_listen:
 *
 *	http://HOST:PORT/sms/dlr?id=ID&mac=MAC&type=%d
 *
 * ID is the outbox row, MAC a keyed BLAKE2b of it under a key derived from
 * the master key for this use only (so nobody can report on another id),
 * and Kannel puts the report's type for "%d".  No phone number, no text.
 * With sms_listen unset or a Unix socket (Kannel calls over TCP) no report
 * is asked for.
 *
 * A report of type 1 makes the row "delivered", 2 or 16 "undelivered"
 * (the outbox column dlr, with dlr_at); 4 and 8 (queued, accepted by the
 * SMSC) change nothing.  The first of the two final reports wins.  An
 * urgent SMS (a shelter alert) reported undelivered, or still without a
 * final report [delivery] dlr_timeout after it was sent (its dlr_due,
 * set by the dispatcher), falls back to email, in the transaction that
 * records the report or the timeout, unless the hook of dlr_set_wanted()
 * says the message is no longer needed (its alert was claimed).  One timer
 * waits for the earliest dlr_due: the deadlines live in the database and
 * outlast a restart.
 */
#ifndef STOPPVIF_DLR_H
#define STOPPVIF_DLR_H

#include <stdint.h>

struct event_base;
struct store;
struct crypt_key;
struct config;
struct dlr;

#define DLR_MAC_HEX	32	/* characters of the MAC in a report URL */

/* What a report says (Kannel's dlr-mask bits). */
enum dlr_type {
	DLR_DELIVERED = 1,	/* reached the handset */
	DLR_UNDELIVERED = 2,	/* will not reach it */
	DLR_QUEUED = 4,		/* waits at the SMSC */
	DLR_ACCEPTED = 8,	/* the SMSC took it */
	DLR_REJECTED = 16,	/* the SMSC refused it */
};

/* What became of a report, for the listener to answer. */
enum dlr_verdict {
	DLR_OK,			/* taken (or ignored, and logged) */
	DLR_FORBIDDEN,		/* no id, or a MAC that does not match it */
	DLR_BAD,		/* authentic, but an unknown type */
};

/*
 * Start: arm the timer for the earliest pending deadline.  queued(arg) is
 * called after a fallback was queued (the dispatcher's kick).  conf is
 * re-read on every use.
 */
struct dlr	*dlr_new(struct event_base *, struct store *,
		    const struct crypt_key *master, struct config **conf,
		    void (*queued)(void *), void *arg);
void		 dlr_free(struct dlr *);

/*
 * The report URL of SMS id (a new string), or NULL when reports are off
 * (dlr_off_reason()).
 */
char		*dlr_url(struct dlr *, int64_t id);
/* A deadline was set or cleared: arm the timer again. */
void		 dlr_arm(struct dlr *);

/*
 * Why conf asks for no report (a French sentence for stoppvifd -t and the
 * log), or NULL when SMS get a report URL.
 */
const char	*dlr_off_reason(const struct config *);

/*
 * A report on the SMS listener, from its query's parameters (each may be
 * NULL): authenticated, then recorded.  Never logs the query.
 */
enum dlr_verdict dlr_report(struct dlr *, const char *id, const char *mac,
		    const char *type);

/*
 * The report's parameters checked: *idp the row and *typep the type.
 * DLR_FORBIDDEN for a missing or malformed id or MAC, or a MAC that is not
 * id's under master; DLR_BAD for a type that is not one of enum dlr_type.
 */
enum dlr_verdict dlr_parse(const struct crypt_key *master, const char *id,
		    const char *mac, const char *type, int64_t *idp,
		    enum dlr_type *typep);
/* The MAC of id under master, DLR_MAC_HEX hex digits and a NUL in out. */
void		 dlr_mac(const struct crypt_key *master, int64_t id,
		    char out[DLR_MAC_HEX + 1]);

/*
 * Whether the fallback of urgent message key still helps: wanted(arg, key)
 * returns 1, or 0 when it is moot (its alert was claimed or closed).  Set
 * by the shelters; NULL (the default): always wanted.
 */
typedef int	(*dlr_wanted_fn)(void *arg, const char *key);
void		 dlr_set_wanted(dlr_wanted_fn, void *arg);

#endif
