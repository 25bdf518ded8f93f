/*
 * recur_rule.c: RFC 5545 recurrence rules (§3.3.10) as text: the RRULE
 * parser, one table entry per part, and the canonical formatter; with them
 * the civil dates and date-times they read and write ("20260107T140000",
 * "2026-01-07").  Parsed by hand into the bit sets of recur_int.h, that
 * recur.c and recur_period.c expand.
 */
#include <strings.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "recur_int.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"

/* Characters of user text quoted in a message. */
#define RECUR_QUOTE_MAX	32

#define RECUR_MAXINT	2147483647

static const char *recur_wdays[] = { "MO", "TU", "WE", "TH", "FR", "SA",
	"SU" };
static const char *recur_freqs[] = { "YEARLY", "MONTHLY", "WEEKLY",
	"DAILY", "HOURLY", "MINUTELY", "SECONDLY" };

/* -------------------------------------------------------------------------
 * Civil dates.
 */

int64_t
recur_civil_secs(const struct recur_civil *c)
{
	return tz_days_from_civil(c->year, c->month, c->day) * RECUR_DAY +
	    c->hour * 3600 + c->minute * 60 + c->second;
}

void
recur_secs_civil(int64_t secs, struct recur_civil *c)
{
	int64_t	 day = recur_floordiv(secs, RECUR_DAY), sod, y;

	sod = secs - day * RECUR_DAY;
	tz_civil_from_days(day, &y, &c->month, &c->day);
	c->year = (int)y;
	c->hour = (int)(sod / 3600);
	c->minute = (int)(sod / 60 % 60);
	c->second = (int)(sod % 60);
}

int
recur_weekday(int year, int month, int day)
{
	return recur_wd(tz_days_from_civil(year, month, day));
}

/* -------------------------------------------------------------------------
 * Dates and date-times as text.
 */

/* Read exactly n digits at *p into *v, advancing *p. */
static int
recur_digits(const char **p, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* The date part, "YYYY-MM-DD" or "YYYYMMDD"; *basic says which. */
static int
recur_read_date(const char **p, struct recur_civil *c, int *basic)
{
	memset(c, 0, sizeof *c);
	if (recur_digits(p, 4, &c->year) == -1)
		return -1;
	*basic = **p != '-';
	if (!*basic)
		(*p)++;
	if (recur_digits(p, 2, &c->month) == -1)
		return -1;
	if (!*basic && *(*p)++ != '-')
		return -1;
	return recur_digits(p, 2, &c->day);
}

/* Whether the fields of c name an existing date and time. */
static int
recur_civil_valid(const struct recur_civil *c)
{
	return c->year >= 1 && c->month >= 1 && c->month <= 12 &&
	    c->day >= 1 && c->day <= recur_mdays(c->year, c->month) &&
	    c->hour >= 0 && c->hour <= 23 && c->minute >= 0 &&
	    c->minute <= 59 && c->second >= 0 && c->second <= 59;
}

/*
 * Parse a date-time at s; *end is set past it (NULL: it must end the
 * string).  0, or -1 when malformed, -2 when the date does not exist.
 */
static int
recur_read_civil(const char *s, struct recur_civil *c, const char **end)
{
	const char	*p = s;
	int		 basic;

	if (recur_read_date(&p, c, &basic) == -1 || *p++ != 'T' ||
	    recur_digits(&p, 2, &c->hour) == -1)
		return -1;
	if (!basic && *p++ != ':')
		return -1;
	if (recur_digits(&p, 2, &c->minute) == -1)
		return -1;
	if (basic || *p == ':') {
		if (!basic)
			p++;
		if (recur_digits(&p, 2, &c->second) == -1)
			return -1;
	}
	if (end != NULL)
		*end = p;
	else if (*p != '\0')
		return -1;
	return recur_civil_valid(c) ? 0 : -2;
}

int
recur_civil_parse(const char *s, struct recur_civil *c, char **cause)
{
	struct recur_civil	 t;
	int			 rc;

	if ((rc = recur_read_civil(s, &t, NULL)) == 0) {
		*c = t;
		return 0;
	}
	if (rc == -2)
		util_cause(cause, "« %s » : date ou heure inexistante",
		    UTF8_CUT(s, RECUR_QUOTE_MAX));
	else
		util_cause(cause, "« %s » : date-heure invalide (attendu "
		    "AAAA-MM-JJTHH:MM:SS)", UTF8_CUT(s, RECUR_QUOTE_MAX));
	return -1;
}

int
recur_date_parse(const char *s, struct recur_civil *c, char **cause)
{
	struct recur_civil	 t;
	const char		*p = s;
	int			 basic;

	if (recur_read_date(&p, &t, &basic) == -1 || *p != '\0') {
		util_cause(cause, "« %s » : date invalide (attendu AAAA-MM-JJ)",
		    UTF8_CUT(s, RECUR_QUOTE_MAX));
		return -1;
	}
	if (!recur_civil_valid(&t)) {
		util_cause(cause, "« %s » : date inexistante",
		    UTF8_CUT(s, RECUR_QUOTE_MAX));
		return -1;
	}
	*c = t;
	return 0;
}

/* -------------------------------------------------------------------------
 * The rule parser: one table entry per part.
 */

enum recur_kind { K_FREQ, K_UNTIL, K_NUM, K_LIST, K_BYDAY, K_WKST };

enum recur_part {
	P_FREQ, P_UNTIL, P_COUNT, P_INTERVAL, P_BYSECOND, P_BYMINUTE,
	P_BYHOUR, P_BYDAY, P_BYMONTHDAY, P_BYYEARDAY, P_BYWEEKNO, P_BYMONTH,
	P_BYSETPOS, P_WKST, P_NPARTS
};

static const struct recur_partdef {
	const char	*name;
	enum recur_kind	 kind;
	int64_t		 max;		/* values 1..max, or 0..max */
	int		 zero, neg;	/* 0 allowed, -max..-1 allowed */
	const char	*range;
} recur_parts[P_NPARTS] = {
	{ "FREQ", K_FREQ, 0, 0, 0, NULL },
	{ "UNTIL", K_UNTIL, 0, 0, 0, NULL },
	{ "COUNT", K_NUM, RECUR_MAXINT, 0, 0, "1..2147483647" },
	{ "INTERVAL", K_NUM, RECUR_MAXINT, 0, 0, "1..2147483647" },
	{ "BYSECOND", K_LIST, 60, 1, 0, "0..60" },
	{ "BYMINUTE", K_LIST, 59, 1, 0, "0..59" },
	{ "BYHOUR", K_LIST, 23, 1, 0, "0..23" },
	{ "BYDAY", K_BYDAY, 53, 0, 1, "-53..-1, 1..53" },
	{ "BYMONTHDAY", K_LIST, 31, 0, 1, "-31..-1, 1..31" },
	{ "BYYEARDAY", K_LIST, 366, 0, 1, "-366..-1, 1..366" },
	{ "BYWEEKNO", K_LIST, 53, 0, 1, "-53..-1, 1..53" },
	{ "BYMONTH", K_LIST, 12, 0, 0, "1..12" },
	{ "BYSETPOS", K_LIST, 366, 0, 1, "-366..-1, 1..366" },
	{ "WKST", K_WKST, 0, 0, 0, NULL },
};

/* Index of the weekday named at s (two letters, any case), or -1. */
static int
recur_wday_name(const char *s)
{
	int	 i;

	for (i = 0; i < 7; i++)
		if (strcasecmp(s, recur_wdays[i]) == 0)
			return i;
	return -1;
}

/* Read a signed decimal number that fills s into *v; -1 when not one. */
static int
recur_number(const char *s, int64_t *v)
{
	int64_t	 n = 0;
	int	 neg = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n < 10000000000LL)
			n = n * 10 + (*s - '0');
	}
	*v = neg ? -n : n;
	return 0;
}

/* Add i to bit set b. */
static void
recur_setbit(struct recur_bits *b, int i)
{
	b->w[i >> 6] |= (uint64_t)1 << (i & 63);
}

/* Store value v (already checked) of list part p into r. */
static void
recur_store(struct recur_rule *r, enum recur_part p, int64_t v)
{
	int	 a = (int)(v < 0 ? -v : v);

	switch (p) {
	case P_BYSECOND:
		r->bysecond |= (uint64_t)1 << a;
		break;
	case P_BYMINUTE:
		r->byminute |= (uint64_t)1 << a;
		break;
	case P_BYHOUR:
		r->byhour |= (uint32_t)1 << a;
		break;
	case P_BYMONTH:
		r->bymonth |= (uint16_t)(1 << a);
		break;
	case P_BYMONTHDAY:
		*(v < 0 ? &r->mday_neg : &r->mday_pos) |= (uint64_t)1 << a;
		break;
	case P_BYWEEKNO:
		*(v < 0 ? &r->wno_neg : &r->wno_pos) |= (uint64_t)1 << a;
		break;
	case P_BYYEARDAY:
		recur_setbit(v < 0 ? &r->yday_neg : &r->yday_pos, a);
		break;
	case P_BYSETPOS:
		recur_setbit(v < 0 ? &r->setpos_neg : &r->setpos_pos, a);
		break;
	default:
		break;
	}
}

/* One BYDAY item, "MO", "1MO", "-1FR", "+2TU". */
static int
recur_parse_byday(struct recur_rule *r, const char *item, char **cause)
{
	size_t	 len = strlen(item);
	char	 num[16];
	int64_t	 n = 0;
	int	 wd;

	if (len < 2 || (wd = recur_wday_name(item + len - 2)) == -1) {
		util_cause(cause, "BYDAY=%s : jour inconnu (MO, TU, WE, TH, "
		    "FR, SA ou SU, avec un rang éventuel : 1MO, -1FR)",
		    UTF8_CUT(item, RECUR_QUOTE_MAX));
		return -1;
	}
	if (len == 2) {
		r->bywday |= (uint8_t)(1 << wd);
		return 0;
	}
	if (len - 2 >= sizeof num)
		n = 1000;
	else {
		memcpy(num, item, len - 2);
		num[len - 2] = '\0';
		if (recur_number(num, &n) == -1) {
			util_cause(cause, "BYDAY=%s : rang invalide (ex. 1MO, "
			    "-1FR)", UTF8_CUT(item, RECUR_QUOTE_MAX));
			return -1;
		}
	}
	if (n == 0 || n > 53 || n < -53) {
		util_cause(cause, "BYDAY=%s : rang hors limites (-53..-1, "
		    "1..53)", UTF8_CUT(item, RECUR_QUOTE_MAX));
		return -1;
	}
	if (n > 0)
		r->nwd_pos[wd] |= (uint64_t)1 << n;
	else
		r->nwd_neg[wd] |= (uint64_t)1 << -n;
	r->has_nwd = 1;
	return 0;
}

/* One item of a numeric list part. */
static int
recur_parse_item(struct recur_rule *r, enum recur_part p, const char *item,
    char **cause)
{
	const struct recur_partdef	*d = &recur_parts[p];
	int64_t				 v;

	if (recur_number(item, &v) == -1) {
		util_cause(cause, "%s=%s : nombre attendu (%s)", d->name,
		    UTF8_CUT(item, RECUR_QUOTE_MAX), d->range);
		return -1;
	}
	if (v > d->max || (v == 0 && !d->zero) ||
	    (v < 0 && (!d->neg || v < -d->max))) {
		util_cause(cause, "%s=%s : hors limites (%s)", d->name,
		    UTF8_CUT(item, RECUR_QUOTE_MAX), d->range);
		return -1;
	}
	if (d->kind == K_NUM) {
		*(p == P_COUNT ? &r->count : &r->interval) = v;
		return 0;
	}
	recur_store(r, p, v);
	return 0;
}

/* UNTIL: a date, a local date-time or a UTC date-time ("...Z"). */
static int
recur_parse_until(struct recur_rule *r, const char *v, char **cause)
{
	struct recur_civil	 c;
	const char		*end;
	int			 rc;

	if (strchr(v, 'T') == NULL && strchr(v, 't') == NULL) {
		if (recur_date_parse(v, &c, NULL) == -1)
			goto bad;
		r->until_kind = RECUR_UNTIL_DATE;
		r->until = recur_civil_secs(&c) + RECUR_DAY - 1;
		return 0;
	}
	if ((rc = recur_read_civil(v, &c, &end)) != 0 ||
	    (*end != '\0' && strcasecmp(end, "Z") != 0)) {
		if (rc == -2) {
			util_cause(cause, "UNTIL=%s : date inexistante",
			    UTF8_CUT(v, RECUR_QUOTE_MAX));
			return -1;
		}
		goto bad;
	}
	r->until_kind = *end == '\0' ? RECUR_UNTIL_LOCAL : RECUR_UNTIL_UTC;
	r->until = recur_civil_secs(&c);
	return 0;

bad:
	util_cause(cause, "UNTIL=%s : date invalide (attendu AAAAMMJJ, "
	    "AAAAMMJJTHHMMSS ou AAAAMMJJTHHMMSSZ)",
	    UTF8_CUT(v, RECUR_QUOTE_MAX));
	return -1;
}

/* The value of part p, a single value or a comma list. */
static int
recur_parse_value(struct recur_rule *r, enum recur_part p, char *v,
    char **cause)
{
	const struct recur_partdef	*d = &recur_parts[p];
	char				*item, *next;
	int				 i;

	switch (d->kind) {
	case K_FREQ:
		for (i = 0; i <= RECUR_SECONDLY; i++)
			if (strcasecmp(v, recur_freqs[i]) == 0) {
				r->freq = i;
				return 0;
			}
		util_cause(cause, "FREQ=%s : fréquence inconnue (SECONDLY, "
		    "MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY ou YEARLY)",
		    UTF8_CUT(v, RECUR_QUOTE_MAX));
		return -1;
	case K_WKST:
		if ((r->wkst = recur_wday_name(v)) != -1)
			return 0;
		util_cause(cause, "WKST=%s : jour inconnu (MO, TU, WE, TH, FR, "
		    "SA ou SU)", UTF8_CUT(v, RECUR_QUOTE_MAX));
		return -1;
	case K_UNTIL:
		return recur_parse_until(r, v, cause);
	case K_NUM:
		return recur_parse_item(r, p, v, cause);
	default:
		break;
	}
	for (item = v; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if (*item == '\0') {
			util_cause(cause, "%s : valeur vide dans la liste",
			    d->name);
			return -1;
		}
		if (d->kind == K_BYDAY ? recur_parse_byday(r, item, cause) :
		    recur_parse_item(r, p, item, cause))
			return -1;
	}
	return 0;
}

/* One "NAME=VALUE" part; seen collects the parts already given. */
static int
recur_parse_part(struct recur_rule *r, char *part, unsigned *seen,
    char **cause)
{
	char	*eq = strchr(part, '=');
	int	 p;

	if (eq != NULL)
		*eq = '\0';
	for (p = 0; p < P_NPARTS; p++)
		if (strcasecmp(part, recur_parts[p].name) == 0)
			break;
	if (p == P_NPARTS) {
		util_cause(cause, "partie « %s » inconnue",
		    UTF8_CUT(part, RECUR_QUOTE_MAX));
		return -1;
	}
	if (eq == NULL || eq[1] == '\0') {
		util_cause(cause, "%s : valeur manquante", recur_parts[p].name);
		return -1;
	}
	if (*seen & (1u << p)) {
		util_cause(cause, "%s donné deux fois", recur_parts[p].name);
		return -1;
	}
	*seen |= 1u << p;
	return recur_parse_value(r, (enum recur_part)p, eq + 1, cause);
}

struct recur_rule *
recur_rule_parse(const char *text, char **cause)
{
	struct recur_rule	*r;
	char			*copy, *part, *next;
	unsigned		 seen = 0;

	if (text == NULL || *text == '\0') {
		util_cause(cause, "règle vide (ex. FREQ=MONTHLY;BYDAY=1WE)");
		return NULL;
	}
	if (strncasecmp(text, "RRULE:", 6) == 0)
		text += 6;
	r = xcalloc(1, sizeof *r);
	r->interval = 1;
	copy = xstrdup(text);
	for (part = copy; part != NULL; part = next) {
		if ((next = strchr(part, ';')) != NULL)
			*next++ = '\0';
		if (*part == '\0' && next == NULL)
			break;			/* a trailing ";" */
		if (recur_parse_part(r, part, &seen, cause) == -1)
			goto fail;
	}
	if (!(seen & (1u << P_FREQ))) {
		util_cause(cause, "FREQ manquant (ex. FREQ=MONTHLY;BYDAY=1WE)");
		goto fail;
	}
	if ((seen & (1u << P_COUNT)) && (seen & (1u << P_UNTIL))) {
		util_cause(cause, "COUNT et UNTIL ensemble : l'un ou l'autre");
		goto fail;
	}
	free(copy);
	return r;

fail:
	free(copy);
	free(r);
	return NULL;
}

void
recur_rule_free(struct recur_rule *r)
{
	free(r);
}

int
recur_rule_finite(const struct recur_rule *r)
{
	return r->count != 0 || r->until_kind != RECUR_UNTIL_NONE;
}

/*
 * Append ";NAME=" and the values of bit sets pos and neg (may be NULL),
 * nwords words each, from value lo up: the positive ones, then the
 * negative ones.  Nothing when both are empty.
 */
static void
recur_fmt_list(char *buf, size_t len, const char *name, const uint64_t *pos,
    const uint64_t *neg, int nwords, int lo)
{
	const uint64_t	*set;
	char		 tmp[16];
	int		 i, sign, first = 1;

	for (sign = 1; sign >= -1; sign -= 2) {
		if ((set = sign == 1 ? pos : neg) == NULL)
			continue;
		for (i = lo; i < nwords * 64; i++) {
			if (!(set[i >> 6] >> (i & 63) & 1))
				continue;
			if (first) {
				util_strlcat(buf, ";", len);
				util_strlcat(buf, name, len);
				util_strlcat(buf, "=", len);
			}
			snprintf(tmp, sizeof tmp, "%s%d", first ? "" : ",",
			    sign * i);
			util_strlcat(buf, tmp, len);
			first = 0;
		}
	}
}

/* Append ";BYDAY=..." in weekday order, the ordinals after each day. */
static void
recur_fmt_byday(char *buf, size_t len, const struct recur_rule *r)
{
	char	 tmp[16];
	int	 wd, n, first = 1;

	if (r->bywday == 0 && !r->has_nwd)
		return;
	util_strlcat(buf, ";BYDAY=", len);
	for (wd = 0; wd < 7; wd++) {
		if (r->bywday >> wd & 1) {
			snprintf(tmp, sizeof tmp, "%s%s", first ? "" : ",",
			    recur_wdays[wd]);
			util_strlcat(buf, tmp, len);
			first = 0;
		}
		for (n = -53; n <= 53; n++) {
			if (n == 0 || !((n > 0 ? r->nwd_pos[wd] >> n :
			    r->nwd_neg[wd] >> -n) & 1))
				continue;
			snprintf(tmp, sizeof tmp, "%s%d%s", first ? "" : ",", n,
			    recur_wdays[wd]);
			util_strlcat(buf, tmp, len);
			first = 0;
		}
	}
}

char *
recur_rule_format(const struct recur_rule *r)
{
	struct recur_civil	 c;
	uint64_t		 w[1];
	size_t			 len = 8192;
	char			*buf = xmalloc(len), tmp[64];

	snprintf(buf, len, "FREQ=%s", recur_freqs[r->freq]);
	if (r->count != 0) {
		snprintf(tmp, sizeof tmp, ";COUNT=%" PRId64, r->count);
		util_strlcat(buf, tmp, len);
	}
	if (r->until_kind != RECUR_UNTIL_NONE) {
		recur_secs_civil(r->until, &c);
		if (r->until_kind == RECUR_UNTIL_DATE)
			snprintf(tmp, sizeof tmp, ";UNTIL=%04d%02d%02d", c.year,
			    c.month, c.day);
		else
			snprintf(tmp, sizeof tmp, ";UNTIL=%04d%02d%02dT%02d%02d"
			    "%02d%s", c.year, c.month, c.day, c.hour, c.minute,
			    c.second, r->until_kind == RECUR_UNTIL_UTC ? "Z" :
			    "");
		util_strlcat(buf, tmp, len);
	}
	if (r->interval != 1) {
		snprintf(tmp, sizeof tmp, ";INTERVAL=%" PRId64, r->interval);
		util_strlcat(buf, tmp, len);
	}
	recur_fmt_list(buf, len, "BYSECOND", &r->bysecond, NULL, 1, 0);
	recur_fmt_list(buf, len, "BYMINUTE", &r->byminute, NULL, 1, 0);
	w[0] = r->byhour;
	recur_fmt_list(buf, len, "BYHOUR", w, NULL, 1, 0);
	recur_fmt_byday(buf, len, r);
	recur_fmt_list(buf, len, "BYMONTHDAY", &r->mday_pos, &r->mday_neg, 1,
	    1);
	recur_fmt_list(buf, len, "BYYEARDAY", r->yday_pos.w, r->yday_neg.w, 6,
	    1);
	recur_fmt_list(buf, len, "BYWEEKNO", &r->wno_pos, &r->wno_neg, 1, 1);
	w[0] = r->bymonth;
	recur_fmt_list(buf, len, "BYMONTH", w, NULL, 1, 1);
	recur_fmt_list(buf, len, "BYSETPOS", r->setpos_pos.w,
	    r->setpos_neg.w, 6, 1);
	if (r->wkst != 0) {
		util_strlcat(buf, ";WKST=", len);
		util_strlcat(buf, recur_wdays[r->wkst], len);
	}
	return buf;
}
