/*
 * shelter_int.h: what shelter.c (states, moves, timers, reports) and
 * alert.c (alerts: audiences, messages, escalation, claims, links) share.
 * Not a module contract: see shelter.h.
 */
#ifndef STOPPVIF_SHELTER_INT_H
#define STOPPVIF_SHELTER_INT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct event;
struct tz;

/* One [shelter.NAME] section, checked. */
struct shelter_conf {
	char		*name;
	char		*title;
	char		*notify;	/* audience: "role:oncall,person:3" */
	char		*escalate_to;	/* "" when none */
	int64_t		 escalate_after;	/* seconds */
	int64_t		 repeat;	/* 0: none */
	int64_t		 repeat_max;
	int64_t		 claim_hold;
	int64_t		 link_valid;	/* how long a link may claim */
	int64_t		 code_digits;	/* of the codes, 4 to 8 */
};

struct shelters {
	struct event_base	*base;
	struct store		*store;
	const struct crypt_key	*master;
	struct config		**conf;
	struct shelter_conf	*sc;		/* from *conf */
	size_t			 nsc;
	struct event		*timer;
	void			(*queued)(void *);
	void			*arg;
};

enum sstate { SS_OCCUPIED, SS_VACANT, SS_RESERVED, SS_UNAVAILABLE };
enum scause { SC_VACATE, SC_CLAIM, SC_OCCUPY, SC_UNAVAILABLE,
    SC_HOLD_EXPIRED };

/* A shelter's row. */
struct srow {
	char		 name[64];
	enum sstate	 state;
	int64_t		 since;
	int64_t		 alert_id;	/* 0: none */
	int64_t		 reserved_by;	/* 0: none */
	int64_t		 reserved_until;
};

/* Who makes a move: text for the history ("uid:0", "person:12",
 * "daemon"), and the person when one claims. */
struct sactor {
	char		 text[32];
	int64_t		 person;	/* 0: none */
	const char	*via;		/* "cli", "sms", "link"; NULL */
};

/* A code's room: up to 8 digits and the NUL. */
#define ALERT_CODE_LEN	12

/* Wrong codes from one phone that lock its SMS replies out of an alert. */
#define ALERT_MAX_BAD_TRIES	5

/* What alert_notify() sends to whom. */
#define ALERT_EMAIL	0x1
#define ALERT_SMS	0x2
#define ALERT_BOTH	(ALERT_EMAIL | ALERT_SMS)

/* claim.c */
/* The code of an SMS reply ("Ok 123456 merci"): 0, or -1 when the reply is
 * not understood as a claim. */
int	 claim_parse(const char *text, char *code, size_t len);

/* shelter_ops.c */
/* A claim from outside (SMS, link) in its own transaction; a late one is
 * kept too (its "déjà pris").  0, or -1 with err. */
int	 shelter_claim_txn(struct shelters *, int64_t id, struct sactor *,
	    json_t **result, struct error *);

/* shelter.c */
int	 shelter_state_parse(const char *);
const char *shelter_state_name(int);
const struct shelter_conf *shelter_conf_find(const struct shelters *,
	    const char *name);
const struct tz	*shelter_zone(const struct shelters *);
int	 shelter_row(struct shelters *, const char *name, struct srow *);
int	 shelter_move(struct shelters *, const struct shelter_conf *,
	    struct srow *, enum scause, const struct sactor *, int64_t now,
	    struct error *);
const char *shelter_local(const struct shelters *, int64_t utc, char *buf,
	    size_t len);
json_t	*shelter_person(struct shelters *, int64_t id);

/* alert.c */
/* Whom alert_close() tells that the lodging is no longer available. */
enum alert_tell { TELL_NOBODY, TELL_ALL, TELL_CLAIMER };

int	 alert_open(struct shelters *, const struct shelter_conf *,
	    int64_t now, int64_t *id, char **cause);
int	 alert_close(struct shelters *, int64_t id, const char *why,
	    enum alert_tell, int64_t now, char **cause);
int	 alert_step(struct shelters *, int64_t id, int64_t now, char **cause);
int	 alert_claim(struct shelters *, int64_t id, const struct sactor *,
	    int64_t now, json_t **result, struct error *);
json_t	*alert_json(struct shelters *, int64_t id);
json_t	*alert_list(struct shelters *, int64_t limit);
int	 alert_recipient(struct shelters *, int64_t id, int64_t person);
/* Whether alert id is open; its own code in code ("" when no such
 * alert). */
int	 alert_is_open(struct shelters *, int64_t id, char *code, size_t len);
/*
 * The alert a code names, its own or a recipient's (then *person is that
 * recipient, else 0): an open one first, else the latest; 0 when none.
 */
int64_t	 alert_by_code(struct shelters *, const char *code, int64_t *person);
/* The code person sees in alert id: their own when they were alerted,
 * else the alert's ("" when there is no such alert). */
void	 alert_person_code(struct shelters *, int64_t id, int64_t person,
	    char *code, size_t len);
/*
 * Queue kind of alert id to person (0: to the coordinators) on the channels
 * of mask, in the caller's transaction; sent once: the outbox key.
 */
int	 alert_notify(struct shelters *, int64_t id, const char *kind,
	    int64_t person, unsigned mask, int64_t now, char **cause);
/* The keyed MAC (CRYPT_MAC_BYTES) of an E.164 phone number, as
 * alert_recipients.phone_mac holds it. */
void	 alert_phone_mac(struct shelters *, const char *e164, uint8_t *mac);
/* The (alert, person) of a link token, checked; -1 with *cause a word
 * for the log ("bad_token", "expired_token"). */
int	 alert_token_parse(struct shelters *, const char *token, int64_t now,
	    int64_t *alert, int64_t *person, char **cause);

#endif
