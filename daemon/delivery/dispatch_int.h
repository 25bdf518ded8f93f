/*
 * dispatch_int.h: private to dispatch.c (the queues, the passes, the
 * plugins' outcomes) and dispatch_policy.c (quiet hours, retries, giving up,
 * the fallback); nothing else includes it (dispatch.h is the module's
 * contract).  It holds the message and outcome the two files share and the
 * policy functions the dispatcher calls.
 */
#ifndef STOPPVIF_DISPATCH_INT_H
#define STOPPVIF_DISPATCH_INT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "mailcrypt.h"
#include "stoppvif_plugin.h"

struct config;
struct crypt_key;
struct store;

/*
 * One message, from the pass that loads it (ct holds its sealed payload) to
 * its outcome: m points into the strings below, owned here.
 */
struct dispatch_msg {
	struct sv_message	 m;
	char			*key, *kind, *to, *name, *subject, *body;
	int64_t			 person;
	enum chan		 chan;
	int			 attempts;
	int64_t			 created;
	int64_t			 age_from;	/* created, or last retried */
	uint8_t			*ct;		/* sealed, until prepared */
	size_t			 ctlen;
	char			*payload;	/* opened, for a fallback */
	char			*quiet;		/* the person's quiet hours */
	char			*dlr_url;	/* m.dlr_url, or NULL */
	/* an email's recipient key when m.encrypt: checked usable, wiped
	 * with the message (each attempt opens it again) */
	enum mailcrypt_kind	 mkind;
	uint8_t			*mkey;
	size_t			 mkeylen;
	TAILQ_ENTRY(dispatch_msg) entry;
};
TAILQ_HEAD(dispatch_msgq, dispatch_msg);

enum dispatch_res_kind {
	DISPATCH_SENT,
	DISPATCH_RETRY,		/* the policy may make it DISPATCH_FAILED */
	DISPATCH_FAILED,
	DISPATCH_DEFER		/* quiet hours: pending, untried, until later */
};

/* One outcome waiting to be written. */
struct dispatch_res {
	enum dispatch_res_kind	 kind;
	int64_t			 id;
	int64_t			 not_before;	/* DEFER */
	char			*text;		/* reply or error */
	struct dispatch_msg	*m;		/* for fallbacks; may be NULL */
	int			 fell_back;	/* a fallback was queued */
	TAILQ_ENTRY(dispatch_res) entry;
};

/*
 * The end of the quiet hours holding dm back now (the recipient's own, or
 * the daemon's), or -1 when it may go: only an SMS waits, and never an
 * urgent one (a shelter alert).
 */
int64_t		 dispatch_quiet_until(const struct config *,
		    const struct dispatch_msg *dm, int64_t now);

/*
 * Write outcome r inside the caller's transaction and log it.  The retry
 * policy decides first: a retry past [delivery] max_attempts or max_age
 * fails instead, and a later one waits its backoff.  A failed urgent
 * message is queued on the person's other channel; *requeued is set when
 * such a fallback was added.  0 or -1 with *cause (nothing logged).
 */
int		 dispatch_record(struct store *, const struct crypt_key *master,
		    const struct config *, struct dispatch_res *r, int64_t now,
		    int *requeued, char **cause);

#endif
