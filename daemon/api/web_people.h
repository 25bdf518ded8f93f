/*
 * web_people.h: what the two page files of the directory share: the
 * person's form (web_people.c) that the page of one person (web_person.c)
 * shows too.
 */
#ifndef STOPPVIF_WEB_PEOPLE_H
#define STOPPVIF_WEB_PEOPLE_H

#include <jansson.h>

struct web_ctx;

/*
 * Write the form of a person posting to action, filled from vals (a person
 * as the API gives it, or web_people_typed()), err the API's refusal or
 * NULL: its message goes under the field it names, or in a box above when
 * the form has no such field.  new: the form adds a person (the language
 * may be left to the network's).
 */
void		 web_people_form(struct web_ctx *, const char *action,
		    const json_t *vals, const json_t *err, int new);
/*
 * What the form sent: each text field as typed, "roles" (the boxes
 * checked), "lang".  A new object.  The form sends every text field: one
 * missing was not valid UTF-8, and *bad is then a refusal about it (a new
 * reference, in the shape of the API's), else NULL.
 */
json_t		*web_people_typed(struct web_ctx *, json_t **bad);
/* The message of an API reply, or one saying the service did not answer. */
const char	*web_people_error(const struct web_ctx *, const json_t *reply);
/* The status of a page refusing a form: 400, or the API's own 5xx. */
int		 web_people_status(int status);

#endif
