/*
 * people.h: the directory of professionals.  Validation and normalisation
 * of every field, and create/read/update/erase over the store.  Names and
 * contact details are sealed under the person's data key (see crypt.h);
 * erasing a person destroys that key, so every copy of their data left in the
 * database files becomes unreadable at once.
 *
 * Requests and answers are JSON objects:
 *	{"name": "...", "roles": ["referent", ...], "commune": "...",
 *	 "org": "...", "email": "...", "phone": "+32...", "lang": "fr",
 *	 "pubkey": "base64", "quiet_hours": "21:00-08:00" or "none",
 *	 "smime_cert" or "openpgp_key": the key file's bytes in base64}
 * "mail_key": null (or "" or null for smime_cert, openpgp_key) removes the
 * mail key; answers carry "mail_key": null or {"kind": "smime"|"openpgp",
 * "expires": UTC or null, "fingerprint", "days_left"}, never the key.
 * All functions run inside the caller's transaction when they write.
 */
#ifndef STOPPVIF_PEOPLE_H
#define STOPPVIF_PEOPLE_H

#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "mailcrypt.h"

struct store;
struct crypt_key;
struct event_base;


/*
 * Validate req and add the person; *id is set to the new id.  lang defaults
 * to default_lang.  Returns 0, or -1 with err set (field named).
 */
int	 people_add(struct store *, const struct crypt_key *master,
	    json_t *req, const char *default_lang, int64_t *id,
	    struct error *err);

/* Change the fields present in req; "" or null clears an optional one. */
int	 people_edit(struct store *, const struct crypt_key *master,
	    int64_t id, json_t *req, struct error *err);

/* Erase: destroy the data key, the sealed fields and the calendar feed
 * token; the id stays. */
int	 people_remove(struct store *, int64_t id, struct error *err);

/*
 * What else holds a person's data is erased with them: people_remove()
 * calls fn(arg, id, cause) inside its transaction once the person is
 * erased (the outbox's payloads, the spool's files: retention.c).  0, or
 * -1 with *cause, which fails the erasure.  NULL (the default): nothing.
 */
typedef int	(*people_erase_fn)(void *arg, int64_t id, char **cause);
void	 people_set_erase_hook(people_erase_fn, void *arg);

/* One person as a JSON object (new reference), or NULL with err set. */
json_t	*people_get(struct store *, const struct crypt_key *master,
	    int64_t id, struct error *err);

/* Everyone not removed, by id, optionally only those with role. */
json_t	*people_list(struct store *, const struct crypt_key *master,
	    const char *role, struct error *err);

/*
 * The data key of person id (not removed), unwrapped by the master key, to
 * seal messages to them; NULL with *cause set.  crypt_key_free() it.
 */
struct crypt_key *people_data_key(struct store *, const struct crypt_key *master,
	    int64_t id, char **cause);

/* What it takes to send one message to a person on one channel. */
struct people_contact {
	struct crypt_key *dk;		/* their data key */
	char		*addr;		/* email or phone; NULL when none */
	char		*name;		/* email only; NULL when none */
	char		 lang[4];	/* "fr" */
	char		*quiet;		/* their quiet hours, "none", or NULL:
					   the daemon's */
	enum mailcrypt_kind	 key_kind;	/* 0: no mail key */
	uint8_t			*key;		/* mailcrypt_key.data, opened */
	size_t			 keylen;
};

/*
 * Fill *pc for person id (not removed) and channel (a chan_name(): "email"
 * or "sms"; any other is refused), opening only the fields that channel
 * needs: for email, the person's mail key too when they have one (key_kind
 * 0 otherwise; the caller checks it is usable now with mailcrypt_check()).
 * 0, or -1 with *cause (pc is then empty).  people_contact_clear() wipes
 * and frees it.
 */
int	 people_contact(struct store *, const struct crypt_key *master,
	    int64_t id, const char *channel, struct people_contact *pc,
	    char **cause);
void	 people_contact_clear(struct people_contact *);

/*
 * Mail keys that expire within PEOPLE_MK_WARN_DAYS days or have expired,
 * soonest first: [{"id", "kind", "expires", "days_left"}], with "name"
 * opened too when names is set (a coordinator asks).  A new reference.
 */
#define PEOPLE_MK_WARN_DAYS	30
json_t	*people_mk_expiring(struct store *, const struct crypt_key *master,
	    int names);

/*
 * The daily warning of those keys in the log (people_expiry.c): one timer
 * on base, armed when something enters the window or a day after the last
 * warning.  touch: a key changed, arm it again.  stop frees it.
 */
void	 people_mk_timer_start(struct event_base *, struct store *);
void	 people_mk_timer_touch(void);
void	 people_mk_timer_stop(void);

/* Whether person id is in the directory and not removed. */
int	 people_exists(struct store *, int64_t id);

/* The channels person id (not removed) has an address for: CHAN_BIT()s. */
unsigned people_channels(struct store *, int64_t id);

/* The language of person id into lang ("fr" when unknown). */
void	 people_lang(struct store *, int64_t id, char *lang, size_t len);

/* How many people the directory holds (not counting removed ones). */
int64_t	 people_count(struct store *);

/*
 * Seal, at start, the communes and organisations a daemon from before they
 * were sealed left clear, in one transaction; 0 or -1 with *cause set.
 */
int	 people_seal_old(struct store *, const struct crypt_key *master,
	    char **cause);

#endif
