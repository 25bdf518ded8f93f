/*
 * ctl_words.c: the French words of the API's values, one table for the
 * whole client (ctl_words.h); the Belgian national form of phone numbers;
 * the SQLite messages the client may still receive in English.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl_words.h"
#include "util.h"

/* Every value the client shows in words, by set. */
static const struct {
	enum ctl_wordset	 set;
	const char		*value, *word;
} ctl_wordtab[] = {
	{ CTL_W_ROLE, "referent", "référent" },
	{ CTL_W_ROLE, "platform", "plateforme" },
	{ CTL_W_ROLE, "oncall", "de garde" },
	{ CTL_W_ROLE, "coordinator", "coordination" },
	{ CTL_W_ROLE, "animator", "animation" },
	{ CTL_W_ROLE, "partner", "partenaire" },

	{ CTL_W_KIND, "platform", "plateforme" },
	{ CTL_W_KIND, "training", "formation" },
	{ CTL_W_KIND, "cabane", "La Cabane" },
	{ CTL_W_KIND, "awareness", "sensibilisation" },
	{ CTL_W_KIND, "other", "autre" },

	{ CTL_W_SHELTER, "occupied", "occupé" },
	{ CTL_W_SHELTER, "vacant", "libre (alerte ouverte)" },
	{ CTL_W_SHELTER, "reserved", "réservé" },
	{ CTL_W_SHELTER, "unavailable", "indisponible" },

	{ CTL_W_ALERT, "open", "ouverte" },
	{ CTL_W_ALERT, "claimed", "réservée" },
	{ CTL_W_ALERT, "closed", "close" },

	{ CTL_W_OUTBOX, "pending", "en attente" },
	{ CTL_W_OUTBOX, "sent", "envoyé" },
	{ CTL_W_OUTBOX, "failed", "en échec" },
	{ CTL_W_OUTBOX, "cancelled", "annulé" },
	{ CTL_W_OUTBOX, "delivered", "délivré" },
	{ CTL_W_OUTBOX, "undelivered", "non délivré" },

	{ CTL_W_MESSAGE, "reminder", "rappel" },
	{ CTL_W_MESSAGE, "alert", "alerte" },
	{ CTL_W_MESSAGE, "alert_closed", "fin d'alerte" },
	{ CTL_W_MESSAGE, "alert_confirm", "réservation confirmée" },
	{ CTL_W_MESSAGE, "alert_late", "réponse trop tard" },
	{ CTL_W_MESSAGE, "alert_locked", "SMS bloqués" },
	{ CTL_W_MESSAGE, "alert_no_oncall", "personne de garde" },
	{ CTL_W_MESSAGE, "alert_nobody", "sans réponse" },
	{ CTL_W_MESSAGE, "alert_taken", "déjà réservé" },
	{ CTL_W_MESSAGE, "alert_unclear", "réponse incomprise" },
	{ CTL_W_MESSAGE, "alarm", "alarme technique" },
	{ CTL_W_MESSAGE, "alarm_clear", "rétabli" },

	{ CTL_W_CHANNEL, "email", "e-mail" },
	{ CTL_W_CHANNEL, "sms", "SMS" },

	{ CTL_W_ACTION, "people.add", "personne ajoutée" },
	{ CTL_W_ACTION, "people.edit", "personne modifiée" },
	{ CTL_W_ACTION, "people.remove", "personne effacée" },
	{ CTL_W_ACTION, "people.feed", "agenda personnel donné" },
	{ CTL_W_ACTION, "people.feed_reset", "agenda personnel renouvelé" },
	{ CTL_W_ACTION, "events.add", "événement ajouté" },
	{ CTL_W_ACTION, "events.edit", "événement modifié" },
	{ CTL_W_ACTION, "events.remove", "événement supprimé" },
	{ CTL_W_ACTION, "events.import", "calendrier importé" },
	{ CTL_W_ACTION, "oncall.set", "garde ajoutée" },
	{ CTL_W_ACTION, "oncall.remove", "garde supprimée" },
	{ CTL_W_ACTION, "outbox.retry", "message renvoyé" },
	{ CTL_W_ACTION, "reload", "configuration rechargée" },
	{ CTL_W_ACTION, "shelter.vacate", "logement libéré" },
	{ CTL_W_ACTION, "shelter.occupy", "logement occupé" },
	{ CTL_W_ACTION, "shelter.unavailable", "logement indisponible" },
	{ CTL_W_ACTION, "alert.claim", "logement réservé" },
	{ CTL_W_ACTION, "alert.claim_late", "réservation trop tard" },
	{ CTL_W_ACTION, "alert.sms_locked", "SMS bloqués" },
	{ CTL_W_ACTION, "people.list", "annuaire lu" },
	{ CTL_W_ACTION, "people.show", "fiche lue" },
	{ CTL_W_ACTION, "outbox.body", "message lu" },
	{ CTL_W_ACTION, "events.export", "calendrier exporté" },

	{ CTL_W_OBJECT, "person", "personne" },
	{ CTL_W_OBJECT, "event", "événement" },
	{ CTL_W_OBJECT, "calendar", "calendrier" },
	{ CTL_W_OBJECT, "oncall", "garde" },
	{ CTL_W_OBJECT, "message", "message" },
	{ CTL_W_OBJECT, "config", "configuration" },
	{ CTL_W_OBJECT, "alert", "alerte" },
	{ CTL_W_OBJECT, "shelter", "logement" },

	{ CTL_W_CAUSE, "vacate", "libéré" },
	{ CTL_W_CAUSE, "claim", "réservation" },
	{ CTL_W_CAUSE, "occupy", "occupé" },
	{ CTL_W_CAUSE, "unavailable", "indisponible" },
	{ CTL_W_CAUSE, "hold_expired", "réservation expirée" },
	{ CTL_W_CAUSE, "configured", "configuration" },

	{ CTL_W_VIA, "cli", "stoppvifctl" },
	{ CTL_W_VIA, "sms", "SMS" },
	{ CTL_W_VIA, "link", "lien" },
	{ CTL_W_VIA, "web", "console web" },

	{ CTL_W_OUTCOME, "imported", "importé" },
	{ CTL_W_OUTCOME, "adapted", "adapté" },
	{ CTL_W_OUTCOME, "skipped", "non importé" },

	{ CTL_W_ACCESS, "viewer", "lecteur" },
	{ CTL_W_ACCESS, "coordinator", "coordinateur" },
	{ CTL_W_ACCESS, "admin", "administrateur" },
};

/* The SQLite messages a store error may quote, and what they mean. */
static const struct {
	const char	*english, *french;
} ctl_sqlite_errors[] = {
	{ "database or disk is full", "le disque de la base de données est "
	    "plein : libérez de la place, puis réessayez" },
	{ "database is locked", "la base de données est occupée par un "
	    "autre programme : réessayez dans un instant" },
	{ "attempt to write a readonly database", "la base de données est "
	    "en lecture seule : le démon ne peut rien y écrire (droits du "
	    "fichier ?)" },
	{ "disk I/O error", "erreur de lecture ou d'écriture sur le disque "
	    "de la base de données" },
	{ "database disk image is malformed", "la base de données est "
	    "endommagée : prévenez l'administrateur" },
	{ "unable to open database file", "impossible d'ouvrir la base de "
	    "données" },
};

#define NWORDS	(sizeof ctl_wordtab / sizeof ctl_wordtab[0])
#define NSQLITE	(sizeof ctl_sqlite_errors / sizeof ctl_sqlite_errors[0])

/* The French word of a value of one set. */
const char *
ctl_word(enum ctl_wordset set, const char *value)
{
	size_t	 i;

	if (value == NULL)
		return "-";
	for (i = 0; i < NWORDS; i++)
		if (ctl_wordtab[i].set == set &&
		    strcmp(ctl_wordtab[i].value, value) == 0)
			return ctl_wordtab[i].word;
	return value;
}

/* Append word to the growing list *s, after ", ". */
static void
ctl_words_add(char **s, const char *word)
{
	char	*tmp;

	xasprintf(&tmp, "%s%s%s", *s ? *s : "", *s ? ", " : "", word);
	free(*s);
	*s = tmp;
}

/* The words of an array of values, joined with ", ". */
char *
ctl_words(enum ctl_wordset set, json_t *values)
{
	json_t	*v;
	char	*s = NULL;
	size_t	 i;

	json_array_foreach(values, i, v)
		ctl_words_add(&s, ctl_word(set, json_string_value(v)));
	return s != NULL ? s : xstrdup("");
}

/* "role:R" as the role's word, "person:ID" as "personne ID". */
char *
ctl_audience_text(json_t *items)
{
	json_t		*v;
	const char	*item;
	char		*s = NULL, *one;
	size_t		 i;

	json_array_foreach(items, i, v) {
		if ((item = json_string_value(v)) == NULL)
			continue;
		if (strncmp(item, "role:", 5) == 0)
			one = xstrdup(ctl_word(CTL_W_ROLE, item + 5));
		else if (strncmp(item, "person:", 7) == 0)
			xasprintf(&one, "personne %s", item + 7);
		else
			one = xstrdup(item);
		ctl_words_add(&s, one);
		free(one);
	}
	return s != NULL ? s : xstrdup("");
}

/* "KIND:NAME" as "WORD NAME", a bare kind as its word. */
char *
ctl_object_text(const char *object)
{
	const char	*colon;
	char		*kind, *s;

	if (object == NULL)
		return xstrdup("-");
	if ((colon = strchr(object, ':')) == NULL)
		return xstrdup(ctl_word(CTL_W_OBJECT, object));
	kind = xstrndup(object, colon - object);
	xasprintf(&s, "%s %s", ctl_word(CTL_W_OBJECT, kind), colon + 1);
	free(kind);
	return s;
}

/* "uid:N" as "utilisateur N", "person:ID" as "personne ID", "sms:ID" and
 * "link:ID" as a claim of person ID by SMS or by link, "daemon" as "le
 * démon". */
char *
ctl_actor_text(const char *actor)
{
	char	*s;

	if (actor == NULL)
		return xstrdup("-");
	if (strncmp(actor, "uid:", 4) == 0)
		xasprintf(&s, "utilisateur %s", actor + 4);
	else if (strncmp(actor, "person:", 7) == 0)
		xasprintf(&s, "personne %s", actor + 7);
	else if (strncmp(actor, "sms:", 4) == 0)
		xasprintf(&s, "SMS de la personne %s", actor + 4);
	else if (strncmp(actor, "link:", 5) == 0)
		xasprintf(&s, "lien de la personne %s", actor + 5);
	else if (strcmp(actor, "daemon") == 0)
		s = xstrdup("le démon");
	else
		s = xstrdup(actor);
	return s;
}

/*
 * Belgian numbers after +32: a GSM (9 digits, 04xx) "0470 99 00 01"; the
 * zones of one digit (Brussels 2, Antwerp 3, Liège 4, Ghent 9) "04 361 55
 * 81"; the other zones, of two digits, "087 12 34 56".  Anything else, a
 * foreign number included, stays E.164.
 */
char *
ctl_phone_text(const char *e164)
{
	const char	*n;
	char		*s;
	size_t		 len;

	if (e164 == NULL)
		return xstrdup("-");
	if (strncmp(e164, "+32", 3) != 0)
		return xstrdup(e164);
	n = e164 + 3;
	len = strlen(n);
	if (strspn(n, "0123456789") != len)
		return xstrdup(e164);
	if (len == 9 && n[0] == '4')
		xasprintf(&s, "0%.3s %.2s %.2s %.2s", n, n + 3, n + 5, n + 7);
	else if (len == 8 && strchr("2349", n[0]) != NULL)
		xasprintf(&s, "0%c %.3s %.2s %.2s", n[0], n + 1, n + 4, n + 6);
	else if (len == 8)
		xasprintf(&s, "0%.2s %.2s %.2s %.2s", n, n + 2, n + 4, n + 6);
	else
		s = xstrdup(e164);
	return s;
}

/* The French of a SQLite message quoted in message, or NULL. */
const char *
ctl_store_error(const char *message)
{
	size_t	 i;

	for (i = 0; message != NULL && i < NSQLITE; i++)
		if (strstr(message, ctl_sqlite_errors[i].english) != NULL)
			return ctl_sqlite_errors[i].french;
	return NULL;
}
