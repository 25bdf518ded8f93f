/*
 * ctl_expand.c: the stoppvifctl commands that work on the calendar alone,
 * with no daemon: expand (the occurrences of a rule, one a line) and
 * holidays (the Belgian public holidays of a year).
 *
 * Output goes through stdio with a large buffer, so that a million lines
 * cost little more than their computation; a reader that goes away
 * (`| head`) ends the command quietly.  Messages in French, naming the
 * option; exit 1 for a bad value, 2 for a usage error.  They read no
 * configuration, and print their own usage lines.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "holiday.h"
#include "recur.h"
#include "tz.h"
#include "util.h"

#define EXPAND_DEFAULT	1000	/* lines printed for an unbounded rule */
#define EXPAND_BUFSIZE	(256 * 1024)

#define EXPAND_USAGE_LINE "usage: stoppvifctl expand --dtstart " \
	"YYYY-MM-DDTHH:MM:SS [--tz ZONE] [--rrule RULE] [--count N]\n" \
	"           [--until YYYY-MM-DDTHH:MM:SS] [--exdate LOCAL,...] " \
	"[--skip-holidays BE]\n"
#define HOLIDAYS_USAGE_LINE "usage: stoppvifctl holidays BE YEAR\n"

struct expand {
	const char		*dtstart, *zone, *rule, *until, *calendar;
	int64_t			 count;		/* 0: no --count */
	int64_t			*ex;		/* --exdate, local seconds */
	size_t			 nex;
	int64_t			 until_local;
	struct recur_civil	 start;
	struct tz		*tz;
	struct recur_rule	*rr;
};

static int	 expand_refuse(const char *, const char *, char *);
static int	 expand_exdates(struct expand *, const char *);
static int	 expand_check(struct expand *);
static int	 expand_print(struct expand *);
static int	 expand_usage(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
static int	 expand_option(struct expand *, int, char **);
static int	 expand_args(struct expand *, int, char **);

static char	 expand_buf[EXPAND_BUFSIZE];

/* Say why option opt is refused (cause is freed); returns exit code 1. */
static int
expand_refuse(const char *opt, const char *what, char *cause)
{
	fprintf(stderr, "stoppvifctl: %s : %s\n", opt, cause ? cause : what);
	free(cause);
	return EXIT_REFUSED;
}

/* Add the local times of one --exdate list. */
static int
expand_exdates(struct expand *e, const char *list)
{
	struct recur_civil	 c;
	char			*copy = xstrdup(list), *item, *next;
	char			*cause = NULL;

	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		if (recur_civil_parse(item, &c, &cause) == -1) {
			free(copy);
			return expand_refuse("--exdate", NULL, cause);
		}
		e->ex = xreallocarray(e->ex, e->nex + 1, sizeof *e->ex);
		e->ex[e->nex++] = recur_civil_secs(&c);
	}
	free(copy);
	return 0;
}

/* Check every value given; 0, or the exit code after saying why. */
static int
expand_check(struct expand *e)
{
	struct recur_civil	 c;
	char			*cause = NULL;

	if (recur_civil_parse(e->dtstart, &e->start, &cause) == -1)
		return expand_refuse("--dtstart", NULL, cause);
	if ((e->tz = tz_load(e->zone, &cause)) == NULL)
		return expand_refuse("--tz", NULL, cause);
	if (e->rule != NULL &&
	    (e->rr = recur_rule_parse(e->rule, &cause)) == NULL)
		return expand_refuse("--rrule", NULL, cause);
	if (e->until != NULL) {
		if (recur_civil_parse(e->until, &c, NULL) == 0)
			e->until_local = recur_civil_secs(&c);
		else if (recur_date_parse(e->until, &c, NULL) == 0)
			e->until_local = recur_civil_secs(&c) + 86399;
		else {
			recur_civil_parse(e->until, &c, &cause);
			return expand_refuse("--until", NULL, cause);
		}
	}
	if (e->calendar != NULL && strcasecmp(e->calendar, "BE") != 0) {
		xasprintf(&cause, "« %s » : calendrier inconnu, BE est le "
		    "seul calendrier", e->calendar);
		return expand_refuse("--skip-holidays", NULL, cause);
	}
	return 0;
}

/*
 * Print the occurrences, cut by --until and --count (the first 1000 when
 * nothing bounds them); 0, or 1 when stdout fails other than by EPIPE.
 */
static int
expand_print(struct expand *e)
{
	struct recur_iter	*it;
	struct recur_occ	 o;
	char			 line[RECUR_FMT_LEN + 1];
	int64_t			 n = 0, max = e->count;
	size_t			 len;
	int			 rc = 0, unbounded, more = 0;

	it = recur_iter_new(e->rr, &e->start, e->tz);
	recur_iter_exclude(it, e->ex, e->nex);
	if (e->calendar != NULL)
		recur_iter_skip_days(it, holiday_be_skip, NULL);
	unbounded = max == 0 && e->until == NULL && e->rr != NULL &&
	    !recur_rule_finite(e->rr);
	if (unbounded)
		max = EXPAND_DEFAULT;
	while (recur_iter_next(it, &o) == 1) {
		if (e->until != NULL && o.nominal > e->until_local)
			break;
		if (max != 0 && n == max) {
			more = unbounded;
			break;
		}
		recur_format(&o, line, sizeof line);
		len = strlen(line);
		line[len++] = '\n';
		if (fwrite(line, 1, len, stdout) != len)
			break;
		if (++n == max && !unbounded)
			break;
	}
	recur_iter_free(it);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno != EPIPE) {
			fprintf(stderr, "stoppvifctl: sortie : %s\n",
			    strerror(errno));
			rc = EXIT_REFUSED;
		}
	} else if (more)
		fprintf(stderr, "stoppvifctl: règle sans fin : les %d "
		    "premières occurrences, --count N pour en avoir plus\n",
		    EXPAND_DEFAULT);
	return rc;
}

/* Say what is wrong with the command line, then the usage; returns exit
 * code 2. */
static int
expand_usage(const char *fmt, ...)
{
	va_list	 ap;

	fputs("stoppvifctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(EXPAND_USAGE_LINE, stderr);
	return EXIT_USAGE;
}

/* Take one option ch of getopt into e; 0, the exit code, or -1 when the
 * usage was asked for (--help). */
static int
expand_option(struct expand *e, int ch, char **argv)
{
	switch (ch) {
	case 'd': e->dtstart = optarg; return 0;
	case 'z': e->zone = optarg; return 0;
	case 'r': e->rule = optarg; return 0;
	case 'u': e->until = optarg; return 0;
	case 's': e->calendar = optarg; return 0;
	case 'x': return expand_exdates(e, optarg);
	case 'c':
		if (util_parse_int(optarg, 1, INT32_MAX, &e->count) == 0)
			return 0;
		fprintf(stderr, "stoppvifctl: --count : « %s » : nombre de 1 "
		    "à %d attendu\n", optarg, INT32_MAX);
		return EXIT_REFUSED;
	case 'h':
		fputs(EXPAND_USAGE_LINE, stdout);
		return -1;
	case ':':
		return expand_usage("%s : valeur manquante", argv[optind - 1]);
	default:
		return expand_usage("option « %s » inconnue",
		    argv[optind - 1]);
	}
}

/* Read the options into e; 0, or the exit code (-1 for --help). */
static int
expand_args(struct expand *e, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dtstart", required_argument, NULL, 'd' },
		{ "tz", required_argument, NULL, 'z' },
		{ "rrule", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "until", required_argument, NULL, 'u' },
		{ "exdate", required_argument, NULL, 'x' },
		{ "skip-holidays", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch, rc;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:", opts, NULL)) != -1)
		if ((rc = expand_option(e, ch, argv)) != 0)
			return rc;
	if (optind < argc)
		return expand_usage("argument « %s » en trop", argv[optind]);
	if (e->dtstart == NULL)
		return expand_usage("--dtstart manquant");
	return 0;
}

/* expand: argv[-1] is the command word, as getopt wants argv[0]. */
int
ctl_expand(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct expand	 e;
	int		 rc;

	memset(&e, 0, sizeof e);
	e.zone = "Europe/Brussels";
	if ((rc = expand_args(&e, argc + 1, argv - 1)) == 0 &&
	    (rc = expand_check(&e)) == 0) {
		signal(SIGPIPE, SIG_IGN);
		setvbuf(stdout, expand_buf, _IOFBF, sizeof expand_buf);
		rc = expand_print(&e);
	}
	free(e.ex);
	recur_rule_free(e.rr);
	tz_free(e.tz);
	return rc == -1 ? 0 : rc;
}

/* holidays BE YEAR: the public holidays of a year, one a line. */
int
ctl_holidays(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct holiday	 h[HOLIDAY_BE_COUNT];
	int64_t		 year;
	int		 i;

	if (argc != 2 || argv[0][0] == '-') {
		fputs(HOLIDAYS_USAGE_LINE, stderr);
		return EXIT_USAGE;
	}
	if (strcasecmp(argv[0], "BE") != 0) {
		fprintf(stderr, "stoppvifctl: holidays : « %s » : calendrier "
		    "inconnu, BE est le seul calendrier\n", argv[0]);
		return EXIT_REFUSED;
	}
	if (util_parse_int(argv[1], 1, 9999, &year) == -1) {
		fprintf(stderr, "stoppvifctl: holidays : année « %s » invalide "
		    "(1 à 9999)\n", argv[1]);
		return EXIT_REFUSED;
	}
	holiday_be((int)year, h);
	for (i = 0; i < HOLIDAY_BE_COUNT; i++)
		printf("%04d-%02d-%02d %s\n", h[i].year, h[i].month, h[i].day,
		    h[i].name);
	if (fflush(stdout) == EOF && errno != EPIPE)
		return EXIT_REFUSED;
	return 0;
}
