/*
 * recur_int.h: what the recurrence rule parser (recur_rule.c) and its
 * expansion (recur.c) share: the parsed rule and the civil-date arithmetic.
 * Private to recur*.c; everyone else goes through recur.h.
 *
 * A rule is stored as bit sets (BYMONTHDAY=1,-1 is two bits), so that it is
 * canonical once parsed and every filter is a shift and a mask.
 */
#ifndef STOPPVIF_RECUR_INT_H
#define STOPPVIF_RECUR_INT_H

#include <stdint.h>

enum recur_freq {
	RECUR_YEARLY, RECUR_MONTHLY, RECUR_WEEKLY, RECUR_DAILY,
	RECUR_HOURLY, RECUR_MINUTELY, RECUR_SECONDLY
};

enum recur_until {
	RECUR_UNTIL_NONE, RECUR_UNTIL_UTC, RECUR_UNTIL_LOCAL, RECUR_UNTIL_DATE
};

#define RECUR_DAY	86400

/* A set of small integers 0..383: the yeardays and the set positions. */
struct recur_bits {
	uint64_t	 w[6];
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

#endif
