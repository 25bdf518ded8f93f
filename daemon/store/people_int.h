/*
 * people_int.h: private to people.c (the directory over the store),
 * people_field.c (a person's fields and the validation of a request),
 * people_mailkey.c and people_expiry.c (their mail key); nothing else
 * includes it (people.h is the module's contract).  It holds
 * the table of fields, which says for each how it is validated and how it
 * is stored, and the validated values of one request.
 */
#ifndef STOPPVIF_PEOPLE_INT_H
#define STOPPVIF_PEOPLE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "error.h"

struct store;
struct crypt_key;

enum pf_type {
	PF_TEXT,
	PF_ROLES,
	PF_EMAIL,
	PF_PHONE,
	PF_LANG,
	PF_PUBKEY,
	PF_QUIET,
};

struct people_field {
	const char	*name;		/* JSON field and column */
	enum pf_type	 type;
	int		 required;	/* on add */
	int		 clearable;	/* "" or null empties it */
	int		 sealed;
	size_t		 max;		/* PF_TEXT: characters */
	const char	*update;	/* UPDATE for this column */
};

/* The fields, in the order of people_fields[]. */
enum { PF_NAME, PF_ROLES_IDX, PF_COMMUNE, PF_ORG, PF_EMAIL_IDX, PF_PHONE_IDX,
    PF_LANG_IDX, PF_PUBKEY_IDX, PF_QUIET_IDX, NPFIELDS };

extern const struct people_field people_fields[NPFIELDS];

/*
 * The mail key of one request (people_mailkey.c): "smime_cert" or
 * "openpgp_key", the file's bytes in base64; null or "" there, or
 * "mail_key": null, removes it.
 */
struct people_mk {
	int		 present;
	const char	*field;		/* the request field that gave it */
	int		 kind;		/* enum mailcrypt_kind; 0: remove */
	uint8_t		*data;		/* the file's bytes, decoded */
	size_t		 len;
};

/* Validated values of one request: NULL value with present set clears. */
struct people_vals {
	int		 present[NPFIELDS];
	char		*value[NPFIELDS];
	unsigned	 roles;		/* bit i: audience_roles[i] */
	struct people_mk mk;
};

/*
 * Validate and normalise request req into *pv; on add (adding set) the
 * required fields must be there.  0, or -1 with err set (the field named).
 * people_vals_free() it either way.
 */
int		 people_parse(json_t *req, int adding, struct people_vals *pv,
		    struct error *err);
/* Wipe the sealed values of pv and free them all. */
void		 people_vals_free(struct people_vals *pv);

/*
 * The roles in list, separated by any character of sep, as bits (bit i:
 * audience_roles[i]); *bad is set when one of them is not a role.
 */
unsigned	 people_role_bits(const char *list, const char *sep, int *bad);

/*
 * Whether key is one of the mail key's request fields; if so, read its
 * value v into pv->mk (decoded; people_parse then wipes the request's
 * copy with people_mk_wipe).  1 when read, 0
 * when key is another field, -1 with err set.
 */
int		 people_mk_parse(struct people_vals *pv, const char *key,
		    json_t *v, struct error *err);
/* Wipe the mail key fields' strings of request req, in place. */
void		 people_mk_wipe(json_t *req);
/* Wipe and free what pv->mk holds. */
void		 people_mk_free(struct people_mk *mk);
/*
 * After the fields of pv were written to person id (data key dk): give,
 * replace or remove their mail key as pv->mk says, checked against their
 * address as it now is; or, when only the address changed, refuse a change
 * that leaves the kept key for another address.  0, or -1 with err.
 */
int		 people_mk_update(struct store *st, const struct crypt_key *dk,
		    int64_t id, const struct people_vals *pv, struct error *err);
/*
 * The "mail_key" member of a person's JSON, from the clear columns (kind
 * text, expiry or NULL, fingerprint) of stmt's row: null when none.
 */
/* Whole days from now until expires, rounded up; 0 or less once past. */
int64_t		 people_mk_days(int64_t expires, int64_t now);
json_t		*people_mk_json(sqlite3_stmt *stmt, int kcol, int ecol,
		    int fcol, int64_t now);

#endif
