/*
 * guard_input.c: the characters refused in what users type (guard.h): what
 * a person cannot see (invisible and direction characters, controls,
 * private use) and invalid UTF-8, each named in French with its position.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>

#include "guard.h"
#include "utf8.h"
#include "util.h"

/* The French names of the invisible characters met most. */
static const struct {
	uint32_t	 first, last;
	const char	*name;
} names[] = {
	{ 0x00ad, 0x00ad, "trait d'union conditionnel" },
	{ 0x034f, 0x034f, "séparateur de graphèmes" },
	{ 0x061c, 0x061c, "marque de lettre arabe" },
	{ 0x115f, 0x1160, "remplissage hangûl" },
	{ 0x180e, 0x180e, "séparateur de voyelles mongol" },
	{ 0x200b, 0x200b, "espace sans largeur" },
	{ 0x200c, 0x200c, "antiliant sans largeur" },
	{ 0x200d, 0x200d, "liant sans largeur" },
	{ 0x200e, 0x200e, "marque gauche-à-droite" },
	{ 0x200f, 0x200f, "marque droite-à-gauche" },
	{ 0x2028, 0x2028, "séparateur de lignes" },
	{ 0x2029, 0x2029, "séparateur de paragraphes" },
	{ 0x202a, 0x202a, "enchâssement gauche-à-droite" },
	{ 0x202b, 0x202b, "enchâssement droite-à-gauche" },
	{ 0x202c, 0x202c, "fin d'enchâssement" },
	{ 0x202d, 0x202d, "forçage gauche-à-droite" },
	{ 0x202e, 0x202e, "inversion du sens du texte" },
	{ 0x2060, 0x2060, "gluon de mots" },
	{ 0x2061, 0x2064, "opérateur invisible" },
	{ 0x2066, 0x2066, "isolat gauche-à-droite" },
	{ 0x2067, 0x2067, "isolat droite-à-gauche" },
	{ 0x2068, 0x2068, "isolat de direction automatique" },
	{ 0x2069, 0x2069, "fin d'isolat" },
	{ 0x2800, 0x2800, "motif braille vide" },
	{ 0x3164, 0x3164, "remplissage hangûl" },
	{ 0xfe00, 0xfe0f, "sélecteur de variante" },
	{ 0xfeff, 0xfeff, "indicateur d'ordre des octets" },
	{ 0xffa0, 0xffa0, "remplissage hangûl demi-chasse" },
	{ 0xe0000, 0xe007f, "étiquette invisible" },
	{ 0xe0100, 0xe01ef, "sélecteur de variante" },
};

/* " (name)" for c, or "". */
static const char *
char_name(uint32_t c, char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (c >= names[i].first && c <= names[i].last) {
			snprintf(buf, len, " (%s)", names[i].name);
			return buf;
		}
	}
	return "";
}

/* Whether c is drawn as a symbol, a digit or a sign (an emoji's base). */
static int
emoji_base(uint32_t c)
{
	return uc_is_general_category(c, UC_CATEGORY_S) ||
	    uc_is_general_category(c, UC_CATEGORY_P) ||
	    uc_is_general_category(c, UC_CATEGORY_N);
}

/* Whether the invisible c is part of an emoji: a variation selector after
 * its base, a joiner between two emoji (prev: the character before). */
static int
emoji_part(uint32_t c, uint32_t prev, const unsigned char *next, size_t n)
{
	uint32_t	 d;

	if (c == 0xfe0e || c == 0xfe0f)
		return prev != 0 && emoji_base(prev);
	if (c != 0x200d || n == 0)
		return 0;
	utf8_decode(next, n, &d);
	if (d == UTF8_BAD || !uc_is_general_category(d, UC_CATEGORY_So))
		return 0;
	return prev == 0xfe0f || uc_is_general_category(prev,
	    UC_CATEGORY_So) || uc_is_general_category(prev, UC_CATEGORY_Sk);
}

/* What may be wrong with a character, and what to say about it. */
enum { P_NONE, P_CONTROL, P_BIDI, P_INVISIBLE, P_PRIVATE, P_NONCHAR };
static const struct {
	const char	*what, *advice;
} problems[] = {
	{ NULL, NULL },
	{ "caractère de contrôle", "retirez-le" },
	{ "caractère de contrôle du sens d'écriture", "retirez-le (il change "
	  "l'ordre dans lequel le texte s'affiche)" },
	{ "caractère invisible", "retirez-le (il vient souvent d'un "
	  "copier-coller)" },
	{ "caractère à usage privé", "il ne s'affiche pas pareil partout, "
	  "retirez-le" },
	{ "non-caractère", "retirez-le" },
};

/* The problem of c (a valid character, not a line break) in a user's
 * text; prev the character before, next the bytes after. */
static int
problem(uint32_t c, uint32_t prev, const unsigned char *next, size_t n)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return c == '\t' ? P_NONE : P_CONTROL;
	if (emoji_part(c, prev, next, n))
		return P_NONE;
	if (uc_is_property_bidi_control(c))
		return P_BIDI;
	if (uc_is_property_default_ignorable_code_point(c) ||
	    uc_is_general_category(c, UC_CATEGORY_Cf) || c == 0x180e ||
	    c == 0x3164 || c == 0xffa0 || c == 0x115f || c == 0x1160 ||
	    c == 0x2800 || c == 0x2028 || c == 0x2029)
		return P_INVISIBLE;
	if (uc_is_general_category(c, UC_CATEGORY_Co))
		return P_PRIVATE;
	if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
		return P_NONCHAR;
	return P_NONE;
}

int
guard_input_check(const char *text, int multiline, char **cause)
{
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 n, i, k, pos;
	uint32_t		 c, prev = 0;
	char			 name[80];
	int			 why;

	n = text != NULL ? strlen(text) : 0;
	for (i = 0, pos = 1; i < n; i += k, pos++, prev = c) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == UTF8_BAD) {
			util_cause(cause, "octet 0x%02X en position %zu : le "
			    "texte n'est pas en UTF-8 (enregistrez-le en "
			    "UTF-8)", p[i], pos);
			return -1;
		}
		if (c == '\n' || c == '\r') {
			if (multiline)
				continue;
			util_cause(cause, "saut de ligne en position %zu : ce "
			    "champ tient sur une seule ligne", pos);
			return -1;
		}
		if ((why = problem(c, prev, p + i + k, n - i - k)) != P_NONE) {
			util_cause(cause, "%s U+%04X%s en position %zu : %s",
			    problems[why].what, c, char_name(c, name,
			    sizeof name), pos, problems[why].advice);
			return -1;
		}
	}
	return 0;
}
