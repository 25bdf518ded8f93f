/*
 * alarm.h: the dead-man's switch.  The daemon watches its own delivery path
 * and tells the coordinators and the people on call, on a channel other than
 * the failing one, when
 *
 *	channel		a channel failed [alarm] failures times in a row (its
 *			attempts that were retried or given up, with no
 *			success between: observe.h);
 *	urgent_age	the oldest pending urgent message has waited [alarm]
 *			urgent_age (one timer, armed for exactly when it
 *			would, re-armed whenever the outbox changes);
 *	no_report	[alarm] no_reports urgent SMS in a row had no delivery
 *			report in time (until the next report of one
 *			delivered);
 *	exhausted	an alert's escalation chain ran out with nobody
 *			answering (until it is claimed or closed).
 *
 * Each condition, on its subject (the channel, "urgent", "sms", the alert's
 * id), is one row of the alarms table while it holds, raised and cleared in
 * one transaction with the messages it causes: "alarm" when it is raised,
 * one "alarm_clear" (rétabli) when it ends, both urgent outbox rows sealed
 * under the person's data key.  A channel alarm goes on the other channel
 * only; the others on every channel with no open channel alarm.  An alarm
 * raised less than [alarm] repeat after the last one of the same condition
 * and subject is recorded but held: its messages go only if it still holds
 * once repeat has passed, and its end is told only when it was.
 *
 * The alarm's own messages are not judged: their failures count for no
 * channel and they are not in the urgent queue it watches, so that an
 * alarm about email that falls back to email cannot raise another (a
 * success of one, sent or reported delivered, counts: it proves the
 * channel works).
 */
#ifndef STOPPVIF_ALARM_H
#define STOPPVIF_ALARM_H

#include <stdint.h>

#include <jansson.h>

struct config;
struct crypt_key;
struct event_base;
struct store;
struct alarm;

/*
 * Watch the outcomes of messages (observe_add) and the urgent queue;
 * queued(arg) is called after a transaction of its own queued messages.
 * Read *conf each time, so that a reload applies.  Never NULL.
 */
struct alarm	*alarm_new(struct event_base *, struct store *,
		    const struct crypt_key *master, struct config **conf,
		    void (*queued)(void *), void *arg);
void		 alarm_free(struct alarm *);
/* The outbox or the configuration changed: judge again, soon (after the
 * current event), and re-arm. */
void		 alarm_arm(struct alarm *);

/* The escalation of alert id ran out / alert id was claimed or closed:
 * raise / clear its alarm, in the caller's transaction.  0 or -1 with
 * *cause. */
int		 alarm_exhausted(struct alarm *, int64_t id, int64_t now,
		    char **cause);
int		 alarm_answered(struct alarm *, int64_t id, int64_t now,
		    char **cause);

/* The open alarms, for status: [{"kind", "subject", "since", "raised",
 * "count", "notified": bool}], times local to zone with their offset. */
json_t		*alarm_status(struct store *, const char *zone);

#endif
