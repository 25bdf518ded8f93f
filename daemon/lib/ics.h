/*
 * ics.h: iCalendar (RFC 5545) import and export of events, over libical.
 * Pure conversion between ICS text and the JSON event objects of the
 * calendar (calendar.h); it touches no store.
 *
 * An event object (what `events add` sends and `events show` answers):
 *	{"uid": "…@stoppvif", "title": "Plateforme VIF", "kind": "platform",
 *	 "dtstart": "2026-01-07T14:00:00", "tz": "Europe/Brussels",
 *	 "rrule": "FREQ=MONTHLY;BYDAY=1WE" | null, "duration": "2h",
 *	 "location": "…" | null, "commune": "…" | null,
 *	 "description": "…" | null, "remind": ["7d", "1d"],
 *	 "audience": ["role:referent", "person:12"], "channels": ["email"],
 *	 "skip_holidays": "BE" | null, "exdates": ["2026-04-01T14:00:00"]}
 * kind is one of platform, training, cabane, awareness, other; durations are
 * written as duration.h formats them; dtstart and exdates are wall-clock
 * times in tz.  `events show` adds "id", "created", "updated" and "next".
 */
#ifndef STOPPVIF_ICS_H
#define STOPPVIF_ICS_H

#include <stddef.h>

#include <jansson.h>

/*
 * Parse an iCalendar text (VCALENDAR with VEVENTs and VTIMEZONEs, as
 * Google Calendar, Outlook and Thunderbird export them).  Returns a JSON
 * array of event objects (new reference), one per VEVENT, in file order.
 * Times with a TZID are kept in that zone (Windows zone names such as
 * "Romance Standard Time" are mapped to IANA names); floating times take
 * default_tz; UTC times of a non-recurring event are converted to
 * default_tz.  *report (new array) lists, as strings, every part that was
 * not imported ("« Formation » (UID x): RDATE ignoré"), so nothing is
 * dropped silently.  NULL with *cause set when the text is not iCalendar
 * or an event cannot be represented (named by its SUMMARY or UID, and the
 * line); *report is then NULL (report itself may be NULL).
 * X-STOPPVIF-AUDIENCE, -CHANNELS, -COMMUNE and -SKIP-HOLIDAYS give their
 * keys only when present (an empty value: [] or null); CREATED and
 * LAST-MODIFIED come back as the read-only "created" and "updated".
 */
json_t	*ics_import(const char *text, size_t len, const char *default_tz,
	    json_t **report, char **cause);

/*
 * Like ics_import, but lenient: an event that cannot be represented is
 * skipped, not a reason to refuse the text (NULL only when it is not
 * iCalendar at all).  *items (new array) has one object per component
 * other than VTIMEZONE, in file order: {"line": n, "component": "VEVENT",
 * "uid": s|null, "title": s|null, "outcome": "imported" | "adapted" |
 * "skipped", "notes": ["why", ...]}, and "index", the rank of its event
 * in the array returned, when it gave one.  A RECURRENCE-ID cancels the
 * occurrence of its series (an EXDATE) or moves it (an EXDATE, and an
 * event of its own whose UID is the series' followed by "-YYYYMMDD").
 */
json_t	*ics_import_items(const char *text, size_t len,
	    const char *default_tz, json_t **report, json_t **items,
	    char **cause);

/*
 * Write events (an array of event objects as `events show` answers) as
 * one VCALENDAR, with a VTIMEZONE for each zone used, CRLF line ends and
 * lines folded at 75 octets.  The output depends only on the events (DTSTAMP
 * is the event's "updated" time), so exporting twice gives the same text,
 * and export, import, export too.  Times carry their TZID, UTC included.
 * Returns a new string, or NULL with *cause set.
 */
char	*ics_export(json_t *events, char **cause);

#endif
