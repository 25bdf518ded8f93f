/*
 * calendar_preview.c: the next dates of an event not yet written.
 *
 * The request is validated exactly as calendar_add() validates it (the same
 * table, the same messages naming the field), then expanded by the same
 * iterator the scheduler and the agenda use, holidays and closures skipped
 * as the event would skip them: what a form previews is what will happen.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "calendar_int.h"
#include "recur.h"
#include "tz.h"
#include "util.h"

/* Fill ev, for expansion, from the validated definition d. */
static int
preview_event(struct calendar *cal, const struct cal_evdef *d,
    struct cal_event *ev, char **cause)
{
	struct recur_civil	 c;
	size_t			 i;

	memset(ev, 0, sizeof *ev);
	ev->closures = cal->closures;
	ev->skip_holidays = d->skip != NULL;
	ev->duration = d->duration;
	if ((ev->tz = tz_cached(d->tz, cause)) == NULL ||
	    recur_civil_parse(d->dtstart, &ev->dtstart, cause) == -1 ||
	    (d->rrule != NULL && (ev->rule = recur_rule_parse(d->rrule,
	    cause)) == NULL))
		return -1;
	ev->exdates = xcalloc(d->nexdates + 1, sizeof *ev->exdates);
	for (i = 0; i < d->nexdates; i++) {
		if (recur_civil_parse(d->exdates[i], &c, cause) == -1)
			return -1;
		ev->exdates[ev->nexdates++] = recur_civil_secs(&c);
	}
	return 0;
}

/* The first n occurrences of ev from now on, as a JSON array. */
static json_t *
preview_next(const struct cal_event *ev, size_t n)
{
	struct recur_iter	*it = calendar_event_iter(ev);
	struct recur_occ	 occ;
	json_t			*next = json_array();
	char			 buf[RECUR_FMT_LEN];

	recur_iter_seek(it, util_now());
	while (json_array_size(next) < n && recur_iter_next(it, &occ) == 1)
		json_array_append_new(next, json_string(recur_format(&occ,
		    buf, sizeof buf)));
	recur_iter_free(it);
	return next;
}

json_t *
calendar_preview(struct calendar *cal, json_t *req, size_t n,
    struct error *err)
{
	struct cal_evdef	 d;
	struct cal_event	 ev;
	json_t			*result = NULL;
	char			*cause = NULL;

	memset(&ev, 0, sizeof ev);
	cal->check_future = !cal->importing;
	if (calendar_evdef_parse(cal, req, &d, err) == -1)
		goto out;
	if (preview_event(cal, &d, &ev, &cause) == -1) {
		error_take(err, ERR_INTERNAL, NULL, cause);
		goto out;
	}
	result = json_pack("{so so}", "rule", d.rrule != NULL ?
	    json_string(d.rrule) : json_null(), "next", preview_next(&ev, n));
out:
	recur_rule_free(ev.rule);
	free(ev.exdates);
	calendar_evdef_free(&d);
	return result;
}
