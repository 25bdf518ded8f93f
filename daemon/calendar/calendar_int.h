/*
 * calendar_int.h: what the calendar's files share.  The event definition
 * that calendar_fields.c validates from a request and calendar.c writes to
 * the store; a binding helper the import (calendar_ics.c) needs too.
 * Private to daemon/calendar; everyone else goes through calendar.h.
 */
#ifndef STOPPVIF_CALENDAR_INT_H
#define STOPPVIF_CALENDAR_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "calendar.h"
#include "error.h"

/*
 * SQL: the person p is in the audience of the event e (both SQL
 * expressions), by one of their roles or by their own id.  The one
 * definition the scheduler's recipients and a person's feed share.
 */
#define CAL_AUDIENCE_HAS(e, p)						\
	" (EXISTS (SELECT 1 FROM event_audience a JOIN person_roles r"	\
	"   ON r.role = a.value WHERE a.event_id = " e			\
	"   AND a.kind = 'role' AND r.person_id = " p ") OR"		\
	" EXISTS (SELECT 1 FROM event_audience a WHERE a.event_id = " e	\
	"   AND a.kind = 'person' AND a.value = CAST(" p " AS TEXT)))"

/* A validated event definition, every text normalised. */
struct cal_evdef {
	char		*uid, *title, *kind, *dtstart, *tz, *rrule;
	char		*location, *commune, *description, *skip;
	char		*phone_title;	/* NULL: the title may reach phones */
	int64_t		 duration;
	int64_t		 offsets[CAL_MAX_REMIND];	/* descending */
	size_t		 noffsets;
	char		**exdates;	/* "YYYY-MM-DDTHH:MM:SS", local */
	size_t		 nexdates;
	char		**audience;	/* "role:R" / "person:ID" */
	size_t		 naudience;
	unsigned	 channels;	/* CHAN_BIT()s, never empty */
};

/*
 * Validate a whole definition from the JSON object req (absent fields take
 * their defaults) into *d, which the caller frees with calendar_evdef_free
 * whatever the result.  0, or -1 with err naming the field.
 */
int	 calendar_evdef_parse(struct calendar *, json_t *req,
	    struct cal_evdef *d, struct error *err);
void	 calendar_evdef_free(struct cal_evdef *d);

/* The neutral title phones show in place of title, or NULL when the phone
 * guard lets title itself reach them. */
const char *calendar_phone_title(const struct calendar *, const char *title);

/* Bind text s, or SQL NULL when s is NULL, to parameter col of stmt. */
void	 calendar_bind_text(sqlite3_stmt *stmt, int col, const char *s);

/*
 * calendar_seal.c: an event's place and description are sealed at rest.
 * calendar_seal_write writes both for event id (NULL: none), inside the
 * caller's transaction, 0 or -1 with *cause set; calendar_seal_read opens
 * column col of stmt's row (a new string, or NULL).
 */
int	 calendar_seal_write(struct calendar *, int64_t id, const char *,
	    const char *, char **cause);
char	*calendar_seal_read(const struct calendar *, sqlite3_stmt *, int col,
	    int64_t id, const char *column);

#endif
