/*
 * web_dash.c: the console's first page, what each role needs at a glance:
 * the apartments' state, the open alert (for an on-call account, the way
 * to take it), the next occurrences of the agenda, the messages that
 * failed and the health of the channels.
 *
 * What a card shows follows the API roles: names (who reserved, who was
 * alerted, to whom a message failed) only to coordinators; a viewer gets
 * states and counts, as stoppvifctl status gives them.  An on-call account
 * reads the open alerts with the coordinators' API role (web_api_as) to
 * link to them, and is shown no name either.  No alert's code is ever
 * written: it is a claim credential of the SMS path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "calendar.h"
#include "config.h"
#include "datefmt.h"
#include "html.h"
#include "recur.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"
#include "web_int.h"
#include "web_shelter.h"

#define WD_AGENDA_DAYS	92	/* the window searched for the next ones */
#define WD_AGENDA_SHOWN	10	/* occurrences shown */
#define WD_FAILED_SHOWN	5	/* failed messages shown */
#define WD_REASON	160	/* characters of an error's reason */

/* n in decimal into buf; returns buf. */
static const char *
wd_num(json_int_t n, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", (long long)n);
	return buf;
}

/*
 * A UTC time of the API ("2026-12-07T13:05:00Z": the channels, the
 * outbox) in words of the daemon's zone; the text as it is when it cannot
 * be read.
 */
static const char *
wd_utc(struct web_ctx *ctx, const char *utc, char *buf, size_t len)
{
	struct recur_civil	 c;
	const struct tz		*zone;
	char			 day[sizeof "YYYY-MM-DDTHH:MM:SS"];
	char			 local[RECUR_FMT_LEN];

	if (utc == NULL)
		return "?";
	zone = tz_cached((*ctx->env->conf)->timezone, NULL);
	if (zone == NULL || strlen(utc) < sizeof day - 1)
		return web_date(ctx, utc, DATEFMT_LONG, buf, len);
	memcpy(day, utc, sizeof day - 1);
	day[sizeof day - 1] = '\0';
	if (recur_civil_parse(day, &c, NULL) == -1)
		return web_date(ctx, utc, DATEFMT_LONG, buf, len);
	return web_date(ctx, calendar_instant(zone, recur_civil_secs(&c),
	    local, sizeof local), DATEFMT_LONG, buf, len);
}

/* The UTC seconds of a local time of the API with its offset
 * ("2026-12-07T14:00:00+01:00"), or -1. */
static int64_t
wd_secs(const char *t)
{
	struct recur_civil	 c;
	char			 day[sizeof "YYYY-MM-DDTHH:MM:SS"];
	int			 h, m;

	if (t == NULL || strlen(t) != sizeof day - 1 + 6)
		return -1;
	memcpy(day, t, sizeof day - 1);
	day[sizeof day - 1] = '\0';
	if (recur_civil_parse(day, &c, NULL) == -1 || (t[19] != '+' &&
	    t[19] != '-') || sscanf(t + 20, "%2d:%2d", &h, &m) != 2)
		return -1;
	return recur_civil_secs(&c) - (t[19] == '-' ? -1 : 1) *
	    (int64_t)(h * 3600 + m * 60);
}

/* Open a card with its heading. */
static void
wd_card(struct web_ctx *ctx, const char *heading)
{
	html_tpl(ctx->body, "<section class=\"card\"><h2>{h}</h2>", "h",
	    heading, (char *)NULL);
}

/* One apartment: its badge, since when, and for a coordinator who
 * reserved it until when. */
static void
wd_shelter(struct web_ctx *ctx, const json_t *sh)
{
	char		*esc, when[128];

	esc = html_urlencode(web_str(sh, "name") ? web_str(sh, "name") : "");
	html_tpl(ctx->body, "<p><a href=\"/shelters/{h}\">{n}</a> ", "h", esc,
	    "n", web_str(sh, "title") ? web_str(sh, "title") : web_str(sh,
	    "name"), (char *)NULL);
	free(esc);
	web_shelter_badge(ctx, web_str(sh, "state"));
	if (web_str(sh, "since") != NULL)
		html_tpl(ctx->body, " <span class=\"muted\">{d} {w}</span>",
		    "d", W(ctx, "depuis", "sinds", "seit", "since"), "w",
		    web_date(ctx, web_str(sh, "since"), DATEFMT_LONG, when,
		    sizeof when),
		    (char *)NULL);
	html_raw(ctx->body, "</p>");
	if (ctx->user->role >= WEB_ROLE_COORDINATOR)
		web_shelter_reserved(ctx, sh);
}

/* The apartments' card: a coordinator's from /v1/shelters (who reserved
 * them), the others' from the status. */
static void
wd_shelters(struct web_ctx *ctx, const json_t *status)
{
	json_t		*reply = NULL, *sh;
	const json_t	*list = json_object_get(status, "shelters");
	size_t		 i;

	if (json_array_size(list) == 0)
		return;
	if (ctx->user->role >= WEB_ROLE_COORDINATOR &&
	    web_api(ctx, "GET", "/v1/shelters", NULL, &reply) == 200 &&
	    json_is_array(reply))
		list = reply;
	wd_card(ctx, W(ctx, "Logement", "Woning", "Wohnung", "Apartment"));
	json_array_foreach(list, i, sh)
		wd_shelter(ctx, sh);
	html_raw(ctx->body, "</section>");
	json_decref(reply);
}

/* One open alert: when, level, how many alerted (and who, for a
 * coordinator), the next step, and the link to its page. */
static void
wd_alert(struct web_ctx *ctx, const json_t *a)
{
	json_t		*p;
	char		 when[128], n[24], href[48];
	size_t		 i;
	json_int_t	 id = json_integer_value(json_object_get(a, "id"));

	wd_card(ctx, W(ctx, "Alerte ouverte", "Open alarm", "Offener Alarm",
	    "Open alert"));
	html_tpl(ctx->body, "<p>{s} — {o} {w}</p>", "s", web_str(a, "shelter"),
	    "o", W(ctx, "ouverte le", "geopend op", "geöffnet am",
	    "opened on"), "w", web_date(ctx, web_str(a, "opened"),
	    DATEFMT_LONG, when, sizeof when), (char *)NULL);
	html_tpl(ctx->body, "<p>{l} {v} — {n} {p}</p>", "l", W(ctx, "Niveau",
	    "Niveau", "Stufe", "Level"), "v", json_integer_value(
	    json_object_get(a, "level")) >= 2 ? "2" : "1", "n", wd_num(
	    json_integer_value(json_object_get(a, "notified")), n, sizeof n),
	    "p", W(ctx, "personne(s) alertée(s)", "persoon/personen "
	    "gealarmeerd", "Person(en) alarmiert", "person(s) alerted"),
	    (char *)NULL);
	if (ctx->user->role >= WEB_ROLE_COORDINATOR &&
	    json_array_size(json_object_get(a, "alerted")) > 0) {
		html_raw(ctx->body, "<ul>");
		json_array_foreach(json_object_get(a, "alerted"), i, p)
			html_tpl(ctx->body, "<li>{n}</li>", "n", web_str(p,
			    "name") ? web_str(p, "name") : "?", (char *)NULL);
		html_raw(ctx->body, "</ul>");
	}
	if (web_str(a, "next") != NULL)
		html_tpl(ctx->body, "<p>{x} {w}</p>", "x", W(ctx, "Prochain "
		    "envoi :", "Volgende verzending:", "Nächster Versand:",
		    "Next sending:"), "w", web_date(ctx, web_str(a, "next"),
		    DATEFMT_LONG, when, sizeof when), (char *)NULL);
	snprintf(href, sizeof href, "/alerts/%lld", (long long)id);
	html_tpl(ctx->body, "<p class=\"actions\"><a class=\"btn{c}\" "
	    "href=\"{h}\">{l}</a></p></section>", "c",
	    ctx->user->role == WEB_ROLE_ONCALL ? " primary claim" : "", "h",
	    href, "l", ctx->user->role == WEB_ROLE_ONCALL ? W(ctx, "Voir "
	    "l'alerte et la prendre", "Het alarm bekijken en nemen",
	    "Alarm ansehen und übernehmen", "See the alert and take it") :
	    W(ctx, "Voir l'alerte", "Het alarm bekijken", "Alarm ansehen",
	    "See the alert"), (char *)NULL);
}

/* The open alerts (on-call and coordinators): read with the
 * coordinators' role, an on-call account's own being too low. */
static void
wd_alerts(struct web_ctx *ctx)
{
	json_t	*reply = NULL, *a;
	size_t	 i;

	if (ctx->user->role < WEB_ROLE_ONCALL)
		return;
	if (web_api_as(ctx, API_ROLE_COORDINATOR, "GET", "/v1/alerts", NULL,
	    &reply) == 200)
		json_array_foreach(reply, i, a)
			if (web_str(a, "status") != NULL &&
			    strcmp(web_str(a, "status"), "open") == 0)
				wd_alert(ctx, a);
	json_decref(reply);
}

/* One occurrence of the agenda. */
static void
wd_occurrence(struct web_ctx *ctx, const json_t *o)
{
	char	 when[128], id[24];

	html_tpl(ctx->body, "<li><a href=\"/calendar/{i}\">{t}</a><br>"
	    "<span class=\"muted\">{w}", "i", wd_num(json_integer_value(
	    json_object_get(o, "event")), id, sizeof id), "t", web_str(o,
	    "title"), "w", web_date(ctx, web_str(o, "start"), DATEFMT_LONG, when,
	    sizeof when), (char *)NULL);
	if (web_str(o, "commune") != NULL)
		html_tpl(ctx->body, " — {c}", "c", web_str(o, "commune"),
		    (char *)NULL);
	html_raw(ctx->body, "</span></li>");
}

/* The next occurrences of the agenda, those not over yet. */
static void
wd_agenda(struct web_ctx *ctx)
{
	json_t	*reply = NULL, *o;
	char	 path[48];
	size_t	 i, shown = 0;

	wd_card(ctx, W(ctx, "Prochains rendez-vous", "Volgende afspraken",
	    "Nächste Termine", "Coming up"));
	snprintf(path, sizeof path, "/v1/agenda?days=%d", WD_AGENDA_DAYS);
	if (web_api(ctx, "GET", path, NULL, &reply) != 200) {
		html_tpl(ctx->body, "<p class=\"bad\">{m}</p>", "m", W(ctx,
		    "L'agenda n'a pas pu être lu.", "De agenda kon niet "
		    "gelezen worden.", "Die Agenda konnte nicht gelesen "
		    "werden.", "The agenda could not be read."), (char *)NULL);
		json_decref(reply);
		html_raw(ctx->body, "</section>");
		return;
	}
	json_array_foreach(reply, i, o) {
		if (shown >= WD_AGENDA_SHOWN)
			break;
		if (wd_secs(web_str(o, "end")) != -1 &&
		    wd_secs(web_str(o, "end")) < ctx->now)
			continue;
		if (shown++ == 0)
			html_raw(ctx->body, "<ul>");
		wd_occurrence(ctx, o);
	}
	if (shown > 0)
		html_raw(ctx->body, "</ul>");
	else
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p>", "m", W(ctx,
		    "Rien de prévu dans les trois mois.", "Niets gepland in "
		    "de komende drie maanden.", "Nichts geplant in den "
		    "nächsten drei Monaten.", "Nothing planned in the next "
		    "three months."), (char *)NULL);
	html_raw(ctx->body, "</section>");
	json_decref(reply);
}

/* A channel's name in words: "e-mail", "SMS". */
static const char *
wd_channel(const char *name)
{
	if (name != NULL && strcmp(name, "email") == 0)
		return "e-mail";
	if (name != NULL && strcmp(name, "sms") == 0)
		return "SMS";
	return name != NULL ? name : "?";
}

/* The last failed messages, for a coordinator: channel, person, when,
 * why. */
static void
wd_failed_list(struct web_ctx *ctx)
{
	json_t	*reply = NULL, *m;
	char	 path[64], when[128], id[24];
	size_t	 i;

	snprintf(path, sizeof path, "/v1/outbox?status=failed&limit=%d",
	    WD_FAILED_SHOWN);
	if (web_api(ctx, "GET", path, NULL, &reply) != 200 ||
	    json_array_size(reply) == 0) {
		json_decref(reply);
		return;
	}
	html_raw(ctx->body, "<ul>");
	json_array_foreach(reply, i, m) {
		html_tpl(ctx->body, "<li>{c} — <a href=\"/people/{i}\">{p} {i}"
		    "</a> — {w}", "c", wd_channel(web_str(m, "channel")), "i",
		    wd_num(json_integer_value(json_object_get(m, "person")), id,
		    sizeof id), "p", W(ctx, "personne n°", "persoon nr.",
		    "Person Nr.", "person no."), "w", wd_utc(ctx, web_str(m,
		    "not_before"), when, sizeof when), (char *)NULL);
		if (web_str(m, "error") != NULL)
			html_tpl(ctx->body, "<br><span class=\"muted\">{e}"
			    "</span>", "e", UTF8_CUT(web_str(m, "error"),
			    WD_REASON), (char *)NULL);
		html_raw(ctx->body, "</li>");
	}
	html_raw(ctx->body, "</ul>");
	json_decref(reply);
}

/* The messages card: the counts of the status, and for a coordinator the
 * last failed ones. */
static void
wd_messages(struct web_ctx *ctx, const json_t *status)
{
	const json_t	*o = json_object_get(status, "outbox");
	json_int_t	 failed = json_integer_value(json_object_get(o,
			    "failed"));
	char		 n[4][24];

	wd_card(ctx, W(ctx, "Messages", "Berichten", "Nachrichten",
	    "Messages"));
	html_tpl(ctx->body, "<p>{p} {pw}, {s} {sw}, <span class=\"{fc}\">{f} "
	    "{fw}</span>, {c} {cw}</p>",
	    "p", wd_num(json_integer_value(json_object_get(o, "pending")),
	    n[0], sizeof n[0]), "pw", W(ctx, "en attente", "wachtend",
	    "wartend", "pending"),
	    "s", wd_num(json_integer_value(json_object_get(o, "sent")), n[1],
	    sizeof n[1]), "sw", W(ctx, "envoyé(s)", "verzonden", "gesendet",
	    "sent"),
	    "fc", failed > 0 ? "bad" : "ok", "f", wd_num(failed, n[2],
	    sizeof n[2]), "fw", W(ctx, "en échec", "mislukt",
	    "fehlgeschlagen", "failed"),
	    "c", wd_num(json_integer_value(json_object_get(o, "cancelled")),
	    n[3], sizeof n[3]), "cw", W(ctx, "annulé(s)", "geannuleerd",
	    "abgebrochen", "cancelled"), (char *)NULL);
	if (failed > 0 && ctx->user->role >= WEB_ROLE_COORDINATOR)
		wd_failed_list(ctx);
	html_raw(ctx->body, "</section>");
}

/* A readiness check's name in words: "base de données", "canal SMS". */
static void
wd_check(struct web_ctx *ctx, const char *check)
{
	if (check != NULL && strcmp(check, "database") == 0)
		html_text(ctx->body, W(ctx, "base de données", "databank",
		    "Datenbank", "database"));
	else if (check != NULL && strcmp(check, "scheduler") == 0)
		html_text(ctx->body, W(ctx, "planificateur de rappels",
		    "herinneringsplanner", "Erinnerungsplaner",
		    "reminder scheduler"));
	else if (check != NULL && strncmp(check, "channel ", 8) == 0)
		html_tpl(ctx->body, "{c} {n}", "c", W(ctx, "canal", "kanaal",
		    "Kanal", "channel"), "n", wd_channel(check + 8),
		    (char *)NULL);
	else
		html_text(ctx->body, check != NULL ? check : "?");
}

/* One channel's last success and last error. */
static void
wd_channel_line(struct web_ctx *ctx, const char *name, const json_t *ch)
{
	const json_t	*err = json_object_get(ch, "last_error");
	char		 when[128];

	html_tpl(ctx->body, "<li>{c} {n} — {s} : {w}", "c", W(ctx, "canal",
	    "kanaal", "Kanal", "channel"), "n", wd_channel(name), "s", W(ctx,
	    "dernier envoi réussi", "laatste geslaagde verzending",
	    "letzter erfolgreicher Versand", "last success"), "w",
	    web_str(ch, "last_success") != NULL ? wd_utc(ctx, web_str(ch,
	    "last_success"), when, sizeof when) : W(ctx, "aucun", "geen",
	    "keiner", "none"), (char *)NULL);
	if (json_is_object(err))
		html_tpl(ctx->body, "<br><span class=\"bad\">{l} : {w} — {r}"
		    "</span>", "l", W(ctx, "dernière erreur", "laatste fout",
		    "letzter Fehler", "last error"), "w", wd_utc(ctx,
		    web_str(err, "at"), when, sizeof when), "r", UTF8_CUT(
		    web_str(err, "reason") ? web_str(err, "reason") : "?",
		    WD_REASON), (char *)NULL);
	else
		html_tpl(ctx->body, "<br><span class=\"muted\">{l}</span>",
		    "l", W(ctx, "dernière erreur : aucune depuis le démarrage",
		    "laatste fout: geen sinds de start", "letzter Fehler: "
		    "keiner seit dem Start", "last error: none since start"),
		    (char *)NULL);
	html_raw(ctx->body, "</li>");
}

/* The health card: the readiness checks and each channel's outcomes. */
static void
wd_health(struct web_ctx *ctx, const json_t *status)
{
	const char	*name;
	json_t		*ck, *ch;
	size_t		 i;
	int		 ok = 1;

	json_array_foreach(json_object_get(status, "ready"), i, ck)
		ok &= json_is_true(json_object_get(ck, "ok"));
	wd_card(ctx, W(ctx, "État du service", "Toestand van de dienst",
	    "Zustand des Dienstes", "Service health"));
	html_tpl(ctx->body, "<p class=\"{c}\">{r} : {v}</p>", "c", ok ? "ok" :
	    "bad", "r", W(ctx, "prêt", "klaar", "bereit", "ready"), "v", ok ?
	    W(ctx, "oui (base de données, canaux, planificateur)", "ja "
	    "(databank, kanalen, planner)", "ja (Datenbank, Kanäle, "
	    "Planer)", "yes (database, channels, scheduler)") : W(ctx, "NON",
	    "NEE", "NEIN", "NO"), (char *)NULL);
	json_array_foreach(json_object_get(status, "ready"), i, ck) {
		if (json_is_true(json_object_get(ck, "ok")))
			continue;
		html_raw(ctx->body, "<p class=\"bad\">");
		wd_check(ctx, web_str(ck, "check"));
		html_tpl(ctx->body, " : {p}</p>", "p", web_str(ck, "problem") ?
		    web_str(ck, "problem") : "?", (char *)NULL);
	}
	html_raw(ctx->body, "<ul>");
	json_object_foreach(json_object_get(status, "channels"), name, ch)
		wd_channel_line(ctx, name, ch);
	html_raw(ctx->body, "</ul></section>");
}

void
web_dash(struct web_ctx *ctx)
{
	json_t	*status = NULL;
	int	 st;

	ctx->title = W(ctx, "Tableau de bord", "Overzicht", "Übersicht",
	    "Dashboard");
	if ((st = web_api(ctx, "GET", "/v1/status", NULL, &status)) != 200) {
		json_decref(status);
		web_shelter_down(ctx, st);
		return;
	}
	html_tpl(ctx->body, "<h1>{t}</h1><div class=\"grid\">", "t",
	    ctx->title, (char *)NULL);
	wd_alerts(ctx);
	wd_shelters(ctx, status);
	wd_agenda(ctx);
	wd_messages(ctx, status);
	wd_health(ctx, status);
	html_raw(ctx->body, "</div>");
	json_decref(status);
}
