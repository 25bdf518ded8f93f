/*
 * ics_value.c: the values of iCalendar content lines, decoded on demand
 * from the text kept as written: TEXT and its comma lists, DATE and
 * DATE-TIME, DURATION (and written back); libical checks RRULEs.  The
 * parsers return 0, or -1 when a value is unreadable.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libical/ical.h>

#include "ics_int.h"
#include "util.h"

#define ICS_MAX_DAYS	999999999LL	/* longest duration read, in days */
#define ICS_DUR_DIGITS	9	/* of each number of a duration */

/*
 * A DATE "20260107" and a DATE-TIME "20260107T140000", with 'Z' after it
 * for UTC: where each field starts, and the three lengths.
 */
enum {
	ICS_B_YEAR = 0, ICS_B_MONTH = 4, ICS_B_DAY = 6, ICS_B_T = 8,
	ICS_B_HOUR = 9, ICS_B_MIN = 11, ICS_B_SEC = 13, ICS_B_Z = 15
};
#define ICS_DATE_LEN	8
#define ICS_DT_LEN	15
#define ICS_DT_UTC_LEN	16

/* An event object's "2026-01-07T14:00:00": where each field starts, each
 * after its separator, and the length. */
enum {
	ICS_L_YEAR = 0, ICS_L_MONTH = 5, ICS_L_DAY = 8, ICS_L_HOUR = 11,
	ICS_L_MIN = 14, ICS_L_SEC = 17, ICS_L_LEN = 19
};

/*
 * A TEXT value unescaped (\\ \; \, \n \N; other escapes lose their
 * backslash), as a new string.
 */
char *
ics_text(const char *v)
{
	char	*out = xmalloc(strlen(v) + 1), *w = out;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			*w++ = (*v == 'n' || *v == 'N') ? '\n' : *v;
		} else
			*w++ = *v;
	}
	*w = '\0';
	return out;
}

/*
 * A comma list of TEXT values (CATEGORIES, X-STOPPVIF-AUDIENCE) as a JSON
 * array: split on unescaped commas, each item unescaped and trimmed of
 * blanks, empty items left out.
 */
json_t *
ics_text_list(const char *v)
{
	json_t		*a = json_array();
	const char	*p, *start;
	char		*raw, *item, *b, *e;

	for (p = start = v;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != ',' && *p != '\0')
			continue;
		raw = xstrndup(start, (size_t)(p - start));
		item = ics_text(raw);
		for (b = item; *b == ' ' || *b == '\t'; b++)
			;
		for (e = b + strlen(b); e > b && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*b != '\0')
			json_array_append_new(a, json_string(b));
		free(item);
		free(raw);
		if (*p == '\0')
			break;
		start = p + 1;
	}
	return a;
}

/* Read n digits of s as a number; -1 if one is not a digit. */
static int
ics_digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse a DATE ("20260107") or DATE-TIME ("20260107T140000[Z]") value. */
int
ics_time_parse(const char *s, struct ics_time *t)
{
	size_t	 n = strlen(s);

	memset(t, 0, sizeof *t);
	if (n != ICS_DATE_LEN && n != ICS_DT_LEN && n != ICS_DT_UTC_LEN)
		return -1;
	t->year = ics_digits(s + ICS_B_YEAR, 4);
	t->month = ics_digits(s + ICS_B_MONTH, 2);
	t->day = ics_digits(s + ICS_B_DAY, 2);
	if (n == ICS_DATE_LEN)
		t->date = 1;
	else {
		if (s[ICS_B_T] != 'T' || (n == ICS_DT_UTC_LEN &&
		    s[ICS_B_Z] != 'Z'))
			return -1;
		t->hour = ics_digits(s + ICS_B_HOUR, 2);
		t->min = ics_digits(s + ICS_B_MIN, 2);
		t->sec = ics_digits(s + ICS_B_SEC, 2);
		t->utc = n == ICS_DT_UTC_LEN;
	}
	if (t->year < 1 || t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > ics_mdays(t->year, t->month) || t->hour < 0 ||
	    t->hour > 23 || t->min < 0 || t->min > 59 || t->sec < 0 ||
	    t->sec > 59)
		return -1;
	return 0;
}

/* Parse an event object's "YYYY-MM-DDTHH:MM:SS". */
int
ics_local_parse(const char *s, struct ics_time *t)
{
	char	 basic[ICS_DT_LEN + 1];

	if (strlen(s) != ICS_L_LEN || s[ICS_L_MONTH - 1] != '-' ||
	    s[ICS_L_DAY - 1] != '-' || s[ICS_L_HOUR - 1] != 'T' ||
	    s[ICS_L_MIN - 1] != ':' || s[ICS_L_SEC - 1] != ':')
		return -1;
	/* digits by position; ics_time_parse refuses any other byte */
	snprintf(basic, sizeof basic, "%.4s%.2s%.2sT%.2s%.2s%.2s",
	    s + ICS_L_YEAR, s + ICS_L_MONTH, s + ICS_L_DAY, s + ICS_L_HOUR,
	    s + ICS_L_MIN, s + ICS_L_SEC);
	return ics_time_parse(basic, t);
}

void
ics_time_iso(const struct ics_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month,
	    t->day, t->hour, t->min, t->sec);
}

/* Write t in iCalendar's basic form, "20260107T140000". */
void
ics_time_basic(const struct ics_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d%02d%02dT%02d%02d%02d", t->year, t->month,
	    t->day, t->hour, t->min, t->sec);
}

/* Read the number at *s, 1 to ICS_DUR_DIGITS digits, into *n. */
static int
ics_dur_number(const char **s, int64_t *n)
{
	int	 digits;

	for (*n = 0, digits = 0; **s >= '0' && **s <= '9'; (*s)++, digits++) {
		if (digits == ICS_DUR_DIGITS)
			return -1;
		*n = *n * 10 + (**s - '0');
	}
	return digits == 0 ? -1 : 0;
}

/*
 * Make *n units u of a duration seconds.  intime says whether the T was
 * passed, last is the unit before (0: none since the P or the T): each
 * unit may come only in its place, in order.  -1 when u may not.
 */
static int
ics_dur_unit(char u, int intime, char last, int64_t *n)
{
	switch (u) {
	case 'W':
		if (intime || last != 0)
			return -1;
		*n *= 7 * ICS_DAY;
		return 0;
	case 'D':
		if (intime || (last != 0 && last != 'W'))
			return -1;
		*n *= ICS_DAY;
		return 0;
	case 'H':
		if (!intime || last != 0)
			return -1;
		*n *= ICS_HOUR;
		return 0;
	case 'M':
		if (!intime || (last != 0 && last != 'H'))
			return -1;
		*n *= 60;
		return 0;
	case 'S':
		return !intime || last == 'S' ? -1 : 0;
	default:
		return -1;
	}
}

/*
 * Parse an RFC 5545 duration ("-P1D", "PT15M", "P1DT2H30M", "P2W") into
 * seconds; each number at most 9 digits, the whole at most ICS_MAX_DAYS
 * days, so that ics_dur_format() writes it back readable.
 */
int
ics_dur_parse(const char *s, int64_t *secs)
{
	int64_t	 total = 0, n;
	int	 sign = 1, intime = 0, any = 0;
	char	 last = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if (*s++ != 'P')
		return -1;
	while (*s != '\0') {
		if (*s == 'T') {
			if (intime || *++s == '\0')
				return -1;
			intime = 1;
			last = 0;
			continue;
		}
		if (ics_dur_number(&s, &n) == -1 ||
		    ics_dur_unit(*s, intime, last, &n) == -1)
			return -1;
		last = *s++;
		total += n;
		any = 1;
	}
	if (!any || total > ICS_MAX_DAYS * ICS_DAY)
		return -1;
	*secs = sign * total;
	return 0;
}

/* Write seconds as an RFC 5545 duration: "-P7D", "PT2H", "P1DT12H". */
void
ics_dur_format(int64_t secs, char *buf, size_t len)
{
	struct ics_buf	 b = { NULL, 0, 0 };
	uint64_t	 v = secs < 0 ? -(uint64_t)secs : (uint64_t)secs;

	ics_buf_str(&b, secs < 0 ? "-P" : "P");
	if (v >= ICS_DAY)
		ics_buf_printf(&b, "%" PRIu64 "D", v / ICS_DAY);
	v %= ICS_DAY;
	if (v != 0 || secs == 0) {
		ics_buf_str(&b, "T");
		if (v >= ICS_HOUR)
			ics_buf_printf(&b, "%" PRIu64 "H", v / ICS_HOUR);
		if (v % ICS_HOUR >= 60)
			ics_buf_printf(&b, "%" PRIu64 "M", v % ICS_HOUR / 60);
		if (v % 60 != 0 || v == 0)
			ics_buf_printf(&b, "%" PRIu64 "S", v % 60);
	}
	util_strlcpy(buf, b.s, len);
	free(b.s);
}

/* Whether libical reads rule as a recurrence rule. */
int
ics_rrule_check(const char *rule)
{
	struct icalrecurrencetype	 r;
	const char			*p;

	for (p = rule; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return -1;
	if (*rule == '\0')
		return -1;
	r = icalrecurrencetype_from_string(rule);
	icalerror_clear_errno();
	return r.freq == ICAL_NO_RECURRENCE ? -1 : 0;
}
