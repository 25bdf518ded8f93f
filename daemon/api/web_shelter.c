/*
 * web_shelter.c: the console's pages of the apartments and their alerts.
 *
 * Everyone reads an apartment's state; a coordinator also reads its
 * history and moves it (vacate, occupy, unavailable), each move through a
 * page that says plainly what will happen and a form that confirms it.
 * An alert's page is made for a phone: its state in one line and, for an
 * account linked to an alerted person, one button that claims it for that
 * person.  An on-call account reads the alerts with the coordinators' API
 * role (web_api_as), the one move above its own, and the alert's code is
 * never written on any page: it is a claim credential of the SMS path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "datefmt.h"
#include "html.h"
#include "util.h"
#include "web_int.h"
#include "web_shelter.h"

/* The moves a coordinator asks for: the API's verb, the state it leads
 * to (whose button is not shown there). */
static const struct {
	const char	*verb;
	const char	*to;
} ws_moves[] = {
	{ "vacate", "vacant" },
	{ "occupy", "occupied" },
	{ "unavailable", "unavailable" },
};
#define NMOVES	(sizeof ws_moves / sizeof ws_moves[0])

/* The API's state name ("vacant") in words of the page's language ("libre
 * (alerte ouverte)"); "?" for a name it does not know. */
static const char *
ws_state(const struct web_ctx *ctx, const char *state)
{
	if (state == NULL)
		return "?";
	if (strcmp(state, "occupied") == 0)
		return W(ctx, "occupé", "bezet", "belegt", "occupied");
	if (strcmp(state, "vacant") == 0)
		return W(ctx, "libre (alerte ouverte)", "vrij (alarm open)",
		    "frei (Alarm offen)", "vacant (alert open)");
	if (strcmp(state, "reserved") == 0)
		return W(ctx, "réservé", "gereserveerd", "reserviert",
		    "reserved");
	if (strcmp(state, "unavailable") == 0)
		return W(ctx, "indisponible", "niet beschikbaar",
		    "nicht verfügbar", "unavailable");
	return "?";
}

void
web_shelter_badge(struct web_ctx *ctx, const char *state)
{
	const char	*words = ws_state(ctx, state);

	/* the class only from a state the page knows */
	html_tpl(ctx->body, "<span class=\"badge state-{c}\">{w}</span>",
	    "c", strcmp(words, "?") == 0 ? "unavailable" : state, "w", words,
	    (char *)NULL);
}

/* The index of verb in ws_moves, or -1. */
static int
ws_move(const char *verb)
{
	size_t	 i;

	for (i = 0; verb != NULL && i < NMOVES; i++)
		if (strcmp(ws_moves[i].verb, verb) == 0)
			return (int)i;
	return -1;
}

/* "/shelters/NAME" + tail, NAME percent-encoded; a new string. */
static char *
ws_path(const char *prefix, const char *name, const char *tail)
{
	char	*esc = html_urlencode(name), *path;

	xasprintf(&path, "%s%s%s", prefix, esc, tail);
	free(esc);
	return path;
}

void
web_shelter_down(struct web_ctx *ctx, int status)
{
	web_fail(ctx, status >= 400 ? status : 500, W(ctx, "Le démon n'a pas "
	    "pu répondre : réessayez dans un instant.", "De dienst kon niet "
	    "antwoorden: probeer het zo opnieuw.", "Der Dienst konnte nicht "
	    "antworten: versuchen Sie es gleich noch einmal.", "The daemon "
	    "could not answer: try again in a moment."));
}

/* Answer an API failure that is not the user's: its status, a page. */
static void
ws_api_fail(struct web_ctx *ctx, int status)
{
	if (status == 404)
		web_fail(ctx, 404, W(ctx, "Ce logement n'existe pas : "
		    "choisissez-en un dans la liste des logements.",
		    "Deze woning bestaat niet: kies er een uit de lijst.",
		    "Diese Wohnung gibt es nicht: wählen Sie eine aus der "
		    "Liste.", "This apartment does not exist: pick one from "
		    "the list."));
	else
		web_shelter_down(ctx, status);
}

/*
 * The apartment of the page: a coordinator's whole (GET /v1/shelters/NAME,
 * with its history), else its line of the status.  A new reference, or
 * NULL when the page was answered (404, failure).
 */
static json_t *
ws_fetch(struct web_ctx *ctx)
{
	json_t	*reply = NULL, *sh, *found = NULL;
	char	*path;
	size_t	 i;
	int	 st;

	if (ctx->user->role >= WEB_ROLE_COORDINATOR) {
		path = ws_path("/v1/shelters/", ctx->name, "");
		st = web_api(ctx, "GET", path, NULL, &reply);
		free(path);
		if (st == 200 && json_is_object(reply))
			return reply;
		json_decref(reply);
		ws_api_fail(ctx, st);
		return NULL;
	}
	if ((st = web_api(ctx, "GET", "/v1/status", NULL, &reply)) != 200) {
		json_decref(reply);
		ws_api_fail(ctx, st);
		return NULL;
	}
	json_array_foreach(json_object_get(reply, "shelters"), i, sh)
		if (web_str(sh, "name") != NULL &&
		    strcmp(web_str(sh, "name"), ctx->name) == 0)
			found = json_incref(sh);
	json_decref(reply);
	if (found == NULL)
		ws_api_fail(ctx, 404);
	return found;
}

/* "depuis lundi 7 décembre 2026 à 14h00" of sh's since. */
static void
ws_since(struct web_ctx *ctx, const json_t *sh)
{
	char	 when[128];

	if (web_str(sh, "since") == NULL)
		return;
	html_tpl(ctx->body, " <span class=\"muted\">{d} {w}</span>", "d",
	    W(ctx, "depuis", "sinds", "seit", "since"), "w", web_date(ctx,
	    web_str(sh, "since"), DATEFMT_LONG, when, sizeof when),
	    (char *)NULL);
}

void
web_shelter_list(struct web_ctx *ctx)
{
	json_t		*reply = NULL, *sh, *list;
	const char	*path;
	char		*href;
	size_t		 i;
	int		 st;

	ctx->title = W(ctx, "Logements", "Woningen", "Wohnungen",
	    "Apartments");
	path = ctx->user->role >= WEB_ROLE_COORDINATOR ? "/v1/shelters" :
	    "/v1/status";
	st = web_api(ctx, "GET", path, NULL, &reply);
	if (st == 404) {	/* no shelter configured: an empty list */
		json_decref(reply);
		reply = json_array();
	} else if (st != 200) {
		json_decref(reply);
		web_shelter_down(ctx, st);
		return;
	}
	html_tpl(ctx->body, "<h1>{t}</h1>", "t", ctx->title, (char *)NULL);
	sh = json_is_array(reply) ? reply : json_object_get(reply, "shelters");
	if (json_array_size(sh) == 0)
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p>", "m", W(ctx,
		    "Aucun logement n'est configuré ([shelter.NOM] dans "
		    "stoppvif.ini).", "Geen woning ingesteld ([shelter.NAAM] "
		    "in stoppvif.ini).", "Keine Wohnung eingerichtet "
		    "([shelter.NAME] in stoppvif.ini).", "No apartment is "
		    "configured ([shelter.NAME] in stoppvif.ini)."),
		    (char *)NULL);
	html_raw(ctx->body, "<div class=\"grid\">");
	list = sh;
	json_array_foreach(list, i, sh) {
		href = ws_path("/shelters/", web_str(sh, "name") ? web_str(sh,
		    "name") : "", "");
		html_tpl(ctx->body, "<div class=\"card\"><h2><a href=\"{h}\">"
		    "{n}</a></h2>", "h", href, "n", web_str(sh, "title") ?
		    web_str(sh, "title") : web_str(sh, "name"), (char *)NULL);
		free(href);
		html_raw(ctx->body, "<p>");
		web_shelter_badge(ctx, web_str(sh, "state"));
		ws_since(ctx, sh);
		html_raw(ctx->body, "</p></div>");
	}
	html_raw(ctx->body, "</div>");
	json_decref(reply);
}

/* An actor of the history in words: "web:marie" is marie on the console,
 * "uid:1000" the command line, "daemon" the daemon's own moves. */
static void
ws_actor(struct web_ctx *ctx, const char *actor)
{
	if (actor != NULL && strncmp(actor, "web:", 4) == 0)
		html_tpl(ctx->body, "{n} <span class=\"muted\">({w})</span>",
		    "n", actor + 4, "w", W(ctx, "console web", "webconsole",
		    "Webkonsole", "web console"), (char *)NULL);
	else
		html_text(ctx->body, actor != NULL ? actor : "?");
}

/* A history move's cause in words. */
static const char *
ws_cause(const struct web_ctx *ctx, const char *cause)
{
	static const char *const words[][5] = {
		{ "vacate", "libéré", "vrijgegeven", "freigegeben",
		    "vacated" },
		{ "claim", "réservation", "reservering", "Reservierung",
		    "claim" },
		{ "occupy", "occupé", "bezet", "belegt", "occupied" },
		{ "unavailable", "indisponible", "niet beschikbaar",
		    "nicht verfügbar", "unavailable" },
		{ "hold_expired", "réservation expirée", "reservering "
		    "verlopen", "Reservierung abgelaufen", "claim expired" },
		{ "configured", "configuration", "configuratie",
		    "Konfiguration", "configuration" },
	};
	size_t	 i;

	for (i = 0; cause != NULL && i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i][0], cause) == 0)
			return W(ctx, words[i][1], words[i][2], words[i][3],
			    words[i][4]);
	return cause != NULL ? cause : "?";
}

/* The history of a shelter (a coordinator's), newest first. */
static void
ws_history(struct web_ctx *ctx, const json_t *hist)
{
	json_t	*m;
	char	 when[128];
	size_t	 i;

	html_tpl(ctx->body, "<div class=\"card\"><h2>{h}</h2>", "h", W(ctx,
	    "Historique", "Geschiedenis", "Verlauf", "History"),
	    (char *)NULL);
	if (json_array_size(hist) == 0) {
		html_tpl(ctx->body, "<p class=\"muted\">{m}</p></div>", "m",
		    W(ctx, "Aucun changement.", "Geen wijzigingen.",
		    "Keine Änderungen.", "No changes."), (char *)NULL);
		return;
	}
	html_tpl(ctx->body, "<div class=\"table-wrap\"><table class=\"list\">"
	    "<thead><tr><th>{a}</th><th>{m}</th><th>{c}</th><th>{p}</th></tr>"
	    "</thead><tbody>", "a", W(ctx, "Quand", "Wanneer", "Wann",
	    "When"), "m", W(ctx, "Changement", "Wijziging", "Änderung",
	    "Change"), "c", W(ctx, "Cause", "Oorzaak", "Grund", "Cause"),
	    "p", W(ctx, "Par", "Door", "Von", "By"), (char *)NULL);
	json_array_foreach(hist, i, m) {
		html_tpl(ctx->body, "<tr><td>{w}</td><td>", "w", web_date(ctx,
		    web_str(m, "at"), DATEFMT_SHORT, when, sizeof when),
		    (char *)NULL);
		if (web_str(m, "from") != NULL)
			html_tpl(ctx->body, "{f} → ", "f",
			    ws_state(ctx, web_str(m, "from")),
			    (char *)NULL);
		html_tpl(ctx->body, "{t}</td><td>{c}</td><td>", "t",
		    ws_state(ctx, web_str(m, "to")), "c", ws_cause(ctx,
		    web_str(m, "cause")), (char *)NULL);
		ws_actor(ctx, web_str(m, "actor"));
		html_raw(ctx->body, "</td></tr>");
	}
	html_raw(ctx->body, "</tbody></table></div></div>");
}

/* A move's button label. */
static const char *
ws_move_label(const struct web_ctx *ctx, size_t i)
{
	switch (i) {
	case 0:
		return W(ctx, "Le logement est libre", "De woning is vrij",
		    "Die Wohnung ist frei", "The apartment is free");
	case 1:
		return W(ctx, "Occupé", "Bezet", "Belegt", "Occupied");
	default:
		return W(ctx, "Indisponible", "Niet beschikbaar",
		    "Nicht verfügbar", "Unavailable");
	}
}

/* The buttons of the moves a coordinator may ask for now: every move
 * but the one to the state the shelter is in. */
static void
ws_buttons(struct web_ctx *ctx, const json_t *sh)
{
	const char	*state = web_str(sh, "state");
	char		*href, tail[32];
	size_t		 i;

	html_raw(ctx->body, "<p class=\"actions\">");
	for (i = 0; i < NMOVES; i++) {
		if (state != NULL && strcmp(state, ws_moves[i].to) == 0)
			continue;
		snprintf(tail, sizeof tail, "/act?do=%s", ws_moves[i].verb);
		href = ws_path("/shelters/", ctx->name, tail);
		html_tpl(ctx->body, "<a class=\"btn{d}\" href=\"{h}\">{l}</a> ",
		    "d", i == 0 ? " primary" : "", "h", href, "l",
		    ws_move_label(ctx, i), (char *)NULL);
		free(href);
	}
	html_raw(ctx->body, "</p>");
}

void
web_shelter_reserved(struct web_ctx *ctx, const json_t *sh)
{
	const json_t	*by = json_object_get(sh, "reserved_by");
	char		 when[128];

	if (json_is_object(by))
		html_tpl(ctx->body, "<p>{r} {n}, {u} {w}</p>", "r", W(ctx,
		    "Réservé par", "Gereserveerd door", "Reserviert von",
		    "Reserved by"), "n", web_str(by, "name") ? web_str(by,
		    "name") : "?", "u", W(ctx, "jusqu'au", "tot", "bis",
		    "until"), "w", web_date(ctx, web_str(sh, "reserved_until"),
		    DATEFMT_LONG, when, sizeof when), (char *)NULL);
}

/* The reservation and the open alert of a coordinator's shelter. */
static void
ws_detail(struct web_ctx *ctx, const json_t *sh)
{
	const json_t	*a = json_object_get(sh, "alert");
	char		 when[128], id[24];

	web_shelter_reserved(ctx, sh);
	if (!json_is_object(a))
		return;
	snprintf(id, sizeof id, "%lld", (long long)json_integer_value(
	    json_object_get(a, "id")));
	html_tpl(ctx->body, "<p><a href=\"/alerts/{i}\">{l} {i}</a> — {o} {w}"
	    "</p>", "i", id, "l", W(ctx, "Alerte n°", "Alarm nr.",
	    "Alarm Nr.", "Alert no."), "o", W(ctx, "ouverte le", "geopend op",
	    "geöffnet am", "opened on"), "w", web_date(ctx, web_str(a,
	    "opened"), DATEFMT_LONG, when, sizeof when), (char *)NULL);
}

void
web_shelter_show(struct web_ctx *ctx)
{
	json_t	*sh;
	char	*path;

	ctx->title = W(ctx, "Logement", "Woning", "Wohnung", "Apartment");
	if ((sh = ws_fetch(ctx)) == NULL)
		return;
	html_tpl(ctx->body, "<h1>{t}</h1><div class=\"card\"><p>", "t",
	    web_str(sh, "title") ? web_str(sh, "title") : ctx->name,
	    (char *)NULL);
	web_shelter_badge(ctx, web_str(sh, "state"));
	ws_since(ctx, sh);
	html_raw(ctx->body, "</p>");
	if (ctx->user->role >= WEB_ROLE_COORDINATOR) {
		ws_detail(ctx, sh);
		ws_buttons(ctx, sh);
	}
	html_raw(ctx->body, "</div>");
	if (ctx->user->role >= WEB_ROLE_COORDINATOR)
		ws_history(ctx, json_object_get(sh, "history"));
	path = ws_path("/reports?shelter=", ctx->name, "");
	html_tpl(ctx->body, "<p><a href=\"{h}\">{r}</a></p>", "h", path, "r",
	    W(ctx, "Rapport de l'année", "Jaarverslag", "Jahresbericht",
	    "Yearly report"), (char *)NULL);
	free(path);
	json_decref(sh);
}

/* What move i does, in plain words. */
static const char *
ws_move_says(const struct web_ctx *ctx, size_t i)
{
	switch (i) {
	case 0:
		return W(ctx, "Le logement sera marqué libre. Une alerte "
		    "partira tout de suite aux personnes de garde par SMS et "
		    "e-mail.", "De woning wordt als vrij gemarkeerd. Er gaat "
		    "meteen een alarm per sms en e-mail naar de mensen van "
		    "wacht.", "Die Wohnung wird als frei markiert. Sofort geht "
		    "ein Alarm per SMS und E-Mail an die Bereitschaft.",
		    "The apartment will be marked free. An alert goes out "
		    "at once to the people on call, by SMS and e-mail.");
	case 1:
		return W(ctx, "Le logement sera marqué occupé. Une alerte "
		    "ouverte sera close et les personnes alertées prévenues.",
		    "De woning wordt als bezet gemarkeerd. Een open alarm "
		    "wordt gesloten en de gealarmeerde mensen verwittigd.",
		    "Die Wohnung wird als belegt markiert. Ein offener Alarm "
		    "wird geschlossen und die Alarmierten benachrichtigt.",
		    "The apartment will be marked occupied. An open alert is "
		    "closed and the people alerted are told.");
	default:
		return W(ctx, "Le logement sera marqué indisponible (travaux, "
		    "nettoyage) : aucune alerte ne part, une alerte ouverte "
		    "sera close.", "De woning wordt als niet beschikbaar "
		    "gemarkeerd (werken, schoonmaak): er gaat geen alarm uit, "
		    "een open alarm wordt gesloten.", "Die Wohnung wird als "
		    "nicht verfügbar markiert (Arbeiten, Reinigung): kein "
		    "Alarm geht hinaus, ein offener Alarm wird geschlossen.",
		    "The apartment will be marked unavailable (works, "
		    "cleaning): no alert goes out, an open alert is closed.");
	}
}

/* The confirmation page of move i, with err (an API refusal) or NULL. */
static void
ws_confirm_page(struct web_ctx *ctx, const json_t *sh, size_t i,
    const json_t *err)
{
	char	*action, *back;

	ctx->title = W(ctx, "Confirmer", "Bevestigen", "Bestätigen",
	    "Confirm");
	html_tpl(ctx->body, "<h1>{t} — {l}</h1>", "t", web_str(sh, "title") ?
	    web_str(sh, "title") : ctx->name, "l", ws_move_label(ctx, i),
	    (char *)NULL);
	web_error_box(ctx, err);
	html_tpl(ctx->body, "<div class=\"card\"><p>{n} ", "n", W(ctx,
	    "Maintenant :", "Nu:", "Jetzt:", "Now:"), (char *)NULL);
	web_shelter_badge(ctx, web_str(sh, "state"));
	html_tpl(ctx->body, "</p><p>{s}</p>", "s", ws_move_says(ctx, i),
	    (char *)NULL);
	action = ws_path("/shelters/", ctx->name, "/act");
	back = ws_path("/shelters/", ctx->name, "");
	web_form_begin(ctx, action);
	html_tpl(ctx->body, "<input type=\"hidden\" name=\"do\" value=\"{d}\">"
	    "<p class=\"actions\"><button type=\"submit\" "
	    "class=\"btn primary\">{c}</button> "
	    "<a class=\"btn\" href=\"{b}\">{a}</a></p>", "d",
	    ws_moves[i].verb, "c", W(ctx, "Confirmer", "Bevestigen",
	    "Bestätigen", "Confirm"), "b", back, "a", W(ctx, "Annuler",
	    "Annuleren", "Abbrechen", "Cancel"), (char *)NULL);
	web_form_end(ctx);
	html_raw(ctx->body, "</div>");
	free(action);
	free(back);
}

/* The move asked for by the request's "do", or -1 with a 400 page. */
static int
ws_do(struct web_ctx *ctx)
{
	int	 i;

	if ((i = ws_move(web_param(ctx, "do"))) == -1)
		web_fail(ctx, 400, W(ctx, "Action inconnue : choisissez "
		    "« libre », « occupé » ou « indisponible » sur la page du "
		    "logement.", "Onbekende actie: kies vrij, bezet of niet "
		    "beschikbaar op de pagina van de woning.", "Unbekannte "
		    "Aktion: wählen Sie frei, belegt oder nicht verfügbar auf "
		    "der Seite der Wohnung.", "Unknown action: choose free, "
		    "occupied or unavailable on the apartment's page."));
	return i;
}

void
web_shelter_confirm(struct web_ctx *ctx)
{
	json_t	*sh;
	int	 i;

	if ((i = ws_do(ctx)) == -1 || (sh = ws_fetch(ctx)) == NULL)
		return;
	ws_confirm_page(ctx, sh, (size_t)i, NULL);
	json_decref(sh);
}

/* Where a move's success leads: a vacated shelter's new alert, else the
 * shelter; a new string. */
static char *
ws_after(struct web_ctx *ctx, size_t i, const json_t *reply)
{
	json_t	*id = json_object_get(json_object_get(reply, "alert"), "id");
	char	*path;

	if (i == 0 && json_is_integer(id)) {
		xasprintf(&path, "/alerts/%lld", (long long)
		    json_integer_value(id));
		return path;
	}
	return ws_path("/shelters/", ctx->name, "");
}

void
web_shelter_act(struct web_ctx *ctx)
{
	json_t	*reply = NULL, *sh;
	char	*path, tail[32];
	int	 i, st;

	if ((i = ws_do(ctx)) == -1)
		return;
	snprintf(tail, sizeof tail, "/%s", ws_moves[i].verb);
	path = ws_path("/v1/shelters/", ctx->name, tail);
	st = web_api(ctx, "POST", path, NULL, &reply);
	free(path);
	if (st == 200) {
		web_flash(ctx, i == 0 ? W(ctx, "Logement libéré : l'alerte "
		    "est partie.", "Woning vrijgegeven: het alarm is "
		    "verstuurd.", "Wohnung freigegeben: der Alarm ist "
		    "hinausgegangen.", "Apartment vacated: the alert went "
		    "out.") : i == 1 ? W(ctx, "Logement marqué occupé.",
		    "Woning als bezet gemarkeerd.", "Wohnung als belegt "
		    "markiert.", "Apartment marked occupied.") : W(ctx,
		    "Logement marqué indisponible.", "Woning als niet "
		    "beschikbaar gemarkeerd.", "Wohnung als nicht verfügbar "
		    "markiert.", "Apartment marked unavailable."));
		path = ws_after(ctx, (size_t)i, reply);
		web_redirect(ctx, path);
		free(path);
		json_decref(reply);
		return;
	}
	if (st != 409 && st != 400) {
		json_decref(reply);
		ws_api_fail(ctx, st);
		return;
	}
	/* refused (an illegal move): the API's words on the same page */
	if ((sh = ws_fetch(ctx)) != NULL) {
		ctx->status = st;
		ws_confirm_page(ctx, sh, (size_t)i, reply);
		json_decref(sh);
	}
	json_decref(reply);
}
