/*
 * outbox.h: the durable queue of messages.  One row per message to one
 * person on one channel, written in the same transaction as the change that
 * causes it.  Each message has a key ("reminder/EVENT/OCCURRENCE/OFFSET/
 * PERSON/CHANNEL"); enqueueing a key that is already there changes nothing,
 * so a restart never doubles a message.  The message's parameters (the
 * payload) are sealed under the recipient's data key.
 */
#ifndef STOPPVIF_OUTBOX_H
#define STOPPVIF_OUTBOX_H

#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct store;
struct crypt_key;

struct outbox_msg {
	const char	*key;		/* unique */
	const char	*kind;		/* "reminder" */
	int64_t		 person_id;
	const char	*channel;	/* chan_name(): "email", "sms" */
	int		 urgent;
	int64_t		 not_before;	/* UTC seconds */
	int64_t		 event_id;	/* 0 when none */
	int64_t		 occurrence;	/* UTC seconds, reminders */
	int64_t		 offset;	/* seconds before the occurrence */
	const char	*payload;	/* JSON text, sealed with dk */
};

/*
 * Queue msg inside the caller's transaction.  *inserted (may be NULL) is 1
 * when the row is new, 0 when the key was there already.  A new row that
 * the check refuses (outbox_set_check) is kept as failed, with the reason
 * in last_error, and logged: it is never sent.  0 or -1 with *cause.
 */
int	 outbox_enqueue(struct store *, const struct crypt_key *dk,
	    const struct outbox_msg *msg, int *inserted, char **cause);

/*
 * What is sent is checked when it is queued: check(arg, msg, cause) renders
 * msg as it would go out (the recipient's language, the templates) and
 * returns -1 with the reason when it may not go, e.g. a word that may not
 * reach a phone in an SMS or a subject.  Set once by the dispatcher, which
 * owns the templates; NULL (the default, for tools and unit tests): none.
 */
typedef int	(*outbox_check_fn)(void *arg, const struct outbox_msg *,
		    char **cause);
void	 outbox_set_check(outbox_check_fn, void *arg);

/*
 * Messages reached their end now (sent, failed or cancelled): whoever
 * writes such an outcome calls outbox_settled() once it is committed, so
 * that the erasure of their payloads is planned ([privacy] keep_bodies).
 * Set by the retention module; NULL (the default): nothing is called.
 */
typedef void	(*outbox_settled_fn)(void *arg);
void	 outbox_set_settled(outbox_settled_fn, void *arg);
void	 outbox_settled(void);

/* Cancel the pending messages of an event; *n (may be NULL) says how many. */
int	 outbox_cancel_event(struct store *, int64_t event_id, int *n,
	    char **cause);

/*
 * Take back the pending messages of an event that changed: they were made
 * from its old definition and were not sent yet, so they are deleted (the
 * scheduler queues them again from the new one).  *earliest is the earliest
 * reminder time (occurrence - offset) among them, -1 when there were none.
 */
int	 outbox_take_back(struct store *, int64_t event_id, int64_t *earliest,
	    char **cause);

/*
 * The messages, newest first, optionally of one status, without their
 * payload (a JSON array, new reference), or NULL with err set.  "erased"
 * is true for a settled message whose payload was erased.  A sent SMS
 * with its handset's report shows as "delivered" or "undelivered" (and is
 * listed under that status, not "sent"), with "dlr_at" its time (null
 * when none).
 */
json_t	*outbox_list(struct store *, const char *status, int64_t limit,
	    struct error *err);

/*
 * Send message id again now: a failed (or pending) message becomes pending,
 * due at once, with its attempts counted from zero and its max_age from
 * now.  A sent or cancelled one, and one whose payload was erased, are
 * refused.  0 or -1 with err set.
 */
int	 outbox_retry(struct store *, int64_t id, struct error *err);

/* {"pending": n, "sent": n, "failed": n, "cancelled": n, "delivered": n,
 * "undelivered": n}: the last two count the sent SMS with a report (a
 * part of "sent"). */
json_t	*outbox_counts(struct store *);

/*
 * Retention.  A message is settled once it is sent, failed or cancelled;
 * it settled at its "sent" time, and a failed or cancelled one at its
 * not_before (the time its last attempt, or its sending, was due).
 *
 * Erase the payload of every message settled for keep seconds or more at
 * now (set to NULL: the delivery metadata stays); *n says how many.  In a
 * transaction of its own: the caller checkpoints the WAL after it.  0 or -1
 * with *cause.
 */
int	 outbox_erase_bodies(struct store *, int64_t keep, int64_t now, int *n,
	    char **cause);
/* When the next payload falls due for erasure after keep, -1 when none. */
int64_t	 outbox_next_erasure(struct store *, int64_t keep);
/*
 * Person id is being erased, in the caller's transaction: the payloads of
 * every message to them are erased, and those still pending cancelled
 * (they could not be opened any more).  *n says how many messages had a
 * payload.  0 or -1 with *cause.
 */
int	 outbox_forget_person(struct store *, int64_t person, int *n,
	    char **cause);
/* The recipient of message id, -1 when there is no such message. */
int64_t	 outbox_person(struct store *, int64_t id);

#endif
