/*
 * datefmt.c: language-aware dates.  One table per language holds the names
 * and the printf patterns of each style; the French "1er" for the first day
 * of a month is the only special case.
 */
#include <stdio.h>
#include <string.h>

#include "datefmt.h"
#include "lang.h"
#include "recur.h"

struct datelang {
	const char	*days[7];	/* Monday first */
	const char	*days_abbr[7];
	const char	*months[12];
	const char	*months_abbr[12];
	/* Arguments: weekday, day (as text), month, year, hour, minute;
	 * time_fmt takes hour and minute alone. */
	const char	*long_fmt, *short_fmt, *date_fmt, *time_fmt;
};

static const struct datelang datelangs[LANG_COUNT] = {
	[LANG_FR] = {
	  { "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
	    "dimanche" },
	  { "lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim." },
	  { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	    "août", "septembre", "octobre", "novembre", "décembre" },
	  { "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
	    "sept.", "oct.", "nov.", "déc." },
	  "%1$s %2$s %3$s %4$d à %5$dh%6$02d", "%1$s %2$s %3$s %4$d %5$02d:%6$02d",
	  "%1$s %2$s %3$s %4$d", "%dh%02d" },
	[LANG_NL] = {
	  { "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
	    "zaterdag", "zondag" },
	  { "ma", "di", "wo", "do", "vr", "za", "zo" },
	  { "januari", "februari", "maart", "april", "mei", "juni", "juli",
	    "augustus", "september", "oktober", "november", "december" },
	  { "jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.",
	    "sep.", "okt.", "nov.", "dec." },
	  "%1$s %2$s %3$s %4$d om %5$d.%6$02d uur",
	  "%1$s %2$s %3$s %4$d %5$02d:%6$02d",
	  "%1$s %2$s %3$s %4$d", "%d.%02d uur" },
	[LANG_DE] = {
	  { "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
	    "Samstag", "Sonntag" },
	  { "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So." },
	  { "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
	    "August", "September", "Oktober", "November", "Dezember" },
	  { "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.",
	    "Sept.", "Okt.", "Nov.", "Dez." },
	  "%1$s, %2$s. %3$s %4$d um %5$02d:%6$02d Uhr",
	  "%1$s, %2$s. %3$s %4$d %5$02d:%6$02d",
	  "%1$s, %2$s. %3$s %4$d", "%02d:%02d Uhr" },
	[LANG_EN] = {
	  { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	    "Saturday", "Sunday" },
	  { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" },
	  { "January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December" },
	  { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
	    "Oct", "Nov", "Dec" },
	  "%1$s %2$s %3$s %4$d at %5$02d:%6$02d",
	  "%1$s %2$s %3$s %4$d %5$02d:%6$02d",
	  "%1$s %2$s %3$s %4$d", "%02d:%02d" },
};

/* The table of lang, French when unknown. */
static const struct datelang *
datefmt_lang(const char *lang)
{
	int	 l = lang_parse(lang);

	return &datelangs[l >= 0 ? l : LANG_FR];
}

const char *
datefmt(const char *lang, enum datefmt_style style,
    const struct recur_civil *c, char *buf, size_t len)
{
	const struct datelang	*l = datefmt_lang(lang);
	const char		*fmt = NULL, *wday, *month;
	char			 day[8];
	int			 wd, abbr = style == DATEFMT_SHORT;

	wd = recur_weekday(c->year, c->month, c->day);
	wday = abbr ? l->days_abbr[wd] : l->days[wd];
	month = abbr ? l->months_abbr[c->month - 1] : l->months[c->month - 1];
	if (c->day == 1 && l == &datelangs[LANG_FR])
		snprintf(day, sizeof day, "1er");
	else
		snprintf(day, sizeof day, "%d", c->day);
	switch (style) {
	case DATEFMT_LONG:	fmt = l->long_fmt; break;
	case DATEFMT_SHORT:	fmt = l->short_fmt; break;
	case DATEFMT_DATE:	fmt = l->date_fmt; break;
	case DATEFMT_TIME:
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(buf, len, l->time_fmt, c->hour, c->minute);
		return buf;
	}
	snprintf(buf, len, fmt, wday, day, month, c->year, c->hour, c->minute);
#pragma GCC diagnostic pop
	return buf;
}

const char *
datefmt_month(const char *lang, int month, int abbr)
{
	const struct datelang	*l = datefmt_lang(lang);

	if (month < 1 || month > 12)
		return "?";
	return abbr ? l->months_abbr[month - 1] : l->months[month - 1];
}
