/*
 * fuzz_recurwords.c: the recurrence chooser on arbitrary RRULE text.  A
 * rule the chooser takes writes back to a canonical RRULE that the engine
 * parses, and that reads back to the same chooser state; every state, taken
 * or not, describes itself in the four languages in valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recur.h"
#include "recur_words.h"
#include "utf8.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Describe w in every language, into a roomy and a tight buffer. */
static void
fuzz_describe(const struct recur_words *w)
{
	static const char *const langs[] = { "fr", "nl", "de", "en", "xx",
	    NULL };
	char	 text[RECUR_WORDS_TEXT_LEN], tight[24];
	size_t	 i;

	for (i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		recur_words_text(w, langs[i], text, sizeof text);
		if (!utf8_valid(text, strlen(text)) || text[0] == '\0')
			abort();
		recur_words_text(w, langs[i], tight, sizeof tight);
		if (!utf8_valid(tight, strlen(tight)))
			abort();
	}
}

/* A rule the chooser took: it round-trips and the engine reads it. */
static void
fuzz_round_trip(const struct recur_words *w)
{
	struct recur_words	 back;
	struct recur_rule	*rule;
	char			 rrule[RECUR_WORDS_RRULE_LEN], *canon, *cause;

	if (recur_words_rrule(w, rrule, sizeof rrule) == -1)
		abort();
	if (recur_words_parse(rrule, &back) == -1 ||
	    memcmp(&back, w, sizeof back) != 0)
		abort();
	if (w->freq == RW_ONCE)
		return;
	cause = NULL;
	if ((rule = recur_rule_parse(rrule, &cause)) == NULL)
		abort();
	canon = recur_rule_format(rule);
	if (strcmp(canon, rrule) != 0)
		abort();
	free(canon);
	recur_rule_free(rule);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct recur_words	 w;
	char			*s;

	if (size > 512)
		return 0;
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (recur_words_parse(s, &w) == 0)
		fuzz_round_trip(&w);
	fuzz_describe(&w);
	/* the raw bytes as a chooser state: nothing may trust it */
	if (size >= sizeof w) {
		memcpy(&w, data, sizeof w);
		fuzz_describe(&w);
		if (recur_words_rrule(&w, s, size + 1) == 0 &&
		    recur_words_check(&w, NULL) == -1)
			abort();
	}
	free(s);
	return 0;
}
