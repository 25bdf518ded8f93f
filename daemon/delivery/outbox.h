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
 * payload (a JSON array, new reference), or NULL with err set.
 */
json_t	*outbox_list(struct store *, const char *status, int64_t limit,
	    struct error *err);

/*
 * Send message id again now: a failed (or pending) message becomes pending,
 * due at once, with its attempts counted from zero and its max_age from
 * now.  A sent or cancelled one
 * is refused.  0 or -1 with err set.
 */
int	 outbox_retry(struct store *, int64_t id, struct error *err);

/* {"pending": n, "sent": n, "failed": n, "cancelled": n}. */
json_t	*outbox_counts(struct store *);

#endif
