/*
 * recur_words.h: the recurrence chooser of the web console, in plain words.
 *
 * A struct recur_words is what the chooser shows: how often (once, every N
 * days, weeks, months or years), which days of the week, which day of the
 * month (the Nth weekday or day N), the months skipped and the end.  It
 * converts to the RRULE text the calendar stores, back from such a text
 * when the chooser can show it, and into a sentence in fr, nl, de or en:
 * "chaque 1er mercredi du mois, sauf en juillet et août".
 *
 * Pure: no allocation, no global state; every function writes into the
 * caller's buffer and takes any input, a hostile RRULE included, without
 * aborting (the fuzz target tests/fuzz/fuzz_recurwords.c).
 */
#ifndef STOPPVIF_RECUR_WORDS_H
#define STOPPVIF_RECUR_WORDS_H

#include <stddef.h>

enum recur_words_freq {
	RW_ONCE, RW_DAILY, RW_WEEKLY, RW_MONTHLY, RW_YEARLY
};

/* Which day of the month a monthly rule takes. */
enum recur_words_mode {
	RW_MONTH_START,		/* the day of the first date */
	RW_MONTH_NTH,		/* the nth weekday: 1er mercredi */
	RW_MONTH_DAY		/* day mday: le 15 */
};

enum recur_words_end {
	RW_END_NEVER, RW_END_UNTIL, RW_END_COUNT
};

#define RW_MAX_INTERVAL	99
#define RW_MAX_COUNT	999
#define RW_LAST		(-1)	/* nth: the last weekday of the month */

struct recur_words {
	int		 freq;		/* enum recur_words_freq */
	int		 interval;	/* 1..RW_MAX_INTERVAL */
	unsigned	 days;		/* weekly: bit 0 Monday ... 6 Sunday;
					 * none: the first date's day */
	int		 mode;		/* monthly: enum recur_words_mode */
	int		 nth;		/* 1..4 or RW_LAST */
	int		 weekday;	/* 0 Monday ... 6 Sunday */
	int		 mday;		/* 1..31 */
	unsigned	 skip;		/* daily, weekly, monthly: months
					 * skipped, bits 1..12, never all */
	int		 end;		/* enum recur_words_end */
	int		 until_year, until_month, until_day;	/* inclusive */
	int		 count;		/* 1..RW_MAX_COUNT */
};

/* What the RRULE of a struct takes at most, with its NUL. */
#define RECUR_WORDS_RRULE_LEN	160
/* A description's usual room (a longer one is cut, never overflowed). */
#define RECUR_WORDS_TEXT_LEN	512

/* The chooser's defaults: once, interval 1, first Monday, never ending. */
void	 recur_words_init(struct recur_words *);

/*
 * Whether w is a state the chooser can write: 0, or -1 with *field set to
 * the part that is wrong ("freq", "interval", "days", "mode", "nth",
 * "weekday", "mday", "skip", "end", "until", "count").
 */
int	 recur_words_check(const struct recur_words *w, const char **field);

/*
 * The RRULE of w, canonical (recur_rule_format's order: FREQ, COUNT,
 * UNTIL, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH) into buf; "" for RW_ONCE.
 * Returns 0, or -1 when w is not valid or buf is too small (buf then "").
 */
int	 recur_words_rrule(const struct recur_words *w, char *buf,
	    size_t len);

/*
 * Fill *w from an RRULE text (an optional "RRULE:" prefix, parts in any
 * order, names case-insensitive; NULL or "" is RW_ONCE).  Returns 0, or -1
 * when the chooser cannot show the rule (another FREQ, BYSETPOS, a time
 * of UNTIL, two weekdays in a month...): the form then offers the rule as
 * it is.  *w is left initialised either way.
 */
int	 recur_words_parse(const char *rrule, struct recur_words *w);

/*
 * The rule in words in language lang ("fr", "nl", "de", "en"; anything
 * else is French) into buf, cut at a character boundary when it does not
 * fit.  An invalid w reads as its nearest valid sense; returns buf.
 */
const char *recur_words_text(const struct recur_words *w, const char *lang,
	    char *buf, size_t len);

/*
 * The words the sentences use, for the chooser's own labels, in language
 * lang as above: weekday wd (0 Monday ... 6 Sunday; "lundi"), month m
 * (1..12; "janvier"), the ordinal nth (1..4 or RW_LAST; "1er", "dernier").
 * "" when out of range.
 */
const char *recur_words_weekday(const char *lang, int wd);
const char *recur_words_month(const char *lang, int m);
const char *recur_words_ordinal(const char *lang, int nth);

#endif
