/*
 * ctl_words.h: the words stoppvifctl shows for the API's values, written
 * once: the API speaks English codes ("referent", "sent", "people.add"),
 * the people who read the client read French ("référent", "envoyé",
 * "personne ajoutée").  Also the phone numbers in the Belgian national
 * form, and the few SQLite messages that may reach the client untranslated.
 *
 * The values themselves stay as they are in --json: that output is the
 * stable interface for scripts.  This module is at the bottom of the
 * client, beside ctl_io.c: it calls nothing of the client.
 */
#ifndef STOPPVIF_CTL_WORDS_H
#define STOPPVIF_CTL_WORDS_H

#include <jansson.h>

/* What a value names, to find its word. */
enum ctl_wordset {
	CTL_W_ROLE,		/* a person's role (audience.h) */
	CTL_W_KIND,		/* an event's kind (calendar.h) */
	CTL_W_SHELTER,		/* a shelter's state */
	CTL_W_ALERT,		/* an alert's status */
	CTL_W_OUTBOX,		/* a message's status in the outbox */
	CTL_W_MESSAGE,		/* a message's kind */
	CTL_W_CHANNEL,		/* a channel (chan.h) */
	CTL_W_ACTION,		/* an action of the audit log */
	CTL_W_OBJECT,		/* the kind of object of an audit entry */
	CTL_W_CAUSE,		/* the cause of a shelter's move */
	CTL_W_VIA,		/* how an alert was claimed */
	CTL_W_OUTCOME,		/* what an import did with an event */
	CTL_W_ACCESS,		/* a caller's role on the control API */
};

/* The French word of value; value itself when it has none, "-" for NULL. */
const char	*ctl_word(enum ctl_wordset, const char *value);
/* The words of a JSON array of values, joined with ", " (new string). */
char		*ctl_words(enum ctl_wordset, json_t *values);
/* An audience ("role:oncall", "person:12") in words: "de garde,
 * personne 12" (new string). */
char		*ctl_audience_text(json_t *items);
/* An audit entry's object ("person", "shelter:aisova") in words (new
 * string). */
char		*ctl_object_text(const char *object);
/* A shelter move's actor ("uid:0", "person:12", "daemon") in words (new
 * string). */
char		*ctl_actor_text(const char *actor);

/* An E.164 number as people write it: "0470 99 00 01", "04 361 55 81"
 * for Belgian numbers, foreign ones as they are (new string). */
char		*ctl_phone_text(const char *e164);

/* A store error that reached the client in SQLite's English, in French;
 * NULL when message is not one of them. */
const char	*ctl_store_error(const char *message);

#endif
