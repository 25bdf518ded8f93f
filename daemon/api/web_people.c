/*
 * web_people.c: the console's pages of the directory (coordinator): the
 * list with its search, and the form of a person, which the page of a new
 * person shows here and the page of one person (web_person.c) shows too.
 *
 * Everything goes through the control API (web_api), so a refusal reads
 * exactly as the CLI's and is shown under the field it names: the inputs
 * carry the API's JSON field names.  No address or phone number goes into
 * a URL or a log line, and the list shows only which channels a person
 * has, never the address itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audience.h"
#include "datefmt.h"
#include "html.h"
#include "lang.h"
#include "utf8.h"
#include "util.h"
#include "web_int.h"
#include "web_people.h"

#define WP_EXPIRY_SOON	30	/* days: a mail key "expires soon" */
#define WP_QUERY_MAX	100	/* characters of a search kept */
#ifndef nitems
#define nitems(a)	(sizeof (a) / sizeof (a)[0])
#endif

/* Four literals, one per language (enum lang's order). */
typedef const char *const wp_words[LANG_COUNT];

/* The text fields of the form, named after the API's JSON fields (the
 * roles and the language have their own inputs). */
static const struct wp_field {
	const char	*name;
	const char	*type;
	wp_words	 label;
	wp_words	 hint;
	int		 required;
} wp_fields[] = {
	{ "name", "text", { "Nom", "Naam", "Name", "Name" },
	    { NULL, NULL, NULL, NULL }, 1 },
	{ "commune", "text", { "Commune", "Gemeente", "Gemeinde",
	    "Municipality" }, { NULL, NULL, NULL, NULL }, 0 },
	{ "org", "text", { "Organisme", "Organisatie", "Organisation",
	    "Organisation" }, { NULL, NULL, NULL, NULL }, 0 },
	{ "email", "email", { "Adresse e-mail", "E-mailadres",
	    "E-Mail-Adresse", "Email address" }, { NULL, NULL, NULL, NULL },
	    0 },
	{ "phone", "tel", { "Téléphone (SMS)", "Telefoon (sms)",
	    "Telefon (SMS)", "Phone (SMS)" },
	    { "Par exemple 0470 12 34 56 ou +32 470 12 34 56",
	    "Bijvoorbeeld 0470 12 34 56 of +32 470 12 34 56",
	    "Zum Beispiel 0470 12 34 56 oder +32 470 12 34 56",
	    "For example 0470 12 34 56 or +32 470 12 34 56" }, 0 },
	{ "quiet_hours", "text", { "Heures calmes", "Rustige uren",
	    "Ruhezeiten", "Quiet hours" },
	    { "Pas de SMS ni d'e-mail entre ces heures : 21:00-08:00 ; none "
	    "pour aucune ; vide : celles du réseau",
	    "Geen sms of e-mail tussen deze uren: 21:00-08:00; none voor "
	    "geen; leeg: die van het netwerk",
	    "Keine SMS und keine E-Mail zwischen diesen Zeiten: "
	    "21:00-08:00; none für keine; leer: die des Netzwerks",
	    "No SMS or email between these hours: 21:00-08:00; none for "
	    "none; empty: the network's" }, 0 },
	{ "pubkey", "text", { "Clé publique (application)",
	    "Publieke sleutel (app)", "Öffentlicher Schlüssel (App)",
	    "Public key (app)" },
	    { "Facultatif : 44 caractères en base64, donnés par "
	    "l'application", "Optioneel: 44 tekens in base64, gegeven door "
	    "de app", "Optional: 44 Zeichen in Base64, von der App",
	    "Optional: 44 base64 characters, given by the app" }, 0 },
};

/* The roles in words; a role of audience_roles[] missing here shows its
 * code. */
static const struct {
	const char	*role;
	wp_words	 word;
} wp_role_words[] = {
	{ "referent", { "référent", "referent", "Bezugsperson",
	    "referent" } },
	{ "platform", { "plateforme", "platform", "Plattform", "platform" } },
	{ "oncall", { "de garde", "wachtdienst", "Bereitschaft", "on call" } },
	{ "coordinator", { "coordination", "coördinatie", "Koordination",
	    "coordination" } },
	{ "animator", { "animation", "animatie", "Moderation",
	    "facilitation" } },
	{ "partner", { "partenaire", "partner", "Partner", "partner" } },
};

/* The languages by their own names, in enum lang's order. */
static const char *const wp_lang_names[LANG_COUNT] = {
	"français", "Nederlands", "Deutsch", "English"
};

static const char *
wp_w(const struct web_ctx *ctx, wp_words w)
{
	return W(ctx, w[0], w[1], w[2], w[3]);
}

/* Role in the page's language. */
static const char *
wp_role_word(const struct web_ctx *ctx, const char *role)
{
	size_t	 i;

	for (i = 0; i < nitems(wp_role_words); i++)
		if (strcmp(wp_role_words[i].role, role) == 0)
			return wp_w(ctx, wp_role_words[i].word);
	return role;
}

const char *
web_people_error(const struct web_ctx *ctx, const json_t *reply)
{
	const char	*msg = web_str(reply, "error");

	return msg != NULL ? msg : W(ctx, "Le service n'a pas répondu.",
	    "De dienst antwoordde niet.", "Der Dienst hat nicht geantwortet.",
	    "The service did not answer.");
}

int
web_people_status(int status)
{
	return status >= 500 ? status : 400;
}

/* ---- search ---- */

/* Latin-1 letters U+00C0 to U+00FF without their accents, lower case; 0
 * keeps the character (× and ÷). */
static const char wp_fold_latin1[] =
    "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"
    "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";

/* s lower-cased and without the accents of Latin letters, into a new
 * string: the search compares these. */
static char *
wp_fold(const char *s)
{
	size_t		 n = strlen(s), i = 0, k, o = 0;
	char		*out = xmalloc(n + 1);
	uint32_t	 cp;

	while (i < n) {
		k = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (cp < 0x80)
			out[o++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 :
			    cp);
		else if (cp >= 0xc0 && cp <= 0xff &&
		    wp_fold_latin1[cp - 0xc0] != '\0')
			out[o++] = wp_fold_latin1[cp - 0xc0];
		else if (cp == 0x152 || cp == 0x153)	/* Œ œ */
			out[o++] = 'o';
		else {
			memcpy(out + o, s + i, k);
			o += k;
		}
		i += k;
	}
	out[o] = '\0';
	return out;
}

/* The first max characters of s (valid UTF-8), in a new string: a search
 * kept as typed, without the ellipsis utf8_cut adds, so that it can be
 * searched again. */
static char *
wp_cut(const char *s, size_t max)
{
	size_t		 n = strlen(s), i = 0;
	uint32_t	 cp;

	while (i < n && max-- > 0)
		i += utf8_decode((const unsigned char *)s + i, n - i, &cp);
	return xstrndup(s, i);
}

/* What a search looks in: name, commune, organisation, roles (codes and
 * words), folded. */
static char *
wp_haystack(const struct web_ctx *ctx, const json_t *p)
{
	static const char *const keys[] = { "name", "commune", "org" };
	json_t		*r;
	size_t		 i;
	char		*all = xstrdup(""), *next, *folded;
	const char	*v;

	for (i = 0; i < nitems(keys); i++)
		if ((v = web_str(p, keys[i])) != NULL) {
			xasprintf(&next, "%s %s", all, v);
			free(all);
			all = next;
		}
	json_array_foreach(json_object_get(p, "roles"), i, r)
		if ((v = json_string_value(r)) != NULL) {
			xasprintf(&next, "%s %s %s", all, v,
			    wp_role_word(ctx, v));
			free(all);
			all = next;
		}
	folded = wp_fold(all);
	free(all);
	return folded;
}

/* Whether person p matches every word of folded query q. */
static int
wp_match(const struct web_ctx *ctx, const json_t *p, const char *q)
{
	char	*hay = wp_haystack(ctx, p), *copy = xstrdup(q), *tok;
	char	*save = NULL;
	int	 ok = 1;

	for (tok = strtok_r(copy, " \t", &save); tok != NULL && ok;
	    tok = strtok_r(NULL, " \t", &save))
		ok = strstr(hay, tok) != NULL;
	free(copy);
	free(hay);
	return ok;
}

/* ---- the list ---- */

/* The roles of p in words, comma-separated, into a new string. */
static char *
wp_roles_text(const struct web_ctx *ctx, const json_t *p)
{
	json_t		*r;
	size_t		 i;
	char		*s = xstrdup(""), *next;
	const char	*v;

	json_array_foreach(json_object_get(p, "roles"), i, r) {
		if ((v = json_string_value(r)) == NULL)
			continue;
		xasprintf(&next, "%s%s%s", s, *s != '\0' ? ", " : "",
		    wp_role_word(ctx, v));
		free(s);
		s = next;
	}
	return s;
}

/* The mail key of p as a short badge for the list. */
static void
wp_key_badge(struct web_ctx *ctx, const json_t *p)
{
	const json_t	*mk = json_object_get(p, "mail_key");
	const json_t	*days = json_object_get(mk, "days_left");
	const char	*kind = web_str(mk, "kind");
	const char	*name, *cls = "ok", *note = NULL;

	if (kind == NULL) {
		html_tpl(ctx->body, "<span class=\"muted\">{t}</span>", "t",
		    W(ctx, "aucune", "geen", "keiner", "none"), (char *)NULL);
		return;
	}
	name = strcmp(kind, "smime") == 0 ? "S/MIME" : "OpenPGP";
	if (json_is_integer(days) && json_integer_value(days) <= 0) {
		cls = "bad";
		note = W(ctx, "expirée", "verlopen", "abgelaufen", "expired");
	} else if (json_is_integer(days) &&
	    json_integer_value(days) <= WP_EXPIRY_SOON) {
		cls = "bad";
		note = W(ctx, "expire bientôt", "verloopt binnenkort",
		    "läuft bald ab", "expires soon");
	}
	html_tpl(ctx->body, "<span class=\"badge {!c}\">{k}</span>", "c", cls,
	    "k", name, (char *)NULL);
	if (note != NULL)
		html_tpl(ctx->body, " <span class=\"bad\">{n}</span>", "n",
		    note, (char *)NULL);
}

/* One row of the list. */
static void
wp_row(struct web_ctx *ctx, const json_t *p)
{
	char		 id[24], *roles = wp_roles_text(ctx, p);
	const char	*email = web_str(p, "email");
	const char	*phone = web_str(p, "phone");
	const char	*sep = email != NULL && phone != NULL ? ", " : "";

	snprintf(id, sizeof id, "%lld",
	    (long long)json_integer_value(json_object_get(p, "id")));
	html_tpl(ctx->body, "<tr><td><a href=\"/people/{id}\">{name}</a></td>"
	    "<td>{roles}</td><td>{commune}</td><td>{org}</td><td>{e}{s}{p}",
	    "id", id, "name", web_str(p, "name"), "roles", roles,
	    "commune", web_str(p, "commune"), "org", web_str(p, "org"),
	    "e", email != NULL ? W(ctx, "e-mail", "e-mail", "E-Mail",
	    "email") : NULL, "s", sep, "p", phone != NULL ? "SMS" : NULL,
	    (char *)NULL);
	if (email == NULL && phone == NULL)
		html_tpl(ctx->body, "<span class=\"bad\">{t}</span>", "t",
		    W(ctx, "aucun", "geen", "keiner", "none"), (char *)NULL);
	html_tpl(ctx->body, "</td><td>{lang}</td><td>", "lang",
	    web_str(p, "lang"), (char *)NULL);
	wp_key_badge(ctx, p);
	html_raw(ctx->body, "</td></tr>");
	free(roles);
}

/* The search form and the button that adds a person. */
static void
wp_search_form(struct web_ctx *ctx, const char *q)
{
	html_tpl(ctx->body, "<form method=\"get\" action=\"/people\" "
	    "role=\"search\" class=\"card\"><div class=\"field\">"
	    "<label for=\"f-q\">{l}</label><input id=\"f-q\" name=\"q\" "
	    "type=\"search\" value=\"{q}\"><span class=\"hint\">{h}</span>"
	    "</div><p class=\"actions\"><button class=\"btn\" type=\"submit\">"
	    "{b}</button> <a class=\"btn primary\" href=\"/people/new\">{a}"
	    "</a></p></form>",
	    "l", W(ctx, "Rechercher", "Zoeken", "Suchen", "Search"),
	    "q", q,
	    "h", W(ctx, "Nom, commune, organisme ou rôle",
	    "Naam, gemeente, organisatie of rol",
	    "Name, Gemeinde, Organisation oder Rolle",
	    "Name, municipality, organisation or role"),
	    "b", W(ctx, "Rechercher", "Zoeken", "Suchen", "Search"),
	    "a", W(ctx, "Ajouter une personne", "Persoon toevoegen",
	    "Person hinzufügen", "Add a person"), (char *)NULL);
}

/* The head of the list's table. */
static void
wp_table_head(struct web_ctx *ctx)
{
	html_tpl(ctx->body, "<div class=\"table-wrap\"><table class=\"list\">"
	    "<thead><tr><th>{n}</th><th>{r}</th><th>{c}</th><th>{o}</th>"
	    "<th>{ch}</th><th>{l}</th><th>{k}</th></tr></thead><tbody>",
	    "n", W(ctx, "Nom", "Naam", "Name", "Name"),
	    "r", W(ctx, "Rôles", "Rollen", "Rollen", "Roles"),
	    "c", W(ctx, "Commune", "Gemeente", "Gemeinde", "Municipality"),
	    "o", W(ctx, "Organisme", "Organisatie", "Organisation",
	    "Organisation"),
	    "ch", W(ctx, "Canaux", "Kanalen", "Kanäle", "Channels"),
	    "l", W(ctx, "Langue", "Taal", "Sprache", "Language"),
	    "k", W(ctx, "Chiffrement", "Versleuteling", "Verschlüsselung",
	    "Encryption"), (char *)NULL);
}

void
web_people_list(struct web_ctx *ctx)
{
	const char	*q = web_param(ctx, "q");
	char		*folded = NULL, *kept = NULL;
	json_t		*people = NULL, *p;
	size_t		 i, shown = 0;
	int		 status;

	ctx->title = W(ctx, "Personnes", "Personen", "Personen", "People");
	status = web_api(ctx, "GET", "/v1/people", NULL, &people);
	if (status != 200 || !json_is_array(people)) {
		web_fail(ctx, status >= 400 ? status : 500,
		    web_people_error(ctx, people));
		json_decref(people);
		return;
	}
	if (q != NULL) {
		q = kept = wp_cut(q, WP_QUERY_MAX);
		if (*q != '\0')
			folded = wp_fold(q);
	}
	html_tpl(ctx->body, "<h1>{t}</h1>", "t", ctx->title, (char *)NULL);
	wp_search_form(ctx, q);
	wp_table_head(ctx);
	json_array_foreach(people, i, p) {
		if (folded != NULL && !wp_match(ctx, p, folded))
			continue;
		wp_row(ctx, p);
		shown++;
	}
	html_raw(ctx->body, "</tbody></table></div>");
	if (shown == 0)
		html_tpl(ctx->body, "<p class=\"muted\">{t}</p>", "t",
		    folded != NULL ? W(ctx, "Aucune personne ne correspond à "
		    "cette recherche.", "Geen enkele persoon komt overeen met "
		    "deze zoekopdracht.", "Keine Person entspricht dieser "
		    "Suche.", "Nobody matches this search.") :
		    W(ctx, "L'annuaire est vide.", "De lijst is leeg.",
		    "Das Verzeichnis ist leer.", "The directory is empty."),
		    (char *)NULL);
	free(folded);
	free(kept);
	json_decref(people);
}

/* ---- the person's form ---- */

/* Whether field is one the form shows (else a box above it tells the
 * API's message). */
static int
wp_field_known(const char *field)
{
	size_t	 i;

	if (field == NULL)
		return 0;
	if (strcmp(field, "roles") == 0 || strcmp(field, "lang") == 0)
		return 1;
	for (i = 0; i < nitems(wp_fields); i++)
		if (strcmp(wp_fields[i].name, field) == 0)
			return 1;
	return 0;
}

/* The message of err when it is about field, or NULL. */
static const char *
wp_error_for(const json_t *err, const char *field)
{
	const char	*f = web_str(err, "field");

	if (f == NULL || strcmp(f, field) != 0)
		return NULL;
	return web_str(err, "error");
}

/* Whether the array of strings a holds s. */
static int
wp_has(const json_t *a, const char *s)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* The roles as checkboxes, from the one list (audience.h). */
static void
wp_roles_input(struct web_ctx *ctx, const json_t *vals, const json_t *err)
{
	const char	*msg = wp_error_for(err, "roles");
	size_t		 i;

	html_tpl(ctx->body, "<fieldset class=\"field roles\"{!inv}><legend>"
	    "{l} <span class=\"muted\" aria-hidden=\"true\">*</span>"
	    "</legend>", "inv", msg != NULL ? " aria-invalid=\"true\" "
	    "aria-describedby=\"e-roles\"" : "",
	    "l", W(ctx, "Rôles", "Rollen", "Rollen", "Roles"), (char *)NULL);
	for (i = 0; audience_roles[i] != NULL; i++)
		html_tpl(ctx->body, "<label><input type=\"checkbox\" "
		    "name=\"roles\" value=\"{r}\"{!c}> {w}</label> ",
		    "r", audience_roles[i],
		    "c", wp_has(json_object_get(vals, "roles"),
		    audience_roles[i]) ? " checked" : "",
		    "w", wp_role_word(ctx, audience_roles[i]), (char *)NULL);
	if (msg != NULL)
		html_tpl(ctx->body, "<p class=\"error\" id=\"e-roles\">{m}</p>",
		    "m", msg, (char *)NULL);
	html_raw(ctx->body, "</fieldset>");
}

/* The language as a select of lang_codes; blank (the network's) only
 * when the person has none yet. */
static void
wp_lang_input(struct web_ctx *ctx, const json_t *vals, const json_t *err,
    int blank)
{
	const char	*msg = wp_error_for(err, "lang");
	const char	*cur = web_str(vals, "lang");
	size_t		 i;

	html_tpl(ctx->body, "<div class=\"field\"><label for=\"f-lang\">{l}"
	    "</label><select id=\"f-lang\" name=\"lang\"{!inv}>",
	    "l", W(ctx, "Langue des messages", "Taal van de berichten",
	    "Sprache der Nachrichten", "Language of the messages"),
	    "inv", msg != NULL ? " aria-invalid=\"true\" "
	    "aria-describedby=\"e-lang\"" : "", (char *)NULL);
	if (blank)
		html_tpl(ctx->body, "<option value=\"\">{t}</option>", "t",
		    W(ctx, "celle du réseau", "die van het netwerk",
		    "die des Netzwerks", "the network's"), (char *)NULL);
	for (i = 0; lang_codes[i] != NULL && i < LANG_COUNT; i++)
		html_tpl(ctx->body, "<option value=\"{c}\"{!s}>{n}</option>",
		    "c", lang_codes[i], "s", cur != NULL &&
		    strcmp(cur, lang_codes[i]) == 0 ? " selected" : "",
		    "n", wp_lang_names[i], (char *)NULL);
	html_raw(ctx->body, "</select>");
	if (msg != NULL)
		html_tpl(ctx->body, "<p class=\"error\" id=\"e-lang\">{m}</p>",
		    "m", msg, (char *)NULL);
	html_raw(ctx->body, "</div>");
}

void
web_people_form(struct web_ctx *ctx, const char *action, const json_t *vals,
    const json_t *err, int new)
{
	struct web_input	 in;
	size_t			 i;

	if (err != NULL && !wp_field_known(web_str(err, "field")))
		web_error_box(ctx, err);
	web_form_begin(ctx, action);
	for (i = 0; i < nitems(wp_fields); i++) {
		memset(&in, 0, sizeof in);
		in.name = wp_fields[i].name;
		in.label = wp_w(ctx, wp_fields[i].label);
		in.type = wp_fields[i].type;
		in.value = web_str(vals, wp_fields[i].name);
		in.hint = wp_w(ctx, wp_fields[i].hint);
		in.required = wp_fields[i].required;
		web_input(ctx, &in, err);
		if (i == 0)
			wp_roles_input(ctx, vals, err);
	}
	wp_lang_input(ctx, vals, err, new);
	html_tpl(ctx->body, "<p class=\"actions\"><button class=\"btn primary\""
	    " type=\"submit\">{b}</button></p>", "b", new ? W(ctx, "Ajouter",
	    "Toevoegen", "Hinzufügen", "Add") : W(ctx, "Enregistrer",
	    "Opslaan", "Speichern", "Save"), (char *)NULL);
	web_form_end(ctx);
}

json_t *
web_people_typed(struct web_ctx *ctx, json_t **bad)
{
	json_t		*o = json_object(), *roles = json_array();
	const char	*v;
	size_t		 i;

	*bad = NULL;
	for (i = 0; i < nitems(wp_fields); i++) {
		if ((v = web_param(ctx, wp_fields[i].name)) != NULL) {
			json_object_set_new(o, wp_fields[i].name,
			    json_string(v));
			continue;
		}
		/* left out (a script, not the form): not set, unchanged */
		if (!web_param_sent(ctx, wp_fields[i].name))
			continue;
		/* sent, but not text */
		if (*bad == NULL)
			*bad = json_pack("{ss ss}", "field", wp_fields[i].name,
			    "error", W(ctx, "texte illisible (pas en UTF-8) : "
			    "retapez-le au clavier", "onleesbare tekst (geen "
			    "UTF-8): typ hem opnieuw", "unlesbarer Text (kein "
			    "UTF-8): bitte neu eintippen", "unreadable text "
			    "(not UTF-8): type it again"));
	}
	for (i = 0; (v = web_param_n(ctx, "roles", i)) != NULL; i++)
		json_array_append_new(roles, json_string(v));
	json_object_set_new(o, "roles", roles);
	if ((v = web_param(ctx, "lang")) != NULL)
		json_object_set_new(o, "lang", json_string(v));
	return o;
}

/* The page of a new person, filled from vals, err the API's refusal or
 * NULL. */
static void
wp_new_page(struct web_ctx *ctx, const json_t *vals, const json_t *err)
{
	ctx->title = W(ctx, "Nouvelle personne", "Nieuwe persoon",
	    "Neue Person", "New person");
	html_tpl(ctx->body, "<h1>{t}</h1><section class=\"card\">", "t",
	    ctx->title, (char *)NULL);
	web_people_form(ctx, "/people/new", vals, err, 1);
	html_raw(ctx->body, "</section>");
}

void
web_people_new(struct web_ctx *ctx)
{
	json_t	*empty = json_object();

	wp_new_page(ctx, empty, NULL);
	json_decref(empty);
}

void
web_people_add(struct web_ctx *ctx)
{
	json_t		*typed, *body, *reply = NULL, *v;
	const char	*key;
	char		 loc[40];
	int		 status;

	typed = web_people_typed(ctx, &reply);
	if (reply != NULL) {
		ctx->status = 400;
		wp_new_page(ctx, typed, reply);
		json_decref(reply);
		json_decref(typed);
		return;
	}
	body = json_object();
	/* only the fields filled: the API's defaults for the others */
	json_object_foreach(typed, key, v)
		if (!json_is_string(v) || *json_string_value(v) != '\0')
			json_object_set(body, key, v);
	status = web_api(ctx, "POST", "/v1/people", body, &reply);
	if ((status == 200 || status == 201) &&
	    json_is_integer(json_object_get(reply, "id"))) {
		snprintf(loc, sizeof loc, "/people/%lld", (long long)
		    json_integer_value(json_object_get(reply, "id")));
		web_flash(ctx, W(ctx, "Personne ajoutée", "Persoon toegevoegd",
		    "Person hinzugefügt", "Person added"));
		web_redirect(ctx, loc);
	} else {
		ctx->status = web_people_status(status);
		wp_new_page(ctx, typed, reply);
	}
	json_decref(reply);
	json_decref(body);
	json_decref(typed);
}

