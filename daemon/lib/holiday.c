/*
 * holiday.c: the ten legal holidays of Belgium and the closure days read
 * from a file.
 *
 * Easter comes from the Gregorian computus (the anonymous algorithm of
 * Meeus, Jones and Butcher); the three movable holidays follow it: Easter
 * Monday (+1), Ascension (+39), Whit Monday (+50).  Closures are sorted
 * day ranges, searched by bisection; a file is checked whole, so that one
 * read reports every bad line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "holiday.h"
#include "recur.h"
#include "util.h"

#define CLOSURE_MAXDAYS	366	/* a longer range is surely a typo */
#define CLOSURE_FORMAT	"(expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)"

struct closure_range {
	int64_t	 first, last;	/* days since 1970-01-01, inclusive */
};

struct closures {
	struct closure_range	*r;
	size_t			 n;
};

static const struct {
	int		 month, day;	/* month 0: days after Easter */
	const char	*name;
} holiday_table[HOLIDAY_BE_COUNT] = {
	{ 1, 1, "Jour de l'an" },
	{ 0, 1, "Lundi de Pâques" },
	{ 5, 1, "Fête du Travail" },
	{ 0, 39, "Ascension" },
	{ 0, 50, "Lundi de Pentecôte" },
	{ 7, 21, "Fête nationale" },
	{ 8, 15, "Assomption" },
	{ 11, 1, "Toussaint" },
	{ 11, 11, "Armistice" },
	{ 12, 25, "Noël" },
};

static int64_t	 holiday_day(int, int, int);

/* Days since 1970-01-01 of a date. */
static int64_t
holiday_day(int y, int m, int d)
{
	struct recur_civil	 c = { y, m, d, 0, 0, 0 };

	return recur_civil_secs(&c) / 86400;
}

void
holiday_easter(int year, int *month, int *day)
{
	int	 a = year % 19, b = year / 100, c = year % 100;
	int	 d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int	 h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int	 l = (32 + 2 * e + 2 * i - h - k) % 7;
	int	 m = (a + 11 * h + 22 * l) / 451;

	*month = (h + l - 7 * m + 114) / 31;
	*day = (h + l - 7 * m + 114) % 31 + 1;
}

/* The ten holidays in date order; a tie keeps the table's order. */
void
holiday_be(int year, struct holiday *out)
{
	struct recur_civil	 c;
	struct holiday		 h;
	int64_t			 easter, key[HOLIDAY_BE_COUNT], t;
	int			 em, ed, i, j;

	holiday_easter(year, &em, &ed);
	easter = holiday_day(year, em, ed);
	for (i = 0; i < HOLIDAY_BE_COUNT; i++) {
		if (holiday_table[i].month == 0)
			key[i] = easter + holiday_table[i].day;
		else
			key[i] = holiday_day(year, holiday_table[i].month,
			    holiday_table[i].day);
		recur_secs_civil(key[i] * 86400, &c);
		out[i].year = c.year;
		out[i].month = c.month;
		out[i].day = c.day;
		out[i].name = holiday_table[i].name;
		for (j = i; j > 0 && key[j] < key[j - 1]; j--) {
			t = key[j], key[j] = key[j - 1], key[j - 1] = t;
			h = out[j], out[j] = out[j - 1], out[j - 1] = h;
		}
	}
}

const char *
holiday_be_name(int year, int month, int day)
{
	struct holiday	 h[HOLIDAY_BE_COUNT];
	int		 i;

	if (month != 1 && month != 3 && month != 4 && month != 5 &&
	    month != 6 && month != 7 && month != 8 && month != 11 &&
	    month != 12)
		return NULL;
	holiday_be(year, h);
	for (i = 0; i < HOLIDAY_BE_COUNT; i++)
		if (h[i].month == month && h[i].day == day)
			return h[i].name;
	return NULL;
}

int
holiday_be_skip(void *arg, int year, int month, int day)
{
	return holiday_be_name(year, month, day) != NULL;
}

static int
closure_cmp(const void *a, const void *b)
{
	const struct closure_range	*x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Strip a "#" comment and the blanks around what is left. */
static char *
closure_trim(char *s)
{
	char	*e;

	if ((e = strchr(s, '#')) != NULL)
		*e = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Parse one line's "DATE" or "DATE..DATE"; NULL, or what is wrong. */
static const char *
closure_parse(char *s, struct closure_range *r)
{
	struct recur_civil	 a, b;
	char			*dots = strstr(s, "..");

	if (dots != NULL)
		*dots = '\0';
	if (strlen(s) != 10 || recur_date_parse(s, &a, NULL) == -1)
		return "not a date " CLOSURE_FORMAT;
	b = a;
	if (dots != NULL && (strlen(dots + 2) != 10 ||
	    recur_date_parse(dots + 2, &b, NULL) == -1))
		return "end of range is not a date " CLOSURE_FORMAT;
	r->first = holiday_day(a.year, a.month, a.day);
	r->last = holiday_day(b.year, b.month, b.day);
	if (r->last < r->first)
		return "range ends before it starts " CLOSURE_FORMAT;
	if (r->last - r->first >= CLOSURE_MAXDAYS)
		return "range longer than a year, surely a typo "
		    CLOSURE_FORMAT;
	return NULL;
}

/* Append "file:line: why" to the report *errs. */
static void
closure_error(char **errs, const char *path, size_t line, const char *why)
{
	char	*next;

	xasprintf(&next, "%s%s%s:%zu: %s", *errs ? *errs : "", *errs ? "\n" :
	    "", path, line, why);
	free(*errs);
	*errs = next;
}

struct closures *
closures_load(const char *path, char **cause)
{
	struct closures		*c;
	struct closure_range	 r;
	FILE			*fp;
	char			*line = NULL, *s, *errs = NULL;
	const char		*why;
	size_t			 size = 0, n = 0, alloc = 0;

	if ((fp = fopen(path, "r")) == NULL) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	while (getline(&line, &size, fp) != -1) {
		n++;
		if (*(s = closure_trim(line)) == '\0')
			continue;
		if ((why = closure_parse(s, &r)) != NULL) {
			closure_error(&errs, path, n, why);
			continue;
		}
		if (c->n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			c->r = xreallocarray(c->r, alloc, sizeof *c->r);
		}
		c->r[c->n++] = r;
	}
	free(line);
	if (ferror(fp))
		closure_error(&errs, path, n + 1, strerror(errno));
	fclose(fp);
	if (errs != NULL) {
		util_cause(cause, "%s", errs);
		free(errs);
		closures_free(c);
		return NULL;
	}
	if (c->n > 0)
		qsort(c->r, c->n, sizeof *c->r, closure_cmp);
	return c;
}

void
closures_free(struct closures *c)
{
	if (c == NULL)
		return;
	free(c->r);
	free(c);
}

/* Bisect for the last range starting on or before the day, then check. */
int
closures_contains(const struct closures *c, int year, int month, int day)
{
	int64_t	 dn;
	size_t	 lo = 0, hi, m, i;

	if (c == NULL || c->n == 0)
		return 0;
	dn = holiday_day(year, month, day);
	hi = c->n;
	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (c->r[m].first <= dn)
			lo = m + 1;
		else
			hi = m;
	}
	/* Ranges may overlap: look back over those starting a year before. */
	for (i = lo; i > 0 && c->r[i - 1].first > dn - CLOSURE_MAXDAYS; i--)
		if (c->r[i - 1].last >= dn)
			return 1;
	return 0;
}

int
closures_skip(void *arg, int year, int month, int day)
{
	return closures_contains(arg, year, month, day);
}
