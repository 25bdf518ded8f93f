/*
 * sched.h: the reminder scheduler.  It asks the database what is due now, or
 * how long until the next reminder, arms one timer for exactly that, and
 * sleeps: an idle daemon never wakes up.  The timer is a CLOCK_REALTIME
 * timerfd armed at an absolute time and cancelled when the clock is set, so
 * that an NTP step or a suspend neither loses nor doubles a reminder: each
 * wake-up reads the real time and handles every reminder due up to it.
 *
 * State is in the events table (planned_until, next_due), so timers survive
 * restarts.  A reminder missed while the daemon was down is sent late when
 * its occurrence has not started yet, and skipped with a log line when it has.
 */
#ifndef STOPPVIF_SCHED_H
#define STOPPVIF_SCHED_H

#include <stdint.h>

#include <jansson.h>

struct event_base;
struct calendar;
struct crypt_key;
struct sched;

/*
 * Start the scheduler: handle what is due now, then arm the timer.  NULL
 * with *cause set when the timer cannot be made.
 */
struct sched	*sched_new(struct event_base *, struct calendar *,
		    const struct crypt_key *master, char **cause);
void		 sched_free(struct sched *);

/*
 * Inside the caller's transaction: handle every reminder due now, so that an
 * edit never swallows one that was about to fire.  0 or -1 with *cause.
 */
int		 sched_due(struct sched *, char **cause);

/*
 * Inside the caller's transaction, after event id was added or changed:
 * compute its next reminder from now on (reminders of the past are not sent
 * for a change made now).  requeue >= 0 is the earliest reminder time of
 * the messages an edit took back (outbox_take_back): the reminders from
 * then to now are queued again from the new definition when their
 * occurrence is still to come.  0 or -1 with *cause.
 */
int		 sched_plan(struct sched *, int64_t id, int64_t requeue,
		    char **cause);

/* Plan every event afresh (closures changed); its own transaction. */
int		 sched_replan_all(struct sched *, char **cause);

/* Arm the timer for the earliest reminder; call after a commit. */
void		 sched_arm(struct sched *);

/* Call fn(arg) after each run that queued messages (the dispatcher). */
void		 sched_on_queue(struct sched *, void (*fn)(void *), void *arg);

/* {"next_reminder": UTC or null, "wakeups": n} for status. */
json_t		*sched_status(struct sched *);
/*
 * The time the timer is armed for (UTC seconds), -1 when no reminder is
 * planned, -2 when it is not armed (before the first run, during a run).
 */
int64_t		 sched_armed(struct sched *);

#endif
