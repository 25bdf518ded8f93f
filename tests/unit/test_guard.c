/*
 * test_guard.c: the words kept off phones (every known way past the old
 * check refused, innocent titles in four languages let through, the entry
 * syntax, the configured words) and the characters refused in what users
 * type, with their French messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"
#include "utf8.h"

/* text refused, the cause naming entry. */
static void
refused(const char *text, const char *entry)
{
	char	*cause = NULL, want[128];

	if (guard_phone_check(text, &cause) != -1)
		fail_msg("accepted: \"%s\"", text);
	snprintf(want, sizeof want, "\"%s\" may not reach a phone", entry);
	if (strcmp(cause, want) != 0)
		fail_msg("\"%s\": %s, not %s", text, cause, want);
	free(cause);
}

static void
accepted(const char *text)
{
	char	*cause = NULL;

	if (guard_phone_check(text, &cause) != 0)
		fail_msg("refused: \"%s\": %s", text, cause);
	assert_null(cause);
}

/*
 * What went past the old check (template_phone_check at HEAD, substrings
 * of the text folded to ASCII, other characters made spaces): every string
 * of the first group was accepted there, as the commit's report shows by
 * running them through it.  The zero-width space went out as "Violence":
 * the check ran before template_one_line() deleted the U+200B.
 */
static void
test_bypasses(void **state)
{
	static const struct {
		const char	*text, *entry;
	} cases[] = {
		{ "Vio\xe2\x80\x8blence", "violen*" },	/* U+200B */
		{ "Vi\xd0\xbelence", "violen*" },		/* Cyrillic о */
		{ "\xef\xbd\x96iolence", "violen*" },	/* fullwidth ｖ */
		{ "V\xcc\x81iolence", "violen*" },	/* combining acute */
		{ "Vio\xc2\xadlence", "violen*" },	/* soft hyphen */
		{ "Vio\xe2\x80\xaelence", "violen*" },	/* U+202E */
		{ "Viol", "viol" },
		{ "Femmes battues", "femme battue" },
		{ "Intrafamiliaal", "intrafamilia*" },
		{ "Blijf van mijn lijf", "blijf van mijn lijf" },
		{ "Safe house", "safe house" },
		{ "Stopp Vif", "vif" },
		{ "V.I.F.", "vif" },
		/* more of the same */
		{ "V I F", "vif" },
		{ "Plateforme VIF, Namur", "vif" },
		{ "StoppVif", "stoppvif" },
		{ "V.i.o.l.e.n.c.e", "violen*" },
		{ "Vio lence", "violen*" },
		{ "Vio-lence", "violen*" },
		{ "Vi0lence", "violen*" },
		{ "V1olence", "violen*" },
		{ "vio1ence", "violen*" },		/* 1 read as l */
		{ "Vio|ence", "violen*" },
		{ "v!olence", "violen*" },
		{ "@buse", "abus*" },
		{ "$évices", "sevices" },
		{ "1nceste", "incest*" },
		{ "Vi\xffolence", "violen*" },		/* an invalid byte */
		{ "\xf0\x9d\x90\x95\xf0\x9d\x90\xa2\xf0\x9d\x90\xa8\xf0\x9d"
		  "\x90\xa5", "viol" },			/* mathematical bold */
		{ "\xe1\xb4\xa0\xc9\xaa\xe1\xb4\x8f\xca\x9f", "viol" },
							/* small capitals */
		{ "\xe2\x92\xb1\xe2\x92\xa4\xe2\x92\xaa\xe2\x92\xa7", "viol" },
							/* ⒱⒤⒪⒧ */
		{ "\xf0\x9f\x87\xbb\xf0\x9f\x87\xae\xf0\x9f\x87\xab", "vif" },
							/* regional letters */
		{ "VI\xce\x9fLENCE", "violen*" },	/* Greek Ο */
		{ "VIC\xd0\xa2IM", "victim*" },		/* Cyrillic Т */
		{ "R\xc3\xa9union VIOL\xc3\x89NCES", "violen*" },
		{ "Violences conjugales", "violen*" },
		{ "Logement pour VICTIMES", "victime" },
		{ "Partnergewalt", "*gewalt*" },
		{ "huiselijkgeweld", "*geweld*" },
		{ "Huiselijk GEWELD", "*geweld*" },
		{ "Kindermishandeling", "*mishandel*" },
		{ "Gewaltopfer", "*gewalt*" },
		{ "Opferhilfe", "opfer*" },
		{ "Verbrechensopfern", "*opfer" },
		{ "Frauenh\xc3\xa4user", "*frauenhaus*" },
		{ "Vrouwenopvang", "vrouwenopvang*" },
		{ "Slachtoffers", "*slachtoffer*" },
		{ "Refuge de Li\xc3\xa8ge", "refuge" },
		{ "Shelter", "shelter*" },
		{ "Safe-house", "safe house" },
		{ "safehouses", "safe house" },
		{ "S.h.e.l.t.e.r", "shelter*" },
		{ "Shel ter s", "shelter*" },
		{ "Ge walt", "*gewalt*" },
		{ "Viol\xc3\xa9" "e", "violee" },
		{ "viol\xc3\xa9", "viol" },
		{ "Agress\xc3\xa9" "e", "agresse" },
		{ "Maltraitance", "maltrait*" },
		{ "F\xc3\xa9minicide", "feminicid*" },
		{ "Harc\xc3\xa8lement", "harcel*" },
		{ "Emprise", "emprise" },
		{ "Battered women", "battered" },
		{ "Rape", "rape" },
		{ "Verkrachting", "verkracht*" },
		{ "Vergewaltigung", "vergewaltig*" },
		{ "Zufluchtsort", "zuflucht*" },
		{ "Schutzh\xc3\xa4user", "schutzhaus*" },
		{ "Vluchthuizen", "vluchthuizen" },
		{ "IFG", "ifg" },
	};
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		refused(cases[i].text, cases[i].entry);
	accepted(NULL);
	accepted("");
}

/*
 * Titles that must go through: every title of etc/demo/events.tsv and of
 * the end-to-end and unit tests that is not meant to be refused, and more
 * in the four languages, among them words that begin like an entry.
 */
static const char *const innocent[] = {
	/* etc/demo/events.tsv */
	"La Cabane", "Sensibilisation : march\xc3\xa9 de No\xc3\xabl",
	"Sensibilisation : f\xc3\xaate de la Saint-Jean",
	"Sensibilisation : brocante de Trooz",
	"Sensibilisation : Sprimont en f\xc3\xaate",
	"Sensibilisation : Journ\xc3\xa9" "e internationale des droits des "
	"femmes",
	/* tests/e2e */
	"Plateforme", "Permanence", "Formation", "S\xc3\xa9" "ance unique",
	"S\xc3\xa9" "ance", "Stand \xc3\xa0 la f\xc3\xaate de Trooz",
	"R\xc3\xa9union de la plateforme, trimestrielle",
	"Plateforme (salle 2)", "R\xc3\xa9union pl\xc3\xa9ni\xc3\xa8re \xc3\xa0 "
	"Esneux", "Atelier", "R\xc3\xa9union 1", "R\xc3\xa9union 7",
	"Appartement d'urgence", "Sensibilisation",
	/* tests/unit */
	"R\xc3\xa9union de la plateforme", "Journ\xc3\xa9" "e de "
	"sensibilisation", "Formation r\xc3\xa9" "f\xc3\xa9rents",
	"Stand de sensibilisation au march\xc3\xa9 de Namur \xe2\x80\x93 "
	"\xc3\xa9" "dition de printemps", "Cabane \xc3\xa0 Jambes",
	"Formation des animateurs", "Plateforme, r\xc3\xa9union; ordre du "
	"jour\n\xc3\xa0 compl\xc3\xa9ter \\ fin", "Sensibilisation en ligne",
	"Permanence sans heure de fin", "Visite du r\xc3\xa9seau partenaire "
	"\xc3\xa0 New York", "Formation continue", "Cabane", "Affiches",
	"Test", "R\xc3\xa9union \xc2\xab \xc3\xa9t\xc3\xa9 \xc2\xbb \xe2\x80\x93 "
	"plateforme", "Formation des r\xc3\xa9" "f\xc3\xa9rents\nsalle 2",
	"F\xc3\xaate", "\xd0\x92\xd1\x81\xd1\x82\xd1\x80\xd0\xb5\xd1\x87\xd0\xb0",
	"T", "Plateforme de coordination", "Plateforme du r\xc3\xa9seau : "
	"r\xc3\xa9union pl\xc3\xa9ni\xc3\xa8re.", "F\xc3\xaate de l'\xc3\xa9t"
	"\xc3\xa9, stand du r\xc3\xa9seau \xc3\xa0 Trooz !",
	"Formation \xc2\xab \xc3\xa9" "coute \xc2\xbb (r\xc3\xa9" "f\xc3\xa9"
	"rents) \xe2\x80\x93 \xc3\xa7" "a va", "Espace enfants du CPAS",
	"Studio Ourthe", "R\xc3\xa9seau Ourthe",
	/* fr */
	"Violon", "Violette", "Violet", "Violoncelle et viola", "Violine",
	"Motif", "Convivialit\xc3\xa9", "Vivifiant", "Abonnement",
	"R\xc3\xa9union des r\xc3\xa9" "f\xc3\xa9rents", "Coordination sociale",
	"Abbaye de Villers", "R\xc3\xa9" "fugi\xc3\xa9s ukrainiens",
	"Agressivit\xc3\xa9 : g\xc3\xa9rer les conflits", "Batterie de cuisine",
	"Victor Hugo au th\xc3\xa9\xc3\xa2tre", "Rapide et efficace",
	"Le 1er mars \xc3\xa0 14h00", "Rue du Pont 5", "Salle 2B, 3e \xc3\xa9tage",
	/* nl */
	"Kinderopvang", "Opvoeding", "Teamvergadering",
	"Opleiding voor vrijwilligers", "Ouderavond om 19u30",
	"Vergadering van de referenten", "Werkgroep huisvesting",
	"Buurtfeest in Leuven",
	/* de */
	"T\xc3\xb6pfermarkt", "T\xc3\xb6pferei", "Elternabend", "Fortbildung",
	"Sommerfest im Park", "Teamsitzung", "Beratungsstunde",
	"Verbrechensopferhilfe",	/* opfer inside a word: not looked for */
	/* en */
	"Team meeting", "Training day", "Violin lesson", "Grape harvest",
	"Drapes and curtains", "Viola recital", "Fresh elter",
	"Rapeseed field", "Victory garden", "Abbey road walk",
};

static void
test_innocent(void **state)
{
	size_t	 i;

	assert_true(sizeof innocent / sizeof innocent[0] >= 30);
	for (i = 0; i < sizeof innocent / sizeof innocent[0]; i++)
		accepted(innocent[i]);
}

/*
 * Refused on purpose, though innocent for some: the titles that name the
 * network (etc/demo/events.tsv has two, to be renamed), and the words an
 * entry cannot tell apart (guard.c says why each is kept).
 */
static void
test_collateral(void **state)
{
	refused("Plateforme Stopp Vif", "vif");
	refused("Formation des r\xc3\xa9" "f\xc3\xa9rents VIF", "vif");
	refused("D\xc3\xa9" "bats vifs", "vif");
	refused("T\xc3\xb6pfer", "*opfer");
	refused("Geweldig feest", "*geweld*");
	refused("Gewaltig", "*gewalt*");
	refused("Blijf op de hoogte", "blijf");
	refused("Fromage r\xc3\xa2p\xc3\xa9", "rape");
	refused("Concert de viole de gambe", "viol");
	refused("Refugee day", "refuge");
	refused("Battue aux sangliers", "battu");
	/* The tests that expect a refusal. */
	refused("Groupe de parole des victimes", "victime");
	refused("Formation aux violences intrafamiliales", "violen*");
}

/* The entry syntax, through configured words. */
static void
test_syntax(void **state)
{
	assert_int_equal(guard_words_set("lilas, ourth*, amblev*, *mosan, "
	    "*fagnard*, pont des arches", NULL), 0);
	/* word: alone, or with an ending */
	refused("Le Lilas", "lilas");
	refused("lilases", "lilas");
	refused("LILASEN", "lilas");
	accepted("Lilasx");
	accepted("Xlilas");
	/* stem* */
	refused("Ourthe", "ourth*");
	refused("ourth", "ourth*");
	accepted("Xourthe");
	/* *stem, with an ending */
	refused("Valmosan", "*mosan");
	refused("valmosanes", "*mosan");
	refused("Valmosans-x", "*mosan");
	accepted("mosanx");
	accepted("valmosanxy");
	/* *stem* */
	refused("Lesfagnards", "*fagnard*");
	refused("fagnarde", "*fagnard*");
	/* phrase, and written together */
	refused("Au Pont des Arches", "pont des arches");
	refused("Pont-des-Arches", "pont des arches");
	refused("pontdesarches", "pont des arches");
	refused("Ponts des arches", "pont des arches");
	accepted("Pont des");
	accepted("Pont de arches");
	/* squeezed: 6 letters or more, where a word begins */
	refused("Les fa gnards", "*fagnard*");
	refused("Am-bleve", "amblev*");
	refused("Am bl\xc3\xa8ve", "amblev*");
	accepted("Xam bleve");	/* not where a word begins */
	accepted("ou rthe");	/* 5 letters: too short to squeeze */
	accepted("li las");
	refused("l.i.l.a.s", "lilas");	/* spelled letter by letter */
	/* "" clears, and the built-in list stays */
	assert_int_equal(guard_words_set("", NULL), 0);
	accepted("Le Lilas");
	refused("Viol", "viol");
	assert_int_equal(guard_words_set("lilas", NULL), 0);
	assert_int_equal(guard_words_set(NULL, NULL), 0);
	accepted("Le Lilas");
}

/* Configured words: validated, named in the cause, replaced whole. */
static void
test_words_set(void **state)
{
	static const struct {
		const char	*list, *cause;
	} bad[] = {
		{ "ab", "phone word \"ab\": fewer than 3 letters once accents "
		  "are removed" },
		{ "lilas, é*", "phone word \"é*\": fewer than 3 letters once "
		  "accents are removed" },
		{ "a*b", "phone word \"a*b\": '*' may only begin or end an "
		  "entry" },
		{ "lilas, v1ol", "phone word \"v1ol\": only letters, spaces and "
		  "'*' are allowed" },
		{ "x-ray", "phone word \"x-ray\": only letters, spaces and '*' "
		  "are allowed" },
		{ "*safe house", "phone word \"*safe house\": an entry of "
		  "several words cannot hold '*'" },
		{ "*", "phone word \"*\": fewer than 3 letters once accents "
		  "are removed" },
		{ "\xd0\xb4\xd0\xbe\xd0\xbc", "phone word \"дом\": only "
		  "letters, spaces and '*' are allowed" },
		{ "Vio\xe2\x80\x8blence", "phone word \"Vio\xe2\x80\x8blence\": "
		  "caractère invisible U+200B (espace sans largeur) en "
		  "position 4 : retirez-le (il vient souvent d'un "
		  "copier-coller)" },
	};
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (guard_words_check(bad[i].list, &cause) != -1)
			fail_msg("accepted: %s", bad[i].list);
		assert_string_equal(cause, bad[i].cause);
		assert_int_equal(guard_words_set(bad[i].list, &cause), -1);
		assert_string_equal(cause, bad[i].cause);
	}
	free(cause);
	/* Accents, capitals, a Cyrillic look-alike and spaces fold away. */
	assert_int_equal(guard_words_check(" Ourthe-Amblève", NULL), -1);
	assert_int_equal(guard_words_check("R\xc3\xa9seau  Ourthe*, "
	    "*T\xc3\xb6pf, Gr\xc3\xbc\xc3\x9f" "e, , \xd0\xb0mbleve,", NULL),
	    -1);
	assert_int_equal(guard_words_check("R\xc3\xa9seau  Ourthe, "
	    "*T\xc3\xb6pf, Gr\xc3\xbc\xc3\x9f" "e, , \xd0\xb0mbleve,", NULL), 0);
	assert_int_equal(guard_words_check("", NULL), 0);
	assert_int_equal(guard_words_check(NULL, NULL), 0);

	/* Checking changes nothing; setting replaces; a refusal keeps. */
	assert_int_equal(guard_words_check("lilas", NULL), 0);
	accepted("Lilas");
	assert_int_equal(guard_words_set("lilas, R\xc3\xa9seau Ourthe, "
	    "Gr\xc3\xbc\xc3\x9f" "e", NULL), 0);
	refused("Lilas", "lilas");
	refused("reseau ourthe", "R\xc3\xa9seau Ourthe");
	refused("Grusse", "Gr\xc3\xbc\xc3\x9f" "e");
	assert_int_equal(guard_words_set("lilas, ab", NULL), -1);
	refused("Lilas", "lilas");
	assert_int_equal(guard_words_set("mosan", NULL), 0);
	accepted("Lilas");
	refused("Mosan", "mosan");
	assert_int_equal(guard_words_set("", NULL), 0);
	accepted("Mosan");
}

/* What users may type, and the French message for what they may not. */
static void
test_input(void **state)
{
	static const struct {
		const char	*text;
		int		 multiline;
		const char	*cause;
	} bad[] = {
		{ "Vio\xe2\x80\x8blence", 0, "caractère invisible U+200B "
		  "(espace sans largeur) en position 4 : retirez-le (il vient "
		  "souvent d'un copier-coller)" },
		{ "R\xc3\xa9union\xc2\xad", 0, "caractère invisible U+00AD "
		  "(trait d'union conditionnel) en position 8 : retirez-le "
		  "(il vient souvent d'un copier-coller)" },
		{ "\xef\xbb\xbfTitre", 0, "caractère invisible U+FEFF "
		  "(indicateur d'ordre des octets) en position 1 : retirez-le "
		  "(il vient souvent d'un copier-coller)" },
		{ "abc\xe2\x80\xae" "def", 0, "caractère de contrôle du sens "
		  "d'écriture U+202E (inversion du sens du texte) en position "
		  "4 : retirez-le (il change l'ordre dans lequel le texte "
		  "s'affiche)" },
		{ "a\xe2\x81\xa6" "b", 0, "caractère de contrôle du sens "
		  "d'écriture U+2066 (isolat gauche-à-droite) en position 2 : "
		  "retirez-le (il change l'ordre dans lequel le texte "
		  "s'affiche)" },
		{ "x\xd8\x9c", 0, "caractère de contrôle du sens d'écriture "
		  "U+061C (marque de lettre arabe) en position 2 : retirez-le "
		  "(il change l'ordre dans lequel le texte s'affiche)" },
		{ "a\xe3\x85\xa4" "b", 0, "caractère invisible U+3164 "
		  "(remplissage hangûl) en position 2 : retirez-le (il vient "
		  "souvent d'un copier-coller)" },
		{ "a\xe2\xa0\x80" "b", 0, "caractère invisible U+2800 (motif "
		  "braille vide) en position 2 : retirez-le (il vient souvent "
		  "d'un copier-coller)" },
		{ "a\xe1\xa0\x8e" "b", 0, "caractère invisible U+180E "
		  "(séparateur de voyelles mongol) en position 2 : retirez-le "
		  "(il vient souvent d'un copier-coller)" },
		{ "a\xf3\xa0\x81\x81", 0, "caractère invisible U+E0041 "
		  "(étiquette invisible) en position 2 : retirez-le (il vient "
		  "souvent d'un copier-coller)" },
		{ "ab\xef\xb8\x8f", 0, "caractère invisible U+FE0F (sélecteur "
		  "de variante) en position 3 : retirez-le (il vient souvent "
		  "d'un copier-coller)" },
		{ "a\xe2\x80\x8d" "b", 0, "caractère invisible U+200D (liant "
		  "sans largeur) en position 2 : retirez-le (il vient souvent "
		  "d'un copier-coller)" },
		{ "ab\x07", 0, "caractère de contrôle U+0007 en position 3 : "
		  "retirez-le" },
		{ "\xc2\x85", 0, "caractère de contrôle U+0085 en position 1 : "
		  "retirez-le" },
		{ "a\x7f", 1, "caractère de contrôle U+007F en position 2 : "
		  "retirez-le" },
		{ "deux\nlignes", 0, "saut de ligne en position 5 : ce champ "
		  "tient sur une seule ligne" },
		{ "ligne\r", 0, "saut de ligne en position 6 : ce champ tient "
		  "sur une seule ligne" },
		{ "\xc3\xa9t\xc3\xa9 \xff", 0, "octet 0xFF en position 5 : le "
		  "texte n'est pas en UTF-8 (enregistrez-le en UTF-8)" },
		{ "caf\xc3", 0, "octet 0xC3 en position 4 : le texte n'est pas "
		  "en UTF-8 (enregistrez-le en UTF-8)" },
		{ "\xee\x80\x80", 0, "caractère à usage privé U+E000 en position "
		  "1 : il ne s'affiche pas pareil partout, retirez-le" },
		{ "a\xef\xbf\xbe", 0, "non-caractère U+FFFE en position 2 : "
		  "retirez-le" },
		{ "\xef\xb7\x90", 0, "non-caractère U+FDD0 en position 1 : "
		  "retirez-le" },
	};
	static const char *const good[] = {
		"", "La Cabane", "R\xc3\xa9union \xc2\xab \xc3\xa9t\xc3\xa9 "
		"\xc2\xbb \xe2\x80\x93 plateforme", "tab\there",
		"\xd0\x92\xd1\x81\xd1\x82\xd1\x80\xd0\xb5\xd1\x87\xd0\xb0",
		"\xd8\xa7\xd8\xac\xd8\xaa\xd9\x85\xd8\xa7\xd8\xb9",	/* Arabic */
		"F\xc3\xaate \xf0\x9f\x8e\x89",			/* 🎉 */
		"\xe2\x9d\xa4\xef\xb8\x8f merci",		/* ❤️ */
		"1\xef\xb8\x8f\xe2\x83\xa3",			/* keycap 1️⃣ */
		"\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",	/* 👩‍👧 */
		"\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88",
								/* 🏳️‍🌈 */
		"\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",		/* 👍🏽 */
		"V\xcc\x81iolence",	/* a combining accent is visible */
		"a\xc2\xa0" "b",	/* no-break space */
	};
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (guard_input_check(bad[i].text, bad[i].multiline, &cause) !=
		    -1)
			fail_msg("accepted: %s", bad[i].text);
		assert_string_equal(cause, bad[i].cause);
		assert_true(utf8_valid(cause, strlen(cause)));
	}
	free(cause);
	cause = NULL;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (guard_input_check(good[i], 0, &cause) != 0)
			fail_msg("refused: %s: %s", good[i], cause);
	assert_int_equal(guard_input_check("deux\r\nlignes\n", 1, NULL), 0);
	assert_int_equal(guard_input_check(NULL, 0, NULL), 0);
	assert_int_equal(guard_input_check("a\x01", 1, NULL), -1);
}

/* Decomposed and composed forms, and text long enough to need growing
 * buffers, fold alike. */
static void
test_forms(void **state)
{
	char	*big;
	size_t	 i, n = 100000;

	refused("Vi\xc3\xb3lence", "violen*");		/* ó */
	refused("Vio\xcc\x81lence", "violen*");		/* o + U+0301 */
	refused("S\xc3\xa9vices", "sevices");
	refused("Se\xcc\x81vices", "sevices");
	refused("\xef\xbc\xb6\xef\xbc\xa9\xef\xbc\xaf\xef\xbc\xac", "viol");
	big = malloc(3 * n + 16);
	assert_non_null(big);
	for (i = 0; i < n; i++)
		memcpy(big + 3 * i, "\xef\xb7\xba", 3);	/* U+FDFA: 18 */
	strcpy(big + 3 * n, " viol");
	refused(big, "viol");
	for (i = 0; i < 3 * n; i++)
		big[i] = "a.\xff"[i % 3];
	big[3 * n] = '\0';
	accepted(big);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bypasses),
		cmocka_unit_test(test_innocent),
		cmocka_unit_test(test_collateral),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_words_set),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
