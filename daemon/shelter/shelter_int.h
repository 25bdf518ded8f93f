/*
 * shelter_int.h: what the files of the shelters share.  Not a module
 * contract (that is shelter.h): the types of the shelters and their alerts,
 * then each file's functions, from the bottom up.  A file calls only the
 * files below it:
 *
 *	claim.c		SMS replies: the sender's phone, its code
 *	shelter_ops.c	what the API and the listeners ask; a claim
 *	shelter_report.c the yearly report
 *	shelter.c	rows, the one transition function, the timer
 *	alert.c		alerts: audiences, messages, escalation, claims
 *	alert_json.c	what the API shows of alerts
 *	alert_code.c	codes, signed link tokens, phone MACs
 *	shelter_conf.c	the [shelter.NAME] sections, the zone, people's names
 *	shelter_state.c	the states, the causes and the legal moves (pure)
 *
 * The rota (oncall.h), under alert.c, and the listeners (inbound.h over
 * httpd.h), over claim.c and shelter_ops.c, have headers of their own.
 */
#ifndef STOPPVIF_SHELTER_INT_H
#define STOPPVIF_SHELTER_INT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct alarm;
struct config;
struct crypt_key;
struct event;
struct event_base;
struct store;
struct tz;

/* A shelter's name: the room of [shelter.NAME]'s NAME and its NUL. */
#define SHELTER_NAME_MAX	64

/* The actor of the daemon's own moves (an ended hold, the first row). */
#define SHELTER_ACTOR_DAEMON	"daemon"

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
	struct alarm		*alarm;		/* the dead-man's switch */
};

/* The states of a shelter (shelter_state.c names them). */
enum sstate { SS_OCCUPIED, SS_VACANT, SS_RESERVED, SS_UNAVAILABLE, SS_COUNT };
/* Why it moved: the commands, a claim, the daemon's own moves. */
enum scause { SC_VACATE, SC_CLAIM, SC_OCCUPY, SC_UNAVAILABLE,
    SC_HOLD_EXPIRED, SC_CONFIGURED, SC_COUNT };

/* A shelter's row. */
struct srow {
	char		 name[SHELTER_NAME_MAX];
	enum sstate	 state;
	int64_t		 since;
	int64_t		 alert_id;	/* 0: none */
	int64_t		 reserved_by;	/* 0: none */
	int64_t		 reserved_until;
};

/* How a claim came (alert.c names them: "cli", "sms", "link", "web").
 * The staff's tools (stoppvifctl, the console) claim for any person,
 * their callers checked by the API's roles; an SMS or a link only for an
 * alerted person. */
enum alert_via { VIA_NONE, VIA_CLI, VIA_SMS, VIA_LINK, VIA_WEB, VIA_COUNT };
#define VIA_STAFF(v)	((v) == VIA_CLI || (v) == VIA_WEB)

/* Who makes a move: text for the history ("uid:0", "person:12",
 * "daemon"), and the person when one claims. */
struct sactor {
	char		 text[64];	/* AUDIT_ACTOR_MAX */
	int64_t		 person;	/* 0: none */
	enum alert_via	 via;		/* VIA_NONE: not a claim */
};

/*
 * The statuses of an alert (alerts.status).  Macros, so that SQL can hold
 * them as literals: the partial indexes on status = 'open' serve only a
 * query that names 'open' itself.
 */
#define ALERT_OPEN	"open"
#define ALERT_CLAIMED	"claimed"
#define ALERT_CLOSED	"closed"
enum alert_status { AS_OPEN, AS_CLAIMED, AS_CLOSED, AS_COUNT };

/* A code's room: up to 8 digits and the NUL. */
#define ALERT_CODE_LEN	12

/* Wrong codes from one phone that lock its SMS replies out of an alert. */
#define ALERT_MAX_BAD_TRIES	5

/* ---- shelter_state.c: the states, causes and moves (pure) ---- */

/* "occupied", "vacant", "reserved", "unavailable". */
const char	*shelter_state_name(enum sstate);
/* The state in a French sentence: "libre (alerte ouverte)". */
const char	*shelter_state_words(enum sstate);
/* The state called name; SS_OCCUPIED when none is. */
enum sstate	 shelter_state_parse(const char *name);
/* "vacate", "claim", ... as the history says it. */
const char	*shelter_cause_name(enum scause);
/* The coordinator's command called name ("vacate", "occupy",
 * "unavailable"), or -1. */
int		 shelter_command_parse(const char *name);
/* Where cause takes a shelter in state from: 0 with *to, or -1 when that
 * move is not allowed. */
int		 shelter_move_find(enum sstate from, enum scause cause,
		    enum sstate *to);
/* "vacate, unavailable": what may be asked of a shelter in state. */
void		 shelter_allowed(enum sstate state, char *buf, size_t len);

/* ---- shelter_conf.c: the sections, the zone, people's names ---- */

/* Parse the [shelter.NAME] sections of conf into a new array *sc of *n;
 * 0, or -1 with every problem in *cause. */
int		 shelter_conf_load(const struct config *,
		    struct shelter_conf **sc, size_t *n, char **cause);
void		 shelter_conf_free(struct shelter_conf *sc, size_t n);
const struct shelter_conf *shelter_conf_find(const struct shelters *,
		    const char *name);
/* The same for a request: NULL with ERR_NOT_FOUND naming the shelters
 * there are. */
const struct shelter_conf *shelter_conf_named(const struct shelters *,
		    const char *name, struct error *);
/* The daemon's time zone (its [daemon] timezone, checked at load). */
const struct tz	*shelter_zone(const struct shelters *);
/* Instant utc as a local time with its offset, into buf (RECUR_FMT_LEN). */
const char	*shelter_local(const struct shelters *, int64_t utc, char *buf,
		    size_t len);
/* {"id", "name"} of person id; the name null when they cannot be read. */
json_t		*shelter_person(struct shelters *, int64_t id);

/* ---- alert_code.c: codes, link tokens, phone MACs ---- */

/*
 * A new code of digits digits (the first not 0), unused by the open alerts
 * and their recipients (and, when it can be, by those of the past week, so
 * that a late answer is not mistaken).  0, or -1 when none is free.
 */
int		 alert_code_new(struct shelters *, int digits, int64_t now,
		    char *code, size_t len);
/*
 * The alert a code names, its own or a recipient's (then *person is that
 * recipient, else 0): an open one first, else the latest; 0 when none.
 */
int64_t		 alert_by_code(struct shelters *, const char *code,
		    int64_t *person);
/* The code person sees in alert id: their own when they were alerted,
 * else the alert's ("" when there is no such alert). */
void		 alert_person_code(struct shelters *, int64_t id,
		    int64_t person, char *code, size_t len);
/* The keyed MAC (CRYPT_MAC_BYTES) of an E.164 phone number, as
 * alert_recipients.phone_mac holds it. */
void		 alert_phone_mac(struct shelters *, const char *e164,
		    uint8_t *mac);
/* The signed link token of (alert, person), good until expiry: base64url
 * (a new string). */
char		*alert_token(struct shelters *, int64_t alert, int64_t person,
		    int64_t expiry);
/* The (alert, person) of a link token, checked; -1 with *cause a word
 * for the log ("bad_token", "expired_token"). */
int		 alert_token_parse(struct shelters *, const char *token,
		    int64_t now, int64_t *alert, int64_t *person, char **cause);

/* ---- alert.c: alerts ---- */

/* Whom alert_close() tells that the lodging is no longer available. */
enum alert_tell { TELL_NOBODY, TELL_ALL, TELL_CLAIMER };

/* "cli", "sms", "link"; NULL for VIA_NONE. */
const char	*alert_via_name(enum alert_via);

/*
 * Open an alert for sc at now and alert its notify audience (the
 * escalation level at once when nobody is on call); *id is the new
 * alert's.  In the caller's transaction, like every function below that
 * writes.  0 or -1 with *cause.
 */
int		 alert_open(struct shelters *, const struct shelter_conf *,
		    int64_t now, int64_t *id, char **cause);
/* Close alert id (0: none) for why, telling those tell says. */
int		 alert_close(struct shelters *, int64_t id, const char *why,
		    enum alert_tell, int64_t now, char **cause);
/* The step of alert id due at now: escalate, repeat, or give up. */
int		 alert_step(struct shelters *, int64_t id, int64_t now,
		    char **cause);

/* What a claim needs to know of the alert it names. */
struct alert_ref {
	char		 shelter[SHELTER_NAME_MAX];
	char		 code[ALERT_CODE_LEN];	/* the alert's own */
};
/*
 * The alert's half of a claim of alert id by who, before the shelter
 * moves: the alert must be open (a late claim queues "déjà pris" to an
 * alerted claimer and fails with ERR_CONFLICT) and who may claim it.  0
 * with *ref, or -1 with err.
 */
int		 alert_claim_check(struct shelters *, int64_t id,
		    const struct sactor *, struct alert_ref *ref,
		    struct error *);
/* The rest, once the shelter is held until until: the alert is claimed,
 * the claimer confirmed and the others told.  0 or -1 with err. */
int		 alert_claim_done(struct shelters *, int64_t id,
		    const struct sactor *, int64_t until, int64_t now,
		    struct error *);

/* Whether person is a recipient of alert id. */
int		 alert_recipient(struct shelters *, int64_t id, int64_t person);
/*
 * Queue kind of alert id to person (0: to the coordinators) on the
 * channels of mask (CHAN_BIT()s), in the caller's transaction; sent once:
 * the outbox key.
 */
int		 alert_notify(struct shelters *, int64_t id, const char *kind,
		    int64_t person, unsigned mask, int64_t now, char **cause);

/* ---- alert_json.c: what the API shows of alerts ---- */

/* Alert id as the API shows it (shelter.h); null when there is none. */
json_t		*alert_json(struct shelters *, int64_t id);
/* The limit latest alerts, newest first. */
json_t		*alert_list(struct shelters *, int64_t limit);
/* Whether alert id is open; its own code in code ("" when no such
 * alert). */
int		 alert_is_open(struct shelters *, int64_t id, char *code,
		    size_t len);

/* ---- shelter.c: rows, moves, the timer ---- */

int		 shelter_row(struct shelters *, const char *name,
		    struct srow *);
/*
 * The one transition function: move row by cause, or refuse with
 * ERR_CONFLICT (the state and what it allows).  What the move implies to
 * the alerts, the row and its history, in the caller's transaction.
 */
int		 shelter_move(struct shelters *, const struct shelter_conf *,
		    struct srow *, enum scause, const struct sactor *,
		    int64_t now, struct error *);

/* ---- shelter_ops.c: the API's and the listeners' requests ---- */

/* A claim from outside (SMS, link) in its own transaction; a late one is
 * kept too (its "déjà pris").  0, or -1 with err. */
int		 shelter_claim_txn(struct shelters *, int64_t id,
		    struct sactor *, json_t **result, struct error *);

/* ---- claim.c: SMS replies ---- */

/* The code of an SMS reply ("Ok 123456 merci"): 0, or -1 when the reply is
 * not understood as a claim. */
int		 claim_parse(const char *text, char *code, size_t len);

#endif
