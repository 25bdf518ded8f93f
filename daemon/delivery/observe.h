/*
 * observe.h: what became of messages, told to whoever watches.
 *
 * The dispatcher (after each flush has committed) and the delivery reports
 * (dlr.c) tell every observer what happened to each message: the metrics
 * count it, the channels' health (status: last success, last error) keeps
 * it, the dead-man's switch (shelter/alarm.c) judges from it whether a
 * channel is broken.  An observer must not call back into the dispatcher
 * from observe(): it may queue messages in a transaction of its own and
 * dispatch_kick() later (event_active).  Nothing here carries an address or
 * a text: a message is its outbox id.
 */
#ifndef STOPPVIF_OBSERVE_H
#define STOPPVIF_OBSERVE_H

#include <stdint.h>

#include "chan.h"

enum obs_kind {
	OBS_SENT,		/* the channel accepted it */
	OBS_RETRY,		/* an attempt failed; it will be tried again */
	OBS_FAILED,		/* given up (permanent, or its policy ran out) */
	OBS_DEFERRED,		/* quiet hours: held back, untried */
	OBS_DELIVERED,		/* a handset report: delivered */
	OBS_UNDELIVERED,	/* a handset report: not delivered */
	OBS_NO_REPORT,		/* an urgent SMS had no report in time */
	OBS_FALLBACK,		/* an urgent message was queued on the other
				   channel (id: the one it replaces) */
	OBS_COUNT
};

struct obs {
	enum obs_kind	 kind;
	enum chan	 chan;
	int64_t		 id;		/* outbox row */
	int		 urgent;
	const char	*kind_name;	/* the message's kind: "reminder",
					   "alert", "alarm"...; may be NULL */
	const char	*error;		/* RETRY, FAILED: the reason; NULL */
	int64_t		 when;		/* UTC seconds */
};

typedef void	(*observe_fn)(void *arg, const struct obs *);

/* Watch every outcome from now on (at most OBSERVE_MAX observers). */
#define OBSERVE_MAX	8
void		 observe_add(observe_fn, void *arg);
/* Stop watching: the observer added with fn and arg (each one removes
 * itself when it is freed, so that nothing calls into freed memory). */
void		 observe_remove(observe_fn, void *arg);
/* Tell every observer, in the order they were added. */
void		 observe(const struct obs *);
/* "sent", "retry", "failed", ...: the name of kind, for logs and labels. */
const char	*observe_name(enum obs_kind);

#endif
