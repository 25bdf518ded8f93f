/*
 * fuzz_ics.c: iCalendar import on arbitrary bytes.  A refusal says why and
 * reports nothing; what imports exports, the export imports again to the
 * same events with nothing to report, and exporting those gives the same
 * text again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ics.h"
#include "util.h"

#define FUZZ_TZ	"Europe/Brussels"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*ev, *ev2, *rep = NULL, *rep2 = NULL;
	char	*text, *out, *out2, *cause = NULL;

	if (size > 65536)
		return 0;
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	if ((ev = ics_import(text, size, FUZZ_TZ, &rep, &cause)) == NULL) {
		if (cause == NULL || rep != NULL)
			abort();
		free(cause);
		free(text);
		return 0;
	}
	if (cause != NULL || !json_is_array(ev) || !json_is_array(rep))
		abort();
	if ((out = ics_export(ev, &cause)) == NULL)
		abort();
	if ((ev2 = ics_import(out, strlen(out), FUZZ_TZ, &rep2, &cause)) ==
	    NULL)
		abort();
	if (json_array_size(rep2) != 0 || !json_equal(ev, ev2))
		abort();
	if ((out2 = ics_export(ev2, &cause)) == NULL || strcmp(out, out2) != 0)
		abort();
	free(out2);
	free(out);
	json_decref(ev2);
	json_decref(rep2);
	json_decref(ev);
	json_decref(rep);
	free(text);
	return 0;
}
