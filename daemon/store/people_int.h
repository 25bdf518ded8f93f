/*
 * people_int.h: private to people.c (the directory over the store) and
 * people_field.c (a person's fields and the validation of a request);
 * nothing else includes it (people.h is the module's contract).  It holds
 * the table of fields, which says for each how it is validated and how it
 * is stored, and the validated values of one request.
 */
#ifndef STOPPVIF_PEOPLE_INT_H
#define STOPPVIF_PEOPLE_INT_H

#include <stddef.h>

#include <jansson.h>

#include "error.h"

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

/* Validated values of one request: NULL value with present set clears. */
struct people_vals {
	int		 present[NPFIELDS];
	char		*value[NPFIELDS];
	unsigned	 roles;		/* bit i: audience_roles[i] */
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

#endif
