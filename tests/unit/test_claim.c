/*
 * test_claim.c: how SMS replies are read (claim_parse): the ways people
 * say yes with their code, and what must never be taken for a claim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shelter_int.h"

static const struct {
	const char	*text;
	const char	*code;
} claims[] = {
	{ "ok 123456", "123456" },
	{ "OK123456.", "123456" },
	{ "Ok 123456 merci", "123456" },
	{ "123456", "123456" },
	{ "oui 123456", "123456" },
	{ "ja 123456", "123456" },
	{ "Ja, 123456!", "123456" },
	{ "  OK   123456  ", "123456" },
	{ "Ok: 123456", "123456" },
	{ "ok - 123456", "123456" },
	{ "Oké 123456", "123456" },
	{ "OKÉ 123456", "123456" },
	{ "okay 123456 thanks", "123456" },
	{ "yes 123456", "123456" },
	{ "akkoord 123456 dank u", "123456" },
	{ "d'accord 123456", "123456" },
	{ "ok 123 456", "123456" },
	{ "123456 ok", "123456" },
	{ "ok 4821", "4821" },
	{ "ok 12345678", "12345678" },
	{ "OK 482113\r\n", "482113" },
};

static const char *const not_claims[] = {
	"", "ok", "peut-être", "non 123456", "no 123456", "nee 123456",
	"nein 123456", "ok 123", "ok 123456789", "ok 123456 ou 654321",
	"ok 12a456", "ok 0470 55 00 01", "je prends 123456", "ok ok 123456",
	"+32470550001", "ok 123456 7", "okok123456", "oki 123456",
	"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94",	/* fullwidth */
	"ok \xe2\x80\x8b", "ok 12\xe2\x80\x8b" "3456",
};

static void
test_claims(void **state)
{
	char	 code[ALERT_CODE_LEN];
	size_t	 i;

	for (i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		memset(code, 'x', sizeof code);
		if (claim_parse(claims[i].text, code, sizeof code) != 0)
			fail_msg("\"%s\" not read as a claim", claims[i].text);
		assert_string_equal(code, claims[i].code);
	}
}

static void
test_not_claims(void **state)
{
	char	 code[ALERT_CODE_LEN];
	size_t	 i;

	for (i = 0; i < sizeof not_claims / sizeof not_claims[0]; i++)
		if (claim_parse(not_claims[i], code, sizeof code) != -1)
			fail_msg("\"%s\" read as a claim of %s", not_claims[i],
			    code);
}

/* A buffer too small for the code: refused, never overrun. */
static void
test_small_buffer(void **state)
{
	char	 code[6];

	assert_int_equal(claim_parse("ok 123456", code, sizeof code), -1);
	assert_int_equal(claim_parse("ok 12345", code, sizeof code), 0);
	assert_string_equal(code, "12345");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_not_claims),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
