/*
 * lang.c: the one table of languages (lang.h).
 */
#include <stddef.h>
#include <string.h>

#include "lang.h"
#include "util.h"

const char *const lang_codes[LANG_COUNT + 1] = {
	[LANG_FR] = "fr", [LANG_NL] = "nl", [LANG_DE] = "de", [LANG_EN] = "en",
	[LANG_COUNT] = NULL
};

int
lang_parse(const char *code)
{
	int	 l;

	for (l = 0; code != NULL && l < LANG_COUNT; l++)
		if (strcmp(lang_codes[l], code) == 0)
			return l;
	return -1;
}

const char *
lang_list(void)
{
	static char	 list[32];

	return list[0] != '\0' ? list : util_join(list, sizeof list,
	    lang_codes);
}
