/*
 * bench_recur.c: occurrences per second of recur.c, tz resolution included,
 * for the La Cabane rule (FREQ=MONTHLY;BYDAY=1WE from 2026-01-07T14:00:00
 * Europe/Brussels) over 1,000 years, and for 10,000 mixed rules read 100
 * occurrences each, the parse and the iterator's creation counted in.
 * Prints "name occurrences seconds occ/s" lines for tests/bench/10-recur.sh.
 *
 *	bench_recur [-q] [-d]
 *	  -q  fewer repetitions (BENCH_QUICK)
 *	  -d  print the first dates of the La Cabane rule and exit
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recur.h"
#include "tz.h"

static const char *mixed[] = {
	"FREQ=MONTHLY;BYDAY=1WE",
	"FREQ=WEEKLY;BYDAY=MO,WE,FR",
	"FREQ=DAILY;INTERVAL=2",
	"FREQ=YEARLY;BYMONTH=6,7",
	"FREQ=MONTHLY;BYMONTHDAY=-1",
	"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
	"FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO",
	"FREQ=HOURLY;INTERVAL=3;BYHOUR=8,14,20",
	"FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16",
	"FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
	"FREQ=YEARLY;BYDAY=20MO",
	"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;WKST=SU",
	"FREQ=DAILY;BYHOUR=9,14;BYMINUTE=0,30",
	"FREQ=YEARLY;BYYEARDAY=1,100,200",
	"FREQ=MONTHLY;INTERVAL=18;BYMONTHDAY=10,11,12,13,14,15",
	"FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
};
#define NMIXED	(sizeof mixed / sizeof mixed[0])

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
line(const char *name, int64_t n, double secs)
{
	printf("%s %lld %.6f %.0f\n", name, (long long)n, secs, n / secs);
}

/* The La Cabane rule, 1,000 years, reps times; returns the occurrences. */
static int64_t
cabane(const struct tz *z, const struct recur_rule *r, int reps,
    int64_t *sink)
{
	struct recur_civil	 dt = { 2026, 1, 7, 14, 0, 0 };
	struct recur_iter	*it;
	struct recur_occ	 o;
	int64_t			 n = 0, end;
	int			 i;

	end = (int64_t)(3026 - 1970) * 31556952;	/* 1,000 years on */
	for (i = 0; i < reps; i++) {
		it = recur_iter_new(r, &dt, z);
		while (recur_iter_next(it, &o) == 1 && o.utc < end) {
			*sink += o.utc;
			n++;
		}
		recur_iter_free(it);
	}
	return n;
}

/* 10,000 mixed rules, 100 occurrences each, parse and creation included. */
static int64_t
mixed_rules(const struct tz *z, int nrules, int64_t *sink)
{
	struct recur_civil	 dt = { 2026, 1, 7, 14, 0, 0 };
	struct recur_rule	*r;
	struct recur_iter	*it;
	struct recur_occ	 o;
	int64_t			 n = 0;
	int			 i, j;

	for (i = 0; i < nrules; i++) {
		dt.day = 1 + i % 28;
		dt.month = 1 + i % 12;
		if ((r = recur_rule_parse(mixed[i % NMIXED], NULL)) == NULL)
			abort();
		it = recur_iter_new(r, &dt, z);
		for (j = 0; j < 100 && recur_iter_next(it, &o) == 1; j++) {
			*sink += o.utc;
			n++;
		}
		recur_iter_free(it);
		recur_rule_free(r);
	}
	return n;
}

int
main(int argc, char *argv[])
{
	struct recur_civil	 dt = { 2026, 1, 7, 14, 0, 0 };
	struct recur_rule	*r;
	struct recur_iter	*it;
	struct recur_occ	 o;
	struct tz		*z;
	char			 buf[RECUR_FMT_LEN], *cause = NULL;
	int64_t			 n, sink = 0;
	double			 t;
	int			 ch, quick = getenv("BENCH_QUICK") != NULL, i;

	while ((ch = getopt(argc, argv, "qd")) != -1) {
		if (ch == 'q')
			quick = 1;
		else if (ch != 'd') {
			fprintf(stderr, "usage: bench_recur [-q] [-d]\n");
			return 2;
		}
	}
	if ((z = tz_load("Europe/Brussels", &cause)) == NULL ||
	    (r = recur_rule_parse("FREQ=MONTHLY;BYDAY=1WE", &cause)) == NULL) {
		fprintf(stderr, "bench_recur: %s\n", cause);
		return 1;
	}
	if (argc > 1 && strcmp(argv[argc - 1], "-d") == 0) {
		it = recur_iter_new(r, &dt, z);
		for (i = 0; i < 12 && recur_iter_next(it, &o) == 1; i++)
			printf("%s\n", recur_format(&o, buf, sizeof buf));
		recur_iter_free(it);
		return 0;
	}
	cabane(z, r, 2, &sink);		/* warm up */
	t = now();
	n = cabane(z, r, quick ? 20 : 200, &sink);
	line("cabane_1000y", n, now() - t);
	t = now();
	n = mixed_rules(z, 10000, &sink);
	line("mixed_10000x100", n, now() - t);
	recur_rule_free(r);
	tz_free(z);
	return sink == 42 ? 3 : 0;
}
