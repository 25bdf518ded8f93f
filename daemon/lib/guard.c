/*
 * guard.c: the words kept off phones (guard.h); the characters refused in
 * what users type are guard_input.c's.
 *
 * The phone check folds the text once into a string of a-z, 0-9, the signs
 * that read as letters (@ $ ! |) and single spaces between words, then
 * looks for the entries of the list in it: word by word, letters written
 * one by one joined, words squeezed together, and all of it again with
 * digits and signs read as letters.  Entries are found through a table
 * keyed by their first two letters, so a check is one pass over the text
 * whatever the length of the list.  Folding is NFKD through u8_normalize,
 * character by character; the folded form of each character of European
 * text (U+0080..U+052F, U+2000..U+206F) is computed once and kept.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <uninorm.h>

#include "guard.h"
#include "log.h"
#include "utf8.h"
#include "util.h"

/*
 * The built-in list, in four languages (syntax in guard.h).  Short words
 * are whole words only, because innocent words begin with them:
 *	viol	violet, violette, violon, violoncelle, viola, violine; violé
 *		folds to viole (viol and an ending), violée to violee; the
 *		viole de gambe is refused with them
 *	vif	vivifiant, motif, convivial; VIF is the Belgian acronym of
 *		violences intrafamiliales and the network's own name (ifg, vss:
 *		the same for intrafamiliaal geweld, violences sexistes et
 *		sexuelles)
 *	battu	battre, battement, bataille (a battue, a hunt, is refused)
 *	abus*	the stem is safe (abonnement, abbaye do not begin with it)
 *	opfer	Opferhilfe and Gewaltopfer, but not Töpfermarkt: "opfer" in
 *		the middle of a word is not looked for (Töpfer alone, which
 *		folds to topfer, is refused)
 *	blijf	blijft, blijven; Blijf names Flemish shelters ("Blijf op de
 *		hoogte" is refused with it)
 *	rape	grape, drape, rapeseed, rapide (râpé folds to rape: refused)
 * Longer words are whole words where a stem would take innocent ones:
 * agresse (agressif, agressivité).  refuge with its endings refuses
 * "refugee".  "*geweld*" and "*gewalt*" refuse geweldig and gewaltig:
 * compounds (partnergeweld, Gewaltschutz) matter more.
 */
static const char *const builtin[] = {
	/* fr */
	"violen*", "viol", "violee", "violer", "violeur", "victime", "refuge",
	"maltrait*", "agresseur", "agression", "agresse", "conjugal*",
	"conjugaux", "intrafamilia*", "abus*", "femme battue", "battu", "vif",
	"stoppvif", "vss", "emprise", "feminicid*", "femicid*", "incest*",
	"sevices", "harcel*",
	/* nl */
	"*geweld*", "*slachtoffer*", "*mishandel*", "*misbruik*",
	"vluchthuis", "vluchthuizen", "opvanghuis", "opvanghuizen",
	"vrouwenopvang*", "blijf van mijn lijf", "blijf", "verkracht*", "ifg",
	/* de */
	"*gewalt*", "opfer*", "*opfer", "*misshandl*", "*missbrauch*",
	"*frauenhaus*", "zuflucht*", "schutzhaus*", "vergewaltig*", "femizid*",
	"inzest*",
	/* en */
	"victim*", "shelter*", "battered", "safe house", "rape", "rapist",
	"harass*",
};
#define NBUILTIN	(sizeof builtin / sizeof builtin[0])

#define ENTRY_MAX	64	/* characters in one entry */
#define SQUEEZE_MIN	6	/* letters of an entry found in squeezed text */

/* ---- folding ---- */

/*
 * Look-alikes of Latin letters that NFKD leaves alone: the Cyrillic and
 * Greek letters that print like Latin ones (a phone shows "Viоlence" with
 * a Cyrillic о as "Violence"), Latin small capitals, and the letters that
 * are written as two or without their stroke.  Sorted by code point.
 */
static const struct {
	uint32_t	 c;
	const char	*to;
} confusables[] = {
	{ 0x00c6, "ae" }, { 0x00d0, "d" }, { 0x00d8, "o" }, { 0x00df, "ss" },
	{ 0x00e6, "ae" }, { 0x00f0, "d" }, { 0x00f8, "o" }, { 0x0110, "d" },
	{ 0x0111, "d" }, { 0x0131, "i" }, { 0x0141, "l" }, { 0x0142, "l" },
	{ 0x0152, "oe" }, { 0x0153, "oe" }, { 0x0237, "j" }, { 0x0251, "a" },
	{ 0x0261, "g" }, { 0x0262, "g" }, { 0x026a, "i" }, { 0x0274, "n" },
	{ 0x0280, "r" }, { 0x028f, "y" }, { 0x0299, "b" }, { 0x029c, "h" },
	{ 0x029f, "l" },
	/* Greek */
	{ 0x0391, "a" }, { 0x0392, "b" }, { 0x0395, "e" }, { 0x0396, "z" },
	{ 0x0397, "h" }, { 0x0399, "i" }, { 0x039a, "k" }, { 0x039c, "m" },
	{ 0x039d, "n" }, { 0x039f, "o" }, { 0x03a1, "p" }, { 0x03a4, "t" },
	{ 0x03a5, "y" }, { 0x03a7, "x" }, { 0x03b1, "a" }, { 0x03b5, "e" },
	{ 0x03b9, "i" }, { 0x03ba, "k" }, { 0x03bd, "v" }, { 0x03bf, "o" },
	{ 0x03c1, "p" }, { 0x03c4, "t" }, { 0x03c5, "u" }, { 0x03c7, "x" },
	/* Cyrillic */
	{ 0x0405, "s" }, { 0x0406, "i" }, { 0x0408, "j" }, { 0x0410, "a" },
	{ 0x0412, "b" }, { 0x0415, "e" }, { 0x041a, "k" }, { 0x041c, "m" },
	{ 0x041d, "h" }, { 0x041e, "o" }, { 0x0420, "p" }, { 0x0421, "c" },
	{ 0x0422, "t" }, { 0x0423, "y" }, { 0x0425, "x" }, { 0x0430, "a" },
	{ 0x0432, "b" }, { 0x0435, "e" }, { 0x043a, "k" }, { 0x043c, "m" },
	{ 0x043d, "h" }, { 0x043e, "o" }, { 0x0440, "p" }, { 0x0441, "c" },
	{ 0x0442, "t" }, { 0x0443, "y" }, { 0x0445, "x" }, { 0x0455, "s" },
	{ 0x0456, "i" }, { 0x0458, "j" }, { 0x0474, "v" }, { 0x0475, "v" },
	{ 0x04ae, "y" }, { 0x04af, "y" }, { 0x04ba, "h" }, { 0x04bb, "h" },
	{ 0x0500, "d" }, { 0x0501, "d" }, { 0x051a, "q" }, { 0x051b, "q" },
	{ 0x051c, "w" }, { 0x051d, "w" },
	/* Latin small capitals */
	{ 0x1d00, "a" }, { 0x1d04, "c" }, { 0x1d05, "d" }, { 0x1d07, "e" },
	{ 0x1d0a, "j" }, { 0x1d0b, "k" }, { 0x1d0d, "m" }, { 0x1d0f, "o" },
	{ 0x1d18, "p" }, { 0x1d1b, "t" }, { 0x1d1c, "u" }, { 0x1d20, "v" },
	{ 0x1d21, "w" }, { 0x1d22, "z" }, { 0x1e9e, "ss" }, { 0xa730, "f" },
	{ 0xa731, "s" },
};
#define NCONFUSABLES	(sizeof confusables / sizeof confusables[0])

/* Letters drawn in a circle, a square or as a flag's half: A to Z. */
static const uint32_t letter_runs[] = { 0x1f150, 0x1f170, 0x1f1e6 };

/* The Latin spelling of a look-alike (in one[2] or static), or NULL. */
static const char *
confusable(uint32_t c, char one[2])
{
	size_t	 lo = 0, hi = NCONFUSABLES, mid, i;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (confusables[mid].c == c)
			return confusables[mid].to;
		if (confusables[mid].c < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = 0; i < sizeof letter_runs / sizeof letter_runs[0]; i++) {
		if (c >= letter_runs[i] && c < letter_runs[i] + 26) {
			one[0] = (char)('a' + (c - letter_runs[i]));
			one[1] = '\0';
			return one;
		}
	}
	return NULL;
}

/* Whether c is kept in folded text: a-z, 0-9, or a sign read as a letter. */
static int
fold_kept(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' ||
	    c == '$' || c == '!' || c == '|';
}

/* Whether c belongs to a word of folded text. */
static int
word_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Folded text being written. */
struct gout {
	char	*s;
	size_t	 len, cap;
};

/* Make room for n more characters. */
static void
out_room(struct gout *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	while (o->len + n > o->cap)
		o->cap = o->cap < 64 ? 64 : 2 * o->cap;
	o->s = xreallocarray(o->s, o->cap, 1);
}

/* Append t, where ' ' separates words (never two in a row). */
static void
out_put(struct gout *o, const char *t)
{
	out_room(o, strlen(t));
	for (; *t != '\0'; t++) {
		if (*t == ' ' && o->len > 0 && o->s[o->len - 1] == ' ')
			continue;
		o->s[o->len++] = *t;
	}
}

/* The folded form of each ASCII character. */
static char	 ascii_fold[128];

/* Append the folded form of an ASCII character. */
static void
out_ascii(struct gout *o, int c)
{
	c = ascii_fold[c];
	if (c == ' ' && o->len > 0 && o->s[o->len - 1] == ' ')
		return;
	out_room(o, 1);
	o->s[o->len++] = (char)c;
}

/* Append the folded form of c, a character of NFKD text: combining marks
 * and invisible characters go, look-alikes become Latin, the rest
 * separates words. */
static void
out_cp(struct gout *o, uint32_t c)
{
	const char	*to;
	char		 one[2];

	if (c < 0x80) {
		out_ascii(o, (int)c);
		return;
	}
	if (uc_is_general_category(c, UC_CATEGORY_M) ||
	    uc_is_property_default_ignorable_code_point(c))
		return;
	if ((to = confusable(c, one)) == NULL)
		to = " ";
	out_put(o, to);
}

/*
 * Append the folded form of the character c: its NFKD (u8_normalize), then
 * out_cp() on each character of it.  NFKD works character by character:
 * what it does across characters, reordering combining marks, does not
 * matter once they are dropped (and only marks have a combining class).
 */
static void
out_nfkd(struct gout *o, uint32_t c)
{
	uint8_t		 in[4], buf[128], *nf;
	size_t		 n, len = sizeof buf, i, k;
	uint32_t	 d;

	n = utf8_encode(c, (char *)in);
	if ((nf = u8_normalize(UNINORM_NFKD, in, n, buf, &len)) == NULL)
		fatal("guard normalize_failed");	/* out of memory */
	for (i = 0; i < len; i += k) {
		k = utf8_decode(nf + i, len - i, &d);
		out_cp(o, d == UTF8_BAD ? ' ' : d);
	}
	if (nf != buf)
		free(nf);
}

/* The folded form of each character of European text, computed once;
 * "\x01": too long to keep. */
#define CACHE_A		0x0080
#define CACHE_B		0x0530
#define CACHE_C		0x2000
#define CACHE_D		0x2070
#define CACHE_SIZE	8
static char	 cache[(CACHE_B - CACHE_A) + (CACHE_D - CACHE_C)][CACHE_SIZE];
static int	 cache_ready;

static char *
cache_slot(uint32_t c)
{
	if (c >= CACHE_A && c < CACHE_B)
		return cache[c - CACHE_A];
	if (c >= CACHE_C && c < CACHE_D)
		return cache[(CACHE_B - CACHE_A) + c - CACHE_C];
	return NULL;
}

static void
cache_init(void)
{
	struct gout	 o = { NULL, 0, 0 };
	uint32_t	 c;
	char		*slot;

	for (c = 0; c < 128; c++) {
		if (c >= 'A' && c <= 'Z')
			ascii_fold[c] = (char)(c + 'a' - 'A');
		else
			ascii_fold[c] = fold_kept((int)c) ? (char)c : ' ';
	}
	for (c = CACHE_A; c < CACHE_D; c++) {
		if ((slot = cache_slot(c)) == NULL)
			continue;
		o.len = 0;
		out_nfkd(&o, c);
		if (o.len < CACHE_SIZE) {
			memcpy(slot, o.s, o.len);
			slot[o.len] = '\0';
		} else
			slot[0] = '\x01';
	}
	free(o.s);
	cache_ready = 1;
}

/* Append the folded form of the character c. */
static void
out_char(struct gout *o, uint32_t c)
{
	const char	*slot;

	if (c < 0x80)
		out_ascii(o, (int)c);
	else if (c == UTF8_BAD)
		out_put(o, " ");	/* an invalid byte separates words */
	else if ((slot = cache_slot(c)) != NULL && slot[0] != '\x01')
		out_put(o, slot);
	else
		out_nfkd(o, c);
}

/*
 * Fold text into a new string, *len set: NFKD, which with the combining
 * marks dropped after it is NFKC normalisation plus the removal of accents
 * in one step; invisible characters dropped; look-alikes made Latin; lower
 * case; a space between words for anything else.
 */
static char *
fold(const char *text, size_t *len)
{
	const unsigned char	*p = (const unsigned char *)text;
	struct gout		 o = { NULL, 0, 0 };
	size_t			 n = strlen(text), i, k;
	uint32_t		 c;

	out_room(&o, n + 1);
	for (i = 0; i < n; i += k) {
		if (p[i] < 0x80) {	/* room kept for every byte left */
			c = (uint32_t)ascii_fold[p[i]];
			if (c != ' ' || (o.len > 0 && o.s[o.len - 1] != ' '))
				o.s[o.len++] = (char)c;
			k = 1;
		} else {
			k = utf8_decode(p + i, n - i, &c);
			out_char(&o, c);
			out_room(&o, n - i - k + 1);
		}
	}
	out_room(&o, 1);
	o.s[o.len] = '\0';
	*len = o.len;
	return o.s;
}

/* The letter a digit or a sign reads as (one: for 1), or 0. */
static char
leet_letter(int c, char one)
{
	static const char	 from[] = "03457@$!|", to[] = "oeastasil";
	const char		*x;

	if (c == '1')
		return one;
	if (c == '\0' || (x = strchr(from, c)) == NULL)
		return 0;
	return to[x - from];
}

/*
 * Whether the run f[p..q) is a number as people write one: digits, then
 * nothing, an ordinal's ending (1er, 2e, 3rd, 1ste, 2de) or an hour's
 * h or u and digits (14h00, 9u30).  Its digits are not letters.
 */
static int
leet_number(const char *f, size_t p, size_t q)
{
	static const char *const ordinals[] = {
		"er", "re", "e", "eme", "ieme", "de", "ste", "te", "st", "nd",
		"rd", "th",
	};
	size_t	 i, n;

	for (i = p; i < q && f[i] >= '0' && f[i] <= '9'; i++)
		;
	if (i == p)
		return 0;
	if (i < q && (f[i] == 'h' || f[i] == 'u')) {
		for (i++; i < q && f[i] >= '0' && f[i] <= '9'; i++)
			;
		return i == q;
	}
	n = q - i;
	for (p = 0; n > 0 && p < sizeof ordinals / sizeof ordinals[0]; p++)
		if (strlen(ordinals[p]) == n && memcmp(f + i, ordinals[p], n) ==
		    0)
			return 1;
	return n == 0;
}

/*
 * The text v of the folded f (n) with digits and signs read as letters in
 * the runs that hold a letter and are not numbers (a date stays a date,
 * 14h00 an hour); one is what 1 reads as.  Returns whether anything
 * changed; *ones set when a 1 was read.
 */
static int
leet(const char *f, size_t n, char *v, char one, int *ones)
{
	size_t	 p, q, i;
	int	 letter, changed = 0;
	char	 to;

	memcpy(v, f, n);
	for (p = 0; p < n; p = q + 1) {
		letter = 0;
		for (q = p; q < n && f[q] != ' '; q++)
			letter |= f[q] >= 'a' && f[q] <= 'z';
		if (letter && leet_number(f, p, q))
			letter = 0;
		for (i = p; letter && i < q; i++) {
			if ((to = leet_letter(f[i], one)) == 0)
				continue;
			v[i] = to;
			changed = 1;
			if (f[i] == '1' && ones != NULL)
				*ones = 1;
		}
	}
	return changed;
}

/* ---- the list ---- */

#define E_WORD		0
#define E_PREFIX	1	/* stem* */
#define E_SUFFIX	2	/* *stem */
#define E_INFIX		3	/* *stem* */
#define E_PHRASE	4

struct gentry {
	char		*shown;		/* as written in the list */
	char		*text;		/* folded; a phrase's words 1 space apart */
	size_t		 len;
	int		 kind;
	int		 squeeze;	/* looked for in squeezed text too */
};

/* Entries are found by their first two letters (the second may be the end
 * of a one-letter word of a phrase): those found where a word begins
 * (G_START: words, stems, phrases) and those found anywhere (G_ANY). */
#define KEY_END		26
#define NKEYS		(26 * 27)
#define G_START		0
#define G_ANY		1

#define ENTRIES_MAX	60000
#define H_START		0x01	/* has[k]: some entry of G_START */
#define H_ANY		0x02	/* some entry of G_ANY */
#define H_SQUEEZE	0x04	/* some entry looked for in squeezed text */

struct glist {
	struct gentry	*e;
	size_t		 n;
	uint16_t	*order;			/* entry indices by key */
	uint16_t	 first[2][NKEYS + 1];	/* order[first[g][k]...] */
	uint8_t		 has[NKEYS];		/* H_* */
};

static struct glist	*active;	/* built-in and configured words */

/* The key of the word letters at s (n > 0 left), or -1. */
static int
key_of(const char *s, size_t n)
{
	if (s[0] < 'a' || s[0] > 'z')
		return -1;
	if (n == 1 || s[1] == ' ')
		return (s[0] - 'a') * 27 + KEY_END;
	if (s[1] < 'a' || s[1] > 'z')
		return -1;
	return (s[0] - 'a') * 27 + (s[1] - 'a');
}

static void
list_free(struct glist *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->e[i].shown);
		free(l->e[i].text);
	}
	free(l->e);
	free(l->order);
	free(l);
}

static void
list_add(struct glist *l, const char *shown, const char *text, int kind)
{
	struct gentry	*e;
	size_t		 i, letters = 0;

	l->e = xreallocarray(l->e, l->n + 1, sizeof *l->e);
	e = &l->e[l->n++];
	e->shown = xstrdup(shown);
	e->text = xstrdup(text);
	e->len = strlen(text);
	e->kind = kind;
	for (i = 0; i < e->len; i++)
		letters += text[i] != ' ';
	e->squeeze = kind != E_PHRASE && letters >= SQUEEZE_MIN;
}

/* Sort the entries by group and key, keeping the list's order in each. */
static void
list_index(struct glist *l)
{
	size_t	 count[2][NKEYS], pos[2][NKEYS], i, at = 0;
	int	 g, k;

	memset(count, 0, sizeof count);
	for (i = 0; i < l->n; i++) {
		g = l->e[i].kind == E_SUFFIX || l->e[i].kind == E_INFIX;
		k = key_of(l->e[i].text, l->e[i].len);
		count[g][k]++;
		l->has[k] |= (g == G_START ? H_START : H_ANY) |
		    (l->e[i].squeeze ? H_SQUEEZE : 0);
	}
	for (g = 0; g < 2; g++) {
		for (k = 0; k < NKEYS; k++) {
			l->first[g][k] = (uint16_t)(pos[g][k] = at);
			at += count[g][k];
		}
		l->first[g][NKEYS] = (uint16_t)at;
	}
	l->order = xreallocarray(NULL, l->n + 1, sizeof *l->order);
	for (i = 0; i < l->n; i++) {
		g = l->e[i].kind == E_SUFFIX || l->e[i].kind == E_INFIX;
		l->order[pos[g][key_of(l->e[i].text, l->e[i].len)]++] =
		    (uint16_t)i;
	}
}

/*
 * Fold the entry raw (n bytes, without its '*'s) into text (its words one
 * space apart) and squeezed (its letters): 0, or -1 with *cause set when
 * it holds something else than letters and spaces.
 */
static int
entry_fold(const char *raw, size_t n, struct gout *text, struct gout *sq,
    char **cause)
{
	const unsigned char	*p = (const unsigned char *)raw;
	struct gout		 one = { NULL, 0, 0 };
	size_t			 i, k, j;
	uint32_t		 c;
	int			 space = 0, rc = 0;

	for (i = 0; i < n && rc == 0; i += k) {
		k = utf8_decode(p + i, n - i, &c);
		if (c == ' ' || c == '\t') {
			space = text->len > 0;
			continue;
		}
		one.len = 0;
		out_char(&one, c);
		for (j = 0; j < one.len; j++)
			if (one.s[j] < 'a' || one.s[j] > 'z')
				break;
		if (c == '*' || j < one.len || (one.len == 0 &&
		    !uc_is_general_category(c, UC_CATEGORY_M))) {
			util_cause(cause, c == '*' ? "'*' may only begin or end "
			    "an entry" : "only letters, spaces and '*' are "
			    "allowed");
			rc = -1;
			break;
		}
		if (space && one.len > 0)
			out_put(text, " ");
		space = 0;
		out_room(&one, 1);
		one.s[one.len] = '\0';
		out_put(text, one.s);
		out_put(sq, one.s);
	}
	free(one.s);
	out_room(text, 1);
	out_room(sq, 1);
	text->s[text->len] = sq->s[sq->len] = '\0';
	return rc;
}

/*
 * Parse one entry (n bytes at s, trimmed, n > 0) into l when l is not NULL.
 * Returns 0, or -1 with *cause naming it.
 */
static int
entry_parse(struct glist *l, const char *s, size_t n, char **cause)
{
	struct gout	 text = { NULL, 0, 0 }, sq = { NULL, 0, 0 };
	char		*raw = xstrndup(s, n), *why = NULL;
	int		 head, tail, kind, rc = -1;

	head = raw[0] == '*';
	tail = n > (size_t)head && raw[n - 1] == '*';
	if (guard_input_check(raw, 0, &why) == -1)
		goto fail;
	if (utf8_len(raw) > ENTRY_MAX) {
		util_cause(&why, "longer than %d characters", ENTRY_MAX);
		goto fail;
	}
	if (entry_fold(raw + head, n - head - tail, &text, &sq, &why) == -1)
		goto fail;
	if (sq.len < 3) {
		util_cause(&why, "fewer than 3 letters once accents are "
		    "removed");
		goto fail;
	}
	if (text.len != sq.len && (head || tail)) {
		util_cause(&why, "an entry of several words cannot hold '*'");
		goto fail;
	}
	kind = head ? (tail ? E_INFIX : E_SUFFIX) : tail ? E_PREFIX :
	    text.len != sq.len ? E_PHRASE : E_WORD;
	if (l != NULL) {
		list_add(l, raw, text.s, kind);
		if (kind == E_PHRASE)
			list_add(l, raw, sq.s, E_WORD);
	}
	rc = 0;
fail:
	if (rc == -1)
		util_cause(cause, "phone word \"%s\": %s", UTF8_CUT(raw, 40),
		    why);
	free(why);
	free(raw);
	free(text.s);
	free(sq.s);
	return rc;
}

/* Parse a comma-separated list into l (when not NULL). */
static int
list_parse(struct glist *l, const char *list, char **cause)
{
	const char	*s = list, *e;
	size_t		 n;

	if (!cache_ready)
		cache_init();
	while (s != NULL && *s != '\0') {
		e = strchr(s, ',');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n > 0 && entry_parse(l, s, n, cause) == -1)
			return -1;
		s = e != NULL ? e + 1 : NULL;
	}
	return 0;
}

/* The built-in entries and those of extra (new list), or NULL. */
static struct glist *
list_build(const char *extra, char **cause)
{
	struct glist	*l = xcalloc(1, sizeof *l);
	char		*why = NULL;
	size_t		 i;

	if (!cache_ready)
		cache_init();
	for (i = 0; i < NBUILTIN; i++)
		if (entry_parse(l, builtin[i], strlen(builtin[i]), &why) == -1)
			fatalx("guard bad_builtin error=\"%s\"",
			    LOG_QUOTE(why));
	if (list_parse(l, extra, cause) == -1) {
		list_free(l);
		return NULL;
	}
	if (l->n > ENTRIES_MAX) {
		util_cause(cause, "more than %d phone words", ENTRIES_MAX -
		    (int)NBUILTIN);
		list_free(l);
		return NULL;
	}
	list_index(l);
	return l;
}

int
guard_words_check(const char *list, char **cause)
{
	return list_parse(NULL, list, cause);
}

int
guard_words_set(const char *list, char **cause)
{
	struct glist	*l;

	if ((l = list_build(list, cause)) == NULL)
		return -1;
	list_free(active);
	active = l;
	return 0;
}

/* ---- matching ---- */

/* The word of the folded f (n) at or after *p: 1 with [*p, *q) set to it,
 * or 0 (*p set to n) when there is none. */
static int
next_word(const char *f, size_t n, size_t *p, size_t *q)
{
	while (*p < n && !word_char(f[*p]))
		(*p)++;
	for (*q = *p; *q < n && word_char(f[*q]); (*q)++)
		;
	return *p < n;
}

/* Whether the n letters at s are an ending of a word entry. */
static int
ending(const char *s, size_t n)
{
	if (n == 0)
		return 1;
	if (n == 1)
		return s[0] == 's' || s[0] == 'e' || s[0] == 'n';
	return n == 2 && s[0] == 'e' && (s[1] == 's' || s[1] == 'n');
}

/* Whether e (not a phrase) is found at w[i] in the word w (n letters). */
static int
in_word(const struct gentry *e, const char *w, size_t n, size_t i)
{
	if (e->len > n - i || memcmp(w + i, e->text, e->len) != 0)
		return 0;
	switch (e->kind) {
	case E_WORD:
		return i == 0 && ending(w + e->len, n - e->len);
	case E_PREFIX:
		return i == 0;
	case E_SUFFIX:
		return ending(w + i + e->len, n - i - e->len);
	case E_INFIX:
		return 1;
	}
	return 0;
}

/* Whether the phrase e begins at the word f[p] of the folded f (n). */
static int
phrase_at(const struct gentry *e, const char *f, size_t n, size_t p)
{
	const char	*w = e->text, *sp;
	size_t		 wl, q;

	for (; next_word(f, n, &p, &q); p = q) {
		sp = strchr(w, ' ');
		wl = sp != NULL ? (size_t)(sp - w) : strlen(w);
		if (q - p < wl || memcmp(f + p, w, wl) != 0 ||
		    !ending(f + p + wl, q - p - wl))
			return 0;
		if (sp == NULL)
			return 1;
		w = sp + 1;
	}
	return 0;
}

/*
 * The first entry of l found in the word w (n letters), or NULL; f (nf) is
 * the text the word begins at (at f[p]) for the phrases, or NULL.
 */
static const struct gentry *
find_in_word(const struct glist *l, const char *w, size_t n, const char *f,
    size_t nf, size_t p)
{
	const struct gentry	*e;
	size_t			 i, j;
	int			 k, g;

	for (i = 0; i < n; i++) {
		if ((k = key_of(w + i, n - i)) == -1 ||
		    !(l->has[k] & (i == 0 ? H_START | H_ANY : H_ANY)))
			continue;
		for (g = i == 0 ? G_START : G_ANY; g <= G_ANY; g++) {
			for (j = l->first[g][k]; j < l->first[g][k + 1]; j++) {
				e = &l->e[l->order[j]];
				if (e->kind == E_PHRASE ? f != NULL &&
				    phrase_at(e, f, nf, p) : in_word(e, w, n, i))
					return e;
			}
		}
	}
	return NULL;
}

/* Word by word. */
static const struct gentry *
find_words(const struct glist *l, const char *f, size_t n)
{
	const struct gentry	*e;
	size_t			 p, q;

	for (p = 0; next_word(f, n, &p, &q); p = q)
		if ((e = find_in_word(l, f + p, q - p, f, n, p)) != NULL)
			return e;
	return NULL;
}

/* Letters written one by one ("V.I.F.", "v i o l"), joined in a. */
static const struct gentry *
find_spelled(const struct glist *l, const char *f, size_t n, char *a)
{
	const struct gentry	*e;
	size_t			 p = 0, q, m = 0;
	int			 more;

	do {
		more = next_word(f, n, &p, &q);
		if (more && q == p + 1 && f[p] >= 'a' && f[p] <= 'z')
			a[m++] = f[p];
		else {
			if (m >= 2 && (e = find_in_word(l, a, m, NULL, 0, 0)) !=
			    NULL)
				return e;
			m = 0;
		}
		p = q;
	} while (more);
	return NULL;
}

/* The words of f (n) squeezed together into s, start[i] set where a word
 * began and at the end; returns the letters, *words the words. */
static size_t
squeeze(const char *f, size_t n, char *s, char *start, size_t *words)
{
	size_t	 p, q, m = 0;

	for (p = 0, *words = 0; next_word(f, n, &p, &q); p = q, (*words)++) {
		memcpy(s + m, f + p, q - p);
		memset(start + m, 0, q - p);
		start[m] = 1;
		m += q - p;
	}
	start[m] = 1;
	return m;
}

/* Whether e is found at s[i] of the squeezed s (m letters), running over
 * the end of the word it begins in (at end), ending as its kind wants. */
static int
squeezed_at(const struct gentry *e, const char *s, const char *start,
    size_t m, size_t i, size_t end)
{
	size_t	 x = i + e->len;

	if (!e->squeeze || x <= end || x > m ||
	    memcmp(s + i, e->text, e->len) != 0)
		return 0;
	if (e->kind != E_WORD && e->kind != E_SUFFIX)
		return 1;
	return start[x] || (x + 1 <= m && start[x + 1] && ending(s + x, 1)) ||
	    (x + 2 <= m && start[x + 2] && ending(s + x, 2));
}

/*
 * The words squeezed together ("Vio lence", "V.i.o.l.e.n.c.e"): the
 * entries of SQUEEZE_MIN letters or more that run over the end of a word,
 * beginning where a word begins (words, stems) or anywhere (*stem,
 * *stem*), a word entry ending where a word ends (after an ending).
 */
static const struct gentry *
find_squeezed(const struct glist *l, const char *f, size_t n, char *s,
    char *start)
{
	const struct gentry	*e;
	size_t			 p, m, words, i, j, end;
	int			 k, g;

	if ((m = squeeze(f, n, s, start, &words)) == 0 || words < 2)
		return NULL;
	for (p = 0; p < m; p = end) {
		for (end = p + 1; !start[end]; end++)
			;
		for (i = p; i < end; i++) {
			if ((k = key_of(s + i, m - i)) == -1 ||
			    !(l->has[k] & H_SQUEEZE))
				continue;
			for (g = i == p ? G_START : G_ANY; g <= G_ANY; g++) {
				for (j = l->first[g][k]; j < l->first[g][k + 1];
				    j++) {
					e = &l->e[l->order[j]];
					if (squeezed_at(e, s, start, m, i, end))
						return e;
				}
			}
		}
	}
	return NULL;
}

/* The first entry found in the folded f (n), w's buffers for the work. */
static const struct gentry *
find_all(const struct glist *l, const char *f, size_t n, char *work)
{
	const struct gentry	*e;

	if ((e = find_words(l, f, n)) != NULL ||
	    (e = find_spelled(l, f, n, work)) != NULL ||
	    (e = find_squeezed(l, f, n, work, work + n + 1)) != NULL)
		return e;
	return NULL;
}

int
guard_phone_check(const char *text, char **cause)
{
	const struct gentry	*e;
	char			*f, *v, *work;
	size_t			 n;
	int			 ones = 0;

	if (active == NULL && guard_words_set(NULL, NULL) == -1)
		fatalx("guard no_word_list");
	if (text == NULL)
		text = "";
	f = fold(text, &n);
	v = xmalloc(3 * (n + 1));
	work = v + n + 1;
	e = find_all(active, f, n, work);
	if (e == NULL && leet(f, n, v, 'i', &ones))
		e = find_all(active, v, n, work);
	if (e == NULL && ones && leet(f, n, v, 'l', NULL))
		e = find_all(active, v, n, work);
	free(v);
	free(f);
	if (e == NULL)
		return 0;
	util_cause(cause, "\"%s\" may not reach a phone", e->shown);
	return -1;
}
