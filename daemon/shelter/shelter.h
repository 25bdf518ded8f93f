/*
 * shelter.h: the emergency apartments, the on-call rota and the alerts.
 *
 * A shelter is configured by a [shelter.NAME] section and is in one of four
 * states: occupied, vacant (an alert is open), reserved (claimed, by whom,
 * until when) or unavailable (works, cleaning).  One transition function
 * owns the rules; an illegal move is refused with the current state and the
 * moves allowed from it.  Every move, with its cause and actor, goes into
 * the shelter's history and the audit log, in the caller's transaction
 * together with the messages it causes (urgent outbox rows).
 *
 * Vacating opens an alert with a code of its own (code_digits, 6 by
 * default; its reference for the control socket and the coordinators) and
 * alerts the level-1 audience (notify: role:oncall means the people on call
 * right now by the rota), each person with a code of their own: an SMS
 * reply claims only with the code of the phone it comes from (claim.c).  With no claim after
 * escalate_after the escalate_to audience is alerted too, then the alert is
 * sent again every repeat, repeat_max times; when that chain is exhausted the
 * coordinators get "nobody answered".  Nobody on call: straight to the
 * escalation level, and the coordinators are told.  The first claim wins
 * (alerts ack, an SMS "OK 482113", a signed link); the claimer is confirmed,
 * every other alerted person told it is taken; a late claim is told "déjà
 * pris".  A claim holds the shelter for claim_hold: not confirmed occupied
 * by then, it is vacant again and a new alert goes out.
 *
 * The control API's shapes (times are local with their offset, as agenda
 * prints them: "2026-12-07T14:00:00+01:00"):
 *
 *	GET  /v1/shelters			[shelter, ...]
 *	GET  /v1/shelters/NAME			shelter + "history": [move, ...]
 *	POST /v1/shelters/NAME/vacate		shelter
 *	POST /v1/shelters/NAME/occupy		shelter
 *	POST /v1/shelters/NAME/unavailable	shelter
 *	GET  /v1/shelters/NAME/report?year=Y	report
 *	GET  /v1/alerts				[alert, ...] newest first
 *	POST /v1/alerts/ack {"code": "482113", "by": ID}  claim: the alert's
 *		code (by optional), or a person's own (by: that person unless
 *		given)
 *	GET  /v1/oncall?at=LOCAL		[slot, ...] covering at (now)
 *	GET  /v1/oncall?from=LOCAL&to=LOCAL	[slot, ...] overlapping
 *		[from, to), by start (a week of the rota)
 *	POST /v1/oncall {"person": ID, "from": LOCAL, "to": LOCAL}  {"id": n}
 *	DELETE /v1/oncall/ID			{"id": n, "removed": true}
 *
 *	shelter	{"name", "title", "state", "since", "alert": alert|null,
 *		 "reserved_by": {"id", "name"}|null, "reserved_until": T|null}
 *	move	{"at", "from", "to", "cause", "actor"}
 *	alert	{"id", "shelter", "code", "status" (open|claimed|closed),
 *		 "opened", "level" (1|2), "repeats", "next": T|null,
 *		 "exhausted": bool, "notified": n,
 *		 "alerted": [{"id", "name"}, ...]: everyone it reached,
 *		 "claimed_by": {"id", "name"}|null, "claimed_at": T|null,
 *		 "via": "cli"|"sms"|"link"|null, "closed": T|null,
 *		 "locked": [{"id", "name"}, ...]: phones locked out of SMS
 *		 replies after ALERT_MAX_BAD_TRIES wrong codes}
 *	claim	{"alert": id, "shelter", "code", "reserved_until": T,
 *		 "claimed_by": {"id", "name"}|null}
 *		a late claim is refused as ERR_CONFLICT, "déjà pris"
 *	report	{"shelter", "year", "from", "to" (the period observed),
 *		 "days": {"occupied", "vacant", "reserved", "unavailable"},
 *		 "days_observed", "occupancy" (percent, 1 decimal),
 *		 "alerts", "claimed", "escalated", "unanswered",
 *		 "claim_median_s"|null, "claim_worst_s"|null,
 *		 "months": [{"month": "2026-01", "days" (observed),
 *		 "occupied", "vacant", "reserved", "unavailable",
 *		 "occupancy"|null}, ...] the 12 months of the year}
 *	slot	{"id", "person", "name", "from", "to"}
 *
 * LOCAL is "YYYY-MM-DDTHH:MM[:SS]" in the daemon's time zone.
 */
#ifndef STOPPVIF_SHELTER_H
#define STOPPVIF_SHELTER_H

#include <sys/types.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"

struct event_base;
struct store;
struct crypt_key;
struct config;

struct shelters;

/*
 * Check the [shelter.NAME] sections of conf: every problem, one a line, as
 * "file:line: key: ..." in *cause.  0 or -1.
 */
int	 shelter_conf_check(const struct config *, char **cause);

/*
 * Start: the shelters of *conf get their row (occupied at first), the
 * timers of open alerts and holds are armed from the database.  done(arg)
 * is called after every transaction that queued messages (kick the
 * dispatcher).  NULL with *cause.
 */
struct shelters	*shelter_new(struct event_base *, struct store *,
		    const struct crypt_key *master, struct config **conf,
		    void (*queued)(void *), void *arg, char **cause);
void		 shelter_free(struct shelters *);
/* The configuration was reloaded: add new shelters, re-arm.  0 or -1. */
int		 shelter_reload(struct shelters *, char **cause);
/* Arm the timer for the next escalation step or end of a hold (after the
 * API's transactions). */
void		 shelter_arm(struct shelters *);
/* Messages were queued (by anyone): the dead-man's switch (alarm.h)
 * looks at the urgent queue again. */
void		 shelter_queued(struct shelters *);

/* The API's answers (shapes above); NULL or -1 with err naming the field.
 * The acts and the ack run in the caller's transaction; actor is who the
 * shelter's history names ("uid:1000", "web:marie"). */
json_t		*shelter_list(struct shelters *);
json_t		*shelter_show(struct shelters *, const char *name,
		    struct error *);
int		 shelter_act(struct shelters *, const char *name,
		    const char *what, const char *actor, json_t **result,
		    struct error *);
json_t		*shelter_report(struct shelters *, const char *name,
		    const char *year, struct error *);
json_t		*shelter_alerts(struct shelters *);
int		 shelter_ack(struct shelters *, json_t *req, const char *actor,
		    json_t **result, struct error *);
/*
 * [{"name", "title", "state", "since", "alert_open", "code"}] for status:
 * "code", the open alert's (a claim credential, as stoppvifctl alerts ack
 * takes it), only when codes is true (coordinators), else null.
 */
json_t		*shelter_status(struct shelters *, int codes);
/* Set the gauge of open alerts (metrics.h) at a scrape; NULL: none. */
void		 shelter_scrape(struct shelters *);

/*
 * An SMS from a phone through the gateway (claim.c): "OK 482113" with the
 * code of the phone it comes from claims; a reply from an alerted phone
 * that claims nothing gets one "not understood" back per alert, and five
 * wrong codes lock that phone out of the alert; a number no alert reached
 * is logged and ignored, never answered.  Its own transactions.
 */
void		 shelter_sms(struct shelters *, const char *from,
		    const char *text);

/* What the page of a signed link shows. */
enum page_what {
	PAGE_REFUSED,	/* tampered, expired, or not for an alerted person */
	PAGE_OFFER,	/* GET of an open alert: the form to claim it */
	PAGE_WON,	/* POST that claimed it */
	PAGE_TAKEN,	/* already claimed or closed */
	PAGE_ERROR,	/* the claim failed for another reason */
};
struct shelter_page {
	enum page_what	 what;
	char		 lang[4];
	char		 code[12];	/* the person's own code */
	char		 until[96];	/* PAGE_WON: the end of the hold, in
					   words of lang */
};
/*
 * The page of link token: with claim (a POST), claim the alert for the
 * person the link was made for.  -1 when the token is refused.
 */
int		 shelter_link(struct shelters *, const char *token, int claim,
		    struct shelter_page *);

#endif
