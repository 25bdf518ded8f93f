/*
 * people_field.c: a person's fields, described once, and the validation of
 * a request.
 *
 * Each request field is described once, in people_fields[]: its JSON name,
 * how it is validated, whether it is required, whether it is sealed and the
 * UPDATE that writes it.  A request is validated whole before anything is
 * written: every value normalised (an email address, a phone number in
 * international form, quiet hours as HH:MM-HH:MM), or the first problem
 * reported with the field it concerns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audience.h"
#include "config.h"
#include "contact.h"
#include "guard.h"
#include "lang.h"
#include "people_int.h"
#include "utf8.h"
#include "util.h"


const struct people_field people_fields[NPFIELDS] = {
	{ "name", PF_TEXT, 1, 0, 1, 100,
	    "UPDATE people SET name = ?2 WHERE id = ?1" },
	{ "roles", PF_ROLES, 1, 0, 0, 0, NULL },
	{ "commune", PF_TEXT, 0, 1, 1, 64,
	    "UPDATE people SET commune = ?2 WHERE id = ?1" },
	{ "org", PF_TEXT, 0, 1, 1, 100,
	    "UPDATE people SET org = ?2 WHERE id = ?1" },
	{ "email", PF_EMAIL, 0, 1, 1, 0,
	    "UPDATE people SET email = ?2 WHERE id = ?1" },
	{ "phone", PF_PHONE, 0, 1, 1, 0,
	    "UPDATE people SET phone = ?2 WHERE id = ?1" },
	{ "lang", PF_LANG, 0, 0, 0, 0,
	    "UPDATE people SET lang = ?2 WHERE id = ?1" },
	{ "pubkey", PF_PUBKEY, 0, 1, 0, 0,
	    "UPDATE people SET pubkey = ?2 WHERE id = ?1" },
	{ "quiet_hours", PF_QUIET, 0, 1, 0, 0,
	    "UPDATE people SET quiet_hours = ?2 WHERE id = ?1" },
};

void
people_vals_free(struct people_vals *pv)
{
	size_t	 i;

	for (i = 0; i < NPFIELDS; i++) {
		if (pv->value[i] != NULL && people_fields[i].sealed)
			sodium_memzero(pv->value[i], strlen(pv->value[i]));
		free(pv->value[i]);
	}
	people_mk_free(&pv->mk);
}

unsigned
people_role_bits(const char *list, const char *sep, int *bad)
{
	char		*copy = xstrdup(list), *tok, *save = NULL;
	unsigned	 mask = 0;
	int		 bit;

	for (tok = strtok_r(copy, sep, &save); tok != NULL;
	    tok = strtok_r(NULL, sep, &save)) {
		if ((bit = audience_role(tok)) == -1)
			*bad = 1;
		else
			mask |= 1u << bit;
	}
	free(copy);
	return mask;
}

/* The roles of an array of names as bits; *bad set when one is not. */
static unsigned
pv_role_array(json_t *v, int *bad)
{
	json_t		*item;
	size_t		 i;
	unsigned	 mask = 0;
	int		 bit;

	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || (bit =
		    audience_role(json_string_value(item))) == -1) {
			*bad = 1;
			break;
		}
		mask |= 1u << bit;
	}
	return mask;
}

/* Parse roles: an array of names or one comma-separated string. */
static int
pv_roles(json_t *v, unsigned *mask, struct error *err)
{
	int	 bad = 0;

	*mask = 0;
	if (json_is_string(v))
		*mask = people_role_bits(json_string_value(v), ", ", &bad);
	else if (json_is_array(v))
		*mask = pv_role_array(v, &bad);
	else
		bad = 1;
	if (bad || *mask == 0) {
		error_set(err, ERR_INVALID, "roles", "rôle inconnu ou "
		    "absent : choisissez parmi %s", audience_role_list());
		return -1;
	}
	return 0;
}

/* Check free text: nothing invisible, no control characters, length
 * within bounds. */
static int
pv_text(const struct people_field *f, const char *s, struct error *err)
{
	char	*cause = NULL;

	if (guard_input_check(s, 0, &cause) == -1) {
		return error_take(err, ERR_INVALID, f->name, cause);
	}
	if (utf8_len(s) > f->max) {
		error_set(err, ERR_INVALID, f->name, "trop long : "
		    "%zu caractères au plus", f->max);
		return -1;
	}
	if (!f->clearable && *s == '\0') {
		error_set(err, ERR_INVALID, f->name, "ne peut pas "
		    "être vide");
		return -1;
	}
	return 0;
}

/*
 * A person's quiet hours, "HH:MM-HH:MM" (an en dash or spaces around the
 * dash allowed) or "none" (no quiet hours for them, whatever the daemon's),
 * normalised into buf.  0 or -1.
 */
static int
people_quiet(const char *s, char *buf, size_t len)
{
	const char	*dash;
	char		 a[8], b[8];
	int		 from, to;

	if (strcmp(s, "none") == 0) {
		util_strlcpy(buf, s, len);
		return 0;
	}
	if ((dash = strstr(s, "\xe2\x80\x93")) == NULL &&	/* en dash */
	    (dash = strchr(s, '-')) == NULL)
		return -1;
	if (sscanf(s, " %7[0-9:]", a) != 1 || sscanf(dash + (*dash == '-' ?
	    1 : 3), " %7[0-9:] ", b) != 1)
		return -1;
	snprintf(buf, len, "%s-%s", a, b);
	if (config_quiet_parse(buf, &from, &to) == -1)
		return -1;
	snprintf(buf, len, "%02d:%02d-%02d:%02d", from / 60, from % 60,
	    to / 60, to % 60);
	return 0;
}

/* An email address or a phone number, normalised into buf. */
static int
pv_contact(const struct people_field *f, const char *s, char *buf, size_t len,
    struct error *err)
{
	char	*cause = NULL;
	int	 rc;

	if (f->type == PF_EMAIL)
		rc = contact_email_normalize(s, buf, len, &cause);
	else
		rc = contact_phone_normalize(s, buf, len, &cause);
	if (rc == 0)
		return 0;
	return error_take(err, ERR_INVALID, f->name, cause);
}

/* One of the languages (lang.h), into buf. */
static int
pv_lang(const struct people_field *f, const char *s, char *buf, size_t len,
    struct error *err)
{
	if (lang_parse(s) >= 0) {
		util_strlcpy(buf, s, len);
		return 0;
	}
	error_set(err, ERR_INVALID, f->name, "langue inconnue « %s » : "
	    "%s", UTF8_CUT(s, 16), lang_list());
	return -1;
}

/* A public key: 32 bytes in base64, copied into buf. */
static int
pv_pubkey(const struct people_field *f, const char *s, char *buf, size_t len,
    struct error *err)
{
	unsigned char	 pk[crypto_box_PUBLICKEYBYTES];
	size_t		 pklen;

	if (sodium_base642bin(pk, sizeof pk, s, strlen(s), NULL, &pklen,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || pklen != sizeof pk) {
		error_set(err, ERR_INVALID, f->name, "clé publique invalide : "
		    "32 octets en base64 attendus (44 caractères finissant "
		    "par =)");
		return -1;
	}
	util_strlcpy(buf, s, len);
	return 0;
}

/* Quiet hours, normalised into buf (people_quiet). */
static int
pv_quiet(const struct people_field *f, const char *s, char *buf, size_t len,
    struct error *err)
{
	if (people_quiet(s, buf, len) == 0)
		return 0;
	error_set(err, ERR_INVALID, f->name, "heures calmes « %s » : "
	    "HH:MM-HH:MM attendu (par exemple 21:00-08:00), ou none pour "
	    "aucune", UTF8_CUT(s, 32));
	return -1;
}

/* Validate one string field; *out is the normalised value. */
static int
pv_string(const struct people_field *f, const char *s, char **out,
    struct error *err)
{
	char	 buf[CONTACT_EMAIL_MAX + 1];
	int	 rc = -1;

	switch (f->type) {
	case PF_TEXT:
		if (pv_text(f, s, err) == -1)
			return -1;
		*out = xstrdup(s);
		return 0;
	case PF_EMAIL:
	case PF_PHONE:
		rc = pv_contact(f, s, buf, sizeof buf, err);
		break;
	case PF_LANG:
		rc = pv_lang(f, s, buf, sizeof buf, err);
		break;
	case PF_PUBKEY:
		rc = pv_pubkey(f, s, buf, sizeof buf, err);
		break;
	case PF_QUIET:
		rc = pv_quiet(f, s, buf, sizeof buf, err);
		break;
	case PF_ROLES:
		/* people_parse reads roles itself: never here */
		error_set(err, ERR_INTERNAL, f->name, "champ mal décrit");
		return -1;
	}
	if (rc == 0)
		*out = xstrdup(buf);
	sodium_memzero(buf, sizeof buf);
	return rc;
}

/* The index of field name in people_fields, or NPFIELDS when there is none. */
static size_t
pf_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NPFIELDS; i++)
		if (strcmp(people_fields[i].name, name) == 0)
			break;
	return i;
}

/* Read value v of field i into pv. */
static int
pv_field(struct people_vals *pv, size_t i, json_t *v, struct error *err)
{
	pv->present[i] = 1;
	if (people_fields[i].type == PF_ROLES)
		return pv_roles(v, &pv->roles, err);
	if (people_fields[i].clearable && (json_is_null(v) ||
	    (json_is_string(v) && *json_string_value(v) == '\0')))
		return 0;	/* clears the field */
	if (!json_is_string(v)) {
		error_set(err, ERR_INVALID, people_fields[i].name,
		    "doit être une chaîne de caractères");
		return -1;
	}
	return pv_string(&people_fields[i], json_string_value(v), &pv->value[i],
	    err);
}

/* Every required field holds a value: all on add, those present on edit. */
static int
pv_required(const struct people_vals *pv, int adding, struct error *err)
{
	size_t	 i;

	for (i = 0; i < NPFIELDS; i++) {
		if (!people_fields[i].required || (!adding && !pv->present[i]))
			continue;
		if (!pv->present[i] || (people_fields[i].type != PF_ROLES &&
		    pv->value[i] == NULL)) {
			error_set(err, ERR_INVALID, people_fields[i].name,
			    "obligatoire");
			return -1;
		}
	}
	return 0;
}

/* people_parse, but for the wiping of the request's key file. */
static int
people_parse_fields(json_t *req, int adding, struct people_vals *pv,
    struct error *err)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	if (!json_is_object(req)) {
		error_set(err, ERR_INVALID, NULL, "la requête doit être "
		    "un objet JSON");
		return -1;
	}
	json_object_foreach(req, key, v) {
		switch (people_mk_parse(pv, key, v, err)) {
		case -1:
			return -1;
		case 1:
			continue;	/* the mail key (people_mailkey.c) */
		}
		if ((i = pf_find(key)) == NPFIELDS) {
			error_set(err, ERR_INVALID, UTF8_CUT(key, 32),
			    "champ inconnu « %s »", UTF8_CUT(key, 32));
			return -1;
		}
		if (pv_field(pv, i, v, err) == -1)
			return -1;
	}
	return pv_required(pv, adding, err);
}

int
people_parse(json_t *req, int adding, struct people_vals *pv, struct error *err)
{
	int	 rc;

	memset(pv, 0, sizeof *pv);
	rc = people_parse_fields(req, adding, pv, err);
	if (json_is_object(req))
		people_mk_wipe(req);	/* read or not, its file goes */
	return rc;
}
