/*
 * lang.h: the languages the network writes in, written once.
 *
 * French first: it is the default and the fallback.  The configuration's
 * [daemon] language, a person's lang, the template folders and the date
 * formats all take their codes from this table.
 */
#ifndef STOPPVIF_LANG_H
#define STOPPVIF_LANG_H

enum lang {
	LANG_FR,
	LANG_NL,
	LANG_DE,
	LANG_EN,
	LANG_COUNT
};

/* "fr", "nl", "de", "en", then NULL. */
extern const char *const lang_codes[];

/* The language of code, or -1 when none is (NULL too). */
int		 lang_parse(const char *code);
/* The codes, comma-separated, for messages: "fr, nl, de, en". */
const char	*lang_list(void);

#endif
