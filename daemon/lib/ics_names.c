/*
 * ics_names.c: the names the iCalendar module knows, written once: the
 * kinds of event (X-STOPPVIF-KIND, CATEGORIES on export) and the words of
 * a category that name one, English and French; and what import does with
 * each property of a VEVENT: read it, skip it without a word, or report
 * it.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "ics_int.h"

/* The kinds of event; the last one is the default. */
static const char *const ics_kinds[] = {
	"platform", "training", "cabane", "awareness", "other",
};
#define ICS_NKINDS	(sizeof ics_kinds / sizeof ics_kinds[0])
#define ICS_KIND_DEFAULT	(ICS_NKINDS - 1)

/* Words of a category that name a kind, English and French. */
static const struct {
	const char	*word;
	const char	*kind;
} ics_kind_words[] = {
	{ "platform", "platform" }, { "plateforme", "platform" },
	{ "plateformes", "platform" },
	{ "training", "training" }, { "formation", "training" },
	{ "formations", "training" },
	{ "cabane", "cabane" }, { "cabanes", "cabane" },
	{ "awareness", "awareness" }, { "sensibilisation", "awareness" },
	{ "other", "other" }, { "autre", "other" },
};
#define ICS_NKIND_WORDS	(sizeof ics_kind_words / sizeof ics_kind_words[0])

/* Properties by name; a trailing '*' matches a prefix. */
static const struct {
	const char	*name;
	enum ics_use	 use;
} ics_prop_rules[] = {
	{ "UID", ICS_ONCE },
	{ "SUMMARY", ICS_ONCE },
	{ "DTSTART", ICS_ONCE },
	{ "DTEND", ICS_ONCE },
	{ "DURATION", ICS_ONCE },
	{ "RRULE", ICS_ONCE },
	{ "EXDATE", ICS_MANY },
	{ "LOCATION", ICS_ONCE },
	{ "DESCRIPTION", ICS_ONCE },
	{ "CATEGORIES", ICS_MANY },
	{ "STATUS", ICS_ONCE },
	{ "RECURRENCE-ID", ICS_ONCE },
	{ "X-STOPPVIF-KIND", ICS_ONCE },
	{ "X-STOPPVIF-AUDIENCE", ICS_ONCE },
	{ "X-STOPPVIF-CHANNELS", ICS_ONCE },
	{ "X-STOPPVIF-COMMUNE", ICS_ONCE },
	{ "X-STOPPVIF-SKIP-HOLIDAYS", ICS_ONCE },
	{ "CREATED", ICS_ONCE },
	{ "LAST-MODIFIED", ICS_ONCE },
	{ "DTSTAMP", ICS_QUIET },
	{ "SEQUENCE", ICS_QUIET },
	{ "TRANSP", ICS_QUIET },
	{ "CLASS", ICS_QUIET },
	{ "PRIORITY", ICS_QUIET },
	{ "URL", ICS_QUIET },
	{ "X-MICROSOFT-*", ICS_QUIET },
	{ "X-MS-*", ICS_QUIET },	/* Outlook's X-MS-OLK-* */
	{ "X-GOOGLE-*", ICS_QUIET },
	{ "X-MOZ-*", ICS_QUIET },
	{ "X-LIC-*", ICS_QUIET },
	{ "ATTENDEE", ICS_PEOPLE },
	{ "ORGANIZER", ICS_PEOPLE },
};
#define ICS_NPROP_RULES	(sizeof ics_prop_rules / sizeof ics_prop_rules[0])

int
ics_kind_find(const char *name, int (*cmp)(const char *, const char *))
{
	size_t	 k;

	for (k = 0; k < ICS_NKINDS; k++)
		if (cmp(name, ics_kinds[k]) == 0)
			return (int)k;
	return -1;
}

const char *
ics_kind_name(int kind)
{
	return ics_kinds[kind == -1 ? ICS_KIND_DEFAULT : (size_t)kind];
}

int
ics_kind_of(const char *s)
{
	char	 word[32];
	size_t	 n, i;
	int	 k;

	while (*s != '\0') {
		for (n = 0; isalnum((unsigned char)*s); s++)
			if (n + 1 < sizeof word)
				word[n++] = (char)tolower((unsigned char)*s);
		word[n] = '\0';
		for (i = 0; n > 0 && i < ICS_NKIND_WORDS; i++)
			if (strcmp(word, ics_kind_words[i].word) == 0 &&
			    (k = ics_kind_find(ics_kind_words[i].kind,
			    strcmp)) != -1)
				return k;
		if (*s != '\0' && !isalnum((unsigned char)*s))
			s++;
	}
	return -1;
}

enum ics_use
ics_prop_use(const char *name)
{
	size_t	 i, n;

	for (i = 0; i < ICS_NPROP_RULES; i++) {
		n = strlen(ics_prop_rules[i].name);
		if (ics_prop_rules[i].name[n - 1] == '*' ?
		    strncmp(name, ics_prop_rules[i].name, n - 1) == 0 :
		    strcmp(name, ics_prop_rules[i].name) == 0)
			return ics_prop_rules[i].use;
	}
	return ICS_UNKNOWN;
}
