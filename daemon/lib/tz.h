/*
 * tz.h: time zones from the system's tzdata (TZif files under
 * /usr/share/zoneinfo, versions 1 to 4, with the POSIX TZ footer for times
 * past the last transition).  Pure computation once loaded; no TZ
 * environment variable, safe to use for several zones at once.  The one
 * global state is the process's set of zones that tz_cached() keeps.
 *
 * Times are int64_t seconds: "utc" counts seconds since 1970-01-01T00:00:00Z;
 * "local" counts the same way on the zone's wall clock (a civil date-time
 * read as if it were UTC).  Offsets are seconds east of UTC.
 */
#ifndef STOPPVIF_TZ_H
#define STOPPVIF_TZ_H

#include <stdint.h>

struct tz;

/*
 * Load zone name ("Europe/Brussels", "UTC", "America/New_York") from
 * /usr/share/zoneinfo (or $TZDIR when set).  A name with "..", a leading
 * "/", or that names no TZif file is refused.  NULL with *cause set.
 *
 * A name that begins with '<' is a zone given by its rules, a POSIX TZ
 * string with its abbreviations in angle brackets:
 * "<+0130>-1:30<+0230>,M3.5.0,M10.5.0/3" (offsets west of UTC, as POSIX
 * writes them; daylight time between two Mm.w.d dates, both given).  The
 * calendar import stores such a zone for a VTIMEZONE whose rules no IANA
 * zone has; no file under the zoneinfo folder begins with '<', so no name
 * means both.  Offsets up to 18 hours, abbreviations of 3 to 15 letters,
 * digits, '+' or '-', under 128 bytes in all; Jn and n dates are not
 * taken: a VTIMEZONE could not say them back.
 */
struct tz	*tz_load(const char *name, char **cause);
void		 tz_free(struct tz *);
const char	*tz_name(const struct tz *);

/*
 * The zone called name, loaded on first use and kept for the life of the
 * process (a calendar names a handful of zones, read by thousands of events:
 * one read of each TZif file).  NULL (name NULL, or as tz_load, or 4096
 * zones already kept) with *cause set; nothing is kept of a failure.  The zone is the cache's: never free it.
 */
const struct tz	*tz_cached(const char *name, char **cause);
/* Free every zone tz_cached() loaded (at exit, for leak checkers). */
void		 tz_cached_free(void);

/* The offset in force at instant utc. */
int32_t		 tz_offset_at(const struct tz *, int64_t utc);

/*
 * The instant of wall-clock time local, as RFC 5545 resolves it: a time in
 * a spring-forward gap is moved forward by the gap (it is read with the
 * offset in force before the gap: 02:30 becomes 03:30+02:00 in
 * Europe/Brussels); an ambiguous fall-back time takes the first (earlier,
 * summer) offset.  *offset (may be NULL) is set to the offset in force at
 * the returned instant.
 */
int64_t		 tz_resolve(const struct tz *, int64_t local, int32_t *offset);

/*
 * Proleptic Gregorian calendar arithmetic on day numbers (days since
 * 1970-01-01, negative before): a date to its day and back (H. Hinnant's
 * algorithms).  Month 1-12; any year that keeps the result in an int64_t.
 */
int64_t		 tz_days_from_civil(int64_t year, int month, int day);
void		 tz_civil_from_days(int64_t days, int64_t *year, int *month,
		    int *day);

#endif
