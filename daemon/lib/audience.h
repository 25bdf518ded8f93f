/*
 * audience.h: who a message is for, written once.
 *
 * The roles a person can hold, and the one parser of an audience: a
 * comma-separated list of "role:ROLE" and "person:ID" (an event's
 * audience, a shelter's alert_audience and escalate_to).  Pure: whether a
 * person ID exists is the caller's question (the store's).
 */
#ifndef STOPPVIF_AUDIENCE_H
#define STOPPVIF_AUDIENCE_H

#include <stddef.h>
#include <stdint.h>

/* The roles, NULL-terminated, in the order of their bits (bit i: role i). */
extern const char *const audience_roles[];

/* The index of role, or -1 when it is not a role. */
int		 audience_role(const char *role);
/* The roles, comma-separated, for messages: "referent, platform, ...". */
const char	*audience_role_list(void);

struct audience_item {
	int		 role;		/* a role's index, or -1 */
	int64_t		 person;	/* a person's ID when role is -1 */
};

/*
 * Parse one item, "role:ROLE" or "person:ID" (ID ≥ 1): 0, or -1 when it is
 * neither.  The caller words the refusal in its own language (the
 * configuration speaks English, the API French), with audience_role_list().
 */
int		 audience_item_parse(const char *item, struct audience_item *);

/*
 * Parse a comma- (or space-) separated list into a new array of *n items
 * (NULL when there are none): 0, or -1 with *bad set to a copy of the first
 * item that is not one (the caller frees it), or to NULL when the list has
 * more than max items.
 */
int		 audience_parse(const char *list, size_t max,
		    struct audience_item **items, size_t *n, char **bad);

/* "role:R" or "person:ID" written back, into buf. */
const char	*audience_item_text(const struct audience_item *, char *buf,
		    size_t len);

#endif
