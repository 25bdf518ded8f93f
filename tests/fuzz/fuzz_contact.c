/*
 * fuzz_contact.c: phone and email normalisation on arbitrary text.  An
 * accepted value normalises to itself (idempotence) and fits its bounds;
 * a refused one comes with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Run one normaliser and check its contract. */
static void
check(int (*fn)(const char *, char *, size_t, char **), const char *in,
    size_t max)
{
	char	 out[CONTACT_EMAIL_MAX + 1], again[CONTACT_EMAIL_MAX + 1];
	char	*cause = NULL;

	if (fn(in, out, sizeof out, &cause) == -1) {
		if (cause == NULL)
			abort();
		free(cause);
		return;
	}
	if (cause != NULL || strlen(out) > max)
		abort();
	if (fn(out, again, sizeof again, &cause) == -1 ||
	    strcmp(out, again) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if (size > 4096)
		return 0;
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	check(contact_phone_normalize, s, CONTACT_PHONE_MAX);
	check(contact_email_normalize, s, CONTACT_EMAIL_MAX);
	free(s);
	return 0;
}
