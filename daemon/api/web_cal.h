/*
 * web_cal.h: what the calendar's two page files share: the event form with
 * its recurrence chooser (web_cal_form.c), used by the new-event page and
 * an event's page (web_cal.c).  Private to them.
 */
#ifndef STOPPVIF_WEB_CAL_H
#define STOPPVIF_WEB_CAL_H

#include <jansson.h>

#include "recur_words.h"

struct web_ctx;

/*
 * The form's values.  The strings live as long as the request's parameters
 * or the JSON event they were read from; own[] holds what was built for
 * the form and is freed by web_cal_form_clear.
 */
struct web_cal_form {
	const char		*title, *kind, *dtstart, *duration;
	const char		*location, *commune, *description;
	const char		*remind, *audience;
	const char		*rrule;		/* the advanced field */
	unsigned		 channels;	/* CHAN_BIT()s */
	int			 skip_holidays;
	struct recur_words	 w;
	/* the chooser's numbers and date as typed (NULL: from w), kept
	 * when they are wrong so that the form shows them back */
	const char		*interval, *mday, *until, *count;
	char			*own[2];
};

/* The form of a new event: its defaults. */
void	 web_cal_form_defaults(struct web_cal_form *);
/* The form filled from an event of the API (GET /v1/events/ID). */
void	 web_cal_form_from_event(struct web_cal_form *, const json_t *ev);
/*
 * The form from the request's parameters.  Returns 0, or -1 with *err a
 * new error object naming the chooser's input that is wrong (in the
 * page's language), shaped as the API's errors.
 */
int	 web_cal_form_from_params(struct web_ctx *, struct web_cal_form *,
	    json_t **err);
void	 web_cal_form_clear(struct web_cal_form *);

/* The API's JSON event of the form (new reference). */
json_t	*web_cal_form_body(const struct web_cal_form *);

/*
 * Write the form posting to action, err (an API error, or NULL) shown under
 * its field, and the buttons "Voir les 5 prochaines dates" and "Enregistrer".
 */
void	 web_cal_form_write(struct web_ctx *, const char *action,
	    const struct web_cal_form *, const json_t *err);

/*
 * Write the preview of the API's answer {"rule", "next"}: the rule in words
 * (or as it is when the chooser cannot say it) and the dates in words.
 */
void	 web_cal_preview_write(struct web_ctx *, const json_t *preview);
/* The rule in words into buf, or NULL when the chooser cannot say it. */
const char *web_cal_rule_words(struct web_ctx *, const char *rrule,
	    char *buf, size_t len);

/* The status a form answered again takes after the API said status. */
int	 web_cal_form_status(int status);

#endif
