/*
 * recur_period.c: the candidates of one period of a recurrence rule, from
 * the calendar arithmetic of years, months and weeks.
 *
 * A YEARLY or MONTHLY period yields its days, generated from the most
 * selective BYxxx part (the generator recur.c chose: the month days, the
 * year days, the weeks, the weekdays, or every day) and filtered by all of
 * them; a WEEKLY period its weekdays, a DAILY one its day.  For HOURLY,
 * MINUTELY and SECONDLY rules a period is one instant: the first one from
 * the current period on whose day, hour, minute and second pass the
 * limits, a failing day or hour skipped whole.
 */
#include <stdint.h>
#include <string.h>

#include "recur.h"
#include "recur_int.h"
#include "tz.h"

#define RECUR_DAYS_YEAR	365

/* The first day of week 1 of year y: the WKST week holding 4 January. */
static int64_t
recur_week1(int64_t y, int wkst)
{
	int64_t	 jan4 = tz_days_from_civil(y, 1, 4);

	return jan4 - recur_floormod(recur_wd(jan4) - wkst, 7);
}

/* The week number of day dn (of year y, weekday wd) and its year's weeks. */
static void
recur_weekno(struct recur_iter *it, int64_t dn, int64_t y, int wd, int *wn,
    int *nweeks)
{
	const int64_t	*w1 = it->wk_w1;
	int64_t		 ws;
	int		 i, wkst = it->rule->wkst;

	if (it->wk_year != y) {
		for (i = 0; i < RECUR_WK_YEARS; i++)
			it->wk_w1[i] = recur_week1(y - RECUR_WK_THIS + i, wkst);
		it->wk_year = y;
	}
	ws = dn - recur_floormod(wd - wkst, 7);
	i = ws >= w1[RECUR_WK_NEXT] ? RECUR_WK_NEXT :
	    ws >= w1[RECUR_WK_THIS] ? RECUR_WK_THIS : RECUR_WK_PREV;
	*wn = (int)((ws - w1[i]) / 7 + 1);
	*nweeks = (int)((w1[i + 1] - w1[i]) / 7);
}

/* The days of year y. */
static int
recur_ylen(int64_t y)
{
	return RECUR_DAYS_YEAR + recur_leap(y);
}

/* The first day of month m of year y, from that year's 1 January. */
static int64_t
recur_month_start(int64_t jan1, int64_t y, int m)
{
	static const int	 before[] = { 0, 31, 59, 90, 120, 151, 181, 212,
				    243, 273, 304, 334 };

	return jan1 + before[m - 1] + (m > 2 && recur_leap(y));
}

/* Point the month cache at the month of day dn. */
static void
recur_month_cache(struct recur_iter *it, int64_t dn)
{
	struct recur_month	*c = &it->mc;
	int			 d;

	tz_civil_from_days(dn, &c->y, &c->m, &d);
	c->lo = dn - d + 1;
	c->dim = recur_mdays(c->y, c->m);
	c->jan1 = tz_days_from_civil(c->y, 1, 1);
	c->ylen = recur_ylen(c->y);
}

/* Whether day dn passes BYDAY: its weekday, or its n-th of the month or
 * the year (day d of a month of dim days, day yd of a year of ylen). */
static int
recur_byday_ok(const struct recur_iter *it, int wd, int d, int dim, int yd,
    int ylen)
{
	int	 pos, neg;

	if (!it->has_byday || (it->bywday >> wd & 1))
		return 1;
	if (!it->has_nwd)
		return 0;
	pos = it->nwd_month ? (d - 1) / 7 + 1 : (yd - 1) / 7 + 1;
	neg = it->nwd_month ? (dim - d) / 7 + 1 : (ylen - yd) / 7 + 1;
	return (it->nwd_pos[wd] >> pos & 1) || (it->nwd_neg[wd] >> neg & 1);
}

/* Whether day dn passes every day-level part of the rule. */
static int
recur_day_ok(struct recur_iter *it, int64_t dn)
{
	const struct recur_rule	*r = it->rule;
	const struct recur_month *c = &it->mc;
	int			 m, d, dim, wd, yd, ylen, wn, nw;

	if (dn < c->lo || dn >= c->lo + c->dim)
		recur_month_cache(it, dn);
	m = c->m;
	d = (int)(dn - c->lo) + 1;
	dim = c->dim;
	if (it->bymonth != 0 && !(it->bymonth >> m & 1))
		return 0;
	if ((it->mday_pos | it->mday_neg) != 0 && !(it->mday_pos >> d & 1) &&
	    !(it->mday_neg >> (dim - d + 1) & 1))
		return 0;
	wd = recur_wd(dn);
	yd = (int)(dn - c->jan1) + 1;
	ylen = c->ylen;
	if (!recur_byday_ok(it, wd, d, dim, yd, ylen))
		return 0;
	if (it->has_yday && !recur_bit(&r->yday_pos, yd) &&
	    !recur_bit(&r->yday_neg, ylen - yd + 1))
		return 0;
	if ((it->wno_pos | it->wno_neg) != 0) {
		recur_weekno(it, dn, c->y, wd, &wn, &nw);
		if (!(it->wno_pos >> wn & 1) &&
		    !(wn <= nw && it->wno_neg >> (nw - wn + 1) & 1))
			return 0;
	}
	return 1;
}

/* A candidate day: kept in bitmap bm (days from lo) when it matches. */
static void
recur_cand(struct recur_iter *it, int64_t dn, int64_t lo, int64_t hi,
    uint64_t *bm)
{
	int64_t	 i = dn - lo;

	if (dn < lo || dn >= hi ||
	    (bm[i / RECUR_WORD_BITS] >> (i % RECUR_WORD_BITS) & 1))
		return;
	if (recur_day_ok(it, dn))
		bm[i / RECUR_WORD_BITS] |= (uint64_t)1 << (i % RECUR_WORD_BITS);
}

/* BYDAY=nWD candidates: the n-th weekdays of the days [lo, hi). */
static void
recur_gen_nth(struct recur_iter *it, int64_t lo, int64_t hi, int64_t plo,
    int64_t phi, uint64_t *bm)
{
	uint64_t	 tmp;
	int64_t		 first, last;
	int		 wd, n;

	for (wd = 0; wd < 7; wd++) {
		first = lo + recur_floormod(wd - recur_wd(lo), 7);
		last = hi - 1 - recur_floormod(recur_wd(hi - 1) - wd, 7);
		RECUR_EACH_BIT(n, it->nwd_pos[wd], tmp)
			recur_cand(it, first + (n - 1) * 7, plo, phi, bm);
		RECUR_EACH_BIT(n, it->nwd_neg[wd], tmp)
			if (last - (n - 1) * 7 >= lo)
				recur_cand(it, last - (n - 1) * 7, plo, phi,
				    bm);
	}
}

/* BYWEEKNO candidates: the days of those weeks, of years y-1..y+1. */
static void
recur_gen_weekno(struct recur_iter *it, int64_t y, int64_t plo, int64_t phi,
    uint64_t *bm)
{
	int64_t		 yy, w1, start;
	int		 nw, n, i;

	for (yy = y - 1; yy <= y + 1; yy++) {
		w1 = recur_week1(yy, it->rule->wkst);
		nw = (int)((recur_week1(yy + 1, it->rule->wkst) - w1) / 7);
		for (n = 1; n <= nw; n++) {
			if (!(it->wno_pos >> n & 1) &&
			    !(it->wno_neg >> (nw - n + 1) & 1))
				continue;
			start = w1 + (n - 1) * 7;
			for (i = 0; i < 7; i++)
				recur_cand(it, start + i, plo, phi, bm);
		}
	}
}

/* BYYEARDAY candidates: those days of the year from jan1, ylen long. */
static void
recur_gen_yday(struct recur_iter *it, int64_t jan1, int64_t ylen,
    int64_t plo, int64_t phi, uint64_t *bm)
{
	const struct recur_rule	*r = it->rule;
	uint64_t		 tmp;
	int			 w, b, n;

	for (w = 0; w < RECUR_BITS_WORDS; w++) {
		RECUR_EACH_BIT(b, r->yday_pos.w[w], tmp)
			if ((n = w * RECUR_WORD_BITS + b) <= ylen)
				recur_cand(it, jan1 + n - 1, plo, phi, bm);
		RECUR_EACH_BIT(b, r->yday_neg.w[w], tmp)
			if ((n = w * RECUR_WORD_BITS + b) <= ylen)
				recur_cand(it, jan1 + ylen - n, plo, phi, bm);
	}
}

/* The candidates of month m of year y (from day first, dim days long)
 * that the generator yields (GEN_YDAY and GEN_WNO have none here). */
static void
recur_gen_month(struct recur_iter *it, int64_t first, int dim, int64_t plo,
    int64_t phi, uint64_t *bm)
{
	uint64_t	 tmp;
	int64_t		 dn;
	int		 d, wd;

	switch (it->gen) {
	case GEN_MDAY:
		RECUR_EACH_BIT(d, it->mday_pos, tmp)
			if (d <= dim)
				recur_cand(it, first + d - 1, plo, phi, bm);
		RECUR_EACH_BIT(d, it->mday_neg, tmp)
			if (d <= dim)
				recur_cand(it, first + dim - d, plo, phi, bm);
		break;
	case GEN_BYDAY:
		if (it->has_nwd && it->nwd_month)
			recur_gen_nth(it, first, first + dim, plo, phi, bm);
		RECUR_EACH_BIT(wd, it->bywday, tmp)
			for (dn = first + recur_floormod(wd - recur_wd(first),
			    7); dn < first + dim; dn += 7)
				recur_cand(it, dn, plo, phi, bm);
		break;
	default:
		for (dn = first; dn < first + dim; dn++)
			recur_cand(it, dn, plo, phi, bm);
		break;
	}
}

/*
 * The candidates of a year or month period [plo, phi) of year y: month 0
 * for a YEARLY period (its months are BYMONTH's, or all), from the
 * generator chosen at creation.
 */
static void
recur_gen_period(struct recur_iter *it, int64_t y, int month, int64_t plo,
    int64_t phi, uint64_t *bm)
{
	uint64_t	 tmp;
	uint32_t	 months;
	int64_t		 jan1 = tz_days_from_civil(y, 1, 1);
	int64_t		 ylen = recur_ylen(y);
	int		 m;

	switch (it->gen) {
	case GEN_YDAY:
		recur_gen_yday(it, jan1, ylen, plo, phi, bm);
		return;
	case GEN_WNO:
		recur_gen_weekno(it, y, plo, phi, bm);
		return;
	case GEN_BYDAY:
		if (it->has_nwd && !it->nwd_month)
			recur_gen_nth(it, jan1, jan1 + ylen, plo, phi, bm);
		break;
	default:
		break;
	}
	months = month ? 1u << month : it->bymonth ? it->bymonth :
	    RECUR_ALL_MONTHS;
	RECUR_EACH_BIT(m, months, tmp)
		recur_gen_month(it, recur_month_start(jan1, y, m),
		    recur_mdays(y, m), plo, phi, bm);
}

/*
 * The candidates of period p of a YEARLY or MONTHLY rule into bm, its
 * first day into *lo.  -1 past year 9999.
 */
static int
recur_build_year_month(struct recur_iter *it, int64_t p, int64_t *lo,
    uint64_t *bm)
{
	int64_t	 y, mi, hi;
	int	 m = 0;		/* 0: the whole year */

	if (it->freq == RECUR_YEARLY)
		y = it->base0 + p * it->interval;
	else {
		mi = it->base0 + p * it->interval;
		y = recur_floordiv(mi, 12);
		m = (int)(mi - y * 12) + 1;
	}
	if (y > RECUR_YEAR_LAST)
		return -1;
	*lo = tz_days_from_civil(y, 1, 1);
	if (m > 1)
		*lo = recur_month_start(*lo, y, m);
	hi = *lo + (m ? recur_mdays(y, m) : recur_ylen(y));
	if (m == 0 || it->bymonth == 0 || (it->bymonth >> m & 1))
		recur_gen_period(it, y, m, *lo, hi, bm);
	return 0;
}

/*
 * The candidates of period p of a WEEKLY rule into bm, its first day into
 * *lo.  -1 past year 9999.
 */
static int
recur_build_week(struct recur_iter *it, int64_t p, int64_t *lo, uint64_t *bm)
{
	uint64_t	 tmp;
	int64_t		 hi;
	int		 wd;

	*lo = it->base0 + p * 7 * it->interval;
	hi = *lo + 7;
	if (*lo >= RECUR_END_DAY)
		return -1;
	if (it->bywday == 0)
		for (wd = 0; wd < 7; wd++)
			recur_cand(it, *lo + wd, *lo, hi, bm);
	RECUR_EACH_BIT(wd, it->bywday, tmp)
		recur_cand(it, *lo + recur_floormod(wd - it->rule->wkst, 7),
		    *lo, hi, bm);
	return 0;
}

int
recur_build_days(struct recur_iter *it, int64_t p)
{
	uint64_t	 bm[RECUR_DAY_WORDS], tmp;
	int64_t		 lo;
	int		 w, b, rc = 0;

	memset(bm, 0, sizeof bm);
	it->nbase = 0;
	switch (it->freq) {
	case RECUR_YEARLY:
	case RECUR_MONTHLY:
		rc = recur_build_year_month(it, p, &lo, bm);
		break;
	case RECUR_WEEKLY:
		rc = recur_build_week(it, p, &lo, bm);
		break;
	default:
		lo = it->base0 + p * it->interval;
		if (lo >= RECUR_END_DAY)
			return -1;
		recur_cand(it, lo, lo, lo + 1, bm);
		break;
	}
	if (rc == -1)
		return -1;
	for (w = 0; w < RECUR_DAY_WORDS; w++)
		RECUR_EACH_BIT(b, bm[w], tmp)
			it->base[it->nbase++] = (lo + w * RECUR_WORD_BITS + b) *
			    RECUR_DAY;
	return 0;
}

/* The first day after dn that may match: the next month when BYMONTH fails. */
static int64_t
recur_next_day(struct recur_iter *it, int64_t dn)
{
	int64_t	 y;
	int	 m, d;

	if (it->bymonth == 0)
		return dn + 1;
	tz_civil_from_days(dn, &y, &m, &d);
	if (it->bymonth >> m & 1)
		return dn + 1;
	return tz_days_from_civil(y + (m == 12), m == 12 ? 1 : m + 1, 1);
}

/* The next set bit of mask above bit i, or -1. */
static int
recur_next_bit(uint64_t mask, int i)
{
	mask = i >= 63 ? 0 : mask >> (i + 1);
	return mask == 0 ? -1 : i + 1 + __builtin_ctzll(mask);
}

/*
 * Whether the instant t of day day fails the limits: 1 with *next set to
 * where the next period that may pass starts (the next day, or month, when
 * the day fails, else the next hour, minute or second that BYHOUR, BYMINUTE
 * or BYSECOND allows), 0 when t passes them all.
 */
static int
recur_time_fails(struct recur_iter *it, int64_t t, int64_t day,
    int64_t *next)
{
	int64_t	 sod = t - day * RECUR_DAY, hour_start = t - sod % RECUR_HOUR;
	int	 h, m, s, b;

	h = (int)(sod / RECUR_HOUR);
	m = (int)(sod / RECUR_MINUTE % 60);
	s = (int)(sod % RECUR_MINUTE);
	if (!it->dcache_ok)
		*next = recur_next_day(it, day) * RECUR_DAY;
	else if (it->byhour != 0 && !(it->byhour >> h & 1))
		*next = (b = recur_next_bit(it->byhour, h)) == -1 ?
		    (day + 1) * RECUR_DAY : day * RECUR_DAY + b * RECUR_HOUR;
	else if (it->byminute != 0 && !(it->byminute >> m & 1))
		*next = (b = recur_next_bit(it->byminute, m)) == -1 ?
		    hour_start + RECUR_HOUR : hour_start + b * RECUR_MINUTE;
	else if (it->bysecond != 0 && !(it->bysecond >> s & 1))
		*next = (b = recur_next_bit(it->bysecond, s)) == -1 ||
		    b > 59 ? t - s + RECUR_MINUTE : t - s + b;
	else
		return 0;
	return 1;
}

int
recur_build_time(struct recur_iter *it)
{
	int64_t	 t, day, next;

	for (;;) {
		t = it->base0 + it->period * it->step;
		if (t >= RECUR_END || --it->budget < 0 ||
		    t - it->last_hit > it->cycle)
			return -1;
		day = recur_floordiv(t, RECUR_DAY);
		if (day != it->dcache_day) {
			it->dcache_day = day;
			it->dcache_ok = recur_day_ok(it, day);
		}
		if (!recur_time_fails(it, t, day, &next)) {
			it->base[0] = t;
			it->nbase = 1;
			return 0;
		}
		it->period = recur_floordiv(next - it->base0 + it->step - 1,
		    it->step);
	}
}
