/*
 * dispatch.h: the dispatcher.  It takes due messages from the outbox,
 * renders them (template and the recipient's language), hands them to their
 * channel's plugin with a cap on messages in flight and an optional rate,
 * and records each outcome in the outbox: sent, retry later (exponential
 * backoff with jitter, bounded by [delivery] max_attempts and max_age) or
 * failed.  A failed urgent message falls back to the person's other channel.
 * Outcomes are written in batches: one transaction for what was answered in
 * the last 20 ms (at most 1024), so that a busy dispatcher commits a few
 * dozen times a second; an urgent outcome (a shelter alert) is written at
 * once, with whatever else was answered.
 *
 * The dispatcher only reads the outbox: messages get there in the
 * transactions of the changes that cause them.  It sleeps until the earliest
 * pending message is due, or until dispatch_kick() says new ones were queued.
 */
#ifndef STOPPVIF_DISPATCH_H
#define STOPPVIF_DISPATCH_H

#include <stdint.h>

#include <jansson.h>

struct event_base;
struct store;
struct crypt_key;
struct config;
struct dispatch;
struct dlr;

/*
 * Open the email and sms channels of *conf and start.  NULL with *cause
 * ("file:line: key: ..." for configuration problems).  conf is re-read on
 * every pass, so a reload's new templates and delivery settings apply.
 */
struct dispatch	*dispatch_new(struct event_base *, struct store *,
		    const struct crypt_key *master, struct config **conf,
		    char **cause);
/* Messages were queued: look at the outbox soon (after the current event). */
void		 dispatch_kick(struct dispatch *);
/* Load the templates of conf again (reload); 0 or -1 with *cause. */
int		 dispatch_templates(struct dispatch *, const struct config *,
		    char **cause);
/*
 * Stop taking messages; call done(arg) once nothing is in flight any more,
 * or after at most timeout seconds.
 */
void		 dispatch_stop(struct dispatch *, int timeout,
		    void (*done)(void *), void *arg);
void		 dispatch_free(struct dispatch *);

/* The delivery reports of the SMS this dispatcher sends (dlr.h). */
struct dlr	*dispatch_dlr(struct dispatch *);

/* An urgent message to queue again on its person's other channel. */
struct dispatch_fallback {
	const char	*key;		/* its outbox key */
	const char	*kind;
	int64_t		 person;
	const char	*channel;	/* where it went: "sms", "email" */
	const char	*payload;	/* opened: the template's parameters */
};
/*
 * Queue fb on the person's other channel as "KEY/fallback", urgent and due
 * now, sealed with the person's data key dk, in the caller's transaction.
 * A message that is a fallback already gets none, and a fallback queued
 * before is not queued again (a failure, a report and a timeout make one
 * at most): *added says whether a row was added.  0 or -1 with *cause.
 */
int		 dispatch_fallback_queue(struct store *,
		    const struct crypt_key *dk,
		    const struct dispatch_fallback *fb, int *added,
		    char **cause);

/* {"email_in_flight": n, "sms_in_flight": n} for status. */
json_t		*dispatch_status(struct dispatch *);
/* Whether channel c (enum chan) was opened and takes messages (not
 * stopping): 1 or 0. */
int		 dispatch_chan_ready(struct dispatch *, int c);

/*
 * Render outbox message id as it would be sent, for `outbox list
 * --show-body`: {"to": ..., "subject": ..., "body": ...}.  NULL with *cause.
 */
json_t		*dispatch_render(struct dispatch *, int64_t id, int64_t now,
		    char **cause);

#endif
