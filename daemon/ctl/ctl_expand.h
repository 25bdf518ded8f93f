/*
 * ctl_expand.h: the stoppvifctl commands that need no daemon and work on the
 * calendar alone:
 *	stoppvifctl expand --dtstart YYYY-MM-DDTHH:MM:SS --tz ZONE --rrule RULE
 *	    [--count N] [--until YYYY-MM-DDTHH:MM:SS] [--exdate LOCAL,...]
 *	    [--skip-holidays BE]
 *	stoppvifctl holidays BE YEAR
 * Each takes the arguments after its command word (argv[0] is the word
 * itself, as getopt expects) and returns the exit code: 0 done, 1 refused
 * (the reason on stderr, naming the option), 2 usage error.
 */
#ifndef STOPPVIF_CTL_EXPAND_H
#define STOPPVIF_CTL_EXPAND_H

int	ctl_expand(int argc, char **argv);
int	ctl_holidays(int argc, char **argv);

#endif
