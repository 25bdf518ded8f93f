/*
 * recur.c: the expansion of RFC 5545 recurrence rules (§3.3.10), parsed by
 * recur_rule.c, period by period in zone-less local time, then placed on
 * the time line with tz_resolve().
 *
 * Where the RFC leaves a choice open the expansion follows python-dateutil's
 * rrule: the defaults taken from DTSTART, BYDAY ordinals relative to the
 * month or the year, invalid dates skipped, N/A combinations read as
 * limits.  Two departures, where dateutil strays from the RFC: BYDAY=MO,1TU
 * is the union of its days (dateutil keeps the days that are both), and the
 * first week of a WEEKLY rule starts on WKST's day, not on DTSTART's, for
 * BYSETPOS.
 *
 * A period (a year, a month, a week, a day; an hour, a minute or a second)
 * yields its days (recur_period.c), times its times of day; BYSETPOS picks
 * positions in that product.  Here: the iterator set up from the rule and
 * DTSTART, the items of each period read in turn, COUNT, UNTIL and the
 * exclusions applied, and the seek.  Periods that cannot match are skipped
 * whole, and a rule that stays empty for a full 400-year cycle (or a budget
 * of checks) is declared exhausted, so that every recur_iter_next() returns
 * in bounded time.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "recur_int.h"
#include "tz.h"
#include "util.h"

#define RECUR_BUDGET	(1 << 20)	/* period and day checks per next() */
/* The Gregorian calendar repeats every 400 years: so many of each unit. */
#define RECUR_CYCLE_YEARS	400
#define RECUR_CYCLE_MONTHS	(RECUR_CYCLE_YEARS * 12)
#define RECUR_CYCLE_WEEKS	20871
#define RECUR_CYCLE_DAYS	146097
#define RECUR_CYCLE	(RECUR_CYCLE_DAYS * (int64_t)RECUR_DAY)

static int64_t
recur_gcd(int64_t a, int64_t b)
{
	int64_t	 t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Positions BYSETPOS picks among n items, increasing, into it->sel. */
static void
recur_select(struct recur_iter *it, int64_t n)
{
	const struct recur_rule	*r = it->rule;
	int64_t			 a[RECUR_MAXSEL / 2], b[RECUR_MAXSEL / 2];
	size_t			 na = 0, nb = 0, i = 0, j = 0;
	int			 v;

	if (!it->has_setpos) {
		it->nitems = n;
		return;
	}
	for (v = 1; v <= RECUR_SETPOS_MAX && v <= n; v++)
		if (recur_bit(&r->setpos_pos, v))
			a[na++] = v - 1;
	for (v = (int)(n < RECUR_SETPOS_MAX ? n : RECUR_SETPOS_MAX); v >= 1;
	    v--)
		if (recur_bit(&r->setpos_neg, v))
			b[nb++] = n - v;
	it->nsel = 0;
	while (i < na || j < nb) {
		if (j == nb || (i < na && a[i] < b[j]))
			it->sel[it->nsel++] = a[i++];
		else if (i == na || b[j] < a[i])
			it->sel[it->nsel++] = b[j++];
		else {
			it->sel[it->nsel++] = a[i++];
			j++;
		}
	}
	it->nitems = (int64_t)it->nsel;
}

/* The local time of item i of the current period. */
static int64_t
recur_item(const struct recur_iter *it, int64_t i)
{
	int64_t	 idx = it->has_setpos ? it->sel[i] : i;

	if (it->ntimes == 1)
		return it->base[idx] + it->times[0];
	return it->base[idx / (int64_t)it->ntimes] +
	    it->times[idx % (int64_t)it->ntimes];
}

/*
 * Make the current period one with an unread item, building the next ones
 * as needed.  -1 when the rule is exhausted (year 9999, a full cycle of
 * empty periods, the budget).
 */
static int
recur_fill(struct recur_iter *it)
{
	int	 rc;

	while (!it->built || it->k >= it->nitems) {
		if (it->built)
			it->period++;
		it->built = 1;
		it->k = 0;
		it->nitems = 0;
		if (it->freq <= RECUR_DAILY)
			rc = recur_build_days(it, it->period);
		else
			rc = recur_build_time(it);
		if (rc == -1)
			return -1;
		recur_select(it, (int64_t)(it->nbase * it->ntimes));
		if (it->nitems > 0) {
			it->empty_run = 0;
			it->last_hit = it->base[0];
		} else if (it->freq <= RECUR_DAILY && it->period > 0 &&
		    ++it->empty_run > it->cycle)
			return -1;
		if (--it->budget < 0)
			return -1;
	}
	return 0;
}

/* The times of day (or of the hour, or of the minute) a period expands to. */
static void
recur_times(struct recur_iter *it, uint32_t hours, uint64_t minutes,
    uint64_t seconds)
{
	uint64_t	 t1, t2, t3;
	size_t		 n = 0;
	int		 h, m, s;

	seconds &= ((uint64_t)1 << 60) - 1;	/* no leap second on a clock */
	n = (size_t)__builtin_popcount(hours) *
	    (size_t)__builtin_popcountll(minutes) *
	    (size_t)__builtin_popcountll(seconds);
	it->ntimes = 0;
	if (n == 0)
		return;
	it->times = xcalloc(n, sizeof *it->times);
	RECUR_EACH_BIT(h, hours, t1)
		RECUR_EACH_BIT(m, minutes, t2)
			RECUR_EACH_BIT(s, seconds, t3)
				it->times[it->ntimes++] = h * RECUR_HOUR +
				    m * RECUR_MINUTE + s;
}

/* The period filters and the times, with DTSTART's for the parts left out. */
static void
recur_init_times(struct recur_iter *it, const struct recur_civil *dt)
{
	const struct recur_rule	*r = it->rule;
	uint32_t		 hours = r->byhour;
	uint64_t		 minutes = r->byminute, seconds = r->bysecond;

	if (hours == 0)
		hours = it->freq < RECUR_HOURLY ? 1u << dt->hour : 0;
	if (minutes == 0)
		minutes = it->freq < RECUR_MINUTELY ?
		    (uint64_t)1 << dt->minute : 0;
	if (seconds == 0)
		seconds = it->freq < RECUR_SECONDLY ?
		    (uint64_t)1 << dt->second : 0;
	switch (it->freq) {
	case RECUR_HOURLY:
		it->byhour = hours;
		recur_times(it, 1, minutes, seconds);
		break;
	case RECUR_MINUTELY:
		it->byhour = hours;
		it->byminute = minutes;
		recur_times(it, 1, 1, seconds);
		break;
	case RECUR_SECONDLY:
		it->byhour = hours;
		it->byminute = minutes;
		it->bysecond = seconds;
		recur_times(it, 1, 1, 1);
		if (seconds != 0 && (seconds & ~((uint64_t)1 << 60)) == 0)
			it->ntimes = 0;		/* BYSECOND=60 alone */
		break;
	default:
		recur_times(it, hours, minutes, seconds);
		break;
	}
}

/* The day-level parts, with the defaults dateutil takes from DTSTART. */
static void
recur_init_days(struct recur_iter *it, const struct recur_civil *dt)
{
	const struct recur_rule	*r = it->rule;
	int			 wd;

	it->bymonth = r->bymonth;
	it->mday_pos = r->mday_pos;
	it->mday_neg = r->mday_neg;
	it->wno_pos = r->wno_pos;
	it->wno_neg = r->wno_neg;
	it->has_yday = recur_popcount(&r->yday_pos) +
	    recur_popcount(&r->yday_neg) > 0;
	it->has_setpos = recur_popcount(&r->setpos_pos) +
	    recur_popcount(&r->setpos_neg) > 0;
	it->bywday = r->bywday;
	if ((r->wno_pos | r->wno_neg | r->mday_pos | r->mday_neg) == 0 &&
	    !it->has_yday && r->bywday == 0 && !r->has_nwd) {
		if (it->freq == RECUR_YEARLY && it->bymonth == 0)
			it->bymonth = (uint16_t)(1 << dt->month);
		if (it->freq == RECUR_YEARLY || it->freq == RECUR_MONTHLY)
			it->mday_pos = (uint64_t)1 << dt->day;
		if (it->freq == RECUR_WEEKLY)
			it->bywday = (uint8_t)(1 << recur_weekday(dt->year,
			    dt->month, dt->day));
	}
	for (wd = 0; wd < 7 && r->has_nwd; wd++) {
		if (it->freq >= RECUR_WEEKLY) {
			/* An ordinal means nothing in a week or a day. */
			if ((r->nwd_pos[wd] | r->nwd_neg[wd]) != 0)
				it->bywday |= (uint8_t)(1 << wd);
			continue;
		}
		it->nwd_pos[wd] = r->nwd_pos[wd];
		it->nwd_neg[wd] = r->nwd_neg[wd];
		it->has_nwd = 1;
	}
	it->nwd_month = it->freq == RECUR_MONTHLY || it->bymonth != 0;
	it->has_byday = it->bywday != 0 || it->has_nwd;
}

/* Choose how YEARLY and MONTHLY periods generate their candidate days. */
static void
recur_init_gen(struct recur_iter *it)
{
	const struct recur_rule	*r = it->rule;
	int64_t			 nm, cost, best;
	int			 wd, nn = 0;

	nm = it->freq == RECUR_MONTHLY ? 1 :
	    __builtin_popcount(it->bymonth ? it->bymonth : RECUR_ALL_MONTHS);
	it->gen = GEN_ALL;
	best = nm * 31;
	if ((it->mday_pos | it->mday_neg) != 0 && (cost = nm *
	    __builtin_popcountll(it->mday_pos | it->mday_neg)) < best)
		it->gen = GEN_MDAY, best = cost;
	if (it->has_yday && (cost = recur_popcount(&r->yday_pos) +
	    recur_popcount(&r->yday_neg)) < best)
		it->gen = GEN_YDAY, best = cost;
	if ((it->wno_pos | it->wno_neg) != 0 && (cost = 21 *
	    __builtin_popcountll(it->wno_pos | it->wno_neg)) < best)
		it->gen = GEN_WNO, best = cost;
	for (wd = 0; wd < 7; wd++)
		nn += __builtin_popcountll(it->nwd_pos[wd] | it->nwd_neg[wd]);
	if (it->has_byday && (cost = (it->nwd_month ? nm : 1) * nn +
	    nm * 5 * __builtin_popcount(it->bywday)) < best)
		it->gen = GEN_BYDAY;
}

/* Where period 0 starts, how far a period steps, how long a cycle is. */
static void
recur_init_periods(struct recur_iter *it, const struct recur_civil *dt)
{
	static const int64_t	 unit[] = { RECUR_HOUR, RECUR_MINUTE, 1 };
	int64_t			 dday = recur_floordiv(it->dtstart, RECUR_DAY);
	int64_t			 g;

	switch (it->freq) {
	case RECUR_YEARLY:
		it->base0 = dt->year;
		it->cycle = RECUR_CYCLE_YEARS / recur_gcd(it->interval,
		    RECUR_CYCLE_YEARS);
		break;
	case RECUR_MONTHLY:
		it->base0 = (int64_t)dt->year * 12 + dt->month - 1;
		it->cycle = RECUR_CYCLE_MONTHS / recur_gcd(it->interval,
		    RECUR_CYCLE_MONTHS);
		break;
	case RECUR_WEEKLY:
		it->base0 = dday - recur_floormod(recur_wd(dday) -
		    it->rule->wkst, 7);
		it->cycle = RECUR_CYCLE_WEEKS / recur_gcd(it->interval,
		    RECUR_CYCLE_WEEKS);
		break;
	case RECUR_DAILY:
		it->base0 = dday;
		it->cycle = RECUR_CYCLE_DAYS / recur_gcd(it->interval,
		    RECUR_CYCLE_DAYS);
		break;
	default:
		it->step = it->interval * unit[it->freq - RECUR_HOURLY];
		g = unit[it->freq - RECUR_HOURLY];
		it->base0 = recur_floordiv(it->dtstart, g) * g;
		/* The whole pattern repeats after lcm(step, 400 years). */
		g = recur_gcd(it->step, RECUR_CYCLE);
		it->cycle = it->step / g > INT64_MAX / RECUR_CYCLE ? INT64_MAX :
		    it->step / g * RECUR_CYCLE + it->step;
		break;
	}
}

/*
 * Whether an HOURLY, MINUTELY or SECONDLY rule can ever start a period that
 * passes BYHOUR, BYMINUTE and BYSECOND: period starts fall on the seconds
 * of the day congruent to the first one modulo gcd(step, 1 day).
 */
static int
recur_reachable(const struct recur_iter *it)
{
	int64_t	 g = recur_gcd(it->step, RECUR_DAY), r, sod;
	int	 h, m, s, hi, mi, si;

	r = recur_floormod(it->base0, g);
	hi = 23;
	mi = it->freq >= RECUR_MINUTELY ? 59 : 0;
	si = it->freq >= RECUR_SECONDLY ? 59 : 0;
	if (g == 1 || g <= (it->freq == RECUR_HOURLY ? RECUR_HOUR :
	    it->freq == RECUR_MINUTELY ? RECUR_MINUTE : 1))
		return 1;
	for (h = 0; h <= hi; h++) {
		if (it->byhour != 0 && !(it->byhour >> h & 1))
			continue;
		for (m = 0; m <= mi; m++) {
			if (it->byminute != 0 && !(it->byminute >> m & 1))
				continue;
			for (s = 0; s <= si; s++) {
				if (it->bysecond != 0 && !(it->bysecond >> s & 1))
					continue;
				sod = h * RECUR_HOUR + m * RECUR_MINUTE + s;
				if (sod % g == r)
					return 1;
			}
		}
	}
	return 0;
}

/* Back to the first occurrence, keeping the exclusions. */
static void
recur_reset(struct recur_iter *it)
{
	it->period = 0;
	it->built = 0;
	it->k = it->nitems = 0;
	it->empty_run = 0;
	it->total = 0;
	it->done = it->ntimes == 0;
	it->have_last = 0;
	it->pending = 0;
	it->last_hit = it->base0;
	it->dcache_day = INT64_MIN;
}

struct recur_iter *
recur_iter_new(const struct recur_rule *rule, const struct recur_civil *dt,
    const struct tz *zone)
{
	struct recur_iter	*it;

	it = xcalloc(1, sizeof *it);
	it->rule = rule;
	it->zone = zone;
	it->dtstart = recur_civil_secs(dt);
	it->wk_year = INT64_MIN;
	if (rule == NULL) {
		it->ntimes = 1;		/* DTSTART alone */
		recur_reset(it);
		return it;
	}
	it->freq = rule->freq;
	it->interval = rule->interval;
	recur_init_days(it, dt);
	recur_init_times(it, dt);
	recur_init_gen(it);
	recur_init_periods(it, dt);
	if (it->freq > RECUR_DAILY && !recur_reachable(it))
		it->ntimes = 0;		/* nothing, ever */
	recur_reset(it);
	return it;
}

void
recur_iter_free(struct recur_iter *it)
{
	if (it == NULL)
		return;
	free(it->times);
	free(it->ex);
	free(it);
}

static int
recur_cmp64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
recur_iter_exclude(struct recur_iter *it, const int64_t *local, size_t n)
{
	if (n == 0)
		return;
	it->ex = xreallocarray(it->ex, it->nex + n, sizeof *it->ex);
	memcpy(it->ex + it->nex, local, n * sizeof *local);
	it->nex += n;
	qsort(it->ex, it->nex, sizeof *it->ex, recur_cmp64);
}

void
recur_iter_skip_days(struct recur_iter *it,
    int (*skip)(void *, int, int, int), void *arg)
{
	it->skip = skip;
	it->skip_arg = arg;
}

/* Whether local time t is one of the EXDATEs. */
static int
recur_exdate(const struct recur_iter *it, int64_t t)
{
	size_t	 lo = 0, hi = it->nex, m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (it->ex[m] == t)
			return 1;
		if (it->ex[m] < t)
			lo = m + 1;
		else
			hi = m;
	}
	return 0;
}

/* Whether an occurrence is excluded: EXDATE, or a skipped day. */
static int
recur_excluded(const struct recur_iter *it, const struct recur_occ *o)
{
	struct recur_civil	 c;

	if (it->nex > 0 && (recur_exdate(it, o->nominal) ||
	    recur_exdate(it, o->local)))
		return 1;
	if (it->skip == NULL)
		return 0;
	recur_secs_civil(o->local, &c);
	return it->skip(it->skip_arg, c.year, c.month, c.day) != 0;
}

/*
 * The next generated local time at or after DTSTART, counted for COUNT and
 * checked against a local UNTIL.  0 when the set is exhausted.
 */
static int
recur_generate(struct recur_iter *it, int64_t *local)
{
	const struct recur_rule	*r = it->rule;
	int64_t			 t;

	if (r == NULL) {
		if (it->total++ > 0)
			return 0;
		*local = it->dtstart;
		return 1;
	}
	while (recur_fill(it) == 0) {
		t = recur_item(it, it->k++);
		if (t < it->dtstart)
			continue;
		if (t >= RECUR_END || (r->count != 0 && it->total >= r->count) ||
		    ((r->until_kind == RECUR_UNTIL_LOCAL ||
		    r->until_kind == RECUR_UNTIL_DATE) && t > r->until))
			return 0;
		it->total++;
		*local = t;
		return 1;
	}
	return 0;
}

int
recur_iter_next(struct recur_iter *it, struct recur_occ *occ)
{
	struct recur_occ	 o;

	if (it->pending) {
		it->pending = 0;
		*occ = it->pend;
		return 1;
	}
	it->budget = RECUR_BUDGET;
	while (!it->done && --it->budget >= 0) {
		if (!recur_generate(it, &o.nominal))
			break;
		o.utc = tz_resolve(it->zone, o.nominal, &o.offset);
		o.local = o.utc + o.offset;
		if (it->rule != NULL && it->rule->until_kind ==
		    RECUR_UNTIL_UTC && o.utc > it->rule->until)
			break;
		/* A time a gap moved onto one already given is a duplicate. */
		if (it->have_last && o.utc <= it->last_utc)
			continue;
		it->have_last = 1;
		it->last_utc = o.utc;
		if ((it->nex > 0 || it->skip != NULL) && recur_excluded(it, &o))
			continue;
		*occ = o;
		return 1;
	}
	it->done = 1;
	return 0;
}

/* The period holding local time t (negative before period 0). */
static int64_t
recur_period_of(const struct recur_iter *it, int64_t t)
{
	int64_t	 day = recur_floordiv(t, RECUR_DAY), y;
	int	 m, d;

	switch (it->freq) {
	case RECUR_YEARLY:
	case RECUR_MONTHLY:
		tz_civil_from_days(day, &y, &m, &d);
		if (it->freq == RECUR_YEARLY)
			return recur_floordiv(y - it->base0, it->interval);
		return recur_floordiv(y * 12 + m - 1 - it->base0,
		    it->interval);
	case RECUR_WEEKLY:
		return recur_floordiv(day - it->base0, 7 * it->interval);
	case RECUR_DAILY:
		return recur_floordiv(day - it->base0, it->interval);
	default:
		return recur_floordiv(t - it->base0, it->step);
	}
}

/* How many items of the current period, from it->k, are before DTSTART. */
static int64_t
recur_before_start(const struct recur_iter *it)
{
	int64_t	 lo = it->k, hi = it->nitems, m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (recur_item(it, m) < it->dtstart)
			lo = m + 1;
		else
			hi = m;
	}
	return lo - it->k;
}

/*
 * Skip the whole periods that end before local time t, counting their
 * items as recur_generate() would; stop before COUNT or UNTIL could bite.
 */
static void
recur_skip_to(struct recur_iter *it, int64_t t)
{
	const struct recur_rule	*r = it->rule;
	int64_t			 last, n;

	for (;;) {
		it->budget = RECUR_BUDGET;
		if (recur_fill(it) == -1) {
			it->done = 1;
			return;
		}
		last = recur_item(it, it->nitems - 1);
		if (last >= t || last >= RECUR_END ||
		    (r->until_kind != RECUR_UNTIL_NONE &&
		    last + 2 * RECUR_DAY > r->until))
			return;
		n = it->nitems - it->k - recur_before_start(it);
		if (r->count != 0 && it->total + n >= r->count)
			return;
		it->total += n;
		it->k = it->nitems;
	}
}

void
recur_iter_seek(struct recur_iter *it, int64_t from)
{
	struct recur_occ	 o;
	int64_t			 t = from - 2 * RECUR_DAY, p;

	recur_reset(it);
	if (it->rule != NULL && !it->done) {
		if (it->rule->count == 0 && (p = recur_period_of(it, t)) > 0) {
			it->period = p;
			it->last_hit = it->base0 + p * it->step;
		}
		recur_skip_to(it, t);
	}
	while (recur_iter_next(it, &o) == 1) {
		if (o.utc >= from) {
			it->pend = o;
			it->pending = 1;
			return;
		}
	}
}

/* Write v as n digits at p. */
static char *
recur_put(char *p, int v, int n)
{
	int	 i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

const char *
recur_format(const struct recur_occ *occ, char *buf, size_t len)
{
	struct recur_civil	 c;
	char			 tmp[RECUR_FMT_LEN], *p = tmp;
	int32_t			 off = occ->offset;

	recur_secs_civil(occ->local, &c);
	p = recur_put(p, c.year, 4);
	*p++ = '-';
	p = recur_put(p, c.month, 2);
	*p++ = '-';
	p = recur_put(p, c.day, 2);
	*p++ = 'T';
	p = recur_put(p, c.hour, 2);
	*p++ = ':';
	p = recur_put(p, c.minute, 2);
	*p++ = ':';
	p = recur_put(p, c.second, 2);
	*p++ = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	p = recur_put(p, off / RECUR_HOUR % 100, 2);
	*p++ = ':';
	p = recur_put(p, off / RECUR_MINUTE % 60, 2);
	if (off % RECUR_MINUTE != 0) {	/* local mean time, before ~1900 */
		*p++ = ':';
		p = recur_put(p, off % RECUR_MINUTE, 2);
	}
	*p = '\0';
	util_strlcpy(buf, tmp, len);
	return buf;
}
