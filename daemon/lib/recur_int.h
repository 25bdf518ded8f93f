/*
 * recur_int.h: what the parts of the recurrence module share: the parsed
 * rule (recur_rule.c), the civil-date arithmetic, and the iterator that
 * recur.c drives and recur_period.c fills with the candidates of each
 * period.  Private to recur*.c; everyone else goes through recur.h.
 *
 * A rule is stored as bit sets (BYMONTHDAY=1,-1 is two bits), so that it is
 * canonical once parsed and every filter is a shift and a mask.
 */
#ifndef STOPPVIF_RECUR_INT_H
#define STOPPVIF_RECUR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "recur.h"

enum recur_freq {
	RECUR_YEARLY, RECUR_MONTHLY, RECUR_WEEKLY, RECUR_DAILY,
	RECUR_HOURLY, RECUR_MINUTELY, RECUR_SECONDLY
};

enum recur_until {
	RECUR_UNTIL_NONE, RECUR_UNTIL_UTC, RECUR_UNTIL_LOCAL, RECUR_UNTIL_DATE
};

#define RECUR_MINUTE	60
#define RECUR_HOUR	3600
#define RECUR_DAY	86400

/* A set of small integers 0..383: the yeardays and the set positions. */
#define RECUR_WORD_BITS		64
#define RECUR_BITS_WORDS	6
struct recur_bits {
	uint64_t	 w[RECUR_BITS_WORDS];
};

struct recur_rule {
	int			 freq;
	int			 until_kind;
	int64_t			 interval;
	int64_t			 count;		/* 0: none */
	int64_t			 until;		/* utc or local seconds */
	int			 wkst;		/* 0 Monday ... 6 Sunday */
	uint64_t		 bysecond;	/* bits 0..60 */
	uint64_t		 byminute;	/* bits 0..59 */
	uint32_t		 byhour;	/* bits 0..23 */
	uint16_t		 bymonth;	/* bits 1..12 */
	uint8_t			 bywday;	/* BYDAY without ordinal */
	uint8_t			 has_nwd;
	uint64_t		 nwd_pos[7];	/* BYDAY=nWD, bits n 1..53 */
	uint64_t		 nwd_neg[7];	/* BYDAY=-nWD */
	uint64_t		 mday_pos, mday_neg;	/* bits 1..31 */
	uint64_t		 wno_pos, wno_neg;	/* bits 1..53 */
	struct recur_bits	 yday_pos, yday_neg;	/* bits 1..366 */
	struct recur_bits	 setpos_pos, setpos_neg;
};

/* -------------------------------------------------------------------------
 * Civil dates.
 */

static inline int64_t
recur_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static inline int64_t
recur_floormod(int64_t a, int64_t b)
{
	return a - recur_floordiv(a, b) * b;
}

static inline int
recur_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int
recur_mdays(int64_t y, int m)
{
	static const int	 n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };

	return n[m - 1] + (m == 2 && recur_leap(y));
}

/* Weekday of day z, 0 Monday (1970-01-01 was a Thursday). */
static inline int
recur_wd(int64_t z)
{
	return (int)recur_floormod(z + 3, 7);
}

/* -------------------------------------------------------------------------
 * Bit sets.
 */

static inline int
recur_bit(const struct recur_bits *b, int i)
{
	return (int)(b->w[i / RECUR_WORD_BITS] >> (i % RECUR_WORD_BITS) & 1);
}

static inline int
recur_popcount(const struct recur_bits *b)
{
	int	 i, n = 0;

	for (i = 0; i < RECUR_BITS_WORDS; i++)
		n += __builtin_popcountll(b->w[i]);
	return n;
}

/* Iterate over the set bits of a 64-bit mask m, b taking each index. */
#define RECUR_EACH_BIT(b, m, tmp)					\
	for ((tmp) = (m); (tmp) != 0 &&					\
	    ((b) = __builtin_ctzll(tmp), 1); (tmp) &= (tmp) - 1)

/* -------------------------------------------------------------------------
 * The iterator (recur.c), and the periods it reads (recur_period.c).
 */

#define RECUR_YEAR_LAST	9999
#define RECUR_END	253402300800LL	/* 10000-01-01T00:00:00 */
#define RECUR_END_DAY	(RECUR_END / RECUR_DAY)
#define RECUR_MAXDAYS	372		/* a year, or a week, and a margin */
#define RECUR_DAY_WORDS	((RECUR_MAXDAYS + RECUR_WORD_BITS - 1) / \
			 RECUR_WORD_BITS)	/* a bitmap of a period's days */
#define RECUR_SETPOS_MAX	366		/* BYSETPOS=-366..-1, 1..366 */
#define RECUR_MAXSEL	(2 * RECUR_SETPOS_MAX)
#define RECUR_ALL_MONTHS	0x1ffe		/* bits 1..12 */

/* How a period's candidate days are generated. */
enum recur_gen {
	GEN_ALL, GEN_MDAY, GEN_YDAY, GEN_WNO, GEN_BYDAY
};

/* A month, to read the date of its days without the civil conversion. */
struct recur_month {
	int64_t			 lo, jan1, y;	/* its first day, its year's */
	int			 m, dim, ylen;
};

/* The years whose week 1 is cached: the year of the day and around it. */
enum { RECUR_WK_PREV, RECUR_WK_THIS, RECUR_WK_NEXT, RECUR_WK_AFTER,
	RECUR_WK_YEARS };

struct recur_iter {
	const struct recur_rule	*rule;
	const struct tz		*zone;
	int			 freq;
	int64_t			 interval;
	int64_t			 dtstart;	/* local seconds */
	int64_t			 step;		/* HOURLY..: seconds per period */
	int64_t			 base0;		/* year, month index, first day
						 * or first second of period 0 */
	int64_t			 cycle;		/* YEARLY..DAILY: empty periods,
						 * HOURLY..: seconds without a
						 * match before giving up */

	/* The filters, with the defaults from DTSTART filled in. */
	uint16_t		 bymonth;
	uint8_t			 bywday, has_byday, has_nwd, nwd_month;
	uint64_t		 nwd_pos[7], nwd_neg[7];
	uint64_t		 mday_pos, mday_neg, wno_pos, wno_neg;
	uint32_t		 byhour;	/* period filters, HOURLY.. */
	uint64_t		 byminute, bysecond;
	int			 has_yday, has_setpos;
	enum recur_gen		 gen;
	int32_t			*times;		/* seconds after a base, sorted */
	size_t			 ntimes;

	/* The period being read. */
	int64_t			 period;
	int			 built;
	int64_t			 base[RECUR_MAXDAYS];	/* local seconds */
	size_t			 nbase;
	int64_t			 sel[RECUR_MAXSEL];	/* BYSETPOS positions */
	size_t			 nsel;
	int64_t			 nitems, k;
	int64_t			 empty_run;
	int64_t			 budget;
	int64_t			 last_hit;	/* HOURLY..: last period used */
	int64_t			 dcache_day;	/* HOURLY..: recur_day_ok() */
	int			 dcache_ok;

	int64_t			 total;		/* generated, for COUNT */
	int			 done, have_last, pending;
	int64_t			 last_utc;
	struct recur_occ	 pend;

	int64_t			*ex;		/* excluded local times */
	size_t			 nex;
	int			(*skip)(void *, int, int, int);
	void			*skip_arg;

	int64_t			 wk_year;	/* week 1 starts, years -1..+2 */
	int64_t			 wk_w1[RECUR_WK_YEARS];
	struct recur_month	 mc;		/* the month of the last day */
};

/*
 * recur_period.c: the days of period p of a YEARLY, MONTHLY, WEEKLY or
 * DAILY rule into it->base, as local seconds at midnight; and from
 * it->period on, the first period of an HOURLY, MINUTELY or SECONDLY rule
 * that passes the limits, its start into it->base.  Both return 0, or -1
 * when the rule is exhausted there (year 9999; a full cycle or the budget
 * spent, for the second).
 */
int	 recur_build_days(struct recur_iter *, int64_t p);
int	 recur_build_time(struct recur_iter *);

#endif
