/*
 * recur_words.c: the recurrence chooser's state, its RRULE and its words.
 *
 * The chooser shows a small part of RFC 5545: FREQ=DAILY, WEEKLY, MONTHLY
 * or YEARLY, an INTERVAL up to 99, weekdays for a week, one Nth weekday or
 * one day for a month, months left out (BYMONTH of the others) and an end
 * (COUNT, or UNTIL as a date).  A rule outside that part is refused by
 * recur_words_parse(), never guessed at: the form then shows it as it is.
 *
 * The sentences are built from one table per language, with the names of
 * the days and months and the few phrasings each needs.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "recur_words.h"
#include "utf8.h"

#define RW_ALL_MONTHS	0x1ffeu		/* bits 1..12 */
#define RW_PART_LEN	64		/* longest part worth reading */
#define RW_WORK_LEN	1024

static const char *const rw_wdays[] = { "MO", "TU", "WE", "TH", "FR", "SA",
	"SU" };
static const char *const rw_freqs[] = { NULL, "DAILY", "WEEKLY", "MONTHLY",
	"YEARLY" };

void
recur_words_init(struct recur_words *w)
{
	memset(w, 0, sizeof *w);
	w->freq = RW_ONCE;
	w->interval = 1;
	w->mode = RW_MONTH_START;
	w->nth = 1;
	w->mday = 1;
	w->end = RW_END_NEVER;
	w->count = 1;
}

/* Whether year-month-day is a date of the calendar the engine takes. */
static int
rw_date_ok(int y, int m, int d)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	if (m == 2 && !leap)
		return d <= 28;
	return d <= mdays[m - 1];
}

int
recur_words_check(const struct recur_words *w, const char **field)
{
	const char	*f = NULL;

	if (w->freq < RW_ONCE || w->freq > RW_YEARLY)
		f = "freq";
	else if (w->freq == RW_ONCE)
		f = NULL;
	else if (w->interval < 1 || w->interval > RW_MAX_INTERVAL)
		f = "interval";
	else if (w->freq == RW_WEEKLY && (w->days & ~0x7fu) != 0)
		f = "days";
	else if (w->freq == RW_MONTHLY && (w->mode < RW_MONTH_START ||
	    w->mode > RW_MONTH_DAY))
		f = "mode";
	else if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_NTH &&
	    (w->nth < RW_LAST || w->nth == 0 || w->nth > 4))
		f = "nth";
	else if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_NTH &&
	    (w->weekday < 0 || w->weekday > 6))
		f = "weekday";
	else if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_DAY &&
	    (w->mday < 1 || w->mday > 31))
		f = "mday";
	else if ((w->skip & ~RW_ALL_MONTHS) != 0 || w->skip == RW_ALL_MONTHS ||
	    (w->freq == RW_YEARLY && w->skip != 0))
		f = "skip";
	else if (w->end < RW_END_NEVER || w->end > RW_END_COUNT)
		f = "end";
	else if (w->end == RW_END_UNTIL && !rw_date_ok(w->until_year,
	    w->until_month, w->until_day))
		f = "until";
	else if (w->end == RW_END_COUNT && (w->count < 1 ||
	    w->count > RW_MAX_COUNT))
		f = "count";
	if (field != NULL)
		*field = f;
	return f == NULL ? 0 : -1;
}

/* Append text to buf (of size len), noting an overflow in *full. */
static void
rw_cat(char *buf, size_t len, int *full, const char *text)
{
	size_t	 have = strlen(buf), add = strlen(text);

	if (have + add >= len) {
		*full = 1;
		return;
	}
	memcpy(buf + have, text, add + 1);
}

int
recur_words_rrule(const struct recur_words *w, char *buf, size_t len)
{
	char	 tmp[RW_PART_LEN];
	int	 full = 0, i, first = 1;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (recur_words_check(w, NULL) == -1)
		return -1;
	if (w->freq == RW_ONCE)
		return 0;
	snprintf(tmp, sizeof tmp, "FREQ=%s", rw_freqs[w->freq]);
	rw_cat(buf, len, &full, tmp);
	if (w->end == RW_END_COUNT) {
		snprintf(tmp, sizeof tmp, ";COUNT=%d", w->count);
		rw_cat(buf, len, &full, tmp);
	} else if (w->end == RW_END_UNTIL) {
		snprintf(tmp, sizeof tmp, ";UNTIL=%04d%02d%02d", w->until_year,
		    w->until_month, w->until_day);
		rw_cat(buf, len, &full, tmp);
	}
	if (w->interval != 1) {
		snprintf(tmp, sizeof tmp, ";INTERVAL=%d", w->interval);
		rw_cat(buf, len, &full, tmp);
	}
	if (w->freq == RW_WEEKLY && w->days != 0) {
		rw_cat(buf, len, &full, ";BYDAY=");
		for (i = 0; i < 7; i++) {
			if (!(w->days >> i & 1))
				continue;
			rw_cat(buf, len, &full, first ? "" : ",");
			rw_cat(buf, len, &full, rw_wdays[i]);
			first = 0;
		}
	}
	if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_NTH) {
		snprintf(tmp, sizeof tmp, ";BYDAY=%d%s", w->nth,
		    rw_wdays[w->weekday]);
		rw_cat(buf, len, &full, tmp);
	}
	if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_DAY) {
		snprintf(tmp, sizeof tmp, ";BYMONTHDAY=%d", w->mday);
		rw_cat(buf, len, &full, tmp);
	}
	if (w->skip != 0) {
		rw_cat(buf, len, &full, ";BYMONTH=");
		for (first = 1, i = 1; i <= 12; i++) {
			if (w->skip >> i & 1)
				continue;
			snprintf(tmp, sizeof tmp, "%s%d", first ? "" : ",", i);
			rw_cat(buf, len, &full, tmp);
			first = 0;
		}
	}
	if (full) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* -------------------------------------------------------------------------
 * From an RRULE.
 */

/* The parts the chooser knows, each at most once. */
enum { RP_FREQ, RP_INTERVAL, RP_COUNT, RP_UNTIL, RP_BYDAY, RP_BYMONTHDAY,
    RP_BYMONTH, RP_WKST, RP_COUNT_OF };
static const char *const rw_parts[RP_COUNT_OF] = { "FREQ", "INTERVAL",
	"COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST" };

/* A decimal integer of at most 4 digits in [lo, hi] from the whole of s. */
static int
rw_int(const char *s, int lo, int hi, int *out)
{
	int	 v = 0, neg = 0, digits = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 4)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s != '\0' || digits == 0)
		return -1;
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The weekday of a two-letter name, or -1. */
static int
rw_wday(const char *s)
{
	int	 i;

	for (i = 0; i < 7; i++)
		if (strcasecmp(s, rw_wdays[i]) == 0)
			return i;
	return -1;
}

/* BYDAY of a weekly rule: plain days.  0 or -1. */
static int
rw_byday_week(char *v, struct recur_words *w)
{
	char	*tok, *save = NULL;
	int	 d;

	for (tok = strtok_r(v, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((d = rw_wday(tok)) == -1 || (w->days >> d & 1))
			return -1;
		w->days |= 1u << d;
	}
	return w->days != 0 ? 0 : -1;
}

/* BYDAY of a monthly rule: one "nWD", n in 1..4 or -1.  0 or -1. */
static int
rw_byday_month(char *v, struct recur_words *w)
{
	size_t	 n = strlen(v);
	int	 d;

	if (n < 3 || n > 4 || (d = rw_wday(v + n - 2)) == -1)
		return -1;
	v[n - 2] = '\0';
	if (rw_int(v, -1, 4, &w->nth) == -1 || w->nth == 0)
		return -1;
	w->weekday = d;
	w->mode = RW_MONTH_NTH;
	return 0;
}

/* BYMONTH: the months kept, so the others skipped.  0 or -1. */
static int
rw_bymonth(char *v, struct recur_words *w)
{
	char		*tok, *save = NULL;
	unsigned	 kept = 0;
	int		 m;

	for (tok = strtok_r(v, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (rw_int(tok, 1, 12, &m) == -1 || (kept >> m & 1))
			return -1;
		kept |= 1u << m;
	}
	if (kept == 0)
		return -1;
	w->skip = RW_ALL_MONTHS & ~kept;
	return 0;
}

/* UNTIL as a date "YYYYMMDD" (the chooser has no time of day). */
static int
rw_until(const char *v, struct recur_words *w)
{
	char	 y[5], m[3], d[3];

	if (strlen(v) != 8 || strspn(v, "0123456789") != 8)
		return -1;
	memcpy(y, v, 4);
	y[4] = '\0';
	memcpy(m, v + 4, 2);
	m[2] = '\0';
	memcpy(d, v + 6, 2);
	d[2] = '\0';
	if (rw_int(y, 1970, 9999, &w->until_year) == -1 ||
	    rw_int(m, 1, 12, &w->until_month) == -1 ||
	    rw_int(d, 1, 31, &w->until_day) == -1 ||
	    !rw_date_ok(w->until_year, w->until_month, w->until_day))
		return -1;
	w->end = RW_END_UNTIL;
	return 0;
}

/* Split copy into its NAME=VALUE parts, by kind, into vals[].  0 or -1. */
static int
rw_split(char *copy, char **vals)
{
	char	*tok, *eq, *next = copy;
	int	 i;

	while ((tok = strsep(&next, ";")) != NULL) {
		/* an empty part only as a trailing ";", as the engine allows */
		if (*tok == '\0' && next == NULL && tok != copy)
			break;
		if ((eq = strchr(tok, '=')) == NULL)
			return -1;
		*eq = '\0';
		for (i = 0; i < RP_COUNT_OF; i++)
			if (strcasecmp(tok, rw_parts[i]) == 0)
				break;
		if (i == RP_COUNT_OF || vals[i] != NULL || eq[1] == '\0')
			return -1;
		vals[i] = eq + 1;
	}
	return 0;
}

/* Fill w from the parts of a rule; 0 or -1. */
static int
rw_fill(char **vals, struct recur_words *w)
{
	int	 f;

	for (f = RW_DAILY; f <= RW_YEARLY; f++)
		if (vals[RP_FREQ] != NULL &&
		    strcasecmp(vals[RP_FREQ], rw_freqs[f]) == 0)
			break;
	if (f > RW_YEARLY)
		return -1;
	w->freq = f;
	if ((vals[RP_WKST] != NULL && rw_wday(vals[RP_WKST]) != 0) ||
	    (vals[RP_INTERVAL] != NULL && rw_int(vals[RP_INTERVAL], 1,
	    RW_MAX_INTERVAL, &w->interval) == -1) ||
	    (vals[RP_COUNT] != NULL && vals[RP_UNTIL] != NULL))
		return -1;
	if (vals[RP_COUNT] != NULL) {
		if (rw_int(vals[RP_COUNT], 1, RW_MAX_COUNT, &w->count) == -1)
			return -1;
		w->end = RW_END_COUNT;
	}
	if (vals[RP_UNTIL] != NULL && rw_until(vals[RP_UNTIL], w) == -1)
		return -1;
	if (vals[RP_BYMONTH] != NULL && (f == RW_YEARLY ||
	    rw_bymonth(vals[RP_BYMONTH], w) == -1))
		return -1;
	if (vals[RP_BYDAY] != NULL && (f == RW_WEEKLY ?
	    rw_byday_week(vals[RP_BYDAY], w) : f == RW_MONTHLY ?
	    rw_byday_month(vals[RP_BYDAY], w) : -1) == -1)
		return -1;
	if (vals[RP_BYMONTHDAY] != NULL) {
		if (f != RW_MONTHLY || w->mode != RW_MONTH_START ||
		    rw_int(vals[RP_BYMONTHDAY], 1, 31, &w->mday) == -1)
			return -1;
		w->mode = RW_MONTH_DAY;
	}
	return recur_words_check(w, NULL);
}

int
recur_words_parse(const char *rrule, struct recur_words *w)
{
	char	 copy[RECUR_WORDS_RRULE_LEN], *vals[RP_COUNT_OF] = { NULL };
	size_t	 n;

	recur_words_init(w);
	if (rrule == NULL || *rrule == '\0')
		return 0;
	if (strncasecmp(rrule, "RRULE:", 6) == 0)
		rrule += 6;
	if ((n = strlen(rrule)) >= sizeof copy)
		return -1;
	memcpy(copy, rrule, n + 1);
	if (rw_split(copy, vals) == -1 || rw_fill(vals, w) == -1) {
		recur_words_init(w);
		return -1;
	}
	return 0;
}

/* -------------------------------------------------------------------------
 * In words.
 */

struct rw_lang {
	const char	*code;
	const char	*wday[7];
	const char	*month[12];
	const char	*ord[5];	/* 1st..4th, then last */
	const char	*once;
	const char	*every1[4];	/* day, week, month, year */
	const char	*everyn[4];	/* "{}": the interval */
	const char	*days_on;	/* before the weekdays */
	const char	*day_the;	/* before each weekday */
	const char	*and;
	const char	*nth1;		/* ordinal, weekday */
	const char	*nthn;		/* interval, ordinal, weekday */
	const char	*mday1;		/* the day as an ordinal */
	const char	*mdayn;		/* interval, the day */
	const char	*except;	/* the months */
	const char	*until;		/* the date */
	const char	*count;		/* the count */
	const char	*count1;
};

static const struct rw_lang rw_langs[] = {
	{ "fr",
	  { "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
	    "dimanche" },
	  { "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	    "août", "septembre", "octobre", "novembre", "décembre" },
	  { "1er", "2e", "3e", "4e", "dernier" },
	  "une seule fois",
	  { "chaque jour", "chaque semaine", "chaque mois", "chaque année" },
	  { "tous les {} jours", "toutes les {} semaines", "tous les {} mois",
	    "tous les {} ans" },
	  " ", "le ", " et ",
	  "chaque {} {} du mois", "tous les {} mois, le {} {}",
	  "le {} de chaque mois", "tous les {} mois, le {}",
	  ", sauf en {}", ", jusqu'au {}", ", {} fois", ", 1 fois" },
	{ "nl",
	  { "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag",
	    "zaterdag", "zondag" },
	  { "januari", "februari", "maart", "april", "mei", "juni", "juli",
	    "augustus", "september", "oktober", "november", "december" },
	  { "eerste", "tweede", "derde", "vierde", "laatste" },
	  "één keer",
	  { "elke dag", "elke week", "elke maand", "elk jaar" },
	  { "om de {} dagen", "om de {} weken", "om de {} maanden",
	    "om de {} jaar" },
	  " op ", "", " en ",
	  "elke {} {} van de maand", "om de {} maanden, op de {} {}",
	  "elke maand op de {}", "om de {} maanden, op de {}",
	  ", behalve in {}", ", tot en met {}", ", {} keer", ", 1 keer" },
	{ "de",
	  { "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
	    "Samstag", "Sonntag" },
	  { "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
	    "August", "September", "Oktober", "November", "Dezember" },
	  { "ersten", "zweiten", "dritten", "vierten", "letzten" },
	  "einmalig",
	  { "jeden Tag", "jede Woche", "jeden Monat", "jedes Jahr" },
	  { "alle {} Tage", "alle {} Wochen", "alle {} Monate",
	    "alle {} Jahre" },
	  " am ", "", " und ",
	  "jeden {} {} im Monat", "alle {} Monate, am {} {}",
	  "am {} jedes Monats", "alle {} Monate, am {}",
	  ", außer im {}", ", bis zum {}", ", {} Mal", ", 1 Mal" },
	{ "en",
	  { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	    "Saturday", "Sunday" },
	  { "January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December" },
	  { "first", "second", "third", "fourth", "last" },
	  "once",
	  { "every day", "every week", "every month", "every year" },
	  { "every {} days", "every {} weeks", "every {} months",
	    "every {} years" },
	  " on ", "", " and ",
	  "every {} {} of the month", "every {} months, on the {} {}",
	  "on the {} of every month", "every {} months, on the {}",
	  ", except in {}", ", until {}", ", {} times", ", once" },
};

static const struct rw_lang *
rw_lang(const char *code)
{
	size_t	 i;

	for (i = 0; code != NULL && i < sizeof rw_langs / sizeof rw_langs[0];
	    i++)
		if (strcmp(code, rw_langs[i].code) == 0)
			return &rw_langs[i];
	return &rw_langs[0];
}

/*
 * Append template tpl to buf, each "{}" in turn replaced by the next of
 * the (up to three) values a, b, c.
 */
static void
rw_fill_tpl(char *buf, size_t len, int *full, const char *tpl,
    const char *a, const char *b, const char *c)
{
	const char	*vals[3] = { a, b, c }, *p;
	char		 piece[RW_WORK_LEN];
	size_t		 i = 0, n;

	while ((p = strstr(tpl, "{}")) != NULL) {
		n = (size_t)(p - tpl);
		if (n >= sizeof piece)
			n = sizeof piece - 1;
		memcpy(piece, tpl, n);
		piece[n] = '\0';
		rw_cat(buf, len, full, piece);
		rw_cat(buf, len, full, i < 3 && vals[i] != NULL ? vals[i] : "");
		i++;
		tpl = p + 2;
	}
	rw_cat(buf, len, full, tpl);
}

/* Day d of a month as an ordinal of language l: 1er, 15e, 15., 15th. */
static const char *
rw_day_ord(const struct rw_lang *l, int d, char *buf, size_t len)
{
	const char	*sfx = "th";

	if (strcmp(l->code, "nl") == 0)
		snprintf(buf, len, "%de", d);
	else if (strcmp(l->code, "de") == 0)
		snprintf(buf, len, "%d.", d);
	else if (strcmp(l->code, "en") == 0) {
		if (d % 10 == 1 && d != 11)
			sfx = "st";
		else if (d % 10 == 2 && d != 12)
			sfx = "nd";
		else if (d % 10 == 3 && d != 13)
			sfx = "rd";
		snprintf(buf, len, "%d%s", d, sfx);
	} else if (d == 1)
		snprintf(buf, len, "1er");
	else
		snprintf(buf, len, "%d", d);
	return buf;
}

/* Append the names of bits lo..hi set in set, joined with commas and
 * "and", each after the word each: "le lundi et le jeudi". */
static void
rw_list(char *buf, size_t len, int *full, const struct rw_lang *l,
    const char *const *names, unsigned set, int lo, int hi,
    const char *each)
{
	int	 i, n = 0, total = 0;

	for (i = lo; i <= hi; i++)
		total += set >> i & 1;
	for (i = lo; i <= hi; i++) {
		if (!(set >> i & 1))
			continue;
		if (n > 0)
			rw_cat(buf, len, full, n == total - 1 ? l->and : ", ");
		rw_cat(buf, len, full, each);
		rw_cat(buf, len, full, names[i - lo]);
		n++;
	}
}

/* The frequency, interval and day part of the sentence. */
static void
rw_text_period(const struct recur_words *w, const struct rw_lang *l,
    char *buf, size_t len, int *full)
{
	char		 n[16], ord[16];
	int		 k = w->freq - RW_DAILY;
	const char	*o, *wd;

	snprintf(n, sizeof n, "%d", w->interval);
	if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_NTH) {
		/* checked only in this mode: read only in it */
		o = l->ord[w->nth == RW_LAST ? 4 : w->nth - 1];
		wd = l->wday[w->weekday];
		if (w->interval == 1)
			rw_fill_tpl(buf, len, full, l->nth1, o, wd, NULL);
		else
			rw_fill_tpl(buf, len, full, l->nthn, n, o, wd);
	} else if (w->freq == RW_MONTHLY && w->mode == RW_MONTH_DAY) {
		rw_day_ord(l, w->mday, ord, sizeof ord);
		if (w->interval == 1)
			rw_fill_tpl(buf, len, full, l->mday1, ord, NULL, NULL);
		else
			rw_fill_tpl(buf, len, full, l->mdayn, n, ord, NULL);
	} else if (w->interval == 1)
		rw_cat(buf, len, full, l->every1[k]);
	else
		rw_fill_tpl(buf, len, full, l->everyn[k], n, NULL, NULL);
	if (w->freq == RW_WEEKLY && w->days != 0) {
		rw_cat(buf, len, full, l->days_on);
		rw_list(buf, len, full, l, l->wday, w->days, 0, 6, l->day_the);
	}
}

/* The skipped months and the end. */
static void
rw_text_limits(const struct recur_words *w, const struct rw_lang *l,
    char *buf, size_t len, int *full)
{
	char	 text[RW_WORK_LEN / 2] = "", d[16];

	if (w->skip != 0) {
		rw_list(text, sizeof text, full, l, l->month, w->skip, 1, 12,
		    "");
		rw_fill_tpl(buf, len, full, l->except, text, NULL, NULL);
	}
	if (w->end == RW_END_UNTIL) {
		/* dates as people write them: 1er juillet, 1. Juli, 1 July */
		if (strcmp(l->code, "fr") == 0 || strcmp(l->code, "de") == 0)
			rw_day_ord(l, w->until_day, d, sizeof d);
		else
			snprintf(d, sizeof d, "%d", w->until_day);
		snprintf(text, sizeof text, "%s %s %d", d,
		    l->month[w->until_month - 1], w->until_year);
		rw_fill_tpl(buf, len, full, l->until, text, NULL, NULL);
	} else if (w->end == RW_END_COUNT) {
		snprintf(d, sizeof d, "%d", w->count);
		if (w->count == 1)
			rw_cat(buf, len, full, l->count1);
		else
			rw_fill_tpl(buf, len, full, l->count, d, NULL, NULL);
	}
}

const char *
recur_words_text(const struct recur_words *w, const char *lang, char *buf,
    size_t len)
{
	const struct rw_lang	*l = rw_lang(lang);
	struct recur_words	 v = *w;
	char			 work[RW_WORK_LEN] = "";
	int			 full = 0;

	if (len == 0)
		return buf;
	if (recur_words_check(&v, NULL) == -1) {
		/* the nearest sense: what can be kept of it */
		recur_words_init(&v);
		v.freq = w->freq >= RW_DAILY && w->freq <= RW_YEARLY ?
		    w->freq : RW_ONCE;
		if (recur_words_check(&v, NULL) == -1)
			v.freq = RW_ONCE;
	}
	if (v.freq == RW_ONCE)
		rw_cat(work, sizeof work, &full, l->once);
	else {
		rw_text_period(&v, l, work, sizeof work, &full);
		rw_text_limits(&v, l, work, sizeof work, &full);
	}
	if (len < 8) {
		buf[0] = '\0';
		return buf;
	}
	return utf8_cut(buf, len, work, len);
}

const char *
recur_words_weekday(const char *lang, int wd)
{
	return wd >= 0 && wd < 7 ? rw_lang(lang)->wday[wd] : "";
}

const char *
recur_words_month(const char *lang, int m)
{
	return m >= 1 && m <= 12 ? rw_lang(lang)->month[m - 1] : "";
}

const char *
recur_words_ordinal(const char *lang, int nth)
{
	if (nth == RW_LAST)
		return rw_lang(lang)->ord[4];
	return nth >= 1 && nth <= 4 ? rw_lang(lang)->ord[nth - 1] : "";
}
