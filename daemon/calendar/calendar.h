/*
 * calendar.h: the network's events (platform meetings, trainings, La Cabane,
 * awareness actions) and their reminders.
 *
 * Requests and answers are the JSON event objects described in ics.h.  Every
 * field is validated from one table; an error names the field.  A title the
 * phone guard refuses (guard.h) is kept for the agenda and the export; the
 * event then has a "phone_title", the neutral one that SMS texts and email
 * subjects carry in its place.  Writing
 * functions run inside the caller's transaction; the caller then plans the
 * event with the scheduler (sched.h).
 */
#ifndef STOPPVIF_CALENDAR_H
#define STOPPVIF_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "error.h"
#include "recur.h"

struct crypt_key;
struct store;
struct tz;
struct closures;

#define CAL_MAX_REMIND	16

/* What the calendar works on; owned by the caller. */
struct calendar {
	struct store		 *store;
	const struct crypt_key	 *master;	/* seals places, descriptions */
	const char		 *default_tz;	/* [daemon] timezone */
	struct closures		 *closures;	/* NULL: none configured */
	int			  check_future;	/* set by add and edit */
	int			  importing;	/* past events welcome */
	const char		 *phone_title;	/* [calendar] phone_title; NULL:
						   CALENDAR_PHONE_TITLE */
};

/* What phones show of a title the phone guard refuses, by default. */
#define CALENDAR_PHONE_TITLE	"Réunion du réseau"

/* One event loaded for expansion (calendar_event_load). */
struct cal_event {
	int64_t			 id;
	char			*title;
	char			*location;
	char			*commune;
	struct recur_civil	 dtstart;
	const struct tz		*tz;		/* from tz_cached() */
	struct recur_rule	*rule;		/* NULL: one occurrence */
	int64_t			 duration;
	int64_t			 offsets[CAL_MAX_REMIND];	/* descending */
	size_t			 noffsets;
	int64_t			*exdates;	/* local seconds */
	size_t			 nexdates;
	int			 skip_holidays;
	unsigned		 channels;	/* CHAN_BIT()s (chan.h) */
	int64_t			 planned_until;
	struct closures		*closures;
};

/* The event kinds, NULL-terminated. */
extern const char *const calendar_kinds[];

/* Validate req and add the event; *id is set.  0 or -1 with err set. */
/*
 * Seal, at start, the places and descriptions a daemon from before
 * sealing left clear (calendar_seal.c); 0 or -1 with *cause set.
 */
int	 calendar_seal_old(struct calendar *, char **cause);

int	 calendar_add(struct calendar *, json_t *req, int64_t *id,
	    struct error *err);
/* Change the fields present in req (null clears an optional one). */
int	 calendar_edit(struct calendar *, int64_t id, json_t *req,
	    struct error *err);
/* Remove the event (its pending reminders are the outbox's: the caller
 * cancels them in the same transaction). */
int	 calendar_remove(struct calendar *, int64_t id, struct error *err);
/* The event as a JSON object with its next occurrence (new reference). */
json_t	*calendar_get(struct calendar *, int64_t id, struct error *err);
/* Every event, by id. */
json_t	*calendar_list(struct calendar *, struct error *err);
/* The id of the event with this UID, 0 when none, -1 on error. */
int64_t	 calendar_find_uid(struct calendar *, const char *uid);
int64_t	 calendar_count(struct calendar *);

/*
 * Load event id for expansion; NULL with *cause set.  The zone comes from
 * tz_cached(), and lives until tz_cached_free().
 */
struct cal_event *calendar_event_load(struct calendar *, int64_t id,
	    char **cause);
void	 calendar_event_free(struct cal_event *);
/* An iterator over the event's occurrences, exclusions applied. */
struct recur_iter *calendar_event_iter(const struct cal_event *);
/* Instant utc written in zone, "2026-01-07T14:00:00+01:00"; returns buf
 * (at least RECUR_FMT_LEN bytes). */
const char *calendar_instant(const struct tz *zone, int64_t utc, char *buf,
	    size_t len);

/*
 * The people an event reaches: ids of everyone not removed who has one of
 * its audience roles or is named in it, ascending, with which channels each
 * can be reached on (CHAN_BIT()s of the email and phone they have).  Returns
 * the count, *ids and *reach new arrays (free them), or -1 with *cause.
 */
ssize_t	 calendar_recipients(struct calendar *, int64_t id, int64_t **ids,
	    unsigned **reach, char **cause);

/*
 * The agenda: occurrences starting in [from, from + days) (local dates in
 * the default zone), ordered by start, each with its reminders and the size
 * of its audience.  NULL with err set.
 */
json_t	*calendar_agenda(struct calendar *, const char *from, int64_t days,
	    struct error *err);

/*
 * Import an iCalendar text: each VEVENT is added, or updates the event with
 * the same UID; a finished one is kept (never reminded), one the calendar
 * refuses is skipped.  *result is {"added": n, "updated": n, "skipped": n,
 * "ignored": ["« title » (UID u): why", ...], "events": [...]}, the events
 * being ics_import_items' items (ics.h) without "index".  -1 with err set
 * only when the text is not iCalendar or the store fails; *ids (new
 * array, *nids entries) lists the events written, for the scheduler.
 */
int	 calendar_import(struct calendar *, const char *ics, json_t **result,
	    int64_t **ids, size_t *nids, struct error *err);
/*
 * The first n dates from now of the event req would add, validated as
 * calendar_add() validates it and expanded as the agenda expands it:
 * {"rule": RRULE or null, "next": ["2027-01-06T14:00:00+01:00", ...]} (new
 * reference), or NULL with err naming the field.  Writes nothing.
 */
json_t	*calendar_preview(struct calendar *, json_t *req, size_t n,
	    struct error *err);
/* Every event as one iCalendar text (new string), or NULL with err set. */
char	*calendar_export(struct calendar *, struct error *err);

#endif
