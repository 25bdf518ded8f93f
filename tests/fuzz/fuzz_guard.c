/*
 * fuzz_guard.c: the phone guard and the input check on arbitrary bytes.
 * The first byte, when it is '#', makes the rest (up to a newline) a list
 * of configured words, set before the text is checked.  Whatever the
 * input: no crash, a refusal says why in valid UTF-8, the check does not
 * depend on a previous one, and a text the input check accepts is still
 * accepted once its line breaks are allowed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "utf8.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A refusal comes with a cause that is valid UTF-8; *cause is reset. */
static void
check_cause(int rc, char **cause)
{
	if (rc == 0 && *cause != NULL)
		abort();
	if (rc == -1 && (*cause == NULL ||
	    !utf8_valid(*cause, strlen(*cause))))
		abort();
	free(*cause);
	*cause = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl;
	char		*text, *list = NULL, *cause = NULL;
	size_t		 n;
	int		 rc, again;

	if (size > 65536)
		return 0;
	if (size > 0 && data[0] == '#') {
		nl = memchr(data, '\n', size);
		n = nl != NULL ? (size_t)(nl - data) : size;
		list = xstrndup((const char *)data + 1, n - 1);
		data += n, size -= n;
		rc = guard_words_check(list, &cause);
		check_cause(rc, &cause);
		if (guard_words_set(list, &cause) != rc)
			abort();
		check_cause(rc, &cause);
	}
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	rc = guard_phone_check(text, &cause);
	check_cause(rc, &cause);
	if (guard_phone_check(text, NULL) != rc)
		abort();

	rc = guard_input_check(text, 0, &cause);
	check_cause(rc, &cause);
	again = guard_input_check(text, 1, &cause);
	check_cause(again, &cause);
	if (rc == 0 && again != 0)
		abort();

	if (list != NULL && guard_words_set(NULL, NULL) != 0)
		abort();
	free(list);
	free(text);
	return 0;
}
