/*
 * recur.h: RFC 5545 recurrence rules, expanded in wall-clock time and
 * placed on the time line through a zone (tz.h).  Pure: no I/O, no global
 * state, no allocation while iterating.
 *
 * The occurrence set of (DTSTART, RRULE, zone) is generated period by period
 * in zone-less local time, as RFC 5545 describes (BYxxx expand or limit per
 * FREQ, BYSETPOS over each period's whole set, COUNT and UNTIL applied to the
 * generated set), then each local time is resolved with tz_resolve().
 * DTSTART is the first occurrence when it matches the rule and is not
 * produced when it does not.  Exclusions (EXDATE, skipped days) are removed
 * after generation: they never change what COUNT counts.
 */
#ifndef STOPPVIF_RECUR_H
#define STOPPVIF_RECUR_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* A civil date-time with no zone. */
struct recur_civil {
	int	 year, month, day;	/* month 1-12, day 1-31 */
	int	 hour, minute, second;
};

/*
 * Parse "YYYY-MM-DDTHH:MM:SS" (also "YYYY-MM-DDTHH:MM" and the iCalendar
 * basic form "YYYYMMDDTHHMMSS") into *c, checking that the date exists.
 * Returns 0 or -1 with *cause set (no field prefix).
 */
int	 recur_civil_parse(const char *s, struct recur_civil *c, char **cause);
/* Parse a date "YYYY-MM-DD" (or "YYYYMMDD"); time fields are set to 0. */
int	 recur_date_parse(const char *s, struct recur_civil *c, char **cause);

/* Civil date-time <-> seconds on a zone-less clock (1970-01-01T00:00:00 = 0). */
int64_t	 recur_civil_secs(const struct recur_civil *);
void	 recur_secs_civil(int64_t secs, struct recur_civil *);
/* Day of the week of a date: 0 Monday ... 6 Sunday. */
int	 recur_weekday(int year, int month, int day);

struct recur_rule;

/*
 * Parse an RRULE value ("FREQ=MONTHLY;BYDAY=1WE", an optional "RRULE:"
 * prefix allowed): every part of RFC 5545 §3.3.10, names case-insensitive,
 * INTERVAL up to 2^31-1.  A part given twice, an unknown part, a value out
 * of range, COUNT with UNTIL, or a missing FREQ is refused; *cause names the
 * part ("BYMONTHDAY=32: out of range -31..-1, 1..31").  NULL on failure.
 */
struct recur_rule *recur_rule_parse(const char *text, char **cause);
void	 recur_rule_free(struct recur_rule *);
/* The rule in canonical RFC 5545 form (new string): FREQ first. */
char	*recur_rule_format(const struct recur_rule *);
/* Whether the rule bounds itself with COUNT or UNTIL. */
int	 recur_rule_finite(const struct recur_rule *);

/* One occurrence. */
struct recur_occ {
	int64_t	 utc;		/* the instant */
	int64_t	 local;		/* wall clock at that instant (utc + offset) */
	int64_t	 nominal;	/* the rule's local time, before a DST gap
				 * moved it (== local except in a gap) */
	int32_t	 offset;	/* seconds east of UTC */
};

struct recur_iter;

/*
 * An iterator over the occurrences of rule (NULL: DTSTART alone) from
 * dtstart in zone.  rule and zone must outlive the iterator.
 */
struct recur_iter *recur_iter_new(const struct recur_rule *rule,
	    const struct recur_civil *dtstart, const struct tz *zone);
void	 recur_iter_free(struct recur_iter *);

/*
 * Exclusions, applied after generation.  exclude: occurrences whose nominal
 * or wall-clock local time is exactly one of the n given local times (an
 * EXDATE); the array is copied.  skip_days: occurrences on a local date for
 * which skip(arg, year, month, day) returns non-zero (holidays, closures);
 * arg must outlive the iterator.
 */
void	 recur_iter_exclude(struct recur_iter *, const int64_t *local,
	    size_t n);
void	 recur_iter_skip_days(struct recur_iter *,
	    int (*skip)(void *arg, int year, int month, int day), void *arg);

/*
 * The next occurrence, oldest first.  Returns 1 with *occ set, or 0 when
 * the set is exhausted (COUNT, UNTIL, year 9999, or no further occurrence
 * possible).  Every call finishes in bounded time, whatever the rule.
 * Instants strictly increase: an occurrence that a spring-forward gap moved
 * onto (or before) the previous one's instant is a duplicate and is not
 * returned, though COUNT counted it.
 */
int	 recur_iter_next(struct recur_iter *, struct recur_occ *occ);

/*
 * Position the iterator so that the next recur_iter_next() returns the first
 * occurrence with utc >= from (exactly what iterating from the start would
 * give, COUNT included), skipping whole periods where the rule allows it.
 */
void	 recur_iter_seek(struct recur_iter *, int64_t from);

/*
 * Write occ as local time with its offset, "2026-01-07T14:00:00+01:00"
 * (never "Z"; "+00:00" for UTC).  buf holds at least RECUR_FMT_LEN bytes.
 */
#define RECUR_FMT_LEN	32
const char *recur_format(const struct recur_occ *occ, char *buf, size_t len);

#endif
