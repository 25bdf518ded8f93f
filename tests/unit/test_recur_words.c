/*
 * test_recur_words.c: the recurrence chooser: each of its states to an
 * RRULE the engine takes, RRULEs back to the chooser (and the ones it must
 * leave to the advanced field), the network's real rules in words in the
 * four languages, and hostile rules and states.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recur.h"
#include "recur_words.h"
#include "utf8.h"

#define CABANE	"FREQ=MONTHLY;BYDAY=1WE;BYMONTH=1,2,3,4,5,6,9,10,11,12"
#define PLATFORM "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU"
#define JUL_AUG	((1u << 7) | (1u << 8))

/* The RRULE of w, checked to be what the engine writes for it. */
static const char *
rrule_of(const struct recur_words *w, char *buf, size_t len)
{
	struct recur_rule	*rule;
	char			*canon, *cause = NULL;

	assert_int_equal(recur_words_rrule(w, buf, len), 0);
	if (*buf == '\0')
		return buf;
	rule = recur_rule_parse(buf, &cause);
	assert_non_null(rule);
	canon = recur_rule_format(rule);
	assert_string_equal(canon, buf);
	free(canon);
	recur_rule_free(rule);
	return buf;
}

static void
test_chooser_to_rrule(void **state)
{
	struct recur_words	 w;
	char			 b[RECUR_WORDS_RRULE_LEN];

	recur_words_init(&w);
	assert_string_equal(rrule_of(&w, b, sizeof b), "");
	w.freq = RW_DAILY;
	assert_string_equal(rrule_of(&w, b, sizeof b), "FREQ=DAILY");
	w.interval = 3;
	assert_string_equal(rrule_of(&w, b, sizeof b), "FREQ=DAILY;INTERVAL=3");
	recur_words_init(&w);
	w.freq = RW_WEEKLY;
	w.days = 1u << 0 | 1u << 3;
	assert_string_equal(rrule_of(&w, b, sizeof b),
	    "FREQ=WEEKLY;BYDAY=MO,TH");
	w.days = 0;
	w.interval = 2;
	w.end = RW_END_COUNT;
	w.count = 10;
	assert_string_equal(rrule_of(&w, b, sizeof b),
	    "FREQ=WEEKLY;COUNT=10;INTERVAL=2");
	recur_words_init(&w);
	w.freq = RW_MONTHLY;
	w.mode = RW_MONTH_NTH;
	w.nth = 1;
	w.weekday = 2;
	w.skip = JUL_AUG;
	assert_string_equal(rrule_of(&w, b, sizeof b), CABANE);
	recur_words_init(&w);
	w.freq = RW_MONTHLY;
	w.interval = 3;
	w.mode = RW_MONTH_NTH;
	w.nth = 2;
	w.weekday = 1;
	assert_string_equal(rrule_of(&w, b, sizeof b), PLATFORM);
	w.nth = RW_LAST;
	w.weekday = 4;
	w.interval = 1;
	w.end = RW_END_UNTIL;
	w.until_year = 2027;
	w.until_month = 6;
	w.until_day = 30;
	assert_string_equal(rrule_of(&w, b, sizeof b),
	    "FREQ=MONTHLY;UNTIL=20270630;BYDAY=-1FR");
	w.mode = RW_MONTH_DAY;
	w.mday = 15;
	w.end = RW_END_NEVER;
	assert_string_equal(rrule_of(&w, b, sizeof b),
	    "FREQ=MONTHLY;BYMONTHDAY=15");
	w.mode = RW_MONTH_START;
	assert_string_equal(rrule_of(&w, b, sizeof b), "FREQ=MONTHLY");
	recur_words_init(&w);
	w.freq = RW_YEARLY;
	w.interval = 2;
	assert_string_equal(rrule_of(&w, b, sizeof b),
	    "FREQ=YEARLY;INTERVAL=2");
}

static void
test_rrule_round_trip(void **state)
{
	static const char *const rules[] = {
		CABANE, PLATFORM, "FREQ=DAILY", "FREQ=DAILY;INTERVAL=99",
		"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU",
		"FREQ=WEEKLY;COUNT=999;BYDAY=SU",
		"FREQ=MONTHLY;BYDAY=-1SU;BYMONTH=9",
		"FREQ=MONTHLY;UNTIL=20280229;BYMONTHDAY=31",
		"FREQ=YEARLY", "FREQ=DAILY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11",
	};
	struct recur_words	 w;
	char			 b[RECUR_WORDS_RRULE_LEN];
	size_t			 i;

	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		assert_int_equal(recur_words_parse(rules[i], &w), 0);
		assert_string_equal(rrule_of(&w, b, sizeof b), rules[i]);
	}
	/* any order, any case, a prefix: the canonical form comes back */
	assert_int_equal(recur_words_parse("rrule:bymonth=12,1,2,3,4,5,6,9,"
	    "10,11;byday=+1we;freq=monthly;wkst=MO", &w), 0);
	assert_string_equal(rrule_of(&w, b, sizeof b), CABANE);
	/* every month kept is no month skipped */
	assert_int_equal(recur_words_parse("FREQ=WEEKLY;BYMONTH=1,2,3,4,5,6,"
	    "7,8,9,10,11,12", &w), 0);
	assert_string_equal(rrule_of(&w, b, sizeof b), "FREQ=WEEKLY");
	assert_int_equal(recur_words_parse(NULL, &w), 0);
	assert_int_equal(w.freq, RW_ONCE);
	assert_int_equal(recur_words_parse("", &w), 0);
	assert_int_equal(w.freq, RW_ONCE);
}

/* Rules the chooser cannot show: the advanced field keeps them. */
static void
test_rrule_refused(void **state)
{
	static const char *const rules[] = {
		"FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=1WE,3WE",
		"FREQ=MONTHLY;BYDAY=WE", "FREQ=MONTHLY;BYDAY=5WE",
		"FREQ=MONTHLY;BYDAY=99MO", "FREQ=MONTHLY;BYDAY=-2MO",
		"FREQ=MONTHLY;BYDAY=0MO", "FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO",
		"FREQ=MONTHLY;BYMONTHDAY=1,15", "FREQ=MONTHLY;BYMONTHDAY=-1",
		"FREQ=MONTHLY;BYDAY=1WE;BYMONTHDAY=1", "FREQ=WEEKLY;BYDAY=1MO",
		"FREQ=DAILY;BYDAY=MO", "FREQ=YEARLY;BYMONTH=3",
		"FREQ=DAILY;INTERVAL=100", "FREQ=DAILY;INTERVAL=0",
		"FREQ=DAILY;INTERVAL=99999999999999999999",
		"FREQ=DAILY;COUNT=1000", "FREQ=DAILY;COUNT=0",
		"FREQ=DAILY;COUNT=3;UNTIL=20270101",
		"FREQ=DAILY;UNTIL=20270101T120000Z",
		"FREQ=DAILY;UNTIL=20270229",
		"FREQ=DAILY;UNTIL=2027", "FREQ=WEEKLY;WKST=SU",
		"FREQ=DAILY;FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,MO",
		"FREQ=DAILY;BYMONTH=13", "FREQ=DAILY;BYMONTH=", "BYDAY=MO",
		"FREQ=", "FREQ=DAILY;;INTERVAL=2", ";;;", ";", "garbage",
		"FREQ=DAILY;X=1",
		"FREQ=DAILY;INTERVAL=2 ", "FREQ=DAILY\n;INTERVAL=2",
		"FREQ=MONTHLY;BYDAY=1\xc3\xa9", "<script>alert(1)</script>",
	};
	struct recur_words	 w;
	char			 big[4096];
	size_t			 i;

	for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		assert_int_equal(recur_words_parse(rules[i], &w), -1);
		assert_int_equal(w.freq, RW_ONCE);
	}
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "FREQ=DAILY;", 11);
	assert_int_equal(recur_words_parse(big, &w), -1);
}

/* The description of rule in lang. */
static const char *
words(const char *rule, const char *lang, char *buf, size_t len)
{
	struct recur_words	 w;

	assert_int_equal(recur_words_parse(rule, &w), 0);
	return recur_words_text(&w, lang, buf, len);
}

static void
test_words_network(void **state)
{
	char	 b[RECUR_WORDS_TEXT_LEN];

	assert_string_equal(words(CABANE, "fr", b, sizeof b),
	    "chaque 1er mercredi du mois, sauf en juillet et août");
	assert_string_equal(words(CABANE, "nl", b, sizeof b),
	    "elke eerste woensdag van de maand, behalve in juli en augustus");
	assert_string_equal(words(CABANE, "de", b, sizeof b),
	    "jeden ersten Mittwoch im Monat, außer im Juli und August");
	assert_string_equal(words(CABANE, "en", b, sizeof b),
	    "every first Wednesday of the month, except in July and August");
	assert_string_equal(words(PLATFORM, "fr", b, sizeof b),
	    "tous les 3 mois, le 2e mardi");
	assert_string_equal(words(PLATFORM, "nl", b, sizeof b),
	    "om de 3 maanden, op de tweede dinsdag");
	assert_string_equal(words(PLATFORM, "de", b, sizeof b),
	    "alle 3 Monate, am zweiten Dienstag");
	assert_string_equal(words(PLATFORM, "en", b, sizeof b),
	    "every 3 months, on the second Tuesday");
	/* an unknown language is French */
	assert_string_equal(words(PLATFORM, "xx", b, sizeof b),
	    "tous les 3 mois, le 2e mardi");
	assert_string_equal(words(PLATFORM, NULL, b, sizeof b),
	    "tous les 3 mois, le 2e mardi");
}

static void
test_words_each(void **state)
{
	char	 b[RECUR_WORDS_TEXT_LEN];

	assert_string_equal(words("", "fr", b, sizeof b), "une seule fois");
	assert_string_equal(words("FREQ=DAILY", "fr", b, sizeof b),
	    "chaque jour");
	assert_string_equal(words("FREQ=DAILY;INTERVAL=2", "nl", b, sizeof b),
	    "om de 2 dagen");
	assert_string_equal(words("FREQ=WEEKLY;BYDAY=MO,TH", "fr", b,
	    sizeof b), "chaque semaine le lundi et le jeudi");
	assert_string_equal(words("FREQ=WEEKLY;BYDAY=MO,WE,FR", "fr", b,
	    sizeof b), "chaque semaine le lundi, le mercredi et le vendredi");
	assert_string_equal(words("FREQ=WEEKLY;BYDAY=MO,TH", "nl", b,
	    sizeof b), "elke week op maandag en donderdag");
	assert_string_equal(words("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "de", b,
	    sizeof b), "alle 2 Wochen am Dienstag");
	assert_string_equal(words("FREQ=WEEKLY;BYDAY=SA,SU", "en", b,
	    sizeof b), "every week on Saturday and Sunday");
	assert_string_equal(words("FREQ=MONTHLY;BYMONTHDAY=15", "fr", b,
	    sizeof b), "le 15 de chaque mois");
	assert_string_equal(words("FREQ=MONTHLY;BYMONTHDAY=1", "fr", b,
	    sizeof b), "le 1er de chaque mois");
	assert_string_equal(words("FREQ=MONTHLY;BYMONTHDAY=22", "en", b,
	    sizeof b), "on the 22nd of every month");
	assert_string_equal(words("FREQ=MONTHLY;BYMONTHDAY=11", "en", b,
	    sizeof b), "on the 11th of every month");
	assert_string_equal(words("FREQ=MONTHLY;BYMONTHDAY=15", "de", b,
	    sizeof b), "am 15. jedes Monats");
	assert_string_equal(words("FREQ=MONTHLY;BYMONTHDAY=15", "nl", b,
	    sizeof b), "elke maand op de 15e");
	assert_string_equal(words("FREQ=MONTHLY;BYDAY=-1FR", "fr", b,
	    sizeof b), "chaque dernier vendredi du mois");
	assert_string_equal(words("FREQ=MONTHLY;INTERVAL=6", "fr", b,
	    sizeof b), "tous les 6 mois");
	assert_string_equal(words("FREQ=YEARLY", "de", b, sizeof b),
	    "jedes Jahr");
	assert_string_equal(words("FREQ=YEARLY;INTERVAL=2", "fr", b,
	    sizeof b), "tous les 2 ans");
	assert_string_equal(words("FREQ=DAILY;UNTIL=20270630", "fr", b,
	    sizeof b), "chaque jour, jusqu'au 30 juin 2027");
	assert_string_equal(words("FREQ=DAILY;UNTIL=20270701", "fr", b,
	    sizeof b), "chaque jour, jusqu'au 1er juillet 2027");
	assert_string_equal(words("FREQ=DAILY;UNTIL=20270701", "nl", b,
	    sizeof b), "elke dag, tot en met 1 juli 2027");
	assert_string_equal(words("FREQ=DAILY;UNTIL=20270701", "de", b,
	    sizeof b), "jeden Tag, bis zum 1. Juli 2027");
	assert_string_equal(words("FREQ=DAILY;UNTIL=20270701", "en", b,
	    sizeof b), "every day, until 1 July 2027");
	assert_string_equal(words("FREQ=WEEKLY;COUNT=10", "fr", b, sizeof b),
	    "chaque semaine, 10 fois");
	assert_string_equal(words("FREQ=WEEKLY;COUNT=10", "en", b, sizeof b),
	    "every week, 10 times");
	assert_string_equal(words("FREQ=WEEKLY;COUNT=1", "en", b, sizeof b),
	    "every week, once");
}

/* States no form should send, and buffers too small. */
static void
test_hostile_states(void **state)
{
	struct recur_words	 w;
	const char		*field;
	char			 b[RECUR_WORDS_RRULE_LEN];
	char			 t[RECUR_WORDS_TEXT_LEN];
	char			 tiny[12];

	recur_words_init(&w);
	w.freq = RW_DAILY;
	w.interval = 100;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "interval");
	assert_int_equal(recur_words_rrule(&w, b, sizeof b), -1);
	assert_string_equal(b, "");
	/* described as its nearest sense, never out of the tables */
	assert_string_equal(recur_words_text(&w, "fr", t, sizeof t),
	    "chaque jour");
	w.interval = 1;
	w.skip = 0x1ffe;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "skip");
	w.skip = 1u << 13;
	assert_int_equal(recur_words_check(&w, &field), -1);
	w.skip = 0;
	w.end = RW_END_UNTIL;
	w.until_year = 2027;
	w.until_month = 2;
	w.until_day = 29;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "until");
	w.end = RW_END_COUNT;
	w.count = 1000;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "count");
	recur_words_init(&w);
	w.freq = RW_MONTHLY;
	w.mode = RW_MONTH_NTH;
	w.nth = 5;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "nth");
	w.nth = 1;
	w.weekday = 7;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "weekday");
	w.weekday = -1;
	assert_string_equal(recur_words_text(&w, "en", t, sizeof t),
	    "every month");
	w.freq = 42;
	assert_int_equal(recur_words_check(&w, &field), -1);
	assert_string_equal(field, "freq");
	assert_string_equal(recur_words_text(&w, "fr", t, sizeof t),
	    "une seule fois");
	/* a buffer too small: an error, or a cut at a character */
	assert_int_equal(recur_words_parse(CABANE, &w), 0);
	assert_int_equal(recur_words_rrule(&w, tiny, sizeof tiny), -1);
	assert_string_equal(tiny, "");
	recur_words_text(&w, "fr", tiny, sizeof tiny);
	assert_true(utf8_valid(tiny, strlen(tiny)));
	assert_true(strlen(tiny) < sizeof tiny);
	recur_words_text(&w, "fr", tiny, 3);
	assert_string_equal(tiny, "");
}

static void
test_names(void **state)
{
	assert_string_equal(recur_words_weekday("fr", 2), "mercredi");
	assert_string_equal(recur_words_weekday("de", 6), "Sonntag");
	assert_string_equal(recur_words_weekday("en", 7), "");
	assert_string_equal(recur_words_weekday("nl", -1), "");
	assert_string_equal(recur_words_month("fr", 8), "août");
	assert_string_equal(recur_words_month("nl", 12), "december");
	assert_string_equal(recur_words_month("en", 0), "");
	assert_string_equal(recur_words_month("de", 13), "");
	assert_string_equal(recur_words_ordinal("fr", 1), "1er");
	assert_string_equal(recur_words_ordinal("fr", RW_LAST), "dernier");
	assert_string_equal(recur_words_ordinal("en", 2), "second");
	assert_string_equal(recur_words_ordinal("de", 5), "");
	assert_string_equal(recur_words_ordinal("nl", 0), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chooser_to_rrule),
		cmocka_unit_test(test_rrule_round_trip),
		cmocka_unit_test(test_rrule_refused),
		cmocka_unit_test(test_words_network),
		cmocka_unit_test(test_words_each),
		cmocka_unit_test(test_hostile_states),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
