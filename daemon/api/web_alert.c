/*
 * web_alert.c: the console's page of one alert, made for a phone, and the
 * claim from it.
 *
 * The page says the alert's state in one line ("Logement disponible — pas
 * encore pris", "Réservé par vous jusqu'à ...", "Déjà pris") and, to an
 * account linked to a person of the directory, offers one button that
 * claims the apartment for that person: POST /v1/alerts/ack with the
 * alert's code and the person, audited as the account.  An on-call
 * account may claim only an alert its person received, as with the SMS
 * and the signed link; a coordinator linked to a person may claim any open
 * one, as on the command line.  Both read the alerts with the
 * coordinators' API role (web_api_as), an on-call account's own being too
 * low; names (who was alerted, who claimed) are shown to coordinators only.
 * The alert's code, a claim credential of the SMS path, is never written:
 * not even inside an API message that quotes it.
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

/* The id of the {"id", "name"} member key of o, or 0. */
static int64_t
wa_who(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(o, key),
	    "id"));
}

/*
 * The alert of the page among the latest (GET /v1/alerts, read with the
 * coordinators' role): a new reference, or NULL with the page answered
 * (404 when no alert has that id).
 */
static json_t *
wa_fetch(struct web_ctx *ctx)
{
	json_t	*reply = NULL, *a, *found = NULL;
	size_t	 i;
	int	 st;

	st = web_api_as(ctx, API_ROLE_COORDINATOR, "GET", "/v1/alerts", NULL,
	    &reply);
	if (st == 200)
		json_array_foreach(reply, i, a)
			if (json_integer_value(json_object_get(a, "id")) ==
			    ctx->id)
				found = json_incref(a);
	json_decref(reply);
	if (found == NULL && (st == 200 || st == 404))
		web_fail(ctx, 404, W(ctx, "Cette alerte n'existe pas : "
		    "ouvrez le lien du tableau de bord.", "Dit alarm bestaat "
		    "niet: open de link op het dashboard.", "Diesen Alarm "
		    "gibt es nicht: öffnen Sie den Link der Übersicht.",
		    "This alert does not exist: open the link on the "
		    "dashboard."));
	else if (found == NULL)
		web_shelter_down(ctx, st);
	return found;
}

/* Whether person is one of those alert a reached. */
static int
wa_alerted(const json_t *a, int64_t person)
{
	json_t	*p;
	size_t	 i;

	json_array_foreach(json_object_get(a, "alerted"), i, p)
		if (json_integer_value(json_object_get(p, "id")) == person)
			return 1;
	return 0;
}

/* Why the account may not claim alert a, in words; NULL when it may. */
static const char *
wa_no_claim(const struct web_ctx *ctx, const json_t *a)
{
	if (ctx->user->person == 0)
		return W(ctx, "Votre compte n'est relié à aucune personne de "
		    "l'annuaire : demandez à la coordination de le relier à "
		    "votre fiche (stoppvifctl web user add NOM --person "
		    "NUMÉRO).", "Uw account is aan geen persoon uit de lijst "
		    "gekoppeld: vraag de coördinatie om het aan uw fiche te "
		    "koppelen (stoppvifctl web user add NAAM --person "
		    "NUMMER).", "Ihr Konto ist mit keiner Person des "
		    "Verzeichnisses verknüpft: bitten Sie die Koordination, "
		    "es mit Ihrem Eintrag zu verknüpfen (stoppvifctl web user "
		    "add NAME --person NUMMER).", "Your account is linked to "
		    "no person of the directory: ask the coordination to link "
		    "it to your record (stoppvifctl web user add NAME --person "
		    "NUMBER).");
	if (ctx->user->role < WEB_ROLE_COORDINATOR &&
	    !wa_alerted(a, ctx->user->person))
		return W(ctx, "Cette alerte ne vous a pas été envoyée : seules "
		    "les personnes alertées peuvent la prendre ici. Appelez la "
		    "coordination.", "Dit alarm is niet naar u gestuurd: "
		    "alleen gealarmeerde mensen kunnen het hier nemen. Bel de "
		    "coördinatie.", "Dieser Alarm wurde Ihnen nicht geschickt: "
		    "nur alarmierte Personen können ihn hier übernehmen. Rufen "
		    "Sie die Koordination an.", "This alert was not sent to "
		    "you: only the people alerted may take it here. Call the "
		    "coordination.");
	return NULL;
}

/*
 * A copy of an API error reply whose message names the alert by its id
 * instead of its code ("déjà pris : l'alerte n° 3 est déjà réservée").
 */
static json_t *
wa_scrub(const json_t *reply, const json_t *a)
{
	const char	*msg = web_str(reply, "error");
	const char	*code = web_str(a, "code");
	const char	*p, *hit;
	json_t		*copy = json_deep_copy(reply);
	char		*out = NULL, *tmp, ref[32];
	size_t		 n;

	if (msg == NULL || code == NULL || *code == '\0' || copy == NULL)
		return copy;
	snprintf(ref, sizeof ref, "n° %lld", (long long)json_integer_value(
	    json_object_get(a, "id")));
	n = strlen(code);
	out = xstrdup("");
	for (p = msg; (hit = strstr(p, code)) != NULL; p = hit + n) {
		xasprintf(&tmp, "%s%.*s%s", out, (int)(hit - p), p, ref);
		free(out);
		out = tmp;
	}
	xasprintf(&tmp, "%s%s", out, p);
	free(out);
	json_object_set_new(copy, "error", json_string(tmp));
	free(tmp);
	return copy;
}

/* The end of the hold of the shelter alert a reserved, into buf ("" when
 * the shelter holds it no more). */
static void
wa_until(struct web_ctx *ctx, const json_t *a, char *buf, size_t len)
{
	json_t		*reply = NULL;
	char		*esc, *path;

	*buf = '\0';
	esc = html_urlencode(web_str(a, "shelter") ? web_str(a, "shelter") : "");
	xasprintf(&path, "/v1/shelters/%s", esc);
	free(esc);
	if (web_api_as(ctx, API_ROLE_COORDINATOR, "GET", path, NULL,
	    &reply) == 200 && web_str(reply, "state") != NULL &&
	    strcmp(web_str(reply, "state"), "reserved") == 0 &&
	    json_integer_value(json_object_get(json_object_get(reply,
	    "alert"), "id")) == ctx->id && web_str(reply, "reserved_until"))
		web_date(ctx, web_str(reply, "reserved_until"), DATEFMT_LONG,
		    buf, len);
	free(path);
	json_decref(reply);
}

/* The alert's state in one big line. */
static void
wa_state(struct web_ctx *ctx, const json_t *a)
{
	const char	*status = web_str(a, "status");
	const json_t	*by = json_object_get(a, "claimed_by");
	char		 until[128], line[256];

	if (status != NULL && strcmp(status, "open") == 0) {
		html_tpl(ctx->body, "<p class=\"alert-state state-vacant\">{s}"
		    "</p>", "s", W(ctx, "Logement disponible — pas encore pris",
		    "Woning vrij — nog niet genomen", "Wohnung frei — noch "
		    "nicht übernommen", "Apartment free — not taken yet"),
		    (char *)NULL);
		return;
	}
	if (status != NULL && strcmp(status, "claimed") == 0 &&
	    ctx->user->person != 0 && wa_who(a, "claimed_by") ==
	    ctx->user->person) {
		wa_until(ctx, a, until, sizeof until);
		if (*until != '\0')
			snprintf(line, sizeof line, "%s %s", W(ctx,
			    "Réservé par vous jusqu'au", "Voor u gereserveerd "
			    "tot", "Für Sie reserviert bis", "Reserved by you "
			    "until"), until);
		else
			snprintf(line, sizeof line, "%s", W(ctx, "Pris par "
			    "vous", "Door u genomen", "Von Ihnen übernommen",
			    "Taken by you"));
		html_tpl(ctx->body, "<p class=\"alert-state state-reserved\">"
		    "{s}</p>", "s", line, (char *)NULL);
		return;
	}
	html_tpl(ctx->body, "<p class=\"alert-state state-occupied\">{s}",
	    "s", status != NULL && strcmp(status, "claimed") == 0 ? W(ctx,
	    "Déjà pris", "Al genomen", "Schon übernommen", "Already taken") :
	    W(ctx, "Alerte close — le logement n'est plus disponible",
	    "Alarm gesloten — de woning is niet meer vrij", "Alarm "
	    "geschlossen — die Wohnung ist nicht mehr frei", "Alert closed — "
	    "the apartment is no longer free"), (char *)NULL);
	if (ctx->user->role >= WEB_ROLE_COORDINATOR && json_is_object(by))
		html_tpl(ctx->body, " <span class=\"muted\">({p} {n})</span>",
		    "p", W(ctx, "par", "door", "von", "by"), "n", web_str(by,
		    "name") ? web_str(by, "name") : "?", (char *)NULL);
	html_raw(ctx->body, "</p>");
}

/* Who alert a reached, by name (coordinators only). */
static void
wa_names(struct web_ctx *ctx, const json_t *a)
{
	json_t	*p;
	size_t	 i;

	if (json_array_size(json_object_get(a, "alerted")) == 0)
		return;
	html_tpl(ctx->body, "<h2>{h}</h2><ul>", "h", W(ctx, "Personnes "
	    "alertées", "Gealarmeerde mensen", "Alarmierte Personen",
	    "People alerted"), (char *)NULL);
	json_array_foreach(json_object_get(a, "alerted"), i, p)
		html_tpl(ctx->body, "<li>{n}</li>", "n", web_str(p, "name") ?
		    web_str(p, "name") : "?", (char *)NULL);
	html_raw(ctx->body, "</ul>");
}

/* When it opened, its level and reach, and for coordinators the next
 * step and the names. */
static void
wa_facts(struct web_ctx *ctx, const json_t *a)
{
	char		 when[128], n[24];
	json_int_t	 level = json_integer_value(json_object_get(a,
			    "level"));

	html_tpl(ctx->body, "<p>{o} {w}</p>", "o", W(ctx, "Ouverte le",
	    "Geopend op", "Geöffnet am", "Opened on"), "w", web_date(ctx,
	    web_str(a, "opened"), DATEFMT_LONG, when, sizeof when),
	    (char *)NULL);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(
	    json_object_get(a, "notified")));
	html_tpl(ctx->body, "<p>{l} {v} — {n} {p}</p>", "l", W(ctx, "Niveau",
	    "Niveau", "Stufe", "Level"), "v", level >= 2 ? W(ctx,
	    "2 (escalade)", "2 (escalatie)", "2 (Eskalation)",
	    "2 (escalated)") : "1", "n", n, "p", W(ctx, "personne(s) "
	    "alertée(s)", "persoon/personen gealarmeerd", "Person(en) "
	    "alarmiert", "person(s) alerted"), (char *)NULL);
	if (ctx->user->role < WEB_ROLE_COORDINATOR)
		return;
	if (web_str(a, "next") != NULL)
		html_tpl(ctx->body, "<p>{x} {w}</p>", "x", W(ctx, "Prochain "
		    "envoi :", "Volgende verzending:", "Nächster Versand:",
		    "Next sending:"), "w", web_date(ctx, web_str(a, "next"),
		    DATEFMT_LONG, when, sizeof when), (char *)NULL);
	wa_names(ctx, a);
}

/* The page of alert a, with err (an API refusal of a claim) or NULL. */
static void
wa_page(struct web_ctx *ctx, const json_t *a, const json_t *err)
{
	const char	*why = wa_no_claim(ctx, a);
	const char	*status = web_str(a, "status");
	char		 action[48];
	json_t		*shown;

	ctx->title = W(ctx, "Alerte", "Alarm", "Alarm", "Alert");
	html_tpl(ctx->body, "<h1>{t} — {s}</h1>", "t", ctx->title, "s",
	    web_str(a, "shelter") ? web_str(a, "shelter") : "?", (char *)NULL);
	if (err != NULL) {
		shown = wa_scrub(err, a);
		web_error_box(ctx, shown);
		json_decref(shown);
	}
	html_raw(ctx->body, "<div class=\"card alert-card\">");
	wa_state(ctx, a);
	if (status != NULL && strcmp(status, "open") == 0 && why == NULL) {
		snprintf(action, sizeof action, "/alerts/%lld/claim",
		    (long long)ctx->id);
		web_form_begin(ctx, action);
		html_tpl(ctx->body, "<p><button type=\"submit\" class=\"btn "
		    "primary claim\">{b}</button></p>", "b", W(ctx,
		    "Je le prends", "Ik neem het", "Ich übernehme",
		    "I take it"), (char *)NULL);
		web_form_end(ctx);
	} else if (status != NULL && strcmp(status, "open") == 0)
		html_tpl(ctx->body, "<p class=\"error-box\">{m}</p>", "m", why,
		    (char *)NULL);
	wa_facts(ctx, a);
	html_raw(ctx->body, "</div>");
}

void
web_alert_show(struct web_ctx *ctx)
{
	json_t	*a;

	if ((a = wa_fetch(ctx)) == NULL)
		return;
	wa_page(ctx, a, NULL);
	json_decref(a);
}

void
web_alert_claim(struct web_ctx *ctx)
{
	json_t		*a, *body, *reply = NULL;
	const char	*why;
	char		 msg[256], until[128], path[48];
	int		 st;

	if ((a = wa_fetch(ctx)) == NULL)
		return;
	if ((why = wa_no_claim(ctx, a)) != NULL) {
		json_decref(a);
		web_fail(ctx, 403, why);
		return;
	}
	/* the alert's own code, with the account's person as the claimer */
	body = json_pack("{sO sI}", "code", json_object_get(a, "code"), "by",
	    (json_int_t)ctx->user->person);
	st = body == NULL ? 500 : web_api_as(ctx, API_ROLE_COORDINATOR, "POST",
	    "/v1/alerts/ack", body, &reply);
	json_decref(body);
	if (st == 200) {
		snprintf(msg, sizeof msg, "%s %s", W(ctx, "C'est à vous : le "
		    "logement vous est réservé jusqu'au", "Het is aan u: de "
		    "woning is voor u gereserveerd tot", "Sie haben es: die "
		    "Wohnung ist für Sie reserviert bis", "It is yours: the "
		    "apartment is reserved for you until"), web_date(ctx,
		    web_str(reply, "reserved_until"), DATEFMT_LONG, until,
		    sizeof until));
		web_flash(ctx, msg);
		snprintf(path, sizeof path, "/alerts/%lld", (long long)ctx->id);
		web_redirect(ctx, path);
	} else if (st >= 400 && st < 500) {
		/* late, or refused: the API's words, on the alert as it is */
		json_decref(a);
		if ((a = wa_fetch(ctx)) != NULL) {
			ctx->status = st;
			wa_page(ctx, a, reply);
		}
	} else
		web_fail(ctx, st >= 400 ? st : 500, W(ctx, "Le démon n'a pas "
		    "pu enregistrer la prise : réessayez tout de suite, ou "
		    "appelez la coordination.", "De dienst kon de keuze niet "
		    "opslaan: probeer meteen opnieuw of bel de coördinatie.",
		    "Der Dienst konnte die Übernahme nicht speichern: "
		    "versuchen Sie es sofort noch einmal oder rufen Sie die "
		    "Koordination an.", "The daemon could not record the "
		    "claim: try again at once, or call the coordination."));
	json_decref(reply);
	json_decref(a);
}
