/*
 * test_contact.c: phone numbers to E.164 and email addresses, from tables
 * of good inputs with their normal form and bad inputs with a word of the
 * message expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contact.h"

struct good {
	const char	*in;
	const char	*out;
};

struct bad {
	const char	*in;
	const char	*why;	/* a part of the message */
};

static const struct good good_phones[] = {
	/* The examples of the contract. */
	{ "0470 12 34 56", "+32470123456" },
	{ "0470/12.34.56", "+32470123456" },
	{ "+32 470 12 34 56", "+32470123456" },
	{ "0032470123456", "+32470123456" },
	{ "04 361 55 81", "+3243615581" },
	{ "02 512 34 56", "+3225123456" },
	/* Separators and blanks as people type or paste them. */
	{ "0470-12-34-56", "+32470123456" },
	{ "(02) 512 34 56", "+3225123456" },
	{ "  0470 12 34 56\t", "+32470123456" },
	{ "0470\xc2\xa0" "12\xc2\xa0" "34\xc2\xa0" "56", "+32470123456" },
	{ "0470\xe2\x80\xaf" "123456", "+32470123456" },
	{ "00 32 470 12 34 56", "+32470123456" },
	/* The trunk zero after +32, with or without parentheses. */
	{ "+32 (0)470 12 34 56", "+32470123456" },
	{ "+32(0)2 512 34 56", "+3225123456" },
	{ "0032 (0)470 12 34 56", "+32470123456" },
	{ "+32 0470 12 34 56", "+32470123456" },
	/* Other Belgian ranges: 0455/0456 GSM, Liège, Charleroi, Stavelot. */
	{ "0456 12 34 56", "+32456123456" },
	{ "0499 99 99 99", "+32499999999" },
	{ "071 12 34 56", "+3271123456" },
	{ "080 33 12 34", "+3280331234" },
	{ "09 223 45 67", "+3292234567" },
	/* Foreign numbers. */
	{ "+33 6 12 34 56 78", "+33612345678" },
	{ "0033 6 12 34 56 78", "+33612345678" },
	{ "+33 (0)6 12 34 56 78", "+33612345678" },
	{ "+44 (0)20 7946 0958", "+442079460958" },
	{ "+352 621 123 456", "+352621123456" },
	{ "+1 (202) 555-0143", "+12025550143" },
	{ "+12345678", "+12345678" },
	{ "+123456789012345", "+123456789012345" },
};

static const struct bad bad_phones[] = {
	{ "", "vide" },
	{ "   ", "vide" },
	{ "-./()", "vide" },
	{ "+", "incomplet" },
	{ "00", "incomplet" },
	/* Belgian lengths. */
	{ "0470 12 34 5",
	  "trop court : attendu 9 chiffres après +32 pour un GSM" },
	{ "047 12 34 56", "trop court : attendu 9 chiffres" },
	{ "0470 12 34 567", "trop long : attendu 9 chiffres" },
	{ "+32 470 12 34 5", "trop court" },
	{ "02 512 34 5",
	  "trop court : attendu 8 chiffres après +32 pour un fixe" },
	{ "02 512 34 567", "trop long : attendu 8 chiffres" },
	{ "04 361 55 8", "attendu 8 chiffres" },
	{ "04 361 55 812", "attendu 8 chiffres" },
	{ "0", "incomplet après +32" },
	{ "+32", "incomplet après +32" },
	{ "+32 (0)", "incomplet après +32" },
	{ "+32 00 470 12 34 56", "un seul 0" },
	{ "+32 4", "trop court" },
	/* Special and service numbers. */
	{ "0800 12 345", "numéro spécial" },
	{ "070 12 34 56", "numéro spécial" },
	{ "078 15 25 35", "numéro spécial" },
	{ "077 12 34 56 78", "numéro spécial" },
	{ "0900 12 345", "numéro spécial" },
	{ "0903 12 345", "numéro spécial" },
	/* No prefix. */
	{ "470123456", "doit commencer par + ou 00" },
	{ "33 6 12 34 56 78", "doit commencer par + ou 00" },
	/* Letters and other characters. */
	{ "0470 12 34 AB", "lettres" },
	{ "0470 I2 34 56", "lettres" },
	{ "tel: 0470 12 34 56", "lettres" },
	{ "0470_12_34_56", "seuls les chiffres" },
	{ "0470,12,34,56", "seuls les chiffres" },
	{ "0470 12 34 56;", "seuls les chiffres" },
	{ "0470 12 34 56 \xc3\xa9", "seuls les chiffres" },
	{ "+32 470 +12", "qu'au début" },
	{ "++32470123456", "qu'au début" },
	/* Foreign lengths and country codes. */
	{ "+33 6 12", "étranger trop court" },
	{ "+1234567", "étranger trop court" },
	{ "+1 202 55", "étranger trop court" },
	{ "+1234567890123456", "trop long" },
	{ "+0 470 12 34 56", "indicatif de pays" },
	{ "000 33 6 12 34 56 78", "indicatif de pays" },
	{ "+33 (0)6 12", "trop court" },
	{ "0470123456789012345678901234567890123456789012345678", "trop long" },
};

static const struct good good_emails[] = {
	{ "jean@exemple.be", "jean@exemple.be" },
	{ "  jean.dupont@exemple.be \t", "jean.dupont@exemple.be" },
	{ "jean.dupont+stoppvif@exemple.be",
	  "jean.dupont+stoppvif@exemple.be" },
	{ "Jean.Dupont@EXEMPLE.BE", "Jean.Dupont@exemple.be" },
	{ "a@b.co", "a@b.co" },
	{ "o'brien@exemple.ie", "o'brien@exemple.ie" },
	{ "x!#$%&'*+/=?^_`{|}~-y@exemple.be",
	  "x!#$%&'*+/=?^_`{|}~-y@exemple.be" },
	{ "info@commune-\xc3\xa9.be", "info@commune-\xc3\xa9.be" },
	{ "info@COMMUNE-\xc3\x89.BE", "info@commune-\xc3\x89.be" },
	{ "info@xn--commune--xxx.be", "info@xn--commune--xxx.be" },
	{ "info@\xe6\x97\xa5\xe6\x9c\xac.jp",
	  "info@\xe6\x97\xa5\xe6\x9c\xac.jp" },
	{ "info@sous.domaine.exemple.be", "info@sous.domaine.exemple.be" },
	{ "info@123.exemple.be", "info@123.exemple.be" },
	{ "jean@exemple.be\xc2\xa0", "jean@exemple.be" },
};

static const struct bad bad_emails[] = {
	{ "", "vide" },
	{ " \t ", "vide" },
	{ "jean.exemple.be", "sans @" },
	{ "jean@dupont@exemple.be", "plusieurs @" },
	{ "@exemple.be", "rien avant le @" },
	{ "jean@", "rien après le @" },
	{ ".jean@exemple.be", "pas de point au début" },
	{ "jean.@exemple.be", "pas de point au début ni à la fin" },
	{ "jean..dupont@exemple.be", "deux points" },
	{ "jean dupont@exemple.be", "espace" },
	{ "jean@exemple .be", "espace" },
	{ "jean@exemple\xc2\xa0.be", "invisible" },
	{ "jean@exemple\xe2\x80\x8b.be", "invisible" },
	{ "jean@exemple\xe3\x80\x82" "be", "invisible" },
	{ "jean(dupont)@exemple.be", "« ( »" },
	{ "\"jean\"@exemple.be", "« \" »" },
	{ "j\xc3\xa9r\xc3\xb4me@exemple.be", "accentuées" },
	{ "jean\n@exemple.be", "contrôle" },
	{ "jean@exemple..be", "partie vide" },
	{ "jean@.exemple.be", "partie vide" },
	{ "jean@exemple.be.", "partie vide" },
	{ "jean@-exemple.be", "tiret" },
	{ "jean@exemple-.be", "tiret" },
	{ "jean@exemple.-be", "tiret" },
	{ "jean@exemple", "extension" },
	{ "jean@192.168.1.10", "nombre" },
	{ "jean@exemple.123", "nombre" },
	{ "jean@[192.168.1.10]", "« [ »" },
	{ "jean@exemple_1.be", "« _ »" },
	{ "jean@exemple.be\x01", "contrôle" },
	/* Invalid UTF-8: lone continuation, truncated, overlong, surrogate. */
	{ "info@commune-\xa9.be", "UTF-8" },
	{ "info@commune-\xc3.be", "UTF-8" },
	{ "info@commune-\xc3", "UTF-8" },
	{ "info@commune-\xc0\xaf.be", "UTF-8" },
	{ "info@commune-\xe0\x80\xaf.be", "UTF-8" },
	{ "info@commune-\xed\xa0\x80.be", "UTF-8" },
	{ "info@commune-\xf4\x90\x80\x80.be", "UTF-8" },
	{ "info@commune-\xff.be", "UTF-8" },
};

/* Check that cause is set and holds why. */
static void
check_cause(const char *in, char *cause, const char *why)
{
	if (cause == NULL)
		fail_msg("no cause for \"%s\"", in);
	if (strstr(cause, why) == NULL)
		fail_msg("\"%s\": cause \"%s\" lacks \"%s\"", in, cause, why);
	free(cause);
}

static void
test_phone_good(void **state)
{
	char	 out[CONTACT_PHONE_MAX + 1], *cause;
	size_t	 i;

	for (i = 0; i < sizeof good_phones / sizeof good_phones[0]; i++) {
		cause = NULL;
		memset(out, 'X', sizeof out);
		if (contact_phone_normalize(good_phones[i].in, out, sizeof out,
		    &cause) != 0)
			fail_msg("\"%s\" refused: %s", good_phones[i].in,
			    cause);
		assert_null(cause);
		assert_string_equal(out, good_phones[i].out);
	}
}

static void
test_phone_bad(void **state)
{
	char	 out[CONTACT_PHONE_MAX + 1], *cause;
	size_t	 i;

	for (i = 0; i < sizeof bad_phones / sizeof bad_phones[0]; i++) {
		cause = NULL;
		memset(out, 'X', sizeof out);
		if (contact_phone_normalize(bad_phones[i].in, out, sizeof out,
		    &cause) != -1)
			fail_msg("\"%s\" accepted as \"%s\"", bad_phones[i].in,
			    out);
		assert_string_equal(out, "");
		check_cause(bad_phones[i].in, cause, bad_phones[i].why);
	}
}

static void
test_phone_messages(void **state)
{
	char	 out[CONTACT_PHONE_MAX + 1], *cause = NULL;

	assert_int_equal(contact_phone_normalize("0470 12 34 5", out,
	    sizeof out, &cause), -1);
	assert_string_equal(cause, "numéro belge trop court : attendu 9 "
	    "chiffres après +32 pour un GSM (ex. 0470 12 34 56)");
	assert_int_equal(contact_phone_normalize("33 6 12 34 56 78", out,
	    sizeof out, &cause), -1);
	assert_non_null(strstr(cause, "un numéro étranger doit commencer par "
	    "+ ou 00 (ex. +33 6 12 34 56 78)"));
	free(cause);

	/* A NULL cause is allowed. */
	assert_int_equal(contact_phone_normalize("abc", out, sizeof out,
	    NULL), -1);
}

static void
test_no_echo(void **state)
{
	static const char *phones[] = {
		"0498 76 54 3", "0498 76 54 321", "+98765 4", "498765432",
		"0498 76 54 3x", "+98765 +4", "0900 98 765",
	};
	static const char *emails[] = {
		"zorglub", "zorglub@@exemple.be", "zorglub@exemple",
		"zorglub@zorglub..be", "zorglub@-zorglub.be", "zorglub..x@a.be",
		"zorglub@exemple.123",
	};
	char	 out[CONTACT_EMAIL_MAX + 1], *cause;
	size_t	 i;

	/* Messages say what is wrong, never repeat the value. */
	for (i = 0; i < sizeof phones / sizeof phones[0]; i++) {
		cause = NULL;
		assert_int_equal(contact_phone_normalize(phones[i], out,
		    sizeof out, &cause), -1);
		assert_non_null(cause);
		assert_null(strstr(cause, "987"));
		assert_null(strstr(cause, "98 7"));
		free(cause);
	}
	for (i = 0; i < sizeof emails / sizeof emails[0]; i++) {
		cause = NULL;
		assert_int_equal(contact_email_normalize(emails[i], out,
		    sizeof out, &cause), -1);
		assert_non_null(cause);
		assert_null(strstr(cause, "zorglub"));
		assert_null(strstr(cause, "123"));
		free(cause);
	}
}

static void
test_phone_buffer(void **state)
{
	char	 out[8], *cause = NULL;

	/* Too small a buffer is refused, never overrun. */
	assert_int_equal(contact_phone_normalize("0470 12 34 56", out,
	    sizeof out, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(out, "");
	free(cause);
}

static void
test_email_good(void **state)
{
	char	 out[CONTACT_EMAIL_MAX + 1], *cause;
	size_t	 i;

	for (i = 0; i < sizeof good_emails / sizeof good_emails[0]; i++) {
		cause = NULL;
		if (contact_email_normalize(good_emails[i].in, out, sizeof out,
		    &cause) != 0)
			fail_msg("\"%s\" refused: %s", good_emails[i].in,
			    cause);
		assert_null(cause);
		assert_string_equal(out, good_emails[i].out);
	}
}

static void
test_email_bad(void **state)
{
	char	 out[CONTACT_EMAIL_MAX + 1], *cause;
	size_t	 i;

	for (i = 0; i < sizeof bad_emails / sizeof bad_emails[0]; i++) {
		cause = NULL;
		memset(out, 'X', sizeof out);
		if (contact_email_normalize(bad_emails[i].in, out, sizeof out,
		    &cause) != -1)
			fail_msg("\"%s\" accepted as \"%s\"", bad_emails[i].in,
			    out);
		assert_string_equal(out, "");
		check_cause(bad_emails[i].in, cause, bad_emails[i].why);
	}
}

/* Build "<local>@<domain>" with the given lengths, from repeated letters. */
static char *
make_email(size_t nlocal, size_t label, size_t nlabels)
{
	char	*s, *p;
	size_t	 i;

	s = malloc(nlocal + 1 + nlabels * (label + 1) + 4);
	assert_non_null(s);
	memset(s, 'a', nlocal);
	p = s + nlocal;
	*p++ = '@';
	for (i = 0; i < nlabels; i++) {
		memset(p, 'b', label);
		p += label;
		*p++ = '.';
	}
	memcpy(p, "be", 3);
	return s;
}

static void
test_email_lengths(void **state)
{
	char	 out[CONTACT_EMAIL_MAX + 1], *s, *cause = NULL;

	/* Local part: 64 bytes pass, 65 do not. */
	s = make_email(64, 10, 1);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    0);
	free(s);
	s = make_email(65, 10, 1);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    -1);
	check_cause("", cause, "trop longue : 64");
	free(s);

	/* Label: 63 bytes pass, 64 do not. */
	cause = NULL;
	s = make_email(4, 63, 1);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    0);
	free(s);
	s = make_email(4, 64, 1);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    -1);
	check_cause("", cause, "dépasse 63");
	free(s);

	/* Whole address: 254 bytes pass, 255 do not (blanks aside). */
	cause = NULL;
	s = make_email(10, 59, 4);		/* 10 + 1 + 4 * 60 + 2 */
	assert_int_equal(strlen(s), 253);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    0);
	free(s);
	s = make_email(11, 59, 4);
	assert_int_equal(strlen(s), 254);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    0);
	assert_string_equal(out, s);
	free(s);
	s = make_email(12, 59, 4);
	assert_int_equal(contact_email_normalize(s, out, sizeof out, &cause),
	    -1);
	check_cause("", cause, "trop longue : 254");
	free(s);

	/* Too small a buffer is refused, never overrun. */
	cause = NULL;
	assert_int_equal(contact_email_normalize("jean@exemple.be", out, 8,
	    &cause), -1);
	assert_non_null(cause);
	assert_string_equal(out, "");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_good),
		cmocka_unit_test(test_phone_bad),
		cmocka_unit_test(test_phone_messages),
		cmocka_unit_test(test_phone_buffer),
		cmocka_unit_test(test_email_good),
		cmocka_unit_test(test_email_bad),
		cmocka_unit_test(test_email_lengths),
		cmocka_unit_test(test_no_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
