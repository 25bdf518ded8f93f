/*
 * holiday.h: Belgian public holidays and the network's extra closure days.
 *
 * The ten legal holidays of Belgium: New Year, Easter Monday, 1 May,
 * Ascension, Whit Monday, 21 July, 15 August, 1 November, 11 November and
 * Christmas, Easter by the Gregorian computus.  Closures come from a file,
 * one "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" (inclusive) a line, "#"
 * comments and blank lines allowed (e.g. the school holidays of the
 * Fédération Wallonie-Bruxelles).
 */
#ifndef STOPPVIF_HOLIDAY_H
#define STOPPVIF_HOLIDAY_H

#include <stddef.h>

#define HOLIDAY_BE_COUNT	10

struct holiday {
	int		 year, month, day;
	const char	*name;		/* French: "Lundi de Pâques" */
};

/* Easter Sunday of year (Gregorian), into *month and *day. */
void	 holiday_easter(int year, int *month, int *day);
/* The ten holidays of year, in date order, into out[HOLIDAY_BE_COUNT]. */
void	 holiday_be(int year, struct holiday *out);
/* The name of the holiday on that date, or NULL when it is none. */
const char *holiday_be_name(int year, int month, int day);
/* recur_iter_skip_days() callback: arg unused. */
int	 holiday_be_skip(void *arg, int year, int month, int day);

struct closures;

/*
 * Read a closures file.  Every problem is reported, one a line, as
 * "file:line: what is wrong".  NULL with *cause set.
 */
struct closures	*closures_load(const char *path, char **cause);
void		 closures_free(struct closures *);
/* Whether the date falls in one of the closures (NULL: none). */
int		 closures_contains(const struct closures *, int year, int month,
		    int day);
/* recur_iter_skip_days() callback: arg is a struct closures *. */
int		 closures_skip(void *arg, int year, int month, int day);

#endif
