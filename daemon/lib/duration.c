/*
 * duration.c: human durations to seconds and back.
 *
 * A duration is one or more number+unit pairs, units taken from w, d, h, m
 * and s, each at most once and from the largest to the smallest: "90s",
 * "30m", "1d12h", "2w".  Nothing else is accepted: no blanks, no sign, no
 * bare number (is "90" seconds or minutes?), no upper case.  Formatting uses
 * d, h, m and s only, so that "14d" reads the same in every message.  Pure
 * functions; messages for the user in French.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "duration.h"
#include "util.h"

#define DURATION_EX	"(ex. 90s, 30m, 2h, 7d ou 1d12h)"

/* The units, largest first: the parser requires this order. */
static const struct duration_unit {
	char	 name;
	int64_t	 seconds;
} duration_units[] = {
	{ 'w', 7 * 86400 },
	{ 'd', 86400 },
	{ 'h', 3600 },
	{ 'm', 60 },
	{ 's', 1 },
};
#define DURATION_NUNITS	(sizeof duration_units / sizeof duration_units[0])
#define DURATION_FIRST_FORMAT	1	/* weeks are never written */

static int	 duration_unit(unsigned char);
static void	 duration_bad_char(unsigned char, char **);
static int	 duration_next_unit(unsigned char, int, char **);

/* Index of unit c in duration_units, or -1. */
static int
duration_unit(unsigned char c)
{
	size_t	 i;

	for (i = 0; i < DURATION_NUNITS; i++) {
		if (duration_units[i].name == c)
			return (int)i;
	}
	return -1;
}

/* Say that c has no place in a duration, quoting it when printable. */
static void
duration_bad_char(unsigned char c, char **cause)
{
	if (c > 0x20 && c < 0x7f)
		util_cause(cause, "caractère « %c » non permis dans une "
		    "durée " DURATION_EX, c);
	else
		util_cause(cause, "caractère non permis dans une durée "
		    DURATION_EX);
}

/*
 * Check that c names a unit smaller than the one of index last (-1 for
 * none).  Returns its index, or -1 with *cause set.
 */
static int
duration_next_unit(unsigned char c, int last, char **cause)
{
	int	 u;

	if ((u = duration_unit(c)) == -1) {
		if (c > 0x20 && c < 0x7f)
			util_cause(cause, "unité « %c » inconnue : utilisez w, "
			    "d, h, m ou s, en minuscules", c);
		else
			duration_bad_char(c, cause);
		return -1;
	}
	if (u == last) {
		util_cause(cause, "unité « %c » répétée : chaque unité une "
		    "seule fois (ex. 1d12h)", c);
		return -1;
	}
	if (u < last) {
		util_cause(cause, "unités dans le désordre : de la plus grande "
		    "à la plus petite (ex. 1d12h, pas 12h1d)");
		return -1;
	}
	return u;
}

int
duration_parse(const char *s, int64_t *seconds, char **cause)
{
	const unsigned char	*p = (const unsigned char *)s;
	int64_t			 total = 0, n, unit;
	int			 u, last = -1;

	if (s == NULL || *s == '\0') {
		util_cause(cause, "durée vide " DURATION_EX);
		return -1;
	}
	if (strpbrk(s, " \t\r\n\v\f") != NULL) {
		util_cause(cause, "espace non permis dans une durée "
		    "(ex. 1d12h)");
		return -1;
	}
	while (*p != '\0') {
		if (*p < '0' || *p > '9') {
			if (*p == 's' && p > (const unsigned char *)s &&
			    p[-1] == 'm')
				util_cause(cause, "millisecondes non permises "
				    ": la plus petite unité est s");
			else if (duration_unit(*p) != -1)
				util_cause(cause, "nombre manquant devant "
				    "l'unité « %c » " DURATION_EX, *p);
			else
				duration_bad_char(*p, cause);
			return -1;
		}
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			if (n > (INT64_MAX - (*p - '0')) / 10)
				goto overflow;
			n = n * 10 + (*p - '0');
		}
		if (*p == '\0') {
			util_cause(cause, "unité manquante : écrivez 90s, 30m, "
			    "2h ou 7d");
			return -1;
		}
		if ((u = duration_next_unit(*p, last, cause)) == -1)
			return -1;
		last = u;
		unit = duration_units[u].seconds;
		if (n > (INT64_MAX - total) / unit)
			goto overflow;
		total += n * unit;
		p++;
	}
	*seconds = total;
	return 0;

overflow:
	util_cause(cause, "durée trop longue");
	return -1;
}

/*
 * Write seconds as days, hours, minutes and seconds, leaving out the zero
 * parts; a negative value (never parsed) gets a leading minus.  The result
 * is truncated to fit len; 26 bytes hold any int64_t.  Returns buf.
 */
const char *
duration_format(int64_t seconds, char *buf, size_t len)
{
	char		 tmp[64], part[32];
	uint64_t	 v, unit;
	size_t		 i;

	if (len == 0)
		return buf;
	tmp[0] = '\0';
	if (seconds < 0) {
		util_strlcat(tmp, "-", sizeof tmp);
		v = -(uint64_t)seconds;
	} else
		v = (uint64_t)seconds;
	if (v == 0)
		util_strlcat(tmp, "0s", sizeof tmp);
	for (i = DURATION_FIRST_FORMAT; i < DURATION_NUNITS; i++) {
		unit = (uint64_t)duration_units[i].seconds;
		if (v / unit == 0)
			continue;
		snprintf(part, sizeof part, "%" PRIu64 "%c", v / unit,
		    duration_units[i].name);
		util_strlcat(tmp, part, sizeof tmp);
		v %= unit;
	}
	util_strlcpy(buf, tmp, len);
	return buf;
}
