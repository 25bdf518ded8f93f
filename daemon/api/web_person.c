/*
 * web_person.c: the console's page of one person of the directory
 * (coordinator): the form that edits them, which sends the API only the
 * fields that changed, and their mail key: its kind, fingerprint and
 * expiry, and the form where a coordinator pastes the OpenPGP key or the
 * S/MIME certificate the person sent, passed to the API in base64 as the
 * CLI passes a key file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "datefmt.h"
#include "html.h"
#include "util.h"
#include "web_int.h"
#include "web_people.h"

#define WPE_EXPIRY_SOON	30	/* days: a mail key "expires soon" */

/* Whether err is about the pasted key's field. */
static int
wpe_about_key(const json_t *err)
{
	const char	*f = web_str(err, "field");

	return f != NULL && strcmp(f, "key") == 0;
}

/* The mail key of person p in words: kind, fingerprint, expiry. */
static void
wpe_key_status(struct web_ctx *ctx, const json_t *p)
{
	const json_t	*mk = json_object_get(p, "mail_key");
	const json_t	*days = json_object_get(mk, "days_left");
	const char	*kind = web_str(mk, "kind");
	const char	*exp = web_str(mk, "expires");
	char		 when[DATEFMT_LEN], n[24];

	if (kind == NULL) {
		html_tpl(ctx->body, "<p>{t}</p>", "t", W(ctx, "Aucune clé : "
		    "ses e-mails partent en clair.", "Geen sleutel: de e-mails "
		    "worden onversleuteld verstuurd.", "Kein Schlüssel: die "
		    "E-Mails gehen unverschlüsselt.", "No key: their emails "
		    "are sent in clear."), (char *)NULL);
		return;
	}
	html_tpl(ctx->body, "<p><span class=\"badge ok\">{k}</span> "
	    "<span class=\"muted fingerprint\">{fl} <code>{f}</code></span>"
	    "</p>",
	    "k", strcmp(kind, "smime") == 0 ? "S/MIME" : "OpenPGP",
	    "fl", W(ctx, "Empreinte", "Vingerafdruk", "Fingerabdruck",
	    "Fingerprint"), "f", web_str(mk, "fingerprint"), (char *)NULL);
	if (exp == NULL || !json_is_integer(days)) {
		html_tpl(ctx->body, "<p>{t}</p>", "t", W(ctx, "Sans date de "
		    "fin.", "Zonder einddatum.", "Ohne Ablaufdatum.",
		    "No end date."), (char *)NULL);
		return;
	}
	web_date(ctx, exp, DATEFMT_DATE, when, sizeof when);
	snprintf(n, sizeof n, "%lld", (long long)json_integer_value(days));
	if (json_integer_value(days) <= 0)
		html_tpl(ctx->body, "<p class=\"bad\">{a} {w} : {b}</p>",
		    "a", W(ctx, "A expiré le", "Verlopen op", "Abgelaufen am",
		    "Expired on"), "w", when, "b", W(ctx, "ses e-mails partent "
		    "en clair, demandez-lui une nouvelle clé.", "de e-mails "
		    "gaan onversleuteld, vraag een nieuwe sleutel.", "die "
		    "E-Mails gehen unverschlüsselt, bitten Sie um einen neuen "
		    "Schlüssel.", "their emails go in clear, ask them for a "
		    "new key."), (char *)NULL);
	else
		html_tpl(ctx->body, "<p{!c}>{a} {w} ({n} {d})</p>",
		    "c", json_integer_value(days) <= WPE_EXPIRY_SOON ?
		    " class=\"bad\"" : "",
		    "a", W(ctx, "Expire le", "Verloopt op", "Läuft ab am",
		    "Expires on"), "w", when, "n", n,
		    "d", W(ctx, "jour(s) restant(s)", "dag(en) over",
		    "Tag(e) übrig", "day(s) left"), (char *)NULL);
}

/* The mail key section of person p (id): its status and the form that
 * pastes a new one; err the API's refusal of the last one, or NULL. */
static void
wpe_key_section(struct web_ctx *ctx, const json_t *p, const char *id,
    const json_t *err)
{
	struct web_input	 in;
	char			 action[48];

	snprintf(action, sizeof action, "/people/%s/key", id);
	html_tpl(ctx->body, "<section class=\"card\"><h2>{t}</h2>", "t",
	    W(ctx, "Chiffrement des e-mails", "Versleuteling van e-mails",
	    "Verschlüsselung der E-Mails", "Email encryption"), (char *)NULL);
	wpe_key_status(ctx, p);
	if (err != NULL && !wpe_about_key(err))
		web_error_box(ctx, err);
	web_form_begin(ctx, action);
	memset(&in, 0, sizeof in);
	in.name = "key";
	in.type = "textarea";
	in.label = W(ctx, "Nouvelle clé publique", "Nieuwe publieke sleutel",
	    "Neuer öffentlicher Schlüssel", "New public key");
	in.hint = W(ctx, "Collez la clé OpenPGP (« -----BEGIN PGP PUBLIC KEY "
	    "BLOCK----- ») ou le certificat S/MIME (« -----BEGIN "
	    "CERTIFICATE----- ») que la personne vous a envoyé, jamais une "
	    "clé privée.", "Plak de OpenPGP-sleutel (\"-----BEGIN PGP PUBLIC "
	    "KEY BLOCK-----\") of het S/MIME-certificaat (\"-----BEGIN "
	    "CERTIFICATE-----\"), nooit een privésleutel.", "Fügen Sie den "
	    "OpenPGP-Schlüssel (\"-----BEGIN PGP PUBLIC KEY BLOCK-----\") "
	    "oder das S/MIME-Zertifikat (\"-----BEGIN CERTIFICATE-----\") "
	    "ein, nie einen privaten Schlüssel.", "Paste the OpenPGP key "
	    "(\"-----BEGIN PGP PUBLIC KEY BLOCK-----\") or the S/MIME "
	    "certificate (\"-----BEGIN CERTIFICATE-----\"), never a private "
	    "key.");
	web_input(ctx, &in, err);
	html_tpl(ctx->body, "<p class=\"actions\"><button class=\"btn "
	    "primary\" type=\"submit\">{s}</button>", "s", W(ctx,
	    "Enregistrer la clé", "Sleutel opslaan", "Schlüssel speichern",
	    "Save the key"), (char *)NULL);
	if (json_object_get(p, "mail_key") != NULL &&
	    !json_is_null(json_object_get(p, "mail_key")))
		html_tpl(ctx->body, " <button class=\"btn danger\" "
		    "type=\"submit\" name=\"remove\" value=\"1\">{r}</button>",
		    "r", W(ctx, "Retirer la clé", "Sleutel verwijderen",
		    "Schlüssel entfernen", "Remove the key"), (char *)NULL);
	html_raw(ctx->body, "</p>");
	web_form_end(ctx);
	html_raw(ctx->body, "</section>");
}

/*
 * The page of person p: the form filled from vals (p, or what was typed)
 * with err, the key section with key_err.
 */
static void
wpe_show_page(struct web_ctx *ctx, const json_t *p, const json_t *vals,
    const json_t *err, const json_t *key_err)
{
	char	 id[24], action[40];

	snprintf(id, sizeof id, "%lld", (long long)ctx->id);
	snprintf(action, sizeof action, "/people/%s", id);
	ctx->title = W(ctx, "Personne", "Persoon", "Person", "Person");
	html_tpl(ctx->body, "<p><a href=\"/people\">{b}</a></p><h1>{n}</h1>"
	    "<div class=\"grid\"><section class=\"card\"><h2>{c}</h2>",
	    "b", W(ctx, "← Toutes les personnes", "← Alle personen",
	    "← Alle Personen", "← Everyone"), "n", web_str(p, "name"),
	    "c", W(ctx, "Coordonnées", "Gegevens", "Angaben", "Details"),
	    (char *)NULL);
	web_people_form(ctx, action, vals, err, 0);
	html_raw(ctx->body, "</section>");
	wpe_key_section(ctx, p, id, key_err);
	html_raw(ctx->body, "</div>");
}

/* Person ctx->id from the API (a new reference), or NULL with the error
 * page answered. */
static json_t *
wpe_get(struct web_ctx *ctx)
{
	json_t	*p = NULL;
	char	 path[48];
	int	 status;

	snprintf(path, sizeof path, "/v1/people/%lld", (long long)ctx->id);
	status = web_api(ctx, "GET", path, NULL, &p);
	if (status == 200 && json_is_object(p))
		return p;
	web_fail(ctx, status >= 400 ? status : 500, web_people_error(ctx, p));
	json_decref(p);
	return NULL;
}

void
web_people_show(struct web_ctx *ctx)
{
	json_t	*p;

	if ((p = wpe_get(ctx)) == NULL)
		return;
	wpe_show_page(ctx, p, p, NULL, NULL);
	json_decref(p);
}

/*
 * The changes of typed over person p: each text field whose value differs
 * ("" clears it), the roles and the language when they changed.  A new
 * object, empty when nothing changed.
 */
static json_t *
wpe_changes(const json_t *p, json_t *typed)
{
	json_t		*body = json_object(), *v;
	const char	*key, *cur;

	json_object_foreach(typed, key, v) {
		if (strcmp(key, "roles") == 0) {
			if (!json_equal(v, json_object_get(p, "roles")))
				json_object_set(body, key, v);
			continue;
		}
		cur = web_str(p, key);
		if (strcmp(cur != NULL ? cur : "", json_string_value(v)) != 0)
			json_object_set(body, key, v);
	}
	return body;
}

void
web_people_edit(struct web_ctx *ctx)
{
	json_t	*p, *typed, *body, *reply = NULL;
	char	 path[48];
	int	 status;

	if ((p = wpe_get(ctx)) == NULL)
		return;
	typed = web_people_typed(ctx, &reply);
	body = wpe_changes(p, typed);
	snprintf(path, sizeof path, "/v1/people/%lld", (long long)ctx->id);
	if (reply != NULL) {
		ctx->status = 400;	/* a field was not UTF-8: nothing sent */
		wpe_show_page(ctx, p, typed, reply, NULL);
	} else if (json_object_size(body) == 0) {
		web_flash(ctx, W(ctx, "Rien n'a changé", "Niets gewijzigd",
		    "Nichts geändert", "Nothing changed"));
		web_redirect(ctx, path + 3);
	} else if ((status = web_api(ctx, "PATCH", path, body, &reply)) ==
	    200) {
		web_flash(ctx, W(ctx, "Modifications enregistrées",
		    "Wijzigingen opgeslagen", "Änderungen gespeichert",
		    "Changes saved"));
		web_redirect(ctx, path + 3);
	} else {
		ctx->status = web_people_status(status);
		wpe_show_page(ctx, p, typed, reply, NULL);
	}
	json_decref(reply);
	json_decref(body);
	json_decref(typed);
	json_decref(p);
}

/*
 * The API field a pasted key goes in: an OpenPGP armour says so, any other
 * armour (a certificate, a PKCS #7 bundle, or a private key the API will
 * refuse) is S/MIME's; bare text is tried as OpenPGP.
 */
static const char *
wpe_key_field(const char *text)
{
	if (strstr(text, "-----BEGIN PGP") != NULL)
		return "openpgp_key";
	if (strstr(text, "-----BEGIN ") != NULL)
		return "smime_cert";
	return "openpgp_key";
}

/* The request that sets the pasted key: its text in base64 (as the CLI
 * sends a key file), or null for the removal.  A new object. */
static json_t *
wpe_key_body(struct web_ctx *ctx)
{
	const char	*text = web_param(ctx, "key");
	json_t		*body = json_object();
	char		*b64;
	size_t		 len, blen;

	if (web_param(ctx, "remove") != NULL) {
		json_object_set_new(body, "mail_key", json_null());
		return body;
	}
	len = text != NULL ? strlen(text) : 0;
	blen = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, (const unsigned char *)(text != NULL ?
	    text : ""), len, sodium_base64_VARIANT_ORIGINAL);
	json_object_set_new(body, wpe_key_field(text != NULL ? text : ""),
	    json_string(b64));
	sodium_memzero(b64, blen);	/* it may be a private key */
	free(b64);
	return body;
}

/* The API's refusal of a key, about the textarea ("key") when it names
 * the key's field. */
static json_t *
wpe_key_error(const json_t *reply)
{
	json_t		*err = json_deep_copy(reply);
	const char	*f = web_str(reply, "field");

	if (err != NULL && f != NULL && (strcmp(f, "openpgp_key") == 0 ||
	    strcmp(f, "smime_cert") == 0 || strcmp(f, "mail_key") == 0))
		json_object_set_new(err, "field", json_string("key"));
	return err;
}

void
web_people_key(struct web_ctx *ctx)
{
	json_t		*p, *body, *reply = NULL, *err;
	const char	*text = web_param(ctx, "key");
	char		 path[48];
	int		 status, removing = web_param(ctx, "remove") != NULL;

	if ((p = wpe_get(ctx)) == NULL)
		return;
	snprintf(path, sizeof path, "/v1/people/%lld", (long long)ctx->id);
	if (!removing && (text == NULL || strspn(text, " \t\r\n") ==
	    strlen(text))) {
		reply = json_pack("{ss ss}", "field", "key", "error",
		    W(ctx, "Collez d'abord la clé publique dans le champ.",
		    "Plak eerst de publieke sleutel in het veld.",
		    "Fügen Sie zuerst den öffentlichen Schlüssel ein.",
		    "Paste the public key in the field first."));
		status = 400;
	} else {
		body = wpe_key_body(ctx);
		status = web_api(ctx, "PATCH", path, body, &reply);
		json_decref(body);
	}
	if (status == 200) {
		web_flash(ctx, removing ? W(ctx, "Clé retirée : ses e-mails "
		    "partent en clair", "Sleutel verwijderd", "Schlüssel "
		    "entfernt", "Key removed") : W(ctx, "Clé enregistrée",
		    "Sleutel opgeslagen", "Schlüssel gespeichert",
		    "Key saved"));
		web_redirect(ctx, path + 3);
	} else {
		ctx->status = web_people_status(status);
		err = wpe_key_error(reply);
		wpe_show_page(ctx, p, p, NULL, err);
		json_decref(err);
	}
	json_decref(reply);
	json_decref(p);
}
