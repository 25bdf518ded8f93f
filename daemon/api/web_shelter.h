/*
 * web_shelter.h: what the console's apartment pages share with the
 * dashboard, the alert and the report: a shelter's state in words of the
 * page's language, as a badge, and the page of a daemon that could not
 * answer.
 */
#ifndef STOPPVIF_WEB_SHELTER_H
#define STOPPVIF_WEB_SHELTER_H

#include <jansson.h>

struct web_ctx;

/* Write state, the API's name of it ("vacant"), as a badge in words of the
 * page's language: <span class="badge state-vacant">libre (alerte
 * ouverte)</span>. */
void		 web_shelter_badge(struct web_ctx *, const char *state);

/* Answer a page saying the daemon could not answer (an API failure that
 * is not the user's), with status when it is an error's, else 500. */
void		 web_shelter_down(struct web_ctx *, int status);
/* "Réservé par NAME, jusqu'au DATE" of shelter sh (an API shelter with
 * reserved_by: a coordinator's read), or nothing when not reserved. */
void		 web_shelter_reserved(struct web_ctx *, const json_t *sh);

#endif
